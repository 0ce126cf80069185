"""Outbox wiring: the composition root routes staff alerts to Slack or the log, and `privacy-bot tickets notify` sends
what is pending through the local Slack mock (SLACK_API_URL), as a real subprocess."""
from __future__ import annotations

import time
from pathlib import Path

from slack_mock import SlackMock
from test_cli_staff import run

from bot.app import build_routing, build_services, build_store
from bot.config import Settings
from handoff.notify import LogTransport, SlackTransport
from handoff.dispatch import Dispatcher
from handoff.outbox import FAILED, PENDING, SENT
from handoff.tickets import Contact, Requester, TicketDraft


def slack_env(mock: SlackMock) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_STAFF_CHANNEL": "C0STAFF", "SLACK_API_URL": mock.url,
            "PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com"}


def test_services_use_the_log_without_slack(tmp_path: Path) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")}))
    try:
        assert set(services.transports) == {"log"} and isinstance(services.transports["log"], LogTransport)
        assert build_routing(services.settings).staff == ("log",)
        assert isinstance(services.dispatcher, Dispatcher) and not services.dispatcher.running
        assert services.dispatcher.max_attempts == services.settings.notify_max_attempts
    finally:
        services.close()


def test_services_post_to_slack_when_configured(tmp_path: Path, slack_api: SlackMock) -> None:
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS": "3",
           **slack_env(slack_api)}
    services = build_services(Settings.from_env(env))
    try:
        assert isinstance(services.transports["slack"], SlackTransport)
        assert build_routing(services.settings).staff == ("slack",)
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
        assert build_routing(services.settings).staff == ("log",), "no staff channel: fall back to the log"
    finally:
        services.close()


def test_cli_notify_sends_pending_and_retries_one(tmp_path: Path, slack_api: SlackMock) -> None:
    store = build_store(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), **slack_env(slack_api)}))
    try:
        drafts = [TicketDraft("disclosure", Requester("web", None, f"s{n}"), Contact(f"Name {n}", "x@example.jp"))
                  for n in (1, 2)]
        a, b = (store.create_ticket(d, idempotency_key=f"k{n}", now=time.time()) for n, d in enumerate(drafts))
        slack_api.fail("chat.postMessage", error="channel_not_found", times=1)
        first = run(tmp_path, "tickets", "notify", env=slack_env(slack_api))
        assert first.returncode == 0, first.stderr
        assert "sent 1 message(s); 1 pending, 0 failed" in first.stdout
        failed_alert = store.get_outbox(f"{a.reference}:staff_alert:slack")
        assert (failed_alert.status, failed_alert.last_error) == (PENDING, "slack:channel_not_found")
        assert store.get_outbox(f"{b.reference}:staff_alert:slack").status == SENT

        listed = run(tmp_path, "tickets", "list", env=slack_env(slack_api))
        assert "unnotified" in listed.stdout, "a failed notification is visible in the queue"
        shown = run(tmp_path, "tickets", "show", a.reference, env=slack_env(slack_api))
        assert "staff_alert via slack: failed — retrying at" in shown.stdout and "slack:channel_not_found" in shown.stdout

        retried = run(tmp_path, "tickets", "notify", a.reference, env=slack_env(slack_api))
        assert retried.returncode == 0, retried.stderr
        assert store.get_outbox(f"{a.reference}:staff_alert:slack").status == SENT
        assert len(slack_api.calls("chat.postMessage")) == 3

        slack_api.fail("chat.postMessage", status=500)
        c = store.create_ticket(TicketDraft("inquiry", Requester("web", None, "s3"), Contact("N", None)),
                                idempotency_key="k3", now=time.time())
        failed = run(tmp_path, "tickets", "notify", c.reference, env=slack_env(slack_api))
        assert failed.returncode == 1 and "Traceback" not in failed.stderr
        assert f"{c.reference}: staff_alert via slack failed (slack:http_500)" in failed.stderr
        assert failed.stderr.splitlines()[-1].startswith(f"privacy-bot tickets notify: {c.reference}: 1 message(s) "
                                                         "not delivered")  # after the log's lines
        assert store.get_outbox(f"{c.reference}:staff_alert:slack").attempts == 1
        assert FAILED not in (m.status for m in store.outbox_for([c.reference])[c.reference])
    finally:
        store.close()


def test_cli_notify_leaves_a_message_the_server_is_sending(tmp_path: Path, slack_api: SlackMock) -> None:
    """The server's round has claimed the staff alert (it may be posting it this moment): a retry by hand would post
    it twice, so it is not attempted, and the command says why and until when."""
    store = build_store(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), **slack_env(slack_api)}))
    try:
        draft = TicketDraft("disclosure", Requester("web", None, "s1"), Contact("Name", "x@example.jp"))
        ticket = store.create_ticket(draft, idempotency_key="k1", now=time.time())
        key = f"{ticket.reference}:staff_alert:slack"
        assert [m.key for m in store.claim_outbox(now=time.time(), channels=["slack"], limit=5,
                                                  lease_seconds=120)] == [key]
        busy = run(tmp_path, "tickets", "notify", ticket.reference, env=slack_env(slack_api))
        assert busy.returncode == 1 and "Traceback" not in busy.stderr
        assert f"{ticket.reference}: staff_alert via slack is being delivered by another process (its lease ends " \
               in busy.stderr
        assert busy.stderr.splitlines()[-1].endswith(f"{ticket.reference}: 1 message(s) not delivered")
        assert slack_api.calls("chat.postMessage") == [] and store.get_outbox(key).status == PENDING
        store.record_delivery(key, ok=False, now=time.time(), error="slack:internal_error", retry_at=time.time() + 600)
        retried = run(tmp_path, "tickets", "notify", ticket.reference, env=slack_env(slack_api))
        assert retried.returncode == 0, retried.stderr
        assert len(slack_api.calls("chat.postMessage")) == 1 and store.get_outbox(key).status == SENT
    finally:
        store.close()
