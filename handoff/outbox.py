"""The outbox: every outbound message (staff alerts, Slack posts and DMs, emails) is a row in the store first.

How it fits together:

* `OutboxMessage` is one message to deliver once: a unique `key` (the dedupe key: enqueueing a key that exists
  changes nothing, and emails use it for their Message-ID), a `channel` ("slack", "email", "log"), a `kind`
  ("staff_alert", "receipt", "status", "outcome", "reply", "verification", or a front end's own such as
  "slack_dm"), the ticket `reference` it is about (None for messages about no ticket) and a small JSON
  `payload`. Its delivery record is `status` (pending / sent / failed), `attempts`, `next_attempt_at`,
  `last_error` (a short code, never personal data), `sent_at`, and `attempt_started_at`: when an attempt whose
  outcome is not recorded was started (the dispatcher stores it durably before handing the message to its channel;
  recording the outcome clears it, unless the outcome is unknown, such as a timeout after the request left).
* The store writes messages **in the same transaction as the change that causes them**: every ticket write
  (`create_ticket` and every update) asks the store's `outbox_rules(before, after)` which messages the change
  causes and stores them atomically with the ticket. `Routing` is the standard rule set (the composition root
  builds it from the settings; a front end adds its own rules in `Routing.extra`, e.g. the Slack wing's DMs).
  Messages no ticket write causes (an email verification code) go in with `store.enqueue(...)`.
* `handoff.dispatch.Dispatcher` delivers: it leases due messages (`store.claim_outbox`, so several processes never send the same
  attempt at once), hands each to the `Transport` of its channel, and records the outcome
  (`store.record_delivery`). A failure is retried with exponential backoff, never sooner than the channel's
  Retry-After, until `max_attempts`; then the message is `failed` and the staff pages say so. A process that dies
  mid-delivery loses nothing: the lease runs out and another round takes the message. A message whose
  `attempt_started_at` is set may have reached its channel already: a transport that can ask its channel
  (`Transport.find_delivered`; Slack: the message's metadata in the conversation's history) is asked first, and
  a message it finds is recorded sent instead of being sent again. A channel that cannot be asked (SMTP) gets it
  again, with the same dedupe key (email Message-ID). A message marked sent is never sent again.
* Transports render at delivery time from the ticket as it is then (for requesters, only through the
  allow-listed requester view), so the outbox itself holds no personal data for ticket messages; a delivered
  message's payload is cleared.

Content is never decided here: a transport raises `DeliveryFailed(reason, retry_after=..., permanent=...)`.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from handoff.tickets import CLOSED_STATUSES, Ticket

PENDING, SENT, FAILED = "pending", "sent", "failed"
OUTBOX_STATUSES = (PENDING, SENT, FAILED)
CHANNELS = ("slack", "email", "log")
_KEY = re.compile(r"[A-Za-z0-9._:@/-]{1,200}")
_EMAILISH = re.compile(r"\S+@\S+")


@dataclass(frozen=True)
class OutboxMessage:
    """One message and its delivery record (see the module docstring)."""

    key: str
    channel: str
    kind: str
    reference: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    status: str = PENDING
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    sent_at: float | None = None
    attempt_started_at: float | None = None

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"outbox key must be 1-200 letters, digits or ._:@/- , got {self.key[:40]!r}")
        if self.channel not in CHANNELS:
            raise ValueError(f"outbox channel must be one of {CHANNELS}, got {self.channel!r}")
        if self.status not in OUTBOX_STATUSES:
            raise ValueError(f"outbox status must be one of {OUTBOX_STATUSES}, got {self.status!r}")

    @property
    def due(self) -> bool:
        return self.status == PENDING

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["payload"] = dict(self.payload)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "OutboxMessage":
        return cls(key=data["key"], channel=data["channel"], kind=data["kind"], reference=data.get("reference"),
                   payload=dict(data.get("payload") or {}), created_at=float(data.get("created_at", 0.0)),
                   status=data.get("status", PENDING), attempts=int(data.get("attempts", 0)),
                   next_attempt_at=float(data.get("next_attempt_at", 0.0)), last_error=data.get("last_error"),
                   sent_at=data.get("sent_at"), attempt_started_at=data.get("attempt_started_at"))


def new_message(channel: str, kind: str, *, key: str, now: float, reference: str | None = None,
                payload: Mapping[str, Any] | None = None) -> OutboxMessage:
    """A pending message due at `now`."""
    return OutboxMessage(key=key, channel=channel, kind=kind, reference=reference, payload=dict(payload or {}),
                         created_at=now, next_attempt_at=now)


def clean_error(reason: str) -> str:
    """What is kept of a failure: short, one line, anything shaped like an address removed (transports already
    build reasons from codes only; this is the second line of defence)."""
    one_line = " ".join(reason.split())
    return _EMAILISH.sub("[address]", one_line)[:200] or "unknown error"


def attempt_started(message: OutboxMessage, *, now: float) -> OutboxMessage:
    """The message with an attempt started at `now` (pure; the stores call it inside their atomic update before
    the dispatcher hands the message to its channel). A message already sent is left as it is."""
    if message.status == SENT:
        return message
    return replace(message, attempt_started_at=now)


def after_attempt(message: OutboxMessage, *, ok: bool, now: float, error: str | None = None,
                  retry_at: float | None = None, in_doubt: bool = False) -> OutboxMessage:
    """The message after one delivery attempt (pure; the stores call it inside their atomic update).

    Success: sent, payload cleared (its job is done; the record stays). Failure: pending again at `retry_at`, or
    failed when `retry_at` is None (a failed verification code loses its payload too). The outcome clears
    `attempt_started_at`, except a failure `in_doubt` (the channel may have taken the message: a timeout after the
    request left, a 5xx), after which the channel is asked before the next attempt. A message already sent stays
    sent whatever is recorded later."""
    if message.status == SENT:
        return message
    attempts = message.attempts + 1
    if ok:
        return replace(message, status=SENT, attempts=attempts, sent_at=now, last_error=None, payload={},
                       next_attempt_at=now, attempt_started_at=None)
    failed = retry_at is None
    next_at = now if retry_at is None else retry_at
    # A verification code that could not be sent is useless once it expires: its address and code are not kept.
    payload = {} if failed and message.kind == "verification" else message.payload
    return replace(message, status=FAILED if failed else PENDING, attempts=attempts, payload=payload,
                   last_error=clean_error(error or "unknown error"), next_attempt_at=next_at,
                   attempt_started_at=message.attempt_started_at if in_doubt else None)


# -- which messages a ticket change causes -------------------------------------------------------------
class OutboxRules(Protocol):
    def __call__(self, before: Ticket | None, after: Ticket) -> Sequence[OutboxMessage]:
        """The messages the change from `before` (None: the ticket was just created) to `after` causes. Pure and
        cheap: stores call it inside the write transaction. Keys must be derived from the ticket and the change,
        so a retried write enqueues nothing twice."""


Rule = Callable[[Ticket | None, Ticket], Iterable[OutboxMessage]]


@dataclass(frozen=True)
class Routing:
    """The standard rules: who hears about what, by which channel.

    * a new ticket: a `staff_alert` on every channel in `staff` ("slack", "email", "log"; none configured means
      "log", so staff are always told somewhere), and with `requester_email` a `receipt` email;
    * a status change: with `requester_email`, a `status` email (`outcome` when the ticket closed);
    * a staff reply: with `requester_email`, a `reply` email per reply;
    * plus whatever the rules in `extra` return (front ends' own messages).
    Requester emails go only to tickets that have an email address.
    """

    staff: tuple[str, ...] = ("log",)
    requester_email: bool = False
    extra: tuple[Rule, ...] = ()

    def __call__(self, before: Ticket | None, after: Ticket) -> list[OutboxMessage]:
        now, ref = after.updated_at, after.reference
        out: list[OutboxMessage] = []
        email = self.requester_email and bool(after.contact.email) and after.purged_at is None
        if before is None:
            for channel in self.staff or ("log",):
                out.append(new_message(channel, "staff_alert", key=f"{ref}:staff_alert:{channel}", now=now,
                                       reference=ref))
            if email:
                out.append(new_message("email", "receipt", key=f"{ref}:receipt:email", now=now, reference=ref))
        else:
            if email and after.status != before.status:
                kind = "outcome" if after.status in CLOSED_STATUSES else "status"
                out.append(new_message("email", kind, key=f"{ref}:{kind}:{after.version}:email", now=now,
                                       reference=ref, payload={"status": after.status}))
            if email:
                known = {r.id for r in before.replies}
                for reply in after.replies:
                    if reply.id not in known:
                        out.append(new_message("email", "reply", key=f"{ref}:reply:{reply.id}:email", now=now,
                                               reference=ref, payload={"reply": reply.id}))
        for rule in self.extra:
            out.extend(rule(before, after))
        return out


# -- delivering ------------------------------------------------------------------------------------------
class DeliveryFailed(Exception):
    """A message was not delivered. `reason` is a short code free of personal data (it is stored and shown to
    staff); `retry_after` is the delay the service asked for; `permanent` means retrying cannot help;
    `maybe_delivered` means the channel may have taken the message all the same (the request left and no answer
    came back: a timeout, a reset connection, a 5xx), so the channel is asked before the next attempt."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False,
                 maybe_delivered: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.permanent = reason, retry_after, permanent
        self.maybe_delivered = maybe_delivered


#: What `Transport.deliver` may return: called by the dispatcher once the delivery is recorded (SMTP's QUIT), so
#: nothing but the record stands between the channel's OK and the outbox knowing it.
AfterRecord = Callable[[], None]


class Transport(Protocol):
    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> AfterRecord | None:
        """Deliver `message` (its ticket as it is now, when it has one). Raises DeliveryFailed. May return a
        clean-up to run after the delivery is recorded."""


class Lookup(Protocol):
    """A transport that can ask its channel whether a message arrived (Slack; not SMTP)."""

    def find_delivered(self, message: OutboxMessage, ticket: Ticket | None, *, since: float) -> float | None:
        """When the channel took `message` in an attempt started at `since` or later (epoch seconds), or None
        when the channel holds no such message. Raises DeliveryFailed: `permanent` when the channel cannot be asked
        at all (a missing scope; the message is then sent again), otherwise the question is asked again later."""


def staff_alerted(messages: Iterable[OutboxMessage]) -> bool:
    """True once a staff alert about the ticket was delivered on some channel."""
    return any(m.kind == "staff_alert" and m.status == SENT for m in messages)


def describe(message: OutboxMessage, when: Callable[[float], str]) -> str:
    """The delivery state in words for staff: "sent 10:41", "pending", "failed — retrying at 10:42 (slack:…)",
    "failed after 10 attempts (…)". `when` formats a time."""
    if message.status == SENT:
        return f"sent {when(message.sent_at or message.next_attempt_at)}"
    error = f" ({message.last_error})" if message.last_error else ""
    if message.status == FAILED:
        return f"failed after {message.attempts} attempt{'s' if message.attempts != 1 else ''}{error}"
    if message.attempts:
        return f"failed — retrying at {when(message.next_attempt_at)}{error}"
    return "pending"
