"""The embedded default store: one SQLite file in the data directory, WAL mode, safe for several threads and
several processes sharing the file.

Each thread gets its own connection (sqlite3 connections must not be shared across threads without
serialising every call); WAL lets readers proceed while one writer commits, and every write runs in
BEGIN IMMEDIATE, so SQLite's file lock serialises writers across processes too.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

from handoff import lifecycle, state_json, waiting
from handoff.session_log import LogWrite
from handoff.sqlite import outbox as ob
from handoff.sqlite.checkpoint import Checkpointer
from handoff.sqlite import tickets as sql
from handoff.accounts import UserAccount
from handoff.sqlite.analytics import ANALYTICS_SCHEMA, SQLiteAnalytics, migrate_tallies
from handoff.sqlite.content import CONTENT_SCHEMA, SQLiteContent
from handoff.outbox import OutboxMessage, OutboxRules, Routing, after_attempt, attempt_started
from handoff.query import TicketQuery
from handoff.references import format_reference, reference_year
from handoff.store import (
    Bucket, OutboxNotFound, RateDecision, StoreHealth, StoreUnavailable, TicketNotFound, TurnStart, UserExists,
    UserNotFound, check_rate_args, refill,
)
from handoff.ticket_ops import TicketOperations, checked_change, collect_pending, ensure_same_request
from handoff.tickets import PendingReply, Requester, Ticket, TicketDraft

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS session_log (
    session_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rate_buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_buckets_expiry ON rate_buckets (expires_at);
""" + sql.TICKET_SCHEMA + ob.OUTBOX_SCHEMA + CONTENT_SCHEMA + ANALYTICS_SCHEMA

DB_FILENAME = "privacy-bot.sqlite3"
#: A bucket that refills so slowly is forgotten after a year anyway (Redis keeps the same cap).
_MAX_BUCKET_LIFE = 366 * 86400.0
#: The longest the event loop waits for this process's write lock (`handoff.waiting`); longer, the write is refused.
LOOP_LOCK_WAIT = 0.02


