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


class OutboxStoreLike(Protocol):
    """The part of the store the dispatcher uses (see `handoff.store.OutboxStore`)."""

    def claim_outbox(self, *, now: float, channels: Sequence[str], limit: int,
                     lease_seconds: float) -> list[OutboxMessage]: ...

    def lease_outbox(self, key: str, *, now: float, lease_seconds: float) -> OutboxMessage: ...

    def start_attempt(self, key: str, *, now: float) -> OutboxMessage: ...

    def record_delivery(self, key: str, *, ok: bool, now: float, error: str | None = None,
                        retry_at: float | None = None, in_doubt: bool = False) -> OutboxMessage: ...

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

    Each attempt is recorded in the store (`start_attempt`) before the message is handed to its channel. A message
    claimed with such a mark and no outcome (its process was killed after the channel took it and before the record,
    or the channel's answer never came) is first looked up when its transport can ask its channel
    (`find_delivered`): found, it is recorded sent and not sent again; not found, it is sent; the lookup failing
    (429, 5xx, network) counts as a failed attempt with the usual backoff and the lookup is tried again, because a
    second copy is what the lookup is for, except on the last attempt allowed, which sends it (a possible second
    copy rather than a certain loss); the channel unable to answer at all (a missing scope) sends it again.
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
        manual retry). It leases the message as a round does (`store.lease_outbox`), so neither a dispatcher nor
        another manual retry sends it meanwhile; a message whose lease is running (a dispatcher may be handing it to
        its channel this very moment, or died doing so) is not attempted: OutboxBusy says when the lease ends.
        Returns the message as recorded. Raises OutboxNotFound, OutboxBusy, StoreUnavailable, and KeyError when this
        process has no transport for its channel."""
        with self._round:
            message = self.store.get_outbox(key)
            if message.status == SENT:
                return message
            if message.channel not in self.transports:
                raise KeyError(f"no transport for channel {message.channel!r} here")
            leased = time.monotonic()
            message = self.store.lease_outbox(key, now=self.clock(), lease_seconds=self.lease_seconds)
            if message.status == SENT:
                return message  # recorded since it was read
            return self._attempt(message, manual=True, record_until=leased + self.lease_seconds)

    def _attempt(self, message: OutboxMessage, *, record_until: float, manual: bool = False) -> OutboxMessage:
        retry_after, permanent, started = None, False, False
        # Until this attempt is marked started, an earlier attempt's mark stays unless the lookup settled it.
        in_doubt = message.attempt_started_at is not None
        finish: Callable[[], None] | None = None
        found: float | None = None
        try:
            ticket = self.store.get_ticket(message.reference) if message.reference else None
            transport = self.transports[message.channel]
            if message.attempt_started_at is not None:
                try:
                    found = self._look_up(transport, message, ticket)
                except _LookupFailed as exc:
                    if manual or message.attempts + 1 < self.max_attempts:
                        raise
                    # The last attempt allowed: a possible second copy rather than a certain loss.
                    log.warning("%s: the channel could not be asked (%s) in %d attempts; sending it again",
                                message.key, exc.reason, message.attempts + 1)
            if found is None:
                # Wall-clock time, not `clock` (which may be virtual): a lookup compares it with the channel's own.
                current = self.store.start_attempt(message.key, now=time.time())
                if current.status == SENT:
                    return current  # recorded meanwhile (a lease that ran out mid-attempt): never send it again
                started, in_doubt = True, False
                finish = transport.deliver(message, ticket)
        except _LookupFailed as exc:
            reason, retry_after, in_doubt = exc.reason, exc.retry_after, True
        except DeliveryFailed as exc:
            reason, retry_after, permanent = exc.reason, exc.retry_after, exc.permanent
            in_doubt = exc.maybe_delivered if started else in_doubt
        except TicketNotFound:
            reason, permanent = "ticket:not_found", True
        except StoreError as exc:
            reason, in_doubt = f"store:{type(exc).__name__}", in_doubt or started
        except Exception as exc:  # a transport bug must not stop the others; its message may hold anything
            reason, in_doubt = f"error:{type(exc).__name__}", in_doubt or started
            log.error("outbox transport %s raised %s for %s", message.channel, type(exc).__name__, message.key)
        else:
            try:
                return self._record_sent(message.key, until=record_until, at=found)
            finally:
                _after_record(finish, message.key)
        now = self.clock()
        attempts = message.attempts + 1
        give_up = permanent or (attempts >= self.max_attempts and not manual)
        retry = None if give_up else self.retry_at(attempts, now, retry_after)
        if give_up:
            log.warning("gave up delivering %s after %d attempt(s): %s", message.key, attempts, reason)
        else:
            log.warning("delivery of %s failed (attempt %d): %s", message.key, attempts, reason)
        return self.store.record_delivery(message.key, ok=False, now=now, error=reason, retry_at=retry,
                                          in_doubt=in_doubt)

    def _look_up(self, transport: Transport, message: OutboxMessage, ticket: Ticket | None) -> float | None:
        """An earlier attempt of `message` started and its outcome was never recorded: when the channel can be
        asked, ask it. Returns when the channel took the message, or None to send it. Raises _LookupFailed (ask
        again later)."""
        since = message.attempt_started_at or 0.0
        find = getattr(transport, "find_delivered", None)
        if find is None:
            log.warning("%s: an attempt started at %.3f has no recorded outcome and channel %s cannot be asked "
                        "whether it arrived; sending it again (same dedupe key)", message.key, since,
                        message.channel)
            return None
        try:
            found: float | None = find(message, ticket, since=since)
        except DeliveryFailed as exc:
            if not exc.permanent:
                raise _LookupFailed(f"lookup:{exc.reason}", exc.retry_after) from exc
            log.warning("%s: an attempt started at %.3f has no recorded outcome and the channel cannot be asked "
                        "(%s); sending it again", message.key, since, exc.reason)
            return None
        if found is None:
            log.info("%s: an attempt started at %.3f has no recorded outcome and the channel does not have it; "
                     "sending it", message.key, since)
        else:
            log.warning("%s: an attempt started at %.3f reached the channel at %.3f but was not recorded; recorded "
                        "now, not sent again", message.key, since, found)
        return found

    def _record_sent(self, key: str, *, until: float, at: float | None = None) -> OutboxMessage:
        """Record a delivery the channel confirmed (at `at`, default now). The store may be away for a while (a
        Redis restart): the message went out, so keep trying until `until` (time.monotonic(); the end of its lease)
        rather than leave it to be looked up or sent again when the lease ends. A stop() does not cut this short."""
        delay = 0.05
        while True:
            try:
                return self.store.record_delivery(key, ok=True, now=self.clock() if at is None else at)
            except StoreUnavailable:
                left = until - time.monotonic()
                if left <= 0:
                    log.warning("%s was delivered but could not be recorded; it is looked up (Slack) or sent again "
                                "(email) when its lease ends", key)
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


class _LookupFailed(Exception):
    """Asking the channel whether an earlier attempt arrived failed for now (429, 5xx, network)."""

    def __init__(self, reason: str, retry_after: float | None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def _after_record(finish: Callable[[], None] | None, key: str) -> None:
    """A transport's clean-up after the record (SMTP's QUIT). Its failure changes nothing: the message is sent."""
    if finish is None:
        return
    try:
        finish()
    except Exception as exc:  # noqa: BLE001 - the delivery is recorded; a clean-up can only be logged
        log.info("clean-up after delivering %s failed: %s", key, type(exc).__name__)
