"""One contract, every backend: each test runs against a real SQLite file and a real redis-server."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, cast

import pytest
from handoff_testkit import BACKENDS, DAY, NOW, PREFIX, RedisServerLike, draft, store_of_each_backend

from handoff.accounts import UserAccount
from handoff.outbox import FAILED, PENDING, SENT, OutboxMessage, Routing, new_message
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import (
    IdempotencyConflict, OutboxNotFound, Store, StoreUnavailable, TicketNotFound, UserExists, UserNotFound,
)
from handoff.tickets import IllegalTransition, InvalidRejection, Requester, Ticket, TicketError


store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)


def test_implements_the_store_protocol(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.health().ok


def test_sessions_round_trip(store: Store) -> None:
    assert store.load_session("s1") is None
    store.save_session("s1", {"lang": "ja", "text": "日本語 ✓"}, 60)
    assert store.load_session("s1") == {"lang": "ja", "text": "日本語 ✓"}
    store.save_session("s1", {"lang": "en"}, 60)
    assert store.load_session("s1") == {"lang": "en"}
    store.delete_session("s1")
    store.delete_session("s1")
    assert store.load_session("s1") is None


def test_sessions_and_markers_expire(store: Store) -> None:
    store.save_session("short", {"n": 1}, 1)
    store.save_session("long", {"n": 2}, 60)
    assert store.mark_once("evt-1", 1) is True
    assert store.mark_once("evt-1", 1) is False
    assert store.mark_once("evt-2", 60) is True
    time.sleep(1.1)
    assert store.load_session("short") is None and store.load_session("long") == {"n": 2}
    assert store.mark_once("evt-1", 60) is True  # the mark expired
    assert store.mark_once("evt-2", 60) is False
    store.purge_expired()
    assert store.load_session("long") == {"n": 2}


def test_create_and_get(store: Store) -> None:
    created = store.create_ticket(draft(1), idempotency_key="k1", now=NOW)
    assert created.reference == "PRQ-2026-000001"
    assert (created.status, created.article, created.request_type) == ("new", 7, "disclosure")
    assert created.due_at == NOW + 14 * DAY and created.created_at == created.updated_at == NOW
    assert created.contact.email == "person1@example.com" and created.transcript[0].text == "send me my data"
    assert store.get_ticket(created.reference) == created
    with pytest.raises(TicketNotFound):
        store.get_ticket("PRQ-2026-999999")


def test_references_are_monotonic_per_japanese_year(store: Store) -> None:
    refs = [store.create_ticket(draft(i), idempotency_key=f"k{i}", now=NOW + i).reference for i in range(3)]
    assert refs == ["PRQ-2026-000001", "PRQ-2026-000002", "PRQ-2026-000003"]
    new_year_tokyo = 1798731000.0  # 2027-01-01 00:30 JST
    assert store.create_ticket(draft(9), idempotency_key="k9", now=new_year_tokyo).reference == "PRQ-2027-000001"
    assert store.create_ticket(draft(4), idempotency_key="k4", now=NOW).reference == "PRQ-2026-000004"


def test_same_idempotency_key_gives_the_same_ticket(store: Store) -> None:
    first = store.create_ticket(draft(1), idempotency_key="form-abc", now=NOW)
    again = store.create_ticket(draft(1), idempotency_key="form-abc", now=NOW + 5)
    assert again == first
    assert len(store.list_tickets()) == 1
    with pytest.raises(IdempotencyConflict):
        store.create_ticket(draft(2), idempotency_key="form-abc", now=NOW)
    assert store.create_ticket(draft(1), idempotency_key="form-def", now=NOW).reference == "PRQ-2026-000002"


def test_lifecycle_through_the_store(store: Store) -> None:
    ref = store.create_ticket(draft(), idempotency_key="k", now=NOW).reference
    store.update_status(ref, "in_progress", actor="alice", now=NOW + 1)
    store.update_status(ref, "waiting_on_requester", actor="alice", now=NOW + 2, note="asked for ID")
    store.update_status(ref, "in_progress", actor="alice", now=NOW + 3)
    done = store.update_status(ref, "resolved", actor="alice", now=NOW + 4)
    assert (done.status, done.closed_at, done.version) == ("resolved", NOW + 4, 5)
    with pytest.raises(IllegalTransition, match=f"cannot move {ref} from resolved to in_progress"):
        store.update_status(ref, "in_progress", actor="alice", now=NOW + 5)
    assert store.get_ticket(ref) == done  # the refused change left nothing behind


def test_rejection_needs_a_valid_ground_and_text(store: Store) -> None:
    ref = store.create_ticket(draft(), idempotency_key="k", now=NOW).reference
    with pytest.raises(InvalidRejection):
        store.update_status(ref, "rejected", actor="bob", now=NOW, note="no", rejection_ground="art6_1")
    with pytest.raises(InvalidRejection):
        store.update_status(ref, "rejected", actor="bob", now=NOW, rejection_ground="art7_1")
    assert store.get_ticket(ref).version == 1
    rejected = store.update_status(ref, "rejected", actor="bob", now=NOW + 1, note="harm to a third party",
                                   rejection_ground="art7_1")
    assert rejected.rejection is not None and rejected.rejection.ground == "art7_1"
    assert store.get_ticket(ref).rejection == rejected.rejection


def test_events_are_appended_in_order(store: Store) -> None:
    ref = store.create_ticket(draft(), idempotency_key="k", now=NOW).reference
    seen = store.get_ticket(ref).events
    steps: list[Callable[[], Ticket]] = [
        lambda: store.claim(ref, actor="alice", now=NOW + 1),
        lambda: store.add_note(ref, actor="alice", text="checked CRM", now=NOW + 2),
        lambda: store.add_reply(ref, actor="alice", text="Please confirm your email.", now=NOW + 3),
        lambda: store.update_status(ref, "waiting_on_requester", actor="alice", now=NOW + 4),
    ]
    for step, op in enumerate(steps):
        after = op().events
        assert after[:len(seen)] == seen and len(after) > len(seen), step
        seen = after
    assert [e.action for e in seen] == ["created", "claimed", "status", "note", "reply", "status"]
    assert store.get_ticket(ref).events == seen


def test_concurrent_updates_lose_no_event(store: Store) -> None:
    ref = store.create_ticket(draft(), idempotency_key="k", now=NOW).reference
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                store.add_note(ref, actor=f"staff{n}", text=f"note {n}-{i}", now=NOW + i)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = store.get_ticket(ref)
    assert sorted(e.text for e in final.events if e.action == "note") == sorted(
        f"note {n}-{i}" for n in range(6) for i in range(10))
    assert final.version == 61


def test_claim_note_and_reply_outbox(store: Store) -> None:
    web = Requester("web", None, "sess-1")
    ref = store.create_ticket(draft(session_id="sess-1"), idempotency_key="k", now=NOW).reference
    claimed = store.claim(ref, actor="alice", now=NOW + 1)
    assert (claimed.assignee, claimed.status) == ("alice", "in_progress")
    assert store.claim(ref, actor="bob", now=NOW + 2).assignee == "bob"
    assert store.add_note(ref, actor="bob", text="internal only", now=NOW + 3).events[-1].text == "internal only"
    with pytest.raises(TicketError):
        store.add_note(ref, actor="bob", text="  ", now=NOW + 3)
    assert store.pending_replies(web) == []
    store.add_reply(ref, actor="bob", text="Please send a copy of your ID.", now=NOW + 4)
    store.add_reply(ref, actor="bob", text="Thank you.", now=NOW + 5)
    pending = store.pending_replies(web)
    assert [(p.reference, p.reply.id, p.reply.text) for p in pending] == [
        (ref, 1, "Please send a copy of your ID."), (ref, 2, "Thank you.")]
    assert store.pending_replies(Requester("web", None, "sess-2")) == []
    store.mark_replies_delivered(ref, [1, 2], now=NOW + 6)
    store.mark_replies_delivered(ref, [1, 2], now=NOW + 7)  # a repeated delivery is harmless
    assert store.pending_replies(web) == []
    assert [r.delivered_at for r in store.get_ticket(ref).replies] == [NOW + 6, NOW + 6]
    with pytest.raises(TicketNotFound):
        store.claim("PRQ-2026-000404", actor="bob", now=NOW)


def test_list_filters_and_paging(store: Store) -> None:
    slack = Requester("slack", "U1", "D1")
    a = store.create_ticket(draft(1), idempotency_key="a", now=NOW).reference
    b = store.create_ticket(draft(2, request_type="correction"), idempotency_key="b", now=NOW + 1).reference
    c = store.create_ticket(draft(3, frontend="slack", user_id="U1", session_id="D1"), idempotency_key="c",
                            now=NOW + 10 * DAY).reference
    d = store.create_ticket(draft(4), idempotency_key="d", now=NOW + 2).reference
    store.claim(b, actor="alice", now=NOW + 3)
    store.update_status(d, "resolved", actor="alice", now=NOW + 4)

    def refs(**filters: object) -> list[str]:
        return [t.reference for t in store.list_tickets(**filters)]

    assert refs() == [a, b, c, d]
    assert refs(status="new") == [a, c]
    assert refs(status=["new", "resolved"]) == [a, c, d]
    assert refs(request_type="correction") == [b]
    assert refs(assignee="alice") == [b]
    assert refs(requester=slack) == [c]
    assert refs(requester=Requester("slack", "U2", "D1")) == []
    later = NOW + 15 * DAY  # a and b are past due, c (filed 10 days later) is not, d is closed
    assert refs(overdue=True, now=later) == [a, b]
    assert refs(overdue=False, now=later) == [c, d]
    assert refs(overdue=True, status="in_progress", now=later) == [b]
    assert refs(limit=2) == [a, b] and refs(limit=2, offset=2) == [c, d] and refs(offset=4) == []
    with pytest.raises(ValueError):
        store.list_tickets(status="open")
    with pytest.raises(ValueError):
        store.list_tickets(overdue=True)


def _reopen(store: Store, request: pytest.FixtureRequest) -> Store:
    """A second store over the same data (another process, or this one after a restart)."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    server: RedisServerLike = request.getfixturevalue("redis_server")
    return RedisStore.from_url(server.url, prefix=PREFIX)


