"""Ticket tallies and decision counts in the SQLite store (contracts: `AnalyticsStore` in `handoff.analytics`).

Each ticket row carries its tallies (`TicketTally.key` in `tally`, `ClosedTally.key` in `closed_tally`), written with
the row (`handoff.sqlite.tickets._derived`); triggers keep `tally_counts` in step in the same transaction, so the
counts of 100,000 tickets are read as a few thousand rows, without reading a ticket document. Decision counts are one row per (week, kind, article, language,
front end), added to in batches.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from handoff.analytics import (
    ClosedTally, DecisionTally, TicketTally, check_decision_counts, closed_key, decision_tally,
)

if TYPE_CHECKING:
    import sqlite3
    from contextlib import AbstractContextManager

ANALYTICS_SCHEMA = """
CREATE TABLE IF NOT EXISTS decision_counts (
    week INTEGER NOT NULL,
    kind TEXT NOT NULL,
    article INTEGER NOT NULL,
    lang TEXT NOT NULL,
    frontend TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (week, kind, article, lang, frontend)
) WITHOUT ROWID;
"""


#: Counts per tally, kept by triggers in the same transaction as every ticket insert, update and delete, so reading
#: them costs a few thousand rows however many tickets there are. kind "t": `TicketTally`, "c": `ClosedTally`.
TALLY_STATEMENTS: tuple[str, ...] = ("""
CREATE TABLE IF NOT EXISTS tally_counts (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID""", """
CREATE TRIGGER IF NOT EXISTS tickets_tally_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tally_counts (kind, key, n) VALUES ('t', NEW.tally, 1)
        ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
    INSERT INTO tally_counts (kind, key, n) SELECT 'c', NEW.closed_tally, 1 WHERE NEW.closed_tally IS NOT NULL
        ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END""", """
CREATE TRIGGER IF NOT EXISTS tickets_tally_update AFTER UPDATE OF tally, closed_tally ON tickets BEGIN
    UPDATE tally_counts SET n = n - 1 WHERE kind = 't' AND key = OLD.tally;
    UPDATE tally_counts SET n = n - 1 WHERE kind = 'c' AND key = OLD.closed_tally;
    INSERT INTO tally_counts (kind, key, n) VALUES ('t', NEW.tally, 1)
        ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
    INSERT INTO tally_counts (kind, key, n) SELECT 'c', NEW.closed_tally, 1 WHERE NEW.closed_tally IS NOT NULL
        ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END""", """
CREATE TRIGGER IF NOT EXISTS tickets_tally_delete AFTER DELETE ON tickets BEGIN
    UPDATE tally_counts SET n = n - 1 WHERE kind = 't' AND key = OLD.tally;
    UPDATE tally_counts SET n = n - 1 WHERE kind = 'c' AND key = OLD.closed_tally;
END""")


def migrate_tallies(db: sqlite3.Connection, decode: Callable[[str], Any]) -> None:
    """Give a tickets table written before tallies existed its `tally` and `closed_tally` columns, filled from each
    document, and the counts the triggers keep from then on. Runs inside the caller's write transaction; a no-op once
    done."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
    counted = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'tickets_tally_insert'"
                         ).fetchone() is not None
    if "closed_tally" not in columns:
        if "tally" not in columns:
            db.execute("ALTER TABLE tickets ADD COLUMN tally TEXT")
        db.execute("ALTER TABLE tickets ADD COLUMN closed_tally TEXT")
        db.execute("UPDATE tickets SET tally = NULL")  # an earlier tally format: derived again below
    db.execute("DROP INDEX IF EXISTS tickets_tally")  # an earlier version counted from an index
    if counted:
        return
    rows = db.execute("SELECT reference, doc FROM tickets WHERE tally IS NULL").fetchall()
    for reference, doc in rows:
        ticket = decode(doc)
        db.execute("UPDATE tickets SET tally = ?, closed_tally = ? WHERE reference = ?",
                   (TicketTally.of(ticket).key, closed_key(ticket), reference))
    for statement in TALLY_STATEMENTS:
        db.execute(statement)
    db.execute("DELETE FROM tally_counts")
    db.execute("INSERT INTO tally_counts (kind, key, n) SELECT 't', tally, COUNT(*) FROM tickets GROUP BY tally")
    db.execute("INSERT INTO tally_counts (kind, key, n) SELECT 'c', closed_tally, COUNT(*) FROM tickets "
               "WHERE closed_tally IS NOT NULL GROUP BY closed_tally")


class SQLiteAnalytics:
    """The `AnalyticsStore` part of `SQLiteStore`."""

    if TYPE_CHECKING:
        def _write(self, *, durable: bool = False) -> AbstractContextManager[sqlite3.Connection]: ...

        def _read(self, sql_text: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]: ...

    def ticket_tallies(self) -> dict[TicketTally, int]:
        rows = self._read("SELECT key, n FROM tally_counts WHERE kind = 't' AND n > 0")
        return {TicketTally.parse(key): int(n) for key, n in rows}

    def closed_tallies(self) -> dict[ClosedTally, int]:
        rows = self._read("SELECT key, n FROM tally_counts WHERE kind = 'c' AND n > 0")
        return {ClosedTally.parse(key): int(n) for key, n in rows}

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        check_decision_counts(counts)
        if not counts:
            return
        with self._write() as db:
            db.executemany(
                "INSERT INTO decision_counts (week, kind, article, lang, frontend, count) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (week, kind, article, lang, frontend) DO UPDATE SET count = count + excluded.count",
                [(t.week, t.kind, t.article or 0, t.lang, t.frontend, n) for t, n in counts.items()])

    def decision_counts(self, *, first_week: int, last_week: int) -> dict[DecisionTally, int]:
        rows = self._read("SELECT week, kind, article, lang, frontend, count FROM decision_counts "
                          "WHERE week BETWEEN ? AND ?", (first_week, last_week))
        return {decision_tally(int(week), kind, int(article) or None, lang, frontend): int(n)
                for week, kind, article, lang, frontend, n in rows}
