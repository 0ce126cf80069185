"""Email verification before a request becomes a ticket: the code is mailed through the outbox, the ticket is
opened only with the right code and records when the address was verified; wrong codes, expiry, resending,
cancelling, rate limits per address and per client; and end to end with a real SMTP server."""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from smtp_server import SmtpServer

from bot.app import build_services
from bot.config import ConfigError, Settings
from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from bot.web.app import create_app
from handoff import verification
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.renderer import Renderer

OPENER = "My address in your records is wrong, please correct it."
FORM = ["yes", "Jane Doe", "jane@example.com", "self", "my address says Tokyo", "Osaka", "confirm"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_777_593_600.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def verifying(matcher: Matcher, renderer: Renderer, tmp_path: Path, clock: Clock) -> Iterator[Conversation]:
    store = SQLiteStore.in_dir(tmp_path / "data", clock=clock)
    yield Conversation(matcher=matcher, renderer=renderer, store=store, clock=clock, email_verification=True)
    store.close()


def say(conversation: Conversation, text: str, session: str = "s1", origin: str | None = "198.51.100.7") -> Reply:
    step = conversation.open_step(Message(text="", session_id=session))  # answers the open question (web page)
    return conversation.handle(Message(text=text, session_id=session, origin=origin, step=step))


def fill(conversation: Conversation, session: str = "s1", email: str = "jane@example.com",
         origin: str | None = "198.51.100.7") -> Reply:
    reply = say(conversation, OPENER, session, origin)
    for answer in FORM:
        reply = say(conversation, email if answer == "jane@example.com" else answer, session, origin)
    return reply


def codes(conversation: Conversation) -> list[Any]:
    """The verification messages in the outbox, oldest first."""
    store = conversation.store
    due = store.claim_outbox(now=1e12, channels=["email"], limit=100, lease_seconds=0)
    return sorted((m for m in due if m.kind == "verification"), key=lambda m: m.key)


def test_the_request_is_filed_only_with_the_mailed_code(verifying: Conversation) -> None:
    reply = fill(verifying)
    assert reply.ticket is None and "email_code_sent" in reply.notices
    assert "6-digit code" in reply.text and "jane@example.com" in reply.text
    assert verifying.store.list_tickets() == []
    [sent] = codes(verifying)
    code = sent.payload["code"]
    assert re.fullmatch(r"\d{6}", code) and sent.payload["to"] == "jane@example.com"
    state = verifying.store.load_session("s1")
    assert state is not None and code not in str(state), "the session keeps a keyed hash, never the code"
    wrong = "000000" if code != "000000" else "111111"
    assert "4 more tries" in say(verifying, wrong).text and verifying.store.list_tickets() == []
    filed = say(verifying, f"{code[:3]} {code[3:]}")
    assert filed.ticket is not None
    [ticket] = verifying.store.list_tickets()
    assert ticket.contact.email == "jane@example.com" and ticket.contact.verified_at == verifying.desk.clock()
    assert say(verifying, "confirm").ticket == filed.ticket, "a repeated confirmation gets the same receipt"
    assert len(verifying.store.list_tickets()) == 1 and len(codes(verifying)) == 1


def test_five_wrong_tries_void_the_code_and_resend_sends_a_new_one(verifying: Conversation) -> None:
    fill(verifying)
    [first] = codes(verifying)
    wrong = "000000" if first.payload["code"] != "000000" else "111111"
    replies = [say(verifying, wrong).text for _ in range(5)]
    assert "1 more tries" in replies[3] and "no tries left" in replies[4]
    assert "no tries left" in say(verifying, first.payload["code"]).text, "the right code no longer counts"
    assert verifying.store.list_tickets() == []
    assert "6-digit code" in say(verifying, "resend").text
    second = codes(verifying)[-1]
    assert second.key != first.key and second.payload["code"]
    assert say(verifying, second.payload["code"]).ticket is not None


def test_codes_expire_after_15_minutes(verifying: Conversation, clock: Clock) -> None:
    fill(verifying)
    [sent] = codes(verifying)
    clock.now += verification.CODE_TTL_SECONDS + 1
    assert "expired" in say(verifying, sent.payload["code"]).text
    assert verifying.store.list_tickets() == []


def test_other_text_is_not_a_code_and_cancel_stops(verifying: Conversation) -> None:
    fill(verifying)
    assert "Please type the 6-digit code" in say(verifying, "I did not get anything").text
    assert "cancel" in say(verifying, "cancel").text.lower()
    assert verifying.store.list_tickets() == [] and "form" not in (verifying.store.load_session("s1") or {})


def test_codes_are_rate_limited_per_address_and_per_client(verifying: Conversation) -> None:
    fill(verifying, "a1")
    say(verifying, "resend", "a1")
    say(verifying, "resend", "a1")  # three codes for the address: its burst
    assert "Too many codes" in say(verifying, "resend", "a1").text
    assert len(codes(verifying)) == 3
    for n in range(7):  # the same client, other addresses: ten codes in all from it
        fill(verifying, f"c{n}", email=f"person{n}@example.com")
    limited = fill(verifying, "c-last", email="last@example.com")
    assert "Too many codes" in limited.text and len(codes(verifying)) == 10
    assert "6-digit code" in fill(verifying, "other", email="other@example.com", origin="203.0.113.9").text


def test_the_setting_defaults_on_with_email_and_needs_smtp() -> None:
    smtp = {"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "desk@example.com"}
    assert Settings.from_env(smtp).email_verification is True
    assert Settings.from_env({**smtp, "PRIVACY_BOT_EMAIL_VERIFICATION": "0"}).email_verification is False
    assert Settings.from_env({}).email_verification is False
    with pytest.raises(ConfigError, match="PRIVACY_BOT_EMAIL_VERIFICATION"):
        Settings.from_env({"PRIVACY_BOT_EMAIL_VERIFICATION": "1"})
    with pytest.raises(ConfigError, match="SMTP_FROM"):
        Settings.from_env({"SMTP_HOST": "smtp.example.com"})


def test_without_smtp_tickets_are_filed_unverified(conversation: Conversation) -> None:
    reply = fill(conversation)
    assert reply.ticket is not None
    [ticket] = conversation.store.list_tickets()
    assert ticket.contact.email == "jane@example.com" and ticket.contact.verified_at is None


def test_end_to_end_with_a_real_smtp_server(tmp_path: Path, smtp_server: SmtpServer) -> None:
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port),
           "SMTP_SECURITY": "none", "SMTP_FROM": "desk@example.com", "PRIVACY_BOT_RATE_IP": "0"}
    services = build_services(Settings.from_env(env))
    try:
        client = TestClient(create_app(services))
        session = client.post("/api/chat", json={"text": OPENER}).json()["session_id"]
        data: dict[str, Any] = {}
        for answer in FORM:
            data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
        assert data["ticket"] is None and "email_code_sent" in data["notices"]
        services.dispatcher.run_once()
        [mail] = smtp_server.to("jane@example.com")
        code = re.search(r"\b(\d{6})\b", str(mail["Subject"]))
        assert code is not None and "15 minutes" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        data = client.post("/api/chat", json={"session_id": session, "text": code[1]}).json()
        assert data["ticket"]["reference"]
        services.dispatcher.run_once()
        assert [str(m["Subject"]) for m in smtp_server.to("jane@example.com")][1] == (
            f"Your request {data['ticket']['reference']} has been received")
        form_id = (services.store.load_session(session) or {})["last_receipt"]["form"]
        delivered = services.store.get_outbox(f"verify:{form_id}:1")
        assert (delivered.status, delivered.payload) == ("sent", {}), "a delivered code is not kept in the outbox"
    finally:
        services.close()