def _keys(store: Store, reference: str) -> list[str]:
    return [m.key for m in store.outbox_for([reference]).get(reference, [])]


def test_a_new_ticket_writes_its_outbox_messages_with_it(store: Store) -> None:
    store.outbox_rules = Routing(staff=("slack", "email"), requester_email=True)
    ticket = store.create_ticket(draft(1), idempotency_key="k1", now=NOW)
    ref = ticket.reference
    assert _keys(store, ref) == [f"{ref}:receipt:email", f"{ref}:staff_alert:email", f"{ref}:staff_alert:slack"]
    alert = store.get_outbox(f"{ref}:staff_alert:slack")
    assert (alert.status, alert.attempts, alert.reference, alert.kind, alert.created_at) == (
        PENDING, 0, ref, "staff_alert", NOW)
    assert store.create_ticket(draft(1), idempotency_key="k1", now=NOW + 5) == ticket  # a retry enqueues nothing
    assert len(_keys(store, ref)) == 3 and store.outbox_counts() == {PENDING: 3, SENT: 0, FAILED: 0}
    other = store.create_ticket(draft(2), idempotency_key="k2", now=NOW).reference
    assert store.outbox_for([ref, other, "PRQ-2026-999999"]).keys() == {ref, other}


def test_ticket_changes_write_the_messages_they_cause(store: Store) -> None:
    store.outbox_rules = Routing(staff=("log",), requester_email=True)
    ref = store.create_ticket(draft(1), idempotency_key="k", now=NOW).reference
    store.add_note(ref, actor="alice", text="internal", now=NOW + 1)
    store.claim(ref, actor="alice", now=NOW + 2)  # new -> in_progress: version 3
    store.add_reply(ref, actor="alice", text="Please confirm.", now=NOW + 3)
    with pytest.raises(IllegalTransition):
        store.update_status(ref, "new", actor="alice", now=NOW + 4)
    store.update_status(ref, "resolved", actor="alice", now=NOW + 5)
    assert _keys(store, ref) == [f"{ref}:receipt:email", f"{ref}:staff_alert:log", f"{ref}:status:3:email",
                                 f"{ref}:reply:1:email", f"{ref}:outcome:5:email"]
    assert store.get_outbox(f"{ref}:reply:1:email").payload == {"reply": 1}
    assert store.get_outbox(f"{ref}:outcome:5:email").payload == {"status": "resolved"}


