"""Staff notification: tell staff a ticket was opened, without ever losing or blocking the ticket.

A `Notifier` sends one notification (Slack when configured, the log otherwise). The `Dispatcher` is the
only caller: it sends what `store.unnotified_tickets()` returns, records every attempt on the ticket
(`store.record_notification`), and retries failures with exponential backoff until `max_attempts`; after
that the ticket stays unnotified, which the staff queue shows. The ticket itself is already stored when a
notification is attempted, so a notifier failure can delay staff hearing of it but cannot lose it.

Notifications carry the reference, request type, article, due date and a link to the ticket; never a name,
email or free text. Staff open the ticket (behind sign-in) to see those.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime
from http.client import HTTPException
from typing import Any, Callable, Protocol
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handoff.lifecycle import SYSTEM
from handoff.references import REFERENCE_TZ
from handoff.store import Store, StoreError
from handoff.tickets import Ticket

log = logging.getLogger(__name__)

#: Staff-facing names of the request types (English; the staff channel is internal).
REQUEST_TYPE_TITLES: dict[str, str] = {
    "purpose_notification": "Notification of the purpose of use",
    "disclosure": "Disclosure",
    "correction": "Correction, addition or deletion",
    "suspension": "Suspension of use or deletion",
    "third_party_stop": "Stopping provision to third parties",
    "inquiry": "Inquiry or complaint",
}
_SLACK_ERROR = re.compile(r"[a-z][a-z0-9_]{0,59}")


class NotificationFailed(Exception):
    """A notification was not delivered. `reason` is short and free of personal data (it is stored on the
    ticket and shown in the queue); `retry_after` is the delay the service asked for, if any."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Notifier(Protocol):
    def notify_new_ticket(self, ticket: Ticket) -> None:
        """Tell staff about `ticket`. Raises NotificationFailed when it was not delivered; never sends the
        requester's name, email, answers or transcript."""


# -- the message (pure) ----------------------------------------------------------------------
def ticket_url(public_url: str, reference: str) -> str:
    """Link to the ticket in the web staff queue."""
    return f"{public_url.rstrip('/')}/staff/tickets/{quote(reference, safe='')}"


def format_due(epoch: float) -> str:
    """`2026-05-15 09:00 JST`: the company works in Japan time."""
    return datetime.fromtimestamp(epoch, REFERENCE_TZ).strftime("%Y-%m-%d %H:%M JST")


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ticket_summary_text(ticket: Ticket, public_url: str) -> str:
    """One plain line: what the log notifier writes and Slack's notification fallback text."""
    title = REQUEST_TYPE_TITLES.get(ticket.request_type, ticket.request_type)
    return (f"New request {ticket.reference}: {title} (Article {ticket.article}), due {format_due(ticket.due_at)}"
            f" - {ticket_url(public_url, ticket.reference)}")


def new_ticket_blocks(ticket: Ticket, public_url: str) -> list[dict[str, Any]]:
    """Block Kit for a new ticket. Block ids are stable so the Slack front end can find the `ticket_actions`
    block and append its own buttons (claim, …) next to the link."""
    url = ticket_url(public_url, ticket.reference)
    title = REQUEST_TYPE_TITLES.get(ticket.request_type, ticket.request_type)
    return [
        {"type": "header", "block_id": "ticket_header",
         "text": {"type": "plain_text", "text": f"New request {ticket.reference}", "emoji": False}},
        {"type": "section", "block_id": "ticket_fields", "fields": [
            {"type": "mrkdwn", "text": f"*Reference*\n{_mrkdwn(ticket.reference)}"},
            {"type": "mrkdwn", "text": f"*Request type*\n{_mrkdwn(title)} (`{ticket.request_type}`)"},
            {"type": "mrkdwn", "text": f"*Article*\nArticle {ticket.article}"},
            {"type": "mrkdwn", "text": f"*Due*\n{format_due(ticket.due_at)}"},
            {"type": "mrkdwn", "text": f"*Received via*\n{_mrkdwn(ticket.requester.frontend)}"},
            {"type": "mrkdwn", "text": f"*Language*\n{ticket.lang}"},
        ]},
        {"type": "context", "block_id": "ticket_privacy", "elements": [
            {"type": "mrkdwn", "text": f"<{_mrkdwn(url)}|Open the ticket> in the staff queue to see the "
                                       "requester's details."}]},
        {"type": "actions", "block_id": "ticket_actions", "elements": [
            {"type": "button", "action_id": "open_ticket", "text": {"type": "plain_text", "text": "Open ticket"},
             "url": url, "value": ticket.reference}]},
    ]


