"""WAL checkpoints beside the requests instead of inside them.

SQLite's automatic checkpoint runs in whichever commit pushes the write-ahead log past 1,000 pages, and a checkpoint
syncs the log and the database file. Chat sessions are about four pages each, so under load one session write in a
few hundred waited 13-20 ms for those syncs (measured: 17 of 4,000 writes over 5 ms, none without it); with one chat
thread every request in flight waited with it. So the store's connections turn the automatic checkpoint off and this
thread runs a PASSIVE checkpoint once a second on a connection of its own: PASSIVE never waits for, nor blocks,
readers and writers, and the log is reused from its start once a checkpoint has caught up. Durability is unchanged:
what a commit syncs (synchronous NORMAL, FULL for tickets) does not depend on checkpoints.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

INTERVAL = 1.0


class Checkpointer:
    """One daemon thread per store; it ends on `stop()` or once the store it serves is garbage."""

    def __init__(self, owner: Any, path: Path, *, interval: float = INTERVAL) -> None:
        self._owner = weakref.ref(owner)
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if self._owner() is None:
                return
            self.checkpoint()

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, log frames, frames checkpointed), or None when the file was unusable."""
        try:
            conn = sqlite3.connect(self._path, timeout=1.0, isolation_level=None, check_same_thread=False)
            try:
                row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:  # the next tick tries again; commits do not depend on it
            log.debug("WAL checkpoint skipped: %s", exc)
            return None
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