def test_a_change_whose_messages_cannot_be_built_is_not_written(store: Store) -> None:
    def broken(before: Ticket | None, after: Ticket) -> list[OutboxMessage]:
        raise RuntimeError("rule failed")

    ref = store.create_ticket(draft(1), idempotency_key="k", now=NOW).reference
    store.outbox_rules = Routing(extra=(broken,))
    with pytest.raises(RuntimeError):
        store.create_ticket(draft(2), idempotency_key="k2", now=NOW)
    with pytest.raises(RuntimeError):
        store.claim(ref, actor="alice", now=NOW + 1)
    assert [t.reference for t in store.list_tickets()] == [ref] and store.get_ticket(ref).version == 1
    assert store.outbox_counts()[PENDING] == 1


def test_enqueue_is_idempotent_per_key(store: Store) -> None:
    code = new_message("email", "verification", key="verify:abc", now=NOW, payload={"to": "a@example.com"})
    assert store.enqueue([code]) == [code]
    again = replace(code, payload={"to": "b@example.com"})
    assert store.enqueue([again]) == [code]
    assert store.get_outbox("verify:abc") == code
    with pytest.raises(OutboxNotFound):
        store.get_outbox("verify:none")
    with pytest.raises(OutboxNotFound):
        store.record_delivery("verify:none", ok=True, now=NOW)
    assert store.enqueue([]) == []


