"""Tickets: what a confirmed formal request becomes, with its value types, statuses and JSON form.

The conversation hands a store a `TicketDraft`; the store allocates a reference and keeps a `Ticket`.
Tickets are immutable values: every change (`handoff.lifecycle`) returns a new Ticket with `version` + 1 and
its events appended, and a store writes that new value atomically or not at all.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

# The request types and their articles (the fixed contract in DESIGN.md) are defined once, with the catalog.
from intents.catalog import REQUEST_TYPES as REQUEST_TYPES  # re-exported for handoff modules

NEW, IN_PROGRESS, WAITING, RESOLVED, REJECTED = "new", "in_progress", "waiting_on_requester", "resolved", "rejected"
STATUSES: tuple[str, ...] = (NEW, IN_PROGRESS, WAITING, RESOLVED, REJECTED)
OPEN_STATUSES = frozenset({NEW, IN_PROGRESS, WAITING})
CLOSED_STATUSES = frozenset({RESOLVED, REJECTED})

#: Allowed status moves. Closed tickets are final: a requester who comes back files a new request, so the
#: record of what was decided (and when, which matters for the Art. 39 two-week clock) never changes.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    NEW: frozenset({IN_PROGRESS, WAITING, RESOLVED, REJECTED}),
    IN_PROGRESS: frozenset({WAITING, RESOLVED, REJECTED}),
    WAITING: frozenset({IN_PROGRESS, RESOLVED, REJECTED}),
    RESOLVED: frozenset(),
    REJECTED: frozenset(),
}

_FRONTEND = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class TicketError(ValueError):
    """A ticket operation breaks a rule (lifecycle, rejection grounds, draft fields). Nothing was changed."""


class IllegalTransition(TicketError):
    """The lifecycle does not allow this move; `str()` says which ticket, from where and to where."""

    def __init__(self, reference: str, current: str, target: str, why: str = "") -> None:
        message = f"cannot move {reference} from {current} to {target}"
        super().__init__(f"{message}: {why}" if why else message)
        self.reference, self.current, self.target = reference, current, target


class InvalidRejection(TicketError):
    """A rejection without a ground valid for the request type, or without an explanation."""


@dataclass(frozen=True)
class Requester:
    """Who asked, as the front end knows them. `user_id` is None where the front end has no accounts (web)."""

    frontend: str
    user_id: str | None
    session_id: str

    def __post_init__(self) -> None:
        if not _FRONTEND.fullmatch(self.frontend):
            raise TicketError(f"frontend must be a short lowercase name, got {self.frontend!r}")
        if not self.session_id or (self.user_id is not None and not self.user_id):
            raise TicketError("requester needs a session id, and a non-empty user id when one is given")

    @property
    def key(self) -> str:
        """The identity tickets are found by: the front end's user id when there is one, else the session.

        Never both: a Slack session may be shared by a channel's members, so a user-id requester must not see
        tickets through a session key.
        """
        if self.user_id is not None:
            return f"u:{self.frontend}:{self.user_id}"
        return f"s:{self.frontend}:{self.session_id}"


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str | None = None
    #: When the requester proved the address is theirs with a mailed one-time code; None: not verified.
    verified_at: float | None = None


@dataclass(frozen=True)
class Representative:
    """Set when an agent files for someone else (Art. 37: legal representative or appointed agent)."""

    on_behalf_of: str
    relationship: str


@dataclass(frozen=True)
class TranscriptLine:
    role: str  # "user" or "bot"
    text: str
    at: float


@dataclass(frozen=True)
class Event:
    """One entry of a ticket's append-only log. `detail` is structural and survives `purge`; `text` is
    free text (a note, a reply, a reason) and is personal data, so purge blanks it."""

    at: float
    actor: str
    action: str
    detail: str = ""
    text: str = ""


@dataclass(frozen=True)
class StaffReply:
    """A message from staff to the requester, shown in the requester's next chat turn (the ticket's outbox)."""

    id: int
    at: float
    actor: str
    text: str
    delivered_at: float | None = None


@dataclass(frozen=True)
class PendingReply:
    reference: str
    reply: StaffReply


@dataclass(frozen=True)
class Rejection:
    ground: str  # an id from handoff.grounds.REJECTION_GROUNDS for the ticket's request type
    text: str


def _line(item: TranscriptLine | Mapping[str, Any]) -> TranscriptLine:
    if isinstance(item, TranscriptLine):
        return item
    return TranscriptLine(role=str(item["role"]), text=str(item["text"]), at=float(item["at"]))


@dataclass(frozen=True)
class TicketDraft:
    """What the conversation hands over when the requester confirms the form.

    `transcript` may be given as dicts `{role, text, at}`; it is stored as `TranscriptLine`s.
    Raises TicketError for an unknown request type or language.
    """

    request_type: str
    requester: Requester
    contact: Contact
    answers: Mapping[str, str] = field(default_factory=dict)
    transcript: tuple[TranscriptLine, ...] = ()
    representative: Representative | None = None
    lang: str = "en"

    def __post_init__(self) -> None:
        if self.request_type not in REQUEST_TYPES:
            raise TicketError(f"unknown request type {self.request_type!r}; expected one of {list(REQUEST_TYPES)}")
        if self.lang not in ("en", "ja"):
            raise TicketError(f"lang must be 'en' or 'ja', got {self.lang!r}")
        # Frozen, so normalise through object.__setattr__: callers may pass lists and dicts.
        object.__setattr__(self, "transcript", tuple(_line(x) for x in self.transcript))
        object.__setattr__(self, "answers", {str(k): str(v) for k, v in self.answers.items()})


@dataclass(frozen=True)
class Ticket:
    """A formal request and everything done about it. Build one with `handoff.lifecycle.open_ticket`."""

    reference: str
    request_type: str
    status: str
    requester: Requester
    contact: Contact
    representative: Representative | None
    answers: Mapping[str, str]
    transcript: tuple[TranscriptLine, ...]
    lang: str
    created_at: float
    updated_at: float
    due_at: float
    events: tuple[Event, ...]
    assignee: str | None = None
    closed_at: float | None = None
    rejection: Rejection | None = None
    replies: tuple[StaffReply, ...] = ()
    purged_at: float | None = None
    version: int = 1

    @property
    def article(self) -> int:
        return REQUEST_TYPES[self.request_type]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: float) -> bool:
        """Still open after its due date."""
        return self.is_open and now > self.due_at

    def is_due_soon(self, now: float, days: int) -> bool:
        """Still open, not overdue yet, and due within `days` days (README "Two clocks"; 0 days: never). The staff
        queue and ticket page, the daily digest and `/metrics` all use this rule."""
        return days > 0 and self.is_open and now <= self.due_at <= now + days * 86400.0

    @property
    def pending_replies(self) -> tuple[StaffReply, ...]:
        return tuple(r for r in self.replies if r.delivered_at is None)

    def belongs_to(self, requester: Requester) -> bool:
        """True when `requester` may see this ticket (same identity key; see `Requester.key`)."""
        return self.requester.key == requester.key

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `from_dict(to_dict())` gives an equal Ticket. Includes the derived `article`."""
        data = asdict(self)
        data["article"] = self.article
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Ticket":
        """Inverse of `to_dict`. Raises KeyError/TypeError/ValueError for a malformed document."""
        rep, rej = data.get("representative"), data.get("rejection")
        return cls(
            reference=data["reference"],
            request_type=data["request_type"],
            status=data["status"],
            requester=Requester(**data["requester"]),
            contact=Contact(**data["contact"]),
            representative=Representative(**rep) if rep else None,
            answers=dict(data["answers"]),
            transcript=tuple(TranscriptLine(**x) for x in data["transcript"]),
            lang=data["lang"],
            created_at=data["created_at"],
            updated_at=data["updated_at"],
            due_at=data["due_at"],
            events=tuple(Event(**e) for e in data["events"]),
            assignee=data.get("assignee"),
            closed_at=data.get("closed_at"),
            rejection=Rejection(**rej) if rej else None,
            replies=tuple(StaffReply(**r) for r in data.get("replies", ())),
            purged_at=data.get("purged_at"),
            version=int(data.get("version", 1)),
        )
