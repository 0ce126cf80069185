"""The outbox's dispatcher: delivers due messages through one transport per channel (see `handoff.outbox`)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Mapping, Protocol, Sequence

from handoff.outbox import CHANNELS, SENT, DeliveryFailed, OutboxMessage, Transport
from handoff.store import StoreError, StoreUnavailable, TicketNotFound
from handoff.tickets import Ticket

log = logging.getLogger(__name__)
#: A claimed message is attempted only while at least this share of its lease is left: the rest is for the channel's
#: answer and recording it, so no other process can send the message again meanwhile (its lease has not ended).
LEASE_MARGIN = 0.25
#: How long a manual retry (`deliver_now`, which holds no lease) keeps trying to record a delivery.
MANUAL_RECORD_SECONDS = 10.0


class OutboxStoreLike(Protocol):
    """The part of the store the dispatcher uses (see `handoff.store.OutboxStore`)."""

    def claim_outbox(self, *, now: float, channels: Sequence[str], limit: int,
                     lease_seconds: float) -> list[OutboxMessage]: ...

    def record_delivery(self, key: str, *, ok: bool, now: float, error: str | None = None,
                        retry_at: float | None = None) -> OutboxMessage: ...

    def get_outbox(self, key: str) -> OutboxMessage: ...

    def get_ticket(self, reference: str) -> Ticket: ...


class Dispatcher:
    """Delivers due outbox messages through one transport per channel, one round at a time per process.

    The n-th failed attempt is retried `base_delay * 2**(n-1)` seconds later (at most `max_delay`, at least the
    Retry-After the service gave); after `max_attempts` the message is failed. Channels without a transport here
    are left alone (another process, or a later configuration, delivers them).

    A round claims due messages for `lease_seconds`; until the lease ends no other process sends them. So a message
    is attempted only while a quarter of its lease is left, and a delivery the channel confirmed is recorded with
    retries until its lease ends (the store may be restarting): recorded in that time it is never sent twice.
    `stop()` lets the round finish the message in hand and record it, and leaves the rest of its batch.
    """

    def __init__(self, store: OutboxStoreLike, transports: Mapping[str, Transport], *, max_attempts: int = 10,
                 clock: Callable[[], float] = time.time, base_delay: float = 5.0, max_delay: float = 600.0,
                 poll_interval: float = 5.0, batch: int = 50, lease_seconds: float = 120.0) -> None:
        if max_attempts < 1 or batch < 1:
            raise ValueError(f"max_attempts and batch must be at least 1, got {max_attempts} and {batch}")
        unknown = set(transports) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown outbox channels {sorted(unknown)}")
        self.store, self.transports = store, dict(transports)
        self.max_attempts, self.clock = max_attempts, clock
        self.base_delay, self.max_delay = base_delay, max_delay
        self.poll_interval, self.batch, self.lease_seconds = poll_interval, batch, lease_seconds
        self._round = threading.Lock()
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def retry_at(self, attempts: int, now: float, retry_after: float | None) -> float:
        """When attempt `attempts` + 1 is due after `attempts` failures."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempts - 1))
        return now + max(delay, min(retry_after or 0.0, self.max_delay))

    def run_once(self) -> int:
        """Deliver every due message (up to `batch`); return how many were delivered. Never raises for storage
        or transport failures: what failed is retried in a later round."""
        return self._run_round(stoppable=False)

    def _run_round(self, *, stoppable: bool) -> int:
        with self._round:
            try:
                claimed = time.monotonic()
                due = self.store.claim_outbox(now=self.clock(), channels=sorted(self.transports), limit=self.batch,
                                              lease_seconds=self.lease_seconds)
                lease_end = claimed + self.lease_seconds
                delivered = 0
                for message in due:
                    # What is left keeps its lease and is delivered when it ends (by this or another process).
                    if stoppable and self._stopping.is_set():
                        break
                    if time.monotonic() > lease_end - LEASE_MARGIN * self.lease_seconds:
                        log.warning("outbox round too slow: %d claimed message(s) left for a later round",
                                    len(due) - due.index(message))
                        break
                    delivered += self._attempt(message, record_until=lease_end).status == SENT
                return delivered
            except StoreError as exc:
                log.warning("outbox round postponed: store unavailable (%s)", type(exc).__name__)
                return 0

    def deliver_now(self, key: str) -> OutboxMessage:
        """One attempt for message `key` right away, whatever its backoff, attempts or failed state (the CLI's
        manual retry). Returns the message as recorded. Raises OutboxNotFound, StoreUnavailable, and KeyError when
        this process has no transport for its channel."""
        with self._round:
            message = self.store.get_outbox(key)
            if message.status == SENT:
                return message
            if message.channel not in self.transports:
                raise KeyError(f"no transport for channel {message.channel!r} here")
            return self._attempt(message, manual=True, record_until=time.monotonic() + MANUAL_RECORD_SECONDS)

    def _attempt(self, message: OutboxMessage, *, record_until: float, manual: bool = False) -> OutboxMessage:
        retry_after, permanent = None, False
        try:
            ticket = self.store.get_ticket(message.reference) if message.reference else None
            self.transports[message.channel].deliver(message, ticket)
        except DeliveryFailed as exc:
            reason, retry_after, permanent = exc.reason, exc.retry_after, exc.permanent
        except TicketNotFound:
            reason, permanent = "ticket:not_found", True
        except Exception as exc:  # a transport bug must not stop the others; its message may hold anything
            reason = f"error:{type(exc).__name__}"
            log.error("outbox transport %s raised %s for %s", message.channel, type(exc).__name__, message.key)
        else:
            return self._record_sent(message.key, until=record_until)
        now = self.clock()
        attempts = message.attempts + 1
        give_up = permanent or (attempts >= self.max_attempts and not manual)
        retry = None if give_up else self.retry_at(attempts, now, retry_after)
        if give_up:
            log.warning("gave up delivering %s after %d attempt(s): %s", message.key, attempts, reason)
        else:
            log.warning("delivery of %s failed (attempt %d): %s", message.key, attempts, reason)
        return self.store.record_delivery(message.key, ok=False, now=now, error=reason, retry_at=retry)

    def _record_sent(self, key: str, *, until: float) -> OutboxMessage:
        """Record a delivery the channel confirmed. The store may be away for a while (a Redis restart): the message
        went out, so keep trying until `until` (time.monotonic(); the end of its lease) rather than leave it to be
        sent again when the lease ends. A stop() does not cut this short."""
        delay = 0.05
        while True:
            try:
                return self.store.record_delivery(key, ok=True, now=self.clock())
            except StoreUnavailable:
                left = until - time.monotonic()
                if left <= 0:
                    log.warning("%s was delivered but could not be recorded; it may be sent again", key)
                    raise
                time.sleep(min(delay, left))
                delay = min(delay * 2, 1.0)

    # -- background thread -----------------------------------------------------------------------------
    def start(self) -> None:
        """Run rounds in a daemon thread every `poll_interval` seconds, and at once after `kick()`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="privacy-bot-outbox", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Ask the thread for a round now (call after a change enqueued messages). Cheap, never blocks."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the thread: the round in progress finishes the message in hand (its delivery and the record of it)
        and leaves the rest of its batch leased. Waits up to `timeout` seconds; returns False when the thread was
        still busy then (a process that exits now may send that message again). Safe when it is not running."""
        thread, self._thread = self._thread, None
        self._stopping.set()
        self._wake.set()
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.warning("outbox round still running after %.0f s of stopping; a message it is sending may be sent "
                        "again", timeout)
            return False
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before the round, so a kick during it triggers another one
            try:
                delivered = self._run_round(stoppable=True)
            except Exception as exc:  # never let the thread die; the next round tries again
                log.error("outbox round failed: %s", type(exc).__name__)
                delivered = 0
            if delivered >= self.batch:
                continue  # more may be due right now
            self._wake.wait(self.poll_interval)
