"""A status change made in the web staff queue reaches Slack like a button click: the staff post is updated,
the change is logged in its thread, and a requester who came from Slack gets a DM."""
from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import Services, build_services
from bot.config import Settings
from bot.web.app import create_app
from handoff.accounts import UserAccount, hash_password
from handoff.tickets import Contact, Requester, TicketDraft
from slack_mock import SlackMock

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@pytest.fixture()
def services(tmp_path: Path, slack_api: SlackMock) -> Iterator[Services]:
    settings = Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
        "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_API_URL": slack_api.url, "SLACK_STAFF_CHANNEL": "C0STAFF",
        "SLACK_STAFF_USERS": "U0STAFF"})
    built = build_services(settings)
    built.store.add_user(UserAccount("alice", hash_password(PASSWORD, n=2**10), "staff", time.time()))
    yield built
    built.close()


def test_web_queue_changes_follow_to_slack(services: Services, slack_api: SlackMock) -> None:
    """What a web change causes in Slack is stored with it (the outbox) and delivered by the dispatcher."""
    client = TestClient(create_app(services))  # mounts the Slack front end, which listens for web changes
    requester = Requester("slack", "U0REQ", "slack:T0:D0REQ:U0REQ")
    ticket = services.store.create_ticket(
        TicketDraft(request_type="disclosure", requester=requester, contact=Contact("Hanako", "h@example.jp")),
        idempotency_key=uuid.uuid4().hex, now=time.time())
    services.dispatcher.run_once()
    [alert] = [c for c in slack_api.calls("chat.postMessage") if c.params.get("channel") == "C0STAFF"]
    ts = alert.response["ts"]

    token = CSRF.search(client.get("/staff/login").text)
    assert token is not None
    client.post("/staff/login", data={"csrf": token[1], "username": "alice", "password": PASSWORD})
    csrf = CSRF.search(client.get("/staff").text)
    assert csrf is not None
    response = client.post(f"/staff/tickets/{ticket.reference}/claim", data={"csrf": csrf[1]}, follow_redirects=False)
    assert response.status_code == 303
    services.dispatcher.run_once()

    [update] = slack_api.calls("chat.update")
    assert update.params["channel"] == "C0STAFF" and update.params["ts"] == ts
    thread = [c for c in slack_api.calls("chat.postMessage") if c.params.get("thread_ts") == ts]
    assert len(thread) == 1 and "alice (web queue)" in thread[0].params["text"]
    assert ticket.reference in thread[0].params["text"]
    dms = [c for c in slack_api.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
    assert len(dms) == 1 and "in progress" in str(dms[0].params.get("text", ""))
    # A note changes no status: the post follows (version changed), with no thread line and no DM.
    client.post(f"/staff/tickets/{ticket.reference}/note", data={"csrf": csrf[1], "note": "checked ID"})
    services.dispatcher.run_once()
    assert len(slack_api.calls("chat.update")) == 2
    dms_after = [c for c in slack_api.calls("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
    assert len(dms_after) == 1
    assert len([c for c in slack_api.calls("chat.postMessage") if c.params.get("thread_ts") == ts]) == 1
