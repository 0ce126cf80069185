"""Presentation for the staff queue: the Jinja2 environment, labels, date formatting, form and filter parsing.

Templates live in `bot/staff/html`, rendered by a plain (not sandboxed) environment with autoescaping and
StrictUndefined: the templates are ours, and every value they show is escaped. Form bodies are parsed here with
the standard library (urlencoded only), so the app needs no multipart parser.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from handoff.outbox import describe
from handoff.references import REFERENCE_TZ
from handoff.tickets import OPEN_STATUSES, REQUEST_TYPES, STATUSES, Ticket

TEMPLATE_DIR = Path(__file__).parent / "html"
#: The layout and sign-in form both consoles extend (`console_base.html`, `console_login.html`); each console's
#: loader searches its own folder first, then this one.
CONSOLE_TEMPLATE_DIR = Path(__file__).parent / "console_html"
PAGE_SIZE = 50
MAX_FIELDS = 32

STATUS_LABELS: Mapping[str, str] = {
    "new": "New", "in_progress": "In progress", "waiting_on_requester": "Waiting on requester",
    "resolved": "Resolved", "rejected": "Rejected",
}
TYPE_LABELS: Mapping[str, str] = {
    "purpose_notification": "Purpose of use", "disclosure": "Disclosure", "correction": "Correction",
    "suspension": "Suspension of use", "third_party_stop": "Stop third-party provision", "inquiry": "Inquiry",
}
CHANNEL_LABELS: Mapping[str, str] = {"slack": "Slack", "email": "Email", "log": "Server log"}
KIND_LABELS: Mapping[str, str] = {
    "staff_alert": "Staff alert", "receipt": "Receipt to the requester", "status": "Status change to the requester",
    "outcome": "Outcome to the requester", "reply": "Staff reply to the requester", "slack_dm": "Slack message",
    "slack_api": "Slack update", "slack_receipt": "Receipt to the requester (Slack DM)",
    "slack_status": "Status change to the requester (Slack DM)", "slack_post_update": "Staff post updated",
    "slack_post_log": "Line in the staff post's thread", "verification": "Verification code",
}
#: Messages shown after a successful POST, picked by a fixed code in the redirect's query string (so no
#: text from the request is ever reflected).
FLASH: Mapping[str, str] = {
    "claimed": "You are now the assignee of this ticket.",
    "status": "Status changed.",
    "note": "Internal note added.",
    "reply": "Reply queued: the requester sees it in their next chat turn (and by email when email is on).",
    "signed_out": "You are signed out.",
    "recorded": "Request recorded. The staff alert and the receipt email to the requester are on their way.",
    "recorded_no_email": "Request recorded. Email is off here, so no receipt was emailed: send the reference by "
                         "post or phone.",
    "recorded_no_address": "Request recorded. No email address was given: send the reference by post or phone.",
}
#: How a request arrived, for the ones staff record by hand (`bot.staff.intake_routes`).
VIA_LABELS: Mapping[str, str] = {"mail": "Letter", "phone": "Phone"}


def jst(ts: float | None) -> str:
    """Epoch seconds as `YYYY-MM-DD HH:MM JST` (the company's time zone), or an em dash."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, REFERENCE_TZ).strftime("%Y-%m-%d %H:%M JST")


def jst_iso(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, REFERENCE_TZ).isoformat(timespec="seconds")


def event_detail(detail: str) -> str:
    """An event's detail in words: the log keeps `new -> in_progress`; staff read "New → In progress"."""
    before, arrow, after = str(detail).partition(" -> ")
    if arrow and before in STATUS_LABELS and after in STATUS_LABELS:
        return f"{STATUS_LABELS[before]} → {STATUS_LABELS[after]}"
    return str(detail)


def due_mark(ticket: Ticket, now: float, due_soon_days: int) -> str | None:
    """The mark the queue and the ticket page show by a ticket's due date: "overdue", "due_soon" or None."""
    if ticket.is_overdue(now):
        return "overdue"
    return "due_soon" if ticket.is_due_soon(now, due_soon_days) else None


def make_staff_environment(template_dir: Path = TEMPLATE_DIR, *, home: str = "/staff") -> Environment:
    """The console pages' environment: `template_dir`'s templates over the shared console layout; `home` is the
    console's path (its brand link, sign-in and sign-out forms)."""
    env = Environment(loader=FileSystemLoader([str(template_dir), str(CONSOLE_TEMPLATE_DIR)]),
                      autoescape=select_autoescape(default=True), undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["jst"] = jst
    env.filters["jst_iso"] = jst_iso
    env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s)
    env.filters["type_label"] = lambda t: TYPE_LABELS.get(t, t)
    env.filters["field_label"] = lambda k: str(k).replace("_", " ").capitalize()
    env.filters["channel_label"] = lambda c: CHANNEL_LABELS.get(c, c)
    env.filters["kind_label"] = lambda k: KIND_LABELS.get(k, str(k).replace("_", " ").capitalize())
    env.filters["delivery"] = lambda m: describe(m, jst)
    env.filters["event_detail"] = event_detail
    env.filters["via_label"] = lambda frontend: VIA_LABELS.get(frontend, "")
    env.filters["due_mark"] = due_mark
    env.globals.update(console_home=home, STATUS_LABELS=STATUS_LABELS, TYPE_LABELS=TYPE_LABELS,
                       REQUEST_TYPES=REQUEST_TYPES)
    return env


class Pages:
    """Renders a template into an HTML response; `user` (or None) and the flash/error slots are always set. Both
    consoles use it. (The template name is positional-only: admin pages about a template pass its `name` in the
    context.)"""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def render(self, template: str, /, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", None)
        context.setdefault("flash", None)
        context.setdefault("error", None)
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status_code)

    def problem(self, status_code: int, title: str, message: str, *, user: Any = None) -> HTMLResponse:
        return self.render("error.html", status_code=status_code, title=title, message=message, user=user)


@dataclass(frozen=True)
class Form:
    """An urlencoded form body; the first value of each field wins. Anything else parses as empty, which
    then fails the CSRF check (a form without its token changes nothing)."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


async def read_form(request: Request) -> Form:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type != "application/x-www-form-urlencoded":
        return Form({})
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return Form({})
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value.replace("\r\n", "\n"))
    return Form(fields)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's query string, validated: unknown values are dropped and reported, never an error page."""

    status: str = "open"  # "open", "all" or one status
    request_type: str = ""
    overdue: bool = False
    due_soon: bool = False
    assignee: str = ""
    mine: bool = False
    page: int = 1
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> "QueueFilters":
        problems = []
        status = params.get("status", "open") or "open"
        if status not in ("open", "all", *STATUSES):
            problems.append("Unknown status filter ignored.")
            status = "open"
        request_type = params.get("type", "")
        if request_type and request_type not in REQUEST_TYPES:
            problems.append("Unknown request type filter ignored.")
            request_type = ""
        assignee = params.get("assignee", "").strip()
        if len(assignee) > 64:
            problems.append("Assignee filter too long; ignored.")
            assignee = ""
        raw_page = params.get("page", "1")
        page = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) <= 6 and int(raw_page) > 0 else 1
        return cls(status, request_type, params.get("overdue") == "1", params.get("due_soon") == "1", assignee,
                   params.get("mine") == "1", page, tuple(problems))

    def list_args(self, username: str, now: float, *, due_soon_days: int = 3) -> dict[str, Any]:
        """Keyword arguments for `Store.list_tickets` (one extra row to know whether a next page exists). Due soon:
        open, not overdue, due within `due_soon_days`; with "overdue only" too, both kinds."""
        status: Any = None if self.status == "all" else sorted(OPEN_STATUSES) if self.status == "open" else self.status
        return {
            "status": status,
            "request_type": self.request_type or None,
            "assignee": username if self.mine else (self.assignee or None),
            "overdue": True if self.overdue and not self.due_soon else False if self.due_soon and not self.overdue
            else None,
            "due_by": now + due_soon_days * 86400.0 if self.due_soon else None,
            "now": now,
            "limit": PAGE_SIZE + 1,
            "offset": (self.page - 1) * PAGE_SIZE,
        }

    def query(self, page: int) -> str:
        params = {"status": self.status, "type": self.request_type, "assignee": self.assignee,
                  "overdue": "1" if self.overdue else "", "due_soon": "1" if self.due_soon else "", "mine": "1" if self.mine else "", "page": str(page)}
        return urlencode({k: v for k, v in params.items() if v})
