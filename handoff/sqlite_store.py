"""The embedded default store: one SQLite file in the data directory, WAL mode, safe for several threads.

Each thread gets its own connection (sqlite3 connections must not be shared across threads without
serialising every call); WAL lets readers proceed while one writer commits.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from handoff.store import StoreHealth, StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
"""

DB_FILENAME = "privacy-bot.sqlite3"


class SQLiteStore:
    """SQLite implementation of the store interface (see `handoff.store`)."""

    backend = "sqlite"

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            # executescript manages its own transaction, so it runs outside _Transaction.
            self._conn().executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot initialise SQLite store at {self.path}: {exc}") from exc

    @classmethod
    def in_dir(cls, data_dir: Path, **kwargs: Any) -> "SQLiteStore":
        return cls(Path(data_dir) / DB_FILENAME, **kwargs)

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self._busy_timeout_ms / 1000, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open SQLite store: {exc}") from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _write(self) -> "_Transaction":
        return _Transaction(self._conn())

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite read failed: {exc}") from exc

    # -- sessions ----------------------------------------------------------------------------
    def load_session(self, session_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT state FROM sessions WHERE id = ? AND expires_at > ?", (session_id, self._clock()))
        if not rows:
            return None
        state: dict[str, Any] = json.loads(rows[0][0])
        return state

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int) -> None:
        payload = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        with self._write() as db:
            db.execute(
                "INSERT INTO sessions (id, state, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
                (session_id, payload, self._clock() + ttl_seconds),
            )

    def delete_session(self, session_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def purge_expired(self) -> int:
        with self._write() as db:
            cur = db.execute("DELETE FROM sessions WHERE expires_at <= ?", (self._clock(),))
            return int(cur.rowcount)

    # -- operations --------------------------------------------------------------------------
    def health(self) -> StoreHealth:
        try:
            with self._write() as db:
                db.execute("CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at REAL)")
                db.execute("INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)", (self._clock(),))
            mode = self._conn().execute("PRAGMA journal_mode").fetchone()[0]
            return StoreHealth(ok=True, backend=self.backend, detail={"journal_mode": mode})
        except StoreUnavailable as exc:
            return StoreHealth(ok=False, backend=self.backend, detail={"error": str(exc)})

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


class _Transaction:
    """`with` block running BEGIN IMMEDIATE … COMMIT, mapping SQLite errors to StoreUnavailable.

    BEGIN IMMEDIATE takes the write lock up front so concurrent writers wait (busy_timeout) instead of
    failing half-way with SQLITE_BUSY on lock upgrade.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite store is not writable: {exc}") from exc
        return self.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return False
            except sqlite3.Error as commit_exc:
                self.conn.execute("ROLLBACK")
                raise StoreUnavailable(f"SQLite commit failed: {commit_exc}") from commit_exc
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if isinstance(exc, sqlite3.Error):
            raise StoreUnavailable(f"SQLite write failed: {exc}") from exc
        return False