def test_claims_lease_due_messages_once(store: Store) -> None:
    store.outbox_rules = Routing(staff=("slack", "log"))
    a = store.create_ticket(draft(1), idempotency_key="a", now=NOW).reference
    b = store.create_ticket(draft(2), idempotency_key="b", now=NOW + 1).reference
    store.enqueue([new_message("email", "verification", key="later", now=NOW + 100)])
    assert store.claim_outbox(now=NOW - 1, channels=["slack", "log", "email"], limit=10, lease_seconds=60) == []
    first = store.claim_outbox(now=NOW + 2, channels=["slack"], limit=1, lease_seconds=60)
    assert [m.key for m in first] == [f"{a}:staff_alert:slack"]
    rest = store.claim_outbox(now=NOW + 2, channels=["slack", "log", "email"], limit=10, lease_seconds=60)
    assert [m.key for m in rest] == [f"{a}:staff_alert:log", f"{b}:staff_alert:log", f"{b}:staff_alert:slack"]
    assert store.claim_outbox(now=NOW + 50, channels=["slack", "log"], limit=10, lease_seconds=60) == []
    # The lease ran out (the dispatcher died): the messages are due again.
    again = store.claim_outbox(now=NOW + 70, channels=["slack", "log"], limit=10, lease_seconds=60)
    assert len(again) == 4
    assert [m.key for m in store.claim_outbox(now=NOW + 100, channels=["email"], limit=10, lease_seconds=60)] == [
        "later"]


def test_delivery_records_attempts_errors_and_the_final_state(store: Store) -> None:
    store.enqueue([new_message("email", "verification", key="m1", now=NOW, payload={"to": "x@example.com"})])
    failed = store.record_delivery("m1", ok=False, now=NOW + 1, error="smtp:450 mailbox x@example.com busy",
                                   retry_at=NOW + 30)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (PENDING, 1, NOW + 30)
    assert failed.last_error == "smtp:450 mailbox [address] busy"
    assert store.claim_outbox(now=NOW + 29, channels=["email"], limit=5, lease_seconds=10) == []
    assert [m.key for m in store.claim_outbox(now=NOW + 30, channels=["email"], limit=5, lease_seconds=10)] == ["m1"]
    sent = store.record_delivery("m1", ok=True, now=NOW + 31)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error, sent.payload) == (SENT, 2, NOW + 31, None, {})
    assert store.record_delivery("m1", ok=False, now=NOW + 32, error="late", retry_at=NOW + 40) == sent
    assert store.get_outbox("m1") == sent
    assert store.claim_outbox(now=NOW + 99, channels=["email"], limit=5, lease_seconds=10) == []

    store.enqueue([new_message("log", "staff_alert", key="m2", now=NOW)])
    given_up = store.record_delivery("m2", ok=False, now=NOW + 1, error="boom", retry_at=None)
    assert (given_up.status, given_up.attempts) == (FAILED, 1)
    assert store.claim_outbox(now=NOW + 999, channels=["log"], limit=5, lease_seconds=10) == []
    assert store.outbox_counts() == {PENDING: 0, SENT: 1, FAILED: 1}


