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
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, cast

import redis
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError
from redis.retry import Retry

from handoff import lifecycle, state_json, waiting
from handoff.session_log import LogWrite
from handoff.accounts import UserAccount
from handoff.query import TicketQuery
from handoff.redis.analytics import RedisAnalytics
from handoff.redis.content import RedisContent
from handoff.outbox import PENDING, SENT, OutboxMessage, OutboxRules, Routing, after_attempt, attempt_started
from handoff.redis.layout import (
    BACKFILL_OUTBOX_STATE, CLAIM_OUTBOX, CREATE_TICKET, ENQUEUE, LEASE_OUTBOX, MAX_BUCKET_LIFE, OUTBOX_COUNTS, OUTBOX_STATES,
    PENDING_REPLIES, RECORD_DELIVERY, SAVE_SESSION_LOG, START_ATTEMPT, TAKE_TOKENS, UPDATE_TICKET, RedisKeys,
)
from handoff.references import reference_order, reference_year
from handoff.store import (
    Bucket, OutboxBusy, OutboxNotFound, RateDecision, StoreError, StoreHealth, StoreUnavailable, TicketNotFound, TurnStart,
    UserExists, UserNotFound, check_rate_args,
)
from handoff.ticket_ops import TicketOperations, checked_change, collect_pending, ensure_same_request
from handoff.tickets import CLOSED_STATUSES, PendingReply, Requester, Ticket, TicketDraft

def _refuse_on_event_loop(client: redis.Redis) -> None:
    """Every command of `client` (commands, pipelines, scripts, from this store and its content and analytics
    parts) takes a connection from its pool first: there, inside `handoff.waiting.without_waiting()`, it is refused
    before anything is sent. On the event loop a blocking round trip would hold every other request (for up to the
    socket timeout when Redis hangs)."""
    pool = getattr(client, "connection_pool", None)
    if pool is None or getattr(pool, "_refuses_on_event_loop", False):
        return
    take = pool.get_connection

    def get_connection(*args: Any, **kwargs: Any) -> Any:
        attempt = waiting.current()
        if attempt is not None and attempt.strict:
            raise attempt.refuse("network")
        return take(*args, **kwargs)

    pool.get_connection = get_connection
    pool._refuses_on_event_loop = True


@dataclass(frozen=True)
class SessionWrite:
    """One session write as `RedisStore.save_session` sends it: `script` None is `SET keys[0] args[0] EX args[1]`;
    otherwise EVALSHA of `script` (a registered `redis.commands.core.Script`) on `keys` and `args`."""

    script: Any
    keys: tuple[str, ...]
    args: tuple[Any, ...]


_UNALLOCATED = "PRQ-0000-000000"  # stands in until the script allocates; never stored (documents omit it)
_CAS_ATTEMPTS = 25


def _text(value: bytes | str) -> str:
    # The client decodes responses; this keeps the type checker (and a client built without it) honest.
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _texts(values: Iterable[bytes | str]) -> list[str]:
    return [_text(v) for v in values]


