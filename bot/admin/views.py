"""Presentation for the admin pages (`/admin`): the Jinja2 environment, fixed flash messages, sign-in helpers.

The pages reuse the staff pages' environment setup (autoescape, StrictUndefined, JST dates) with their own
templates in `bot/admin/html`. Sign-in reuses the staff sessions (`bot.staff.auth`): an admin signed in on
`/staff` is signed in here too; the admin sign-in form has its own double-submit cookie scoped to `/admin`.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.staff.auth import StaffSessions, new_token, well_formed
from bot.staff.views import make_staff_environment

TEMPLATE_DIR = Path(__file__).parent / "html"
LOGIN_CSRF_COOKIE = "pb_admin_login"
ADMIN_ROLE = "admin"
PAGE_SIZE = 50
#: Where a sign-in may send the browser afterwards: an admin path, never another site.
_NEXT = re.compile(r"/admin(?:/[A-Za-z0-9/_.-]*)?(?:\?[A-Za-z0-9=&_%.+-]*)?")
UNANSWERED_KEY = re.compile(r"[0-9a-f]{32}")

#: Shown after a successful POST, picked by a fixed code in the redirect (no request text is reflected).
FLASH: Mapping[str, str] = {
    "saved": "Saved. Every worker uses the new version within a second.",
    "rolled_back": "Rolled back: the chosen version is in use again (recorded as a new version).",
    "reset": "Reset: the shipped default is in use again (recorded as a new version).",
    "added": "Example phrasing added. The matcher uses it within a second.",
    "removed": "Example phrasing removed.",
    "attached": "Attached: the message is now an example phrasing of that intent.",
    "dismissed": "Dismissed.",
    "signed_out": "You are signed out.",
}
KIND_LABELS: Mapping[str, str] = {"question": "Answer", "request": "Request", "smalltalk": "Small talk",
                                  "system": "System"}


class AdminPages:
    """Renders an admin template into an HTML response; `user`, `flash` and `error` are always defined. (The
    template name is positional-only: pages about a template pass its `name` in the context.)"""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def render(self, template: str, /, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", None)
        context.setdefault("flash", None)
        context.setdefault("error", None)
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status_code)

    def problem(self, status_code: int, title: str, message: str, *, user: Any = None) -> HTMLResponse:
        return self.render("error.html", status_code=status_code, title=title, message=message, user=user)


class NotAdmin(Exception):
    """Signed in, but not as an admin (staff): 403, nothing shown or changed."""


def safe_next(value: str | None) -> str:
    return value if value and len(value) <= 300 and _NEXT.fullmatch(value) else "/admin"


def make_admin_environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    env = make_staff_environment(template_dir)
    env.filters["kind_label"] = lambda k: KIND_LABELS.get(k, k)
    env.filters["diff_class"] = _diff_class
    env.globals["LANG_LABELS"] = {"en": "English", "ja": "日本語"}
    return env


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


def login_token(request: Request) -> str:
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    return token if token is not None and well_formed(token) else new_token()


def set_login_csrf(sessions: StaffSessions, response: Response, request: Request, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/admin", httponly=True, samesite="strict",
                        secure=sessions.secure(request), max_age=sessions.ttl)


def clear_login_csrf(sessions: StaffSessions, response: Response, request: Request) -> None:
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin", httponly=True, samesite="strict",
                           secure=sessions.secure(request))
