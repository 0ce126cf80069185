"""The analytics contract (`handoff.analytics.AnalyticsStore`), on a real SQLite file and a real redis-server."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from handoff_testkit import BACKENDS, DAY, NOW, PREFIX, RedisServerLike, draft, store_of_each_backend

from handoff.analytics import ClosedTally, DecisionTally, TicketTally, day_number, tally_counts, week_start
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store


store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)


def _all(store: Store) -> list:  # type: ignore[type-arg]
    return store.list_tickets(limit=10_000)


def test_tallies_follow_every_ticket_change(store: Store) -> None:
    assert store.ticket_tallies() == {} and store.closed_tallies() == {}
    a = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    b = store.create_ticket(draft(2, request_type="correction", frontend="slack", user_id="U1"),
                            idempotency_key="b", now=NOW + 3 * DAY)
    store.create_ticket(draft(3), idempotency_key="c", now=NOW + 8 * DAY)
    assert (store.ticket_tallies(), store.closed_tallies()) == tally_counts(_all(store))
    assert sum(store.ticket_tallies().values()) == 3 and store.closed_tallies() == {}

    store.claim(a.reference, actor="alice", now=NOW + DAY)
    store.update_status(a.reference, "resolved", actor="alice", now=NOW + 2 * DAY)  # on time, 2 days
    store.update_status(b.reference, "rejected", actor="bob", now=NOW + 20 * DAY, note="no",
                        rejection_ground="identity_not_confirmed")  # late: due after 14 days
    store.purge(0, now=NOW + 30 * DAY)  # purge keeps what a tally is made of
    assert (store.ticket_tallies(), store.closed_tallies()) == tally_counts(_all(store))
    resolved = ClosedTally("en", week_start(day_number(NOW + 2 * DAY)), 2, True)
    rejected = ClosedTally("en", week_start(day_number(NOW + 20 * DAY)), 17, False)
    assert store.closed_tallies() == {resolved: 1, rejected: 1}
    assert ClosedTally.parse(resolved.key) == resolved and ClosedTally.parse(rejected.key) == rejected
    opened = TicketTally("correction", "en", "rejected", week_start(day_number(NOW + 3 * DAY)))
    assert store.ticket_tallies()[opened] == 1 and TicketTally.parse(opened.key) == opened


def test_tallies_are_counts_not_documents(store: Store) -> None:
    for n in range(40):
        store.create_ticket(draft(n, request_type=("disclosure", "inquiry")[n % 2]), idempotency_key=f"k{n}",
                            now=NOW + n * 3600)
    tallies = store.ticket_tallies()
    assert sum(tallies.values()) == 40
    assert {t.request_type: n for t, n in tallies.items()} == {"disclosure": 20, "inquiry": 20}
    assert len(tallies) == 2  # one week, one language, one status: counts, not a row per ticket


def test_decision_counts_add_up_by_week(store: Store) -> None:
    week = week_start(day_number(NOW))
    answer = DecisionTally(week, "answer", 7, "en", "web")
    oos = DecisionTally.at(NOW, "out_of_scope", None, "ja", "slack")
    later = DecisionTally.at(NOW + 7 * DAY, "fallback", None, "en", "web")
    assert later.week == week + 7 and oos.week == week
    store.add_decisions({answer: 3, oos: 1})
    store.add_decisions({answer: 2, later: 4})
    store.add_decisions({})
    assert store.decision_counts(first_week=week, last_week=week) == {answer: 5, oos: 1}
    assert store.decision_counts(first_week=week, last_week=week + 7) == {answer: 5, oos: 1, later: 4}
    assert store.decision_counts(first_week=week + 14, last_week=week + 63) == {}


def test_decision_counts_refuse_bad_values(store: Store) -> None:
    day = week_start(day_number(NOW))
    with pytest.raises(ValueError):
        store.add_decisions({DecisionTally(day, "answer", 7, "en", "web"): 0})
    with pytest.raises(ValueError):
        DecisionTally(day, "guess", 7, "en", "web")
    with pytest.raises(ValueError):
        DecisionTally(day, "answer", 7, "english", "web")
    with pytest.raises(ValueError):
        DecisionTally(day + 1, "answer", 7, "en", "web")  # not a Monday
    assert store.decision_counts(first_week=day, last_week=day) == {}


def test_sqlite_file_from_before_tallies_is_migrated(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    ticket = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    done = store.update_status(store.create_ticket(draft(2), idempotency_key="b", now=NOW).reference, "resolved",
                               actor="alice", now=NOW + DAY)
    store.close()
    with sqlite3.connect(tmp_path / "privacy-bot.sqlite3") as db:  # as the first tally version left it
        for trigger in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER tickets_tally_{trigger}")
        db.execute("DROP TABLE tally_counts")
        db.execute("ALTER TABLE tickets DROP COLUMN closed_tally")
        db.execute("UPDATE tickets SET tally = 'disclosure|en|web|new|20570||||'")
        db.execute("CREATE INDEX tickets_tally ON tickets (tally)")
    store = SQLiteStore.in_dir(tmp_path)
    assert store.ticket_tallies() == {TicketTally.of(ticket): 1, TicketTally.of(done): 1}
    assert store.closed_tallies() == {ClosedTally.of(done): 1}
    store.update_status(ticket.reference, "rejected", actor="alice", now=NOW + 2 * DAY, note="no",
                        rejection_ground="identity_not_confirmed")  # the triggers keep counting after the migration
    assert sum(store.closed_tallies().values()) == 2 and sum(store.ticket_tallies().values()) == 2
    store.close()
    with sqlite3.connect(tmp_path / "privacy-bot.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'tickets_tally'").fetchone() is None


@pytest.mark.redis
def test_redis_tickets_from_before_tallies_are_counted_once(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    old = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    done = store.create_ticket(draft(2), idempotency_key="b", now=NOW)
    store.update_status(done.reference, "resolved", actor="alice", now=NOW + DAY)
    r = store._r
    # As an older version left Redis: no tally sets, no registries.
    for name in r.smembers(store.keys.tallies):
        r.delete(store.keys.tally(name))
    for name in r.smembers(store.keys.closed_tallies):
        r.delete(store.keys.closed_tally(name))
    r.delete(store.keys.tallies, store.keys.closed_tallies)
    doc = json.loads(r.hget(store.keys.tickets, old.reference))
    assert doc["status"] == "new"
    assert (store.ticket_tallies(), store.closed_tallies()) == tally_counts(_all(store))
    assert sum(store.ticket_tallies().values()) == 2  # built once; a second read does not add them again
    assert sum(store.closed_tallies().values()) == 1
    store.close()


def test_due_by_finds_open_tickets_due_soon_and_overdue(store: Store) -> None:
    late = store.create_ticket(draft(1), idempotency_key="a", now=NOW - 20 * DAY)  # due NOW - 6 days
    soon = store.create_ticket(draft(2), idempotency_key="b", now=NOW - 12 * DAY)  # due NOW + 2 days
    store.create_ticket(draft(3), idempotency_key="c", now=NOW)  # due NOW + 14 days
    done = store.create_ticket(draft(4), idempotency_key="d", now=NOW - 12 * DAY)
    store.update_status(done.reference, "resolved", actor="alice", now=NOW - DAY)
    refs = lambda tickets: [t.reference for t in tickets]  # noqa: E731
    assert refs(store.list_tickets(due_by=NOW + 3 * DAY, now=NOW)) == [late.reference, soon.reference]
    assert refs(store.list_tickets(due_by=NOW + 3 * DAY, overdue=False, now=NOW)) == [soon.reference]
    assert refs(store.list_tickets(due_by=NOW + 3 * DAY, overdue=True, now=NOW)) == [late.reference]
    assert refs(store.list_tickets(due_by=NOW + 3 * DAY, now=NOW, limit=1, offset=1)) == [soon.reference]
