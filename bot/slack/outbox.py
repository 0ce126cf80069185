"""What the Slack wing must never lose goes through the durable outbox (`handoff.outbox`): a Slack requester's
receipt and status-change DMs, and the updates of a ticket's staff post (the post itself is the outbox's
`staff_alert`). The messages are written by the store in the same transaction as the ticket change that causes them
(`slack_rule`, one of `Routing.extra`), so a 429, an outage or a restart between the change and the send loses
nothing; the dispatcher delivers them with backoff (honouring Retry-After), once per key: every post carries its
outbox message's id in Slack metadata, and a message whose earlier attempt may have arrived is looked up in the DM or
the staff post's thread before it is posted again (`find_dm`, `find_log`; a post update is safe to repeat).

Texts are rendered when delivered, from the ticket as it is then and for requesters only through the allow-listed
requester view (`Desk.receipt`, `Desk.status`, `RequesterView`), so the outbox holds no personal data.

A ticket opened by the chat-style form in a DM already shows its receipt as the form's last reply. Its outbox
receipt therefore waits `RECEIPT_GRACE` seconds and is skipped when that reply was posted (`receipt_shown`); if the
reply never made it (Slack down, the process died), the DM goes out. A ticket sent from the modal (its requester
session is `slack:T:modal:U`) gets its receipt DM at once: nothing else tells the user.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Callable

from slack_sdk import WebClient

from bot.engine.desk import Desk
from bot.engine.messages import Message
from bot.slack.blocks import text_sections, ui
from bot.slack.staff_blocks import log_line, staff_ticket_message
from handoff.notify import SlackTransport, nothing_to_find
from handoff.outbox import DeliveryFailed, OutboxMessage, Rule, new_message
from handoff.requester_view import RequesterView
from handoff.store import Store, StoreError
from handoff.tickets import Ticket
from responses.markup import to_mrkdwn, to_plain

log = logging.getLogger(__name__)

RECEIPT, STATUS, POST_UPDATE, POST_LOG = "slack_receipt", "slack_status", "slack_post_update", "slack_post_log"
#: Seconds a chat-form ticket's receipt DM waits for the form's own last reply to be posted.
RECEIPT_GRACE = 20.0
SHOWN_TTL = 30 * 86400
POST_TTL = 400 * 86400


def modal_session(team: str | None, user: str) -> str:
    """The requester session of a ticket sent from the modal (so its receipt is DMed at once)."""
    return f"slack:{team or '-'}:modal:{user}"


def _slack_user(ticket: Ticket) -> str | None:
    requester = ticket.requester
    return requester.user_id if requester.frontend == "slack" and requester.user_id else None


def slack_rule(*, staff_posts: bool) -> Rule:
    """The Slack wing's outbox rule: a Slack requester's receipt and status DMs; with `staff_posts` (a staff
    channel), the update of the ticket's post and a line in its thread for every status or assignee change."""

    def rule(before: Ticket | None, after: Ticket) -> list[OutboxMessage]:
        ref, now, user = after.reference, after.updated_at, _slack_user(after)
        out: list[OutboxMessage] = []
        if before is None:
            if user and after.purged_at is None:
                grace = 0.0 if ":modal:" in after.requester.session_id else RECEIPT_GRACE
                message = new_message("slack", RECEIPT, key=f"{ref}:receipt:slack", now=now, reference=ref)
                out.append(replace(message, next_attempt_at=now + grace))
            return out
        if after.version == before.version:
            return out
        if user and after.status != before.status and after.purged_at is None:
            out.append(new_message("slack", STATUS, key=f"{ref}:status:{after.version}:slack", now=now, reference=ref))
        if staff_posts:
            out.append(new_message("slack", POST_UPDATE, key=f"{ref}:post:{after.version}:slack", now=now,
                                   reference=ref))
            if after.status != before.status or after.assignee != before.assignee:
                actor = after.events[-1].actor if after.events else "staff"
                slack_actor = actor[6:] if actor.startswith("slack:") else None
                line = log_line(before, after, slack_actor, who=None if slack_actor else actor)
                out.append(new_message("slack", POST_LOG, key=f"{ref}:log:{after.version}:slack", now=now,
                                       reference=ref, payload={"text": line}))
        return out

    return rule


# -- where things are: the staff post, and receipts the conversation already showed -------------------------
def remember_post(store: Store, reference: str, channel: str, ts: str) -> None:
    """Keep where a ticket's staff post is, so later changes can `chat.update` it."""
    try:
        store.save_session(f"slackpost:{reference}", {"channel": channel, "ts": ts}, POST_TTL)
    except StoreError as exc:
        log.warning("could not remember the staff post of %s (%s)", reference, type(exc).__name__)


