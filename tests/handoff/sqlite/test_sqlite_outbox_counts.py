"""`outbox_counts` on SQLite is a COUNT … GROUP BY status over the `outbox_status` index, also on a file created
before the index existed (the schema adds it when the file is opened)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from handoff.outbox import FAILED, PENDING, SENT, new_message
from handoff.sqlite.outbox import COUNTS_SQL
from handoff.sqlite.store import SQLiteStore

NOW = 1_780_000_000.0


def _plan(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return " | ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + COUNTS_SQL))
    finally:
        db.close()


def test_counts_read_the_status_index_only(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    store.enqueue([new_message("log", "staff_alert", key=f"m{i}", now=NOW) for i in range(5)])
    store.record_delivery("m0", ok=True, now=NOW + 1)
    store.record_delivery("m1", ok=False, now=NOW + 1, error="boom", retry_at=None)
    assert store.outbox_counts() == {PENDING: 3, SENT: 1, FAILED: 1}
    path = store.path
    store.close()
    assert "USING COVERING INDEX outbox_status" in _plan(path)

    db = sqlite3.connect(path)  # as a file from before the index existed
    db.execute("DROP INDEX outbox_status")
    db.commit()
    db.close()
    assert "outbox_status" not in _plan(path)
    reopened = SQLiteStore(path)
    try:
        assert reopened.outbox_counts() == {PENDING: 3, SENT: 1, FAILED: 1}
    finally:
        reopened.close()
    assert "USING COVERING INDEX outbox_status" in _plan(path)
