"""A session's transcript lines beside its state (`handoff.session_log`, issue 18), on a real SQLite file and a real
redis-server: written by the state's own write, read by number, kept exactly as the state kept them before (the last
30 lines plus an open form's), never shown to a later session of the same id, and gone with the session."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from handoff_testkit import BACKENDS, PREFIX, RedisServerLike, store_of_each_backend

from handoff import session_log
from handoff.redis.store import RedisStore
from handoff.session_log import LINES, LogWrite
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store


store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)


def turn(store: Store, sid: str, state: dict[str, Any], n: int) -> None:
    lines = ({"role": "user", "text": f"question {n} 日本語", "at": float(n)},
             {"role": "bot", "text": f"answer {n}\twith a tab", "intent": "cookies", "at": n + 0.5})
    store.save_session(sid, state, 600, session_log.append(state, lines))


def texts(lines: list[dict[str, Any]]) -> list[str]:
    return [line["text"] for line in lines]


def test_lines_are_written_with_the_state_and_read_back(store: Store) -> None:
    state: dict[str, Any] = {"lang": "en"}
    turn(store, "s1", state, 1)
    loaded = store.load_session("s1")
    assert loaded == {"lang": "en", session_log.COUNT_KEY: 2}
    assert session_log.recent(store, "s1", loaded) == [
        {"role": "user", "text": "question 1 日本語", "at": 1.0},
        {"role": "bot", "text": "answer 1\twith a tab", "intent": "cookies", "at": 1.5}]


def test_only_the_last_lines_are_kept(store: Store) -> None:
    state: dict[str, Any] = {}
    for n in range(LINES):  # twice as many lines as are kept
        turn(store, "s1", state, n)
    assert texts(store.load_log("s1", 1, 10_000)) == texts(session_log.recent(store, "s1", state))
    assert len(session_log.recent(store, "s1", state)) == LINES
    assert session_log.recent(store, "s1", state)[0]["text"] == f"question {LINES // 2} 日本語"


def test_an_open_forms_lines_are_kept_until_it_closes(store: Store) -> None:
    state: dict[str, Any] = {}
    for n in range(20):
        turn(store, "s1", state, n)
    session_log.open_form(state)  # this message asks for a request: its own line is the form's last
    turn(store, "s1", state, 20)
    form = session_log.form_lines(store, "s1", state)
    assert len(form) == LINES and form[-1]["text"] == "question 20 日本語"
    for n in range(21, 60):  # a long form: its lines fall out of the last 30, but the ticket still needs them
        turn(store, "s1", state, n)
    assert session_log.form_lines(store, "s1", state) == form
    kept = store.load_log("s1", 1, 10_000)
    assert len(kept) == 2 * LINES  # the form's 30 and the last 30, nothing between
    session_log.close_form(state)
    turn(store, "s1", state, 60)
    assert len(store.load_log("s1", 1, 10_000)) == LINES  # the form closed: its lines went with the next write


def test_a_later_session_of_the_same_id_never_sees_earlier_lines(store: Store) -> None:
    old: dict[str, Any] = {}
    for n in range(10):
        turn(store, "s1", old, n)
    store.delete_session("s1")
    assert store.load_log("s1", 1, 10_000) == []
    # Lines left behind by an earlier session (an expired state not yet purged) are replaced or dropped.
    for n in range(10):
        turn(store, "s1", old, n)
    new: dict[str, Any] = {}
    turn(store, "s1", new, 100)
    assert texts(session_log.recent(store, "s1", new)) == ["question 100 日本語", "answer 100\twith a tab"]
    assert len(store.load_log("s1", 1, 10_000)) == 2


def test_a_state_from_before_the_log_moves_its_lines_at_its_next_write(store: Store) -> None:
    legacy = [{"role": "user", "text": "old question", "at": 1.0}, {"role": "bot", "text": "old answer", "at": 2.0}]
    state: dict[str, Any] = {"lang": "en", "transcript": list(legacy),
                             "form_transcript": [{"role": "user", "text": "asked for it", "at": 3.0}]}
    store.save_session("s1", state, 600)
    loaded = store.load_session("s1")
    assert loaded is not None
    assert session_log.recent(store, "s1", loaded) == legacy  # read as it is
    assert session_log.last_user(loaded) == legacy[0]
    assert texts(session_log.form_lines(store, "s1", loaded)) == ["asked for it"]
    turn(store, "s1", loaded, 5)
    again = store.load_session("s1")
    assert again is not None and "transcript" not in again and again[session_log.COUNT_KEY] == 4
    assert texts(session_log.recent(store, "s1", again)) == ["old question", "old answer", "question 5 日本語",
                                                             "answer 5\twith a tab"]
    assert texts(session_log.form_lines(store, "s1", again)) == ["asked for it"]  # the open form keeps its copy


def test_gaps_are_what_keep_leaves_out() -> None:
    write = LogWrite(first=41, lines=({}, {}), keep=((10, 20), (13, 42)))
    assert write.last == 42
    assert LogWrite(1, ({},), ((1, 1),)).gaps() == [(None, 0), (2, None)]
    assert LogWrite(50, ({},), ((5, 34), (21, 50))).gaps() == [(None, 4), (51, None)]
    assert LogWrite(80, ({},), ((5, 34), (51, 80))).gaps() == [(None, 4), (35, 50), (81, None)]
    state: dict[str, Any] = {session_log.COUNT_KEY: 78, session_log.FORM_KEY: [5, 34]}
    assert session_log.append(state, ({}, {})).keep == ((5, 34), (51, 80))


def test_expired_sessions_take_their_lines_with_them(tmp_path: Path) -> None:
    now = [1000.0]
    store = SQLiteStore.in_dir(tmp_path, clock=lambda: now[0])
    try:
        state: dict[str, Any] = {}
        store.save_session("s1", state, 60, session_log.append(state, ({"role": "user", "text": "hi", "at": 1.0},)))
        now[0] += 61
        assert store.purge_expired() == 1
        assert store.load_log("s1", 1, 10) == []
    finally:
        store.close()


@pytest.mark.redis
def test_redis_lines_share_the_sessions_slot_and_ttl(redis_server: RedisServerLike) -> None:
    import redis
    from redis.crc import key_slot

    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        state: dict[str, Any] = {}
        turn(store, "s1", state, 1)
        session_key, log_key = store.keys.session("s1"), store.keys.session_log("s1")
        assert log_key == "{" + session_key + "}:log"
        assert key_slot(session_key.encode()) == key_slot(log_key.encode())  # one script may write both in a cluster
        assert 590 < raw.ttl(log_key) <= 600 and 590 < raw.ttl(session_key) <= 600
        store.delete_session("s1")
        assert raw.exists(session_key, log_key) == 0
    finally:
        raw.close()
        store.close()
