"""Staff alerts and the Slack and log transports of the outbox (`handoff.outbox`).

A new ticket causes one `staff_alert` outbox message per staff channel; the `Dispatcher` hands each to the
transport of its channel: `SlackTransport` posts it to the staff channel, `LogTransport` writes one INFO line
(what a deployment without Slack or email gets), the email transport (`handoff.mail`) mails the staff list.
Alerts carry the reference, request type, article, due date and a link to the ticket; never a name, email or
free text. Staff open the ticket (behind sign-in) to see those.

`SlackTransport` also delivers the Slack wing's own messages: kind `slack_dm` (payload `user`, `text`, optional
`blocks`: opens the DM and posts) and kind `slack_api` (payload `method` and `args`: one Web API call), and a
front end may add handlers for kinds of its own with `handle(kind, fn, lookup=...)`.

Once per message: every post carries Slack message metadata naming its outbox message (`outbox_metadata`: event
type `privacy_bot_outbox`, payload `outbox_id`, a digest of the outbox key that reveals nothing of it; metadata is
readable by every app and member of the workspace). When an attempt's outcome was never recorded (the process was
killed between Slack's ok and the record, or the answer never came), the dispatcher asks `find_delivered` before
posting again: the kind's lookup reads the conversation since the attempt started (`conversations.history`, or
`conversations.replies` for a thread line, `include_all_metadata`) for a message with that id. Slack's rate limits
for those two methods apply (Tier 3 for internal apps; 1 request a minute and 15 messages a page for commercially
distributed apps outside the Marketplace), and reading a channel needs its `*:history` scope.
"""
from __future__ import annotations

import hashlib
import logging
import re
import socket
import time
from datetime import datetime
from http.client import HTTPException
from typing import Any, Callable, Mapping
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.metadata import Metadata

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


#: Slack errors of a lookup that mean "ask again later" (besides HTTP 429/5xx and the network); any other error (a
#: missing `*:history` scope, a channel the bot is not in) means Slack cannot be asked: the message is sent again.
_LOOKUP_TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                               "request_timeout"})
#: The metadata event type of every post the outbox makes (letters, digits, underscores and hyphens only).
OUTBOX_EVENT = "privacy_bot_outbox"
#: A lookup reads the conversation from LOOKUP_SKEW seconds before the attempt started (this host's clock against
#: Slack's) to LOOKUP_AFTER seconds after it (the post is sent at once and its client gives up after 10 s): a busy
#: channel's later messages are not read, which matters most where Slack allows one page of 15 a minute.
LOOKUP_SKEW, LOOKUP_AFTER = 60.0, 120.0
#: A window of more than a page is read in two parts: up to LOOKUP_NEAR seconds after the attempt started first
#: (where the post is when the two clocks agree), then the rest. conversations.history answers newest first, so
#: reading the whole window from its end paged through every later message first; in a busy channel (the fault
#: benchmark posts some 2,000 alerts a minute) the post lay beyond the last page read and was posted again.
LOOKUP_NEAR = 15.0
#: Messages a lookup asks for per page, and the most pages it reads before it gives up (then sends again).
LOOKUP_PAGE, LOOKUP_PAGES = 200, 10

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


def outbox_id(key: str) -> str:
    """What a post's metadata says of its outbox message: stable for the key, reveals nothing of it."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def outbox_metadata(key: str) -> Metadata:
    """The `metadata` of every post of outbox message `key` (chat.postMessage)."""
    return Metadata(event_type=OUTBOX_EVENT, event_payload={"outbox_id": outbox_id(key)})


def carries(posted: Mapping[str, Any], key: str) -> bool:
    """True when a message from conversations.history/replies carries outbox message `key`'s metadata."""
    metadata = posted.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != OUTBOX_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, Mapping) and payload.get("outbox_id") == outbox_id(key)


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
#: A kind's lookup: (message, ticket, since) -> when Slack took the message, or None (see `find_delivered`).
SlackLookup = Callable[[OutboxMessage, "Ticket | None", float], "float | None"]


def nothing_to_find(message: OutboxMessage, ticket: Ticket | None, since: float) -> None:
    """The lookup of a kind that is safe to repeat (chat.update: the same update twice leaves the same message)."""
    return None


