"""Staff in Slack: each new ticket is posted to the staff channel with buttons (Claim, Waiting on requester,
Resolve, Reject); the post is updated in place, every action is logged in its thread and the requester gets a
DM when the status changes. Only configured staff may act; everyone else gets an ephemeral refusal.

Posts carry the reference, type, article, due date, status, assignee and the requester's Slack mention — never
contact details or free text (a rejection's explanation goes to the requester only).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from http.client import HTTPException
from typing import Any, Callable, Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.engine.desk import Desk
from bot.engine.messages import Message
from bot.slack.blocks import metadata, text_sections, ui, view_values
from bot.slack.staff_blocks import STAFF_ACTION, actor_for, log_line, reject_modal, staff_ticket_message
from handoff.grounds import find_ground
from handoff.intake import clean_answer
from handoff.notify import SlackTransport
from handoff.requester_view import RequesterView
from handoff.store import Store, StoreError, StoreUnavailable, TicketNotFound
from handoff.tickets import REJECTED, RESOLVED, WAITING, Ticket, TicketError
from responses.markup import to_mrkdwn, to_plain

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"PRQ-\d{4}-\d{6,9}")
#: How long the channel/ts of a ticket's staff post is remembered (store key `slackpost:REF`).
POST_TTL = 400 * 86400
_SLACK_FAILURES = (SlackApiError, SlackClientError, OSError, HTTPException)


# -- who may act -----------------------------------------------------------------------------------
class StaffDirectory:
    """Staff are the configured user ids plus the members of one user group (cached for `ttl` seconds).
    Fails closed: when the group cannot be read, only the listed user ids count as staff."""

    def __init__(self, client: WebClient, *, users: tuple[str, ...] = (), usergroup: str | None = None,
                 ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self.users, self.usergroup = client, frozenset(users), usergroup
        self.ttl, self.clock = ttl, clock
        self._members: frozenset[str] = frozenset()
        self._fetched = float("-inf")
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.users or self.usergroup)

    def is_staff(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        return bool(self.usergroup) and user_id in self._group_members()

    def _group_members(self) -> frozenset[str]:
        with self._lock:
            if self.clock() - self._fetched < self.ttl:
                return self._members
            try:
                response = self.client.usergroups_users_list(usergroup=self.usergroup or "")
                self._members = frozenset(str(u) for u in response.get("users") or ())
                self._fetched = self.clock()
            except _SLACK_FAILURES as exc:
                log.warning("could not read the staff user group (%s); only SLACK_STAFF_USERS may act",
                            type(exc).__name__)
                return frozenset()
            return self._members


# -- posting ---------------------------------------------------------------------------------------
def remember_post(store: Store, reference: str, channel: str, ts: str) -> None:
    """Keep where a ticket's staff post is, so later changes can `chat.update` it. Best effort: the buttons
    carry the post's location too, so a failure here only loses updates made from elsewhere."""
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


def staff_transport(client: WebClient, channel: str, public_url: str, store: Store, *,
                    show_requester: bool = False) -> SlackTransport:
    """The outbox's Slack transport when the Slack front end is on: staff alerts carry the action buttons (and the
    requester's mention only with SLACK_STAFF_SHOW_REQUESTER) and their post is remembered (so later changes update
    it)."""
    return SlackTransport(client, channel, public_url,
                          staff_message=lambda ticket, url: staff_ticket_message(ticket, url,
                                                                                 show_requester=show_requester),
                          on_posted=lambda ticket, ch, ts: remember_post(store, ticket.reference, ch, ts))