class RedisStore(RedisContent, RedisAnalytics, TicketOperations):
    """Redis implementation of the store interface (see `handoff.store`)."""

    backend = "redis"

    def __init__(self, client: redis.Redis, *, prefix: str = "privacy-bot",
                 clock: Callable[[], float] = time.time, sla_days: int = 14,
                 outbox_rules: OutboxRules | None = None) -> None:
        """`client` must decode responses (`decode_responses=True`). Raises ValueError for a bad prefix."""
        if sla_days < 1:
            raise ValueError(f"sla_days must be at least 1, got {sla_days}")
        self.outbox_rules = outbox_rules or Routing()
        self.keys = RedisKeys(prefix)
        self.sla_days = sla_days
        self._r = client
        self._clock = clock
        self._url: str | None = None  # set by `from_url`: the event loop's own client connects the same way
        self._timeouts = (5.0, 2.0)
        _refuse_on_event_loop(client)
        self._create = client.register_script(CREATE_TICKET)
        self._update = client.register_script(UPDATE_TICKET)
        self._take_tokens = client.register_script(TAKE_TOKENS)
        self._enqueue = client.register_script(ENQUEUE)
        self._claim = client.register_script(CLAIM_OUTBOX)
        self._record = client.register_script(RECORD_DELIVERY)
        self._start_attempt = client.register_script(START_ATTEMPT)
        self._lease = client.register_script(LEASE_OUTBOX)
        self._pending = client.register_script(PENDING_REPLIES)
        self._counts = client.register_script(OUTBOX_COUNTS)
        self._backfill = client.register_script(BACKFILL_OUTBOX_STATE)
        self._save_log = client.register_script(SAVE_SESSION_LOG)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "privacy-bot", clock: Callable[[], float] = time.time,
                 sla_days: int = 14, socket_timeout: float = 5.0, connect_timeout: float = 2.0,
                 outbox_rules: OutboxRules | None = None) -> "RedisStore":
        """Connect lazily (the first command connects). No automatic command retries: a retried script after
        a lost reply could apply a change twice, so failures surface as StoreUnavailable instead."""
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=socket_timeout,
                                      socket_connect_timeout=connect_timeout, health_check_interval=30,
                                      retry=Retry(NoBackoff(), 0))
        store = cls(client, prefix=prefix, clock=clock, sla_days=sla_days, outbox_rules=outbox_rules)
        store._url, store._timeouts = url, (socket_timeout, connect_timeout)
        return store

    def connection_settings(self) -> tuple[str, float, float] | None:
        """(URL, socket timeout, connect timeout) this store connected with (`from_url`), for another client of the
        same server (`handoff.redis.turns`); None for a store built around a client it was given."""
        return None if self._url is None else (self._url, *self._timeouts)

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
        return state_json.loads(raw)

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int,
                     log: LogWrite | None = None) -> None:
        write = self.session_write(session_id, state, ttl_seconds, log)
        attempt = waiting.current()
        if attempt is not None and attempt.strict and attempt.deferring:
            attempt.deferred.append(write)  # sent by the front end after the message (`handoff.redis.turns`)
            return
        with self._guard("save_session"):
            if write.script is None:
                self._r.set(write.keys[0], write.args[0], ex=write.args[1])
            else:
                # `Script.__call__`: EVALSHA, and after a NOSCRIPT (a restarted server) the script loaded and sent
                # again.
                write.script(keys=list(write.keys), args=list(write.args))

    def session_write(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int,
                      log: LogWrite | None) -> "SessionWrite":
        """What `save_session` sends: a SET, or one script (the state, the new lines, and the lines that fall
        outside `keep` removed), one round trip either way."""
        payload = state_json.encoded(state)
        if log is None:
            return SessionWrite(None, (self.keys.session(session_id),), (payload, int(ttl_seconds)))
        ranges: list[Any] = []
        for lo, hi in log.gaps():
            ranges += ["-inf" if lo is None else lo, "+inf" if hi is None else hi]
        args = [int(ttl_seconds), payload, log.first, len(log.lines), *map(state_json.encoded, log.lines), *ranges]
        return SessionWrite(self._save_log, (self.keys.session(session_id), self.keys.session_log(session_id)),
                            tuple(args))

    def load_log(self, session_id: str, first: int, last: int) -> list[dict[str, Any]]:
        with self._guard("load_log"):
            members = self._r.zrangebyscore(self.keys.session_log(session_id), first, last)
        return [state_json.loads(_text(cast("bytes | str", m)).partition("\t")[2]) for m in members]

    def delete_session(self, session_id: str) -> None:
        with self._guard("delete_session"):
            self._r.delete(self.keys.session(session_id), self.keys.session_log(session_id))

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
        return self._decisions(flat)

    @staticmethod
    def _decisions(flat: Sequence[Any]) -> list[RateDecision]:
        return [RateDecision(allowed=bool(int(flat[i])), retry_after=float(flat[i + 1]), remaining=float(flat[i + 2]))
                for i in range(0, len(flat), 3)]

    def begin_turn(self, session_id: str, requester: Requester, buckets: Sequence[Bucket], *,
                   now: float) -> TurnStart:
        # One pipeline, one round trip: the bucket script, the session, the staff-reply script. The reads are sent
        # whatever the buckets decide (a refused message's reads are dropped), which costs less than a second trip.
        # In a cluster the session (untagged) and the tagged keys may live on different nodes; redis-py's cluster
        # pipeline then sends one batch per node.
        calls = self.turn_calls(session_id, requester, buckets, now=now)
        with self._guard("begin_turn"):
            results = self._pipeline(calls)
        return self.turn_start(results, requester, bool(buckets))

    def turn_calls(self, session_id: str, requester: Requester, buckets: Sequence[Bucket], *,
                   now: float) -> list[tuple[Any, list[Any]]]:
        """`begin_turn`'s pipeline (for `_pipeline`, or `handoff.redis.turns` on the event loop)."""
        args: list[Any] = [repr(float(now)), MAX_BUCKET_LIFE]
        for b in buckets:
            check_rate_args(b.key, b.rate, b.burst, b.cost)
            args += [repr(float(b.rate)), int(b.burst), repr(float(b.cost))]
        k = self.keys
        calls: list[tuple[Any, list[Any]]] = []
        if buckets:
            calls.append((self._take_tokens, [len(buckets), *[k.rate(b.key) for b in buckets], *args]))
        calls.append((None, [k.session(session_id)]))
        calls.append((self._pending, [2, k.outbox(requester.key), k.tickets]))
        return calls

    def turn_start(self, results: Sequence[Any], requester: Requester, bucketed: bool) -> TurnStart:
        """`begin_turn`'s answer from its pipeline's results."""
        decisions = self._decisions(results[0]) if bucketed else []
        if decisions and not decisions[-1].allowed:
            return TurnStart(decisions, None, [])
        raw, flat = results[-2], results[-1]
        tickets = (self._decode(_text(flat[i]), _text(flat[i + 1])) for i in range(0, len(flat), 2))
        return TurnStart(decisions, None if raw is None else state_json.loads(raw),
                         collect_pending(t for t in tickets if t.belongs_to(requester)))

    def end_turn(self) -> None:
        """Nothing to write: `begin_turn`'s script took the tokens already."""

    def _pipeline(self, calls: Sequence[tuple[Any, list[Any]]]) -> list[Any]:
        """Send `calls` ((script, [number of keys, keys…, arguments…]), or (None, [key]) for a GET) in one
        non-transactional pipeline and return their results. Scripts go as EVALSHA (redis-py's own pipeline would
        ask SCRIPT EXISTS first, a round trip more); one the server does not know (after a restart or SCRIPT FLUSH)
        is loaded and only it is sent again, since a NOSCRIPT reply means it did not run. Raises the first other
        error."""
        def send(batch: Sequence[tuple[Any, list[Any]]]) -> list[Any]:
            pipe = self._r.pipeline(transaction=False)
            for script, arguments in batch:
                if script is None:
                    pipe.get(arguments[0])
                else:
                    pipe.evalsha(script.sha, arguments[0], *arguments[1:])
            return list(pipe.execute(raise_on_error=False))

        results = send(calls)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:
            for i in missing:
                calls[i][0].sha = self._r.script_load(calls[i][0].script)
            for i, r in zip(missing, send([calls[i] for i in missing])):
                results[i] = r
        for r in results:
            if isinstance(r, Exception):
                raise r
        return results

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
        self._register_tally(ticket)
        with self._guard("create_ticket"):
            # The rules see the placeholder reference; the script puts the allocated one in their keys and documents.
            created, reference = self._create(
                keys=[k.idem, k.seq, k.tickets, *k.outbox_all, *sorted(k.ticket_indexes(ticket))],
                args=[idempotency_key, year, self._encode(ticket), *_outbox_args(self.outbox_rules(None, ticket))])
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
                     now: float | None = None, limit: int = 50, offset: int = 0,
                     due_by: float | None = None) -> list[Ticket]:
        """Narrows candidates with the index sets; loads documents only for the page, except with an `overdue` or
        `due_by` filter, which needs due dates (cheap: only open tickets are candidates then, but for overdue=False)."""
        q = TicketQuery.build(status=status, request_type=request_type, assignee=assignee, overdue=overdue,
                              requester=requester, now=now, limit=limit, offset=offset,
                              due_by=due_by)
        k = self.keys
        groups: list[list[str]] = []  # a ticket must be in at least one set of every group
        if q.candidate_statuses is not None:
            groups.append([k.status(s) for s in sorted(q.candidate_statuses)])
        for key, value in ((k.request_type, q.request_type), (k.assignee, q.assignee),
                           (k.requester, q.requester_key)):
            if value is not None:
                groups.append([key(value)])
        refs = sorted(self._candidates(groups), key=reference_order)
        if q.overdue is None and q.due_by is None:
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
            if after != before:
                self._register_tally(new)  # the registries first: a populated tally is never unnamed
            leave, join = sorted(before - after), sorted(after - before)
            with self._guard("update ticket"):
                written = self._update(keys=[k.tickets, *k.outbox_all, *leave, *join],
                                       args=[reference, raw, self._encode(new), len(leave),
                                             *_outbox_args(self.outbox_rules(old, new))])
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

    # -- outbox ------------------------------------------------------------------------------
    def enqueue(self, messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
        if messages:
            with self._guard("enqueue"):
                self._enqueue(keys=self.keys.outbox_all, args=_outbox_args(messages))
        stored = self._outbox_docs([m.key for m in messages])
        return [stored.get(m.key, m) for m in messages]

    def claim_outbox(self, *, now: float, channels: Sequence[str], limit: int,
                     lease_seconds: float) -> list[OutboxMessage]:
        if not channels or limit < 1:
            return []
        with self._guard("claim_outbox"):
            docs = self._claim(keys=[self.keys.outbox_hash, *(self.keys.outbox_due(c) for c in channels)],
                               args=[repr(float(now)), int(limit), repr(float(now + lease_seconds))])
        return [_decode_message(_text(d)) for d in docs if d]

    def lease_outbox(self, key: str, *, now: float, lease_seconds: float) -> OutboxMessage:
        def write(raw: str, old: OutboxMessage, new: OutboxMessage) -> Any:
            done = self._lease(keys=[self.keys.outbox_hash, self.keys.outbox_due(old.channel),
                                     self.keys.outbox_state(old.status), self.keys.outbox_state(PENDING)],
                               args=[key, raw, _encode_message(new), repr(float(old.next_attempt_at)),
                                     repr(float(now)), repr(float(now + lease_seconds))])
            if isinstance(done, (bytes, str)):  # the score of a running lease
                raise OutboxBusy(key, float(done))
            return done

        def change(old: OutboxMessage) -> OutboxMessage:
            return old if old.status == SENT else replace(old, status=PENDING, next_attempt_at=now)
        return self._update_outbox(key, change, write, "lease_outbox")

    def start_attempt(self, key: str, *, now: float) -> OutboxMessage:
        def write(raw: str, old: OutboxMessage, new: OutboxMessage) -> Any:
            return self._start_attempt(keys=[self.keys.outbox_hash], args=[key, raw, _encode_message(new)])
        return self._update_outbox(key, lambda old: attempt_started(old, now=now), write, "start_attempt")

    def record_delivery(self, key: str, *, ok: bool, now: float, error: str | None = None,
                        retry_at: float | None = None, in_doubt: bool = False) -> OutboxMessage:
        def write(raw: str, old: OutboxMessage, new: OutboxMessage) -> Any:
            return self._record(keys=[self.keys.outbox_hash, self.keys.outbox_due(new.channel),
                                      self.keys.outbox_state(old.status), self.keys.outbox_state(new.status)],
                                args=[key, raw, _encode_message(new), "1" if new.status == PENDING else "0",
                                      repr(float(new.next_attempt_at))])
        return self._update_outbox(
            key, lambda old: after_attempt(old, ok=ok, now=now, error=error, retry_at=retry_at, in_doubt=in_doubt),
            write, "record_delivery")

    def _update_outbox(self, key: str, change: Callable[[OutboxMessage], OutboxMessage],
                       write: Callable[[str, OutboxMessage, OutboxMessage], Any], what: str) -> OutboxMessage:
        """Optimistic update of one outbox message: its script writes only if the document is still the one read."""
        for _ in range(_CAS_ATTEMPTS):
            with self._guard("read outbox"):
                raw = self._r.hget(self.keys.outbox_hash, key)
            if raw is None:
                raise OutboxNotFound(key)
            old = _decode_message(_text(raw))
            new = change(old)
            if new is old:
                return old
            with self._guard(what):
                written = write(_text(raw), old, new)
            if written:
                return new
        raise StoreUnavailable(f"outbox message {key} kept changing; retry")

    def get_outbox(self, key: str) -> OutboxMessage:
        found = self._outbox_docs([key])
        if key not in found:
            raise OutboxNotFound(key)
        return found[key]

    def outbox_for(self, references: Iterable[str]) -> dict[str, list[OutboxMessage]]:
        refs = list(dict.fromkeys(references))
        if not refs:
            return {}
        with self._guard("outbox_for"):
            pipe = self._r.pipeline(transaction=False)
            for ref in refs:  # keys start with "<reference>:", and ";" sorts right after ":"
                pipe.zrangebylex(self.keys.outbox_keys, f"[{ref}:", f"({ref};")
            found = pipe.execute()
        docs = self._outbox_docs([_text(k) for keys in found for k in keys])
        out: dict[str, list[OutboxMessage]] = {}
        for message in docs.values():
            if message.reference in refs:
                out.setdefault(message.reference, []).append(message)
        for messages in out.values():
            messages.sort(key=lambda m: (m.created_at, m.key))
        return out

    def outbox_counts(self) -> dict[str, int]:
        """The status sets' sizes: one round trip, whatever the outbox's size (after a one-off backfill of data
        written before the sets existed)."""
        k = self.keys
        with self._guard("outbox_counts"):
            sizes = self._counts(keys=[k.outbox_counted, *k.outbox_states])
            if sizes is None:
                self._backfill_outbox_states()
                sizes = self._counts(keys=[k.outbox_counted, *k.outbox_states])
        return {status: int(n) for status, n in zip(OUTBOX_STATES, sizes)}

    def _backfill_outbox_states(self) -> None:
        """Put every message into its status set (idempotent, safe beside the writers), then mark the sets complete."""
        k = self.keys
        for page in _pages(lambda cursor: self._r.hscan(k.outbox_hash, cursor, count=1000)):
            pipe = self._r.pipeline(transaction=False)
            for key, raw in page.items():
                doc = _text(raw)
                self._backfill(keys=[k.outbox_hash, *k.outbox_states],
                               args=[_text(key), doc, _decode_message(doc).status], client=pipe)
            pipe.execute()
        self._r.set(k.outbox_counted, "1")

    def _outbox_docs(self, keys: list[str]) -> dict[str, OutboxMessage]:
        if not keys:
            return {}
        with self._guard("read outbox"):
            raws = self._r.hmget(self.keys.outbox_hash, keys)
        return {key: _decode_message(_text(raw)) for key, raw in zip(keys, raws) if raw is not None}

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


def _encode_message(message: OutboxMessage) -> str:
    return json.dumps(message.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _decode_message(raw: str) -> OutboxMessage:
    try:
        return OutboxMessage.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"corrupt outbox document: {exc!r}") from exc


def _outbox_args(messages: Sequence[OutboxMessage]) -> list[Any]:
    """The enqueue scripts' ARGV tail: the count, then key, document, due time, channel and status per message."""
    args: list[Any] = [len(messages)]
    for m in messages:
        args += [m.key, _encode_message(m), repr(float(m.next_attempt_at)), m.channel, m.status]
    return args


def _pages(scan: Callable[[int], tuple[int, Any]]) -> Iterator[Mapping[Any, Any]]:
    """Every page of an HSCAN, following the cursor until it comes back to 0."""
    cursor = 0
    while True:
        cursor, page = scan(cursor)
        yield page
        if cursor == 0:
            return
