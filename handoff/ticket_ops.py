"""Ticket operations shared by every backend, written once over the backend's atomic read-modify-write.

A backend supplies `_mutate(reference, change)`: load the ticket, call `change`, and store the result only if
nobody changed the ticket in between (a transaction in SQLite, a compare-and-set script in Redis). The
methods here only pick the `handoff.lifecycle` function, so the rules cannot drift between backends.
"""
from __future__ import annotations

from typing import Callable, Iterable

from handoff import lifecycle
from handoff.store import IdempotencyConflict
from handoff.tickets import PendingReply, Ticket, TicketDraft


class TicketOperations:
    """Mixin implementing the `TicketStore` updates on top of `_mutate`."""

    def _mutate(self, reference: str, change: Callable[[Ticket], Ticket]) -> Ticket:
        """Atomically replace the ticket with `change(ticket)` and return it (unchanged if `change` returned
        the same object). Raises TicketNotFound, StoreUnavailable, and whatever `change` raises."""
        raise NotImplementedError

    def update_status(self, reference: str, new_status: str, *, actor: str, now: float, note: str | None = None,
                      rejection_ground: str | None = None) -> Ticket:
        return self._mutate(reference, lambda t: lifecycle.transition(
            t, new_status, actor=actor, now=now, note=note, rejection_ground=rejection_ground)[0])

    def claim(self, reference: str, *, actor: str, now: float) -> Ticket:
        return self._mutate(reference, lambda t: lifecycle.claim(t, actor=actor, now=now))

    def add_note(self, reference: str, *, actor: str, text: str, now: float) -> Ticket:
        return self._mutate(reference, lambda t: lifecycle.add_note(t, actor=actor, text=text, now=now))

    def add_reply(self, reference: str, *, actor: str, text: str, now: float) -> Ticket:
        return self._mutate(reference, lambda t: lifecycle.add_reply(t, actor=actor, text=text, now=now))

    def mark_replies_delivered(self, reference: str, reply_ids: Iterable[int], *, now: float) -> Ticket:
        ids = tuple(reply_ids)
        return self._mutate(reference, lambda t: lifecycle.mark_delivered(t, ids, now=now))


def checked_change(old: Ticket, change: Callable[[Ticket], Ticket]) -> Ticket | None:
    """Run `change`; return None when it changed nothing, else the new ticket after the append-only guard."""
    new = change(old)
    if new is old:
        return None
    lifecycle.check_append_only(old, new)
    return new


def ensure_same_request(existing: Ticket, draft: TicketDraft, key: str) -> Ticket:
    """A replayed idempotency key must come from the same requester for the same request type; anything else
    is a caller bug that would otherwise hand one person another person's ticket."""
    if existing.requester.key != draft.requester.key or existing.request_type != draft.request_type:
        raise IdempotencyConflict(f"idempotency key {key!r} already belongs to {existing.reference}, "
                                  "a ticket of another requester or request type")
    return existing


def collect_pending(tickets: Iterable[Ticket]) -> list[PendingReply]:
    """Undelivered replies across `tickets`, oldest first."""
    pending = [PendingReply(t.reference, r) for t in tickets for r in t.pending_replies]
    return sorted(pending, key=lambda p: (p.reply.at, p.reference, p.reply.id))