class SQLiteStore(SQLiteContent, SQLiteAnalytics, TicketOperations):
    """SQLite implementation of the store interface (see `handoff.store`)."""

    backend = "sqlite"

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, busy_timeout_ms: int = 5000,
                 sla_days: int = 14, outbox_rules: OutboxRules | None = None) -> None:
        if sla_days < 1:
            raise ValueError(f"sla_days must be at least 1, got {sla_days}")
        self.outbox_rules = outbox_rules or Routing()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sla_days = sla_days
        self._clock = clock
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Write transactions of this process queue here instead of in SQLite's busy handler, which sleeps
        # 1, 2, 5, 10 … ms between retries: under 32 concurrent chat requests that sleeping set the p99
        # (benchmarks/RESULTS.md, "Profiles and fixes"). Other processes still wait on SQLite's file lock.
        self._write_lock = threading.RLock()
        self._checkpointer: Checkpointer | None = None  # started by the first write (`_write`)
        self._owed = threading.local()  # `take`: (buckets, now) an allowed `begin_turn` has yet to write
        try:
            # executescript manages its own transaction, so it runs outside _Transaction.
            self._conn().executescript(SCHEMA)
            sql.migrate(self._conn())
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot initialise SQLite store at {self.path}: {exc}") from exc
        with self._write() as db:
            migrate_tallies(db, sql.decode)

    @classmethod
    def in_dir(cls, data_dir: Path, **kwargs: Any) -> "SQLiteStore":
        return cls(Path(data_dir) / DB_FILENAME, **kwargs)

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open(self._busy_timeout_ms)
            self._local.conn = conn
        return conn

    def _open(self, busy_timeout_ms: int) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run beside requests (`Checkpointer`)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite store: {exc}") from exc
        with self._lock:
            self._connections.append(conn)
        return conn

    def _nowait_conn(self) -> sqlite3.Connection | None:
        """This thread's second connection, whose busy timeout is 0, for the write that must not wait
        (`handoff.waiting`): its BEGIN IMMEDIATE is refused at once when another process holds the file's write lock,
        without the two `PRAGMA busy_timeout` statements around it that the thread's own connection needs (issue 18:
        a tenth of a chat message's SQLite statements). Only when the file is in WAL mode, where nothing after BEGIN
        IMMEDIATE waits for a lock; otherwise None, and the thread's connection switches its timeout as before."""
        conn: sqlite3.Connection | None | bool = getattr(self._local, "nowait", None)
        if conn is None:
            conn = self._open(0)
            try:
                wal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
            except sqlite3.Error:
                wal = False
            if not wal:
                self._close(conn)
                conn = False
            self._local.nowait = conn
        return conn or None

    def _close(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        try:
            conn.close()
        except sqlite3.Error:
            pass

    def _write(self, *, durable: bool = False) -> "_Transaction":
        if self._checkpointer is None:
            with self._lock:
                if self._checkpointer is None:
                    self._checkpointer = Checkpointer(self, self.path)
        return _Transaction(self._conn(), self._write_lock, self._busy_timeout_ms / 1000, durable=durable,
                            on_read_only=self._forget_connection, nowait=self._nowait_conn)

    def _forget_connection(self) -> None:
        """Close this thread's connection; its next use opens a new one. For a connection SQLite opened read-only
        (the file was not writable when this thread first used it: a read-only mount, a full disk remounted): it
        stays read-only for good, so without this the thread could never write again once the file is writable."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        nowait = getattr(self._local, "nowait", None)
        self._local.conn = self._local.nowait = None
        for opened in (conn, nowait):
            if opened:
                self._close(opened)

    def _read(self, sql_text: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn().execute(sql_text, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite read failed: {exc}") from exc

    # -- sessions and markers ----------------------------------------------------------------
    def load_session(self, session_id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT state FROM sessions WHERE id = ? AND expires_at > ?", (session_id, self._clock()))
        if not rows:
            return None
        return state_json.loads(rows[0][0])

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int,
                     log: LogWrite | None = None) -> None:
        payload = state_json.dumps(state)
        lines = [(session_id, log.first + i, state_json.dumps(line)) for i, line in enumerate(log.lines)] if log else []
        owed = getattr(self._owed, "take", None)
        self._owed.take = None
        attempt = waiting.current()
        if attempt is not None and attempt.strict and attempt.deferring:
            # Handed back (`handoff.waiting`): the front end makes it after the message, on the event loop if the
            # lock is free and else on a chat thread; its take goes with it (owed by this thread, written by that one).
            attempt.deferred.append(lambda: self._save(session_id, payload, lines, ttl_seconds, log, owed))
            return
        self._save(session_id, payload, lines, ttl_seconds, log, owed)

    def _save(self, session_id: str, payload: str, lines: list[tuple[str, int, str]], ttl_seconds: int,
              log: LogWrite | None, owed: tuple[tuple[Bucket, ...], float] | None) -> None:
        with self._write() as db:
            self._charge(db, owed)  # the take `begin_turn` allowed the message, in the same transaction
            db.execute(
                "INSERT INTO sessions (id, state, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
                (session_id, payload, self._clock() + ttl_seconds),
            )
            if log is not None:
                # Lines expire with their session (`purge_expired`); what falls outside `keep` goes now.
                clauses, params = _gap_clauses(log)
                db.execute(f"DELETE FROM session_log WHERE session_id = ? AND ({clauses})", (session_id, *params))
                if lines:
                    db.executemany("INSERT OR REPLACE INTO session_log (session_id, n, line) VALUES (?, ?, ?)", lines)

    def load_log(self, session_id: str, first: int, last: int) -> list[dict[str, Any]]:
        rows = self._read("SELECT line FROM session_log WHERE session_id = ? AND n BETWEEN ? AND ? ORDER BY n",
                          (session_id, first, last))
        return [state_json.loads(row[0]) for row in rows]

    def delete_session(self, session_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            db.execute("DELETE FROM session_log WHERE session_id = ?", (session_id,))

    def purge_expired(self) -> int:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM session_log WHERE session_id IN (SELECT id FROM sessions WHERE expires_at <= ?)",
                       (now,))
            sessions = db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount
            markers = db.execute("DELETE FROM once_markers WHERE expires_at <= ?", (now,)).rowcount
            buckets = db.execute("DELETE FROM rate_buckets WHERE expires_at <= ?", (now,)).rowcount
            return int(sessions) + int(markers) + int(buckets)

    def mark_once(self, key: str, ttl_seconds: int) -> bool:
        now = self._clock()
        with self._write() as db:
            db.execute("DELETE FROM once_markers WHERE key = ? AND expires_at <= ?", (key, now))
            cur = db.execute("INSERT OR IGNORE INTO once_markers (key, expires_at) VALUES (?, ?)",
                             (key, now + ttl_seconds))
            return cur.rowcount == 1

    def take_token(self, key: str, *, rate: float, burst: int, now: float, cost: float = 1.0) -> RateDecision:
        return self.take_tokens([Bucket(key, rate, burst, cost)], now=now)[0]

    def take_tokens(self, buckets: Sequence[Bucket], *, now: float) -> list[RateDecision]:
        for b in buckets:
            check_rate_args(b.key, b.rate, b.burst, b.cost)
        decisions: list[RateDecision] = []
        if not buckets:
            return decisions
        # One IMMEDIATE transaction: read, refill, take and write back under SQLite's write lock, so workers in
        # other processes wait for it and see its result.
        with self._write() as db:
            return self._take(db, buckets, now)

    @staticmethod
    def _take(db: sqlite3.Connection, buckets: Sequence[Bucket], now: float) -> list[RateDecision]:
        """`take_tokens` inside a write transaction. Buckets that are full again (expired) are removed on the way;
        a missing bucket is a full one."""
        decisions: list[RateDecision] = []
        db.execute("DELETE FROM rate_buckets WHERE expires_at <= ?", (now,))
        for b in buckets:
            tokens, updated = _bucket_now(db, b, now)
            allowed = tokens >= b.cost
            if allowed:
                tokens -= b.cost
            _write_bucket(db, b, tokens, updated)
            retry = 0.0 if allowed else (b.cost - tokens) / b.rate
            decisions.append(RateDecision(allowed=allowed, retry_after=retry, remaining=tokens))
            if not allowed:
                break
        return decisions

    def begin_turn(self, session_id: str, requester: Requester, buckets: Sequence[Bucket], *,
                   now: float) -> TurnStart:
        # Reads only (issue 18.4): the buckets are read and decided here, and an allowed message's take is written
        # by its session write (`save_session`, the same transaction) or by `end_turn`, so a message costs one write
        # transaction instead of two, and a refused one none. See `end_turn` for what that costs in exactness.
        for b in buckets:
            check_rate_args(b.key, b.rate, b.burst, b.cost)
        self.end_turn()  # a take an earlier turn of this thread left unwritten goes first
        db = self._conn()
        decisions: list[RateDecision] = []
        if buckets:
            try:
                rows = {key: (float(tokens), float(updated)) for key, tokens, updated in db.execute(
                    f"SELECT key, tokens, updated_at FROM rate_buckets WHERE key IN ({','.join('?' * len(buckets))}) "
                    "AND expires_at > ?", (*(b.key for b in buckets), now))}
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"SQLite read failed: {exc}") from exc
            for b in buckets:
                tokens = refill(*rows[b.key], rate=b.rate, burst=b.burst, now=now) if b.key in rows else float(b.burst)
                if tokens < b.cost:
                    # Refused (rare): decided again under the write lock as `take_tokens` does, so the buckets before
                    # the refusing one are taken, and a message allowed there after all is read as before.
                    with self._write() as locked:
                        decisions = self._take(locked, buckets, now)
                        if not decisions[-1].allowed:
                            return TurnStart(decisions, None, [])
                        return TurnStart(decisions, *self._turn_reads(locked, session_id, requester))
                decisions.append(RateDecision(allowed=True, retry_after=0.0, remaining=tokens - b.cost))
            self._owed.take = (tuple(buckets), now)
        return TurnStart(decisions, *self._turn_reads(db, session_id, requester))

    def end_turn(self) -> None:
        """Write the take the last `begin_turn` of this thread allowed, if no session write has yet (a message whose
        session was not saved). Raises StoreUnavailable (the take is then dropped, as limits fail open).

        What deferring the take costs: within one thread nothing (its next `begin_turn` comes after this write, and
        writes any take still owed first); between the threads that answer chat in a process (with SQLite by
        default the event loop and one chat thread, `bot.web.app`) and
        between processes, a message may be allowed on a bucket another one has just emptied but not yet written, so
        a bucket can admit up to (concurrent chat threads - 1) messages more than its burst. The take is written
        whatever it finds (tokens may go below zero), so that overdraft is paid back by a longer wait: over time no
        more messages pass than the rate allows. `take_tokens` (sign-in, Slack, resume) stays exact."""
        owed = getattr(self._owed, "take", None)
        if owed is None:
            return
        attempt = waiting.current()
        if attempt is not None and attempt.abandoned:
            self._owed.take = None  # the message is answered again on a thread, which takes again
            return
        try:
            with self._write() as db:
                self._charge(db)
        except waiting.WouldWait:
            # Dropped, as when the store cannot write (limits fail open); the message itself stands.
            self._owed.take = None
            if attempt is not None:
                attempt.abandoned = False

    def _charge(self, db: sqlite3.Connection, owed: tuple[tuple[Bucket, ...], float] | None = None) -> None:
        """Inside a write transaction: `owed` (else the owed take of this thread), taken whatever the buckets hold
        now."""
        if owed is None:
            owed = getattr(self._owed, "take", None)
            if owed is None:
                return
            self._owed.take = None
        buckets, now = owed
        db.execute("DELETE FROM rate_buckets WHERE expires_at <= ?", (now,))
        for b in buckets:
            tokens, updated = _bucket_now(db, b, now)
            _write_bucket(db, b, tokens - b.cost, updated)

    def _turn_reads(self, db: sqlite3.Connection, session_id: str,
                    requester: Requester) -> tuple[dict[str, Any] | None, list[PendingReply]]:
        try:
            row = db.execute("SELECT state FROM sessions WHERE id = ? AND expires_at > ?",
                             (session_id, self._clock())).fetchone()
            docs = db.execute("SELECT doc FROM tickets WHERE requester_key = ? AND pending_replies > 0",
                              (requester.key,)).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite read failed: {exc}") from exc
        return (state_json.loads(row[0]) if row else None), collect_pending(sql.decode(d[0]) for d in docs)

    # -- tickets -----------------------------------------------------------------------------
    def create_ticket(self, draft: TicketDraft, *, idempotency_key: str, now: float) -> Ticket:
        if not idempotency_key:
            raise ValueError("idempotency_key must not be empty")
        year = reference_year(now)
        # One IMMEDIATE transaction covers the key lookup, the counter and the insert: a concurrent retry
        # waits for the lock and then finds the key, and a crash leaves either all of it or none.
        with self._write(durable=True) as db:
            existing = sql.by_idempotency_key(db, idempotency_key)
            if existing is not None:
                return ensure_same_request(existing, draft, idempotency_key)
            reference = format_reference(year, sql.allocate(db, year))
            ticket = lifecycle.open_ticket(draft, reference, now=now, sla_days=self.sla_days)
            sql.insert(db, ticket, idempotency_key)
            ob.insert(db, self.outbox_rules(None, ticket))
        return ticket

    def get_ticket(self, reference: str) -> Ticket:
        rows = self._read("SELECT doc FROM tickets WHERE reference = ?", (reference,))
        if not rows:
            raise TicketNotFound(reference)
        return sql.decode(rows[0][0])

    def list_tickets(self, *, status: str | Iterable[str] | None = None, request_type: str | None = None,
                     assignee: str | None = None, overdue: bool | None = None, requester: Requester | None = None,
                     now: float | None = None, limit: int = 50, offset: int = 0,
                     due_by: float | None = None) -> list[Ticket]:
        query = TicketQuery.build(status=status, request_type=request_type, assignee=assignee, overdue=overdue,
                                  requester=requester, now=now, limit=limit, offset=offset,
                              due_by=due_by)
        sql_text, params = sql.select(query)
        return [sql.decode(row[0]) for row in self._read(sql_text, params)]

    def pending_replies(self, requester: Requester) -> list[PendingReply]:
        rows = self._read("SELECT doc FROM tickets WHERE requester_key = ? AND pending_replies > 0",
                          (requester.key,))
        return collect_pending(sql.decode(row[0]) for row in rows)

    def _mutate(self, reference: str, change: Callable[[Ticket], Ticket]) -> Ticket:
        with self._write(durable=True) as db:
            old = sql.by_reference(db, reference)
            if old is None:
                raise TicketNotFound(reference)
            new = checked_change(old, change)
            if new is None:
                return old
            sql.update(db, old.version, new)
            ob.insert(db, self.outbox_rules(old, new))
        return new

    def purge(self, older_than_days: float, *, now: float) -> int:
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, got {older_than_days}")
        with self._write(durable=True) as db:
            candidates = sql.purge_candidates(db, now - older_than_days * lifecycle.DAY)
            for old in candidates:
                new = lifecycle.purge_personal(old, now=now)
                sql.update(db, old.version, new)
                ob.insert(db, self.outbox_rules(old, new))
        return len(candidates)

    # -- outbox ------------------------------------------------------------------------------
    def enqueue(self, messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
        with self._write(durable=True) as db:
            ob.insert(db, messages)
            return [ob.get(db, m.key) or m for m in messages]

    def claim_outbox(self, *, now: float, channels: Sequence[str], limit: int,
                     lease_seconds: float) -> list[OutboxMessage]:
        with self._write() as db:
            return ob.claim(db, now=now, channels=channels, limit=limit, lease_until=now + lease_seconds)

    def lease_outbox(self, key: str, *, now: float, lease_seconds: float) -> OutboxMessage:
        with self._write(durable=True) as db:
            return ob.lease(db, key, now=now, lease_until=now + lease_seconds)

    def start_attempt(self, key: str, *, now: float) -> OutboxMessage:
        with self._write(durable=True) as db:
            old = ob.get(db, key)
            if old is None:
                raise OutboxNotFound(key)
            new = attempt_started(old, now=now)
            if new is not old:
                ob.update_doc(db, new)
        return new

    def record_delivery(self, key: str, *, ok: bool, now: float, error: str | None = None,
                        retry_at: float | None = None, in_doubt: bool = False) -> OutboxMessage:
        with self._write(durable=True) as db:
            old = ob.get(db, key)
            if old is None:
                raise OutboxNotFound(key)
            new = after_attempt(old, ok=ok, now=now, error=error, retry_at=retry_at, in_doubt=in_doubt)
            if new is not old:
                ob.update(db, new)
        return new

    def get_outbox(self, key: str) -> OutboxMessage:
        rows = self._read("SELECT doc FROM outbox WHERE key = ?", (key,))
        if not rows:
            raise OutboxNotFound(key)
        return ob.decode(rows[0][0])

    def outbox_for(self, references: Iterable[str]) -> dict[str, list[OutboxMessage]]:
        try:
            return ob.for_references(self._conn(), list(dict.fromkeys(references)))
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite read failed: {exc}") from exc

    def outbox_counts(self) -> dict[str, int]:
        try:
            return ob.counts(self._conn())
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite read failed: {exc}") from exc

    # -- accounts ----------------------------------------------------------------------------
    def add_user(self, account: UserAccount) -> None:
        with self._write() as db:
            cur = db.execute("INSERT OR IGNORE INTO users (username, password_hash, role, created_at) "
                             "VALUES (?, ?, ?, ?)",
                             (account.username, account.password_hash, account.role, account.created_at))
            if cur.rowcount != 1:
                raise UserExists(f"user {account.username!r} already exists")

    def remove_user(self, username: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount != 1:
                raise UserNotFound(f"no user {username!r}")

    def get_user(self, username: str) -> UserAccount | None:
        users = self._users("WHERE username = ?", (username,))
        return users[0] if users else None

    def list_users(self) -> list[UserAccount]:
        return self._users("ORDER BY username", ())

    def _users(self, tail: str, params: tuple[Any, ...]) -> list[UserAccount]:
        rows = self._read(f"SELECT username, password_hash, role, created_at FROM users {tail}", params)
        return [UserAccount(*row) for row in rows]

    # -- operations --------------------------------------------------------------------------
    def health(self) -> StoreHealth:
        try:
            with self._write() as db:
                db.execute("CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at REAL)")
                db.execute("INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)", (self._clock(),))
            mode = self._conn().execute("PRAGMA journal_mode").fetchone()[0]
            return StoreHealth(ok=True, backend=self.backend, detail={"journal_mode": mode})
        except (StoreUnavailable, sqlite3.Error) as exc:
            return StoreHealth(ok=False, backend=self.backend, detail={"error": str(exc)})

    def close(self) -> None:
        with self._lock:
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


def _gap_clauses(log: LogWrite) -> tuple[str, list[int]]:
    """The SQL condition matching `log.gaps()` (the line numbers a write deletes), and its parameters."""
    clauses, params = [], []
    for lo, hi in log.gaps():
        if lo is None:
            clauses.append("n <= ?")
            params.append(hi)
        elif hi is None:
            clauses.append("n >= ?")
            params.append(lo)
        else:
            clauses.append("n BETWEEN ? AND ?")
            params += [lo, hi]
    return " OR ".join(clauses), params  # type: ignore[return-value]


class _Transaction:
    """`with` block running BEGIN IMMEDIATE … COMMIT, mapping SQLite errors to StoreUnavailable.

    BEGIN IMMEDIATE takes the write lock up front so concurrent writers wait (busy_timeout) instead of
    failing half-way with SQLITE_BUSY on lock upgrade. `durable=True` (ticket writes) syncs the WAL at
    commit (synchronous=FULL), so an acknowledged ticket survives a power cut, not just a process crash;
    session writes keep the cheaper NORMAL.
    """

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, timeout: float, *,
                 durable: bool = False, on_read_only: Callable[[], None] | None = None,
                 nowait: Callable[[], sqlite3.Connection | None] | None = None) -> None:
        self.conn = conn
        self.nowait = nowait
        self.on_read_only = on_read_only
        self.lock = lock
        self.timeout = timeout
        self.durable = durable
        self.attempt: waiting.NoWait | None = None

    def __enter__(self) -> sqlite3.Connection:
        self.attempt = waiting.current()
        if self.attempt is not None and self.attempt.strict:
            return self._enter_without_waiting(self.attempt)
        # Bounded like SQLite's own busy wait, so a file locked by another process still ends in
        # StoreUnavailable rather than a queue of threads waiting forever.
        if not self.lock.acquire(timeout=self.timeout):
            raise StoreUnavailable("SQLite store is busy: another write did not finish in time")
        try:
            if self.durable:
                self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._restore()
            self.lock.release()
            self._check_read_only(exc)
            raise StoreUnavailable(f"SQLite store is not writable: {exc}") from exc
        return self.conn

    def _enter_without_waiting(self, attempt: waiting.NoWait) -> sqlite3.Connection:
        """BEGIN IMMEDIATE only if nothing has to wait for it (`handoff.waiting`): the process's write lock free,
        SQLite's file lock free (busy timeout 0 for this one statement: on the thread's no-wait connection, else on
        its own connection between two `PRAGMA busy_timeout`), and no disk sync at commit."""
        if attempt.deferred:
            # The message's session write is handed back and not made yet: a write now (staff replies marked
            # delivered) would stand even if that one then failed and the message were answered again.
            raise attempt.refuse("after_session")
        if self.durable:
            raise attempt.refuse("durable")
        # Another thread of this process writing holds the lock for its transaction, a fraction of a millisecond:
        # waiting for it here releases the interpreter lock that thread needs to finish. (Handing the write to a
        # thread instead, measured: that thread then waits for the interpreter lock at each SQLite step while the
        # event loop answers, keeps the write lock for tens of ms, and the next writes queue behind it; some
        # replies took 300 ms.) A longer hold (a ticket's disk sync, maintenance) is not waited for.
        try:
            nowait = self.nowait() if self.nowait is not None else None
        except StoreUnavailable:
            nowait = None  # the thread's own connection tries, and says what is wrong
        if not self.lock.acquire(timeout=LOOP_LOCK_WAIT):
            raise attempt.refuse("thread")
        try:
            if nowait is not None:
                nowait.execute("BEGIN IMMEDIATE")  # busy timeout 0: refused at once if another process writes
                self.conn = nowait  # the transaction's statements and COMMIT go to the connection that began it
            else:
                self.conn.execute("PRAGMA busy_timeout=0")
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                finally:
                    self.conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
        except sqlite3.OperationalError as exc:
            self.lock.release()
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise attempt.refuse("process") from None
            self._check_read_only(exc)
            raise StoreUnavailable(f"SQLite store is not writable: {exc}") from exc
        except sqlite3.Error as exc:
            self.lock.release()
            self._check_read_only(exc)
            raise StoreUnavailable(f"SQLite store is not writable: {exc}") from exc
        return self.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Literal[False]:
        try:
            if exc_type is None:
                try:
                    self.conn.execute("COMMIT")
                    if self.attempt is not None:
                        self.attempt.wrote = True
                    return False
                except sqlite3.Error as commit_exc:
                    self._rollback()
                    self._check_read_only(commit_exc)
                    raise StoreUnavailable(f"SQLite commit failed: {commit_exc}") from commit_exc
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                self._check_read_only(exc)
                raise StoreUnavailable(f"SQLite write failed: {exc}") from exc
            return False
        finally:
            self._restore()
            self.lock.release()

    def _check_read_only(self, exc: sqlite3.Error) -> None:
        # SQLITE_READONLY and its extended codes (the low byte): this connection may be read-only for good.
        if self.on_read_only is not None and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_READONLY:
            self.on_read_only()

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (e.g. after an I/O error); the original error is what matters

    def _restore(self) -> None:
        if self.durable:
            try:
                self.conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                pass  # the connection is broken; the next use reports it


def _bucket_now(db: sqlite3.Connection, b: Bucket, now: float) -> tuple[float, float]:
    """The bucket's tokens refilled to `now`, and the time they are counted from; a missing bucket is a full one."""
    row = db.execute("SELECT tokens, updated_at FROM rate_buckets WHERE key = ?", (b.key,)).fetchone()
    if row is None:
        return float(b.burst), now
    return (refill(float(row[0]), float(row[1]), rate=b.rate, burst=b.burst, now=now),
            max(float(row[1]), now))


def _write_bucket(db: sqlite3.Connection, b: Bucket, tokens: float, updated: float) -> None:
    """Store the bucket; it expires when it would be full again (a full bucket needs no row)."""
    expires = updated + min((b.burst - tokens) / b.rate, _MAX_BUCKET_LIFE)
    db.execute(
        "INSERT INTO rate_buckets (key, tokens, updated_at, expires_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at, "
        "expires_at = excluded.expires_at",
        (b.key, tokens, updated, expires),
    )
