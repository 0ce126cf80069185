"""The admin pages (`/admin`): sign-in, error pages and the router. The template editor's routes are in
`bot.admin.templates`; example phrasings and the unanswered questions in `bot.admin.content`.

Server-rendered forms that work without JavaScript; `/static/admin.js` (allowed by the CSP's `script-src 'self'`)
only adds a live preview while typing. Admin accounts only: staff are signed in by the same session but get 403.
Every POST needs the session's CSRF token; every value shown is escaped (the preview HTML comes from
`responses.markup.to_html`, which escapes before it adds its own tags). A refused save changes nothing and
shows the reasons with their lines; a store outage gives a 503 page.
"""
from __future__ import annotations

import re
import time
from typing import Callable

from fastapi import APIRouter

from bot.admin.analytics_routes import add_analytics_routes
from bot.admin.content import add_content_routes
from bot.admin.context import AdminContext, NotFound
from bot.admin.ops import build_admin
from bot.admin.templates import add_template_routes
from bot.admin.views import ADMIN_ROLE, FLASH, NotAdmin, make_admin_environment
from bot.app import Services
from bot.ratelimit import limiter_for
from bot.staff.auth import StaffSessions
from bot.staff.console import Console, add_sign_in_routes, console_route_class
from bot.staff.views import Pages
from handoff.store import PhrasingNotFound, TemplateVersionNotFound

#: The admin console's facts for the sign-in and error handling it shares with `/staff` (`bot.staff.console`).
ADMIN_CONSOLE = Console(
    home="/admin", name="admin", login_cookie="pb_admin_login",
    # An admin path, never another site (no open redirect).
    next_pattern=re.compile(r"/admin(?:/[A-Za-z0-9/_.-]*)?(?:\?[A-Za-z0-9=&_%.+-]*)?"),
    flash=FLASH,
    store_down="The store cannot be reached right now. Nothing was changed: try again in a moment.",
    failed="Something went wrong on our side. Nothing was changed.",
    problems=(
        ((NotAdmin,), (403, "Admins only", "Your account is a staff account. Only administrators can edit what the "
                                           "bot says.")),
        ((NotFound, TemplateVersionNotFound, PhrasingNotFound),
         (404, "Not found", "There is no such template, version or phrasing.")),
    ),
    required_role=ADMIN_ROLE,
    wrong_role="This account is not an administrator. Only admins can edit what the bot says.",
)


def admin_router(services: Services, *, clock: Callable[[], float] = time.time) -> APIRouter:
    """The `/admin` routes on `services.store`; edits reach every worker through `services.content`."""
    pages = Pages(make_admin_environment())
    templates, phrasings = build_admin(services, clock=clock)
    ctx = AdminContext(services=services, sessions=StaffSessions(services.store, services.settings, clock=clock),
                       pages=pages, templates=templates, phrasings=phrasings, clock=clock)
    router = APIRouter(prefix=ADMIN_CONSOLE.home, include_in_schema=False,
                       route_class=console_route_class(ADMIN_CONSOLE, pages))
    add_sign_in_routes(router, ADMIN_CONSOLE, pages=pages, sessions=ctx.sessions, store=services.store,
                       limiter=limiter_for(services))  # the same sign-in buckets as /staff/login: one set of accounts
    add_template_routes(router, ctx)
    add_content_routes(router, ctx)
    add_analytics_routes(router, ctx)
    return router
