"""Staff in Slack: each new ticket is posted to the staff channel with buttons (Claim, Waiting on requester,
Resolve, Reject); the post is updated in place, every action is logged in its thread and the requester gets a
DM when the status changes — all three through the durable outbox, stored with the change (`bot.slack.outbox`).
Only configured staff may act; everyone else gets an ephemeral refusal.

Posts carry the reference, type, article, due date, status and assignee (the requester's Slack mention only with
SLACK_STAFF_SHOW_REQUESTER) — never contact details or free text (a rejection's explanation goes to the requester
only).
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
from bot.slack.blocks import metadata, view_values
from bot.slack.outbox import find_post, remember_post, slack_transport
from bot.slack.staff_blocks import STAFF_ACTION, actor_for, reject_modal
from handoff.grounds import find_ground
from handoff.intake import clean_answer
from handoff.notify import SlackTransport
from handoff.store import Store, StoreError, StoreUnavailable, TicketNotFound
from handoff.tickets import REJECTED, RESOLVED, WAITING, Ticket, TicketError

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"PRQ-\d{4}-\d{6,9}")
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
def staff_transport(client: WebClient, channel: str | None, public_url: str, store: Store, *,
                    show_requester: bool = False, desk: Desk | None = None) -> SlackTransport:
    """The outbox's Slack transport when the Slack front end is on (see `bot.slack.outbox.slack_transport`): staff
    alerts carry the action buttons (and the requester's mention only with SLACK_STAFF_SHOW_REQUESTER), their post is
    remembered, and with `desk` the Slack wing's durable messages (receipts, status DMs, post updates) are delivered."""
    return slack_transport(client, channel, public_url, store, desk=desk, show_requester=show_requester)


# -- acting ----------------------------------------------------------------------------------------
class StaffBoard:
    """Handles the staff post's buttons and the reject modal (called by the Bolt listeners after `ack()`)."""

    def __init__(self, *, store: Store, client: WebClient, desk: Desk, directory: StaffDirectory, public_url: str,
                 clock: Callable[[], float] = time.time, publish_home: Callable[[str], None] | None = None,
                 kick: Callable[[], None] = lambda: None) -> None:
        self.store, self.client, self.desk, self.directory = store, client, desk, directory
        self.public_url, self.clock = public_url, clock
        #: Republishes a Slack requester's App Home (its list of their requests) after a status change.
        self.publish_home = publish_home
        #: Asks the outbox's dispatcher to deliver now what a change just stored.
        self.kick = kick

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
        """Staff changed the ticket elsewhere (the web queue). The post's update, its thread line and the requester's
        DM are already in the outbox with the change (`bot.slack.outbox.slack_rule`); the App Home follows here."""
        if after.version != before.version and after.status != before.status:
            self._home(after)

    # -- internals ---------------------------------------------------------------------------------
    def _changed(self, before: Ticket, after: Ticket, user: str, channel: str | None, ts: str | None) -> None:
        if after.version == before.version:
            if channel:
                self._ephemeral(channel, user, f"{after.reference} is already yours; nothing was changed.")
            return
        if channel and ts and find_post(self.store, after.reference) is None:
            remember_post(self.store, after.reference, channel, ts)  # the click says where the post is
        # The post's update, its thread line and the requester's DM were stored with the change (the outbox).
        self.kick()
        if after.status != before.status:
            self._home(after)

    def _home(self, ticket: Ticket) -> None:
        """Republish a Slack requester's App Home, whose list shows the new status (best effort: a view)."""
        requester = ticket.requester
        if requester.frontend == "slack" and requester.user_id and self.publish_home is not None:
            self.publish_home(requester.user_id)

    def _refuse(self, channel: str, user: str) -> None:
        self._ephemeral(channel, user, "Only privacy staff can act on requests, so nothing was changed. "
                                       "Ask an admin to add you to the staff list if you need to.")

    def _ephemeral(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except _SLACK_FAILURES as exc:
            log.warning("could not send an ephemeral staff message (%s)", type(exc).__name__)


def _nothing_changed(reference: str, exc: Exception) -> str:
    if isinstance(exc, TicketNotFound):
        return f"There is no ticket {reference}; nothing was changed."
    if isinstance(exc, StoreUnavailable):
        return "The ticket store cannot be reached right now; nothing was changed. Please try again shortly."
    return f"Nothing was changed: {exc}."
