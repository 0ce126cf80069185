"""Rate limits for the front ends: token buckets kept in the store, so every worker and process sharing it
counts together (`RateLimitStore.take_tokens` in `handoff.store`: all of a request's buckets in one call).

Buckets, each refilling continuously (settings in `bot.config`, `0` turns one off):

* `chat-ip`: chat API requests (`/api/chat`, `/api/resume`, `/api/tickets/copy`) per client IP address;
* `chat-session`: the same per chat session, and Slack messages, commands and choice clicks per Slack user;
* `login-user` and `login-ip`: staff and admin sign-in attempts per (username, IP address) and per IP address.
  The staff and admin sign-in forms share these buckets (they check the same accounts).
* `lookup-origin` and `lookup-ref`: look-ups of a ticket by reference + email (status or copy from a chat that is
  not the requester's) per client (IP address or Slack user) and per reference, right or wrong alike. Fails
  closed like sign-in: a store error propagates (the look-up needs the store anyway).

Keys never hold personal data: the session id, IP address or username goes into a SHA-256 digest salted with the
deployment's key prefix, e.g. `chat-ip:3f0c…`. Chat fails open: when the store cannot be reached the request is
answered anyway (answers must keep working during a store outage) and a warning without personal data is logged;
checks are then skipped for a few seconds so an outage does not add a timeout to every message. Sign-in fails
closed: the store error propagates and the sign-in page answers 503 (it could not check the password anyway).
"""
from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.config import Settings
from bot.engine.desk import requester_of
from bot.engine.messages import Message
from handoff.store import Bucket, RateDecision, RateLimitStore, StoreError, TurnStart


class HasLimiter(Protocol):
    """What `limiter_for` needs of the composition root's services (named here so this module never imports
    `bot.app`, which imports it)."""

    store: Any
    settings: Settings
    rate_limiter: Any

log = logging.getLogger(__name__)

MINUTE = 60.0
LOGIN_PERIOD = 15 * 60.0
LOOKUP_PERIOD = 3600.0
#: After a failed check, chat skips the store for this long (fail open without waiting on a dead store each time).
OUTAGE_PAUSE = 5.0
MAX_IP_CHARS = 100

CHAT_DETAIL = ("Too many messages: you're sending messages faster than I can answer. Please wait {n} {unit} and try "
               "again.")
LOGIN_ERROR = ("Too many sign-in attempts. Please wait {n} {unit} and try again; the password was not checked. "
               "If you have forgotten it, ask an administrator to reset your account.")
SLACK_TEXT = {
    "en": "You're sending messages faster than I can answer; please wait {n} {unit} and send your message again.",
    "ja": "メッセージの送信が速すぎるため、お答えが追いつきません。{n}秒ほど待ってから、もう一度お送りください。",
}


@dataclass(frozen=True)
class Limit:
    """`per_period` tokens every `period` seconds, at most `burst` at once; off when `per_period` is 0."""

    per_period: int
    period: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.per_period > 0

    @property
    def rate(self) -> float:
        """Tokens per second."""
        return self.per_period / self.period


class RateLimited(Exception):
    """A request was refused by a rate limit; the web app answers 429 with `Retry-After` (see `too_many`)."""

    def __init__(self, decision: RateDecision, scope: str) -> None:
        super().__init__(f"rate limit {scope}")
        self.decision = decision
        self.scope = scope


def retry_after_seconds(decision: RateDecision) -> int:
    """Whole seconds to wait, at least 1 (the value of `Retry-After`)."""
    return max(1, math.ceil(decision.retry_after - 1e-9))


def _wait(seconds: int) -> tuple[int, str]:
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return minutes, "minutes"
    return seconds, "second" if seconds == 1 else "seconds"


def chat_detail(decision: RateDecision) -> str:
    n, unit = _wait(retry_after_seconds(decision))
    return CHAT_DETAIL.format(n=n, unit=unit)


def login_error(decision: RateDecision) -> str:
    n, unit = _wait(retry_after_seconds(decision))
    return LOGIN_ERROR.format(n=n, unit=unit)


def slack_text(decision: RateDecision, lang: str) -> str:
    """The polite message for a Slack user over the limit (Japanese counts in seconds)."""
    seconds = retry_after_seconds(decision)
    n, unit = (seconds, "") if lang == "ja" else _wait(seconds)
    return SLACK_TEXT["ja" if lang == "ja" else "en"].format(n=n, unit=unit)


def with_retry_after(response: Response, decision: RateDecision) -> Response:
    response.headers["retry-after"] = str(retry_after_seconds(decision))
    response.headers["cache-control"] = "no-store"
    return response


def too_many(decision: RateDecision) -> JSONResponse:
    """The web API's 429: `Retry-After` in whole seconds and a Problem body."""
    response = JSONResponse(status_code=429, content={"detail": chat_detail(decision), "errors": []})
    with_retry_after(response, decision)
    return response


