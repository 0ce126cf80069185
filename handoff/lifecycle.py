"""Pure ticket operations: each takes a Ticket and returns the changed Ticket (version + 1, events appended).

Stores never change a ticket any other way; they load it, call one of these, and write the result atomically,
so SQLite and Redis enforce exactly the same rules. Every function raises a `TicketError` subclass instead of
returning a ticket that breaks the lifecycle.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from handoff.grounds import REJECTION_GROUNDS, find_ground
from handoff.tickets import (
    CLOSED_STATUSES, IN_PROGRESS, NEW, REJECTED, STATUSES, TRANSITIONS, Contact, Event, IllegalTransition,
    InvalidRejection, Rejection, StaffReply, Ticket, TicketDraft, TicketError,
)

DAY = 86400.0
SYSTEM = "system"  # actor of events no person caused (purges)
REQUESTER = "requester"  # actor of events the requester caused; never their name, which purge must remove


def open_ticket(draft: TicketDraft, reference: str, *, now: float, sla_days: int) -> Ticket:
    """The new ticket for `draft`: status new, due `sla_days` days after `now`, one `created` event."""
    if sla_days < 1:
        raise ValueError(f"sla_days must be at least 1, got {sla_days}")
    return Ticket(
        reference=reference, request_type=draft.request_type, status=NEW, requester=draft.requester,
        contact=draft.contact, representative=draft.representative, answers=dict(draft.answers),
        transcript=draft.transcript, lang=draft.lang, created_at=now, updated_at=now, due_at=now + sla_days * DAY,
        events=(Event(now, REQUESTER, "created", f"{draft.request_type} via {draft.requester.frontend}"),),
    )


def _changed(ticket: Ticket, now: float, *events: Event, **changes: object) -> Ticket:
    return replace(ticket, events=ticket.events + events, updated_at=now, version=ticket.version + 1,
                   **changes)  # type: ignore[arg-type]


def _require(ticket: Ticket, actor: str, what: str) -> None:
    if not actor.strip():
        raise TicketError(f"{what} on {ticket.reference} needs an actor")
    if ticket.purged_at is not None:
        raise TicketError(f"cannot {what} on {ticket.reference}: its personal data was purged")


def transition(ticket: Ticket, new_status: str, *, actor: str, now: float, note: str | None = None,
               rejection_ground: str | None = None) -> tuple[Ticket, Event]:
    """Move the ticket to `new_status` following `TRANSITIONS`; return the new ticket and the status event.

    Moving to rejected needs `rejection_ground` (an id valid for the request type, see `handoff.grounds`) and
    a non-empty `note` explaining the refusal to the requester (APPI Art. 36). Raises IllegalTransition for a
    move the lifecycle forbids, InvalidRejection for a missing or wrong ground or explanation.
    """
    _require(ticket, actor, "change the status")
    if new_status not in STATUSES:
        raise TicketError(f"unknown status {new_status!r}; expected one of {list(STATUSES)}")
    if new_status not in TRANSITIONS[ticket.status]:
        why = ("it is already " + new_status if new_status == ticket.status
               else "it is closed" if ticket.status in CLOSED_STATUSES else "")
        raise IllegalTransition(ticket.reference, ticket.status, new_status, why)
    text = (note or "").strip()
    detail = f"{ticket.status} -> {new_status}"
    rejection = None
    if new_status == REJECTED:
        ground = find_ground(ticket.request_type, rejection_ground or "")
        if ground is None:
            allowed = [g.id for g in REJECTION_GROUNDS[ticket.request_type]]
            raise InvalidRejection(f"rejecting {ticket.reference} ({ticket.request_type}) needs one of the grounds "
                                   f"{allowed}, got {rejection_ground!r}")
        if not text:
            raise InvalidRejection(f"rejecting {ticket.reference} needs an explanation for the requester")
        rejection = Rejection(ground.id, text)
        detail += f" ({ground.id})"
    elif rejection_ground is not None:
        raise InvalidRejection(f"a rejection ground goes only with status {REJECTED}, not {new_status}")
    event = Event(now, actor, "status", detail, text)
    closed_at = now if new_status in CLOSED_STATUSES else None
    return _changed(ticket, now, event, status=new_status, closed_at=closed_at, rejection=rejection), event


def reject(ticket: Ticket, ground: str, text: str, *, actor: str, now: float) -> tuple[Ticket, Event]:
    """Shorthand for `transition(ticket, "rejected", ...)` with its required ground and explanation."""
    return transition(ticket, REJECTED, actor=actor, now=now, note=text, rejection_ground=ground)


def claim(ticket: Ticket, *, actor: str, now: float) -> Ticket:
    """Make `actor` the assignee; a new ticket moves to in_progress. Claiming one's own ticket changes nothing.

    Raises TicketError for a closed ticket: there is nothing left to work on.
    """
    _require(ticket, actor, "claim")
    if not ticket.is_open:
        raise TicketError(f"cannot claim {ticket.reference}: it is {ticket.status}")
    if ticket.assignee == actor:
        return ticket
    events = [Event(now, actor, "claimed", f"from {ticket.assignee}" if ticket.assignee else "")]
    status = ticket.status
    if status == NEW:
        events.append(Event(now, actor, "status", f"{NEW} -> {IN_PROGRESS}"))
        status = IN_PROGRESS
    return _changed(ticket, now, *events, assignee=actor, status=status)


def add_note(ticket: Ticket, *, actor: str, text: str, now: float) -> Ticket:
    """Append an internal note (never shown to the requester). Raises TicketError for empty text."""
    _require(ticket, actor, "add a note")
    if not text.strip():
        raise TicketError(f"a note on {ticket.reference} needs text")
    return _changed(ticket, now, Event(now, actor, "note", "", text.strip()))


def add_reply(ticket: Ticket, *, actor: str, text: str, now: float) -> Ticket:
    """Queue a message to the requester in the ticket's outbox (delivered in their next chat turn)."""
    _require(ticket, actor, "reply")
    if not text.strip():
        raise TicketError(f"a reply on {ticket.reference} needs text")
    reply = StaffReply(id=len(ticket.replies) + 1, at=now, actor=actor, text=text.strip())
    return _changed(ticket, now, Event(now, actor, "reply", f"reply {reply.id}", reply.text),
                    replies=ticket.replies + (reply,))


