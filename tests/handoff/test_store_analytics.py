"""The analytics contract (`handoff.analytics.AnalyticsStore`), on a real SQLite file and a real redis-server."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from handoff_testkit import DAY, NOW, PREFIX, RedisServerLike, draft

from handoff.analytics import DecisionTally, TicketTally, day_number, tally_counts, week_start
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s: Store = SQLiteStore.in_dir(tmp_path / "data")
    else:
        server: RedisServerLike = request.getfixturevalue("redis_server")
        s = RedisStore.from_url(server.url, prefix=PREFIX)
    yield s
    s.close()


def _all(store: Store) -> list:  # type: ignore[type-arg]
    return store.list_tickets(limit=10_000)


def test_tallies_follow_every_ticket_change(store: Store) -> None:
    assert store.ticket_tallies() == {}
    a = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    b = store.create_ticket(draft(2, request_type="correction", frontend="slack", user_id="U1"),
                            idempotency_key="b", now=NOW + 3 * DAY)
    store.create_ticket(draft(3), idempotency_key="c", now=NOW + 8 * DAY)
    assert store.ticket_tallies() == tally_counts(_all(store))
    assert sum(store.ticket_tallies().values()) == 3

    store.claim(a.reference, actor="alice", now=NOW + DAY)
    store.update_status(a.reference, "resolved", actor="alice", now=NOW + 2 * DAY)  # on time, 2 days
    store.update_status(b.reference, "rejected", actor="bob", now=NOW + 20 * DAY, note="no",
                        rejection_ground="identity_not_confirmed")  # late: due after 14 days
    store.purge(0, now=NOW + 30 * DAY)  # purge keeps what a tally is made of
    tallies = store.ticket_tallies()
    assert tallies == tally_counts(_all(store))
    closed = {t: n for t, n in tallies.items() if t.closed_week is not None}
    resolved = TicketTally("disclosure", "en", "web", "resolved", week_start(day_number(NOW)),
                           week_start(day_number(NOW + 2 * DAY)), 2, True)
    rejected = TicketTally("correction", "en", "slack", "rejected", week_start(day_number(NOW + 3 * DAY)),
                           week_start(day_number(NOW + 20 * DAY)), 17, False)
    assert closed == {resolved: 1, rejected: 1}
    assert TicketTally.parse(resolved.key) == resolved and TicketTally.parse(rejected.key) == rejected


def test_tallies_are_counts_not_documents(store: Store) -> None:
    for n in range(40):
        store.create_ticket(draft(n, request_type=("disclosure", "inquiry")[n % 2]), idempotency_key=f"k{n}",
                            now=NOW + n * 3600)
    tallies = store.ticket_tallies()
    assert sum(tallies.values()) == 40
    assert {t.request_type: n for t, n in tallies.items()} == {"disclosure": 20, "inquiry": 20}


def test_decision_counts_add_up_by_day(store: Store) -> None:
    day = day_number(NOW)
    answer = DecisionTally(day, "answer", 7, "en", "web")
    oos = DecisionTally(day, "out_of_scope", None, "ja", "slack")
    store.add_decisions({answer: 3, oos: 1})
    store.add_decisions({answer: 2, DecisionTally(day + 1, "fallback", None, "en", "web"): 4})
    store.add_decisions({})
    assert store.decision_counts(first_day=day, last_day=day) == {answer: 5, oos: 1}
    assert store.decision_counts(first_day=day, last_day=day + 1) == {
        answer: 5, oos: 1, DecisionTally(day + 1, "fallback", None, "en", "web"): 4}
    assert store.decision_counts(first_day=day + 2, last_day=day + 9) == {}


def test_decision_counts_refuse_bad_values(store: Store) -> None:
    day = day_number(NOW)
    with pytest.raises(ValueError):
        store.add_decisions({DecisionTally(day, "answer", 7, "en", "web"): 0})
    with pytest.raises(ValueError):
        DecisionTally(day, "guess", 7, "en", "web")
    with pytest.raises(ValueError):
        DecisionTally(day, "answer", 7, "english", "web")
    assert store.decision_counts(first_day=day, last_day=day) == {}


def test_sqlite_file_from_before_tallies_is_migrated(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    ticket = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    store.close()
    with sqlite3.connect(tmp_path / "privacy-bot.sqlite3") as db:  # as an older version left it
        db.execute("DROP INDEX tickets_tally")
        db.execute("ALTER TABLE tickets DROP COLUMN tally")
    store = SQLiteStore.in_dir(tmp_path)
    assert store.ticket_tallies() == {TicketTally.of(ticket): 1}
    store.close()


@pytest.mark.redis
def test_redis_tickets_from_before_tallies_are_counted_once(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    old = store.create_ticket(draft(1), idempotency_key="a", now=NOW)
    store.create_ticket(draft(2), idempotency_key="b", now=NOW)
    r = store._r
    # As an older version left Redis: no tally sets, no registry.
    for name in r.smembers(store.keys.tallies):
        r.delete(store.keys.tally(name))
    r.delete(store.keys.tallies)
    doc = json.loads(r.hget(store.keys.tickets, old.reference))
    assert doc["status"] == "new"
    assert store.ticket_tallies() == tally_counts(_all(store))
    assert sum(store.ticket_tallies().values()) == 2  # built once; a second read does not add them again
    store.close()
