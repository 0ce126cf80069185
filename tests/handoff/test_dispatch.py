"""The dispatcher's guarantees around its lease (handoff/dispatch.py): a delivery the channel confirmed is recorded
with retries until the message's lease ends (a Redis restart in between loses nothing and sends nothing twice), a
round does not start a message whose lease is nearly over, and `stop()` lets the round finish and record the message
in hand and leaves the rest of its batch. Waiting is on a virtual clock where the test is about minutes."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from handoff_testkit import NOW, PREFIX, RedisServerLike, draft

from handoff import dispatch
from handoff.dispatch import Dispatcher
from handoff.outbox import PENDING, SENT, OutboxMessage, Routing
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import OutboxNotFound, Store, StoreUnavailable
from handoff.tickets import Ticket

LOG = Routing(staff=("log",))


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore.in_dir(tmp_path / "data", outbox_rules=LOG)
    yield s
    s.close()


def open_tickets(store: Store, n: int) -> list[str]:
    """`n` tickets; the keys of their staff alerts (one message each, on the log channel)."""
    return [f"{store.create_ticket(draft(i), idempotency_key=f'key-{i}', now=NOW).reference}:staff_alert:log"
            for i in range(1, n + 1)]


class Recorder:
    """A transport that records what it delivered; `during(message)` runs inside each delivery."""

    def __init__(self, during: Any = None) -> None:
        self.delivered: list[str] = []
        self.during = during

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        if self.during is not None:
            self.during(message)
        self.delivered.append(message.key)


class FakeTime:
    """Stands in for the `time` module in handoff.dispatch: `sleep` moves `monotonic` on at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds

    def time(self) -> float:
        return NOW


class RecordFails:
    """Delegates to a real store; `record_delivery` raises StoreUnavailable while `until()` says so."""

    def __init__(self, inner: Store, until: Any) -> None:
        self.inner, self.until = inner, until
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def record_delivery(self, key: str, **kwargs: Any) -> OutboxMessage:
        if self.until():
            self.failures += 1
            raise StoreUnavailable("store is restarting (test)")
        return self.inner.record_delivery(key, **kwargs)


