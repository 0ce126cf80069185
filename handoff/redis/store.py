"""The shared store for several workers or machines: Redis (`REDIS_URL`), key layout in `handoff.redis.layout`.

Sessions and markers use native TTLs. Ticket writes are Lua scripts (EVALSHA, reloaded automatically after a
server restart) so allocation + insert + idempotency mapping + indexes, and later each compare-and-set
update, happen atomically. Every Redis error becomes StoreUnavailable: a write is never dropped silently.
For acknowledged tickets to survive a crash the server needs `appendonly yes` and `appendfsync always`;
`health()` reports both.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from handoff import lifecycle
from handoff.accounts import UserAccount
from handoff.query import TicketQuery
from handoff.redis.content import RedisContent
from handoff.redis.layout import CREATE_TICKET, MAX_BUCKET_LIFE, TAKE_TOKENS, UPDATE_TICKET, RedisKeys
from handoff.references import reference_order, reference_year
from handoff.store import (
    Bucket, RateDecision, StoreError, StoreHealth, StoreUnavailable, TicketNotFound, UserExists, UserNotFound,
    check_rate_args,
)
from handoff.ticket_ops import TicketOperations, checked_change, collect_pending, ensure_same_request
from handoff.tickets import CLOSED_STATUSES, PendingReply, Requester, Ticket, TicketDraft

_UNALLOCATED = "PRQ-0000-000000"  # stands in until the script allocates; never stored (documents omit it)
_CAS_ATTEMPTS = 25


def _text(value: bytes | str) -> str:
    # The client decodes responses; this keeps the type checker (and a client built without it) honest.
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _texts(values: Iterable[bytes | str]) -> list[str]:
    return [_text(v) for v in values]


class RedisStore(RedisContent, TicketOperations):
    """Redis implementation of the store interface (see `handoff.store`)."""

    backend = "redis"

    def __init__(self, client: redis.Redis, *, prefix: str = "privacy-bot",
                 clock: Callable[[], float] = time.time, sla_days: int = 14) -> None:
        """`client` must decode responses (`decode_responses=True`). Raises ValueError for a bad prefix."""
        if sla_days < 1:
            raise ValueError(f"sla_days must be at least 1, got {sla_days}")
        self.keys = RedisKeys(prefix)
        self.sla_days = sla_days
        self._r = client
        self._clock = clock
        self._create = client.register_script(CREATE_TICKET)
        self._update = client.register_script(UPDATE_TICKET)
        self._take_tokens = client.register_script(TAKE_TOKENS)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "privacy-bot", clock: Callable[[], float] = time.time,
                 sla_days: int = 14, socket_timeout: float = 5.0, connect_timeout: float = 2.0) -> "RedisStore":
        """Connect lazily (the first command connects). No automatic command retries: a retried script after
        a lost reply could apply a change twice, so failures surface as StoreUnavailable instead."""
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=socket_timeout,
                                      socket_connect_timeout=connect_timeout, health_check_interval=30,
                                      retry=Retry(NoBackoff(), 0))
        return cls(client, prefix=prefix, clock=clock, sla_days=sla_days)

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except RedisError as exc:  # ConnectionError, TimeoutError, BusyLoadingError, READONLY, MISCONF, OOM…
            raise StoreUnavailable(f"Redis {what} failed: {type(exc).__name__}: {exc}") from exc

    # -- sessions and markers ----------------------------------------------------------------
    def load_session(self, session_id: str) -> dict[str, Any] | None:
        with self._guard("load_session"):
            raw = self._r.get(self.keys.session(session_id))
        if raw is None:
            return None
        state: dict[str, Any] = json.loads(raw)
        return state

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int) -> None:
        payload = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        with self._guard("save_session"):
            self._r.set(self.keys.session(session_id), payload, ex=ttl_seconds)

    def delete_session(self, session_id: str) -> None:
        with self._guard("delete_session"):
            self._r.delete(self.keys.session(session_id))

    def purge_expired(self) -> int:
        return 0  # Redis expires sessions and markers itself

    def mark_once(self, key: str, ttl_seconds: int) -> bool:
        with self._guard("mark_once"):
            return bool(self._r.set(self.keys.once(key), "1", nx=True, ex=ttl_seconds))

    def take_token(self, key: str, *, rate: float, burst: int, now: float, cost: float = 1.0) -> RateDecision:
        return self.take_tokens([Bucket(key, rate, burst, cost)], now=now)[0]

    def take_tokens(self, buckets: Sequence[Bucket], *, now: float) -> list[RateDecision]:
        args: list[Any] = [repr(float(now)), MAX_BUCKET_LIFE]
        for b in buckets:
            check_rate_args(b.key, b.rate, b.burst, b.cost)
            args += [repr(float(b.rate)), int(b.burst), repr(float(b.cost))]
        if not buckets:
            return []
        with self._guard("take_tokens"):
            flat = self._take_tokens(keys=[self.keys.rate(b.key) for b in buckets], args=args)
        return [RateDecision(allowed=bool(int(flat[i])), retry_after=float(flat[i + 1]), remaining=float(flat[i + 2]))
                for i in range(0, len(flat), 3)]

    # -- ticket documents --------------------------------------------------------------------
    @staticmethod
    def _encode(ticket: Ticket) -> str:
        data = ticket.to_dict()
        del data["reference"]  # the hash field is the reference; the create script only learns it inside
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def _decode(reference: str, raw: str) -> Ticket:
        try:
            return Ticket.from_dict({**json.loads(raw), "reference": reference})
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"corrupt ticket document {reference}: {exc!r}") from exc

    def _load(self, references: list[str]) -> list[Ticket]:
        if not references:
            return []
        with self._guard("read tickets"):
            docs = self._r.hmget(self.keys.tickets, references)
        return [self._decode(ref, _text(doc)) for ref, doc in zip(references, docs) if doc is not None]

    # -- tickets -----------------------------------------------------------------------------
    def create_ticket(self, draft: TicketDraft, *, idempotency_key: str, now: float) -> Ticket:
        if not idempotency_key:
            raise ValueError("idempotency_key must not be empty")
        year = reference_year(now)
        ticket = lifecycle.open_ticket(draft, _UNALLOCATED, now=now, sla_days=self.sla_days)
        k = self.keys
        with self._guard("create_ticket"):
            created, reference = self._create(keys=[k.idem, k.seq, k.tickets, *sorted(k.ticket_indexes(ticket))],
                                              args=[idempotency_key, year, self._encode(ticket)])
        if not created:
            return ensure_same_request(self.get_ticket(_text(reference)), draft, idempotency_key)
        return replace(ticket, reference=_text(reference))

    def get_ticket(self, reference: str) -> Ticket:
        with self._guard("get_ticket"):
            raw = self._r.hget(self.keys.tickets, reference)
        if raw is None:
            raise TicketNotFound(reference)
        return self._decode(reference, _text(raw))

    def list_tickets(self, *, status: str | Iterable[str] | None = None, request_type: str | None = None,
                     assignee: str | None = None, overdue: bool | None = None, requester: Requester | None = None,
                     now: float | None = None, limit: int = 50, offset: int = 0) -> list[Ticket]:
        """Narrows candidates with the index sets; loads documents only for the page, except with an `overdue`
        filter, which needs due dates (cheap for overdue=True: only open tickets are candidates)."""
        q = TicketQuery.build(status=status, request_type=request_type, assignee=assignee, overdue=overdue,
                              requester=requester, now=now, limit=limit, offset=offset)
        k = self.keys
        groups: list[list[str]] = []  # a ticket must be in at least one set of every group
        if q.candidate_statuses is not None:
            groups.append([k.status(s) for s in sorted(q.candidate_statuses)])
        for key, value in ((k.request_type, q.request_type), (k.assignee, q.assignee),
                           (k.requester, q.requester_key)):
            if value is not None:
                groups.append([key(value)])
        refs = sorted(self._candidates(groups), key=reference_order)
        if q.overdue is None:
            return [t for t in self._load(refs[q.offset:q.offset + q.limit]) if q.matches(t)]
        return [t for t in self._load(refs) if q.matches(t)][q.offset:q.offset + q.limit]

    def _candidates(self, groups: list[list[str]]) -> set[str]:
        with self._guard("list_tickets"):
            if not groups:
                return set(_texts(self._r.hkeys(self.keys.tickets)))
            pipe = self._r.pipeline(transaction=False)
            for group in groups:
                pipe.sunion(group)
            found = pipe.execute()
        return set.intersection(*(set(_texts(members)) for members in found))

    def pending_replies(self, requester: Requester) -> list[PendingReply]:
        with self._guard("pending_replies"):
            refs = sorted(_texts(self._r.smembers(self.keys.outbox(requester.key))))
        return collect_pending(t for t in self._load(refs) if t.belongs_to(requester))

    def unnotified_tickets(self, *, limit: int = 50) -> list[Ticket]:
        with self._guard("unnotified_tickets"):
            refs = sorted(_texts(self._r.smembers(self.keys.unnotified)), key=reference_order)
        return [t for t in self._load(refs[:limit]) if not t.notified]

    def _mutate(self, reference: str, change: Callable[[Ticket], Ticket]) -> Ticket:
        return self._compare_and_set(reference, change)[0]

    def _compare_and_set(self, reference: str, change: Callable[[Ticket], Ticket]) -> tuple[Ticket, bool]:
        """Optimistic update: read, apply, write only if the document is still the one read; else retry.
        Returns the resulting ticket and whether it was written."""
        k = self.keys
        for _ in range(_CAS_ATTEMPTS):
            with self._guard("read ticket"):
                stored = self._r.hget(k.tickets, reference)
            if stored is None:
                raise TicketNotFound(reference)
            raw = _text(stored)
            old = self._decode(reference, raw)
            new = checked_change(old, change)
            if new is None:
                return old, False
            before, after = k.ticket_indexes(old), k.ticket_indexes(new)
            leave, join = sorted(before - after), sorted(after - before)
            with self._guard("update ticket"):
                written = self._update(keys=[k.tickets, *leave, *join],
                                       args=[reference, raw, self._encode(new), len(leave)])
            if written:
                return new, True
        raise StoreUnavailable(f"{reference} kept changing during {_CAS_ATTEMPTS} attempts to update it; retry")

    def purge(self, older_than_days: float, *, now: float) -> int:
        if older_than_days < 0:
            raise ValueError(f"older_than_days must not be negative, got {older_than_days}")
        with self._guard("purge"):
            refs = sorted(_texts(self._r.sunion([self.keys.status(s) for s in sorted(CLOSED_STATUSES)])))

        def purge_if_due(ticket: Ticket) -> Ticket:
            # Re-checked on the fresh copy inside the compare-and-set loop.
            if lifecycle.purgeable(ticket, older_than_days=older_than_days, now=now):
                return lifecycle.purge_personal(ticket, now=now)
            return ticket

        due = [t.reference for t in self._load(refs)
               if lifecycle.purgeable(t, older_than_days=older_than_days, now=now)]
        return sum(self._compare_and_set(ref, purge_if_due)[1] for ref in due)

    # -- accounts ----------------------------------------------------------------------------
    def add_user(self, account: UserAccount) -> None:
        with self._guard("add_user"):
            added = self._r.hsetnx(self.keys.users, account.username, json.dumps(account.to_dict()))
        if not added:
            raise UserExists(f"user {account.username!r} already exists")

    def remove_user(self, username: str) -> None:
        with self._guard("remove_user"):
            removed = self._r.hdel(self.keys.users, username)
        if not removed:
            raise UserNotFound(f"no user {username!r}")

    def get_user(self, username: str) -> UserAccount | None:
        with self._guard("get_user"):
            raw = self._r.hget(self.keys.users, username)
        return UserAccount.from_dict(json.loads(_text(raw))) if raw else None

    def list_users(self) -> list[UserAccount]:
        with self._guard("list_users"):
            raws = self._r.hvals(self.keys.users)
        return sorted((UserAccount.from_dict(json.loads(_text(r))) for r in raws), key=lambda u: u.username)

    # -- operations --------------------------------------------------------------------------
    def health(self) -> StoreHealth:
        try:
            with self._guard("health"):
                self._r.ping()
                self._r.set(self.keys.health, str(self._clock()), ex=60)
        except StoreUnavailable as exc:
            return StoreHealth(ok=False, backend=self.backend, detail={"error": str(exc)})
        detail: dict[str, Any] = {"prefix": self.keys.prefix}
        try:
            # Managed Redis services often forbid CONFIG; persistence is then reported as unknown.
            for name in ("appendonly", "appendfsync"):
                detail[name] = self._r.config_get(name).get(name, "unknown")
        except RedisError:
            detail["persistence"] = "unknown (CONFIG GET not allowed)"
        return StoreHealth(ok=True, backend=self.backend, detail=detail)

    def close(self) -> None:
        self._r.close()
