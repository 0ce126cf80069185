"""What the two signed-in consoles (`/staff`, `/admin`) share: the route class that turns failures into HTML pages,
and the sign-in and sign-out routes with the sign-in form's double-submit cookie.

Both consoles sign in through the same staff sessions (`bot.staff.auth`); they differ only in the facts a `Console`
holds (path, cookie, who may enter, wording). It lives in `bot.staff` because the admin console may import the staff
one and never the reverse (`.importlinter`, layers `admin` above `staff`).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.ratelimit import RateLimiter, login_error, with_retry_after
from bot.staff.auth import (
    MAX_PASSWORD, MAX_USERNAME, SESSION_COOKIE, CsrfRejected, NotSignedIn, StaffSessions, new_token, session_key,
    tokens_match, well_formed,
)
from bot.staff.views import Form, Pages, read_form
from handoff.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

#: (status code, title, message) of an error page.
Problem = tuple[int, str, str]


@dataclass(frozen=True)
class Console:
    """One console's facts; everything else about signing in and failing is the same for both."""

    home: str  # the router's prefix and where a sign-in lands by default: "/staff" or "/admin"
    name: str  # for the log: "staff sign-in failed"
    login_cookie: str  # the sign-in form's double-submit cookie, scoped to `home`
    next_pattern: re.Pattern[str]  # where a sign-in may send the browser afterwards (never another site)
    flash: Mapping[str, str]  # shown after a redirect with `?done=<code>`
    store_down: str  # the 503 page's message
    failed: str  # the 500 page's message
    #: Console-specific failures shown as pages, checked in order (e.g. an unknown ticket: 404).
    problems: tuple[tuple[tuple[type[Exception], ...], Problem], ...] = ()
    #: When set, only accounts with this role may sign in here; others get 403 with `wrong_role`.
    required_role: str | None = None
    wrong_role: str = ""

    def safe_next(self, value: str | None) -> str:
        return value if value and len(value) <= 300 and self.next_pattern.fullmatch(value) else self.home

    def may_enter(self, role: str) -> bool:
        return self.required_role is None or role == self.required_role

    # -- the sign-in form's double-submit cookie ---------------------------------------------------
    def login_token(self, request: Request) -> str:
        """The browser's existing sign-in token, or a new one."""
        token = request.cookies.get(self.login_cookie)
        return token if token is not None and well_formed(token) else new_token()

    def set_login_csrf(self, sessions: StaffSessions, response: Response, request: Request, token: str) -> None:
        response.set_cookie(self.login_cookie, token, path=self.home, httponly=True, samesite="strict",
                            secure=sessions.secure(request), max_age=sessions.ttl)

    def clear_login_csrf(self, sessions: StaffSessions, response: Response, request: Request) -> None:
        response.delete_cookie(self.login_cookie, path=self.home, httponly=True, samesite="strict",
                               secure=sessions.secure(request))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def console_route_class(console: Console, pages: Pages) -> type[APIRoute]:
    """Routes whose failures become HTML pages: sign-in redirects, 401/403/404/503, never a stack trace."""

    def problem_for(exc: Exception) -> Problem | None:
        for kinds, problem in console.problems:
            if isinstance(exc, kinds):
                return problem
        return None

    class ConsoleRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                try:
                    response = await handler(request)
                except NotSignedIn:
                    if request.method == "GET":
                        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        response = redirect(f"{console.home}/login?" + urlencode({"next": target}))
                    else:
                        response = pages.problem(401, "Not signed in", "Your sign-in has ended. Sign in again; "
                                                 "nothing was changed.")
                except CsrfRejected:
                    log.warning("%s form refused: CSRF token missing or wrong on %s", console.name, request.url.path)
                    response = pages.problem(403, "Form expired", "This form is out of date or did not come from "
                                             "this site, so nothing was changed. Reload the page and try again.")
                except StoreUnavailable:
                    log.warning("%s page: store unavailable on %s %s", console.name, request.method, request.url.path)
                    response = pages.problem(503, "Try again shortly", console.store_down)
                except (HTTPException, RequestValidationError):
                    raise
                except Exception as exc:
                    known = problem_for(exc)
                    if known is None:
                        log.exception("%s page failed on %s %s", console.name, request.method, request.url.path)
                        known = (500, "Something went wrong", console.failed)
                    response = pages.problem(*known)
                response.headers["cache-control"] = "no-store"  # pages hold personal data
                return response

            return guarded

    return ConsoleRoute


def add_sign_in_routes(router: APIRouter, console: Console, *, pages: Pages, sessions: StaffSessions, store: Store,
                       limiter: RateLimiter) -> None:
    """`GET/POST {home}/login` and `POST {home}/logout` on `router` (whose prefix is `console.home`)."""

    def login_form(request: Request, *, status_code: int = 200, error: str | None = None, username: str = "",
                   next_url: str | None = None) -> Response:
        token = console.login_token(request)
        response = pages.render("login.html", status_code=status_code, csrf=token, error=error,
                                flash=console.flash.get(request.query_params.get("done", "")),
                                username=username[:MAX_USERNAME], next_url=next_url or console.home)
        console.set_login_csrf(sessions, response, request, token)
        return response

    @router.get("/login")
    def login_page(request: Request) -> Response:
        next_url = console.safe_next(request.query_params.get("next"))
        user = sessions.current(request)
        if user is not None and console.may_enter(user.role):
            return redirect(next_url)
        return login_form(request, next_url=next_url)

    @router.post("/login")
    def login(request: Request, form: Form = Depends(read_form)) -> Response:
        next_url = console.safe_next(form.get("next"))
        username = form.get("username").strip()
        expected = request.cookies.get(console.login_cookie)
        if expected is None or not well_formed(expected) or not tokens_match(expected, form.get("csrf")):
            return login_form(request, status_code=403, username=username, next_url=next_url,
                              error="The sign-in form expired. Please try again.")
        limited = limiter.check_login(request, username[:MAX_USERNAME + 1])  # before the password is looked at
        if limited is not None:
            return with_retry_after(login_form(request, status_code=429, username=username, next_url=next_url,
                                               error=login_error(limited)), limited)
        found = sessions.check_password(username, form.get("password")[:MAX_PASSWORD + 1])
        if found is None:
            log.info("%s sign-in failed", console.name)  # no username: people type passwords into that field too
            return login_form(request, status_code=401, username=username, next_url=next_url,
                              error="Wrong username or password.")
        if not console.may_enter(found[1]):
            log.info("%s sign-in refused: %s is not %s", console.name, found[0], console.required_role)
            return login_form(request, status_code=403, username=username, next_url=next_url,
                              error=console.wrong_role)
        old = request.cookies.get(SESSION_COOKIE)
        if old is not None and well_formed(old):
            store.delete_session(session_key(old))  # never keep two sessions for one browser
        user = sessions.sign_in(*found)
        log.info("%s sign-in: %s", console.name, user.username)
        response = redirect(next_url)
        sessions.set_session_cookie(response, request, user)
        console.clear_login_csrf(sessions, response, request)
        return response

    @router.post("/logout")
    def logout(request: Request, form: Form = Depends(read_form)) -> Response:
        user = sessions.current(request)
        if user is None:
            raise NotSignedIn()
        if not tokens_match(user.csrf, form.get("csrf")):
            raise CsrfRejected()
        sessions.sign_out(user)
        response = redirect(f"{console.home}/login?done=signed_out")
        sessions.clear_session_cookie(response, request)
        return response
