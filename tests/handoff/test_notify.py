"""Staff notification: the Slack message (against the local Slack mock), the log notifier, and the dispatcher's
retries, backoff, give-up and background thread, on SQLite and on a real redis-server."""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from handoff_testkit import NOW, PREFIX, RedisServerLike
from slack_mock import SlackMock
from slack_sdk import WebClient

from handoff.notify import (
    Dispatcher, LogNotifier, NotificationFailed, SlackNotifier, format_due, new_ticket_message, ticket_url,
)
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store, StoreUnavailable
from handoff.tickets import Contact, Representative, Requester, Ticket, TicketDraft, TranscriptLine

PUBLIC_URL = "https://privacy.example.com"
CHANNEL = "C0STAFF"
#: Personal data a notification must never carry: every value below is searched for in the request.
PII = ("Hanako Yamada", "hanako.yamada@example.jp", "山田花子", "SECRET-ANSWER-42", "purchase history of 2025",
       "TRANSCRIPT-LINE-7", "Taro Guardian", "U0REQUESTER")


def pii_draft(n: int = 1, request_type: str = "disclosure") -> TicketDraft:
    return TicketDraft(
        request_type=request_type,
        requester=Requester("slack", "U0REQUESTER", f"session-{n}"),
        contact=Contact(name="Hanako Yamada 山田花子", email="hanako.yamada@example.jp"),
        answers={"details": "SECRET-ANSWER-42: purchase history of 2025", "delivery": "electronic"},
        transcript=(TranscriptLine("user", "TRANSCRIPT-LINE-7 send me my data", NOW - 60),),
        representative=Representative(on_behalf_of="Taro Guardian", relationship="parent"),
    )


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s: Store = SQLiteStore.in_dir(tmp_path / "data")
    else:
        server: RedisServerLike = request.getfixturevalue("redis_server")
        s = RedisStore.from_url(server.url, prefix=PREFIX)
    yield s
    s.close()


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_ticket(store: Store, n: int = 1, request_type: str = "disclosure") -> Ticket:
    return store.create_ticket(pii_draft(n, request_type), idempotency_key=f"key-{n}", now=NOW)


def slack_notifier(slack_api: SlackMock) -> SlackNotifier:
    return SlackNotifier(WebClient(token=SlackMock.TOKEN, base_url=slack_api.url), CHANNEL, PUBLIC_URL)


# -- the message -----------------------------------------------------------------------------
def test_slack_post_carries_the_ticket_facts_and_no_personal_data(store: SQLiteStore, slack_api: SlackMock) -> None:
    ticket = open_ticket(store)
    slack_notifier(slack_api).notify_new_ticket(ticket)

    [call] = slack_api.calls("chat.postMessage")
    assert call.params["channel"] == CHANNEL
    text = json.dumps(call.params, ensure_ascii=False) + call.body.decode("utf-8")
    link = f"{PUBLIC_URL}/staff/tickets/{ticket.reference}"
    for expected in (ticket.reference, "Disclosure", "disclosure", "Article 7", format_due(ticket.due_at), link):
        assert expected in text, expected
    assert format_due(ticket.due_at).endswith("JST")
    for secret in PII:
        assert secret not in text, secret
    buttons = [e for b in call.json_param("blocks") if b["type"] == "actions" for e in b["elements"]]
    assert [b["url"] for b in buttons] == [link]
    assert call.response is not None and call.response["ok"] is True


def test_slack_post_authenticates_with_the_bot_token(store: SQLiteStore, slack_api: SlackMock) -> None:
    slack_notifier(slack_api).notify_new_ticket(open_ticket(store))
    [call] = slack_api.calls("chat.postMessage")
    assert call.headers["authorization"] == f"Bearer {SlackMock.TOKEN}"
    assert call.token == SlackMock.TOKEN


def test_message_builder_is_pure_and_stable(store: SQLiteStore) -> None:
    ticket = open_ticket(store, request_type="third_party_stop")
    message = new_ticket_message(ticket, PUBLIC_URL + "/")
    assert message == new_ticket_message(ticket, PUBLIC_URL)
    assert [b.get("block_id") for b in message["blocks"]] == ["ticket_header", "ticket_fields", "ticket_privacy",
                                                               "ticket_actions"]
    assert "Article 9" in message["text"] and ticket.reference in message["text"]
    assert ticket_url(PUBLIC_URL, "PRQ-2026-000001") == f"{PUBLIC_URL}/staff/tickets/PRQ-2026-000001"
    for secret in PII:
        assert secret not in json.dumps(message, ensure_ascii=False)


@pytest.mark.parametrize(("fail", "reason"), [
    ({"error": "ratelimited"}, "slack:http_429:ratelimited"),
    ({"status": 500}, "slack:http_500"),
    ({"error": "channel_not_found"}, "slack:channel_not_found"),
])
def test_slack_failures_become_notification_failed(store: SQLiteStore, slack_api: SlackMock, fail: dict[str, Any],
                                                   reason: str) -> None:
    slack_api.fail("chat.postMessage", **fail)
    with pytest.raises(NotificationFailed) as caught:
        slack_notifier(slack_api).notify_new_ticket(open_ticket(store))
    assert caught.value.reason == reason
    if "ratelimited" in reason:
        assert caught.value.retry_after == 1