class SlackTransport:
    """Delivers outbox messages through the Slack Web API (see the module docstring for the kinds).

    `staff_message(ticket, public_url)` builds the staff alert (the Slack front end passes the one with buttons);
    `on_posted(ticket, channel, ts)` is told where the alert was posted (also when a lookup found it)."""

    def __init__(self, client: WebClient, channel: str | None, public_url: str, *,
                 staff_message: Callable[[Ticket, str], dict[str, Any]] | None = None,
                 on_posted: Callable[[Ticket, str, str], None] | None = None) -> None:
        self.client, self.channel, self.public_url = client, channel, public_url
        self.staff_message = staff_message or new_ticket_message
        self.on_posted = on_posted
        self.handlers: dict[str, SlackHandler] = {"staff_alert": self._staff_alert, "slack_dm": self._dm,
                                                  "slack_api": self._api}
        self.lookups: dict[str, SlackLookup] = {"staff_alert": self._find_staff_alert, "slack_dm": self._find_dm,
                                                "slack_api": self._find_api}

    def handle(self, kind: str, handler: SlackHandler, *, lookup: SlackLookup | None = None) -> None:
        """Deliver messages of `kind` with `handler` (which raises DeliveryFailed; `call` maps Slack errors, `post`
        posts with the message's metadata). `lookup` finds a post of an earlier attempt (`find_post`), or is
        `nothing_to_find` for a kind that is safe to repeat; without one, such a message is sent again."""
        self.handlers[kind] = handler
        if lookup is None:
            self.lookups.pop(kind, None)
        else:
            self.lookups[kind] = lookup

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        handler = self.handlers.get(message.kind)
        if handler is None:
            raise DeliveryFailed(f"slack:unsupported_kind:{message.kind}", permanent=True)
        handler(message, ticket)

    def find_delivered(self, message: OutboxMessage, ticket: Ticket | None, *, since: float) -> float | None:
        """When Slack took `message` in an attempt started at `since` or later, or None (see
        `handoff.outbox.Lookup`). Raises DeliveryFailed: permanent when Slack cannot be asked."""
        lookup = self.lookups.get(message.kind)
        if lookup is None:
            raise DeliveryFailed(f"slack:no_lookup:{message.kind}", permanent=True)
        return lookup(message, ticket, since)

    def call(self, method: Callable[..., Any], **arguments: Any) -> Any:
        """One Web API call; Slack's and the network's failures become DeliveryFailed (with Retry-After)."""
        try:
            return method(**arguments)
        except SlackApiError as exc:
            raise _api_failure(exc) from exc
        except (SlackClientError, OSError, HTTPException) as exc:  # URLError, timeouts, refused connections
            raise DeliveryFailed(_network_reason(exc), maybe_delivered=_may_have_arrived(exc)) from exc

    def post(self, message: OutboxMessage, **arguments: Any) -> Any:
        """chat.postMessage of outbox message `message`, its metadata naming it (see `find_post`)."""
        return self.call(self.client.chat_postMessage, metadata=outbox_metadata(message.key), **arguments)

    def find_post(self, message: OutboxMessage, channel: str, since: float, *,
                  thread_ts: str | None = None) -> str | None:
        """The `ts` of the post of `message` in `channel` (in the thread of `thread_ts` when given) by an attempt
        started at `since` (read from LOOKUP_SKEW before to LOOKUP_AFTER after, a busy one up to LOOKUP_NEAR after
        first), or None. Raises DeliveryFailed:
        permanent when Slack cannot be asked (a missing scope, an unknown channel, more than LOOKUP_PAGES pages),
        otherwise ask again later."""
        # One page of the whole window settles a quiet channel in one call. A busier window is read again in two
        # parts, the likelier first (up to LOOKUP_NEAR after), then the later part; LOOKUP_PAGES pages in all.
        slices = [(since - LOOKUP_SKEW, since + LOOKUP_AFTER), (since - LOOKUP_SKEW, since + LOOKUP_NEAR),
                  (since + LOOKUP_NEAR, since + LOOKUP_AFTER)]
        pages = 0
        for number, (oldest, latest) in enumerate(slices):
            arguments: dict[str, Any] = {"channel": channel, "oldest": f"{max(0.0, oldest):.6f}",
                                         "latest": f"{latest:.6f}", "inclusive": True,
                                         "include_all_metadata": True, "limit": LOOKUP_PAGE}
            while True:
                if pages >= LOOKUP_PAGES:
                    raise DeliveryFailed("slack:lookup_too_long", permanent=True)
                pages += 1
                if thread_ts:
                    page = self._ask(self.client.conversations_replies, ts=thread_ts, **arguments)
                else:
                    page = self._ask(self.client.conversations_history, **arguments)
                for posted in page.get("messages") or []:
                    if isinstance(posted, Mapping) and carries(posted, message.key):
                        return str(posted.get("ts") or "") or None
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    if number == 0:
                        return None  # the whole window was read
                    break
                if number == 0:
                    break  # more than a page: read it in parts
                arguments["cursor"] = cursor
        return None

    def _ask(self, method: Callable[..., Any], **arguments: Any) -> Any:
        """A lookup's Web API call: a rate limit, a 5xx or the network is `ask again later`; any other error means
        Slack cannot be asked (DeliveryFailed with `permanent`)."""
        try:
            return method(**arguments)
        except SlackApiError as exc:
            failure = _api_failure(exc)
            data = getattr(exc.response, "data", None)
            code = data.get("error") if isinstance(data, dict) else None
            transient = getattr(exc.response, "status_code", 200) != 200 or code in _LOOKUP_TRANSIENT
            raise DeliveryFailed(failure.reason, retry_after=failure.retry_after, permanent=not transient) from exc
        except (SlackClientError, OSError, HTTPException) as exc:
            raise DeliveryFailed(_network_reason(exc)) from exc

    def _staff_alert(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        if ticket is None or not self.channel:
            raise DeliveryFailed("slack:no_staff_channel" if ticket else "ticket:not_found", permanent=True)
        response = self.post(message, channel=self.channel, **self.staff_message(ticket, self.public_url))
        if self.on_posted is not None:
            self.on_posted(ticket, str(response.get("channel") or self.channel), str(response.get("ts") or ""))

    def _find_staff_alert(self, message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        if ticket is None or not self.channel:
            return None  # delivering fails for good
        ts = self.find_post(message, self.channel, since)
        if ts is not None and self.on_posted is not None:
            self.on_posted(ticket, self.channel, ts)
        return _when(ts)

    def _dm(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        payload = message.payload
        opened = self.call(self.client.conversations_open, users=str(payload["user"]))
        extra = {"blocks": payload["blocks"]} if payload.get("blocks") else {}
        self.post(message, channel=opened["channel"]["id"], text=str(payload.get("text", "")),
                  unfurl_links=False, unfurl_media=False, **extra)

    def _find_dm(self, message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        return self.find_dm(message, str(message.payload.get("user", "")), since)

    def find_dm(self, message: OutboxMessage, user: str, since: float) -> float | None:
        """When the DM of `message` to `user` was posted (see `find_post`), or None."""
        if not user:
            return None
        opened = self._ask(self.client.conversations_open, users=user)
        return _when(self.find_post(message, str(opened["channel"]["id"]), since))

    def _api(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        method, args = str(message.payload["method"]), message.payload.get("args") or {}
        arguments = dict(args) if isinstance(args, Mapping) else {}
        if method == "chat.postMessage":
            arguments["metadata"] = outbox_metadata(message.key).to_dict()
        self.call(self.client.api_call, api_method=method, json=arguments)

    def _find_api(self, message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        method, args = str(message.payload.get("method")), message.payload.get("args") or {}
        if method != "chat.postMessage":
            return None  # an update or another call: the same call twice has the same effect
        channel = str(args.get("channel") or "") if isinstance(args, Mapping) else ""
        if not channel:
            return None
        thread = args.get("thread_ts")
        return _when(self.find_post(message, channel, since, thread_ts=str(thread) if thread else None))


def _when(ts: str | None) -> float | None:
    """A Slack message ts as epoch seconds (None stays None)."""
    if ts is None:
        return None
    try:
        return float(ts)
    except ValueError:
        return time.time()


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
    return DeliveryFailed(reason, retry_after=retry_after, permanent=status == 200 and code in _PERMANENT,
                          maybe_delivered=status >= 500)


def _may_have_arrived(exc: BaseException) -> bool:
    """False only when the request cannot have reached Slack (the connection was refused, the name not found)."""
    cause = getattr(exc, "reason", None) or exc.__cause__ or exc
    return not isinstance(cause, (ConnectionRefusedError, socket.gaierror)) and not isinstance(
        exc, (ConnectionRefusedError, socket.gaierror))


def _network_reason(exc: BaseException) -> str:
    cause = getattr(exc, "reason", None)
    if isinstance(exc, TimeoutError) or isinstance(cause, TimeoutError):
        return "network:timeout"
    return f"network:{type(exc).__name__}"
