"""SQL for the outbox in the SQLite store, run inside the caller's transaction (see `handoff.outbox`).

One row per message: the message as JSON (`doc`, the source of truth) plus the columns the dispatcher's scan and
the staff pages filter on. Inserting is one `INSERT OR IGNORE` per message: the key is the primary key, so a
repeated key changes nothing, and a ticket write adds its messages without another round trip.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable, Sequence

from dataclasses import replace

from handoff.outbox import OUTBOX_STATUSES, PENDING, SENT, OutboxMessage
from handoff.store import OutboxBusy, OutboxNotFound, StoreError

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    reference TEXT,
    status TEXT NOT NULL,
    next_attempt_at REAL NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (channel, next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_reference ON outbox (reference) WHERE reference IS NOT NULL;
-- outbox_counts: COUNT ... GROUP BY status reads this index, never the documents.
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status);
"""


def encode(message: OutboxMessage) -> str:
    return json.dumps(message.to_dict(), ensure_ascii=False, separators=(",", ":"))


def decode(doc: str) -> OutboxMessage:
    try:
        return OutboxMessage.from_dict(json.loads(doc))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"corrupt outbox document: {exc!r}") from exc


def insert(db: sqlite3.Connection, messages: Iterable[OutboxMessage]) -> None:
    db.executemany("INSERT OR IGNORE INTO outbox (key, channel, reference, status, next_attempt_at, doc) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [(m.key, m.channel, m.reference, m.status, m.next_attempt_at, encode(m)) for m in messages])


def get(db: sqlite3.Connection, key: str) -> OutboxMessage | None:
    row = db.execute("SELECT doc FROM outbox WHERE key = ?", (key,)).fetchone()
    return decode(row[0]) if row else None


def update(db: sqlite3.Connection, message: OutboxMessage) -> None:
    db.execute("UPDATE outbox SET status = ?, next_attempt_at = ?, doc = ? WHERE key = ?",
               (message.status, message.next_attempt_at, encode(message), message.key))


def update_doc(db: sqlite3.Connection, message: OutboxMessage) -> None:
    """Rewrite the document only: `next_attempt_at` (the lease a claim set) and the status stay as they are."""
    db.execute("UPDATE outbox SET doc = ? WHERE key = ?", (encode(message), message.key))


def claim(db: sqlite3.Connection, *, now: float, channels: Sequence[str], limit: int,
          lease_until: float) -> list[OutboxMessage]:
    if not channels or limit < 1:
        return []
    marks = ", ".join("?" * len(channels))
    rows = db.execute(f"SELECT key, doc FROM outbox WHERE status = ? AND channel IN ({marks}) "
                      "AND next_attempt_at <= ? ORDER BY next_attempt_at, key LIMIT ?",
                      (PENDING, *channels, now, limit)).fetchall()
    db.executemany("UPDATE outbox SET next_attempt_at = ? WHERE key = ?", [(lease_until, r[0]) for r in rows])
    return [decode(r[1]) for r in rows]


def lease(db: sqlite3.Connection, key: str, *, now: float, lease_until: float) -> OutboxMessage:
    """`OutboxStore.lease_outbox` inside the caller's write transaction. A claim moves only the `next_attempt_at`
    column (the document keeps the attempt's schedule), so a lease is running exactly while the column is past both
    the document's time and now."""
    row = db.execute("SELECT next_attempt_at, doc FROM outbox WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise OutboxNotFound(key)
    leased_until, message = float(row[0]), decode(row[1])
    if message.status == SENT:
        return message
    if message.status == PENDING and leased_until > message.next_attempt_at and leased_until > now:
        raise OutboxBusy(key, leased_until)
    message = replace(message, status=PENDING, next_attempt_at=now)
    db.execute("UPDATE outbox SET status = ?, next_attempt_at = ?, doc = ? WHERE key = ?",
               (PENDING, lease_until, encode(message), key))
    return message


def for_references(db: sqlite3.Connection, references: Sequence[str]) -> dict[str, list[OutboxMessage]]:
    out: dict[str, list[OutboxMessage]] = {}
    for start in range(0, len(references), 500):  # stay under SQLite's bound-parameter limit
        chunk = references[start:start + 500]
        rows = db.execute(f"SELECT doc FROM outbox WHERE reference IN ({', '.join('?' * len(chunk))})",
                          tuple(chunk)).fetchall()
        for row in rows:
            message = decode(row[0])
            out.setdefault(message.reference or "", []).append(message)
    for messages in out.values():
        messages.sort(key=lambda m: (m.created_at, m.key))
    return out


#: Served by the `outbox_status` index alone (a covering index scan; no document is read).
COUNTS_SQL = "SELECT status, COUNT(*) FROM outbox GROUP BY status"


def counts(db: sqlite3.Connection) -> dict[str, int]:
    found = dict(db.execute(COUNTS_SQL).fetchall())
    return {status: int(found.get(status, 0)) for status in OUTBOX_STATUSES}