def test_wrong_token_and_unreachable_slack_fail_cleanly(store: SQLiteStore, slack_api: SlackMock) -> None:
    ticket = open_ticket(store)
    wrong = SlackNotifier(WebClient(token="xoxb-wrong", base_url=slack_api.url), CHANNEL, PUBLIC_URL)
    with pytest.raises(NotificationFailed, match="slack:invalid_auth"):
        wrong.notify_new_ticket(ticket)
    port = slack_api.port
    slack_api.stop()
    gone = SlackNotifier(WebClient(token=SlackMock.TOKEN, base_url=f"http://127.0.0.1:{port}/api/"), CHANNEL,
                         PUBLIC_URL)
    with pytest.raises(NotificationFailed, match="^network:"):
        gone.notify_new_ticket(ticket)


def test_slack_timeout_fails_cleanly(store: SQLiteStore, slack_api: SlackMock) -> None:
    slack_api.set_latency(2.0, "chat.postMessage")
    client = WebClient(token=SlackMock.TOKEN, base_url=slack_api.url, timeout=1)
    client.retry_handlers.clear()  # one attempt, so the test takes one timeout
    with pytest.raises(NotificationFailed, match="network:timeout"):
        SlackNotifier(client, CHANNEL, PUBLIC_URL).notify_new_ticket(open_ticket(store))


