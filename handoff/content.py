"""What admins change without a deploy, as the stores keep it: template versions, example phrasings, and the
questions the bot could not answer.

Template history is append-only: an edit, a rollback and a reset each add a version, and the newest version of a
(template, language) is the one in use. A version whose `source` is None stands for the shipped default (a
reset). Every change bumps a store-wide revision counter (`content_revisions()`), which each worker polls to know
when to reload, so no worker needs a restart to pick up an edit.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

#: What a template version records: an edit in the editor or CLI, a rollback to an earlier version, a reset to
#: the shipped default, or a file imported by `privacy-bot templates import`.
TEMPLATE_ACTIONS: tuple[str, ...] = ("edit", "rollback", "reset", "import")
#: The revision counters `content_revisions()` reports.
REVISION_KINDS: tuple[str, ...] = ("templates", "phrasings")
UNANSWERED_DECISIONS: tuple[str, ...] = ("fallback", "clarify")
MAX_NOTE = 500

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LANG = re.compile(r"[a-z]{2}")
_SPACES = re.compile(r"\s+")


#: Version numbers and ids are stored as signed 64-bit integers (SQLite INTEGER, Redis list indexes): anything
#: outside 1..MAX_ID cannot exist, and is "not found" on every backend rather than an OverflowError or a Redis error.
MAX_ID = 2**63 - 1


def storable_id(number: int) -> bool:
    """True when `number` can name a stored version or phrasing (1..MAX_ID)."""
    return 1 <= number <= MAX_ID


def check_template_key(name: str, lang: str) -> None:
    """Raise ValueError unless `name` is a template-like identifier and `lang` a two-letter code (keys built from
    them are safe in SQL and Redis key names)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"template name must be lower-case letters, digits and _, got {name!r}")
    if not isinstance(lang, str) or not _LANG.fullmatch(lang):
        raise ValueError(f"language must be a two-letter code, got {lang!r}")


@dataclass(frozen=True)
class TemplateVersion:
    """One saved version of a template in one language; `number` counts from 1 per (name, lang)."""

    name: str
    lang: str
    number: int
    source: str | None  # None: the shipped default is in use from this version on (a reset)
    author: str
    note: str
    created_at: float
    action: str = "edit"
    restored_from: int | None = None  # for a rollback: the version whose text was restored

    @property
    def is_default(self) -> bool:
        return self.source is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, number: int | None = None) -> "TemplateVersion":
        restored = data.get("restored_from")
        return cls(name=str(data["name"]), lang=str(data["lang"]),
                   number=int(number if number is not None else data["number"]),
                   source=data.get("source"), author=str(data["author"]), note=str(data.get("note", "")),
                   created_at=float(data["created_at"]), action=str(data.get("action", "edit")),
                   restored_from=int(restored) if restored is not None else None)


def check_version_fields(name: str, lang: str, source: str | None, author: str, note: str, action: str,
                         restored_from: int | None) -> None:
    """The checks every store applies before saving a version (ValueError)."""
    check_template_key(name, lang)
    if source is not None and not isinstance(source, str):
        raise ValueError("source must be a string or None")
    if not author or not isinstance(author, str):
        raise ValueError("a template version needs an author")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ValueError(f"the change note must be at most {MAX_NOTE} characters")
    if action not in TEMPLATE_ACTIONS:
        raise ValueError(f"action must be one of {list(TEMPLATE_ACTIONS)}, got {action!r}")
    if (source is None) != (action == "reset"):
        raise ValueError("a reset has no source, and only a reset")
    if restored_from is not None and (action != "rollback" or restored_from < 1):
        raise ValueError("restored_from is the positive version number of a rollback")


@dataclass(frozen=True)
class Phrasing:
    """An example phrasing an admin added to an intent; the matcher learns it like a shipped example."""

    id: int
    intent: str
    lang: str
    text: str
    author: str
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, id: int | None = None) -> "Phrasing":
        return cls(id=int(id if id is not None else data["id"]), intent=str(data["intent"]), lang=str(data["lang"]),
                   text=str(data["text"]), author=str(data["author"]), created_at=float(data["created_at"]))


def phrasing_key(intent: str, lang: str, text: str) -> str:
    """What makes two phrasings the same: intent, language and the text case-folded with spaces collapsed."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
    return f"{intent}\x1f{lang}\x1f{folded}"


def check_phrasing_fields(intent: str, lang: str, text: str, author: str) -> None:
    if not isinstance(intent, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", intent):
        raise ValueError(f"intent must be an identifier, got {intent!r}")
    if not isinstance(lang, str) or not _LANG.fullmatch(lang):
        raise ValueError(f"language must be a two-letter code, got {lang!r}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a phrasing needs text")
    if not author:
        raise ValueError("a phrasing needs an author")


@dataclass(frozen=True)
class UnansweredGroup:
    """Messages the bot could not answer (fallback) or was unsure about (clarify), grouped by their redacted text.

    `decisions` counts each decision; `count` is their sum."""

    key: str
    text: str
    lang: str
    count: int
    first_seen: float
    last_seen: float
    decisions: Mapping[str, int] = field(default_factory=dict)


def unanswered_key(lang: str, text: str) -> str:
    """The group a (redacted) message belongs to: same language and same text, ignoring case and spacing."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
    return hashlib.sha256(f"{lang}\n{folded}".encode("utf-8")).hexdigest()[:32]


def check_unanswered_fields(text: str, lang: str, decision: str, keep: int) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an unanswered message needs text")
    if not isinstance(lang, str) or not _LANG.fullmatch(lang):
        raise ValueError(f"language must be a two-letter code, got {lang!r}")
    if decision not in UNANSWERED_DECISIONS:
        raise ValueError(f"decision must be one of {list(UNANSWERED_DECISIONS)}, got {decision!r}")
    if keep < 1:
        raise ValueError("keep must be at least 1")
