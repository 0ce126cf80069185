"""Step tokens: an answer applies only to the question it answers.

Every reply that asks something (a form step, "Did you mean…") carries a fresh random token (`Reply.step`),
kept in the session as the open question's. Front ends send it back with the answer (`Message.step`): the web
page with every typed message and button, Slack in its buttons. An answer whose token is not the open
question's was meant for an earlier one (an old button, a retry after a lost response): it is not applied, and
the user is told so and shown the current question again. Messages without a token (CLI, API clients, typed
Slack messages) keep working; for them, an exact repeat of the previous message within `RETRY_SECONDS` while a
question is open is taken as a retry: the current question is shown again and the repeat is not applied.
So a lost response to "1" followed by a second "1" can never confirm a form whose summary was never shown.
"""
from __future__ import annotations

import secrets
from typing import Any, Mapping

from handoff import session_log

#: A repeat of the exact previous message (without a token) within this many seconds is a client's retry.
RETRY_SECONDS = 8.0
STATE_KEY = "step"
#: True in the session when the last reply was a ticket's receipt (a retried confirmation gets it again).
RECEIPT_KEY = "step_receipt"
#: False in the session when the last message could not be applied (the store failed and the user was asked to
#: send it again): then its quick repeat is that new attempt, not a retry.
APPLIED_KEY = "step_applied"
STALE, RETRY = "stale", "retry"


def new_token() -> str:
    """A fresh token for the question a reply asks (short, URL- and Slack-value-safe)."""
    return secrets.token_urlsafe(6)


def current(state: Mapping[str, Any]) -> str | None:
    """The open question's token, or None when nothing is being asked."""
    token = state.get(STATE_KEY)
    return token if isinstance(token, str) else None


def verdict(state: Mapping[str, Any], token: str | None, text: str, now: float) -> str | None:
    """`STALE` when `token` is not the open question's; `RETRY` when a message without a token repeats the
    previous message exactly within `RETRY_SECONDS` (and that one was applied); None when the message is to be
    handled as usual."""
    if token is not None:
        return None if token == current(state) else STALE
    last = last_user_line(state)
    if last is not None and state.get(APPLIED_KEY, True) is not False and last.get("text") == text and 0 <= now - float(last.get("at", 0.0)) <= RETRY_SECONDS:
        return RETRY
    return None


def last_user_line(state: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The previous message of this session (`text`, `at`) as the state keeps it."""
    return session_log.last_user(state)
