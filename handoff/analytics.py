"""What the stores keep for analytics and metrics: counts, never text.

Two records, both free of personal data and identical in both backends (`tests/handoff/test_store_analytics.py`):

* **Ticket tallies.** Every ticket falls in exactly one `TicketTally`: request type, language, channel (the front end
  or `mail`/`phone`), status, the Japan-time week it was created, and once closed the week it was closed, the whole
  days it took and whether that was by its due date. A ticket's tally is derived from the ticket on every write, in
  the same atomic step (a column in SQLite, an index set in Redis), so the counts can never disagree with the tickets.
  `ticket_tallies()` returns how many tickets each tally has: a few thousand rows for 100,000 tickets, which is what
  lets the analytics page and `/metrics` stay fast without reading a single ticket document.
* **Decision counts.** How many messages got each decision (`DECISION_KINDS`: answer, clarify, request, fallback,
  out_of_scope, smalltalk), per Japan-time day, cited article, language and front end. Message text is never part of
  it; `bot.engine.decisions.DecisionRecorder` buffers them and adds them in batches.

Days and weeks are Japan time (the company's), counted as whole days since 1970-01-01 JST; weeks start on Monday.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Protocol, runtime_checkable

from handoff.tickets import CLOSED_STATUSES, REQUEST_TYPES, STATUSES, Ticket

JST_OFFSET = 9 * 3600
DAY = 86400
#: `Decision` kinds counted: the `classify` decisions, with a fallback on an out-of-scope support topic counted apart.
DECISION_KINDS: tuple[str, ...] = ("answer", "clarify", "request", "fallback", "out_of_scope", "smalltalk")
#: Days to close are counted up to this; slower tickets share the last bucket.
MAX_DAYS = 90
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


@dataclass(frozen=True)
class TicketTally:
    """The analytics bucket of one ticket. `closed_week`, `days` and `on_time` are None while it is open."""

    request_type: str
    lang: str
    channel: str
    status: str
    created_week: int
    closed_week: int | None = None
    days: int | None = None
    on_time: bool | None = None

    @classmethod
    def of(cls, ticket: Ticket) -> "TicketTally":
        created = day_number(ticket.created_at)
        if ticket.status in CLOSED_STATUSES and ticket.closed_at is not None:
            closed = day_number(ticket.closed_at)
            return cls(ticket.request_type, ticket.lang, ticket.requester.frontend, ticket.status, week_start(created),
                       week_start(closed), min(max(closed - created, 0), MAX_DAYS), ticket.closed_at <= ticket.due_at)
        return cls(ticket.request_type, ticket.lang, ticket.requester.frontend, ticket.status, week_start(created))

    @property
    def key(self) -> str:
        """A short string naming the tally (the SQLite column, part of the Redis set's name): letters, digits, `|._-`."""
        closed = "" if self.closed_week is None else str(self.closed_week)
        days = "" if self.days is None else str(self.days)
        on_time = "" if self.on_time is None else str(int(self.on_time))
        return "|".join((self.request_type, self.lang, self.channel, self.status, str(self.created_week), closed,
                         days, on_time))

    @classmethod
    def parse(cls, key: str) -> "TicketTally":
        """Inverse of `key`. Raises ValueError for a string that is not one."""
        parts = key.split("|")
        if len(parts) != 8:
            raise ValueError(f"not a ticket tally: {key[:80]!r}")
        rtype, lang, channel, status, created, closed, days, on_time = parts
        if rtype not in REQUEST_TYPES or status not in STATUSES or not _LANG.fullmatch(lang) \
                or not _CHANNEL.fullmatch(channel) or on_time not in ("", "0", "1"):
            raise ValueError(f"not a ticket tally: {key[:80]!r}")
        return cls(rtype, lang, channel, status, int(created), int(closed) if closed else None,
                   int(days) if days else None, None if on_time == "" else on_time == "1")


def tally_counts(tickets: "list[Ticket]") -> dict[TicketTally, int]:
    """What `ticket_tallies()` must return for these tickets (the contract tests compare against it)."""
    counts: dict[TicketTally, int] = {}
    for ticket in tickets:
        tally = TicketTally.of(ticket)
        counts[tally] = counts.get(tally, 0) + 1
    return counts


@dataclass(frozen=True)
class DecisionTally:
    """One cell of the decision counts: a Japan-time day, the decision kind, the cited article (None: no article),
    the reply language and the front end."""

    day: int
    kind: str
    article: int | None
    lang: str
    frontend: str

    def __post_init__(self) -> None:
        if self.kind not in DECISION_KINDS:
            raise ValueError(f"decision kind must be one of {list(DECISION_KINDS)}, got {self.kind!r}")
        if self.article is not None and not 1 <= self.article <= 99:
            raise ValueError(f"article must be 1-99 or None, got {self.article!r}")
        if not _LANG.fullmatch(self.lang):
            raise ValueError(f"language must be a two-letter code, got {self.lang!r}")
        if not _CHANNEL.fullmatch(self.frontend):
            raise ValueError(f"front end must be a short lowercase name, got {self.frontend!r}")

    @property
    def field(self) -> str:
        """The day-less part as one string (a Redis hash field): `kind|article|lang|frontend`, article 0 for none."""
        return f"{self.kind}|{self.article or 0}|{self.lang}|{self.frontend}"

    @classmethod
    def from_field(cls, day: int, field: str) -> "DecisionTally":
        kind, article, lang, frontend = field.split("|")
        return cls(day, kind, int(article) or None, lang, frontend)


def check_decision_counts(counts: Mapping[DecisionTally, int]) -> None:
    """Raise ValueError unless every count is a positive whole number (the tallies validated themselves)."""
    for tally, n in counts.items():
        if not isinstance(tally, DecisionTally) or not isinstance(n, int) or n < 1:
            raise ValueError(f"decision counts must be positive integers per DecisionTally, got {n!r}")


@runtime_checkable
class AnalyticsStore(Protocol):
    """Counts for the analytics page and `/metrics`. Every method raises StoreUnavailable when the backend fails."""

    def ticket_tallies(self) -> dict[TicketTally, int]:
        """How many tickets are in each tally right now (tallies with none are absent). Reads no ticket document:
        cheap enough for every metrics scrape with 100,000 tickets."""

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        """Add `counts` to the stored decision counts, all in one atomic step. Raises ValueError for a count that is
        not a positive integer (then nothing was added)."""

    def decision_counts(self, *, first_day: int, last_day: int) -> dict[DecisionTally, int]:
        """The stored counts of the days `first_day` to `last_day` (both included)."""
