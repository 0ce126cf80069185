"""A small store with known analytics numbers, shared by the analytics page tests (TestClient and browser).

Four weeks from Monday 2026-06-01 (Japan time). Decisions and tickets are placed on purpose; `EXPECTED` holds what
the page must show for them, worked out by hand (not by the code under test)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from handoff.analytics import AnalyticsStore, DecisionTally, date_day, week_start
from handoff.store import Store
from handoff.tickets import Contact, Requester, TicketDraft

JST = timezone(timedelta(hours=9))
PERIOD = "from=2026-06-01&to=2026-06-28"


def at(day: str, hour: int = 10) -> float:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=JST).timestamp()


def _day(day: str) -> int:
    return date_day(datetime.fromisoformat(day).date())


def _draft(n: int, request_type: str, lang: str, frontend: str = "web") -> TicketDraft:
    return TicketDraft(request_type=request_type, lang=lang,
                       requester=Requester(frontend, "U1" if frontend == "slack" else None, f"seed-{n}"),
                       contact=Contact(name=f"Seed Person {n}", email=f"seed{n}@example.com"))


def seed(store: Store) -> None:
    decisions: AnalyticsStore = store
    d2, d10 = week_start(_day("2026-06-02")), week_start(_day("2026-06-10"))  # the weeks of June 1 and June 8
    decisions.add_decisions({
        DecisionTally(d2, "answer", 7, "en", "web"): 5, DecisionTally(d2, "answer", 12, "ja", "web"): 2,
        DecisionTally(d2, "fallback", None, "en", "web"): 2, DecisionTally(d2, "out_of_scope", None, "en", "slack"): 1,
        DecisionTally(d2, "smalltalk", None, "en", "web"): 3,
        DecisionTally(d10, "answer", 7, "en", "web"): 4, DecisionTally(d10, "fallback", None, "ja", "web"): 1,
    })
    t1 = store.create_ticket(_draft(1, "disclosure", "en"), idempotency_key="seed-1", now=at("2026-06-01"))
    store.update_status(t1.reference, "resolved", actor="alice", now=at("2026-06-03"))
    t2 = store.create_ticket(_draft(2, "correction", "ja"), idempotency_key="seed-2", now=at("2026-06-02"))
    store.update_status(t2.reference, "rejected", actor="alice", now=at("2026-06-20"), note="not untrue",
                        rejection_ground="identity_not_confirmed")
    store.create_ticket(_draft(3, "inquiry", "en", "slack"), idempotency_key="seed-3", now=at("2026-06-09"))
    t4 = store.create_ticket(_draft(4, "disclosure", "en"), idempotency_key="seed-4", now=at("2026-06-09"))
    store.update_status(t4.reference, "resolved", actor="alice", now=at("2026-06-10"))
    t5 = store.create_ticket(_draft(5, "suspension", "en"), idempotency_key="seed-5", now=at("2026-05-20"))
    store.update_status(t5.reference, "resolved", actor="alice", now=at("2026-06-02"))


#: Table rows as the page shows them (first cell, then the numbers), for PERIOD and all languages.
EXPECTED = {
    "headline": {"messages": "18", "dead_end_rate": "16.7%", "requests": "4", "closed": "4", "on_time_share": "75.0%"},
    "questions": {"2026-06-01": {"7": "5", "12": "2", "total": "7"}, "2026-06-08": {"7": "4", "total": "4"},
                  "2026-06-15": {"total": "0"}},
    "dead_ends": {"2026-06-01": ["13", "2", "1", "15.4%", "7.7%"], "2026-06-08": ["5", "1", "0", "20.0%", "0.0%"],
                  "2026-06-22": ["0", "0", "0", "–", "–"]},
    "requests": {"disclosure": ["0", "2", "0", "2"], "correction": ["0", "0", "1", "1"],
                 "inquiry": ["1", "0", "0", "1"], "suspension": ["0", "0", "0", "0"]},
    "resolution": {"1 day": ["1", "0", "1"], "2–3 days": ["1", "0", "1"], "8–14 days": ["1", "0", "1"],
                   "15–21 days": ["0", "1", "1"], "same day": ["0", "0", "0"]},
    "on_time": {"2026-06-01": ["2", "2", "100.0%"], "2026-06-08": ["1", "1", "100.0%"],
                "2026-06-15": ["1", "0", "0.0%"], "2026-06-22": ["0", "0", "–"]},
}
