"""The one requester view of a ticket: everything a requester may ever be shown about their request, and
nothing else.

A `Ticket` also carries what only staff may see: internal notes and the whole event log (with staff usernames),
the assignee, delivery and notification errors, the requester's session id (a bearer credential: whoever holds
it can resume the chat and collect the staff replies), version counters and purge markers. So no front end
shows a `Ticket` to a requester directly: every requester-facing output is built from `RequesterView.of(ticket)`,
an allow-list.

Today that is: the chat status answer and the receipt (`bot.engine.desk`), `POST /api/tickets/copy`, the staff
replies handed over in chat and by `POST /api/resume`, and the Slack DMs about a status change. **Every later
channel that tells a requester about their ticket (email, SMS, a letter template…) must use this view too**;
`tests/security/test_security_requester_view.py` plants an internal note in a ticket and checks every channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handoff.tickets import CLOSED_STATUSES, REJECTED, StaffReply, Ticket

#: The exact keys of `RequesterView.to_dict()` (the body of `POST /api/tickets/copy`).
REQUESTER_KEYS = frozenset({
    "reference", "request_type", "article", "status", "outcome", "rejection", "lang", "created_at", "updated_at",
    "due_at", "closed_at", "contact", "representative", "answers", "transcript", "replies",
})


@dataclass(frozen=True)
class RequesterReply:
    """A staff message addressed to the requester: its text and time, never who wrote it."""

    at: float
    text: str

    @classmethod
    def of(cls, reply: StaffReply) -> "RequesterReply":
        return cls(at=reply.at, text=reply.text)


@dataclass(frozen=True)
class RequesterRejection:
    """The policy exception a refusal relies on (a ground id of `handoff.grounds`) and the explanation written
    for the requester (APPI Art. 36)."""

    ground: str
    explanation: str


@dataclass(frozen=True)
class RequesterView:
    """What a requester may see of their ticket (allow-listed field by field).

    Never in it: internal notes, the event log, actor or assignee names, notification or delivery errors,
    session or user ids, version numbers."""

    reference: str
    request_type: str
    article: int
    status: str
    #: "resolved" or "rejected" once closed, else None.
    outcome: str | None
    rejection: RequesterRejection | None
    lang: str
    created_at: float
    updated_at: float
    due_at: float
    closed_at: float | None
    contact_name: str
    contact_email: str | None
    representative: tuple[str, str] | None  # (on behalf of, relationship)
    answers: tuple[tuple[str, str], ...]
    transcript: tuple[tuple[str, str, float], ...]  # (role, text, at): the chat that led to the request
    replies: tuple[RequesterReply, ...]

    @classmethod
    def of(cls, ticket: Ticket) -> "RequesterView":
        rep = ticket.representative
        return cls(
            reference=ticket.reference, request_type=ticket.request_type, article=ticket.article,
            status=ticket.status, outcome=ticket.status if ticket.status in CLOSED_STATUSES else None,
            rejection=RequesterRejection(ticket.rejection.ground, ticket.rejection.text)
            if ticket.rejection is not None and ticket.status == REJECTED else None,
            lang=ticket.lang, created_at=ticket.created_at, updated_at=ticket.updated_at, due_at=ticket.due_at,
            closed_at=ticket.closed_at, contact_name=ticket.contact.name, contact_email=ticket.contact.email,
            representative=(rep.on_behalf_of, rep.relationship) if rep is not None else None,
            answers=tuple((str(k), str(v)) for k, v in ticket.answers.items()),
            transcript=tuple((line.role, line.text, line.at) for line in ticket.transcript),
            replies=tuple(RequesterReply.of(r) for r in ticket.replies),
        )

    def summary(self) -> dict[str, Any]:
        """The short form a chat reply carries (`ticket` in `POST /api/chat`): no contact details, no free text."""
        return {"reference": self.reference, "request_type": self.request_type, "article": self.article,
                "status": self.status, "created_at": self.created_at, "due_at": self.due_at}

    def to_dict(self) -> dict[str, Any]:
        """The requester's copy (`POST /api/tickets/copy`), JSON-ready, with exactly `REQUESTER_KEYS`."""
        data = {
            "reference": self.reference, "request_type": self.request_type, "article": self.article,
            "status": self.status, "outcome": self.outcome,
            "rejection": {"ground": self.rejection.ground, "explanation": self.rejection.explanation}
            if self.rejection else None,
            "lang": self.lang, "created_at": self.created_at, "updated_at": self.updated_at, "due_at": self.due_at,
            "closed_at": self.closed_at,
            "contact": {"name": self.contact_name, "email": self.contact_email},
            "representative": {"on_behalf_of": self.representative[0], "relationship": self.representative[1]}
            if self.representative else None,
            "answers": dict(self.answers),
            "transcript": [{"role": role, "text": text, "at": at} for role, text, at in self.transcript],
            "replies": [{"at": r.at, "text": r.text} for r in self.replies],
        }
        assert data.keys() == REQUESTER_KEYS  # the allow-list and the dict never drift apart
        return data
