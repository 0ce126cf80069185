"""Template versions, example phrasings and unanswered questions in the SQLite store (contracts: `ContentStore`
in `handoff.store`). A mixin of `SQLiteStore`: it uses the store's connection and transaction helpers, so every
write is one BEGIN IMMEDIATE transaction that also bumps the revision counter workers poll.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from handoff.content import (
    REVISION_KINDS, Phrasing, TemplateVersion, UnansweredGroup, check_phrasing_fields, check_template_key,
    check_unanswered_fields, check_version_fields, phrasing_key, storable_id, unanswered_key,
)
from handoff.store import PhrasingExists, PhrasingNotFound, TemplateConflict, TemplateVersionNotFound

if TYPE_CHECKING:
    import sqlite3
    from contextlib import AbstractContextManager

CONTENT_SCHEMA = """
CREATE TABLE IF NOT EXISTS content_revisions (
    kind TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS template_versions (
    name TEXT NOT NULL,
    lang TEXT NOT NULL,
    number INTEGER NOT NULL,
    source TEXT,
    author TEXT NOT NULL,
    note TEXT NOT NULL,
    action TEXT NOT NULL,
    restored_from INTEGER,
    created_at REAL NOT NULL,
    PRIMARY KEY (name, lang, number)
);
CREATE TABLE IF NOT EXISTS phrasings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    intent TEXT NOT NULL,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    uniq TEXT NOT NULL UNIQUE,
    author TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS unanswered (
    key TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    count INTEGER NOT NULL,
    decisions TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS unanswered_seen ON unanswered (last_seen);
"""

_VERSION_COLUMNS = "name, lang, number, source, author, note, created_at, action, restored_from"
_PHRASING_COLUMNS = "id, intent, lang, text, author, created_at"


def _version(row: tuple[Any, ...]) -> TemplateVersion:
    return TemplateVersion(*row)


def _group(row: tuple[Any, ...]) -> UnansweredGroup:
    key, lang, text, count, decisions, first_seen, last_seen = row
    return UnansweredGroup(key=key, text=text, lang=lang, count=int(count), first_seen=float(first_seen),
                           last_seen=float(last_seen), decisions=json.loads(decisions))


class SQLiteContent:
    """The `ContentStore` half of `SQLiteStore`."""

    if TYPE_CHECKING:
        _clock: Callable[[], float]

        def _write(self, *, durable: bool = False) -> AbstractContextManager[sqlite3.Connection]: ...

        def _read(self, sql_text: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]: ...

    @staticmethod
    def _bump(db: sqlite3.Connection, kind: str) -> None:
        db.execute("INSERT INTO content_revisions (kind, value) VALUES (?, 1) "
                   "ON CONFLICT(kind) DO UPDATE SET value = value + 1", (kind,))

    def content_revisions(self) -> dict[str, int]:
        found = dict(self._read("SELECT kind, value FROM content_revisions"))
        return {kind: int(found.get(kind, 0)) for kind in REVISION_KINDS}

    # -- templates ---------------------------------------------------------------------------
    def save_template_version(self, name: str, lang: str, source: str | None, *, author: str, note: str, now: float,
                              action: str = "edit", restored_from: int | None = None,
                              base_version: int | None = None) -> TemplateVersion:
        check_version_fields(name, lang, source, author, note, action, restored_from)
        with self._write(durable=True) as db:
            latest = int(db.execute("SELECT COALESCE(MAX(number), 0) FROM template_versions "
                                    "WHERE name = ? AND lang = ?", (name, lang)).fetchone()[0])
            if base_version is not None and base_version != latest:
                raise TemplateConflict(f"{lang}/{name} is at version {latest} now, not {base_version}", latest)
            version = TemplateVersion(name, lang, latest + 1, source, author, note, now, action, restored_from)
            db.execute(f"INSERT INTO template_versions ({_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (name, lang, version.number, source, author, note, now, action, restored_from))
            self._bump(db, "templates")
        return version

    def template_history(self, name: str, lang: str) -> list[TemplateVersion]:
        check_template_key(name, lang)
        rows = self._read(f"SELECT {_VERSION_COLUMNS} FROM template_versions WHERE name = ? AND lang = ? "
                          "ORDER BY number DESC", (name, lang))
        return [_version(row) for row in rows]

    def get_template_version(self, name: str, lang: str, number: int) -> TemplateVersion:
        check_template_key(name, lang)
        rows = self._read(f"SELECT {_VERSION_COLUMNS} FROM template_versions "
                          "WHERE name = ? AND lang = ? AND number = ?", (name, lang, number)) if storable_id(number) else []
        if not rows:
            raise TemplateVersionNotFound(f"{lang}/{name} has no version {number}")
        return _version(rows[0])

    def template_heads(self) -> dict[tuple[str, str], TemplateVersion]:
        rows = self._read(f"SELECT {', '.join('v.' + c.strip() for c in _VERSION_COLUMNS.split(','))} "
                          "FROM template_versions v JOIN (SELECT name, lang, MAX(number) AS top FROM template_versions "
                          "GROUP BY name, lang) h ON v.name = h.name AND v.lang = h.lang AND v.number = h.top")
        return {(row[0], row[1]): _version(row) for row in rows}

    # -- phrasings ---------------------------------------------------------------------------
    def add_phrasing(self, intent: str, lang: str, text: str, *, author: str, now: float) -> Phrasing:
        check_phrasing_fields(intent, lang, text, author)
        text = text.strip()
        uniq = phrasing_key(intent, lang, text)
        with self._write(durable=True) as db:
            cur = db.execute("INSERT OR IGNORE INTO phrasings (intent, lang, text, uniq, author, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (intent, lang, text, uniq, author, now))
            if cur.rowcount != 1:
                raise PhrasingExists(f"{intent} already has the {lang} phrasing {text!r}")
            self._bump(db, "phrasings")
            new_id = int(cur.lastrowid or 0)
        return Phrasing(new_id, intent, lang, text, author, now)

    def list_phrasings(self, intent: str | None = None) -> list[Phrasing]:
        if intent is None:
            rows = self._read(f"SELECT {_PHRASING_COLUMNS} FROM phrasings ORDER BY id")
        else:
            rows = self._read(f"SELECT {_PHRASING_COLUMNS} FROM phrasings WHERE intent = ? ORDER BY id", (intent,))
        return [Phrasing(*row) for row in rows]

    def remove_phrasing(self, phrasing_id: int) -> Phrasing:
        if not storable_id(phrasing_id):
            raise PhrasingNotFound(f"no phrasing {phrasing_id}")
        with self._write(durable=True) as db:
            row = db.execute(f"SELECT {_PHRASING_COLUMNS} FROM phrasings WHERE id = ?", (phrasing_id,)).fetchone()
            if row is None:
                raise PhrasingNotFound(f"no phrasing {phrasing_id}")
            db.execute("DELETE FROM phrasings WHERE id = ?", (phrasing_id,))
            self._bump(db, "phrasings")
        return Phrasing(*row)

    # -- unanswered questions ----------------------------------------------------------------
    def record_unanswered(self, text: str, *, lang: str, decision: str, now: float, keep: int = 500) -> None:
        check_unanswered_fields(text, lang, decision, keep)
        key = unanswered_key(lang, text)
        with self._write() as db:
            row = db.execute("SELECT decisions FROM unanswered WHERE key = ?", (key,)).fetchone()
            if row is None:
                db.execute("INSERT INTO unanswered (key, lang, text, count, decisions, first_seen, last_seen) "
                           "VALUES (?, ?, ?, 1, ?, ?, ?)", (key, lang, text, json.dumps({decision: 1}), now, now))
            else:
                decisions = json.loads(row[0])
                decisions[decision] = int(decisions.get(decision, 0)) + 1
                db.execute("UPDATE unanswered SET count = count + 1, decisions = ?, last_seen = MAX(last_seen, ?) "
                           "WHERE key = ?", (json.dumps(decisions, sort_keys=True), now, key))
            db.execute("DELETE FROM unanswered WHERE key IN (SELECT key FROM unanswered "
                       "ORDER BY last_seen DESC, key LIMIT -1 OFFSET ?)", (keep,))

    def list_unanswered(self, *, limit: int = 100, offset: int = 0) -> list[UnansweredGroup]:
        rows = self._read("SELECT key, lang, text, count, decisions, first_seen, last_seen FROM unanswered "
                          "ORDER BY last_seen DESC, key LIMIT ? OFFSET ?", (max(0, limit), max(0, offset)))
        return [_group(row) for row in rows]

    def get_unanswered(self, key: str) -> UnansweredGroup | None:
        rows = self._read("SELECT key, lang, text, count, decisions, first_seen, last_seen FROM unanswered "
                          "WHERE key = ?", (key,))
        return _group(rows[0]) if rows else None

    def dismiss_unanswered(self, key: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM unanswered WHERE key = ?", (key,))
