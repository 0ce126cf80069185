"""The rate-limit contract (`RateLimitStore.take_token` in `handoff.store`) on every backend: a real SQLite file
and a real redis-server. Times are passed as `now`, so refill is tested without waiting."""
from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from handoff_testkit import BACKENDS, NOW, PREFIX, RedisServerLike, open_store, store_of_each_backend

from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Bucket, RateDecision, RateLimitStore, Store, StoreUnavailable

KEY = "chat-session:0123456789abcdef"


store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)


def take(store: Store, now: float, key: str = KEY, *, rate: float = 1.0, burst: int = 3,
         cost: float = 1.0) -> RateDecision:
    return store.take_token(key, rate=rate, burst=burst, now=now, cost=cost)


def test_the_store_is_a_rate_limit_store(store: Store) -> None:
    assert isinstance(store, RateLimitStore)


def test_a_new_bucket_is_full_and_allows_exactly_burst(store: Store) -> None:
    decisions = [take(store, NOW) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2.0, 1.0, 0.0, 0.0]
    assert [d.retry_after for d in decisions[:3]] == [0.0, 0.0, 0.0]
    assert decisions[3].retry_after == pytest.approx(1.0)
    # Another key has its own bucket.
    assert take(store, NOW, "chat-session:another").remaining == 2.0


def test_tokens_refill_at_rate_and_never_beyond_burst(store: Store) -> None:
    for _ in range(3):
        take(store, NOW, rate=0.5)
    refused = take(store, NOW + 1, rate=0.5)  # half a token back: not enough
    assert not refused.allowed and refused.retry_after == pytest.approx(1.0)
    assert refused.remaining == pytest.approx(0.5)
    allowed = take(store, NOW + 2, rate=0.5)  # one token back
    assert allowed.allowed and allowed.remaining == pytest.approx(0.0)
    assert not take(store, NOW + 2, rate=0.5).allowed
    # A long pause fills the bucket only up to `burst`.
    after_pause = [take(store, NOW + 1000, rate=0.5) for _ in range(4)]
    assert [d.allowed for d in after_pause] == [True, True, True, False]


def test_a_refused_call_takes_nothing(store: Store) -> None:
    for _ in range(3):
        take(store, NOW)
    for _ in range(5):
        assert not take(store, NOW + 0.5).allowed  # hammering does not push the wait further out
    assert take(store, NOW + 1).allowed


def test_cost_and_fractional_rates(store: Store) -> None:
    assert take(store, NOW, burst=10, cost=4).remaining == 6.0
    assert take(store, NOW, burst=10, cost=4).remaining == 2.0
    refused = take(store, NOW, burst=10, cost=4)
    assert not refused.allowed and refused.retry_after == pytest.approx(2.0) and refused.remaining == 2.0
    slow = [take(store, NOW, "login-user:abc", rate=10 / 900, burst=10) for _ in range(11)]
    assert [d.allowed for d in slow].count(True) == 10
    assert slow[-1].retry_after == pytest.approx(90.0)


def test_a_clock_that_goes_back_adds_no_tokens(store: Store) -> None:
    for _ in range(3):
        take(store, NOW + 10)
    # Another worker's clock is five seconds behind: no time has passed for the bucket.
    assert not take(store, NOW + 5).allowed
    assert take(store, NOW + 11).allowed


def test_a_bucket_left_alone_until_full_is_the_same_as_a_new_one(store: Store) -> None:
    take(store, NOW, rate=2.0, burst=2)
    take(store, NOW, rate=2.0, burst=2)
    assert take(store, NOW + 1, rate=2.0, burst=2).remaining == 1.0  # full again, one taken


def test_bad_arguments_raise_value_error_and_change_nothing(store: Store) -> None:
    bad: list[dict[str, Any]] = [
        {"key": ""}, {"key": "x" * 201}, {"key": "chat-ip:1.2.3.4 "}, {"key": "login:alice@example.com"},
        {"key": "chat:日本"}, {"rate": 0}, {"rate": -1}, {"rate": float("nan")}, {"burst": 0}, {"cost": 0},
        {"cost": 4},
    ]
    for change in bad:
        args: dict[str, Any] = {"key": KEY, "rate": 1.0, "burst": 3, "now": NOW, **change}
        with pytest.raises(ValueError):
            store.take_token(**args)
    assert take(store, NOW).remaining == 2.0


