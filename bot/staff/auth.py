"""Staff sign-in: server-side sessions in the store, session cookies, CSRF tokens, password checks.

A session lives in the store (`save_session` under `staff:` + the SHA-256 of a random 32-byte token), so it
works across workers sharing Redis and a sign-out ends it everywhere at once. The cookie holds only the token;
hashing it first means someone who can read the store still cannot sign in with what they read. Every
state-changing form carries the session's CSRF token; the sign-in form, which has no session yet, uses a
double-submit cookie so a forged sign-in (into the attacker's account) is refused as well.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response

from bot.config import Settings
from handoff.accounts import hash_password, verify_password
from handoff.store import Store

SESSION_COOKIE = "pb_staff"
LOGIN_CSRF_COOKIE = "pb_staff_login"
SESSION_PREFIX = "staff:"
STAFF_ROLES = frozenset({"staff", "admin"})  # admins are staff too
MAX_USERNAME = 64
MAX_PASSWORD = 1024
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class NotSignedIn(Exception):
    """No valid staff session: a page redirects to the sign-in form, a form submission gets 401."""


class CsrfRejected(Exception):
    """The form's CSRF token is missing or wrong; nothing was changed (403)."""


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: str
    csrf: str
    token: str = field(repr=False)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def well_formed(token: str | None) -> bool:
    return token is not None and _TOKEN.fullmatch(token) is not None


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def session_key(token: str) -> str:
    return SESSION_PREFIX + hashlib.sha256(token.encode("ascii")).hexdigest()


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


class StaffSessions:
    """Signs staff in and out and finds the signed-in user of a request. Store errors propagate."""

    def __init__(self, store: Store, settings: Settings, *, clock: Callable[[], float]) -> None:
        self.store = store
        self.ttl = settings.staff_session_ttl
        self.secure_mode = settings.secure_cookies
        self.clock = clock
        # Refresh the expiry at most this often: a write on every page view would buy nothing.
        self.refresh_after = min(60.0, self.ttl / 4)

    @cached_property
    def _dummy_hash(self) -> str:
        # Checked against when the username is unknown, so a miss costs as long as a wrong password.
        return hash_password(new_token())

    def check_password(self, username: str, password: str) -> tuple[str, str] | None:
        """(username, role) when the credentials are right, else None; the same work either way."""
        account = self.store.get_user(username) if 0 < len(username) <= MAX_USERNAME else None
        if len(password) > MAX_PASSWORD:
            password = ""
        ok = verify_password(password, account.password_hash if account else self._dummy_hash)
        if account is None or not ok or not password or account.role not in STAFF_ROLES:
            return None
        return account.username, account.role

    def sign_in(self, username: str, role: str) -> StaffUser:
        """Start a new session (a fresh token on every sign-in, so a planted cookie is never reused)."""
        token = new_token()
        user = StaffUser(username=username, role=role, csrf=new_token(), token=token)
        state = {"username": username, "role": role, "csrf": user.csrf, "seen": self.clock()}
        self.store.save_session(session_key(token), state, self.ttl)
        return user

    def current(self, request: Request) -> StaffUser | None:
        """The signed-in user of `request`, refreshing the session's expiry; None when there is none, it
        expired, or the account was removed since (then the session is ended too)."""
        token = request.cookies.get(SESSION_COOKIE)
        if not well_formed(token):
            return None
        assert token is not None
        key = session_key(token)
        state = self.store.load_session(key)
        if not state or not isinstance(state.get("username"), str) or not isinstance(state.get("csrf"), str):
            return None
        account = self.store.get_user(state["username"])
        if account is None or account.role not in STAFF_ROLES:
            self.store.delete_session(key)
            return None
        now = self.clock()
        seen = state.get("seen")
        if not isinstance(seen, (int, float)) or now - seen >= self.refresh_after or account.role != state.get("role"):
            self.store.save_session(key, {**state, "role": account.role, "seen": now}, self.ttl)
        return StaffUser(username=account.username, role=account.role, csrf=state["csrf"], token=token)

    def sign_out(self, user: StaffUser) -> None:
        self.store.delete_session(session_key(user.token))

    # -- cookies -------------------------------------------------------------------------------
    def secure(self, request: Request) -> bool:
        if self.secure_mode == "1":
            return True
        if self.secure_mode == "0":
            return False
        return is_https(request)

    def set_session_cookie(self, response: Response, request: Request, user: StaffUser) -> None:
        # No max_age: the cookie ends with the browser; the store's TTL ends it on the server. Lax (not
        # Strict) so a link to a ticket in the Slack notification opens signed in; forms carry CSRF tokens.
        response.set_cookie(SESSION_COOKIE, user.token, path="/", httponly=True, samesite="lax",
                            secure=self.secure(request))

    def clear_session_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure(request))
