"""Block Kit for staff in Slack (pure): the ticket's post in the staff channel with its buttons, the reject
modal, and the one-line entries of the post's thread. No contact details or free text ever appear here.
"""
from __future__ import annotations

import json
import re
from typing import Any

from bot.slack.blocks import clip, escape, plain
from handoff.grounds import REJECTION_GROUNDS, find_ground
from handoff.notify import new_ticket_blocks, ticket_summary_text
from handoff.tickets import WAITING, Ticket

REJECT_FORM = "reject_ticket"  # callback_id of the reject modal
STAFF_ACTION = re.compile(r"^staff_(claim|waiting|resolve|reject)$")
STATUS_TITLES = {"new": "New", "in_progress": "In progress", "waiting_on_requester": "Waiting on requester",
                 "resolved": "Resolved", "rejected": "Rejected"}


def actor_for(user_id: str) -> str:
    """How a Slack staff member appears on tickets (assignee, event log)."""
    return f"slack:{user_id}"


def mention(actor: str | None) -> str:
    if not actor:
        return "unassigned"
    if actor.startswith("slack:"):
        return f"<@{actor[6:]}>"
    return escape(actor)


# -- the staff post (pure) -----------------------------------------------------------------------
def staff_ticket_message(ticket: Ticket, public_url: str, *, show_requester: bool = False) -> dict[str, Any]:
    """`chat.postMessage`/`chat.update` arguments (without channel/ts): the notifier's blocks plus status,
    assignee, the requester's mention when they came from Slack and `show_requester` (SLACK_STAFF_SHOW_REQUESTER:
    a mention shows their name to the whole channel), and the action buttons while open."""
    blocks = new_ticket_blocks(ticket, public_url)
    state = [{"type": "mrkdwn", "text": f"*Status*\n{STATUS_TITLES.get(ticket.status, ticket.status)}"},
             {"type": "mrkdwn", "text": f"*Assignee*\n{mention(ticket.assignee)}"}]
    if show_requester and ticket.requester.frontend == "slack" and ticket.requester.user_id:
        state.append({"type": "mrkdwn", "text": f"*Requester*\n<@{ticket.requester.user_id}>"})
    if ticket.rejection is not None:
        ground = find_ground(ticket.request_type, ticket.rejection.ground)
        state.append({"type": "mrkdwn", "text": f"*Ground*\n{ground.article if ground else ''} "
                                                f"`{ticket.rejection.ground}`"})
    index = next(i for i, b in enumerate(blocks) if b.get("block_id") == "ticket_fields") + 1
    blocks.insert(index, {"type": "section", "block_id": "ticket_state", "fields": state})
    if ticket.is_open:
        actions = next(b for b in blocks if b.get("block_id") == "ticket_actions")
        buttons: list[tuple[str, str, str | None]] = [("staff_claim", "Claim", None)]
        if ticket.status != WAITING:
            buttons.append(("staff_waiting", "Waiting on requester", None))
        buttons += [("staff_resolve", "Resolve", "primary"), ("staff_reject", "Reject", "danger")]
        for action_id, label, style in buttons:
            button: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(label),
                                      "value": ticket.reference}
            if style:
                button["style"] = style
            if action_id == "staff_resolve":
                button["confirm"] = {"title": plain("Resolve this request?"), "confirm": plain("Resolve"),
                                     "deny": plain("Cancel"), "text": plain(f"{ticket.reference} will be closed "
                                                                            "as resolved and the requester told.", 300)}
            actions["elements"].append(button)
    text = f"{ticket_summary_text(ticket, public_url)} [{STATUS_TITLES.get(ticket.status, ticket.status)}]"
    return {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def reject_modal(ticket: Ticket, channel: str | None, ts: str | None) -> dict[str, Any]:
    grounds = REJECTION_GROUNDS[ticket.request_type]
    listing = "\n".join(f"• *{g.article}* {escape(g.en)}" for g in grounds)
    options = [{"text": plain(f"{g.article}: {g.en}", 75), "value": g.id} for g in grounds]
    return {
        "type": "modal", "callback_id": REJECT_FORM, "title": plain("Reject request", 24),
        "submit": plain("Reject", 24), "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"r": ticket.reference, "t": ticket.request_type, "c": channel or "",
                                        "ts": ts or ""}, separators=(",", ":")),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": clip(
                f"Reject *{ticket.reference}* (Article {ticket.article}). The requester is told the ground and your "
                f"explanation (APPI Art. 36). The exceptions of this article:\n{listing}", 3000)}},
            {"type": "input", "block_id": "ground", "label": plain("Exception relied on", 2000),
             "element": {"type": "static_select", "action_id": "ground", "options": options}},
            {"type": "input", "block_id": "reason", "label": plain("Explanation for the requester", 2000),
             "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 2000}},
        ],
    }


def log_line(before: Ticket, after: Ticket, user: str | None, *, who: str | None = None) -> str:
    """One line for the post's thread: who did what; never free text. `user` is a Slack user id; changes
    made elsewhere (the web queue) pass `who` instead, e.g. "alice (web queue)"."""
    who = f"<@{user}>" if user else f"{who or 'staff'} (web queue)"
    move = (f"{STATUS_TITLES.get(before.status, before.status)} → {STATUS_TITLES.get(after.status, after.status)}"
            if after.status != before.status else "")
    if after.assignee != before.assignee and (user is None or after.assignee == actor_for(user)):
        return f"{who} claimed {after.reference}" + (f" ({move})" if move else "") + "."
    line = f"{who} changed the status of {after.reference}: {move}"
    if after.rejection is not None:
        ground = find_ground(after.request_type, after.rejection.ground)
        line += f" (ground {ground.article if ground else ''} `{after.rejection.ground}`)"
    return line + "."
