"""The storage interface every backend implements, and the errors it raises.

Contracts are written here once and honoured by each implementation; `tests/handoff/test_store_contract.py`
runs the same suite against every backend. Ticket rules live in `handoff.lifecycle` and raise `TicketError`
subclasses (IllegalTransition, InvalidRejection) through the store unchanged; storage failures raise
`StoreError` subclasses. Times (`now`) are epoch seconds passed by the caller, so tests control them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence, runtime_checkable

from handoff.accounts import UserAccount
from handoff.analytics import AnalyticsStore
from handoff.content import Phrasing, TemplateVersion, UnansweredGroup
from handoff.outbox import OutboxMessage, OutboxRules
from handoff.session_log import LogWrite
from handoff.tickets import PendingReply, Requester, Ticket, TicketDraft


class StoreError(Exception):
    """Base class for storage failures."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached, cannot write right now, or did not confirm a write. Retry later.

    A write that raised this was applied completely or not at all, never half. When the connection broke
    after the request was sent it may have been applied: `create_ticket` is safe to retry with the same
    idempotency key; other updates may then repeat (e.g. a note added twice), never vanish.
    """


class TicketNotFound(StoreError, LookupError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no ticket {reference}")
        self.reference = reference


class OutboxNotFound(StoreError, LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no outbox message {key}")
        self.key = key


class OutboxBusy(StoreError):
    """A process holds the message's lease (`OutboxStore.claim_outbox` or `lease_outbox`) until `until`: it may be
    handing the message to its channel right now, so it is not attempted again until the lease ends."""

    def __init__(self, key: str, until: float) -> None:
        super().__init__(f"outbox message {key} is leased until {until:.3f}")
        self.key, self.until = key, until


class IdempotencyConflict(StoreError):
    """The idempotency key already belongs to a ticket of another requester or request type."""


class UserExists(StoreError):
    pass


class UserNotFound(StoreError, LookupError):
    pass


class TemplateVersionNotFound(StoreError, LookupError):
    """No such version of that template (numbers count from 1 per template and language)."""


class TemplateConflict(StoreError):
    """The template changed since the editor was opened (`base_version` is no longer the latest); nothing saved.

    `latest` is the number of the version now in the store."""

    def __init__(self, message: str, latest: int) -> None:
        super().__init__(message)
        self.latest = latest


class PhrasingExists(StoreError):
    """The intent already has this phrasing in this language (compared case- and space-insensitively)."""


class PhrasingNotFound(StoreError, LookupError):
    pass


@dataclass(frozen=True)
class StoreHealth:
    ok: bool
    backend: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class SessionStore(Protocol):
    """Per-conversation state: a JSON-serialisable dict per session id, with a time to live."""

    def load_session(self, session_id: str) -> dict[str, Any] | None:
        """Return the session's state, or None if it never existed or has expired.

        Raises StoreUnavailable if the backend cannot be read.
        """

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int,
                     log: LogWrite | None = None) -> None:
        """Replace the session's state; it expires `ttl_seconds` after this call. With `log`, in the same atomic
        step: its lines are written under their numbers (replacing any of the same number), every other line of the
        session outside `log.keep` is deleted, and the log expires with the state (`handoff.session_log`).

        Raises StoreUnavailable if the state could not be written durably; then nothing changed.
        """

    def load_log(self, session_id: str, first: int, last: int) -> list[dict[str, Any]]:
        """The session's lines numbered `first` to `last` that it still keeps, oldest first (each as written).
        Raises StoreUnavailable if the backend cannot be read."""

    def delete_session(self, session_id: str) -> None:
        """Remove the session and its log. Deleting a missing session is not an error."""

    def purge_expired(self) -> int:
        """Physically delete expired sessions, markers and rate-limit buckets (expired ones are already invisible);
        return how many were deleted (backends that expire keys natively return 0)."""

    def health(self) -> StoreHealth:
        """Report whether the backend is reachable and writable. Never raises."""

    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""


@runtime_checkable
class TicketStore(Protocol):
    """Tickets, their events and outbox, reference allocation and idempotency keys.

    Every method raises StoreUnavailable when the backend fails; each write is atomic (the whole new ticket
    with its index entries and the outbox messages `outbox_rules(before, after)` returns for it, or nothing) and
    durable once the method returns.
    """

    sla_days: int
    #: Which outbox messages each ticket write causes (`handoff.outbox.Routing` unless the store was given others).
    outbox_rules: OutboxRules

    def create_ticket(self, draft: TicketDraft, *, idempotency_key: str, now: float) -> Ticket:
        """Open a ticket: allocate the next `PRQ-YYYY-NNNNNN` (per-year counter, Japan time) and insert the
        ticket in one atomic step, due `sla_days` after `now`.

        A repeated `idempotency_key` (double click, client retry, concurrent retries) returns the ticket the
        first call created and creates nothing. Raises IdempotencyConflict if the key belongs to a ticket of
        another requester or request type, ValueError for an empty key. Keys must not contain personal
        data; they are kept after purge.
        """

    def get_ticket(self, reference: str) -> Ticket:
        """The ticket, or raise TicketNotFound. Callers showing it to a requester check `belongs_to`."""

    def list_tickets(self, *, status: str | Iterable[str] | None = None, request_type: str | None = None,
                     assignee: str | None = None, overdue: bool | None = None, requester: Requester | None = None,
                     now: float | None = None, limit: int = 50, offset: int = 0,
                     due_by: float | None = None) -> list[Ticket]:
        """Tickets matching every given filter, in allocation order (oldest first), `offset`/`limit` applied.

        `status` is one status or several; `overdue=True` means open and past due at `now` (required then);
        `due_by` means open and due at or before that time (overdue ones included; with `overdue=False`, the ones
        due soon); `requester` matches by `Requester.key`. Raises ValueError for invalid filters.
        """

    def update_status(self, reference: str, new_status: str, *, actor: str, now: float, note: str | None = None,
                      rejection_ground: str | None = None) -> Ticket:
        """Apply `lifecycle.transition` atomically (concurrent changes never lose an event) and return the new
        ticket. Raises TicketNotFound, IllegalTransition, InvalidRejection."""

    def claim(self, reference: str, *, actor: str, now: float) -> Ticket:
        """Make `actor` the assignee (`lifecycle.claim`). Raises TicketNotFound, TicketError if closed."""

    def add_note(self, reference: str, *, actor: str, text: str, now: float) -> Ticket:
        """Append an internal note event. Raises TicketNotFound, TicketError for empty text."""

    def add_reply(self, reference: str, *, actor: str, text: str, now: float) -> Ticket:
        """Queue a staff message for the requester (outbox) and log it. Raises TicketNotFound, TicketError."""

    def pending_replies(self, requester: Requester) -> list[PendingReply]:
        """Undelivered replies on the requester's tickets, oldest first. Cheap when there are none: it is
        called on every chat turn."""

    def mark_replies_delivered(self, reference: str, reply_ids: Iterable[int], *, now: float) -> Ticket:
        """Mark replies shown. Call after showing them: a crash in between shows them again (at least once)."""

    def purge(self, older_than_days: float, *, now: float) -> int:
        """Apply `lifecycle.purge_personal` to every ticket closed more than `older_than_days` before `now`;
        return how many were purged. Each ticket is purged atomically; a failure part-way leaves the rest for
        the next run. Raises ValueError for a negative age."""


@runtime_checkable
class OutboxStore(Protocol):
    """Outbound messages and their delivery records (`handoff.outbox`). Every method raises StoreUnavailable when
    the backend fails; every write is atomic and durable once it returns."""

    def enqueue(self, messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
        """Store messages no ticket write causes (e.g. a verification code), all or none. A key already in the
        outbox is left as it is (idempotent): the stored message is returned in its place."""

    def claim_outbox(self, *, now: float, channels: Sequence[str], limit: int,
                     lease_seconds: float) -> list[OutboxMessage]:
        """Pending messages of `channels` due at `now` (`next_attempt_at <= now`), earliest due first, at most
        `limit`; each one's `next_attempt_at` moves to `now + lease_seconds` in the same atomic step, so concurrent
        dispatchers never claim the same message while its lease runs, and one that dies mid-delivery leaves it
        due again when the lease ends. Returned messages show their state before the lease."""

    def lease_outbox(self, key: str, *, now: float, lease_seconds: float) -> OutboxMessage:
        """Lease one message for a manual retry, whatever its backoff or failed state: in one atomic, durable step it
        becomes pending and due at `now` with its lease (what `claim_outbox` sets) running to `now + lease_seconds`,
        so no dispatcher claims it meanwhile. A message whose lease from `claim_outbox` or an earlier call is still
        running raises OutboxBusy with the lease's end (a dispatcher may be delivering it this very moment); a message
        already sent is returned unchanged (never send it again). Returns the message as stored. Raises
        OutboxNotFound."""

    def start_attempt(self, key: str, *, now: float) -> OutboxMessage:
        """Record, durably, that an attempt of message `key` starts at `now` (`handoff.outbox.attempt_started`),
        before the dispatcher hands it to its channel; its lease is left as it is. Returns the message as stored (a
        message already sent is returned unchanged: it must not be sent again). Raises OutboxNotFound."""

    def record_delivery(self, key: str, *, ok: bool, now: float, error: str | None = None,
                        retry_at: float | None = None, in_doubt: bool = False) -> OutboxMessage:
        """Record one attempt (`handoff.outbox.after_attempt`): sent; or pending again at `retry_at`; or failed when
        `retry_at` is None; `in_doubt` keeps the started attempt's time (the channel may have the message). A sent
        message stays sent. Raises OutboxNotFound."""

    def get_outbox(self, key: str) -> OutboxMessage:
        """One message. Raises OutboxNotFound."""

    def outbox_for(self, references: Iterable[str]) -> dict[str, list[OutboxMessage]]:
        """The messages of each ticket (oldest first), for the staff pages; references without any are absent."""

    def outbox_counts(self) -> dict[str, int]:
        """How many messages are pending, sent and failed (every status present, 0 when none)."""


@runtime_checkable
class MarkerStore(Protocol):
    def mark_once(self, key: str, ttl_seconds: int) -> bool:
        """True the first time `key` is marked within `ttl_seconds`, False while the mark lives (atomic across
        processes; used to drop redelivered Slack events)."""


@dataclass(frozen=True)
class RateDecision:
    """The outcome of `RateLimitStore.take_token`."""

    #: The tokens were taken: go ahead.
    allowed: bool
    #: Seconds until the request would be allowed (0.0 when allowed).
    retry_after: float
    #: Tokens left in the bucket after this call (whole or fractional).
    remaining: float


@dataclass(frozen=True)
class Bucket:
    """One token bucket to take from in `RateLimitStore.take_tokens` (the arguments of `take_token`)."""

    key: str
    rate: float
    burst: int
    cost: float = 1.0


@runtime_checkable
class RateLimitStore(Protocol):
    def take_tokens(self, buckets: Sequence[Bucket], *, now: float) -> list[RateDecision]:
        """`take_token` on each bucket in order, as one atomic operation (one transaction or script), stopping at
        the first refusal: one decision per bucket tried, so either every bucket allowed or the last decision is
        the refusal and the buckets after it were not touched. A request checked against several limits (per IP,
        then per session) costs one round trip. Raises like `take_token`, before touching any bucket."""

    def take_token(self, key: str, *, rate: float, burst: int, now: float, cost: float = 1.0) -> RateDecision:
        """Token bucket `key`: it holds at most `burst` tokens, starts full, and refills at `rate` tokens per
        second since its last use (times are the `now` of the calls; a `now` earlier than the last one counts as
        no time passed). Take `cost` tokens if the bucket holds that many (allowed, `retry_after` 0.0), else take
        nothing (refused, `retry_after` = seconds until it holds `cost` at `rate`). `remaining` is what the bucket
        holds afterwards.

        Atomic across threads and processes sharing the store: N concurrent calls on a full bucket allow exactly
        `burst` of them (cost 1). A bucket left alone until it is full again is forgotten (expires), so idle keys
        take no space. Keys are 1-200 characters of letters, digits and `._:-` and must not contain personal data:
        callers pass a digest of session ids, IP addresses and usernames (`bot.ratelimit.bucket_key`).

        Raises ValueError for a malformed key, `rate` <= 0, `burst` < 1 or `cost` outside (0, burst];
        StoreUnavailable when the backend fails (then nothing was taken).
        """


@dataclass(frozen=True)
class TurnStart:
    """What every chat message reads before it is answered (`TurnStore.begin_turn`)."""

    #: `take_tokens` on the message's buckets (empty when none were given).
    decisions: list[RateDecision]
    #: The session's state (`load_session`), or None when it never existed or expired, or when refused.
    state: dict[str, Any] | None
    #: Staff replies waiting for the requester (`pending_replies`); empty when refused.
    pending: list[PendingReply]

    @property
    def allowed(self) -> bool:
        return not self.decisions or self.decisions[-1].allowed


@runtime_checkable
class TurnStore(Protocol):
    def begin_turn(self, session_id: str, requester: Requester, buckets: Sequence[Bucket], *,
                   now: float) -> TurnStart:
        """`take_tokens(buckets)`, then, when every bucket allowed, `load_session(session_id)` and
        `pending_replies(requester)`, in one store call: one Redis round trip, or with SQLite reads only (the
        allowed take is then written with the message's session write in the same transaction, or by `end_turn`;
        a refused message writes nothing). What a chat message needs before it is answered, whatever it says. Raises
        like those three (ValueError before touching any bucket; StoreUnavailable, then nothing was taken)."""

    def end_turn(self) -> None:
        """Called on the same thread once the message is answered (or failed): writes what `begin_turn` allowed and
        no session write has written yet (SQLite; nothing with Redis). Raises StoreUnavailable."""


#: A rate-limit key: 1-200 ASCII letters, digits or ._:- (one compiled test instead of a check per character, which
#: was a tenth of a Redis chat message's store work in a profile).
_RATE_KEY = re.compile(r"[A-Za-z0-9._:-]{1,200}")


def check_rate_args(key: str, rate: float, burst: int, cost: float) -> None:
    """The argument checks of `take_token` (and of each `take_tokens` bucket), shared by the backends."""
    if _RATE_KEY.fullmatch(key) is None:
        raise ValueError(f"rate-limit key must be 1-200 letters, digits or ._:- , got {key[:40]!r}")
    if not rate > 0:
        raise ValueError(f"rate must be positive, got {rate}")
    if burst < 1:
        raise ValueError(f"burst must be at least 1, got {burst}")
    if not 0 < cost <= burst:
        raise ValueError(f"cost must be in (0, burst], got {cost}")


def refill(tokens: float, updated_at: float, *, rate: float, burst: int, now: float) -> float:
    """Tokens in a bucket that held `tokens` at `updated_at`, at `now` (the SQLite store and the tests use it;
    the Redis script does the same arithmetic in Lua)."""
    return min(float(burst), tokens + max(0.0, now - updated_at) * rate)


@runtime_checkable
class UserStore(Protocol):
    def add_user(self, account: UserAccount) -> None:
        """Add an account. Raises UserExists if the username is taken."""

    def remove_user(self, username: str) -> None:
        """Remove an account. Raises UserNotFound if there is none."""

    def get_user(self, username: str) -> UserAccount | None:
        """The account, or None."""

    def list_users(self) -> list[UserAccount]:
        """All accounts, sorted by username."""


@runtime_checkable
class ContentStore(Protocol):
    """What admins edit without a deploy (see `handoff.content`): template versions, example phrasings, and the
    unanswered questions they review. Every method raises StoreUnavailable when the backend fails."""

    def content_revisions(self) -> dict[str, int]:
        """`{"templates": n, "phrasings": m}`: counters that start at 0 and grow by one with every template version
        saved and every phrasing added or removed, never decreasing. Cheap: every worker polls it."""

    def save_template_version(self, name: str, lang: str, source: str | None, *, author: str, note: str, now: float,
                              action: str = "edit", restored_from: int | None = None,
                              base_version: int | None = None) -> TemplateVersion:
        """Append version n+1 of (`name`, `lang`) (1 when it was never edited), which becomes the one in use, and bump
        the templates revision, in one atomic, durable step. `source=None` (with action "reset") records a return to
        the shipped default. With `base_version`, raises TemplateConflict (saving nothing) unless the latest version
        is still `base_version` (0: none yet), so two admins editing at once never overwrite each other unknowingly.
        Raises ValueError for a malformed name or language, an empty author, a note over 500 characters, or an
        action that does not fit (`handoff.content.check_version_fields`)."""

    def template_history(self, name: str, lang: str) -> list[TemplateVersion]:
        """Every version of (`name`, `lang`), newest first; empty when it was never edited."""

    def get_template_version(self, name: str, lang: str, number: int) -> TemplateVersion:
        """One version. Raises TemplateVersionNotFound when there is no such version."""

    def template_heads(self) -> dict[tuple[str, str], TemplateVersion]:
        """The newest version of every (name, lang) that was ever edited. Those whose source is not None are the
        overrides in use; the others were reset to the shipped default."""

    def add_phrasing(self, intent: str, lang: str, text: str, *, author: str, now: float) -> Phrasing:
        """Add an example phrasing (text stripped) with the next id and bump the phrasings revision, atomically.
        Raises PhrasingExists when the intent already has the same text in `lang` (`handoff.content.phrasing_key`),
        ValueError for empty text or author or a malformed intent id or language."""

    def list_phrasings(self, intent: str | None = None) -> list[Phrasing]:
        """Every added phrasing (or only those of `intent`), oldest first."""

    def remove_phrasing(self, phrasing_id: int) -> Phrasing:
        """Remove a phrasing, bump the phrasings revision and return what was removed. Raises PhrasingNotFound."""

    def record_unanswered(self, text: str, *, lang: str, decision: str, now: float, keep: int = 500) -> None:
        """Count one message the bot answered with `decision` ("fallback" or "clarify"). `text` must already be
        redacted: it is stored as given. Messages with the same `handoff.content.unanswered_key` form one group
        (the text first seen is kept, `last_seen` becomes `now`). At most `keep` groups are kept: the least recently
        seen are dropped first. Raises ValueError for empty text, a malformed language or another decision."""

    def list_unanswered(self, *, limit: int = 100, offset: int = 0) -> list[UnansweredGroup]:
        """Groups, most recently seen first, `offset`/`limit` applied."""

    def get_unanswered(self, key: str) -> UnansweredGroup | None:
        """One group by its key, or None."""

    def dismiss_unanswered(self, key: str) -> None:
        """Forget a group (after it was attached to an intent, or judged noise). A missing key is not an error."""


@runtime_checkable
class Store(SessionStore, TicketStore, OutboxStore, MarkerStore, RateLimitStore, TurnStore, UserStore, ContentStore,
            AnalyticsStore, Protocol):
    """Everything the conversation and the front ends need from storage."""
