"""What the admin routes share: the signed-in admin, CSRF checks, template lookups, and the operations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from starlette.requests import Request

from bot.admin.ops import PhrasingAdmin, TemplateAdmin
from bot.admin.views import ADMIN_ROLE, NotAdmin
from bot.app import Services
from bot.staff.auth import CsrfRejected, NotSignedIn, StaffSessions, StaffUser, tokens_match
from bot.staff.views import Form, Pages


class NotFound(Exception):
    """An unknown template, language, version, intent or phrasing: 404."""


@dataclass
class AdminContext:
    """What the admin routes share."""

    services: Services
    sessions: StaffSessions
    pages: Pages
    templates: TemplateAdmin
    phrasings: PhrasingAdmin
    clock: Callable[[], float]

    def current_admin(self, request: Request) -> StaffUser:
        user = self.sessions.current(request)
        if user is None:
            raise NotSignedIn()
        if user.role != ADMIN_ROLE:
            raise NotAdmin()
        return user

    def checked(self, request: Request, form: Form) -> StaffUser:
        """The signed-in admin of a POST whose CSRF token matches (anonymous: 401, staff: 403, forged: 403)."""
        user = self.current_admin(request)
        if not tokens_match(user.csrf, form.get("csrf")):
            raise CsrfRejected()
        return user

    def template(self, lang: str, name: str) -> tuple[str, str]:
        try:
            self.templates.check(name, lang)
        except KeyError:
            raise NotFound() from None
        return name, lang
