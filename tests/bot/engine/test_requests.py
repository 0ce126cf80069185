"""Formal requests in chat: the intake form on every path, tickets, receipts, status and staff replies."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from handoff.tickets import Requester
from intents.matcher import Matcher
from responses.renderer import Rendered, Renderer

SID = "requests-session-1"

OPENERS = {
    "disclosure": "Please send me a copy of all the personal data you hold about me.",
    "correction": "My address in your records is wrong, please correct it.",
    "suspension": "Please delete my account and all my data.",
    "third_party_stop": "Stop giving my personal data to third parties, please.",
    "purpose_notification": "I hereby request notification of the purpose of use of my personal information.",
    "inquiry": "get me a real person",
}
#: Answers for each type's detail steps, in order.
DETAILS = {
    "disclosure": ["everything", "1"],
    "purpose_notification": ["all my data", "2", "213-0011", "1-6-8 Hisamoto, Takatsu-ku, Kawasaki", "044-123-4567"],
    "correction": ["my address says Tokyo", "Osaka"],
    "suspension": ["2", "4", "all of it"],
    "third_party_stop": ["1", "my email, to any ad partner"],
    "inquiry": ["I'd like to complain about marketing emails"],
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


class FlakyStore(SQLiteStore):
    """A real SQLite store with an injectable outage for ticket writes."""

    down = False

    def create_ticket(self, *args: Any, **kwargs: Any) -> Any:
        if self.down:
            raise StoreUnavailable("injected outage")
        return super().create_ticket(*args, **kwargs)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def flaky(tmp_path: Path, clock: Clock) -> Iterator[FlakyStore]:
    store = FlakyStore(tmp_path / "bot.sqlite3", clock=clock)
    yield store
    store.close()


@pytest.fixture()
def desk(matcher: Matcher, renderer: Renderer, flaky: FlakyStore, clock: Clock) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=flaky, clock=clock)


def say(conversation: Conversation, text: str, session_id: str = SID, lang: str | None = None,
        frontend: str = "web", user_id: str | None = None) -> Reply:
    """A message answering the question open in the session, as the web page sends it (with its step token)."""
    step = conversation.open_step(Message(text="", session_id=session_id))
    return conversation.handle(Message(text=text, session_id=session_id, frontend=frontend, lang=lang,
                                       user_id=user_id, step=step))


def fill(conversation: Conversation, request_type: str, *, session_id: str = SID, representative: bool = False,
         confirm: bool = True) -> Reply:
    reply = say(conversation, OPENERS[request_type], session_id)
    assert reply.decision == "request" and reply.handoff == request_type, reply
    for answer in ["1", "Jane Doe", "jane@example.com"]:
        reply = say(conversation, answer, session_id)
    if representative:
        for answer in ["2", "Kenji Sato", "1"]:
            reply = say(conversation, answer, session_id)
    else:
        reply = say(conversation, "1", session_id)
    for answer in DETAILS[request_type]:
        reply = say(conversation, answer, session_id)
    assert [c.value for c in reply.choices] == ["confirm", "restart", "cancel"], reply.text
    return say(conversation, "1", session_id) if confirm else reply


@pytest.mark.parametrize("request_type", sorted(OPENERS))
def test_every_request_type_becomes_one_ticket(desk: Conversation, flaky: FlakyStore, request_type: str) -> None:
    receipt = fill(desk, request_type)
    assert receipt.ticket is not None
    reference = receipt.ticket["reference"]
    assert reference in receipt.text and reference.startswith("PRQ-")
    assert receipt.handoff == request_type
    ticket = flaky.get_ticket(reference)
    assert ticket.request_type == request_type
    assert ticket.contact.name == "Jane Doe" and ticket.contact.email == "jane@example.com"
    assert ticket.requester == Requester(frontend="web", user_id=None, session_id=SID)
    assert ticket.status == "new"
    # The transcript is the conversation that led to the request.
    assert any(OPENERS[request_type] in line.text for line in ticket.transcript)
    assert "no" not in {k for k in ticket.answers if k in ("name", "email")}
    assert len(flaky.list_tickets()) == 1


def test_answers_the_article_needs_are_on_the_ticket(desk: Conversation, flaky: FlakyStore) -> None:
    reference = fill(desk, "correction").ticket["reference"]  # type: ignore[index]
    assert flaky.get_ticket(reference).answers == {"wrong_value": "my address says Tokyo", "correct_value": "Osaka"}
    reference = fill(desk, "suspension", session_id="other-session-2").ticket["reference"]  # type: ignore[index]
    assert flaky.get_ticket(reference).answers == {"action": "delete", "ground": "art9_3_not_needed",
                                                     "scope": "all of it"}
    reference = fill(desk, "disclosure", session_id="other-session-3").ticket["reference"]  # type: ignore[index]
    assert flaky.get_ticket(reference).answers == {"scope": "everything", "delivery": "electronic"}


def test_receipt_gives_due_date_and_next_steps(desk: Conversation, clock: Clock, flaky: FlakyStore) -> None:
    receipt = fill(desk, "disclosure")
    ticket = flaky.get_ticket(receipt.ticket["reference"])  # type: ignore[index]
    assert ticket.due_at == pytest.approx(clock.now + 14 * 86400)
    assert "Article 7" in receipt.text and "jane@example.com" in receipt.text
    assert "status " + ticket.reference in receipt.text


def test_representative_path_is_recorded(desk: Conversation, flaky: FlakyStore) -> None:
    receipt = fill(desk, "disclosure", representative=True)
    ticket = flaky.get_ticket(receipt.ticket["reference"])  # type: ignore[index]
    assert ticket.representative is not None
    assert ticket.representative.on_behalf_of == "Kenji Sato"
    assert ticket.representative.relationship == "parent"
    assert "authority" in receipt.text


@pytest.mark.parametrize("steps_before_cancel", range(0, 7))
def test_cancel_works_at_every_step_and_keeps_nothing(desk: Conversation, flaky: FlakyStore,
                                                       steps_before_cancel: int) -> None:
    say(desk, OPENERS["disclosure"])
    for answer in ["1", "Jane Doe", "jane@example.com", "1", "everything", "1"][:steps_before_cancel]:
        say(desk, answer)
    reply = say(desk, "cancel")
    assert "cancelled" in reply.text
    assert reply.handoff is None and reply.ticket is None
    state = flaky.load_session(SID)
    assert state is not None and "form" not in state
    assert flaky.list_tickets() == []
    # After cancelling, messages are matched normally again.
    assert say(desk, "what are cookies used for?").article == 12


def test_bad_email_is_asked_again_with_a_reason(desk: Conversation) -> None:
    for answer in [OPENERS["disclosure"], "1", "Jane Doe"]:
        say(desk, answer)
    for bad in ["jane", "jane@", "@example.com", "jane@example", "a b@example.com", "x" * 300 + "@example.com"]:
        reply = say(desk, bad)
        assert "valid email" in reply.text
        assert "email address" in reply.text.lower()
    assert "yourself" in say(desk, "jane@example.com").text


def test_bad_name_is_asked_again(desk: Conversation) -> None:
    for answer in [OPENERS["disclosure"], "1"]:
        say(desk, answer)
    for bad in ["12345", "jane@example.com", "x" * 101]:  # a question ("what are cookies?"): test_form_asides.py
        assert "doesn't look like a name" in say(desk, bad).text
    assert "email" in say(desk, "山田 太郎").text.lower()


def test_switching_the_request_type(desk: Conversation, flaky: FlakyStore) -> None:
    say(desk, OPENERS["suspension"])
    reply = say(desk, "2")  # no, a different request
    assert len(reply.choices) == 6
    labels = [c.value for c in reply.choices]
    reply = say(desk, str(labels.index("correction") + 1))
    assert reply.handoff == "correction"
    for answer in ["Jane Doe", "jane@example.com", "1", "my name is misspelt", "Jane Doe-Smith", "confirm"]:
        reply = say(desk, answer)
    assert flaky.get_ticket(reply.ticket["reference"]).request_type == "correction"  # type: ignore[index]


def test_form_in_japanese_and_switching_language(desk: Conversation, flaky: FlakyStore) -> None:
    reply = say(desk, "私のデータを全部削除してください")
    assert reply.lang == "ja" and reply.handoff == "suspension"
    assert "キャンセル" in reply.text
    # An English name keeps the Japanese form (the form's language is sticky)...
    reply = say(desk, "はい")
    assert "ご本人ですか" in reply.text  # Japanese forms ask who is asking first
    reply = say(desk, "本人です")
    reply = say(desk, "Taro Yamada")
    assert reply.lang == "ja" and "フリガナ" in reply.text
    reply = say(desk, "ヤマダ タロウ")
    assert reply.lang == "ja" and "メールアドレス" in reply.text
    # ...until the user switches explicitly, by the page's switch or by typing the language.
    reply = say(desk, "taro@example.jp", lang="en")
    assert reply.lang == "en" and "suspend the use" in reply.text  # nothing answered is asked again
    reply = say(desk, "日本語")
    assert reply.lang == "ja" and "利用の停止と消去" in reply.text
    for answer in ["消去でお願いします", "1", "すべて", "確定"]:
        reply = say(desk, answer)
    ticket = flaky.get_ticket(reply.ticket["reference"])  # type: ignore[index]
    assert ticket.lang == "ja" and "受付番号" in reply.text


def test_confirming_twice_creates_one_ticket(desk: Conversation, flaky: FlakyStore) -> None:
    first = fill(desk, "disclosure")
    again = say(desk, "confirm")
    assert again.ticket is not None and again.ticket["reference"] == first.ticket["reference"]  # type: ignore[index]
    assert len(flaky.list_tickets()) == 1


def test_concurrent_confirmations_create_one_ticket(desk: Conversation, flaky: FlakyStore) -> None:
    fill(desk, "disclosure", confirm=False)
    replies: list[Reply] = []
    barrier = threading.Barrier(4)

    def click() -> None:
        barrier.wait()
        replies.append(say(desk, "confirm"))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(flaky.list_tickets()) == 1
    references = {r.ticket["reference"] for r in replies if r.ticket}
    assert len(references) == 1


def test_store_outage_at_confirmation_loses_nothing(desk: Conversation, flaky: FlakyStore) -> None:
    fill(desk, "disclosure", confirm=False)
    flaky.down = True
    reply = say(desk, "confirm")
    assert "couldn't save" in reply.text and "store_unavailable" in reply.notices
    assert reply.ticket is None and [c.value for c in reply.choices] == ["confirm", "restart", "cancel"]
    flaky.down = False
    reply = say(desk, "confirm")
    assert reply.ticket is not None
    assert len(flaky.list_tickets()) == 1


def test_abandoned_form_expires_with_the_session(desk: Conversation, flaky: FlakyStore, clock: Clock) -> None:
    say(desk, OPENERS["disclosure"])
    say(desk, "1")
    clock.now += desk.session_ttl + 1
    reply = say(desk, "Jane Doe")
    assert reply.handoff is None  # a fresh conversation: the name is not taken as a form answer
    assert flaky.list_tickets() == []


def test_status_only_for_the_same_requester(desk: Conversation) -> None:
    reference = fill(desk, "disclosure").ticket["reference"]  # type: ignore[index]
    mine = say(desk, f"status {reference}")
    assert reference in mine.text and "received" in mine.text
    assert say(desk, "where is my request?").text.count(reference) == 1
    stranger = say(desk, f"status {reference}", session_id="stranger-session")
    missing = say(desk, "status PRQ-2099-999999", session_id="stranger-session")
    assert reference not in stranger.text
    assert stranger.text == missing.text.replace("PRQ-2099-999999", reference)
    assert stranger.ticket is None
    wrong_email = say(desk, f"status {reference} other@example.com", session_id="stranger-session")
    assert wrong_email.text == stranger.text
    right_email = say(desk, f"status {reference} JANE@example.com", session_id="stranger-session")
    assert reference in right_email.text and right_email.ticket is not None


def test_slack_user_identity_is_the_user_not_the_session(desk: Conversation, flaky: FlakyStore) -> None:
    say(desk, OPENERS["inquiry"], session_id="slack:C1", frontend="slack", user_id="U1")
    for answer in ["1", "Jane Doe", "jane@example.com", "1", "please call me", "confirm"]:
        reply = say(desk, answer, session_id="slack:C1", frontend="slack", user_id="U1")
    reference = reply.ticket["reference"]  # type: ignore[index]
    # Another member of the same channel session cannot see it; the same user elsewhere can.
    assert reference not in say(desk, f"status {reference}", session_id="slack:C1", frontend="slack", user_id="U2").text
    assert reference in say(desk, f"status {reference}", session_id="slack:D9", frontend="slack", user_id="U1").text


def test_staff_reply_shown_once_in_the_next_turn(desk: Conversation, flaky: FlakyStore, clock: Clock) -> None:
    reference = fill(desk, "disclosure").ticket["reference"]  # type: ignore[index]
    flaky.add_reply(reference, actor="alice", text="Please send a copy of your ID <b>card</b>.", now=clock.now)
    reply = say(desk, "thanks")
    assert "Please send a copy of your ID" in reply.text and reference in reply.text
    assert "&lt;b&gt;card&lt;/b&gt;" in reply.html and "<b>" not in reply.html
    assert "Please send a copy" not in say(desk, "thanks").text


def test_returning_web_visitor_gets_staff_replies(desk: Conversation, flaky: FlakyStore, clock: Clock) -> None:
    reference = fill(desk, "disclosure").ticket["reference"]  # type: ignore[index]
    assert desk.staff_messages(Message(text="", session_id=SID)) is None
    flaky.add_reply(reference, actor="alice", text="We have sent your data by email.", now=clock.now)
    assert desk.staff_messages(Message(text="", session_id="someone-else")) is None
    waiting = desk.staff_messages(Message(text="", session_id=SID))
    assert waiting is not None and "We have sent your data" in waiting.text
    assert desk.staff_messages(Message(text="", session_id=SID)) is None


def test_markup_in_form_answers_is_escaped(desk: Conversation) -> None:
    for answer in [OPENERS["inquiry"], "1", "<script>alert(1)</script> Doe", "jane@example.com", "1",
                   "{{ 7*7 }} <img src=x onerror=alert(1)>"]:
        reply = say(desk, answer)
    assert "<script" not in reply.html and "<img" not in reply.html
    assert "&lt;script&gt;" in reply.html and "{{ 7*7 }}" in reply.text and "49" not in reply.text


def test_request_over_the_web_api_then_resume(services: Any) -> None:
    from fastapi.testclient import TestClient

    from bot.web.app import create_app

    client = TestClient(create_app(services))
    first = client.post("/api/chat", json={"text": OPENERS["disclosure"]}).json()
    session = first["session_id"]
    assert first["decision"] == "request" and first["handoff"] == "disclosure"
    assert [c["value"] for c in first["choices"]] == ["yes", "switch", "cancel"]
    data = first
    for answer in ["yes", "Jane Doe", "jane@example.com", "self", "everything", "electronic", "confirm"]:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    ticket = data["ticket"]
    assert ticket is not None and set(ticket) == {"reference", "request_type", "article", "status", "created_at", "due_at"}
    assert ticket["request_type"] == "disclosure" and ticket["article"] == 7 and ticket["status"] == "new"
    assert "jane" not in str(ticket).lower()  # the summary carries no contact details
    resumed = client.post("/api/resume", json={"session_id": session}).json()
    assert resumed["session_id"] == session and resumed["messages"] == [] and resumed["choices"] == []
    services.store.add_reply(ticket["reference"], actor="alice", text="Your data is ready.", now=ticket["created_at"] + 60)
    other = client.post("/api/resume", json={"session_id": "another-session-123"}).json()
    assert other["messages"] == []
    waiting = client.post("/api/resume", json={"session_id": session}).json()["messages"]
    assert len(waiting) == 1 and "Your data is ready." in waiting[0]["text"]
    assert client.post("/api/resume", json={"session_id": session}).json()["messages"] == []
    assert client.post("/api/resume", json={"session_id": "bad id"}).status_code == 422


def test_whole_form_submission_validates_and_is_idempotent(desk: Conversation, flaky: FlakyStore) -> None:
    """The path Slack modals use: all fields at once, field errors, one ticket per submission id."""
    message = Message(text="", session_id="slack:D1", frontend="slack", user_id="U7")
    ticket, errors = desk.desk.submit(message, "suspension", {"name": "", "email": "nope", "on_behalf": "self",
                                                              "ground": "made-up", "scope": "x" * 3000}, "en",
                                      idempotency_key="V123")
    assert ticket is None and set(errors) == {"name", "email", "action", "ground", "scope"}
    assert "valid email" in errors["email"]
    fields = {"name": "Jane Doe", "email": "jane@example.com", "on_behalf": "representative", "action": "stop_use",
              "ground": "art9_3_leak", "scope": "everything"}
    ticket, errors = desk.desk.submit(message, "suspension", fields, "en", idempotency_key="V123")
    assert ticket is None and set(errors) == {"rep_name", "rep_relationship"}
    fields.update(rep_name="Ken Doe", rep_relationship="parent")
    first, errors = desk.desk.submit(message, "suspension", fields, "en", idempotency_key="V123")
    again, _ = desk.desk.submit(message, "suspension", fields, "en", idempotency_key="V123")
    assert errors == {} and first is not None and again is not None and first.reference == again.reference
    assert first.answers == {"action": "stop_use", "ground": "art9_3_leak", "scope": "everything"}
    assert first.representative is not None and first.representative.relationship == "parent"
    assert first.requester.user_id == "U7" and len(flaky.list_tickets()) == 1


def test_requester_gets_a_copy_of_their_request(services: Any) -> None:
    from fastapi.testclient import TestClient

    from bot.web.app import create_app

    client = TestClient(create_app(services))
    session = client.post("/api/chat", json={"text": OPENERS["correction"]}).json()["session_id"]
    data: dict[str, Any] = {}
    for answer in ["yes", "Jane Doe", "jane@example.com", "self", "my address says Tokyo", "Osaka", "confirm"]:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    reference = data["ticket"]["reference"]
    services.store.add_note(reference, actor="alice", text="called the requester", now=data["ticket"]["created_at"])
    copy = client.post("/api/tickets/copy", json={"session_id": session, "reference": reference})
    assert copy.status_code == 200 and copy.headers["cache-control"] == "no-store"
    body = copy.json()
    assert body["reference"] == reference and body["contact"]["email"] == "jane@example.com"
    assert body["answers"] == {"wrong_value": "my address says Tokyo", "correct_value": "Osaka"}
    assert any("Tokyo" in line["text"] or OPENERS["correction"] in line["text"] for line in body["transcript"])
    assert "events" not in body and "requester" not in body  # staff-only data never in the requester's copy
    assert "called the requester" not in copy.text
    stranger = client.post("/api/tickets/copy", json={"session_id": "stranger-session", "reference": reference})
    missing = client.post("/api/tickets/copy", json={"session_id": "stranger-session", "reference": "PRQ-2099-000001"})
    assert stranger.status_code == missing.status_code == 404 and stranger.json() == missing.json()
    by_email = client.post("/api/tickets/copy", json={"session_id": "stranger-session", "reference": reference,
                                                       "email": "JANE@example.com"})
    assert by_email.status_code == 200 and by_email.json()["reference"] == reference


def test_a_forms_questions_are_formatted_once_and_no_answer_is_remembered(desk: Conversation) -> None:
    # Issue 18: the formats of a form's own questions (and their error lines) are remembered by their text; the
    # summary, which quotes the requester's answers, is formatted afresh and never kept.
    fill(desk, "disclosure", confirm=False)
    remembered = dict(desk._fixed_formats)
    assert remembered and all("Jane Doe" not in text and "jane@example.com" not in text for text in remembered)
    again = fill(desk, "disclosure", session_id="other-session-2", confirm=False)
    assert "Jane Doe" in again.text and "jane@example.com" in again.html
    assert all(desk._fixed_formats[text] is formats for text, formats in remembered.items())  # used, not made again
    assert all("jane@example.com" not in text for text in desk._fixed_formats)
    # A remembered question reads exactly as a fresh one.
    bad = None
    for answer in [OPENERS["disclosure"], "1", "Jane Doe", "jane"]:
        bad = say(desk, answer, "third-session-3")
    assert bad is not None and "valid email" in bad.text
    fresh = Rendered.of(bad.extra["markup"])
    assert (bad.text, bad.html, bad.mrkdwn) == (fresh.text, fresh.html, fresh.mrkdwn)
    assert bad.extra["markup"] in desk._fixed_formats