def new_ticket_message(ticket: Ticket, public_url: str) -> dict[str, Any]:
    """The `chat.postMessage` arguments (without `channel`) announcing `ticket`."""
    return {"text": ticket_summary_text(ticket, public_url), "blocks": new_ticket_blocks(ticket, public_url),
            "unfurl_links": False, "unfurl_media": False}


# -- notifiers -------------------------------------------------------------------------------
class LogNotifier:
    """Used when Slack is not configured: one INFO line per ticket, with no personal data."""

    def __init__(self, public_url: str, *, logger: logging.Logger | None = None) -> None:
        self.public_url = public_url
        self.log = logger or log

    def notify_new_ticket(self, ticket: Ticket) -> None:
        self.log.info("%s", ticket_summary_text(ticket, self.public_url))


class SlackNotifier:
    """Posts each new ticket to the staff channel with `chat.postMessage`."""

    def __init__(self, client: WebClient, channel: str, public_url: str) -> None:
        self.client = client
        self.channel = channel
        self.public_url = public_url

    def notify_new_ticket(self, ticket: Ticket) -> None:
        try:
            self.client.chat_postMessage(channel=self.channel, **new_ticket_message(ticket, self.public_url))
        except SlackApiError as exc:
            raise _api_failure(exc) from exc
        except (SlackClientError, OSError, HTTPException) as exc:  # URLError, timeouts, refused connections
            raise NotificationFailed(_network_reason(exc)) from exc


def _api_failure(exc: SlackApiError) -> NotificationFailed:
    response = exc.response
    status = getattr(response, "status_code", 200)
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    code = error if isinstance(error, str) and _SLACK_ERROR.fullmatch(error) else None
    reason = f"slack:{code}" if code else "slack:error"
    if status != 200:
        reason = f"slack:http_{status}" + (f":{code}" if code else "")
    retry_after = None
    headers = getattr(response, "headers", None) or {}
    for name in ("Retry-After", "retry-after"):
        try:
            retry_after = float(headers[name]) if name in headers else retry_after
        except (TypeError, ValueError):
            pass
    return NotificationFailed(reason, retry_after=retry_after)


def _network_reason(exc: BaseException) -> str:
    cause = getattr(exc, "reason", None)
    if isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError):
        return "network:timeout"
    return f"network:{type(exc).__name__}"