def mark_delivered(ticket: Ticket, reply_ids: Iterable[int], *, now: float) -> Ticket:
    """Mark replies as shown to the requester. Already-delivered ids are skipped (delivery is at least once);
    unknown ids raise TicketError. Returns the ticket unchanged when nothing was pending."""
    wanted = set(reply_ids)
    unknown = wanted - {r.id for r in ticket.replies}
    if unknown:
        raise TicketError(f"{ticket.reference} has no replies {sorted(unknown)}")
    fresh = sorted(r.id for r in ticket.replies if r.id in wanted and r.delivered_at is None)
    if not fresh:
        return ticket
    replies = tuple(replace(r, delivered_at=now) if r.id in fresh else r for r in ticket.replies)
    detail = "replies " + ",".join(map(str, fresh))
    return _changed(ticket, now, Event(now, REQUESTER, "reply_delivered", detail), replies=replies)


def purgeable(ticket: Ticket, *, older_than_days: float, now: float) -> bool:
    """Closed more than `older_than_days` before `now` and not purged yet."""
    return (ticket.status in CLOSED_STATUSES and ticket.purged_at is None and ticket.closed_at is not None
            and ticket.closed_at < now - older_than_days * DAY)


def purge_personal(ticket: Ticket, *, now: float) -> Ticket:
    """Remove personal data: contact, representative, answers, transcript, and every free text (notes,
    replies, the rejection's explanation). Keeps the reference, type, requester identity, dates, outcome
    (status and rejection ground) and the event skeleton. Raises TicketError for an open ticket."""
    if ticket.purged_at is not None:
        return ticket
    if ticket.status not in CLOSED_STATUSES:
        raise TicketError(f"cannot purge {ticket.reference}: it is still {ticket.status}")
    blanked = replace(ticket, events=tuple(replace(e, text="") for e in ticket.events))
    return _changed(
        blanked, now, Event(now, SYSTEM, "purged"), contact=Contact(), representative=None, answers={},
        transcript=(), replies=tuple(replace(r, text="") for r in ticket.replies), purged_at=now,
        rejection=replace(ticket.rejection, text="") if ticket.rejection else None,
    )


def check_append_only(old: Ticket, new: Ticket) -> None:
    """Guard stores run before every write: events are never dropped, reordered or rewritten (purge only
    blanks their free text), and the version moves by exactly one. Raises TicketError otherwise."""
    n = len(old.events)
    skeleton = [(e.at, e.actor, e.action, e.detail) for e in new.events[:n]]
    if len(new.events) <= n or skeleton != [(e.at, e.actor, e.action, e.detail) for e in old.events]:
        raise TicketError(f"{old.reference}: a change must append to the event log and keep what is there")
    if new.version != old.version + 1 or new.reference != old.reference:
        raise TicketError(f"{old.reference}: a change must bump the version by one and keep the reference")