# -- acting ----------------------------------------------------------------------------------------
class StaffBoard:
    """Handles the staff post's buttons and the reject modal (called by the Bolt listeners after `ack()`)."""

    def __init__(self, *, store: Store, client: WebClient, desk: Desk, directory: StaffDirectory, public_url: str,
                 clock: Callable[[], float] = time.time, show_requester: bool = False,
                 publish_home: Callable[[str], None] | None = None) -> None:
        self.store, self.client, self.desk, self.directory = store, client, desk, directory
        self.public_url, self.clock, self.show_requester = public_url, clock, show_requester
        #: Republishes a Slack requester's App Home (its list of their requests) after a status change.
        self.publish_home = publish_home

    def on_action(self, body: Mapping[str, Any]) -> None:
        user = body["user"]["id"]
        action = body["actions"][0]
        reference = str(action.get("value", ""))
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        ts = container.get("message_ts")
        if not REFERENCE.fullmatch(reference) or not channel:
            return
        if not self.directory.is_staff(user):
            self._refuse(channel, user)
            return
        kind = STAFF_ACTION.match(action["action_id"]).group(1)  # type: ignore[union-attr]
        actor = actor_for(user)
        try:
            before = self.store.get_ticket(reference)
            if kind == "reject":
                if not before.is_open:
                    self._ephemeral(channel, user, f"{reference} is already {before.status}; nothing was changed.")
                else:
                    self.client.views_open(trigger_id=body["trigger_id"], view=reject_modal(before, channel, ts))
                return
            if kind == "claim":
                after = self.store.claim(reference, actor=actor, now=self.clock())
            else:
                status = WAITING if kind == "waiting" else RESOLVED
                after = self.store.update_status(reference, status, actor=actor, now=self.clock())
        except _SLACK_FAILURES as exc:
            log.warning("could not open the reject form for %s (%s)", reference, type(exc).__name__)
            self._ephemeral(channel, user, "The reject form could not be opened. Please click Reject again.")
            return
        except (TicketError, StoreError) as exc:
            self._ephemeral(channel, user, _nothing_changed(reference, exc))
            return
        self._changed(before, after, user, channel, ts)

    def on_reject_submit(self, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """After a valid reject form was acknowledged (see `reject_errors`)."""
        meta = metadata(view)
        values = view_values(view)
        user, reference = body["user"]["id"], str(meta.get("r", ""))
        channel, ts = meta.get("c") or None, meta.get("ts") or None
        if not self.directory.is_staff(user):
            if channel:
                self._refuse(channel, user)
            return
        try:
            before = self.store.get_ticket(reference)
            after = self.store.update_status(reference, REJECTED, actor=actor_for(user), now=self.clock(),
                                             note=clean_answer(values.get("reason", "")),
                                             rejection_ground=values.get("ground"))
        except (TicketError, StoreError) as exc:
            if channel:
                self._ephemeral(channel, user, _nothing_changed(reference, exc))
            return
        self._changed(before, after, user, channel, ts)

    @staticmethod
    def reject_errors(view: Mapping[str, Any]) -> dict[str, str]:
        """Field errors of a reject form (checked before `ack`, so they show on the fields)."""
        meta, values = metadata(view), view_values(view)
        errors = {}
        if find_ground(str(meta.get("t", "")), values.get("ground", "")) is None:
            errors["ground"] = "Pick the exception of the policy this rejection relies on."
        if not clean_answer(values.get("reason", "")):
            errors["reason"] = "Explain the refusal to the requester (APPI Art. 36)."
        return errors

    def on_external_change(self, before: Ticket, after: Ticket) -> None:
        """Staff changed the ticket elsewhere (the web queue): update the post, log it in its thread and tell a
        Slack requester about a new status, as for a button click."""
        if after.version == before.version:
            return
        located = find_post(self.store, after.reference)
        if located:
            self.refresh(after, *located)
            who = after.events[-1].actor if after.events else "staff"
            self._post(channel=located[0], thread_ts=located[1], text=log_line(before, after, None, who=who))
        if after.status != before.status:
            self._tell_requester(after)

    def refresh(self, ticket: Ticket, channel: str | None = None, ts: str | None = None) -> None:
        """Update the ticket's staff post in place (its remembered location unless `channel`/`ts` are given)."""
        if not (channel and ts):
            found = find_post(self.store, ticket.reference)
            if found is None:
                return
            channel, ts = found
        try:
            self.client.chat_update(channel=channel, ts=ts, **staff_ticket_message(
                ticket, self.public_url, show_requester=self.show_requester))
        except _SLACK_FAILURES as exc:
            log.warning("could not update the staff post of %s (%s)", ticket.reference, type(exc).__name__)

    # -- internals ---------------------------------------------------------------------------------
    def _changed(self, before: Ticket, after: Ticket, user: str, channel: str | None, ts: str | None) -> None:
        if after.version == before.version:
            if channel:
                self._ephemeral(channel, user, f"{after.reference} is already yours; nothing was changed.")
            return
        located = (channel, ts) if channel and ts else find_post(self.store, after.reference)
        self.refresh(after, *(located or (None, None)))
        if located:
            self._post(channel=located[0], thread_ts=located[1], text=log_line(before, after, user))
        if after.status != before.status:
            self._tell_requester(after)

    def _tell_requester(self, ticket: Ticket) -> None:
        """DM a requester from Slack about a status change: the status line and a rejection's explanation, both from
        the requester view (`handoff.requester_view`), never a staff note."""
        requester = ticket.requester
        if requester.frontend != "slack" or not requester.user_id:
            return
        if self.publish_home is not None:
            self.publish_home(requester.user_id)
        try:
            status = self.desk.status(Message(text=ticket.reference, session_id=requester.session_id,
                                              frontend="slack", user_id=requester.user_id),
                                      ticket.reference, ticket.lang)
        except StoreUnavailable:
            return
        view = RequesterView.of(ticket)
        markup = ui("update", view.lang, reference=view.reference) + "\n\n" + status.text
        if view.rejection is not None and view.rejection.explanation:
            explanation = view.rejection.explanation
            markup += "\n\n" + ui("explanation", view.lang) + "\n\n> " + explanation.replace("\n", "\n> ")
        try:
            dm = self.client.conversations_open(users=requester.user_id)["channel"]["id"]
        except _SLACK_FAILURES as exc:
            log.warning("could not DM the requester of %s (%s)", ticket.reference, type(exc).__name__)
            return
        self._post(channel=dm, text=to_plain(markup), blocks=text_sections(to_mrkdwn(markup)))

    def _refuse(self, channel: str, user: str) -> None:
        self._ephemeral(channel, user, "Only privacy staff can act on requests, so nothing was changed. "
                                       "Ask an admin to add you to the staff list if you need to.")

    def _ephemeral(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except _SLACK_FAILURES as exc:
            log.warning("could not send an ephemeral staff message (%s)", type(exc).__name__)

    def _post(self, **arguments: Any) -> None:
        try:
            self.client.chat_postMessage(unfurl_links=False, unfurl_media=False, **arguments)
        except _SLACK_FAILURES as exc:
            log.warning("could not post to Slack (%s)", type(exc).__name__)


def _nothing_changed(reference: str, exc: Exception) -> str:
    if isinstance(exc, TicketNotFound):
        return f"There is no ticket {reference}; nothing was changed."
    if isinstance(exc, StoreUnavailable):
        return "The ticket store cannot be reached right now; nothing was changed. Please try again shortly."
    return f"Nothing was changed: {exc}."
