"""Ticket tallies and decision counts in the SQLite store (contracts: `AnalyticsStore` in `handoff.analytics`).

Each ticket row carries its tally (`TicketTally.key`) in the `tally` column, written with the row in the same
transaction (`handoff.sqlite.tickets._derived`); an index on it lets `GROUP BY tally` count 100,000 tickets from the
index alone, without reading a ticket document. Decision counts are one row per (day, kind, article, language,
front end), added to in batches.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from handoff.analytics import DecisionTally, TicketTally, check_decision_counts

if TYPE_CHECKING:
    import sqlite3
    from contextlib import AbstractContextManager

ANALYTICS_SCHEMA = """
CREATE TABLE IF NOT EXISTS decision_counts (
    day INTEGER NOT NULL,
    kind TEXT NOT NULL,
    article INTEGER NOT NULL,
    lang TEXT NOT NULL,
    frontend TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, kind, article, lang, frontend)
) WITHOUT ROWID;
"""


def migrate_tallies(db: sqlite3.Connection, decode: Callable[[str], Any]) -> None:
    """Give a tickets table written before tallies existed its `tally` column, filled from each document, and the
    index the counts are read from. Runs inside the caller's write transaction; a no-op once done."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
    if "tally" not in columns:
        db.execute("ALTER TABLE tickets ADD COLUMN tally TEXT")
    rows = db.execute("SELECT reference, doc FROM tickets WHERE tally IS NULL").fetchall()
    for reference, doc in rows:
        db.execute("UPDATE tickets SET tally = ? WHERE reference = ?", (TicketTally.of(decode(doc)).key, reference))
    db.execute("CREATE INDEX IF NOT EXISTS tickets_tally ON tickets (tally)")


class SQLiteAnalytics:
    """The `AnalyticsStore` part of `SQLiteStore`."""

    if TYPE_CHECKING:
        def _write(self, *, durable: bool = False) -> AbstractContextManager[sqlite3.Connection]: ...

        def _read(self, sql_text: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]: ...

    def ticket_tallies(self) -> dict[TicketTally, int]:
        rows = self._read("SELECT tally, COUNT(*) FROM tickets INDEXED BY tickets_tally GROUP BY tally")
        return {TicketTally.parse(key): int(n) for key, n in rows}

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        check_decision_counts(counts)
        if not counts:
            return
        with self._write() as db:
            db.executemany(
                "INSERT INTO decision_counts (day, kind, article, lang, frontend, count) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (day, kind, article, lang, frontend) DO UPDATE SET count = count + excluded.count",
                [(t.day, t.kind, t.article or 0, t.lang, t.frontend, n) for t, n in counts.items()])

    def decision_counts(self, *, first_day: int, last_day: int) -> dict[DecisionTally, int]:
        rows = self._read("SELECT day, kind, article, lang, frontend, count FROM decision_counts "
                          "WHERE day BETWEEN ? AND ?", (first_day, last_day))
        return {DecisionTally(int(day), kind, int(article) or None, lang, frontend): int(n)
                for day, kind, article, lang, frontend, n in rows}