def test_several_buckets_in_one_call_stop_at_the_first_refusal(store: Store) -> None:
    ip, session = Bucket("chat-ip:aaa", 1.0, 2), Bucket("chat-session:bbb", 1.0, 5)
    first = store.take_tokens([ip, session], now=NOW)
    assert [(d.allowed, d.remaining) for d in first] == [(True, 1.0), (True, 4.0)]
    assert [d.remaining for d in store.take_tokens([ip, session], now=NOW)] == [0.0, 3.0]
    refused = store.take_tokens([ip, session], now=NOW)  # the IP bucket is empty: the session one is not touched
    assert len(refused) == 1 and not refused[0].allowed and refused[0].retry_after == pytest.approx(1.0)
    assert take(store, NOW, "chat-session:bbb", burst=5).remaining == 2.0
    # Order matters: the session bucket first is taken from, then the IP bucket refuses.
    both = store.take_tokens([session, ip], now=NOW)
    assert [d.allowed for d in both] == [True, False] and both[0].remaining == 1.0
    assert store.take_tokens([], now=NOW) == []


def test_a_bad_bucket_anywhere_in_the_call_changes_nothing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.take_tokens([Bucket(KEY, 1.0, 3), Bucket("bad key!", 1.0, 3)], now=NOW)
    assert take(store, NOW).remaining == 2.0  # the first bucket was not taken from either


def _take_many(backend: str, location: str, attempts: int, barrier: Any, results: Any) -> None:
    """Worker process: take `attempts` tokens from one bucket at the same `now`, report how many were allowed."""
    allowed, error = 0, None
    try:
        store = open_store(backend, location)
        try:
            barrier.wait(timeout=60)
            for _ in range(attempts):
                allowed += store.take_token("chat-ip:shared", rate=0.001, burst=25, now=NOW).allowed
        finally:
            store.close()
    except BaseException as exc:  # reported to the parent, which fails the test with it
        error = repr(exc)
    results.put((allowed, error))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_processes_sharing_the_store_together_get_exactly_burst(backend: str, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        open_store("sqlite", str(tmp_path)).close()  # the schema exists before the workers start, as in the app
        location = str(tmp_path)
    else:
        location = request.getfixturevalue("redis_server").url
    processes, attempts = 6, 10
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_take_many, args=(backend, location, attempts, barrier, results))
             for _ in range(processes)]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
    assert [e for _, e in reports if e] == []
    assert sum(n for n, _ in reports) == 25  # 60 attempts, 25 tokens: none spent twice, none lost


# -- backend-specific ---------------------------------------------------------------------------------------

@pytest.mark.redis
def test_redis_buckets_are_prefixed_hashes_that_expire_when_full(redis_server: RedisServerLike) -> None:
    import redis

    store = RedisStore.from_url(redis_server.url, prefix="acme-privacy")
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        store.take_token("chat-ip:abc", rate=10.0, burst=2, now=time.time())  # full again in 0.1 s
        store.take_token("login-user:def", rate=1 / 900, burst=10, now=time.time())  # full again in 900 s
        assert raw.hgetall("{acme-privacy}:rate:chat-ip:abc").keys() == {"t", "ts"}
        assert 0 < raw.pttl("{acme-privacy}:rate:chat-ip:abc") <= 100
        assert 899_000 < raw.pttl("{acme-privacy}:rate:login-user:def") <= 900_000
        time.sleep(0.25)
        assert raw.exists("{acme-privacy}:rate:chat-ip:abc") == 0  # an idle bucket takes no space
        assert set(raw.keys("*")) == {"{acme-privacy}:rate:login-user:def"}
    finally:
        raw.close()
        store.close()


@pytest.mark.redis
def test_redis_outage_raises_store_unavailable_and_recovers(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX, socket_timeout=2, connect_timeout=1)
    try:
        assert take(store, NOW).allowed
        redis_server.stop()
        with pytest.raises(StoreUnavailable):
            take(store, NOW)
        redis_server.start()
        # Buckets are not durable (issue 18.4): their writes stay out of the append-only file, so a chat message's
        # read never waits for its fsync; after a restart the bucket is full again (3 tokens, one taken now).
        assert take(store, NOW).remaining == 2.0
        assert take(store, NOW).remaining == 1.0
    finally:
        store.close()


def test_sqlite_removes_full_buckets_and_raises_when_locked(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path, busy_timeout_ms=100)
    try:
        now = time.time()
        store.take_token("chat-ip:abc", rate=100.0, burst=2, now=now - 10)  # full again long ago
        store.take_token("chat-ip:def", rate=1 / 900, burst=10, now=now)
        rows = sqlite3.connect(store.path).execute("SELECT key FROM rate_buckets ORDER BY key").fetchall()
        assert rows == [("chat-ip:def",)]  # the take above cleared the expired bucket on its way
        store.take_token("chat-ip:ghi", rate=100.0, burst=2, now=now - 10)
        assert store.purge_expired() >= 1
        blocker = sqlite3.connect(store.path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreUnavailable):
                store.take_token("chat-ip:def", rate=1 / 900, burst=10, now=now)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.take_token("chat-ip:def", rate=1 / 900, burst=10, now=now).remaining == pytest.approx(8.0)
    finally:
        store.close()
