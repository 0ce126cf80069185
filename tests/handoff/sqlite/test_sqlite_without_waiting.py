"""`handoff.waiting` on a real SQLite file: inside `without_waiting()` the store refuses, with `WouldWait` and before
anything is written, the first write of an attempt that would wait (a lock held by another thread of the process or
by another connection, i.e. another process; a ticket's disk sync). Reads never wait, and once a write of the
attempt has committed, later ones wait as anywhere else (issue 18: chat answered on the event loop)."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from handoff_testkit import NOW, draft

from handoff import waiting
from handoff.sqlite.store import SQLiteStore
from handoff.store import Bucket
from handoff.tickets import Requester

WEB = Requester("web", None, "sess-1")
BUCKET = Bucket("chat-session:bbb", 1.0, 5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "bot.sqlite3", clock=lambda: NOW, busy_timeout_ms=3000)
    try:
        yield s
    finally:
        s.close()


def other_process_writing(store: SQLiteStore) -> sqlite3.Connection:
    """A connection of its own (as another process would have) holding SQLite's write lock."""
    conn = sqlite3.connect(store.path, isolation_level=None, timeout=3, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def tokens(store: SQLiteStore, key: str) -> float | None:
    rows = store._read("SELECT tokens FROM rate_buckets WHERE key = ?", (key,))
    return float(rows[0][0]) if rows else None


def test_a_free_store_writes_at_once_and_the_attempt_then_may_wait(store: SQLiteStore) -> None:
    with waiting.without_waiting() as attempt:
        assert attempt.strict
        store.save_session("s", {"lang": "en"}, 60)
        assert attempt.wrote and not attempt.strict and not attempt.abandoned
    assert store.load_session("s") == {"lang": "en"}


def test_another_process_writing_is_refused_before_anything_is_written(store: SQLiteStore) -> None:
    holder = other_process_writing(store)
    try:
        started = time.monotonic()
        with waiting.without_waiting() as attempt:
            assert store.load_session("s") is None  # reads do not wait for the writer (WAL)
            with pytest.raises(waiting.WouldWait) as refused:
                store.save_session("s", {"lang": "en"}, 60)
        assert refused.value.reason == "process" and attempt.abandoned
        assert time.monotonic() - started < 1.0  # refused at once, not after the 3 s busy timeout
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert store.load_session("s") is None
    # The connection is left as it was: outside an attempt a write waits for the lock as before.
    holder = other_process_writing(store)
    threading.Timer(0.2, lambda: (holder.execute("COMMIT"), holder.close())).start()
    store.save_session("s", {"lang": "ja"}, 60)
    assert store.load_session("s") == {"lang": "ja"}


def test_another_thread_writing_is_refused(store: SQLiteStore) -> None:
    inside, leave = threading.Event(), threading.Event()

    def long_write() -> None:
        with store._write() as db:
            db.execute("INSERT INTO once_markers (key, expires_at) VALUES ('x', ?)", (NOW + 60,))
            inside.set()
            leave.wait(5)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert inside.wait(5)
        with waiting.without_waiting(), pytest.raises(waiting.WouldWait) as refused:
            store.save_session("s", {"lang": "en"}, 60)
        assert refused.value.reason == "thread"
    finally:
        leave.set()
        writer.join()
    assert store.load_session("s") is None


def test_a_durable_write_is_refused_even_on_a_free_store(store: SQLiteStore) -> None:
    with waiting.without_waiting(), pytest.raises(waiting.WouldWait) as refused:
        store.create_ticket(draft(session_id="sess-1"), idempotency_key="k", now=NOW)
    assert refused.value.reason == "durable"
    assert store.list_tickets() == []
    # Outside an attempt the same ticket is filed once, with the first reference of the year.
    ticket = store.create_ticket(draft(session_id="sess-1"), idempotency_key="k", now=NOW)
    assert ticket.reference.endswith("0001")


def test_after_a_committed_write_a_later_one_waits_instead_of_being_refused(store: SQLiteStore) -> None:
    with waiting.without_waiting() as attempt:
        store.save_session("s", {"n": 1}, 60)
        holder = other_process_writing(store)
        threading.Timer(0.2, lambda: (holder.execute("COMMIT"), holder.close())).start()
        store.save_session("s", {"n": 2}, 60)  # would have been refused before the first write; waits now
        assert not attempt.abandoned
    assert store.load_session("s") == {"n": 2}


def test_an_abandoned_attempt_takes_nothing_from_the_rate_bucket(store: SQLiteStore) -> None:
    # The turn's take is owed by `begin_turn` and written with the session; when that write is refused the message
    # is answered again elsewhere, which takes again: the abandoned attempt's take must not be written as well.
    holder = other_process_writing(store)
    try:
        with waiting.without_waiting():
            start = store.begin_turn("sess-1", WEB, [BUCKET], now=NOW)
            assert start.allowed
            try:
                with pytest.raises(waiting.WouldWait):
                    store.save_session("sess-1", {"lang": "en"}, 60)
            finally:
                store.end_turn()  # what the front end's `finally` does
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert tokens(store, BUCKET.key) is None  # nothing taken: the bucket is still full (no row)
    # The message's run on a thread: one take.
    assert store.begin_turn("sess-1", WEB, [BUCKET], now=NOW).allowed
    store.save_session("sess-1", {"lang": "en"}, 60)
    assert tokens(store, BUCKET.key) == pytest.approx(4.0)


def test_a_take_owed_by_a_finished_message_is_dropped_rather_than_waited_for(store: SQLiteStore) -> None:
    # A message whose session was not written (the store could not) leaves its take to `end_turn`; on the event
    # loop that write is tried without waiting and, when it would wait, dropped, as limits fail open. The message
    # itself stands: the attempt is not abandoned.
    holder = other_process_writing(store)
    try:
        with waiting.without_waiting() as attempt:
            assert store.begin_turn("sess-1", WEB, [BUCKET], now=NOW).allowed
            store.end_turn()
            assert not attempt.abandoned
    finally:
        holder.execute("COMMIT")
        holder.close()
    store.end_turn()  # nothing owed any more
    assert tokens(store, BUCKET.key) is None


def test_a_deferred_session_write_is_made_later_on_another_thread_with_its_take(store: SQLiteStore) -> None:
    with waiting.without_waiting(deferring=True) as attempt:
        assert store.begin_turn("sess-1", WEB, [BUCKET], now=NOW).allowed
        store.save_session("sess-1", {"lang": "en"}, 60)
        store.end_turn()  # the take went with the deferred write: nothing owed here
        with pytest.raises(waiting.WouldWait) as refused:
            store.mark_once("m", 60)
        assert refused.value.reason == "after_session"  # no write may stand before the deferred one
    assert store.load_session("sess-1") is None and tokens(store, BUCKET.key) is None  # nothing made yet
    (write,) = attempt.deferred
    worker = threading.Thread(target=write)  # as the front end does when the lock is busy: on a chat thread
    worker.start()
    worker.join(5)
    assert store.load_session("sess-1") == {"lang": "en"}
    assert tokens(store, BUCKET.key) == pytest.approx(4.0)


def traced(conn: sqlite3.Connection, into: list[str]) -> None:
    conn.set_trace_callback(into.append)


def test_the_write_that_must_not_wait_begins_on_a_no_wait_connection_without_pragmas(store: SQLiteStore) -> None:
    # Issue 18: the thread's own connection keeps the configured busy timeout; the attempt's BEGIN IMMEDIATE goes to
    # a second connection of the thread whose timeout is 0, so no `PRAGMA busy_timeout` is switched per message.
    own, seen = store._conn(), []
    traced(own, seen)
    with waiting.without_waiting() as attempt:
        store.save_session("s", {"lang": "en"}, 60)
        assert attempt.wrote
    nowait = store._local.nowait
    assert nowait is not None and nowait is not own
    assert not any("busy_timeout" in statement for statement in seen)
    assert own.execute("PRAGMA busy_timeout").fetchone()[0] == 3000
    assert nowait.execute("PRAGMA busy_timeout").fetchone()[0] == 0
    assert store.load_session("s") == {"lang": "en"}  # committed, and read back on the thread's own connection
    # Refused at once on it too when another process writes; the connection is then free for the next attempt.
    refused_while_another_process_writes(store, {"lang": "ja"})
    assert not nowait.in_transaction
    with waiting.without_waiting():
        store.save_session("s", {"lang": "ja"}, 60)
    assert store.load_session("s") == {"lang": "ja"}


def refused_while_another_process_writes(store: SQLiteStore, session: dict[str, str]) -> None:
    """A session write that must not wait is refused at once, as "process", while another process holds the file's
    write lock."""
    holder = other_process_writing(store)
    try:
        with waiting.without_waiting(), pytest.raises(waiting.WouldWait) as refused:
            store.save_session("s", session, 60)
        assert refused.value.reason == "process"
    finally:
        holder.execute("COMMIT")
        holder.close()


def test_without_a_no_wait_connection_the_own_connection_switches_its_timeout(store: SQLiteStore,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A file not in WAL mode gets no no-wait connection (a COMMIT could wait for readers there): the thread's own
    # connection begins with busy timeout 0 and is set back to the configured one, as before.
    monkeypatch.setattr(store, "_nowait_conn", lambda: None)
    own, seen = store._conn(), []
    traced(own, seen)
    refused_while_another_process_writes(store, {"lang": "en"})
    with waiting.without_waiting():
        store.save_session("s", {"lang": "en"}, 60)
    assert [s for s in seen if "busy_timeout" in s] == ["PRAGMA busy_timeout=0", "PRAGMA busy_timeout=3000"] * 2
    assert own.execute("PRAGMA busy_timeout").fetchone()[0] == 3000
    assert store.load_session("s") == {"lang": "en"}


def test_a_store_closed_and_used_again_opens_its_no_wait_connection_again(store: SQLiteStore) -> None:
    with waiting.without_waiting():
        store.save_session("s", {"n": 1}, 60)
    first = store._local.nowait
    store._forget_connection()  # what a connection found read-only does
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")  # closed
    with waiting.without_waiting():
        store.save_session("s", {"n": 2}, 60)
    assert store._local.nowait is not first and store.load_session("s") == {"n": 2}
