"""Staff alerts and the Slack and log transports of the outbox (`handoff.outbox`).

A new ticket causes one `staff_alert` outbox message per staff channel; the `Dispatcher` hands each to the
transport of its channel: `SlackTransport` posts it to the staff channel, `LogTransport` writes one INFO line
(what a deployment without Slack or email gets), the email transport (`handoff.mail`) mails the staff list.
Alerts carry the reference, request type, article, due date and a link to the ticket; never a name, email or
free text. Staff open the ticket (behind sign-in) to see those.

`SlackTransport` also delivers the Slack wing's own messages: kind `slack_dm` (payload `user`, `text`, optional
`blocks`: opens the DM and posts) and kind `slack_api` (payload `method` and `args`: one Web API call), and a
front end may add handlers for kinds of its own with `handle(kind, fn)`.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from http.client import HTTPException
from typing import Any, Callable, Mapping
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handoff.outbox import DeliveryFailed, OutboxMessage
from handoff.references import REFERENCE_TZ
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
#: Slack errors about the message itself, which no retry can fix. Configuration errors (a wrong channel, a revoked
#: token) are retried like outages: an admin may fix them before the attempts run out.
_PERMANENT = frozenset({"user_not_found", "invalid_blocks", "msg_too_long", "cannot_dm_bot", "user_disabled",
                        "invalid_arguments"})


#: Kept for callers of the earlier name: a failed Slack call raises this (it is the outbox's DeliveryFailed).
NotificationFailed = DeliveryFailed
#: A log record with this attribute set holds no personal data by construction (the log alert: reference, type,
#: due date, link): the log filter leaves it as it is instead of redacting references and addresses in it.
NO_PERSONAL_DATA = "no_personal_data"


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


# -- transports ------------------------------------------------------------------------------
class LogTransport:
    """Staff alerts as one INFO line each (reference, type, article, due date, link); no personal data."""

    def __init__(self, public_url: str, *, logger: logging.Logger | None = None) -> None:
        self.public_url = public_url
        self.log = logger or log

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        if message.kind != "staff_alert" or ticket is None:
            raise DeliveryFailed(f"log:unsupported_kind:{message.kind}", permanent=True)
        self.log.info("%s", ticket_summary_text(ticket, self.public_url), extra={NO_PERSONAL_DATA: True})


SlackHandler = Callable[[OutboxMessage, "Ticket | None"], None]


class SlackTransport:
    """Delivers outbox messages through the Slack Web API (see the module docstring for the kinds).

    `staff_message(ticket, public_url)` builds the staff alert (the Slack front end passes the one with buttons);
    `on_posted(ticket, channel, ts)` is told where the alert was posted."""

    def __init__(self, client: WebClient, channel: str | None, public_url: str, *,
                 staff_message: Callable[[Ticket, str], dict[str, Any]] | None = None,
                 on_posted: Callable[[Ticket, str, str], None] | None = None) -> None:
        self.client, self.channel, self.public_url = client, channel, public_url
        self.staff_message = staff_message or new_ticket_message
        self.on_posted = on_posted
        self.handlers: dict[str, SlackHandler] = {"staff_alert": self._staff_alert, "slack_dm": self._dm,
                                                  "slack_api": self._api}

    def handle(self, kind: str, handler: SlackHandler) -> None:
        """Deliver messages of `kind` with `handler` (which raises DeliveryFailed; `call` maps Slack errors)."""
        self.handlers[kind] = handler

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        handler = self.handlers.get(message.kind)
        if handler is None:
            raise DeliveryFailed(f"slack:unsupported_kind:{message.kind}", permanent=True)
        handler(message, ticket)

    def call(self, method: Callable[..., Any], **arguments: Any) -> Any:
        """One Web API call; Slack's and the network's failures become DeliveryFailed (with Retry-After)."""
        try:
            return method(**arguments)
        except SlackApiError as exc:
            raise _api_failure(exc) from exc
        except (SlackClientError, OSError, HTTPException) as exc:  # URLError, timeouts, refused connections
            raise DeliveryFailed(_network_reason(exc)) from exc

    def _staff_alert(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        if ticket is None or not self.channel:
            raise DeliveryFailed("slack:no_staff_channel" if ticket else "ticket:not_found", permanent=True)
        response = self.call(self.client.chat_postMessage, channel=self.channel,
                             **self.staff_message(ticket, self.public_url))
        if self.on_posted is not None:
            self.on_posted(ticket, str(response.get("channel") or self.channel), str(response.get("ts") or ""))

    def _dm(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        payload = message.payload
        opened = self.call(self.client.conversations_open, users=str(payload["user"]))
        extra = {"blocks": payload["blocks"]} if payload.get("blocks") else {}
        self.call(self.client.chat_postMessage, channel=opened["channel"]["id"], text=str(payload.get("text", "")),
                  unfurl_links=False, unfurl_media=False, **extra)

    def _api(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        method, args = str(message.payload["method"]), message.payload.get("args") or {}
        self.call(self.client.api_call, api_method=method, json=dict(args) if isinstance(args, Mapping) else {})


def _api_failure(exc: SlackApiError) -> DeliveryFailed:
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
    return DeliveryFailed(reason, retry_after=retry_after, permanent=status == 200 and code in _PERMANENT)


def _network_reason(exc: BaseException) -> str:
    cause = getattr(exc, "reason", None)
    if isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError):
        return "network:timeout"
    return f"network:{type(exc).__name__}"
