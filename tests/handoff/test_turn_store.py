"""`TurnStore.begin_turn` (issue 18, points 3 and 4): what every chat message reads (rate buckets, session, staff
replies waiting) in one store call, on a real SQLite file and a real redis-server. It must give exactly what
`take_tokens`, `load_session` and `pending_replies` give one by one; with Redis it is one round trip, counted by the
server itself; with SQLite one transaction, and none that writes when there are no buckets."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import redis
from handoff_testkit import BACKENDS, NOW, PREFIX, RedisServerLike, draft, store_of_each_backend

from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Bucket, Store, TurnStart, TurnStore
from handoff.tickets import Requester

WEB = Requester("web", None, "sess-1")
IP, SESSION = Bucket("chat-ip:aaa", 1.0, 2), Bucket("chat-session:bbb", 1.0, 5)


store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)


def test_begin_turn_reads_what_the_single_calls_read(store: Store) -> None:
    assert isinstance(store, TurnStore)
    empty = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)
    assert empty == TurnStart(empty.decisions, None, []) and empty.allowed
    assert [(d.allowed, d.remaining) for d in empty.decisions] == [(True, 1.0), (True, 4.0)]

    store.save_session("sess-1", {"lang": "ja", "transcript": [{"role": "user", "text": "日本語 ✓"}]}, 60)
    ref = store.create_ticket(draft(session_id="sess-1"), idempotency_key="k", now=NOW).reference
    store.add_reply(ref, actor="bob", text="Please send a copy of your ID.", now=NOW + 4)
    store.add_reply(ref, actor="bob", text="Thank you.", now=NOW + 5)
    other = store.create_ticket(draft(2, session_id="sess-2"), idempotency_key="k2", now=NOW).reference
    store.add_reply(other, actor="bob", text="Not for sess-1.", now=NOW + 6)

    start = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)
    assert start.state == store.load_session("sess-1") == {"lang": "ja",
                                                           "transcript": [{"role": "user", "text": "日本語 ✓"}]}
    assert start.pending == store.pending_replies(WEB) and [p.reply.text for p in start.pending] == [
        "Please send a copy of your ID.", "Thank you."]
    assert [d.remaining for d in start.decisions] == [0.0, 3.0]
    # Without buckets: the reads alone.
    assert store.begin_turn("sess-1", WEB, [], now=NOW) == TurnStart([], start.state, start.pending)


def test_a_refused_turn_takes_nothing_more_and_returns_no_state(store: Store) -> None:
    store.save_session("sess-1", {"lang": "en"}, 60)
    for _ in range(2):
        assert store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW).allowed
    refused = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)
    assert not refused.allowed and len(refused.decisions) == 1
    assert refused.decisions[0].retry_after == pytest.approx(1.0)
    assert (refused.state, refused.pending) == (None, [])
    # The session bucket after the refusing IP bucket was not touched: 5 - 2 taken, one more now.
    assert store.take_tokens([SESSION], now=NOW)[0].remaining == 2.0


def test_a_bad_bucket_changes_nothing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.begin_turn("sess-1", WEB, [IP, Bucket("bad key!", 1.0, 3)], now=NOW)
    assert store.take_tokens([IP], now=NOW)[0].remaining == 1.0


@pytest.mark.redis
def test_redis_begin_turn_is_one_round_trip_and_survives_a_script_flush(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    admin = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        store.save_session("sess-1", {"lang": "en"}, 60)
        store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)  # scripts loaded, connection open
        before = int(admin.info("stats")["total_reads_processed"])
        assert store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW + 10).state == {"lang": "en"}
        # The server read one batch from the store's connection (and one from ours: this INFO).
        assert int(admin.info("stats")["total_reads_processed"]) - before == 2
        admin.script_flush()  # as after a restart: the scripts are loaded again and only they are re-sent
        again = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW + 20)
        assert again.state == {"lang": "en"} and [d.remaining for d in again.decisions] == [1.0, 4.0]
    finally:
        admin.close()
        store.close()


def test_sqlite_begin_turn_without_buckets_needs_no_write_lock(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path / "data", busy_timeout_ms=200)
    store.save_session("sess-1", {"lang": "en"}, 60)
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        assert store.begin_turn("sess-1", WEB, [], now=NOW).state == {"lang": "en"}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_sqlite_an_allowed_message_costs_one_write_transaction(tmp_path: Path) -> None:
    """Issue 18.4: with SQLite `begin_turn` only reads; the allowed take is written by the message's session write
    (the same transaction) or, when there is none, by `end_turn`. A refused message is decided under the lock as
    `take_tokens` decides it."""
    store = SQLiteStore.in_dir(tmp_path / "data", busy_timeout_ms=200)
    store.save_session("sess-1", {"lang": "en"}, 60)
    raw = sqlite3.connect(store.path, isolation_level=None)

    def tokens(key: str) -> float | None:
        row = raw.execute("SELECT tokens FROM rate_buckets WHERE key = ?", (key,)).fetchone()
        return None if row is None else float(row[0])

    try:
        raw.execute("BEGIN IMMEDIATE")  # another process holds the write lock: the reads still go ahead
        start = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)
        assert start.allowed and start.state == {"lang": "en"}
        assert [d.remaining for d in start.decisions] == [1.0, 4.0]
        raw.execute("ROLLBACK")
        assert tokens(IP.key) is None  # nothing written yet
        store.save_session("sess-1", {"lang": "ja"}, 60)  # the session write carries the take
        assert (tokens(IP.key), tokens(SESSION.key)) == (1.0, 4.0)
        store.end_turn()  # nothing left to write
        assert (tokens(IP.key), tokens(SESSION.key)) == (1.0, 4.0)

        assert store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW).allowed
        store.end_turn()  # no session write this time (e.g. the answer failed): the take is written all the same
        assert (tokens(IP.key), tokens(SESSION.key)) == (0.0, 3.0)
        refused = store.begin_turn("sess-1", WEB, [IP, SESSION], now=NOW)
        assert not refused.allowed and len(refused.decisions) == 1 and refused.state is None
        store.end_turn()
        assert (tokens(IP.key), tokens(SESSION.key)) == (0.0, 3.0)  # a refusal takes nothing

        # A take left unwritten (no session write, no end_turn) is written by the thread's next begin_turn first.
        assert store.begin_turn("sess-1", WEB, [SESSION], now=NOW).allowed
        assert store.begin_turn("sess-1", WEB, [SESSION], now=NOW).decisions[-1].remaining == 1.0
        store.end_turn()
        assert tokens(SESSION.key) == 1.0
    finally:
        raw.close()
        store.close()
