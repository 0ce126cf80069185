"""`outbox_counts` on Redis reads the per-status sets the writing scripts keep, never the message documents: one
round trip whatever the outbox's size; data written before the sets existed is backfilled on the first count."""
from __future__ import annotations

import pytest
import redis
from handoff_testkit import NOW, PREFIX, RedisServerLike

from handoff.outbox import FAILED, PENDING, SENT, new_message
from handoff.redis.layout import RedisKeys
from handoff.redis.store import RedisStore

pytestmark = pytest.mark.redis


def _fill(store: RedisStore, n: int) -> None:
    store.enqueue([new_message("log", "staff_alert", key=f"m{i}", now=NOW) for i in range(n)])
    for i in range(0, n, 3):
        store.record_delivery(f"m{i}", ok=True, now=NOW + 1)
    store.record_delivery("m1", ok=False, now=NOW + 1, error="boom", retry_at=None)


def _commands(raw: redis.Redis) -> dict[str, int]:
    """Commands the server ran since the last CONFIG RESETSTAT, by name (scripts' inner calls included)."""
    stats = raw.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}


@pytest.mark.parametrize("size", [30, 3000])
def test_counting_reads_no_documents_and_takes_one_round_trip(redis_server: RedisServerLike, size: int) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        assert store.outbox_counts() == {PENDING: 0, SENT: 0, FAILED: 0}  # a new store: nothing to backfill
        _fill(store, size)  # from here on the scripts keep the sets
        raw.config_resetstat()
        sent = len(range(0, size, 3))
        assert store.outbox_counts() == {PENDING: size - sent - 1, SENT: sent, FAILED: 1}
        calls = _commands(raw)
        calls.pop("config|resetstat", None), calls.pop("config", None)
        # One EVALSHA with three SCARDs and an EXISTS inside, the same for 30 messages or 3000.
        assert calls == {"evalsha": 1, "exists": 1, "scard": 3}
    finally:
        raw.close()
        store.close()


def test_data_from_before_the_status_sets_is_backfilled_once(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = RedisKeys(PREFIX)
    try:
        _fill(store, 10)
        raw.delete(keys.outbox_counted, *keys.outbox_states)  # as an older version left the data
        raw.sadd(keys.outbox_state(PENDING), "m0")  # a stale entry: m0 was sent; the backfill corrects it
        assert store.outbox_counts() == {PENDING: 5, SENT: 4, FAILED: 1}
        assert raw.get(keys.outbox_counted) == "1"
        store.record_delivery("m2", ok=True, now=NOW + 2)  # kept by the script from now on
        other = RedisStore.from_url(redis_server.url, prefix=PREFIX)  # another worker
        assert other.outbox_counts() == {PENDING: 4, SENT: 5, FAILED: 1}
        other.close()
    finally:
        raw.close()
        store.close()
