"""WAL checkpoints run on the store's own thread, not inside a request's commit (`handoff.sqlite.checkpoint`)."""
from __future__ import annotations

import gc
import time
from pathlib import Path

from handoff.sqlite.store import SQLiteStore

STATE = {"lang": "en", "transcript": [{"role": "user", "text": "do you use cookies? " * 20, "at": 1.0}] * 30}


def test_commits_never_checkpoint_and_the_thread_catches_up(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path, busy_timeout_ms=2000)
    try:
        assert store._conn().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for i in range(300):  # about 1,200 pages: past the 1,000 at which SQLite would checkpoint in a commit
            store.save_session(f"s{i}", STATE, 3600)
        checkpointer = store._checkpointer
        assert checkpointer is not None
        result = checkpointer.checkpoint()
        assert result is not None
        busy, frames, done = result
        assert busy == 0 and frames > 0 and done == frames  # the log is in the database file now
        assert store.load_session("s299") == STATE
    finally:
        store.close()
    assert store._checkpointer is None and not checkpointer._thread.is_alive()


def test_the_thread_ends_with_a_store_nobody_closed(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path, busy_timeout_ms=2000)
    store.save_session("s", STATE, 3600)
    assert store._checkpointer is not None
    thread = store._checkpointer._thread
    del store
    gc.collect()
    deadline = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not thread.is_alive()
