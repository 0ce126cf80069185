"""kill -9 of redis-server while tickets are being written: every acknowledged ticket survives the restart.

The server runs with appendonly yes and appendfsync always, so Redis fsyncs each script's effects before it
replies; a ticket the store acknowledged must be on disk, whole, with its index entries and idempotency key.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
import redis
from handoff_testkit import NOW, PREFIX, RedisServerLike, draft

from handoff.redis.layout import RedisKeys
from handoff.redis.store import RedisStore
from handoff.store import StoreUnavailable
from handoff.tickets import Ticket


@pytest.mark.redis
@pytest.mark.slow
def test_acknowledged_tickets_survive_kill_9(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX, socket_timeout=2, connect_timeout=1)
    acked: list[Ticket] = []
    updated: dict[str, Ticket] = {}
    in_flight: list[str] = []  # idempotency key of a create the crash interrupted
    uncertain: list[str] = []  # reference of a ticket whose update the crash interrupted

    def writer() -> None:
        for i in range(100_000):
            key = f"form-{i}"
            try:
                ticket = store.create_ticket(draft(i), idempotency_key=key, now=NOW)
            except StoreUnavailable:
                in_flight.append(key)
                return
            acked.append(ticket)
            if i % 5 == 0:  # updates must survive too, not just inserts
                try:
                    updated[ticket.reference] = store.add_note(ticket.reference, actor="alice", text=f"n{i}",
                                                               now=NOW + 1)
                except StoreUnavailable:
                    uncertain.append(ticket.reference)
                    return

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 20
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    redis_server.kill()  # mid-stream: the writer is in the middle of some command right now
    thread.join(timeout=20)
    assert not thread.is_alive() and (in_flight or uncertain), "the writer should have hit the dead server"
    assert len(acked) >= 60

    redis_server.start()  # same port and directory: replays the append-only file
    for ticket in acked:
        stored = store.get_ticket(ticket.reference)
        if ticket.reference in uncertain:  # the note may have landed before the kill; nothing else may differ
            assert stored == ticket or (replace(stored, events=ticket.events, updated_at=NOW, version=1) == ticket
                                        and stored.events[:-1] == ticket.events)
        else:
            assert stored == updated.get(ticket.reference, ticket)

    # Nothing half-written: every stored ticket has its idempotency key and index entry, the counter matches.
    keys, raw = RedisKeys(PREFIX), redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        refs = set(raw.hkeys(keys.tickets))
        assert set(raw.hvals(keys.idem)) == refs
        assert raw.smembers(keys.status("new")) | raw.smembers(keys.status("in_progress")) == refs
        assert int(raw.hget(keys.seq, "2026") or 0) == len(refs)
    finally:
        raw.close()

    # A create in flight at the crash may or may not have landed; retrying it yields exactly one ticket.
    expected = len(acked)
    if in_flight:
        retried = store.create_ticket(draft(len(acked)), idempotency_key=in_flight[0], now=NOW)
        assert store.create_ticket(draft(len(acked)), idempotency_key=in_flight[0], now=NOW) == retried
        expected += 1
    assert len(store.list_tickets(limit=1000)) == expected
    store.close()
