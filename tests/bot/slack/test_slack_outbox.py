"""The Slack wing's durable messages (issue 17 point 2): which ticket changes store which Slack messages, and how a
chat-form ticket's receipt is not sent twice. In process, on a real SQLite store and the local Web API mock."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.slack.outbox import RECEIPT, RECEIPT_GRACE, receipt_shown, slack_rule
from handoff.dispatch import Dispatcher
from handoff.outbox import SENT
from handoff.tickets import Contact, Requester, TicketDraft
from slack_mock import SlackMock


@pytest.fixture()
def services(tmp_path: Path, slack_api: SlackMock) -> Iterator[Services]:
    built = build_services(Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
        "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_API_URL": slack_api.url, "SLACK_STAFF_CHANNEL": "C0STAFF"}))
    yield built
    built.close()


def _draft(session: str, user: str = "U0REQ") -> TicketDraft:
    return TicketDraft(request_type="disclosure", requester=Requester("slack", user, session),
                       contact=Contact("Hanako", "h@example.jp"))


def _dms(mock: SlackMock) -> list[str]:
    return [str(c.params.get("text")) for c in mock.calls("chat.postMessage") if str(c.params["channel"]).startswith("D")]


def test_a_modal_receipt_is_due_at_once_and_a_chat_form_receipt_waits_for_the_conversation(
        services: Services) -> None:
    now = time.time()
    modal = services.store.create_ticket(_draft("slack:T0:modal:U0REQ"), idempotency_key=uuid.uuid4().hex, now=now)
    chat = services.store.create_ticket(_draft("slack:T0:D0REQ:U0REQ"), idempotency_key=uuid.uuid4().hex, now=now)
    web = services.store.create_ticket(
        TicketDraft(request_type="disclosure", requester=Requester("web", None, "s1"), contact=Contact("A", "a@x.jp")),
        idempotency_key=uuid.uuid4().hex, now=now)
    found = services.store.outbox_for([modal.reference, chat.reference, web.reference])
    [modal_receipt] = [m for m in found[modal.reference] if m.kind == RECEIPT]
    [chat_receipt] = [m for m in found[chat.reference] if m.kind == RECEIPT]
    assert modal_receipt.next_attempt_at == pytest.approx(now, abs=1)
    assert chat_receipt.next_attempt_at == pytest.approx(now + RECEIPT_GRACE, abs=1)
    assert [m.kind for m in found[web.reference]] == ["staff_alert"]  # no Slack DM for a web requester


def test_a_receipt_the_conversation_showed_is_not_dmed_again(services: Services, slack_api: SlackMock) -> None:
    shown = services.store.create_ticket(_draft("slack:T0:modal:U0A", "U0A"), idempotency_key=uuid.uuid4().hex,
                                         now=time.time())
    unseen = services.store.create_ticket(_draft("slack:T0:modal:U0B", "U0B"), idempotency_key=uuid.uuid4().hex,
                                          now=time.time())
    receipt_shown(services.store, shown.reference)
    services.dispatcher.run_once()
    texts = _dms(slack_api)
    assert len(texts) == 1 and unseen.reference in texts[0]
    found = services.store.outbox_for([shown.reference])[shown.reference]
    assert [m.status for m in found if m.kind == RECEIPT] == ["sent"]  # done: nothing left to retry


def test_status_changes_store_a_dm_and_the_posts_update_with_the_change(services: Services) -> None:
    ticket = services.store.create_ticket(_draft("slack:T0:modal:U0C", "U0C"), idempotency_key=uuid.uuid4().hex,
                                          now=time.time())
    claimed = services.store.update_status(ticket.reference, "in_progress", actor="slack:U0STAFF", now=time.time())
    kinds = sorted(m.kind for m in services.store.outbox_for([ticket.reference])[ticket.reference])
    assert kinds == ["slack_post_log", "slack_post_update", "slack_receipt", "slack_status", "staff_alert"]
    rule = slack_rule(staff_posts=False)
    assert [m.kind for m in rule(ticket, claimed)] == ["slack_status"]  # no staff channel: no post to update
    assert rule(claimed, claimed) == []


# -- once across a worker's death: the DM or thread line an earlier attempt posted is found, not posted again ---
class Killed(BaseException):
    """The worker dies here (the dispatcher does not catch BaseException): after Slack's ok, before the record."""


class DiesBeforeRecording:
    def __init__(self, inner: Any, key: str) -> None:
        self.inner, self.key = inner, key

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def record_delivery(self, key: str, **kwargs: Any) -> Any:
        if key == self.key and kwargs.get("ok"):
            raise Killed
        return self.inner.record_delivery(key, **kwargs)


def _kill_then_redeliver(services: Services, key: str) -> None:
    with pytest.raises(Killed):
        for _ in range(5):
            Dispatcher(DiesBeforeRecording(services.store, key), services.dispatcher.transports).run_once()
    assert services.store.get_outbox(key).attempt_started_at is not None
    later = Dispatcher(services.store, services.dispatcher.transports, clock=lambda: time.time() + 121)
    later.run_once()
    message = services.store.get_outbox(key)
    assert message.status == SENT and message.attempt_started_at is None


def test_a_receipt_dm_slack_took_before_the_worker_died_is_not_sent_twice(services: Services,
                                                                          slack_api: SlackMock) -> None:
    ticket = services.store.create_ticket(_draft("slack:T0:modal:U0K", "U0K"), idempotency_key=uuid.uuid4().hex,
                                          now=time.time())
    _kill_then_redeliver(services, f"{ticket.reference}:receipt:slack")
    texts = _dms(slack_api)
    assert len(texts) == 1 and ticket.reference in texts[0]
    [lookup] = [c for c in slack_api.calls("conversations.history") if str(c.params["channel"]).startswith("D")]
    [held] = slack_api.messages(str(lookup.params["channel"]))
    assert held["metadata"]["event_type"] == "privacy_bot_outbox"


def test_a_thread_line_slack_took_before_the_worker_died_is_not_posted_twice(services: Services,
                                                                             slack_api: SlackMock) -> None:
    ticket = services.store.create_ticket(
        TicketDraft(request_type="disclosure", requester=Requester("web", None, "s-thread"),
                    contact=Contact("A", "a@x.jp")), idempotency_key=uuid.uuid4().hex, now=time.time())
    services.dispatcher.run_once()  # the staff post
    [post] = slack_api.messages("C0STAFF")
    services.store.update_status(ticket.reference, "in_progress", actor="slack:U0STAFF", now=time.time())
    _kill_then_redeliver(services, f"{ticket.reference}:log:{ticket.version + 1}:slack")
    assert len(slack_api.messages("C0STAFF", thread_ts=post["ts"])) == 1
    [lookup] = slack_api.calls("conversations.replies")
    assert lookup.params["ts"] == post["ts"]
    updates = slack_api.calls("chat.update")
    assert updates and all(u.params["ts"] == post["ts"] for u in updates)
