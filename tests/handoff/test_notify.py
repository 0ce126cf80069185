"""Staff alerts through the outbox: the Slack message (against the local Slack mock), the log transport, and the
dispatcher's retries, backoff (Retry-After), give-up, leases and background thread, on SQLite and on a real
redis-server."""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from handoff_testkit import NOW, PREFIX, RedisServerLike, open_store
from slack_mock import SlackMock
from slack_sdk import WebClient

from handoff.notify import LogTransport, SlackTransport, format_due, new_ticket_message, ticket_url
from handoff.dispatch import Dispatcher
from handoff.outbox import FAILED, PENDING, SENT, DeliveryFailed, OutboxMessage, Routing
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


SLACK = Routing(staff=("slack",))


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore.in_dir(tmp_path / "data", outbox_rules=SLACK)
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = str(tmp_path / "data") if request.param == "sqlite" else request.getfixturevalue("redis_server").url
    s = open_store(request.param, location, outbox_rules=SLACK)
    yield s
    s.close()


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_ticket(store: Store, n: int = 1, request_type: str = "disclosure") -> Ticket:
    return store.create_ticket(pii_draft(n, request_type), idempotency_key=f"key-{n}", now=NOW)


def slack_transport(slack_api: SlackMock) -> SlackTransport:
    return SlackTransport(WebClient(token=SlackMock.TOKEN, base_url=slack_api.url), CHANNEL, PUBLIC_URL)


def alert(store: Store, ticket: Ticket, channel: str = "slack") -> OutboxMessage:
    return store.get_outbox(f"{ticket.reference}:staff_alert:{channel}")


def send_alert(transport: SlackTransport | LogTransport, store: Store, ticket: Ticket) -> None:
    transport.deliver(alert(store, ticket), ticket)


def dispatcher_for(store: Any, transport: Any, **kwargs: Any) -> Dispatcher:
    kwargs.setdefault("max_attempts", 5)
    kwargs.setdefault("clock", Clock())
    return Dispatcher(store, {"slack": transport}, **kwargs)


# -- the message -----------------------------------------------------------------------------
def test_slack_post_carries_the_ticket_facts_and_no_personal_data(store: SQLiteStore, slack_api: SlackMock) -> None:
    ticket = open_ticket(store)
    send_alert(slack_transport(slack_api), store, ticket)

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
    send_alert(slack_transport(slack_api), store, open_ticket(store))
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
def test_slack_failures_become_delivery_failed(store: SQLiteStore, slack_api: SlackMock, fail: dict[str, Any],
                                                   reason: str) -> None:
    slack_api.fail("chat.postMessage", **fail)
    with pytest.raises(DeliveryFailed) as caught:
        send_alert(slack_transport(slack_api), store, open_ticket(store))
    assert caught.value.reason == reason
    if "ratelimited" in reason:
        assert caught.value.retry_after == 1


def test_wrong_token_and_unreachable_slack_fail_cleanly(store: SQLiteStore, slack_api: SlackMock) -> None:
    ticket = open_ticket(store)
    wrong = SlackTransport(WebClient(token="xoxb-wrong", base_url=slack_api.url), CHANNEL, PUBLIC_URL)
    with pytest.raises(DeliveryFailed, match="slack:invalid_auth"):
        send_alert(wrong, store, ticket)
    port = slack_api.port
    slack_api.stop()
    gone = SlackTransport(WebClient(token=SlackMock.TOKEN, base_url=f"http://127.0.0.1:{port}/api/"), CHANNEL,
                          PUBLIC_URL)
    with pytest.raises(DeliveryFailed, match="^network:"):
        send_alert(gone, store, ticket)


def test_slack_timeout_fails_cleanly(store: SQLiteStore, slack_api: SlackMock) -> None:
    slack_api.set_latency(2.0, "chat.postMessage")
    client = WebClient(token=SlackMock.TOKEN, base_url=slack_api.url, timeout=1)
    client.retry_handlers.clear()  # one attempt, so the test takes one timeout
    with pytest.raises(DeliveryFailed, match="network:timeout"):
        send_alert(SlackTransport(client, CHANNEL, PUBLIC_URL), store, open_ticket(store))