def test_log_notifier_logs_no_personal_data(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    ticket = open_ticket(store)
    with caplog.at_level(logging.DEBUG):
        LogNotifier(PUBLIC_URL).notify_new_ticket(ticket)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for expected in (ticket.reference, "Disclosure", "Article 7", format_due(ticket.due_at), PUBLIC_URL):
        assert expected in logged
    for secret in PII:
        assert secret not in logged, secret


# -- the dispatcher ----------------------------------------------------------------------------
def test_dispatch_marks_notified(any_store: Store, slack_api: SlackMock) -> None:
    a, b = open_ticket(any_store, 1), open_ticket(any_store, 2)
    dispatcher = Dispatcher(any_store, slack_notifier(slack_api), max_attempts=5, clock=Clock())
    assert dispatcher.run_once() == 2
    assert [c.params["text"].split(":")[0] for c in slack_api.calls("chat.postMessage")] == [
        f"New request {a.reference}", f"New request {b.reference}"]
    assert all(any_store.get_ticket(t.reference).notified for t in (a, b))
    assert any_store.unnotified_tickets() == []
    assert dispatcher.run_once() == 0
    assert len(slack_api.calls("chat.postMessage")) == 2


@pytest.mark.parametrize(("fail", "error"), [({"error": "ratelimited"}, "slack:http_429:ratelimited"),
                                             ({"status": 500}, "slack:http_500")])
def test_failure_is_recorded_backed_off_and_retried(any_store: Store, slack_api: SlackMock, fail: dict[str, Any],
                                                    error: str) -> None:
    ticket = open_ticket(any_store)
    clock = Clock()
    dispatcher = Dispatcher(any_store, slack_notifier(slack_api), max_attempts=5, clock=clock, base_delay=5)
    slack_api.fail("chat.postMessage", **fail)
    assert dispatcher.run_once() == 0
    failed = any_store.get_ticket(ticket.reference)
    assert (failed.notified, failed.notify_attempts, failed.notify_error) == (False, 1, error)
    assert [t.reference for t in any_store.unnotified_tickets()] == [ticket.reference]

    slack_api.recover()
    clock.now += 4  # backoff (5 s after the first failure) not elapsed: nothing is sent
    assert dispatcher.run_once() == 0
    assert len(slack_api.calls("chat.postMessage")) == 1
    clock.now += 2
    assert dispatcher.run_once() == 1
    done = any_store.get_ticket(ticket.reference)
    assert (done.notified, done.notify_attempts, done.notify_error) == (True, 2, None)
    assert [e.action for e in done.events][-2:] == ["notify_failed", "notified"]


def test_backoff_grows_and_retrying_stops_at_max_attempts(any_store: Store, slack_api: SlackMock) -> None:
    ticket = open_ticket(any_store)
    clock = Clock()
    dispatcher = Dispatcher(any_store, slack_notifier(slack_api), max_attempts=3, clock=clock, base_delay=5,
                            max_delay=600)
    slack_api.fail("chat.postMessage", error="internal_error")
    dispatcher.run_once()
    assert dispatcher.next_attempt_at(any_store.get_ticket(ticket.reference)) == NOW + 5
    clock.now = NOW + 5
    dispatcher.run_once()
    assert dispatcher.next_attempt_at(any_store.get_ticket(ticket.reference)) == NOW + 5 + 10
    for _ in range(5):
        clock.now += 600
        dispatcher.run_once()
    assert len(slack_api.calls("chat.postMessage")) == 3
    stuck = any_store.get_ticket(ticket.reference)
    assert (stuck.notified, stuck.notify_attempts, stuck.notify_error) == (False, 3, "slack:internal_error")
    assert dispatcher.next_attempt_at(stuck) is None
    assert [t.reference for t in any_store.unnotified_tickets()] == [ticket.reference], "visible in the queue"

    slack_api.recover()
    assert dispatcher.notify_now(ticket.reference).notified, "a manual retry still works"
    assert len(slack_api.calls("chat.postMessage")) == 4


def test_exhausted_tickets_do_not_starve_new_ones(store: SQLiteStore, slack_api: SlackMock) -> None:
    dispatcher = Dispatcher(store, slack_notifier(slack_api), max_attempts=1, clock=Clock(), batch=2)
    slack_api.fail("chat.postMessage", error="channel_not_found")
    for n in range(1, 4):
        open_ticket(store, n)
    dispatcher.run_once()
    dispatcher.run_once()
    assert len(slack_api.calls("chat.postMessage")) == 3
    slack_api.recover()
    fresh = open_ticket(store, 9)
    assert dispatcher.run_once() == 1
    assert store.get_ticket(fresh.reference).notified


def test_two_dispatchers_on_one_store_post_once(store: SQLiteStore, slack_api: SlackMock) -> None:
    open_ticket(store)
    first = Dispatcher(store, slack_notifier(slack_api), max_attempts=5, clock=Clock())
    second = Dispatcher(store, slack_notifier(slack_api), max_attempts=5, clock=Clock())
    slack_api.set_latency(0.3, "chat.postMessage")
    threads = [threading.Thread(target=d.run_once) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slack_api.calls("chat.postMessage")) == 1


class FlakyStore:
    """Delegates to a real store; `unnotified_tickets` and `record_notification` fail while `down` is set."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.down = True
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _check(self) -> None:
        if self.down:
            self.failures += 1
            raise StoreUnavailable("store is down (test)")

    def unnotified_tickets(self, *, limit: int = 50) -> list[Ticket]:
        self._check()
        return self.inner.unnotified_tickets(limit=limit)

    def record_notification(self, reference: str, **kwargs: Any) -> Ticket:
        self._check()
        return self.inner.record_notification(reference, **kwargs)


def test_store_unavailable_in_a_round_does_not_raise(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    ticket = open_ticket(store)
    flaky = FlakyStore(store)
    dispatcher = Dispatcher(flaky, LogNotifier(PUBLIC_URL), max_attempts=5, clock=Clock())
    assert dispatcher.run_once() == 0
    assert flaky.failures == 1
    assert "store unavailable" in caplog.text
    flaky.down = False
    assert dispatcher.run_once() == 1
    assert store.get_ticket(ticket.reference).notified


@pytest.mark.redis
def test_redis_going_away_during_dispatch_does_not_raise(redis_server: RedisServerLike, slack_api: SlackMock) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    try:
        ticket = open_ticket(store)
        dispatcher = Dispatcher(store, slack_notifier(slack_api), max_attempts=5, clock=Clock())
        redis_server.kill()
        assert dispatcher.run_once() == 0
        redis_server.start()
        assert dispatcher.run_once() == 1
        assert store.get_ticket(ticket.reference).notified
    finally:
        store.close()


def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def test_thread_start_kick_stop(store: SQLiteStore, slack_api: SlackMock) -> None:
    dispatcher = Dispatcher(store, slack_notifier(slack_api), max_attempts=5, poll_interval=60)
    dispatcher.start()
    try:
        assert dispatcher.running
        ticket = open_ticket(store)
        dispatcher.kick()  # without the kick the next round would be a minute away
        assert wait_until(lambda: store.get_ticket(ticket.reference).notified)
        assert len(slack_api.calls("chat.postMessage")) == 1
    finally:
        started = time.monotonic()
        dispatcher.stop()
    assert not dispatcher.running
    assert time.monotonic() - started < 5, "stop() does not wait for the poll interval"
    dispatcher.stop()  # idempotent


def test_thread_survives_store_outages_and_notifier_bugs(store: SQLiteStore) -> None:
    class Buggy:
        calls = 0

        def notify_new_ticket(self, ticket: Ticket) -> None:
            Buggy.calls += 1
            if Buggy.calls == 1:
                raise KeyError("a bug in a notifier")

    ticket = open_ticket(store)
    flaky = FlakyStore(store)
    dispatcher = Dispatcher(flaky, Buggy(), max_attempts=5, poll_interval=0.02,
                            base_delay=0.01)
    dispatcher.start()
    try:
        assert wait_until(lambda: flaky.failures >= 3)
        assert dispatcher.running
        flaky.down = False
        assert wait_until(lambda: store.get_ticket(ticket.reference).notified)
    finally:
        dispatcher.stop()
    recorded = store.get_ticket(ticket.reference)
    assert recorded.notify_attempts == 2
    assert "error:KeyError" in [e.detail.split(": ", 1)[-1] for e in recorded.events if e.action == "notify_failed"]
