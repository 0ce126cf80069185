"""The daily digest of overdue and due-soon tickets: to the staff channel (Slack, local mock), staff email (a real
aiosmtpd server) or the log, through the outbox; once a day however often it is asked for; never personal data."""
from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

import pytest
from slack_mock import SlackMock
from smtp_server import SmtpServer

from bot.app import Services, build_services
from bot.config import Settings
from bot.digest import DigestScheduler, digest_now
from handoff.digest import enqueue_digest
from handoff.references import REFERENCE_TZ
from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Contact, Requester, TicketDraft

DAY = 86400.0
#: 2026-06-10 10:00 JST: after the default digest hour (9).
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=REFERENCE_TZ).timestamp()


def _draft(n: int, request_type: str = "disclosure") -> TicketDraft:
    return TicketDraft(request_type=request_type, requester=Requester("web", None, f"s-{n}"),
                       contact=Contact(name=f"Hanako Yamada {n}", email=f"hanako{n}@example.com"),
                       answers={"details": "my secret account 4411"})


def seed(store: SQLiteStore) -> dict[str, str]:
    late = store.create_ticket(_draft(1), idempotency_key="late", now=NOW - 16 * DAY).reference
    soon = store.create_ticket(_draft(2, "correction"), idempotency_key="soon", now=NOW - 12 * DAY).reference
    store.create_ticket(_draft(3), idempotency_key="later", now=NOW - 2 * DAY)  # due in 12 days: not in it
    done = store.create_ticket(_draft(4), idempotency_key="done", now=NOW - 20 * DAY).reference
    store.update_status(done, "resolved", actor="alice", now=NOW - 10 * DAY)
    return {"late": late, "soon": soon, "done": done}


def test_enqueued_once_a_day_after_the_hour(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    refs = seed(store)
    early = datetime(2026, 6, 10, 8, 59, tzinfo=REFERENCE_TZ).timestamp()
    assert enqueue_digest(store, now=early, due_soon_days=3, channels=["log"], hour=9) == []
    [message] = enqueue_digest(store, now=NOW, due_soon_days=3, channels=["log"], hour=9)
    assert message.key == "digest:2026-06-10:log" and message.kind == "digest"
    assert [i["reference"] for i in message.payload["overdue"]] == [refs["late"]]
    assert [i["reference"] for i in message.payload["due_soon"]] == [refs["soon"]]
    again = enqueue_digest(store, now=NOW + 3600, due_soon_days=3, channels=["log"], hour=9)
    assert [m.key for m in again] == [message.key]  # the same message: enqueueing is idempotent by day
    assert store.outbox_counts()["pending"] == 4 + 1  # four staff alerts and one digest
    tomorrow = enqueue_digest(store, now=NOW + DAY, due_soon_days=3, channels=["log"], hour=9)
    assert [m.key for m in tomorrow] == ["digest:2026-06-11:log"]
    store.close()


def test_nothing_due_sends_nothing(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    store.create_ticket(_draft(3), idempotency_key="later", now=NOW - 2 * DAY)
    assert enqueue_digest(store, now=NOW, due_soon_days=3, channels=["log"]) == []
    store.close()


def _services(tmp_path: Path, **env: str) -> Services:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), **env}))
    return services


def test_to_the_log_without_personal_data(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    services = _services(tmp_path)
    refs = seed(services.store.wrapped)  # type: ignore[attr-defined]
    caplog.set_level(logging.INFO)
    assert [m.channel for m in digest_now(services, now=NOW)] == ["log"]
    services.dispatcher.run_once()
    [record] = [r for r in caplog.records if "Privacy requests on 2026-06-10" in r.getMessage()]
    text = record.getMessage()
    assert "1 overdue, 1 due within 3 days" in text and refs["late"] in text and refs["soon"] in text
    assert refs["done"] not in text and "Hanako" not in text and "hanako" not in text and "4411" not in text
    assert services.store.outbox_counts()["failed"] == 0
    services.close()


def test_to_the_slack_staff_channel(tmp_path: Path, slack_api: SlackMock) -> None:
    services = _services(tmp_path, SLACK_BOT_TOKEN=SlackMock.TOKEN, SLACK_API_URL=slack_api.url,
                         SLACK_STAFF_CHANNEL="C0STAFF")
    refs = seed(services.store.wrapped)  # type: ignore[attr-defined]
    assert [m.channel for m in digest_now(services, now=NOW)] == ["slack"]
    services.dispatcher.run_once()
    posts = [c for c in slack_api.calls("chat.postMessage") if "Privacy requests on" in str(c.params.get("text"))]
    assert len(posts) == 1 and posts[0].params["channel"] == "C0STAFF"
    text = str(posts[0].params["text"])
    assert refs["late"] in text and refs["soon"] in text and "Hanako" not in text
    digest_now(services, now=NOW + 60)
    services.dispatcher.run_once()
    assert len([c for c in slack_api.calls("chat.postMessage") if "Privacy requests on" in str(c.params.get("text"))]) == 1
    services.close()


def test_to_staff_email(tmp_path: Path, smtp_server: SmtpServer) -> None:
    services = _services(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_SECURITY="none",
                         SMTP_FROM="Privacy Desk <privacy@example.com>",
                         PRIVACY_BOT_STAFF_EMAILS="desk@example.com,lead@example.com")
    refs = seed(services.store.wrapped)  # type: ignore[attr-defined]
    assert [m.channel for m in digest_now(services, now=NOW)] == ["email"]
    services.dispatcher.run_once()
    digests = [m for m in smtp_server.to("lead@example.com") if str(m["Subject"]).startswith("Privacy requests on")]
    assert len(digests) == 1
    body = digests[0].get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert refs["late"] in text and refs["soon"] in text and "Hanako" not in text
    assert len([m for m in smtp_server.to("desk@example.com") if "Privacy requests on" in str(m["Subject"])]) == 1
    services.close()


def test_the_server_thread_enqueues_it_and_off_turns_it_off(tmp_path: Path) -> None:
    services = _services(tmp_path)
    seed(services.store.wrapped)  # type: ignore[attr-defined]
    scheduler = DigestScheduler(services, every=0.05, clock=lambda: NOW)
    scheduler.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        due = services.store.claim_outbox(now=NOW + 10 * DAY, channels=["log"], limit=50, lease_seconds=0.001)
        if "digest:2026-06-10:log" in [m.key for m in due]:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the digest thread enqueued nothing")
    scheduler.stop()
    services.close()
    off = _services(tmp_path / "off", PRIVACY_BOT_DIGEST_HOUR="off")
    seed(off.store.wrapped)  # type: ignore[attr-defined]
    assert digest_now(off, now=NOW) == []
    off.close()


def test_cli_sends_todays_digest_once(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "cli"))
    from test_cli_staff import run

    store = SQLiteStore.in_dir(tmp_path / "data")
    now = time.time()
    late = store.create_ticket(_draft(1), idempotency_key="late", now=now - 16 * DAY).reference
    store.close()
    first = run(tmp_path, "tickets", "digest")
    assert first.returncode == 0, first.stderr
    assert "queued on log" in first.stdout and "Hanako" not in first.stdout + first.stderr
    assert late in first.stderr  # the log transport's line (references are not personal data)
    again = run(tmp_path, "tickets", "digest")
    assert again.returncode == 0 and "sent 0 message(s)" in again.stdout  # the same day's digest: not sent twice
