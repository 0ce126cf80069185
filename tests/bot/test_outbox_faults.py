"""Faults while requests are filed: Slack answers 429 (with Retry-After) and 500, the SMTP server is down. Every
promised message — the Slack staff alert, the email staff alert, the requester's receipt, status and reply emails —
is still delivered exactly once after recovery, across a dispatcher restart, with SQLite and with Redis."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from slack_mock import SlackMock
from smtp_server import SmtpServer

from bot.app import Services, build_dispatcher, build_services
from bot.config import Settings
from bot.web.app import create_app

OPENER = "Please send me a copy of all the personal data you hold about me."
STAFF = "desk@example.com"
PREFIX = "fault-test"


class Clock:
    """Real time plus a jump forward per round, so backoffs elapse without waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def env(tmp_path: Path, slack: SlackMock, smtp: SmtpServer) -> dict[str, str]:
    return {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
            "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": slack.url, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none", "SMTP_FROM": "privacy@example.com",
            "PRIVACY_BOT_STAFF_EMAILS": STAFF, "PRIVACY_BOT_EMAIL_VERIFICATION": "0", "PRIVACY_BOT_RATE_IP": "0",
            "PRIVACY_BOT_RATE_SESSION": "0", "PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS": "50", "REDIS_KEY_PREFIX": PREFIX}


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {}
    server: Any = request.getfixturevalue("redis_server")
    return {"REDIS_URL": server.url}


@pytest.fixture()
def smtp_down() -> Iterator[SmtpServer]:
    server = SmtpServer()  # its port is reserved but nothing listens yet: the mail server is down
    yield server
    server.stop()


def file(client: TestClient, n: int) -> str:
    session = client.post("/api/chat", json={"text": OPENER}).json()["session_id"]
    data: dict[str, Any] = {}
    for answer in ["yes", f"Person {n}", f"person{n}@example.com", "self", "everything", "1", "confirm"]:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    assert data["ticket"], data
    reference: str = data["ticket"]["reference"]
    return reference


def rounds(services: Services, clock: Clock, count: int) -> None:
    for _ in range(count):
        services.dispatcher.run_once()
        clock.offset += 700  # past the longest backoff (600 s)


def test_everything_is_delivered_once_after_slack_and_smtp_recover(tmp_path: Path, slack_api: SlackMock,
                                                                    smtp_down: SmtpServer,
                                                                    backend: dict[str, str]) -> None:
    settings = Settings.from_env({**env(tmp_path, slack_api, smtp_down), **backend})
    services = build_services(settings)
    clock = Clock()
    services.dispatcher.clock = clock
    try:
        client = TestClient(create_app(services))
        slack_api.fail("chat.postMessage", error="ratelimited", retry_after=30)
        refs = [file(client, n) for n in range(4)]
        rounds(services, clock, 2)
        slack_api.recover()
        slack_api.fail("chat.postMessage", status=500, times=3)
        refs += [file(client, n) for n in range(4, 6)]
        now = time.time() - 30
        for ref in refs[:3]:  # staff work on some tickets while email is still down
            services.store.claim(ref, actor="alice", now=now)
            services.store.add_reply(ref, actor="alice", text=f"About {ref}: we are on it.", now=now + 1)
        services.store.update_status(refs[0], "resolved", actor="alice", now=now + 2)
        rounds(services, clock, 2)
        pending = services.store.outbox_counts()["pending"]
        assert pending > 0, "SMTP is still down: its messages wait"

        # The process restarts (a new dispatcher over the same store), then the mail server comes back.
        services.dispatcher = build_dispatcher(settings, services.store, services.transports)
        services.dispatcher.clock = clock
        smtp_down.start()
        rounds(services, clock, 6)
        counts = services.store.outbox_counts()
        assert counts["pending"] == 0 and counts["failed"] == 0

        posted = Counter(call.params["text"].split(":")[0].removeprefix("New request ")
                         for call in slack_api.calls("chat.postMessage")
                         if call.status == 200 and call.response and call.response.get("ok"))
        assert posted == Counter(refs), "one Slack staff alert per ticket, none lost, none twice"
        alerts = Counter(str(m["Subject"]).split(":")[0].removeprefix("New request ") for m in smtp_down.to(STAFF))
        assert alerts == Counter(refs)
        subjects = Counter(str(m["Subject"]) for m in smtp_down.messages)
        assert all(n == 1 for n in subjects.values()), "no email twice"
        for n, ref in enumerate(refs):
            mine = [str(m["Subject"]) for m in smtp_down.to(f"person{n}@example.com")]
            expected = 1 + (3 if n == 0 else 2 if n < 3 else 0)  # receipt; status + reply; outcome for the first
            assert len(mine) == expected, (ref, mine)
        assert len({m["Message-ID"] for m in smtp_down.messages}) == len(smtp_down.messages)
    finally:
        services.close()