def test_an_attempt_started_is_kept_until_its_outcome_and_leaves_the_lease_alone(store: Store) -> None:
    """`start_attempt` writes when an attempt started (before the dispatcher hands the message to its channel);
    the lease a claim set still holds; an outcome clears it, except a failure in doubt (the channel may have it)."""
    store.enqueue([new_message("slack", "slack_dm", key="m1", now=NOW), new_message("slack", "slack_dm", key="m2",
                                                                                      now=NOW)])
    assert len(store.claim_outbox(now=NOW, channels=["slack"], limit=5, lease_seconds=60)) == 2
    started = store.start_attempt("m1", now=NOW + 1)
    assert (started.attempt_started_at, started.status, started.attempts) == (NOW + 1, PENDING, 0)
    assert store.get_outbox("m1").attempt_started_at == NOW + 1
    assert store.claim_outbox(now=NOW + 59, channels=["slack"], limit=5, lease_seconds=60) == [], "still leased"
    [again, _] = store.claim_outbox(now=NOW + 61, channels=["slack"], limit=5, lease_seconds=60)
    assert again.key == "m1" and again.attempt_started_at == NOW + 1  # the next dispatcher sees it in doubt
    doubt = store.record_delivery("m1", ok=False, now=NOW + 62, error="network:timeout", retry_at=NOW + 70,
                                  in_doubt=True)
    assert (doubt.attempt_started_at, doubt.attempts, doubt.next_attempt_at) == (NOW + 1, 1, NOW + 70)
    plain = store.record_delivery("m2", ok=False, now=NOW + 62, error="slack:http_429", retry_at=NOW + 70)
    assert plain.attempt_started_at is None
    store.start_attempt("m2", now=NOW + 71)
    sent = store.record_delivery("m2", ok=True, now=NOW + 72)
    assert (sent.status, sent.attempt_started_at) == (SENT, None)
    assert store.start_attempt("m2", now=NOW + 73) == sent, "a sent message is never marked again"
    with pytest.raises(OutboxNotFound):
        store.start_attempt("nope", now=NOW)


def test_pending_messages_survive_a_restart(store: Store, request: pytest.FixtureRequest) -> None:
    store.outbox_rules = Routing(staff=("slack",))
    ref = store.create_ticket(draft(1), idempotency_key="a", now=NOW).reference
    store.claim_outbox(now=NOW, channels=["slack"], limit=5, lease_seconds=30)  # claimed, then the process died
    other = _reopen(store, request)
    try:
        assert other.claim_outbox(now=NOW + 10, channels=["slack"], limit=5, lease_seconds=30) == []
        [due] = other.claim_outbox(now=NOW + 31, channels=["slack"], limit=5, lease_seconds=30)
        assert due.key == f"{ref}:staff_alert:slack" and due.status == PENDING
    finally:
        other.close()


def _restart(store: Store, request: pytest.FixtureRequest) -> Store:
    """The same data after the store, and for Redis the server too, stopped and started again."""
    store.close()
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    server: RedisServerLike = request.getfixturevalue("redis_server")
    server.stop()
    server.start()  # replays the append-only file
    return RedisStore.from_url(server.url, prefix=PREFIX)


def test_outbox_counts_follow_every_change_of_state_and_survive_a_restart(
        store: Store, request: pytest.FixtureRequest) -> None:
    assert store.outbox_counts() == {PENDING: 0, SENT: 0, FAILED: 0}
    store.outbox_rules = Routing(staff=("slack", "log"))
    a = store.create_ticket(draft(1), idempotency_key="a", now=NOW).reference
    store.create_ticket(draft(1), idempotency_key="a", now=NOW + 1)  # a retry: no new messages
    store.create_ticket(draft(2), idempotency_key="b", now=NOW)
    code = new_message("email", "verification", key="verify:1", now=NOW, payload={"to": "a@example.com"})
    store.enqueue([code, code])
    store.enqueue([code])  # the same key again: counted once
    assert store.outbox_counts() == {PENDING: 5, SENT: 0, FAILED: 0}
    store.record_delivery(f"{a}:staff_alert:slack", ok=True, now=NOW + 1)
    store.record_delivery(f"{a}:staff_alert:log", ok=False, now=NOW + 1, error="busy", retry_at=NOW + 30)  # pending
    store.record_delivery("verify:1", ok=False, now=NOW + 1, error="gone", retry_at=None)
    store.record_delivery(f"{a}:staff_alert:slack", ok=False, now=NOW + 2, error="late", retry_at=NOW + 9)  # sent stays
    assert store.outbox_counts() == {PENDING: 3, SENT: 1, FAILED: 1}
    store = _restart(store, request)
    try:
        assert store.outbox_counts() == {PENDING: 3, SENT: 1, FAILED: 1}
        store.record_delivery(f"{a}:staff_alert:log", ok=True, now=NOW + 31)
        store.claim(a, actor="alice", now=NOW + 40)  # the claim causes no message here; counts stay
        assert store.outbox_counts() == {PENDING: 2, SENT: 2, FAILED: 1}
        assert sum(len(v) for v in store.outbox_for([a]).values()) == 2
    finally:
        store.close()


