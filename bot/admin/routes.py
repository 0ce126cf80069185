"""The admin pages (`/admin`): sign-in, error pages and the router. The template editor's routes are in
`bot.admin.templates`; example phrasings and the unanswered questions in `bot.admin.content`.

Server-rendered forms that work without JavaScript; `/static/admin.js` (allowed by the CSP's `script-src 'self'`)
only adds a live preview while typing. Admin accounts only: staff are signed in by the same session but get 403.
Every POST needs the session's CSRF token; every value shown is escaped (the preview HTML comes from
`responses.markup.to_html`, which escapes before it adds its own tags). A refused save changes nothing and
shows the reasons with their lines; a store outage gives a 503 page.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Coroutine
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from bot.admin.analytics_routes import add_analytics_routes
from bot.admin.content import add_content_routes
from bot.admin.context import AdminContext, NotFound
from bot.admin.ops import build_admin
from bot.admin.templates import add_template_routes
from bot.admin.views import (
    ADMIN_ROLE, FLASH, LOGIN_CSRF_COOKIE, AdminPages, NotAdmin, clear_login_csrf, login_token, make_admin_environment,
    safe_next, set_login_csrf,
)
from bot.app import Services
from bot.ratelimit import limiter_for, login_error, with_retry_after
from bot.staff.auth import (
    MAX_PASSWORD, MAX_USERNAME, SESSION_COOKIE, CsrfRejected, NotSignedIn, StaffSessions, session_key, tokens_match,
    well_formed,
)
from bot.staff.views import Form, read_form
from handoff.store import PhrasingNotFound, StoreUnavailable, TemplateVersionNotFound

log = logging.getLogger(__name__)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _route_class(pages: AdminPages) -> type[APIRoute]:
    """Failures become HTML pages (sign-in redirect, 401/403/404/503), never a stack trace."""

    class AdminRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                try:
                    response = await handler(request)
                except NotSignedIn:
                    if request.method == "GET":
                        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        response = _redirect("/admin/login?" + urlencode({"next": target}))
                    else:
                        response = pages.problem(401, "Not signed in", "Your sign-in has ended. Sign in again; "
                                                 "nothing was changed.")
                except NotAdmin:
                    response = pages.problem(403, "Admins only", "Your account is a staff account. Only "
                                             "administrators can edit what the bot says.")
                except CsrfRejected:
                    log.warning("admin form refused: CSRF token missing or wrong on %s", request.url.path)
                    response = pages.problem(403, "Form expired", "This form is out of date or did not come from "
                                             "this site, so nothing was changed. Reload the page and try again.")
                except (NotFound, TemplateVersionNotFound, PhrasingNotFound):
                    response = pages.problem(404, "Not found", "There is no such template, version or phrasing.")
                except StoreUnavailable:
                    log.warning("admin page: store unavailable on %s %s", request.method, request.url.path)
                    response = pages.problem(503, "Try again shortly", "The store cannot be reached right now. "
                                             "Nothing was changed: try again in a moment.")
                except (HTTPException, RequestValidationError):
                    raise
                except Exception:
                    log.exception("admin page failed on %s %s", request.method, request.url.path)
                    response = pages.problem(500, "Something went wrong", "Something went wrong on our side. "
                                             "Nothing was changed.")
                response.headers["cache-control"] = "no-store"
                return response

            return guarded

    return AdminRoute


def admin_router(services: Services, *, clock: Callable[[], float] = time.time) -> APIRouter:
    """The `/admin` routes on `services.store`; edits reach every worker through `services.content`."""
    env = make_admin_environment()
    pages = AdminPages(env)
    templates, phrasings = build_admin(services, clock=clock)
    ctx = AdminContext(services=services, sessions=StaffSessions(services.store, services.settings, clock=clock),
                       pages=pages, templates=templates, phrasings=phrasings, clock=clock)
    router = APIRouter(prefix="/admin", include_in_schema=False, route_class=_route_class(pages))
    _add_sign_in(router, ctx)
    add_template_routes(router, ctx)
    add_content_routes(router, ctx)
    add_analytics_routes(router, ctx)
    return router


# -- sign-in ----------------------------------------------------------------------------------------------
def _add_sign_in(router: APIRouter, ctx: AdminContext) -> None:
    sessions, pages, store = ctx.sessions, ctx.pages, ctx.services.store
    limiter = limiter_for(ctx.services)  # the same sign-in buckets as /staff/login: one set of accounts

    def login_form(request: Request, *, status_code: int = 200, error: str | None = None, username: str = "",
                   next_url: str = "/admin") -> Response:
        token = login_token(request)
        response = pages.render("login.html", status_code=status_code, csrf=token, error=error,
                                flash=FLASH.get(request.query_params.get("done", "")),
                                username=username[:MAX_USERNAME], next_url=next_url)
        set_login_csrf(sessions, response, request, token)
        return response

    @router.get("/login")
    def login_page(request: Request) -> Response:
        next_url = safe_next(request.query_params.get("next"))
        user = sessions.current(request)
        if user is not None and user.role == ADMIN_ROLE:
            return _redirect(next_url)
        return login_form(request, next_url=next_url)

    @router.post("/login")
    def login(request: Request, form: Form = Depends(read_form)) -> Response:
        next_url = safe_next(form.get("next"))
        username = form.get("username").strip()
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if expected is None or not well_formed(expected) or not tokens_match(expected, form.get("csrf")):
            return login_form(request, status_code=403, username=username, next_url=next_url,
                              error="The sign-in form expired. Please try again.")
        limited = limiter.check_login(request, username[:MAX_USERNAME + 1])  # before the password is looked at
        if limited is not None:
            return with_retry_after(login_form(request, status_code=429, username=username, next_url=next_url,
                                               error=login_error(limited)), limited)
        found = sessions.check_password(username, form.get("password")[:MAX_PASSWORD + 1])
        if found is None:
            log.info("admin sign-in failed")  # no username: people type passwords into that field too
            return login_form(request, status_code=401, username=username, next_url=next_url,
                              error="Wrong username or password.")
        if found[1] != ADMIN_ROLE:
            log.info("admin sign-in refused: %s is not an admin", found[0])
            return login_form(request, status_code=403, username=username, next_url=next_url,
                              error="This account is not an administrator. Only admins can edit what the bot says.")
        old = request.cookies.get(SESSION_COOKIE)
        if old is not None and well_formed(old):
            store.delete_session(session_key(old))
        user = sessions.sign_in(*found)
        log.info("admin sign-in: %s", user.username)
        response = _redirect(next_url)
        sessions.set_session_cookie(response, request, user)
        clear_login_csrf(sessions, response, request)
        return response

    @router.post("/logout")
    def logout(request: Request, form: Form = Depends(read_form)) -> Response:
        user = sessions.current(request)
        if user is None:
            raise NotSignedIn()
        if not tokens_match(user.csrf, form.get("csrf")):
            raise CsrfRejected()
        sessions.sign_out(user)
        response = _redirect("/admin/login?done=signed_out")
        sessions.clear_session_cookie(response, request)
        return response