async def rate_limited_handler(request: Request, exc: Exception) -> Response:
    """Exception handler for `RateLimited` (registered by `bot.web.app.create_app`)."""
    assert isinstance(exc, RateLimited)
    return too_many(exc.decision)


def client_ip(request: Request, trust_proxy: int) -> str:
    """The client's address: the connection's peer, or with `trust_proxy` = N proxies in front, the address the
    outermost trusted proxy saw (the N-th `X-Forwarded-For` entry from the right). Entries left of that are
    written by the client and could be anything, so they are never used."""
    peer = request.client.host if request.client is not None else "unknown"
    if trust_proxy <= 0:
        return peer[:MAX_IP_CHARS]
    entries = [e.strip() for value in request.headers.getlist("x-forwarded-for") for e in value.split(",")]
    entries = [e for e in entries if e]
    if not entries:
        return peer[:MAX_IP_CHARS]
    return entries[-trust_proxy if len(entries) >= trust_proxy else 0][:MAX_IP_CHARS]


def bucket_key(scope: str, value: str, *, salt: str) -> str:
    """`scope:` + a digest of `value` (a session id, an IP address, a username): no personal data in the store."""
    digest = hashlib.sha256(f"{salt}\x00{scope}\x00{value}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{scope}:{digest[:40]}"


class RateLimiter:
    """The configured limits over one store. Thread-safe; several instances over one store count together."""

    def __init__(self, store: RateLimitStore, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.trust_proxy = settings.trust_proxy
        self.salt = settings.redis_key_prefix
        self.chat_ip = Limit(settings.rate_ip, MINUTE, settings.rate_ip_burst)
        self.chat_session = Limit(settings.rate_session, MINUTE, settings.rate_session_burst)
        self.login_user = Limit(settings.rate_login, LOGIN_PERIOD, max(1, settings.rate_login))
        self.login_ip = Limit(settings.rate_login_ip, LOGIN_PERIOD, max(1, settings.rate_login_ip))
        self.lookup_ref = Limit(settings.rate_lookup, LOOKUP_PERIOD, max(1, settings.rate_lookup))
        self.lookup_origin = Limit(settings.rate_lookup_ip, LOOKUP_PERIOD, max(1, settings.rate_lookup_ip))
        self._paused_until = 0.0
        self._lock = threading.Lock()
        # Stores that read a chat message's session and staff replies with its buckets (`TurnStore.begin_turn`).
        self._turns: Any = store if callable(getattr(store, "begin_turn", None)) else None

    # -- buckets ---------------------------------------------------------------------------------------
    def take(self, checks: list[tuple[Limit, str, str]]) -> tuple[str, RateDecision] | None:
        """Take a token from each bucket of `checks` ((limit, scope, value), in order; limits that are off are
        skipped) in one store call. The refusing scope and its decision when one bucket is empty (later buckets
        are untouched), else None. Raises StoreUnavailable when the store fails."""
        enabled = [(limit, scope, value) for limit, scope, value in checks if limit.enabled]
        if not enabled:
            return None
        buckets = [Bucket(bucket_key(scope, value, salt=self.salt), limit.rate, limit.burst)
                   for limit, scope, value in enabled]
        decisions = self.store.take_tokens(buckets, now=self.clock())
        last = decisions[-1]
        return None if last.allowed else (enabled[len(decisions) - 1][1], last)

    def _fail_open(self, checks: list[tuple[Limit, str, str]]) -> RateDecision | None:
        """The first refusal of `checks`, or None; on a store failure, allow and pause checking."""
        if time.monotonic() < self._paused_until:
            return None
        try:
            refused = self.take(checks)
        except StoreError as exc:
            with self._lock:
                self._paused_until = time.monotonic() + OUTAGE_PAUSE
            log.warning("rate limits not checked for %.0f s: store unavailable (%s); requests are allowed",
                        OUTAGE_PAUSE, type(exc).__name__)
            return None
        if refused is not None:
            log.debug("rate limit reached: %s", refused[0])
            return refused[1]
        return None

    # -- front ends ----------------------------------------------------------------------------------
    def check_chat(self, request: Request, session_id: str | None) -> None:
        """Per IP, then per session (when the client sent one). Raises RateLimited; fails open."""
        checks = [(self.chat_ip, "chat-ip", client_ip(request, self.trust_proxy))]
        if session_id:
            checks.append((self.chat_session, "chat-session", session_id))
        refused = self._fail_open(checks)
        if refused is not None:
            raise RateLimited(refused, "chat")

    def begin_chat(self, request: Request, session_id: str | None, message: Message) -> TurnStart | None:
        """`check_chat` and what answering `message` reads (its session, staff replies waiting) in one store call
        (`begin_turn`: one transaction or round trip), for `Conversation.handle(message, start)`. Raises
        RateLimited. None when the store could not be asked (limits fail open as in `check_chat`; the conversation
        then reads for itself, and answers without state if it cannot)."""
        if self._turns is None:
            self.check_chat(request, session_id)
            return None
        enabled, buckets = self._chat_buckets(request, session_id)
        try:
            start: TurnStart = self._turns.begin_turn(message.session_id, requester_of(message), buckets,
                                                      now=self.clock())
        except StoreError as exc:
            return self._turn_failed(exc, buckets)
        return self._started(start, enabled)

    async def begin_chat_async(self, turns: Any, request: Request, session_id: str | None,
                               message: Message) -> TurnStart | None:
        """`begin_chat` through `turns` (`handoff.redis.turns.AsyncTurns`: the same round trip on the event loop)."""
        enabled, buckets = self._chat_buckets(request, session_id)
        try:
            start: TurnStart = await turns.begin_turn(message.session_id, requester_of(message), buckets,
                                                      now=self.clock())
        except StoreError as exc:
            return self._turn_failed(exc, buckets)
        return self._started(start, enabled)

    def _chat_buckets(self, request: Request, session_id: str | None) -> tuple[list[tuple[Limit, str, str]],
                                                                              list[Bucket]]:
        checks = [(self.chat_ip, "chat-ip", client_ip(request, self.trust_proxy))]
        if session_id:
            checks.append((self.chat_session, "chat-session", session_id))
        enabled = [] if time.monotonic() < self._paused_until else [c for c in checks if c[0].enabled]
        return enabled, [Bucket(bucket_key(scope, value, salt=self.salt), limit.rate, limit.burst)
                         for limit, scope, value in enabled]

    def _turn_failed(self, exc: StoreError, buckets: list[Bucket]) -> None:
        if buckets:
            with self._lock:
                self._paused_until = time.monotonic() + OUTAGE_PAUSE
            log.warning("rate limits not checked for %.0f s: store unavailable (%s); requests are allowed",
                        OUTAGE_PAUSE, type(exc).__name__)
        return None

    @staticmethod
    def _started(start: TurnStart, enabled: list[tuple[Limit, str, str]]) -> TurnStart:
        if not start.allowed:
            log.debug("rate limit reached: %s", enabled[len(start.decisions) - 1][1])
            raise RateLimited(start.decisions[-1], "chat")
        return start

    def end_chat(self) -> None:
        """After `begin_chat`'s message was answered (or failed), on the same thread: the store writes the take it
        allowed if the session write did not (`TurnStore.end_turn`). Never raises: limits fail open."""
        end = getattr(self._turns, "end_turn", None)
        if end is None:
            return
        try:
            end()
        except StoreError as exc:
            log.warning("a chat message's rate-limit take was not written: store unavailable (%s)", type(exc).__name__)

    def check_slack_user(self, team: str | None, user: str) -> RateDecision | None:
        """The refusal for a Slack user over the session limit, else None. Fails open."""
        return self._fail_open([(self.chat_session, "chat-session", f"slack:{team or '-'}:{user}")])

    def check_login(self, request: Request, username: str) -> RateDecision | None:
        """Per (username, IP), then per IP; the refusal or None. Store errors propagate (the page answers 503)."""
        ip = client_ip(request, self.trust_proxy)
        refused = self.take([(self.login_user, "login-user", f"{username}\x00{ip}"), (self.login_ip, "login-ip", ip)])
        if refused is not None:
            log.info("sign-in attempts limited (%s); password not checked", refused[0])
            return refused[1]
        return None

    def allow_lookup(self, reference: str, origin: str | None) -> bool:
        """Take one try for a look-up of `reference` by email: per origin (when known), then per reference. False
        when either bucket is empty. Every try counts, so the answer to a try never depends on other tries being
        wrong; whether the reference exists plays no part. Raises StoreUnavailable (fails closed)."""
        checks = [(self.lookup_origin, "lookup-origin", origin)] if origin else []
        checks.append((self.lookup_ref, "lookup-ref", reference.upper()))
        refused = self.take(checks)
        if refused is not None:
            log.info("ticket look-ups limited (%s)", refused[0])
        return refused is None

    def notice_key(self, scope: str, value: str) -> str:
        """A marker key (for `mark_once`) so a flood gets one "please wait" notice per wait, not one per message."""
        return "rate-notice:" + bucket_key(scope, value, salt=self.salt)


def limiter_for(services: HasLimiter) -> RateLimiter:
    """The services' limiter, or one over `services.store` with `services.settings`."""
    limiter: Any = getattr(services, "rate_limiter", None)
    return limiter if isinstance(limiter, RateLimiter) else RateLimiter(services.store, services.settings)