# -- recording a confirmed delivery ----------------------------------------------------------
def test_a_delivery_is_recorded_after_a_long_store_outage(store: SQLiteStore,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The store comes back 60 s after the channel took the message (the old retries stopped after about 7 s): the
    delivery is still recorded, once, and the message is never handed to the channel again."""
    clock = FakeTime()
    monkeypatch.setattr(dispatch, "time", clock)
    [key] = open_tickets(store, 1)
    back_at = clock.now + 60.0
    flaky = RecordFails(store, lambda: clock.now < back_at)
    transport = Recorder()
    dispatcher = Dispatcher(flaky, {"log": transport}, clock=lambda: NOW, lease_seconds=120.0)
    assert dispatcher.run_once() == 1
    assert flaky.failures > 12 and 60.0 <= clock.slept < 62.0
    message = store.get_outbox(key)
    assert (message.status, message.attempts) == (SENT, 1)
    assert dispatcher.run_once() == 0 and transport.delivered == [key]


def test_recording_gives_up_when_the_lease_ends(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """Past the lease another process may send the message again: the round stops trying, says so, and leaves the
    message pending (it is not marked failed: it went out)."""
    clock = FakeTime()
    monkeypatch.setattr(dispatch, "time", clock)
    [key] = open_tickets(store, 1)
    flaky = RecordFails(store, lambda: True)
    dispatcher = Dispatcher(flaky, {"log": Recorder()}, clock=lambda: NOW, lease_seconds=120.0)
    with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
        assert dispatcher.run_once() == 0
    assert clock.slept == pytest.approx(120.0)
    assert "was delivered but could not be recorded" in caplog.text
    assert store.get_outbox(key).status == PENDING and store.get_outbox(key).attempts == 0


def test_a_missing_message_is_not_retried(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeTime()
    monkeypatch.setattr(dispatch, "time", clock)
    dispatcher = Dispatcher(store, {"log": Recorder()}, clock=lambda: NOW)
    with pytest.raises(OutboxNotFound):
        dispatcher._record_sent("nope", until=clock.now + 120.0)
    assert clock.slept == 0.0  # OutboxNotFound is an answer, not an outage


def test_a_round_leaves_messages_whose_lease_is_nearly_over(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """Each delivery takes 40 s here: after three of them a quarter of the 120 s lease is all that is left, so the
    fourth is not started (its lease could end while the channel answers, and another process claim it); it is
    delivered by a later round, once."""
    clock = FakeTime()
    monkeypatch.setattr(dispatch, "time", clock)
    keys = open_tickets(store, 5)
    transport = Recorder(during=lambda message: clock.sleep(40.0))
    now = [NOW]
    dispatcher = Dispatcher(store, {"log": transport}, clock=lambda: now[0], lease_seconds=120.0)
    with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
        assert dispatcher.run_once() == 3
    assert "2 claimed message(s) left for a later round" in caplog.text
    assert [store.get_outbox(k).status for k in keys].count(SENT) == 3
    assert dispatcher.run_once() == 0  # still leased
    now[0] = NOW + 121.0
    assert dispatcher.run_once() == 2
    assert sorted(transport.delivered) == sorted(keys)


# -- stopping --------------------------------------------------------------------------------
def test_stop_finishes_and_records_the_message_in_hand_and_leaves_the_rest(store: SQLiteStore) -> None:
    keys = open_tickets(store, 3)
    inside, release = threading.Event(), threading.Event()

    def slow(message: OutboxMessage) -> None:
        inside.set()
        assert release.wait(10)

    transport = Recorder(during=slow)
    dispatcher = Dispatcher(store, {"log": transport}, poll_interval=60)
    dispatcher.start()
    assert inside.wait(10)
    stopper = threading.Thread(target=lambda: results.append(dispatcher.stop(timeout=10)))
    results: list[bool] = []
    stopper.start()
    time.sleep(0.2)
    assert stopper.is_alive(), "stop() waits for the delivery in hand"
    release.set()
    stopper.join(10)
    assert results == [True]
    [sent] = transport.delivered
    assert store.get_outbox(sent).status == SENT and store.get_outbox(sent).attempts == 1
    assert [store.get_outbox(k).status for k in keys if k != sent] == [PENDING, PENDING]
    assert [store.get_outbox(k).attempts for k in keys if k != sent] == [0, 0]


def test_stop_says_when_the_round_outlasts_it(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    open_tickets(store, 1)
    inside, release = threading.Event(), threading.Event()
    transport = Recorder(during=lambda message: (inside.set(), release.wait(10)))
    dispatcher = Dispatcher(store, {"log": transport}, poll_interval=60)
    dispatcher.start()
    thread = dispatcher._thread
    assert thread is not None
    try:
        assert inside.wait(10)
        with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
            assert dispatcher.stop(timeout=0.2) is False
        assert "outbox round still running" in caplog.text
    finally:
        release.set()
        thread.join(10)  # before the store is closed under it
    assert Dispatcher(store, {"log": transport}).stop() is True  # never started


def test_run_once_after_stop_delivers_everything(store: SQLiteStore) -> None:
    """The one-shot callers (CLI, a drain) are not cut short by an earlier stop()."""
    dispatcher = Dispatcher(store, {"log": Recorder()})
    dispatcher.start()
    dispatcher.stop()
    keys = open_tickets(store, 2)
    assert dispatcher.run_once() == 2
    assert {store.get_outbox(k).status for k in keys} == {SENT}


# -- against a real redis-server -------------------------------------------------------------
@pytest.mark.redis
def test_redis_restarting_while_a_delivery_is_recorded(redis_server: RedisServerLike) -> None:
    """redis-server is SIGKILLed the moment the channel has taken the message and comes back 1.5 s later (replaying
    its append-only file): the delivery is recorded, and nothing is sent twice."""
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX, outbox_rules=LOG)
    try:
        [key] = open_tickets(store, 1)

        def kill_redis(message: OutboxMessage) -> None:
            redis_server.kill()
            threading.Timer(1.5, redis_server.start).start()

        transport = Recorder(during=kill_redis)
        dispatcher = Dispatcher(store, {"log": transport})
        started = time.monotonic()
        assert dispatcher.run_once() == 1
        assert 1.5 <= time.monotonic() - started < 15
        message = store.get_outbox(key)
        assert (message.status, message.attempts) == (SENT, 1)
        assert dispatcher.run_once() == 0
        assert transport.delivered == [key]
    finally:
        store.close()
