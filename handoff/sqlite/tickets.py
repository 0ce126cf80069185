"""SQL for tickets in the SQLite store: schema, row mapping and queries, run inside the caller's transaction.

Each ticket is one row: the full ticket as a JSON document (`doc`, the source of truth) plus the columns that
filters and indexes need, derived from the document on every write so they cannot disagree with it.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from handoff.analytics import TicketTally, closed_key
from handoff.query import TicketQuery
from handoff.references import reference_order
from handoff.store import StoreError
from handoff.tickets import CLOSED_STATUSES, OPEN_STATUSES, Ticket

TICKET_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    reference TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_type TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    requester_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    due_at REAL NOT NULL,
    closed_at REAL,
    pending_replies INTEGER NOT NULL,
    purged_at REAL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status, due_at);
CREATE INDEX IF NOT EXISTS tickets_requester ON tickets (requester_key, pending_replies);
CREATE TABLE IF NOT EXISTS once_markers (
    key TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""

_DERIVED = ("request_type", "status", "assignee", "requester_key", "created_at", "updated_at", "due_at",
            "closed_at", "pending_replies", "purged_at", "version", "doc", "tally", "closed_tally")


def encode(ticket: Ticket) -> str:
    return json.dumps(ticket.to_dict(), ensure_ascii=False, separators=(",", ":"))


def decode(doc: str) -> Ticket:
    """Raises StoreError for a document that is not a ticket (corruption or a foreign writer)."""
    try:
        return Ticket.from_dict(json.loads(doc))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"corrupt ticket document: {exc!r}") from exc


def _derived(ticket: Ticket) -> tuple[Any, ...]:
    return (ticket.request_type, ticket.status, ticket.assignee, ticket.requester.key, ticket.created_at,
            ticket.updated_at, ticket.due_at, ticket.closed_at, len(ticket.pending_replies),
            ticket.purged_at, ticket.version, encode(ticket), TicketTally.of(ticket).key, closed_key(ticket))


def migrate(db: sqlite3.Connection) -> None:
    """Bring a file written by an older version up to date: staff-notification state moved to the outbox."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
    if "notified" in columns:
        db.execute("DROP INDEX IF EXISTS tickets_unnotified")
        db.execute("ALTER TABLE tickets DROP COLUMN notified")


def allocate(db: sqlite3.Connection, year: int) -> int:
    """Next number of `year`'s counter. Only call inside a write transaction, with the insert that uses it."""
    row = db.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                     "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                     (f"ticket:{year}",)).fetchone()
    return int(row[0])


def insert(db: sqlite3.Connection, ticket: Ticket, idempotency_key: str) -> None:
    year, seq = reference_order(ticket.reference)
    names = ("reference", "year", "seq", "idempotency_key") + _DERIVED
    db.execute(f"INSERT INTO tickets ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
               (ticket.reference, year, seq, idempotency_key) + _derived(ticket))


def update(db: sqlite3.Connection, old_version: int, ticket: Ticket) -> None:
    """Write `ticket` over version `old_version`; raises StoreError if the row moved on (cannot happen under
    BEGIN IMMEDIATE, so it would mean a writer that bypasses this module)."""
    sets = ", ".join(f"{name} = ?" for name in _DERIVED)
    cur = db.execute(f"UPDATE tickets SET {sets} WHERE reference = ? AND version = ?",
                     _derived(ticket) + (ticket.reference, old_version))
    if cur.rowcount != 1:
        raise StoreError(f"{ticket.reference} changed under a write transaction")


def one(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Ticket | None:
    row = db.execute(sql, params).fetchone()
    return decode(row[0]) if row else None


def by_reference(db: sqlite3.Connection, reference: str) -> Ticket | None:
    return one(db, "SELECT doc FROM tickets WHERE reference = ?", (reference,))


def by_idempotency_key(db: sqlite3.Connection, key: str) -> Ticket | None:
    return one(db, "SELECT doc FROM tickets WHERE idempotency_key = ?", (key,))


def _in(column: str, values: frozenset[str]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('?' * len(values))})", sorted(values)


def select(query: TicketQuery) -> tuple[str, list[Any]]:
    """SQL and parameters for `list_tickets`."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("request_type", query.request_type), ("assignee", query.assignee),
                          ("requester_key", query.requester_key)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if query.statuses is not None:
        clause, values = _in("status", query.statuses)
        clauses.append(clause)
        params += values
    if query.overdue is not None:
        clause, values = _in("status", OPEN_STATUSES)
        clauses.append(f"({clause} AND due_at < ?)" if query.overdue else f"NOT ({clause} AND due_at < ?)")
        params += values + [query.now]
    if query.due_by is not None:
        clause, values = _in("status", OPEN_STATUSES)
        clauses.append(f"({clause} AND due_at <= ?)")
        params += values + [query.due_by]
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"SELECT doc FROM tickets {where} ORDER BY year, seq LIMIT ? OFFSET ?", params + [query.limit,
                                                                                         query.offset]


def purge_candidates(db: sqlite3.Connection, cutoff: float) -> list[Ticket]:
    clause, values = _in("status", CLOSED_STATUSES)
    rows = db.execute(f"SELECT doc FROM tickets WHERE {clause} AND purged_at IS NULL AND closed_at < ? "
                      "ORDER BY year, seq", (*values, cutoff)).fetchall()
    return [decode(r[0]) for r in rows]
