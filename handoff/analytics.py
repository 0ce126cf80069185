"""What the stores keep for analytics and metrics: counts, never text.

Two records, both free of personal data and identical in both backends (`tests/handoff/test_store_analytics.py`):

* **Ticket tallies.** Every ticket falls in exactly one `TicketTally` (request type, language, status, the Japan-time
  week it was created) and, once closed, in one `ClosedTally` (language, the week it was closed, the days it took,
  whether that was by its due date). Both are derived from the ticket on every write, in the same atomic step (columns
  in SQLite, index sets in Redis), so the counts can never disagree with the tickets. `ticket_tallies()` and
  `closed_tallies()` return how many tickets each tally has: a few thousand rows a year whatever the number of
  tickets, which is what keeps the analytics page and `/metrics` fast without reading a single ticket document.
* **Decision counts.** How many messages got each decision (`DECISION_KINDS`: answer, clarify, request, fallback,
  out_of_scope, smalltalk), per Japan-time week, cited article, language and front end. Message text is never part of
  it; `bot.engine.decisions.DecisionRecorder` buffers them and adds them in batches.

Days and weeks are Japan time (the company's), counted as whole days since 1970-01-01 JST; weeks start on Monday.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import Mapping, Protocol, runtime_checkable

from handoff.tickets import CLOSED_STATUSES, REQUEST_TYPES, STATUSES, Ticket

JST_OFFSET = 9 * 3600
DAY = 86400
#: `Decision` kinds counted: the `classify` decisions, with a fallback on an out-of-scope support topic counted apart.
DECISION_KINDS: tuple[str, ...] = ("answer", "clarify", "request", "fallback", "out_of_scope", "smalltalk")
#: Days to close are counted up to this; slower tickets share it.
MAX_DAYS = 60
_EPOCH = date(1970, 1, 1)
_CHANNEL = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_LANG = re.compile(r"[a-z]{2}")


def day_number(t: float) -> int:
    """The Japan-time day of epoch seconds `t`, as days since 1970-01-01."""
    return int((t + JST_OFFSET) // DAY)


def week_start(day: int) -> int:
    """The Monday of `day`'s week (1970-01-01 was a Thursday, so Monday 1969-12-29 is day -3)."""
    return day - (day + 3) % 7


def day_date(day: int) -> date:
    return _EPOCH + timedelta(days=day)


def date_day(value: date) -> int:
    return (value - _EPOCH).days


def _parts(key: str, n: int, what: str) -> list[str]:
    parts = key.split("|")
    if len(parts) != n:
        raise ValueError(f"not a {what}: {key[:80]!r}")
    return parts


@dataclass(frozen=True)
class TicketTally:
    """Where a ticket counts by when it was opened: request type, language, status and the week it was created."""

    request_type: str
    lang: str
    status: str
    created_week: int

    @classmethod
    def of(cls, ticket: Ticket) -> "TicketTally":
        return cls(ticket.request_type, ticket.lang, ticket.status, week_start(day_number(ticket.created_at)))

    @property
    def key(self) -> str:
        """A short string naming the tally (a SQLite column, part of a Redis set's name): letters, digits, `|_-`."""
        return f"{self.request_type}|{self.lang}|{self.status}|{self.created_week}"

    @classmethod
    def parse(cls, key: str) -> "TicketTally":
        """Inverse of `key`. Raises ValueError for a string that is not one."""
        return _parse_ticket_tally(key)


@dataclass(frozen=True)
class ClosedTally:
    """Where a closed ticket counts by when it was closed: language, the week it was closed, the whole days (Japan-time
    dates) from opening to closing, capped at `MAX_DAYS`, and whether it was closed by its due date."""

    lang: str
    closed_week: int
    days: int
    on_time: bool

    @classmethod
    def of(cls, ticket: Ticket) -> "ClosedTally | None":
        """None while the ticket is open."""
        if ticket.status not in CLOSED_STATUSES or ticket.closed_at is None:
            return None
        closed = day_number(ticket.closed_at)
        return cls(ticket.lang, week_start(closed), min(max(closed - day_number(ticket.created_at), 0), MAX_DAYS),
                   ticket.closed_at <= ticket.due_at)

    @property
    def key(self) -> str:
        return f"{self.lang}|{self.closed_week}|{self.days}|{int(self.on_time)}"

    @classmethod
    def parse(cls, key: str) -> "ClosedTally":
        return _parse_closed_tally(key)


# Tallies are immutable and their keys repeat from one read to the next (a few thousand a year): parsed once each, a
# read of the counts costs dictionary look-ups rather than thousands of string checks.
@lru_cache(maxsize=1 << 16)
def _parse_ticket_tally(key: str) -> TicketTally:
    request_type, lang, status, created = _parts(key, 4, "ticket tally")
    if request_type not in REQUEST_TYPES or status not in STATUSES or not _LANG.fullmatch(lang):
        raise ValueError(f"not a ticket tally: {key[:80]!r}")
    return TicketTally(request_type, lang, status, int(created))


