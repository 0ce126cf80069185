"""The daily digest of tickets due soon and overdue, sent to staff through the outbox.

Once a day (Japan time, from `hour` on), `enqueue_digest` puts one `digest` message per staff channel in the outbox,
keyed `digest:<date>:<channel>`: enqueueing is idempotent by key, so every worker and a cron job may call it and staff
still get one digest a day; the dispatcher delivers it like any other message (retries, leases, failures shown).
Nothing is sent on a day with nothing due soon or overdue. The payload holds references, request types, statuses,
assignees and due dates: no requester's name, email or text, like the staff alert.
"""
from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from handoff.mail import Compose, Email
from handoff.notify import (
    NO_PERSONAL_DATA, REQUEST_TYPE_TITLES, LogTransport, SlackTransport, format_due, ticket_url,
)
from handoff.outbox import AfterRecord, DeliveryFailed, OutboxMessage, Transport, new_message
from handoff.references import REFERENCE_TZ
from handoff.store import Store
from handoff.tickets import OPEN_STATUSES, Ticket

KIND = "digest"
DAY = 86400.0
log = logging.getLogger(__name__)


def digest_payload(tickets: Sequence[Ticket], *, now: float, due_soon_days: int) -> dict[str, Any]:
    """What the digest says: the open tickets among `tickets` that are overdue, and those due within
    `due_soon_days`, earliest due first."""
    def line(t: Ticket) -> dict[str, Any]:
        return {"reference": t.reference, "request_type": t.request_type, "status": t.status,
                "assignee": t.assignee, "due_at": t.due_at}

    open_tickets = sorted((t for t in tickets if t.is_open), key=lambda t: (t.due_at, t.reference))
    return {"date": datetime.fromtimestamp(now, REFERENCE_TZ).date().isoformat(), "due_soon_days": due_soon_days,
            "overdue": [line(t) for t in open_tickets if t.is_overdue(now)],
            "due_soon": [line(t) for t in open_tickets if t.is_due_soon(now, due_soon_days)]}


def digest_text(payload: Mapping[str, Any], public_url: str) -> str:
    """The digest as plain text (Slack, email and the log use the same words)."""
    def lines(items: Sequence[Mapping[str, Any]]) -> list[str]:
        return [f"• {i['reference']} — {REQUEST_TYPE_TITLES.get(i['request_type'], i['request_type'])}, due "
                f"{format_due(float(i['due_at']))}, {str(i['status']).replace('_', ' ')}, "
                f"{i['assignee'] or 'unassigned'}: {ticket_url(public_url, str(i['reference']))}" for i in items]

    overdue, soon = list(payload.get("overdue", ())), list(payload.get("due_soon", ()))
    out = [f"Privacy requests on {payload.get('date')}: {len(overdue)} overdue, {len(soon)} due within "
           f"{payload.get('due_soon_days')} days."]
    if overdue:
        out += ["", "Overdue:"] + lines(overdue)
    if soon:
        out += ["", "Due soon:"] + lines(soon)
    return "\n".join(out)


def enqueue_digest(store: Store, *, now: float, due_soon_days: int, channels: Sequence[str],
                   hour: int = 9) -> list[OutboxMessage]:
    """Today's digest, one message per channel, unless it is before `hour` (Japan time) or nothing is due soon or
    overdue. Returns the messages as stored (the ones enqueued earlier today when it ran before)."""
    if datetime.fromtimestamp(now, REFERENCE_TZ).hour < hour:
        return []
    due = store.list_tickets(status=sorted(OPEN_STATUSES), due_by=now + due_soon_days * DAY, now=now,
                             limit=10_000)
    payload = digest_payload(due, now=now, due_soon_days=due_soon_days)
    if not payload["overdue"] and not payload["due_soon"]:
        return []
    return store.enqueue([new_message(channel, KIND, key=f"digest:{payload['date']}:{channel}", now=now,
                                      payload=payload) for channel in channels])


def log_digest(message: OutboxMessage, public_url: str, logger: logging.Logger | None = None) -> None:
    """The log channel's delivery: one INFO record (references and due dates only, so marked as such)."""
    (logger or log).info("%s", digest_text(message.payload, public_url), extra={NO_PERSONAL_DATA: True})


def add_slack_digest(transport: SlackTransport) -> None:
    """Let `transport` deliver digests: one post to its staff channel."""
    def deliver(message: OutboxMessage, ticket: Ticket | None) -> None:
        if not transport.channel:
            raise DeliveryFailed("slack:no_staff_channel", permanent=True)
        if not message.payload:
            raise DeliveryFailed("digest:empty", permanent=True)  # delivered before (payload cleared)
        transport.post(message, channel=transport.channel, text=digest_text(message.payload, transport.public_url),
                       unfurl_links=False, unfurl_media=False)

    def find(message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        if not transport.channel:
            return None
        ts = transport.find_post(message, transport.channel, since)
        return None if ts is None else float(ts)

    transport.handle(KIND, deliver, lookup=find)


class DigestAware:
    """A transport that delivers digests with `deliver_digest` and everything else with the transport it wraps."""

    def __init__(self, inner: Transport, deliver_digest: Callable[[OutboxMessage], None]) -> None:
        self.inner, self.deliver_digest = inner, deliver_digest

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> AfterRecord | None:
        if message.kind != KIND:
            return self.inner.deliver(message, ticket)
        if not message.payload:
            raise DeliveryFailed("digest:empty", permanent=True)  # delivered before (payload cleared)
        self.deliver_digest(message)
        return None


class DigestLogTransport(LogTransport):
    """The log transport, also writing digests (one INFO record each)."""

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        if message.kind != KIND:
            super().deliver(message, ticket)
            return
        if not message.payload:
            raise DeliveryFailed("digest:empty", permanent=True)
        log_digest(message, self.public_url, self.log)


def with_digest_email(compose: Compose, staff_emails: Sequence[str], public_url: str) -> Compose:
    """The email composer, also writing digests: to every staff address, as plain text and the same in HTML."""
    def composed(message: OutboxMessage, ticket: Ticket | None) -> Email:
        if message.kind != KIND:
            return compose(message, ticket)
        if not staff_emails:
            raise DeliveryFailed("email:no_staff_addresses", permanent=True)
        if not message.payload:
            raise DeliveryFailed("digest:empty", permanent=True)
        text = digest_text(message.payload, public_url)
        subject = text.splitlines()[0]
        page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(subject)}</title>'
                f'</head><body><pre style="font-family:sans-serif;white-space:pre-wrap">{html.escape(text)}</pre>'
                "</body></html>")
        return Email(to=tuple(staff_emails), subject=subject, text=text, html=page, lang="en")

    return composed