def test_log_transport_logs_no_personal_data(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    store.outbox_rules = Routing(staff=("log",))
    ticket = open_ticket(store)
    with caplog.at_level(logging.DEBUG):
        LogTransport(PUBLIC_URL).deliver(alert(store, ticket, "log"), ticket)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for expected in (ticket.reference, "Disclosure", "Article 7", format_due(ticket.due_at), PUBLIC_URL):
        assert expected in logged
    for secret in PII:
        assert secret not in logged, secret


# -- the dispatcher ----------------------------------------------------------------------------
def test_dispatch_marks_sent(any_store: Store, slack_api: SlackMock) -> None:
    a, b = open_ticket(any_store, 1), open_ticket(any_store, 2)
    dispatcher = dispatcher_for(any_store, slack_transport(slack_api))
    assert dispatcher.run_once() == 2
    assert [c.params["text"].split(":")[0] for c in slack_api.calls("chat.postMessage")] == [
        f"New request {a.reference}", f"New request {b.reference}"]
    assert all(alert(any_store, t).status == SENT for t in (a, b))
    assert any_store.outbox_counts() == {PENDING: 0, SENT: 2, FAILED: 0}
    assert dispatcher.run_once() == 0
    assert len(slack_api.calls("chat.postMessage")) == 2


@pytest.mark.parametrize(("fail", "error"), [({"error": "ratelimited"}, "slack:http_429:ratelimited"),
                                             ({"status": 500}, "slack:http_500")])
def test_failure_is_recorded_backed_off_and_retried(any_store: Store, slack_api: SlackMock, fail: dict[str, Any],
                                                    error: str) -> None:
    ticket = open_ticket(any_store)
    clock = Clock()
    dispatcher = dispatcher_for(any_store, slack_transport(slack_api), clock=clock, base_delay=5)
    slack_api.fail("chat.postMessage", **fail)
    assert dispatcher.run_once() == 0
    failed = alert(any_store, ticket)
    assert (failed.status, failed.attempts, failed.last_error) == (PENDING, 1, error)
    assert failed.next_attempt_at == NOW + 5

    slack_api.recover()
    clock.now += 4  # backoff (5 s after the first failure) not elapsed: nothing is sent
    assert dispatcher.run_once() == 0
    assert len(slack_api.calls("chat.postMessage")) == 1
    clock.now += 2
    assert dispatcher.run_once() == 1
    done = alert(any_store, ticket)
    assert (done.status, done.attempts, done.last_error, done.sent_at) == (SENT, 2, None, NOW + 6)


def test_retry_after_is_honoured(any_store: Store, slack_api: SlackMock) -> None:
    ticket = open_ticket(any_store)
    clock = Clock()
    dispatcher = dispatcher_for(any_store, slack_transport(slack_api), clock=clock, base_delay=1)
    slack_api.fail("chat.postMessage", error="ratelimited", retry_after=30)
    dispatcher.run_once()
    assert alert(any_store, ticket).next_attempt_at == NOW + 30, "Slack asked for 30 s; backoff alone said 1 s"
    slack_api.recover()
    clock.now = NOW + 29
    assert dispatcher.run_once() == 0
    clock.now = NOW + 30
    assert dispatcher.run_once() == 1


def test_backoff_grows_and_retrying_stops_at_max_attempts(any_store: Store, slack_api: SlackMock) -> None:
    ticket = open_ticket(any_store)
    clock = Clock()
    dispatcher = dispatcher_for(any_store, slack_transport(slack_api), max_attempts=3, clock=clock, base_delay=5,
                                max_delay=600)
    slack_api.fail("chat.postMessage", error="internal_error")
    dispatcher.run_once()
    assert alert(any_store, ticket).next_attempt_at == NOW + 5
    clock.now = NOW + 5
    dispatcher.run_once()
    assert alert(any_store, ticket).next_attempt_at == NOW + 5 + 10
    for _ in range(5):
        clock.now += 600
        dispatcher.run_once()
    assert len(slack_api.calls("chat.postMessage")) == 3
    stuck = alert(any_store, ticket)
    assert (stuck.status, stuck.attempts, stuck.last_error) == (FAILED, 3, "slack:internal_error")

    slack_api.recover()
    assert dispatcher.deliver_now(stuck.key).status == SENT, "a manual retry still works"
    assert len(slack_api.calls("chat.postMessage")) == 4


def test_a_message_slack_refuses_for_good_is_not_retried(store: SQLiteStore, slack_api: SlackMock) -> None:
    ticket = open_ticket(store)
    dispatcher = dispatcher_for(store, slack_transport(slack_api), max_attempts=5)
    slack_api.fail("chat.postMessage", error="invalid_blocks")
    dispatcher.run_once()
    assert (alert(store, ticket).status, alert(store, ticket).attempts) == (FAILED, 1)


def test_given_up_messages_do_not_starve_new_ones(store: SQLiteStore, slack_api: SlackMock) -> None:
    dispatcher = dispatcher_for(store, slack_transport(slack_api), max_attempts=1, batch=2)
    slack_api.fail("chat.postMessage", error="channel_not_found")
    for n in range(1, 4):
        open_ticket(store, n)
    dispatcher.run_once()
    dispatcher.run_once()
    assert len(slack_api.calls("chat.postMessage")) == 3
    slack_api.recover()
    fresh = open_ticket(store, 9)
    assert dispatcher.run_once() == 1
    assert alert(store, fresh).status == SENT


def test_two_dispatchers_on_one_store_post_once(any_store: Store, slack_api: SlackMock) -> None:
    open_ticket(any_store)
    first = dispatcher_for(any_store, slack_transport(slack_api))
    second = dispatcher_for(any_store, slack_transport(slack_api))
    slack_api.set_latency(0.3, "chat.postMessage")
    threads = [threading.Thread(target=d.run_once) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slack_api.calls("chat.postMessage")) == 1


class FlakyStore:
    """Delegates to a real store; the dispatcher's reads and writes fail while `down` is set."""

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

    def claim_outbox(self, **kwargs: Any) -> list[OutboxMessage]:
        self._check()
        return self.inner.claim_outbox(**kwargs)

    def record_delivery(self, key: str, **kwargs: Any) -> OutboxMessage:
        self._check()
        return self.inner.record_delivery(key, **kwargs)


def test_store_unavailable_in_a_round_does_not_raise(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    store.outbox_rules = Routing(staff=("log",))
    ticket = open_ticket(store)
    flaky = FlakyStore(store)
    dispatcher = Dispatcher(flaky, {"log": LogTransport(PUBLIC_URL)}, max_attempts=5, clock=Clock())
    assert dispatcher.run_once() == 0
    assert flaky.failures == 1
    assert "store unavailable" in caplog.text
    flaky.down = False
    assert dispatcher.run_once() == 1
    assert alert(store, ticket, "log").status == SENT


@pytest.mark.redis
def test_redis_going_away_during_dispatch_does_not_raise(redis_server: RedisServerLike, slack_api: SlackMock) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX, outbox_rules=SLACK)
    try:
        ticket = open_ticket(store)
        dispatcher = dispatcher_for(store, slack_transport(slack_api))
        redis_server.kill()
        assert dispatcher.run_once() == 0
        redis_server.start()
        assert dispatcher.run_once() == 1
        assert alert(store, ticket).status == SENT
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
    dispatcher = Dispatcher(store, {"slack": slack_transport(slack_api)}, max_attempts=5, poll_interval=60)
    dispatcher.start()
    try:
        assert dispatcher.running
        ticket = open_ticket(store)
        dispatcher.kick()  # without the kick the next round would be a minute away
        assert wait_until(lambda: alert(store, ticket).status == SENT)
        assert len(slack_api.calls("chat.postMessage")) == 1
    finally:
        started = time.monotonic()
        dispatcher.stop()
    assert not dispatcher.running
    assert time.monotonic() - started < 5, "stop() does not wait for the poll interval"
    dispatcher.stop()  # idempotent


def test_thread_survives_store_outages_and_transport_bugs(store: SQLiteStore) -> None:
    class Buggy:
        calls = 0

        def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
            Buggy.calls += 1
            if Buggy.calls == 1:
                raise KeyError("a bug in a transport")

    ticket = open_ticket(store)
    flaky = FlakyStore(store)
    dispatcher = Dispatcher(flaky, {"slack": Buggy()}, max_attempts=5, poll_interval=0.02, base_delay=0.01)
    dispatcher.start()
    try:
        assert wait_until(lambda: flaky.failures >= 3)
        assert dispatcher.running
        flaky.down = False
        assert wait_until(lambda: alert(store, ticket).status == SENT)
    finally:
        dispatcher.stop()
    assert alert(store, ticket).attempts == 2