def test_answers_sent_at_once_get_no_more_than_five_guesses(tmp_path: Path, clock: Clock) -> None:
    """Every form keeps the code's state itself (a chat session, a Slack modal's record) and saves it after judging,
    so answers sent at once all see five tries left; the store counts the tries atomically instead."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.engine.verify import EmailCheck

    store = SQLiteStore.in_dir(tmp_path / "data", clock=clock)
    try:
        check = EmailCheck(store, clock)
        issued = check.issue("jane@example.com", "en", client="U0ONE", key="verify:test")
        assert issued.pending is not None
        stale = issued.pending.to_dict()  # what every parallel answer read
        [sent] = [m for m in store.claim_outbox(now=1e12, channels=["email"], limit=10, lease_seconds=0)]
        code = sent.payload["code"]
        wrong = "000000" if code != "000000" else "111111"
        with ThreadPoolExecutor(max_workers=12) as pool:
            outcomes = [o for o, _ in pool.map(lambda _: check.judge(stale, wrong), range(12))]
        assert outcomes.count("wrong") == verification.MAX_TRIES and outcomes.count("locked") == 12 - 5
        assert check.judge(stale, code)[0] == "locked", "the right code after five guesses no longer counts"
        assert check.judge(stale, "not a code")[0] == "not_code"
    finally:
        store.close()