def test_purge_removes_personal_data_of_old_closed_tickets(store: Store) -> None:
    old = store.create_ticket(draft(1), idempotency_key="a", now=NOW).reference
    recent = store.create_ticket(draft(2), idempotency_key="b", now=NOW).reference
    still_open = store.create_ticket(draft(3), idempotency_key="c", now=NOW).reference
    store.add_note(old, actor="alice", text="phoned Requester 1", now=NOW + 1)
    store.update_status(old, "rejected", actor="alice", now=NOW + 2, note="law forbids it",
                        rejection_ground="art7_3")
    store.update_status(recent, "resolved", actor="alice", now=NOW + 80 * DAY)
    assert store.purge(90, now=NOW + 95 * DAY) == 1
    purged = store.get_ticket(old)
    assert purged.purged_at == NOW + 95 * DAY
    assert (purged.contact.name, purged.contact.email, purged.answers, purged.transcript) == ("", None, {}, ())
    assert all(e.text == "" for e in purged.events)
    assert [e.action for e in purged.events] == ["created", "note", "status", "purged"]
    assert (purged.status, purged.rejection and purged.rejection.ground) == ("rejected", "art7_3")
    assert (purged.created_at, purged.closed_at, purged.due_at) == (NOW, NOW + 2, NOW + 14 * DAY)
    assert store.get_ticket(recent).contact.name == "Requester 2"
    assert store.get_ticket(still_open).contact.name == "Requester 3"
    assert store.purge(90, now=NOW + 95 * DAY) == 0
    assert store.purge(90, now=NOW + 171 * DAY) == 1  # now `recent` is old enough


def test_user_accounts(store: Store) -> None:
    alice = UserAccount("alice", "scrypt$x", "admin", NOW)
    store.add_user(alice)
    store.add_user(UserAccount("bob", "scrypt$y", "staff", NOW + 1))
    with pytest.raises(UserExists):
        store.add_user(UserAccount("alice", "scrypt$z", "staff", NOW))
    assert store.get_user("alice") == alice and store.get_user("carol") is None
    assert [u.username for u in store.list_users()] == ["alice", "bob"]
    store.remove_user("bob")
    with pytest.raises(UserNotFound):
        store.remove_user("bob")
    assert store.list_users() == [alice]


# -- backend-specific failure behaviour ----------------------------------------------------------

@pytest.mark.redis
def test_redis_outage_raises_and_the_same_store_recovers(redis_server: RedisServerLike) -> None:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX, socket_timeout=2, connect_timeout=1)
    ref = store.create_ticket(draft(), idempotency_key="before", now=NOW).reference
    redis_server.stop()
    calls: list[Callable[[], object]] = [
        lambda: store.create_ticket(draft(), idempotency_key="during", now=NOW),
        lambda: store.get_ticket(ref), lambda: store.add_note(ref, actor="a", text="x", now=NOW),
        lambda: store.save_session("s", {}, 60), lambda: store.mark_once("m", 60), lambda: store.list_tickets(),
    ]
    for call in calls:
        with pytest.raises(StoreUnavailable):
            call()
    health = store.health()
    assert not health.ok and "error" in health.detail
    redis_server.start()
    assert store.get_ticket(ref).reference == ref
    assert store.create_ticket(draft(), idempotency_key="during", now=NOW).reference == "PRQ-2026-000002"
    assert store.health().detail["appendfsync"] == "always"
    store.close()


@pytest.mark.redis
def test_redis_keys_use_the_prefix_and_one_hash_tag(redis_server: RedisServerLike) -> None:
    import redis
    from redis.crc import key_slot

    store = RedisStore.from_url(redis_server.url, prefix="acme-privacy")
    store.create_ticket(draft(), idempotency_key="k", now=NOW)
    store.save_session("s1", {"a": 1}, 120)
    store.mark_once("evt", 120)
    raw = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = cast(set[str], set(raw.keys("*")))  # decode_responses=True: str keys
    assert all(k.startswith(("acme-privacy:", "{acme-privacy}:")) for k in keys)
    ticket_keys = [k for k in keys if k.startswith("{")]
    assert {"{acme-privacy}:tickets", "{acme-privacy}:seq", "{acme-privacy}:idem"} <= set(ticket_keys)
    assert len({key_slot(k.encode()) for k in ticket_keys}) == 1  # one slot: Lua may touch them all
    assert 0 < raw.ttl("acme-privacy:session:s1") <= 120 and 0 < raw.ttl("acme-privacy:once:evt") <= 120
    raw.close()
    store.close()


