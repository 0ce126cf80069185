"""Notification wiring: the composition root picks Slack or the log, and `privacy-bot tickets notify` sends what is
pending through the local Slack mock (SLACK_API_URL), as a real subprocess."""
from __future__ import annotations

import time
from pathlib import Path

from slack_mock import SlackMock
from test_cli_staff import run

from bot.app import build_services
from bot.config import Settings
from handoff.notify import Dispatcher, LogNotifier, SlackNotifier
from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Contact, Requester, TicketDraft


def slack_env(mock: SlackMock) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": mock.url,
            "PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com"}


def test_services_use_the_log_without_slack(tmp_path: Path) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")}))
    try:
        assert isinstance(services.notifier, LogNotifier)
        assert isinstance(services.dispatcher, Dispatcher) and not services.dispatcher.running
        assert services.dispatcher.max_attempts == services.settings.notify_max_attempts
    finally:
        services.close()


def test_services_post_to_slack_when_configured(tmp_path: Path, slack_api: SlackMock) -> None:
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS": "3",
           **slack_env(slack_api)}
    services = build_services(Settings.from_env(env))
    try:
        assert isinstance(services.notifier, SlackNotifier)
        assert services.dispatcher.max_attempts == 3
        draft = TicketDraft("inquiry", Requester("web", None, "s1"), Contact("Hanako Yamada", "h@example.jp"))
        ticket = services.store.create_ticket(draft, idempotency_key="k1", now=time.time())
        assert services.dispatcher.run_once() == 1
        [call] = slack_api.calls("chat.postMessage")
        assert call.params["channel"] == "C0STAFF" and ticket.reference in call.params["text"]
        assert f"https://privacy.example.com/staff/tickets/{ticket.reference}" in call.body.decode()
    finally:
        services.close()
    token_only = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": "xoxb-1"})
    services = build_services(token_only)
    try:
        assert isinstance(services.notifier, LogNotifier), "no staff channel: fall back to the log"
    finally:
        services.close()


def test_cli_notify_sends_pending_and_retries_one(tmp_path: Path, slack_api: SlackMock) -> None:
    store = SQLiteStore.in_dir(tmp_path / "data")
    try:
        drafts = [TicketDraft("disclosure", Requester("web", None, f"s{n}"), Contact(f"Name {n}", "x@example.jp"))
                  for n in (1, 2)]
        a, b = (store.create_ticket(d, idempotency_key=f"k{n}", now=time.time()) for n, d in enumerate(drafts))
        slack_api.fail("chat.postMessage", error="channel_not_found", times=1)
        first = run(tmp_path, "tickets", "notify", env=slack_env(slack_api))
        assert first.returncode == 0, first.stderr
        assert "sent 1 notification(s); 1 ticket(s) still unnotified" in first.stdout
        assert store.get_ticket(a.reference).notify_error == "slack:channel_not_found"
        assert store.get_ticket(b.reference).notified

        listed = run(tmp_path, "tickets", "list")
        assert "unnotified(1)" in listed.stdout, "a failed notification is visible in the queue"

        retried = run(tmp_path, "tickets", "notify", a.reference, env=slack_env(slack_api))
        assert retried.returncode == 0, retried.stderr
        assert store.get_ticket(a.reference).notified
        assert len(slack_api.calls("chat.postMessage")) == 3

        slack_api.fail("chat.postMessage", status=500)
        c = store.create_ticket(TicketDraft("inquiry", Requester("web", None, "s3"), Contact("N", None)),
                                idempotency_key="k3", now=time.time())
        failed = run(tmp_path, "tickets", "notify", c.reference, env=slack_env(slack_api))
        assert failed.returncode == 1 and "Traceback" not in failed.stderr
        assert failed.stderr.splitlines()[-1].startswith(f"privacy-bot tickets notify: {c.reference}: notification "
                                                         "failed (slack:http_500)")  # after the log's lines
        assert store.get_ticket(c.reference).notify_attempts == 1
    finally:
        store.close()