# -- the dispatcher --------------------------------------------------------------------------
class Dispatcher:
    """Sends pending notifications and records each attempt; one round at a time per process.

    Backoff: the n-th retry waits `base_delay * 2**(n-1)` seconds (at most `max_delay`, at least what the
    service asked for with Retry-After) after the previous failed attempt, whose time is read from the
    ticket's events, so it survives restarts. Several processes may run dispatchers on one store: each
    attempt is leased with `store.mark_once`, so two workers do not post the same attempt twice.
    Delivery is at least once: a post that succeeded but could not be recorded is sent again later.
    """

    def __init__(self, store: Store, notifier: Notifier, *, max_attempts: int, clock: Callable[[], float] = time.time,
                 base_delay: float = 5.0, max_delay: float = 600.0, poll_interval: float = 5.0, batch: int = 50,
                 lease_seconds: int = 120) -> None:
        if max_attempts < 1 or batch < 1:
            raise ValueError(f"max_attempts and batch must be at least 1, got {max_attempts} and {batch}")
        self.store, self.notifier = store, notifier
        self.max_attempts, self.clock = max_attempts, clock
        self.base_delay, self.max_delay = base_delay, max_delay
        self.poll_interval, self.batch, self.lease_seconds = poll_interval, batch, lease_seconds
        self._not_before: dict[str, float] = {}  # reference -> Retry-After deadline, per process
        self._gave_up: set[str] = set()
        self._round = threading.Lock()
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def next_attempt_at(self, ticket: Ticket) -> float | None:
        """When the ticket's next attempt is due (epoch seconds), or None when notified or given up."""
        if ticket.notified or ticket.notify_attempts >= self.max_attempts:
            return None
        if ticket.notify_attempts == 0:
            return self._not_before.get(ticket.reference, ticket.created_at)
        last = next((e.at for e in reversed(ticket.events) if e.actor == SYSTEM and e.action == "notify_failed"),
                    ticket.updated_at)
        delay = min(self.max_delay, self.base_delay * 2.0 ** (ticket.notify_attempts - 1))
        return max(last + delay, self._not_before.get(ticket.reference, 0.0))

    def run_once(self) -> int:
        """Attempt every pending notification whose backoff has elapsed; return how many were delivered.
        Never raises for storage or notifier failures: what failed is retried in a later round."""
        with self._round:
            try:
                return self._round_locked()
            except StoreError as exc:
                log.warning("staff notifications postponed: store unavailable (%s)", exc)
                return 0

    def notify_now(self, reference: str) -> Ticket:
        """One attempt for `reference` right away, whatever its backoff or attempt count (the CLI's manual
        retry). Returns the ticket as recorded; check `notified`. Raises TicketNotFound, StoreUnavailable."""
        with self._round:
            ticket = self.store.get_ticket(reference)
            return ticket if ticket.notified else self._attempt(ticket)

    def _round_locked(self) -> int:
        now = self.clock()
        sent = 0
        for ticket in self._due(now):
            if not self.store.mark_once(f"notify:{ticket.reference}:{ticket.notify_attempts}", self.lease_seconds):
                continue  # another process is sending this attempt
            sent += self._attempt(ticket).notified
        return sent

    def _due(self, now: float) -> list[Ticket]:
        # Tickets that exhausted their attempts stay unnotified (and first in line), so widen the scan until
        # it gets past them rather than starving newer tickets.
        limit = self.batch
        while True:
            pending = self.store.unnotified_tickets(limit=limit)
            due = [t for t in pending if (at := self.next_attempt_at(t)) is not None and at <= now]
            if len(pending) < limit or len(due) >= self.batch or limit >= 100 * self.batch:
                break
            limit *= 4
        for ticket in pending:
            if ticket.notify_attempts >= self.max_attempts and ticket.reference not in self._gave_up:
                self._gave_up.add(ticket.reference)
                log.warning("gave up notifying staff of %s after %d attempts (%s); it is flagged in the queue",
                            ticket.reference, ticket.notify_attempts, ticket.notify_error)
        return due[:self.batch]

    def _attempt(self, ticket: Ticket) -> Ticket:
        try:
            self.notifier.notify_new_ticket(ticket)
        except NotificationFailed as exc:
            reason, retry_after = exc.reason, exc.retry_after
        except Exception as exc:  # a notifier bug must not stop the others; its message may hold anything
            reason, retry_after = f"error:{type(exc).__name__}", None
            log.error("notifier raised %s for %s", type(exc).__name__, ticket.reference)
        else:
            self._not_before.pop(ticket.reference, None)
            return self.store.record_notification(ticket.reference, ok=True, now=self.clock())
        now = self.clock()
        if retry_after:
            self._not_before[ticket.reference] = now + min(retry_after, self.max_delay)
        log.warning("staff notification for %s failed (attempt %d): %s", ticket.reference,
                    ticket.notify_attempts + 1, reason)
        return self.store.record_notification(ticket.reference, ok=False, now=now, error=reason)

    # -- background thread -----------------------------------------------------------------
    def start(self) -> None:
        """Run rounds in a daemon thread every `poll_interval` seconds, and at once after `kick()`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="privacy-bot-notify", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Ask the thread for a round now (call after a reply opened a ticket). Cheap, never blocks."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current round. Safe to call when it is not running."""
        thread, self._thread = self._thread, None
        self._stopping.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before the round, so a kick during it triggers another one
            try:
                self.run_once()
            except Exception as exc:  # never let the thread die; the next round tries again
                log.error("staff notification round failed: %s", type(exc).__name__)
            self._wake.wait(self.poll_interval)
