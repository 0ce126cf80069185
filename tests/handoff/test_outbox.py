"""The outbox's pure parts: which messages a ticket change causes (`Routing`), one attempt's effect on a message,
how a failure is kept, and how staff read a delivery state."""
from __future__ import annotations

from dataclasses import replace

import pytest
from handoff_testkit import NOW, draft

from handoff import lifecycle
from handoff.outbox import (
    FAILED, PENDING, SENT, OutboxMessage, Routing, after_attempt, clean_error, describe, new_message, staff_alerted,
)

REF = "PRQ-2026-000001"


def opened() -> lifecycle.Ticket:
    return lifecycle.open_ticket(draft(1), REF, now=NOW, sla_days=14)


def test_a_new_ticket_alerts_staff_on_each_channel_and_sends_a_receipt_when_email_is_on() -> None:
    ticket = opened()
    assert [m.key for m in Routing()(None, ticket)] == [f"{REF}:staff_alert:log"]
    assert [m.key for m in Routing(staff=())(None, ticket)] == [f"{REF}:staff_alert:log"], "staff always hear"
    messages = Routing(staff=("slack", "email"), requester_email=True)(None, ticket)
    assert [(m.channel, m.kind) for m in messages] == [("slack", "staff_alert"), ("email", "staff_alert"),
                                                      ("email", "receipt")]
    assert all(m.status == PENDING and m.next_attempt_at == NOW and m.reference == REF for m in messages)
    no_address = replace(ticket, contact=replace(ticket.contact, email=None))
    assert [m.kind for m in Routing(requester_email=True)(None, no_address)] == ["staff_alert"]


def test_changes_cause_requester_emails_only_when_something_they_care_about_changed() -> None:
    rules = Routing(requester_email=True)
    t0 = opened()
    noted = lifecycle.add_note(t0, actor="alice", text="internal", now=NOW + 1)
    assert rules(t0, noted) == [], "an internal note tells the requester nothing"
    claimed = lifecycle.claim(noted, actor="alice", now=NOW + 2)
    [status] = rules(noted, claimed)
    assert (status.kind, status.payload, status.key) == ("status", {"status": "in_progress"}, f"{REF}:status:3:email")
    replied = lifecycle.add_reply(claimed, actor="alice", text="hello", now=NOW + 3)
    assert [(m.kind, m.payload) for m in rules(claimed, replied)] == [("reply", {"reply": 1})]
    done, _ = lifecycle.transition(replied, "resolved", actor="alice", now=NOW + 4)
    assert [m.kind for m in rules(replied, done)] == ["outcome"]
    assert Routing()(replied, done) == [], "no requester email when email is off"


def test_extra_rules_add_front_end_messages() -> None:
    def dm(before: lifecycle.Ticket | None, after: lifecycle.Ticket) -> list[OutboxMessage]:
        return [new_message("slack", "slack_dm", key=f"{after.reference}:dm:{after.version}", now=after.updated_at,
                            reference=after.reference, payload={"user": "U1", "text": "hi"})]

    assert [m.kind for m in Routing(extra=(dm,))(None, opened())] == ["staff_alert", "slack_dm"]


def test_one_attempt_moves_a_message_forward_and_never_back() -> None:
    m = new_message("email", "receipt", key=f"{REF}:receipt:email", now=NOW, reference=REF, payload={"x": 1})
    retry = after_attempt(m, ok=False, now=NOW + 1, error="smtp:421", retry_at=NOW + 10)
    assert (retry.status, retry.attempts, retry.next_attempt_at, retry.last_error) == (PENDING, 1, NOW + 10, "smtp:421")
    sent = after_attempt(retry, ok=True, now=NOW + 11)
    assert (sent.status, sent.attempts, sent.sent_at, sent.payload, sent.last_error) == (SENT, 2, NOW + 11, {}, None)
    assert after_attempt(sent, ok=False, now=NOW + 12, error="x", retry_at=NOW + 20) is sent
    gave_up = after_attempt(m, ok=False, now=NOW + 1, error="boom")
    assert (gave_up.status, gave_up.attempts, gave_up.payload) == (FAILED, 1, {"x": 1}), "kept for a manual retry"
    code = new_message("email", "verification", key="verify:f:1", now=NOW, payload={"to": "a@example.com", "code": "1"})
    assert after_attempt(code, ok=False, now=NOW + 1, error="smtp:550", retry_at=NOW + 5).payload == code.payload
    assert after_attempt(code, ok=False, now=NOW + 1, error="smtp:550").payload == {}, "a dead code is not kept"


def test_errors_are_kept_short_and_without_addresses() -> None:
    assert clean_error("smtp:550 <hanako@example.jp>\n unknown user") == "smtp:550 [address] unknown user"
    assert len(clean_error("x" * 1000)) == 200 and clean_error("  ") == "unknown error"


def test_staff_read_the_true_state() -> None:
    def when(t: float) -> str:
        return f"t+{t - NOW:.0f}"

    m = new_message("slack", "staff_alert", key=f"{REF}:staff_alert:slack", now=NOW, reference=REF)
    assert describe(m, when) == "pending"
    retry = after_attempt(m, ok=False, now=NOW + 1, error="slack:http_429:ratelimited", retry_at=NOW + 60)
    assert describe(retry, when) == "failed — retrying at t+60 (slack:http_429:ratelimited)"
    assert describe(after_attempt(retry, ok=True, now=NOW + 61), when) == "sent t+61"
    assert describe(after_attempt(m, ok=False, now=NOW + 1, error="e"), when) == "failed after 1 attempt (e)"
    assert not staff_alerted([m, retry]) and staff_alerted([after_attempt(m, ok=True, now=NOW)])


@pytest.mark.parametrize("bad", [{"key": ""}, {"key": "has space"}, {"channel": "fax"}, {"status": "lost"}])
def test_malformed_messages_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        OutboxMessage(**{"key": "k", "channel": "log", "kind": "staff_alert", **bad})  # type: ignore[arg-type]
