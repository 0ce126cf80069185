"""The analytics page (`/admin/analytics`): what the counts in the store say, as tables, charts and CSV.

Everything comes from the store's counts (`handoff.analytics`): decision counts per day and ticket tallies. No
message text and no ticket document is read, which is what keeps the page fast with 100,000 tickets
(benchmarks/analytics_page.py). Periods are whole weeks, Monday to Sunday in Japan time; a ticket counts in the
requests table by the week it was created and in the resolution tables by the week it was closed.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Mapping

from handoff.analytics import (
    AnalyticsStore, ClosedTally, DecisionTally, TicketTally, date_day, day_date, day_number, week_start,
)
from handoff.tickets import CLOSED_STATUSES, REQUEST_TYPES

#: Period presets offered on the page (weeks ending with the current one); the default is the first.
PRESETS = (12, 4, 26, 52)
MAX_WEEKS = 104
LANGS = ("en", "ja")
ARTICLES = tuple(range(1, 15))
OUTCOMES = ("open", "resolved", "rejected")
#: Days-to-close buckets of the resolution table: (first day, last day or None, label).
DAY_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "same day"), (1, 1, "1 day"), (2, 3, "2–3 days"), (4, 7, "4–7 days"), (8, 14, "8–14 days"),
    (15, 21, "15–21 days"), (22, 30, "22–30 days"), (31, None, "31+ days"),
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Filters:
    """A period of whole weeks (`first_week`, `last_week`: the Mondays, as day numbers) and a language or None."""

    first_week: int
    last_week: int
    lang: str | None = None

    @property
    def weeks(self) -> list[int]:
        return list(range(self.first_week, self.last_week + 1, 7))

    @property
    def first_date(self) -> date:
        return day_date(self.first_week)

    @property
    def last_date(self) -> date:
        return day_date(self.last_week + 6)

    def query(self) -> str:
        """The query string that selects these filters again (for the CSV links)."""
        return f"from={self.first_date.isoformat()}&to={self.last_date.isoformat()}&lang={self.lang or 'all'}"

    @classmethod
    def parse(cls, params: Mapping[str, str], *, now: float) -> tuple["Filters", list[str]]:
        """Filters from the query string; anything malformed falls back to the default with a message saying so.
        `weeks=N` picks the N weeks ending this week; `from`/`to` (YYYY-MM-DD) pick the weeks containing them."""
        problems: list[str] = []
        this_week = week_start(day_number(now))
        lang = params.get("lang", "all")
        if lang not in (*LANGS, "all"):
            problems.append("Unknown language: showing all languages.")
            lang = "all"
        weeks = PRESETS[0]
        if params.get("weeks", "").isdigit() and 1 <= int(params["weeks"]) <= MAX_WEEKS:
            weeks = int(params["weeks"])
        elif params.get("weeks"):
            problems.append(f"The number of weeks must be 1–{MAX_WEEKS}: showing {weeks}.")
        first, last = this_week - 7 * (weeks - 1), this_week
        start, end = _day(params.get("from")), _day(params.get("to"))
        if (params.get("from") and start is None) or (params.get("to") and end is None):
            problems.append("Dates are written YYYY-MM-DD: showing the default period.")
        elif start is not None or end is not None:
            last = week_start(end) if end is not None else this_week
            first = week_start(start) if start is not None else last - 7 * (weeks - 1)
            if first > last:
                first, last = last, first
            if (last - first) // 7 + 1 > MAX_WEEKS:
                problems.append(f"At most {MAX_WEEKS} weeks at a time: showing the last {MAX_WEEKS} of them.")
                first = last - 7 * (MAX_WEEKS - 1)
        return cls(first, last, None if lang == "all" else lang), problems


def _day(value: str | None) -> int | None:
    if not value or not _DATE.fullmatch(value):
        return None
    try:
        return date_day(date.fromisoformat(value))
    except ValueError:
        return None


@dataclass
class Table:
    """One table of the page (and its CSV): a heading row and rows of labels and numbers."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[str | int]] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue()


@dataclass
class Report:
    """The page's numbers: headline figures and the tables the charts are drawn from."""

    filters: Filters
    sla_days: int
    tables: dict[str, Table]
    headline: dict[str, str]


