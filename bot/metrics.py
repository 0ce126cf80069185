"""Prometheus metrics (`GET /metrics`), with prometheus-client. Labels never hold personal data: routes are the
templates (`/staff/tickets/{reference}`, never a reference), and the rest are fixed vocabularies (decision kinds,
request types, statuses, front ends, languages, store method names).

Two sources:

* **Counted in the process** (`Metrics`): HTTP requests by route and status, chat latency per front end, decisions
  by kind, store errors per operation. With `PROMETHEUS_MULTIPROC_DIR` set (in the environment before start, as
  prometheus-client reads it on import), every process (each `privacy-bot serve` worker, `privacy-bot slack`)
  writes its counts to files there and any worker's `/metrics` adds them all up.
* **Read from the store at scrape time** (`StoreCollector`): tickets by type and status, open tickets overdue and
  due soon, outbox messages by delivery status (queue depth and failures). The store is shared, so every worker reports the same numbers and nothing is counted twice; they come
  from the ticket tallies (`handoff.analytics`), never from ticket documents, and are cached for a few seconds.
"""
from __future__ import annotations

import inspect
import logging
import time
from typing import Any, Callable, Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.engine.conversation import Conversation
from bot.engine.decisions import DecisionRecorder, decision_kind
from bot.engine.messages import Message, Reply
from handoff import waiting
from handoff.outbox import OUTBOX_STATUSES
from handoff.store import Store, StoreError, TurnStart
from handoff.tickets import OPEN_STATUSES, REQUEST_TYPES, STATUSES

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Chat answers take milliseconds; the top buckets catch a store that stalls.
CHAT_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The process's counters. `multiproc_dir`: prometheus-client's multiprocess mode is on (the metrics then live
    in files there, and `exposition` adds up every process's files)."""

    def __init__(self, *, multiproc_dir: str | None = None) -> None:
        self.multiproc_dir = multiproc_dir
        # In multiprocess mode the values are collected from the files, so these objects stay unregistered.
        self.registry = CollectorRegistry()
        own = None if multiproc_dir else self.registry
        self.requests = Counter("privacy_bot_http_requests", "HTTP requests answered, by method, route template "
                                "and status code.", ["method", "route", "status"], registry=own)
        self.chat_seconds = Histogram("privacy_bot_chat_seconds", "Time to answer one chat message in the core "
                                      "(matching, rendering, session and ticket store), by front end.", ["frontend"],
                                      buckets=CHAT_BUCKETS, registry=own)
        self.decisions = Counter("privacy_bot_decisions", "Replies by decision kind (answer, clarify, request, "
                                 "fallback, out_of_scope, smalltalk), front end and language.",
                                 ["kind", "frontend", "lang"], registry=own)
        self.store_errors = Counter("privacy_bot_store_errors", "Store calls that failed (StoreUnavailable and other "
                                    "store errors), by store operation.", ["operation"], registry=own)
        self.chat_rerun = Counter("privacy_bot_chat_moved_to_thread", "Chat messages first tried on the event loop "
                                  "(PRIVACY_BOT_CHAT_INLINE) and answered again from the start on a chat thread, "
                                  "because a store call would have waited there: durable (a ticket's disk sync), "
                                  "thread (another thread of the process held the write lock over 20 ms), process "
                                  "(another process was writing), after_session (a write before the message's "
                                  "session write), network (Redis: a call other than the message's read and session "
                                  "write), write_failed (that session write failed).", ["reason"], registry=own)
        self.chat_writes_on_thread = Counter("privacy_bot_chat_writes_on_thread", "Writes of chat messages answered "
                                             "on the event loop (their session write, a record of an unanswered "
                                             "question) made on a chat thread because they would have waited on the "
                                             "loop, by reason (as privacy_bot_chat_moved_to_thread).", ["reason"],
                                             registry=own)
        self._collectors: list[Collector] = []
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def add_collector(self, collector: Collector) -> None:
        """Collected at every scrape besides the counters (e.g. `StoreCollector`)."""
        self._collectors.append(collector)
        if not self.multiproc_dir:
            self.registry.register(collector)

    def exposition(self) -> bytes:
        """The Prometheus text format of everything, every process's counts added up in multiprocess mode."""
        if not self.multiproc_dir:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiproc_dir)  # type: ignore[no-untyped-call]
        for collector in self._collectors:
            registry.register(collector)
        return generate_latest(registry)

    def observe_reply(self, message: Message, reply: Reply, seconds: float) -> None:
        self.child(self.chat_seconds, message.frontend).observe(seconds)
        self.child(self.decisions, decision_kind(reply.decision, reply.intent), message.frontend, reply.lang).inc()

    def child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, remembered: prometheus-client validates the labels and takes a lock on every
        `labels()` call (a few microseconds on every request; issue 18). The label values are fixed vocabularies,
        so the map stays small; it is bounded anyway."""
        key = (id(metric), labels)
        found = self._children.get(key)
        if found is None:
            found = metric.labels(*labels)
            if len(self._children) < 10_000:
                self._children[key] = found
        return found


class MeasuredConversation(Conversation):
    """The conversation core, timed and counted: every reply goes to `Metrics` and to the store's decision counts.
    The core itself stays unaware of both."""

    def __init__(self, *, metrics: Metrics, decisions: DecisionRecorder | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics
        self.decision_recorder = decisions

    def handle(self, message: Message, start: TurnStart | None = None) -> Reply:
        started = time.perf_counter()
        reply = super().handle(message, start)
        seconds = time.perf_counter() - started

        def count() -> None:
            self.metrics.observe_reply(message, reply, seconds)
            if self.decision_recorder is not None:
                self.decision_recorder.record(reply.decision, reply.intent, reply.article, reply.lang,
                                              message.frontend)

        attempt = waiting.current()
        if attempt is not None and attempt.deferring:
            attempt.after.append(count)  # counted once the message's session write is made (`handoff.waiting`)
        else:
            count()
        return reply


class CountingStore:
    """The store, with every failed call counted in `privacy_bot_store_errors` (and raised unchanged).

    Methods are looked up on the wrapped store at call time, so nothing about it is frozen here."""

    def __init__(self, store: Store, metrics: Metrics) -> None:
        self._store = store
        self._errors = metrics.store_errors
        self._wrapped: dict[str, Callable[..., Any]] = {}

    @property
    def wrapped(self) -> Store:
        return self._store

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if name.startswith("_") or not inspect.isfunction(getattr(type(self._store), name, None)):
            return value  # attributes, and callable values such as the store's outbox rules, as they are
        wrapper = self._wrapped.get(name)
        if wrapper is None:
            store, errors = self._store, self._errors.labels(name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return getattr(store, name)(*args, **kwargs)
                except StoreError:
                    errors.inc()
                    raise

            self._wrapped[name] = wrapper
            # Found directly from now on: `__getattr__` (an attribute look-up on the store and a check of its class,
            # a few microseconds) ran on each of the three or four store calls of every chat message (issue 18).
            self.__dict__[name] = wrapper
        return wrapper


class StoreCollector(Collector):
    """Ticket gauges read from the store's tallies at scrape time, cached for `cache_seconds` (several Prometheus
    servers, or a fast scrape interval, then cost one store read). A store that cannot be read gives
    `privacy_bot_store_up 0` and no ticket gauges, rather than a failed scrape."""

    def __init__(self, store: Store, *, due_soon_days: int = 3, cache_seconds: float = 5.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.due_soon_days = due_soon_days
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cached: tuple[float, list[Metric]] | None = None

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        if self._cached is None or now - self._cached[0] >= self.cache_seconds:
            self._cached = (now, self._read(now))
        return iter(self._cached[1])

    def _read(self, now: float) -> list[Metric]:
        up = GaugeMetricFamily("privacy_bot_store_up", "1 when the store answered this scrape, else 0.")
        try:
            tallies = self.store.ticket_tallies()
            open_tickets = self.store.list_tickets(status=OPEN_STATUSES, overdue=None, limit=1_000_000)
            outbox_counts = self.store.outbox_counts()
        except StoreError as exc:
            log.warning("metrics: store unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        tickets = GaugeMetricFamily("privacy_bot_tickets", "Tickets by request type and status.",
                                    labels=["request_type", "status"])
        counts: dict[tuple[str, str], int] = {}
        for tally, n in tallies.items():
            counts[tally.request_type, tally.status] = counts.get((tally.request_type, tally.status), 0) + n
        for request_type in REQUEST_TYPES:
            for status in STATUSES:
                tickets.add_metric([request_type, status], counts.get((request_type, status), 0))
        overdue = GaugeMetricFamily("privacy_bot_tickets_overdue", "Open tickets past their due date, by request "
                                    "type.", labels=["request_type"])
        due_soon = GaugeMetricFamily("privacy_bot_tickets_due_soon", "Open tickets due within the due-soon window "
                                     "(PRIVACY_BOT_DUE_SOON_DAYS) and not overdue yet, by request type.",
                                     labels=["request_type"])
        late = _count_by_type(t.request_type for t in open_tickets if t.is_overdue(now))
        soon = _count_by_type(t.request_type for t in open_tickets if t.is_due_soon(now, self.due_soon_days))
        for request_type in REQUEST_TYPES:
            overdue.add_metric([request_type], late.get(request_type, 0))
            due_soon.add_metric([request_type], soon.get(request_type, 0))
        outbox = GaugeMetricFamily("privacy_bot_outbox_messages", "Outbox messages (staff alerts, receipts, Slack "
                                   "and email messages) by delivery status: pending is the queue depth, failed the "
                                   "messages given up on after every retry.", labels=["status"])
        for status in OUTBOX_STATUSES:
            outbox.add_metric([status], outbox_counts.get(status, 0))
        return [up, tickets, overdue, due_soon, outbox]


def _count_by_type(types: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request_type in types:
        counts[request_type] = counts.get(request_type, 0) + 1
    return counts