@lru_cache(maxsize=1 << 16)
def _parse_closed_tally(key: str) -> ClosedTally:
    lang, closed, days, on_time = _parts(key, 4, "closed tally")
    if not _LANG.fullmatch(lang) or on_time not in ("0", "1"):
        raise ValueError(f"not a closed tally: {key[:80]!r}")
    return ClosedTally(lang, int(closed), int(days), on_time == "1")


def closed_key(ticket: Ticket) -> str | None:
    tally = ClosedTally.of(ticket)
    return tally.key if tally is not None else None


def tally_counts(tickets: "list[Ticket]") -> tuple[dict[TicketTally, int], dict[ClosedTally, int]]:
    """What `ticket_tallies()` and `closed_tallies()` must return for these tickets (the contract tests' oracle)."""
    opened: dict[TicketTally, int] = {}
    closed: dict[ClosedTally, int] = {}
    for ticket in tickets:
        tally = TicketTally.of(ticket)
        opened[tally] = opened.get(tally, 0) + 1
        done = ClosedTally.of(ticket)
        if done is not None:
            closed[done] = closed.get(done, 0) + 1
    return opened, closed


_FRONTENDS_SEEN: set[str] = set()  # front-end names already validated (a handful): skip the regex for them


@dataclass(frozen=True)
class DecisionTally:
    """One cell of the decision counts: a Japan-time week (its Monday, as a day number), the decision kind, the cited
    article (None: no article), the reply language and the front end. Weekly cells keep a year of counts to a few
    thousand rows, which the analytics page reads in milliseconds."""

    week: int
    kind: str
    article: int | None
    lang: str
    frontend: str

    def __post_init__(self) -> None:
        if self.kind not in DECISION_KINDS:
            raise ValueError(f"decision kind must be one of {list(DECISION_KINDS)}, got {self.kind!r}")
        if self.article is not None and not (isinstance(self.article, int) and 1 <= self.article <= 99):
            raise ValueError(f"article must be 1-99 or None, got {self.article!r}")
        if not (len(self.lang) == 2 and self.lang.isascii() and self.lang.isalpha() and self.lang.islower()):
            raise ValueError(f"language must be a two-letter code, got {self.lang!r}")
        if self.frontend not in _FRONTENDS_SEEN:
            if not _CHANNEL.fullmatch(self.frontend):
                raise ValueError(f"front end must be a short lowercase name, got {self.frontend!r}")
            _FRONTENDS_SEEN.add(self.frontend)
        if week_start(self.week) != self.week:
            raise ValueError(f"week must be a Monday's day number, got {self.week!r}")

    @classmethod
    def at(cls, t: float, kind: str, article: int | None, lang: str, frontend: str) -> "DecisionTally":
        """The cell of a reply given at epoch seconds `t`."""
        return cls(week_start(day_number(t)), kind, article, lang, frontend)

    @property
    def field(self) -> str:
        """The week-less part as one string (a Redis hash field): `kind|article|lang|frontend`, article 0 for none."""
        return f"{self.kind}|{self.article or 0}|{self.lang}|{self.frontend}"

    @classmethod
    def from_field(cls, week: int, field: str) -> "DecisionTally":
        kind, article, lang, frontend = field.split("|")
        return decision_tally(week, kind, int(article) or None, lang, frontend)


@lru_cache(maxsize=1 << 16)
def decision_tally(week: int, kind: str, article: int | None, lang: str, frontend: str) -> DecisionTally:
    """`DecisionTally(...)`, remembered: stores read the same few thousand cells again and again."""
    return DecisionTally(week, kind, article, lang, frontend)


def check_decision_counts(counts: Mapping[DecisionTally, int]) -> None:
    """Raise ValueError unless every count is a positive whole number (the tallies validated themselves)."""
    for tally, n in counts.items():
        if not isinstance(tally, DecisionTally) or not isinstance(n, int) or n < 1:
            raise ValueError(f"decision counts must be positive integers per DecisionTally, got {n!r}")


@runtime_checkable
class AnalyticsStore(Protocol):
    """Counts for the analytics page and `/metrics`. Every method raises StoreUnavailable when the backend fails."""

    def ticket_tallies(self) -> dict[TicketTally, int]:
        """How many tickets are in each `TicketTally` right now (tallies with none are absent). Reads no ticket
        document: cheap enough for every metrics scrape with 100,000 tickets."""

    def closed_tallies(self) -> dict[ClosedTally, int]:
        """How many closed tickets are in each `ClosedTally` (tallies with none are absent)."""

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        """Add `counts` to the stored decision counts, all in one atomic step. Raises ValueError for a count that is
        not a positive integer (then nothing was added)."""

    def decision_counts(self, *, first_week: int, last_week: int) -> dict[DecisionTally, int]:
        """The stored counts of the weeks `first_week` to `last_week` (their Mondays' day numbers, both included)."""