def week_label(week: int) -> str:
    return day_date(week).isoformat()


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def build_report(store: AnalyticsStore, filters: Filters, *, sla_days: int) -> Report:
    decisions = store.decision_counts(first_week=filters.first_week, last_week=filters.last_week)
    tallies = store.ticket_tallies()
    closed = store.closed_tallies()
    if filters.lang is not None:
        decisions = {t: n for t, n in decisions.items() if t.lang == filters.lang}
        tallies = {t: n for t, n in tallies.items() if t.lang == filters.lang}
        closed = {t: n for t, n in closed.items() if t.lang == filters.lang}
    closed = {t: n for t, n in closed.items() if filters.first_week <= t.closed_week <= filters.last_week}
    tables = {t.name: t for t in (
        _questions(decisions, filters), _dead_ends(decisions, filters), _requests(tallies, filters),
        _resolution(closed), _on_time(closed, filters),
    )}
    messages = sum(decisions.values())
    dead = sum(n for t, n in decisions.items() if t.kind == "fallback")
    opened = sum(int(r[-1]) for r in tables["requests"].rows)
    done = sum(int(r[1]) for r in tables["on_time"].rows)
    on_time = sum(int(r[2]) for r in tables["on_time"].rows)
    headline = {"messages": str(messages), "dead_end_rate": percent(dead, messages), "requests": str(opened),
                "closed": str(done), "on_time_share": percent(on_time, done)}
    return Report(filters, sla_days, tables, headline)


def _questions(decisions: Mapping[DecisionTally, int], filters: Filters) -> Table:
    table = Table("questions", "Questions answered per article per week", ["week", *map(str, ARTICLES), "total"])
    counts: dict[tuple[int, int], int] = {}
    for t, n in decisions.items():
        if t.kind == "answer" and t.article is not None:
            key = (t.week, t.article)
            counts[key] = counts.get(key, 0) + n
    for week in filters.weeks:
        row = [counts.get((week, a), 0) for a in ARTICLES]
        table.rows.append([week_label(week), *row, sum(row)])
    return table


def _dead_ends(decisions: Mapping[DecisionTally, int], filters: Filters) -> Table:
    table = Table("dead_ends", "Dead ends (fallback) per week",
                  ["week", "messages", "fallback", "out_of_scope", "dead_end_rate", "out_of_scope_rate"])
    per_week: dict[int, dict[str, int]] = {}
    for t, n in decisions.items():
        kinds = per_week.setdefault(t.week, {})
        kinds[t.kind] = kinds.get(t.kind, 0) + n
    for week in filters.weeks:
        kinds = per_week.get(week, {})
        total = sum(kinds.values())
        fallback, oos = kinds.get("fallback", 0), kinds.get("out_of_scope", 0)
        table.rows.append([week_label(week), total, fallback, oos, percent(fallback, total), percent(oos, total)])
    return table


def _outcome(status: str) -> str:
    return status if status in CLOSED_STATUSES else "open"


def _requests(tallies: Mapping[TicketTally, int], filters: Filters) -> Table:
    table = Table("requests", "Requests by type and outcome (opened in the period)",
                  ["request_type", *OUTCOMES, "total"])
    counts: dict[tuple[str, str], int] = {}
    for t, n in tallies.items():
        if filters.first_week <= t.created_week <= filters.last_week:
            key = (t.request_type, _outcome(t.status))
            counts[key] = counts.get(key, 0) + n
    for request_type in REQUEST_TYPES:
        row = [counts.get((request_type, o), 0) for o in OUTCOMES]
        table.rows.append([request_type, *row, sum(row)])
    return table


def _resolution(closed: Mapping[ClosedTally, int]) -> Table:
    table = Table("resolution", "Time to resolution against the due date (closed in the period)",
                  ["days_to_close", "on_time", "late", "total"])
    counts: dict[tuple[int, bool], int] = {}
    for t, n in closed.items():
        key = (bucket_of_day(t.days), t.on_time)
        counts[key] = counts.get(key, 0) + n
    for i, (_, _, label) in enumerate(DAY_BUCKETS):
        on_time, late = counts.get((i, True), 0), counts.get((i, False), 0)
        table.rows.append([label, on_time, late, on_time + late])
    return table


def _on_time(closed: Mapping[ClosedTally, int], filters: Filters) -> Table:
    table = Table("on_time", "Share closed by the due date, per week closed", ["week", "closed", "on_time", "share"])
    counts: dict[tuple[int, bool], int] = {}
    for t, n in closed.items():
        key = (t.closed_week, t.on_time)
        counts[key] = counts.get(key, 0) + n
    for week in filters.weeks:
        on_time, late = counts.get((week, True), 0), counts.get((week, False), 0)
        table.rows.append([week_label(week), on_time + late, on_time, percent(on_time, on_time + late)])
    return table


@lru_cache(maxsize=1024)
def bucket_of_day(days: int) -> int:
    """Index of the days-to-close bucket holding `days` (the due-date marker is drawn after it)."""
    return next(i for i, (lo, hi, _) in enumerate(DAY_BUCKETS) if days >= lo and (hi is None or days <= hi))
