"""No loss, no duplicates: several processes create tickets in the same store at the same moment.

Workers are separate interpreters (multiprocessing "spawn"), each with its own store object and connections,
like several web workers sharing one SQLite file or one Redis. A barrier releases them together.
"""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest
from handoff_testkit import NOW, RedisServerLike, draft, open_store

from handoff.references import format_reference, reference_order
from handoff.sqlite.store import SQLiteStore

PROCESSES = 8
PER_PROCESS = 50


def _create_many(backend: str, location: str, worker: int, count: int, same_key: bool,
                 barrier: Any, results: Any) -> None:
    """Worker: create `count` tickets (or retry one shared key) and report every acknowledged reference."""
    acked: list[str] = []
    error = None
    try:
        # SQLite: a wait for the write lock as long as the test's own deadline. Eight processes queue for one lock;
        # on a loaded machine (the suite runs on two workers) the store's 5 s default can run out, which would be a
        # refusal ("store unavailable"), not the loss or duplicate this test looks for.
        store = (SQLiteStore.in_dir(Path(location), busy_timeout_ms=60_000) if backend == "sqlite"
                 else open_store(backend, location))
        try:
            barrier.wait(timeout=60)
            for i in range(count):
                key = "shared-form" if same_key else f"w{worker}-{i}"
                requester_n = 0 if same_key else worker
                acked.append(store.create_ticket(draft(requester_n), idempotency_key=key, now=NOW).reference)
        finally:
            store.close()
    except BaseException as exc:  # reported to the parent, which fails the test with it
        error = repr(exc)
    results.put((worker, acked, error))


def _run(backend: str, location: str, count: int, *, same_key: bool = False) -> dict[int, list[str]]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_create_many, args=(backend, location, w, count, same_key, barrier, results))
             for w in range(PROCESSES)]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
    errors = [(w, e) for w, _, e in reports if e]
    assert errors == [], errors
    return {w: acked for w, acked, _ in reports}


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        open_store("sqlite", str(tmp_path)).close()  # create the schema once, as the app's start-up does
        return "sqlite", str(tmp_path)
    server: RedisServerLike = request.getfixturevalue("redis_server")
    return "redis", server.url


@pytest.mark.slow
def test_eight_processes_create_400_distinct_tickets(location: tuple[str, str]) -> None:
    backend, where = location
    acked = _run(backend, where, PER_PROCESS)
    every = [ref for refs in acked.values() for ref in refs]
    assert len(every) == PROCESSES * PER_PROCESS and len(set(every)) == len(every)
    # Allocation is atomic with the insert and nothing failed, so there is no gap anywhere ...
    assert sorted(every, key=reference_order) == [format_reference(2026, n) for n in range(1, 401)]
    # ... each process saw its own references increase ...
    for refs in acked.values():
        assert refs == sorted(refs, key=reference_order)
    # ... and every acknowledged ticket is there, belonging to the process that created it.
    store = open_store(backend, where)
    try:
        stored = {t.reference: t for t in store.list_tickets(limit=1000)}
        assert set(stored) == set(every)
        for worker, refs in acked.items():
            assert all(stored[r].requester.session_id == f"session-{worker}" for r in refs)
    finally:
        store.close()


@pytest.mark.slow
def test_concurrent_retries_of_one_form_make_one_ticket(location: tuple[str, str]) -> None:
    backend, where = location
    acked = _run(backend, where, 3, same_key=True)
    assert {ref for refs in acked.values() for ref in refs} == {"PRQ-2026-000001"}
    store = open_store(backend, where)
    try:
        assert [t.reference for t in store.list_tickets()] == ["PRQ-2026-000001"]
    finally:
        store.close()