def test_sqlite_locked_by_another_process_raises_and_writes_nothing(tmp_path: Path) -> None:
    import sqlite3

    store = SQLiteStore.in_dir(tmp_path, busy_timeout_ms=100)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable):
            store.create_ticket(draft(), idempotency_key="k", now=NOW)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.list_tickets() == []
    assert store.create_ticket(draft(), idempotency_key="k", now=NOW).reference == "PRQ-2026-000001"
    store.close()


def test_purge_refuses_a_negative_age(store: Store) -> None:
    with pytest.raises(ValueError):
        store.purge(-1, now=NOW)


# -- admin-edited content: template versions, phrasings, unanswered questions (handoff.store.ContentStore) -----

def test_template_and_phrasing_revisions_start_at_zero(store: Store) -> None:
    assert store.content_revisions() == {"templates": 0, "phrasings": 0}
    assert store.template_heads() == {} and store.list_phrasings() == [] and store.list_unanswered() == []


def test_template_versions_are_appended_and_kept(store: Store) -> None:
    from handoff.content import TemplateVersion

    assert store.template_history("cookies", "en") == []
    first = store.save_template_version("cookies", "en", "One {{ cite }}", author="root", note="first", now=NOW)
    assert first == TemplateVersion("cookies", "en", 1, "One {{ cite }}", "root", "first", NOW, "edit", None)
    store.save_template_version("cookies", "ja", "クッキー {{ cite }} ✓", author="root", note="", now=NOW + 1)
    second = store.save_template_version("cookies", "en", "Two {{ cite }}", author="admin2", note="second",
                                         now=NOW + 2)
    assert second.number == 2
    assert [v.number for v in store.template_history("cookies", "en")] == [2, 1]
    assert store.get_template_version("cookies", "en", 1) == first
    assert store.get_template_version("cookies", "ja", 1).source == "クッキー {{ cite }} ✓"
    heads = store.template_heads()
    assert set(heads) == {("cookies", "en"), ("cookies", "ja")} and heads[("cookies", "en")] == second
    assert store.content_revisions() == {"templates": 3, "phrasings": 0}


def test_template_rollback_and_reset_are_new_versions(store: Store) -> None:
    store.save_template_version("help", "en", "A", author="root", note="", now=NOW)
    store.save_template_version("help", "en", "B", author="root", note="", now=NOW + 1)
    rolled = store.save_template_version("help", "en", "A", author="root", note="back to 1", now=NOW + 2,
                                         action="rollback", restored_from=1)
    assert (rolled.number, rolled.action, rolled.restored_from) == (3, "rollback", 1)
    reset = store.save_template_version("help", "en", None, author="root", note="default", now=NOW + 3,
                                        action="reset")
    assert reset.number == 4 and reset.is_default and reset.source is None
    assert store.template_heads()[("help", "en")] == reset
    assert [v.source for v in store.template_history("help", "en")] == [None, "A", "B", "A"]


def test_template_base_version_refuses_a_stale_edit_and_saves_nothing(store: Store) -> None:
    from handoff.store import TemplateConflict

    store.save_template_version("thanks", "en", "mine", author="a", note="", now=NOW, base_version=0)
    with pytest.raises(TemplateConflict) as caught:
        store.save_template_version("thanks", "en", "theirs", author="b", note="", now=NOW + 1, base_version=0)
    assert caught.value.latest == 1
    assert [v.source for v in store.template_history("thanks", "en")] == ["mine"]
    assert store.content_revisions()["templates"] == 1
    assert store.save_template_version("thanks", "en", "theirs", author="b", note="", now=NOW + 1,
                                       base_version=1).number == 2


