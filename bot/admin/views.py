"""Presentation for the admin pages (`/admin`): the Jinja2 environment and fixed flash messages.

The pages reuse the staff pages' environment setup (autoescape, StrictUndefined, JST dates) and page renderer
(`bot.staff.views.Pages`) with their own templates in `bot/admin/html`. Sign-in is the staff console's
(`bot.staff.console`): an admin signed in on `/staff` is signed in here too; the admin sign-in form has its own
double-submit cookie scoped to `/admin` (`bot.admin.routes.ADMIN_CONSOLE`).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from jinja2 import Environment

from bot.staff.views import make_staff_environment

TEMPLATE_DIR = Path(__file__).parent / "html"
ADMIN_ROLE = "admin"
PAGE_SIZE = 50
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


class NotAdmin(Exception):
    """Signed in, but not as an admin (staff): 403, nothing shown or changed."""


def make_admin_environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    env = make_staff_environment(template_dir, home="/admin")
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
