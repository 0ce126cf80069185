"""How the Slack front end's interactive replies reach Slack: a Web API client and a response-URL poster that
retry with slack_sdk's own retry handlers (connection errors, HTTP 429 after its `Retry-After`, HTTP 5xx).

Interactive replies are answers to someone who is waiting for them: a short, bounded retry in the worker thread
is right (the acknowledgement went to Slack long before, so a retry never delays an ack). What must arrive even
across a longer outage or a restart — receipts, staff posts and their updates, requester DMs — belongs in the
durable outbox, which retries across restarts with its own backoff.
"""
from __future__ import annotations

import logging
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.config import Settings

log = logging.getLogger(__name__)

#: Retries per failure kind for an interactive reply. Slack's Retry-After for chat.postMessage is about a second,
#: so two retries cover a short burst without keeping a worker thread for long.
INTERACTIVE_RETRIES = 2
#: Seconds one Web API or response-URL call may take (Slack answers in well under a second when healthy).
TIMEOUT = 10


def retry_handlers(retries: int = INTERACTIVE_RETRIES) -> list[RetryHandler]:
    """slack_sdk's handlers for a blip (connection reset), a rate limit (429 + Retry-After) and a 5xx."""
    return [ConnectionErrorRetryHandler(max_retry_count=retries), RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries)]


def interactive_client(settings: Settings) -> WebClient | None:
    """The front end's Web API client (SLACK_BOT_TOKEN at SLACK_API_URL) with the retry handlers; None without a
    token. Separate from the outbox's client, whose dispatcher does its own retrying across restarts."""
    if not settings.slack_bot_token:
        return None
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT,
                     retry_handlers=retry_handlers())


def respond(response_url: Any, **message: Any) -> bool:
    """Post `message` (`text`, `blocks`, `response_type`, `replace_original`, …) to a slash command's, shortcut's
    or button's `response_url`, with the retry handlers. True when Slack took it. A response URL works in channels
    the bot is not a member of, where `chat.postEphemeral` fails with `channel_not_found`."""
    if not isinstance(response_url, str) or not response_url.startswith(("https://", "http://")):
        return False
    client = WebhookClient(url=response_url, timeout=TIMEOUT, retry_handlers=retry_handlers())
    try:
        response = client.send_dict(message)
    except (SlackClientError, OSError, HTTPException) as exc:
        log.warning("Slack response URL failed: %s", type(exc).__name__)
        return False
    if response.status_code != 200:
        log.warning("Slack response URL answered HTTP %d", response.status_code)
        return False
    return True