def test_template_version_errors(store: Store) -> None:
    from handoff.store import TemplateVersionNotFound

    with pytest.raises(TemplateVersionNotFound):
        store.get_template_version("cookies", "en", 1)
    store.save_template_version("cookies", "en", "x", author="root", note="", now=NOW)
    for number in (0, 2, -1):
        with pytest.raises(TemplateVersionNotFound):
            store.get_template_version("cookies", "en", number)
    bad: list[dict[str, object]] = [
        {"name": "../etc"}, {"lang": "english"}, {"author": ""}, {"note": "n" * 501}, {"action": "delete"},
        {"source": None}, {"action": "reset"}, {"restored_from": 1},
    ]
    for change in bad:
        args: dict[str, object] = {"name": "cookies", "lang": "en", "source": "x", "author": "root", "note": "",
                                   "now": NOW, **change}
        with pytest.raises(ValueError):
            store.save_template_version(**args)  # type: ignore[arg-type]
    assert len(store.template_history("cookies", "en")) == 1 and store.content_revisions()["templates"] == 1


def test_admin_phrasings_are_added_listed_and_removed(store: Store) -> None:
    from handoff.store import PhrasingExists, PhrasingNotFound

    one = store.add_phrasing("cookies", "en", "  what about browser biscuits ", author="root", now=NOW)
    assert (one.intent, one.lang, one.text, one.author, one.created_at) == (
        "cookies", "en", "what about browser biscuits", "root", NOW)
    two = store.add_phrasing("cookies", "ja", "クッキーって何？", author="root", now=NOW + 1)
    three = store.add_phrasing("disclosure_info", "en", "what about browser biscuits", author="root", now=NOW + 2)
    assert one.id < two.id < three.id
    with pytest.raises(PhrasingExists):
        store.add_phrasing("cookies", "en", "What  about browser BISCUITS", author="other", now=NOW + 3)
    with pytest.raises(ValueError):
        store.add_phrasing("cookies", "en", "   ", author="root", now=NOW)
    assert store.list_phrasings() == [one, two, three]
    assert store.list_phrasings("cookies") == [one, two]
    assert store.content_revisions()["phrasings"] == 3
    assert store.remove_phrasing(one.id) == one
    with pytest.raises(PhrasingNotFound):
        store.remove_phrasing(one.id)
    assert store.list_phrasings() == [two, three] and store.content_revisions()["phrasings"] == 4
    # Once removed, the same text may be added again.
    assert store.add_phrasing("cookies", "en", "what about browser biscuits", author="root", now=NOW).id > three.id


def test_unanswered_messages_are_grouped_counted_and_newest_first(store: Store) -> None:
    store.record_unanswered("Is the cafeteria open?", lang="en", decision="fallback", now=NOW)
    store.record_unanswered("what about my data", lang="en", decision="clarify", now=NOW + 1)
    store.record_unanswered("is the  CAFETERIA open?", lang="en", decision="fallback", now=NOW + 2)
    store.record_unanswered("is the cafeteria open?", lang="en", decision="clarify", now=NOW + 3)
    store.record_unanswered("食堂は開いていますか", lang="ja", decision="fallback", now=NOW + 4)
    groups = store.list_unanswered()
    assert [g.text for g in groups] == ["食堂は開いていますか", "Is the cafeteria open?", "what about my data"]
    cafeteria = groups[1]
    assert (cafeteria.count, dict(cafeteria.decisions), cafeteria.first_seen, cafeteria.last_seen) == (
        3, {"fallback": 2, "clarify": 1}, NOW, NOW + 3)
    assert store.get_unanswered(cafeteria.key) == cafeteria
    assert [g.text for g in store.list_unanswered(limit=1, offset=1)] == ["Is the cafeteria open?"]
    store.dismiss_unanswered(cafeteria.key)
    store.dismiss_unanswered(cafeteria.key)
    assert store.get_unanswered(cafeteria.key) is None
    assert [g.lang for g in store.list_unanswered()] == ["ja", "en"]
    for bad in ({"text": " "}, {"decision": "answer"}, {"lang": "xx-1"}):
        args: dict[str, object] = {"text": "t", "lang": "en", "decision": "fallback", "now": NOW, **bad}
        with pytest.raises(ValueError):
            store.record_unanswered(**args)  # type: ignore[arg-type]


def test_unanswered_keeps_only_the_most_recently_seen_groups(store: Store) -> None:
    for n in range(6):
        store.record_unanswered(f"question {n}", lang="en", decision="fallback", now=NOW + n, keep=4)
    store.record_unanswered("question 2", lang="en", decision="fallback", now=NOW + 10, keep=4)
    store.record_unanswered("question 6", lang="en", decision="fallback", now=NOW + 11, keep=4)
    assert [g.text for g in store.list_unanswered()] == ["question 6", "question 2", "question 5", "question 4"]
