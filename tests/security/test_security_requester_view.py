"""Issue 11 point 1: every requester-facing output is built from the one requester view (`handoff.requester_view`).

A ticket gets planted staff-only data (an internal note, a status note, actor names, a notification error);
none of it may appear in anything the requester is shown: chat status (own session and reference + email),
the copy, resume and the next chat turn with a staff reply, and the Slack DM about a status change. The copy's
key set is exactly the allow-list.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from bot.app import Services, build_services
from bot.config import Settings
from bot.engine.messages import Message
from bot.web.app import create_app
from handoff.requester_view import REQUESTER_KEYS
from handoff.tickets import Contact, Requester, TicketDraft

NOTE = "PLANTED-internal-note-5b1e0c"
STATUS_NOTE = "PLANTED-status-note-77d2"
ACTOR = "planted-actor-q9x"
ERROR = "PLANTED-delivery-error-3f"
REPLY = "Please send a copy of your ID."
EXPLANATION = "We could not confirm that the account is yours."
FORM = ["yes", "Jane Doe", "jane@example.com", "self", "my address says Tokyo", "Osaka", "confirm"]
OPENER = "My address in your records is wrong, please correct it."


def _secrets(*extra: str) -> tuple[str, ...]:
    return (NOTE, STATUS_NOTE, ACTOR, ERROR) + extra


def _assert_clean(output: Any, *extra: str) -> None:
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
    for secret in _secrets(*extra):
        assert secret not in text, f"{secret!r} leaked into a requester-facing output"


def _plant(services: Services, reference: str, now: float) -> None:
    store = services.store
    store.add_note(reference, actor=ACTOR, text=NOTE, now=now)
    store.claim(reference, actor=ACTOR, now=now)
    store.update_status(reference, "waiting_on_requester", actor=ACTOR, now=now, note=STATUS_NOTE)
    # A delivery error lives in the outbox record of the staff alert (issue 16), never in what a requester gets.
    [alert] = [m for m in store.outbox_for([reference])[reference] if m.kind == "staff_alert"]
    store.record_delivery(alert.key, ok=False, now=now, error=ERROR, retry_at=now + 60)


def test_web_outputs_show_only_the_requester_view(services: Services) -> None:
    client = TestClient(create_app(services))
    session = client.post("/api/chat", json={"text": OPENER}).json()["session_id"]
    data: dict[str, Any] = {}
    for answer in FORM:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    reference, created = data["ticket"]["reference"], data["ticket"]["created_at"]
    _plant(services, reference, created + 1)
    services.store.add_reply(reference, actor=ACTOR, text=REPLY, now=created + 2)

    resumed = client.post("/api/resume", json={"session_id": session}).json()
    assert REPLY in resumed["messages"][0]["text"]
    _assert_clean(resumed)  # (a chat reply carries the caller's own session id; no other's)

    services.store.add_reply(reference, actor=ACTOR, text=REPLY + " (again)", now=created + 3)
    outputs = [client.post("/api/chat", json={"session_id": session, "text": "status"}).json(),
               client.post("/api/chat", json={"session_id": session, "text": f"status {reference}"}).json(),
               client.post("/api/chat", json={"text": f"status {reference} jane@example.com"}).json()]
    assert "(again)" in outputs[0]["text"]  # the next chat turn delivered the staff reply
    assert all(reference in o["text"] for o in outputs)
    for output in outputs[:2]:
        _assert_clean(output)
    _assert_clean(outputs[2], session)  # asked from another chat: the requester's session id never shows

    copies = [client.post("/api/tickets/copy", json={"session_id": session, "reference": reference}),
              client.post("/api/tickets/copy", json={"session_id": "another-session-1", "reference": reference,
                                                     "email": "jane@example.com"})]
    for copy in copies:
        assert copy.status_code == 200, copy.text
        body = copy.json()
        assert set(body) == REQUESTER_KEYS
        assert set(body) == {"reference", "request_type", "article", "status", "outcome", "rejection", "lang",
                             "created_at", "updated_at", "due_at", "closed_at", "contact", "representative",
                             "answers", "transcript", "replies"}
        assert set(body["contact"]) == {"name", "email"}
        assert all(set(r) == {"at", "text"} for r in body["replies"]) and body["replies"][0]["text"] == REPLY
        assert all(set(line) == {"role", "text", "at"} for line in body["transcript"])
        assert body["answers"] == {"wrong_value": "my address says Tokyo", "correct_value": "Osaka"}
        _assert_clean(body, session)

    services.store.update_status(reference, "rejected", actor=ACTOR, now=created + 4, note=EXPLANATION,
                                 rejection_ground="identity_not_confirmed")
    body = client.post("/api/tickets/copy", json={"session_id": session, "reference": reference}).json()
    assert body["outcome"] == "rejected" and body["closed_at"] is not None
    assert body["rejection"] == {"ground": "identity_not_confirmed", "explanation": EXPLANATION}
    _assert_clean(body, session)
    status = client.post("/api/chat", json={"session_id": session, "text": f"status {reference}"}).json()
    assert "could not be confirmed" in status["text"]
    _assert_clean(status)


def test_slack_dm_about_a_status_change_shows_only_the_requester_view(tmp_path: Path, slack_api: Any) -> None:
    """Status DMs go through the outbox (bot/slack/outbox.py) and are rendered from the requester view."""
    from slack_mock import SlackMock

    services = build_services(Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
        "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_API_URL": slack_api.url, "SLACK_STAFF_CHANNEL": "C0STAFF"}))
    try:
        store, now = services.store, time.time() - 60  # every outbox message below is due when the dispatcher runs
        requester = Requester(frontend="slack", user_id="U0REQUESTER", session_id="slack:T1:modal:U0REQUESTER")
        draft = TicketDraft(request_type="suspension", requester=requester,
                            contact=Contact(name="Jane Doe", email="jane@example.com"),
                            answers={"ground": "art9_3_leak", "scope": "everything"})
        reference = store.create_ticket(draft, idempotency_key="form:slack-view-1", now=now).reference
        _plant(services, reference, now + 1)
        store.update_status(reference, "rejected", actor=ACTOR, now=now + 2, note=EXPLANATION,
                            rejection_ground="identity_not_confirmed")
        services.dispatcher.run_once()
        dms = [c.params for c in slack_api.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
        assert any(EXPLANATION in json.dumps(dm, ensure_ascii=False) for dm in dms), "the requester got no DM"
        text = json.dumps(dms, ensure_ascii=False)
        assert reference in text
        _assert_clean(text, requester.session_id)
        # And the Home tab / `/privacy status` answer goes through the same desk status.
        status = services.conversation.desk.status(
            Message(text="status", session_id=requester.session_id, frontend="slack", user_id=requester.user_id),
            "status", "en")
        assert reference in status.text
        _assert_clean(status.text)
    finally:
        services.close()