def find_post(store: Store, reference: str) -> tuple[str, str] | None:
    try:
        data = store.load_session(f"slackpost:{reference}") or {}
    except StoreError:
        return None
    channel, ts = data.get("channel"), data.get("ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None


def receipt_shown(store: Store, reference: str) -> None:
    """The chat form's last reply, which is the receipt, was posted: its outbox DM is not needed."""
    try:
        store.save_session(f"slackreceipt:{reference}", {"shown": True}, SHOWN_TTL)
    except StoreError:
        pass  # then the DM goes out too: a second receipt is better than none


# -- delivering ---------------------------------------------------------------------------------------
class SlackDeliveries:
    """The outbox handlers of the kinds above, registered on the Slack transport (`register`)."""

    def __init__(self, transport: SlackTransport, *, store: Store, desk: Desk, public_url: str,
                 show_requester: bool) -> None:
        self.transport, self.client = transport, transport.client
        self.store, self.desk, self.public_url, self.show_requester = store, desk, public_url, show_requester

    def register(self) -> None:
        for kind, handler, lookup in ((RECEIPT, self.receipt, self.find_dm), (STATUS, self.status, self.find_dm),
                                      (POST_UPDATE, self.post_update, nothing_to_find),
                                      (POST_LOG, self.post_log, self.find_log)):
            self.transport.handle(kind, handler, lookup=lookup)

    def receipt(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        user = self._requester(ticket)
        assert ticket is not None
        try:
            if self.store.load_session(f"slackreceipt:{ticket.reference}"):
                return  # the conversation showed it
        except StoreError as exc:
            raise DeliveryFailed("store:unavailable") from exc
        self._dm(message, user, self.desk.receipt(ticket, ticket.lang))

    def status(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        user = self._requester(ticket)
        assert ticket is not None
        asker = Message(text=ticket.reference, session_id=ticket.requester.session_id, frontend="slack", user_id=user)
        status = self.desk.status(asker, ticket.reference, ticket.lang)
        if status.ticket is None:
            raise DeliveryFailed("store:unavailable")
        markup = ui("update", ticket.lang, reference=ticket.reference) + "\n\n" + status.text
        rejection = RequesterView.of(ticket).rejection
        if rejection is not None and rejection.explanation:
            markup += "\n\n" + ui("explanation", ticket.lang) + "\n\n> " + rejection.explanation.replace("\n", "\n> ")
        self._dm(message, user, markup)

    def post_update(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        located = find_post(self.store, message.reference or "") if ticket is not None else None
        if ticket is None or located is None:
            return  # no post yet: the staff alert, when delivered, shows the ticket as it is then
        self.transport.call(self.client.chat_update, channel=located[0], ts=located[1],
                            **staff_ticket_message(ticket, self.public_url, show_requester=self.show_requester))

    def post_log(self, message: OutboxMessage, ticket: Ticket | None) -> None:
        located = find_post(self.store, message.reference or "")
        if located is None:
            return
        self.transport.post(message, channel=located[0], thread_ts=located[1],
                            text=str(message.payload.get("text", "")), unfurl_links=False, unfurl_media=False)

    def find_dm(self, message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        """A receipt or status DM an earlier attempt posted (in the requester's DM since `since`), or None."""
        user = _slack_user(ticket) if ticket is not None else None
        return self.transport.find_dm(message, user, since) if user else None

    def find_log(self, message: OutboxMessage, ticket: Ticket | None, since: float) -> float | None:
        """A thread line an earlier attempt posted under the ticket's staff post, or None."""
        located = find_post(self.store, message.reference or "")
        if located is None:
            return None
        ts = self.transport.find_post(message, located[0], since, thread_ts=located[1])
        return None if ts is None else float(ts)

    def _requester(self, ticket: Ticket | None) -> str:
        user = _slack_user(ticket) if ticket is not None else None
        if ticket is None or user is None or ticket.purged_at is not None:
            raise DeliveryFailed("ticket:no_slack_requester", permanent=True)
        return user

    def _dm(self, message: OutboxMessage, user: str, markup: str) -> None:
        opened = self.transport.call(self.client.conversations_open, users=user)
        self.transport.post(message, channel=opened["channel"]["id"], text=to_plain(markup),
                            blocks=text_sections(to_mrkdwn(markup)), unfurl_links=False, unfurl_media=False)


def slack_transport(client: WebClient, channel: str | None, public_url: str, store: Store, *, desk: Desk | None,
                    show_requester: bool = False,
                    staff_message: Callable[[Ticket, str], dict[str, object]] | None = None) -> SlackTransport:
    """The outbox's Slack transport when the Slack front end is on: staff alerts with the action buttons (their
    post remembered for later updates), and the kinds above when `desk` is given."""
    transport = SlackTransport(
        client, channel, public_url,
        staff_message=staff_message or (lambda ticket, url: staff_ticket_message(ticket, url,
                                                                                 show_requester=show_requester)),
        on_posted=lambda ticket, ch, ts: remember_post(store, ticket.reference, ch, ts))
    if desk is not None:
        SlackDeliveries(transport, store=store, desk=desk, public_url=public_url,
                        show_requester=show_requester).register()
    return transport
