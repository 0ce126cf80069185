"""The ticket model and its lifecycle as pure functions: no store involved."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from handoff_testkit import DAY, NOW, draft

from handoff import lifecycle
from handoff.accounts import UserAccount, hash_password, verify_password
from handoff.grounds import REJECTION_GROUNDS, find_ground
from handoff.references import format_reference, parse_reference, reference_year
from handoff.tickets import (
    CLOSED_STATUSES, REQUEST_TYPES, STATUSES, TRANSITIONS, IllegalTransition, InvalidRejection, Requester, Ticket,
    TicketDraft, TicketError,
)


def ticket(**changes: object) -> Ticket:
    t = lifecycle.open_ticket(draft(), "PRQ-2026-000001", now=NOW, sla_days=14)
    return replace(t, **changes)


def test_request_types_match_the_intent_catalog() -> None:
    from intents.catalog import REQUEST_TYPES as CATALOG_TYPES

    assert dict(REQUEST_TYPES) == dict(CATALOG_TYPES)


def test_new_ticket_is_due_after_the_sla_and_logs_its_creation() -> None:
    t = ticket()
    assert (t.status, t.article, t.version) == ("new", 7, 1)
    assert t.due_at == NOW + 14 * DAY
    assert [e.action for e in t.events] == ["created"]
    assert not t.is_overdue(NOW + 14 * DAY) and t.is_overdue(NOW + 14 * DAY + 1)
    assert not replace(t, status="resolved").is_overdue(NOW + 100 * DAY)


def test_json_round_trip_is_lossless() -> None:
    t = lifecycle.add_reply(lifecycle.claim(ticket(), actor="alice", now=NOW + 1), actor="alice", text="日本語 ✓",
                            now=NOW + 2)
    t, _ = lifecycle.reject(t, "art7_2", "too costly", actor="alice", now=NOW + 3)
    back = Ticket.from_dict(json.loads(json.dumps(t.to_dict(), ensure_ascii=False)))
    assert back == t
    assert t.to_dict()["article"] == 7


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_transitions_follow_the_table(current: str, target: str) -> None:
    t = ticket(status=current)
    extra = {"rejection_ground": "art7_1", "note": "harm to a third party"} if target == "rejected" else {}
    if target in TRANSITIONS[current]:
        moved, event = lifecycle.transition(t, target, actor="bob", now=NOW + 5, **extra)
        assert moved.status == target and moved.version == 2 and moved.events[-1] == event
        assert (moved.closed_at is not None) == (target in CLOSED_STATUSES)
    else:
        with pytest.raises(IllegalTransition, match=f"cannot move PRQ-2026-000001 from {current} to {target}"):
            lifecycle.transition(t, target, actor="bob", now=NOW + 5, **extra)


def test_rejection_needs_a_ground_of_its_article_and_an_explanation() -> None:
    t = ticket()
    with pytest.raises(InvalidRejection, match="art7_1"):
        lifecycle.reject(t, "art6_1", "wrong article", actor="bob", now=NOW)
    with pytest.raises(InvalidRejection, match="explanation"):
        lifecycle.reject(t, "art7_3", "   ", actor="bob", now=NOW)
    with pytest.raises(InvalidRejection):
        lifecycle.transition(t, "rejected", actor="bob", now=NOW, note="no ground")
    with pytest.raises(InvalidRejection):
        lifecycle.transition(t, "resolved", actor="bob", now=NOW, rejection_ground="art7_1")
    done, event = lifecycle.reject(t, "identity_not_confirmed", "no reply to our ID check", actor="bob", now=NOW)
    assert done.rejection is not None and done.rejection.ground == "identity_not_confirmed"
    assert event.detail == "new -> rejected (identity_not_confirmed)" and event.text == "no reply to our ID check"


def test_every_request_type_has_its_articles_grounds_plus_identity() -> None:
    assert set(REJECTION_GROUNDS) == set(REQUEST_TYPES)
    assert [g.id for g in REJECTION_GROUNDS["disclosure"]] == ["art7_1", "art7_2", "art7_3", "identity_not_confirmed"]
    assert [g.id for g in REJECTION_GROUNDS["purpose_notification"]][:4] == ["art6_1", "art6_2", "art6_3", "art6_4"]
    for grounds in REJECTION_GROUNDS.values():
        assert grounds[-1].id == "identity_not_confirmed"
        assert all(g.en and g.ja for g in grounds)
    assert find_ground("suspension", "art9_1_not_valid") and not find_ground("suspension", "art9_2_not_valid")


def test_claim_moves_new_to_in_progress_and_refuses_closed_tickets() -> None:
    claimed = lifecycle.claim(ticket(), actor="alice", now=NOW)
    assert (claimed.assignee, claimed.status) == ("alice", "in_progress")
    assert lifecycle.claim(claimed, actor="alice", now=NOW + 1) is claimed
    taken = lifecycle.claim(claimed, actor="bob", now=NOW + 2)
    assert taken.assignee == "bob" and taken.events[-1].detail == "from alice"
    with pytest.raises(TicketError, match="cannot claim"):
        lifecycle.claim(ticket(status="resolved"), actor="bob", now=NOW)


def test_replies_are_delivered_at_least_once() -> None:
    t = lifecycle.add_reply(ticket(), actor="alice", text="We need ID.", now=NOW)
    t = lifecycle.add_reply(t, actor="alice", text="Reminder.", now=NOW + 1)
    assert [r.id for r in t.pending_replies] == [1, 2]
    t = lifecycle.mark_delivered(t, [1], now=NOW + 2)
    assert [r.id for r in t.pending_replies] == [2]
    assert lifecycle.mark_delivered(t, [1], now=NOW + 3) is t
    with pytest.raises(TicketError):
        lifecycle.mark_delivered(t, [9], now=NOW + 3)


def test_purge_keeps_the_skeleton_only() -> None:
    t = lifecycle.add_note(ticket(), actor="alice", text="called Mr X at home", now=NOW)
    t = lifecycle.add_reply(t, actor="alice", text="Here is your data", now=NOW + 1)
    with pytest.raises(TicketError, match="still new"):
        lifecycle.purge_personal(t, now=NOW)
    t, _ = lifecycle.reject(t, "art7_3", "law forbids it for Mr X", actor="alice", now=NOW + 2)
    purged = lifecycle.purge_personal(t, now=NOW + 90 * DAY)
    text = json.dumps(purged.to_dict(), ensure_ascii=False)
    for secret in ("Mr X", "Requester 1", "person1@", "account 1", "send me my data", "Here is your data"):
        assert secret not in text
    assert purged.rejection is not None and purged.rejection.ground == "art7_3"
    assert [e.action for e in purged.events] == [e.action for e in t.events] + ["purged"]
    assert (purged.reference, purged.request_type, purged.created_at, purged.closed_at) == (
        t.reference, t.request_type, t.created_at, t.closed_at)
    lifecycle.check_append_only(t, purged)
    with pytest.raises(TicketError, match="purged"):
        lifecycle.add_note(purged, actor="alice", text="late note", now=NOW + 91 * DAY)


def test_append_only_guard_rejects_rewritten_history() -> None:
    t = lifecycle.add_note(ticket(), actor="alice", text="one", now=NOW)
    with pytest.raises(TicketError):
        lifecycle.check_append_only(t, replace(t, events=t.events[:1] + t.events[:1], version=3))
    with pytest.raises(TicketError):
        lifecycle.check_append_only(t, replace(t, version=t.version + 1))  # nothing appended


def test_references_use_japan_time_and_parse_loosely() -> None:
    assert reference_year(1798727400.0) == 2026  # 2026-12-31 23:30 JST
    assert reference_year(1798731000.0) == 2027  # 2027-01-01 00:30 JST, still 2026 in UTC
    assert format_reference(2026, 42) == "PRQ-2026-000042"
    assert parse_reference("status of prq-2026-42 please") == "PRQ-2026-000042"
    assert parse_reference("PRQ 2026 000042") == "PRQ-2026-000042"
    assert parse_reference("order 2026-42") is None


def test_requester_identity_prefers_the_user_id_over_the_session() -> None:
    slack = Requester("slack", "U123", "C9:U123")
    assert slack.key == "u:slack:U123"
    assert Requester("web", None, "abc").key == "s:web:abc"
    t = ticket(requester=slack)
    assert t.belongs_to(Requester("slack", "U123", "D1:U123"))
    assert not t.belongs_to(Requester("slack", "U999", "C9:U123"))  # same channel session, other person
    with pytest.raises(TicketError):
        Requester("Web Chat", None, "abc")


def test_draft_validates_type_and_normalises_the_transcript() -> None:
    d = draft()
    assert d.transcript[0].role == "user" and isinstance(d.transcript, tuple)
    with pytest.raises(TicketError, match="unknown request type"):
        TicketDraft("refund", d.requester, d.contact)


def test_passwords_are_hashed_and_verified() -> None:
    hashed = hash_password("correct horse", n=2**10)
    assert verify_password("correct horse", hashed) and not verify_password("wrong", hashed)
    assert not verify_password("x", "not-a-hash")
    with pytest.raises(ValueError):
        UserAccount("alice", hashed, "root", NOW)
