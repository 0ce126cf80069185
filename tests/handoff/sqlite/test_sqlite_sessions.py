"""Session storage on the embedded SQLite store: created on first run, WAL, expiry, threads."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from handoff.sqlite.store import SQLiteStore
from handoff.store import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_store_file_created_on_first_run_in_wal_mode(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "nested"
    store = SQLiteStore.in_dir(data_dir)
    try:
        assert isinstance(store, SessionStore)
        assert (data_dir / "privacy-bot.sqlite3").exists()
        health = store.health()
        assert health.ok and health.backend == "sqlite"
        assert health.detail["journal_mode"] == "wal"
    finally:
        store.close()


def test_session_round_trip_and_replace(store: SQLiteStore) -> None:
    assert store.load_session("s1") is None
    store.save_session("s1", {"lang": "ja", "pending_choices": ["cookies"], "text": "日本語 ✓"}, 60)
    assert store.load_session("s1") == {"lang": "ja", "pending_choices": ["cookies"], "text": "日本語 ✓"}
    store.save_session("s1", {"lang": "en"}, 60)
    assert store.load_session("s1") == {"lang": "en"}
    store.delete_session("s1")
    store.delete_session("s1")  # deleting twice is fine
    assert store.load_session("s1") is None


def test_sessions_expire_and_are_purged(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteStore.in_dir(tmp_path, clock=clock)
    try:
        store.save_session("old", {"n": 1}, 60)
        store.save_session("new", {"n": 2}, 600)
        clock.now += 61
        assert store.load_session("old") is None
        assert store.load_session("new") == {"n": 2}
        assert store.purge_expired() == 1
        raw = sqlite3.connect(store.path).execute("SELECT id FROM sessions").fetchall()
        assert raw == [("new",)]
    finally:
        store.close()


def test_state_survives_reopening_the_file(tmp_path: Path) -> None:
    first = SQLiteStore.in_dir(tmp_path)
    first.save_session("s", {"k": "v"}, 600)
    first.close()
    second = SQLiteStore.in_dir(tmp_path)
    try:
        assert second.load_session("s") == {"k": "v"}
    finally:
        second.close()


def test_many_threads_write_and_read_concurrently(store: SQLiteStore) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(40):
                store.save_session(f"t{n}-{i}", {"n": n, "i": i}, 600)
                assert store.load_session(f"t{n}-{i}") == {"n": n, "i": i}
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(store.load_session(f"t{n}-39") == {"n": n, "i": 39} for n in range(8))


def test_a_thread_that_first_opened_the_file_while_it_was_read_only_writes_once_it_is_writable(tmp_path: Path) -> None:
    # SQLite opens a file it cannot write read-only, and that connection stays read-only: a thread whose first use of
    # the store fell in an outage (a read-only mount) must still write after it, as threads opened before it do.
    import shutil
    import subprocess

    import pytest

    from handoff.store import StoreUnavailable

    store = SQLiteStore(tmp_path / "bot.sqlite3")
    files = [str(p) for p in (store.path, tmp_path / "bot.sqlite3-wal") if p.exists()]
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *files], capture_output=True).returncode != 0:
        store.close()
        pytest.skip("chattr +i is not permitted here (tests/security/test_security_outages.py covers the web side)")
    outcomes: list[str] = []

    def thread_body() -> None:
        try:
            store.save_session("s", {"n": 1}, 60)
            outcomes.append("written")
        except StoreUnavailable:
            outcomes.append("unavailable")
        subprocess.run([chattr, "-i", *files], check=True)
        store.save_session("s", {"n": 2}, 60)  # the same thread, the file writable again
        outcomes.append("written")

    try:
        worker = threading.Thread(target=thread_body)
        worker.start()
        worker.join(10)
    finally:
        subprocess.run([chattr, "-i", *files], capture_output=True)
    try:
        assert outcomes == ["unavailable", "written"]
        assert store.load_session("s") == {"n": 2}
    finally:
        store.close()
