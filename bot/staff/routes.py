"""The staff queue on the web (`/staff`): sign-in, the ticket list with filters, and the ticket page's actions.

Server-rendered HTML forms, no JavaScript (the app's CSP forbids inline script and none is needed). Every route
but the sign-in form needs a signed-in staff or admin account; every POST needs the session's CSRF token. A
successful POST redirects (303) back to the ticket with a fixed flash message; a refused one shows the ticket
again with the reason and changes nothing. Store outages give a 503 page, unknown tickets a 404, never a 500.
"""
from __future__ import annotations

import re
import time
from typing import Any, Callable, Mapping

from fastapi import APIRouter, Depends, Request
from jinja2 import Environment
from starlette.responses import Response

from bot.app import Services
from bot.ratelimit import limiter_for
from bot.staff.auth import LOGIN_CSRF_COOKIE, CsrfRejected, NotSignedIn, StaffSessions, StaffUser, tokens_match
from bot.staff.console import Console, add_sign_in_routes, console_route_class, redirect
from bot.staff.intake_routes import add_intake_routes
from bot.staff.views import FLASH, PAGE_SIZE, Form, Pages, QueueFilters, make_staff_environment, read_form
from handoff.grounds import REJECTION_GROUNDS
from handoff.store import TicketNotFound
from handoff.tickets import REJECTED, STATUSES, TRANSITIONS, IllegalTransition, Ticket, TicketError

REFERENCE = re.compile(r"PRQ-\d{4}-\d{6,9}")
MAX_TEXT = 5000

#: The staff console's facts for the sign-in and error handling it shares with `/admin` (`bot.staff.console`).
STAFF_CONSOLE = Console(
    home="/staff", name="staff", login_cookie=LOGIN_CSRF_COOKIE,
    # A staff path, never another site (no open redirect).
    next_pattern=re.compile(r"/staff(?:/[A-Za-z0-9/_-]*)?(?:\?[A-Za-z0-9=&_%.+-]*)?"),
    flash=FLASH,
    store_down="The ticket store cannot be reached right now. Nothing was lost: try again in a moment.",
    failed="Something went wrong on our side. Try again; if it keeps happening, tell an administrator.",
    problems=(((TicketNotFound,), (404, "No such ticket", "There is no ticket with this reference.")),),
)


def staff_router(services: Services, *, clock: Callable[[], float] = time.time,
                 env: Environment | None = None) -> APIRouter:
    """The `/staff` routes, working on `services.store`; `clock` gives epoch seconds (tests pass their own)."""
    store = services.store
    sessions = StaffSessions(store, services.settings, clock=clock)
    limiter = limiter_for(services)
    pages = Pages(env or make_staff_environment())
    router = APIRouter(prefix=STAFF_CONSOLE.home, include_in_schema=False,
                       route_class=console_route_class(STAFF_CONSOLE, pages))

    def current_staff(request: Request) -> StaffUser:
        user = sessions.current(request)
        if user is None:
            raise NotSignedIn()
        return user

    def checked_staff(user: StaffUser = Depends(current_staff), form: Form = Depends(read_form)) -> StaffUser:
        """The signed-in user of a POST whose CSRF token matches the session's (checked after sign-in, so an
        anonymous POST gets 401 and a forged one 403)."""
        if not tokens_match(user.csrf, form.get("csrf")):
            raise CsrfRejected()
        return user

    add_sign_in_routes(router, STAFF_CONSOLE, pages=pages, sessions=sessions, store=store, limiter=limiter)

    # -- the queue and a ticket ------------------------------------------------------------------
    @router.get("")
    def queue(request: Request, user: StaffUser = Depends(current_staff)) -> Response:
        filters = QueueFilters.parse(request.query_params)
        now = clock()
        due_soon_days = services.settings.due_soon_days
        found = store.list_tickets(**filters.list_args(user.username, now, due_soon_days=due_soon_days))
        tickets = found[:PAGE_SIZE]
        return pages.render(
            "queue.html", user=user, tickets=tickets, filters=filters, now=now, statuses=STATUSES,
            due_soon_days=due_soon_days,
            outbox=store.outbox_for(t.reference for t in tickets),
            error=" ".join(filters.problems) or None,
            next_query=filters.query(filters.page + 1) if len(found) > PAGE_SIZE else None,
            prev_query=filters.query(filters.page - 1) if filters.page > 1 else None)

    def load(ref: str) -> Ticket:
        if not REFERENCE.fullmatch(ref):
            raise TicketNotFound(ref[:40])
        return store.get_ticket(ref)

    def ticket_page(ticket: Ticket, user: StaffUser, *, status_code: int = 200, flash: str | None = None,
                    error: str | None = None, values: Mapping[str, str] | None = None) -> Response:
        now = clock()
        next_statuses = [s for s in STATUSES if s in TRANSITIONS[ticket.status]]
        return pages.render(
            "ticket.html", status_code=status_code, user=user, ticket=ticket, now=now, flash=flash, error=error,
            deliveries=store.outbox_for([ticket.reference]).get(ticket.reference, []),
            due_soon_days=services.settings.due_soon_days, next_statuses=next_statuses,
            grounds=REJECTION_GROUNDS[ticket.request_type], values={**{k: "" for k in _FIELDS}, **(values or {})})

    @router.get("/tickets/{ref}")
    def show(ref: str, request: Request, user: StaffUser = Depends(current_staff)) -> Response:
        return ticket_page(load(ref), user, flash=FLASH.get(request.query_params.get("done", "")))

    def act(ref: str, user: StaffUser, done: str, change: Callable[[], Any], *, problem: str | None = None,
            values: Mapping[str, str] | None = None, ticket: Ticket | None = None) -> Response:
        """Run `change` unless the form had a `problem`; show the ticket with the reason when refused."""
        ticket = ticket or load(ref)
        if problem is not None:
            return ticket_page(ticket, user, status_code=400, error=problem, values=values)
        try:
            after = change()
        except TicketError as exc:
            status_code = 409 if isinstance(exc, IllegalTransition) else 400
            return ticket_page(store.get_ticket(ref), user, status_code=status_code, error=str(exc), values=values)
        if isinstance(after, Ticket):
            services.ticket_changed(ticket, after)  # e.g. the Slack staff post and the requester's DM follow
        return redirect(f"/staff/tickets/{ref}?done={done}")

    @router.post("/tickets/{ref}/claim")
    def claim(ref: str, user: StaffUser = Depends(checked_staff)) -> Response:
        return act(ref, user, "claimed", lambda: store.claim(ref, actor=user.username, now=clock()))

    @router.post("/tickets/{ref}/status")
    def change_status(ref: str, user: StaffUser = Depends(checked_staff), form: Form = Depends(read_form)) -> Response:
        values = {"status": form.get("status"), "rejection_ground": form.get("rejection_ground").strip(),
                  "reason": form.get("reason")}
        new_status, ground, reason = values["status"], values["rejection_ground"], values["reason"].strip()
        ticket = load(ref)
        problem = None
        if new_status not in STATUSES:
            problem = "Choose the new status."
        elif len(reason) > MAX_TEXT:
            problem = f"The text is too long ({len(reason)} characters; at most {MAX_TEXT})."
        elif new_status == REJECTED and ground not in {g.id for g in REJECTION_GROUNDS[ticket.request_type]}:
            problem = "A rejection needs the ground it relies on, chosen from the list for this request type."
        elif new_status == REJECTED and not reason:
            problem = "A rejection needs an explanation for the requester."
        return act(ref, user, "status", lambda: store.update_status(
            ref, new_status, actor=user.username, now=clock(), note=reason or None,
            rejection_ground=ground if new_status == REJECTED else None), problem=problem, values=values,
            ticket=ticket)

    def text_action(ref: str, user: StaffUser, form: Form, field: str, done: str,
                    write: Callable[[str], Any]) -> Response:
        text = form.get(field).strip()
        problem = None
        if not text:
            problem = "Write something first."
        elif len(text) > MAX_TEXT:
            problem = f"The text is too long ({len(text)} characters; at most {MAX_TEXT})."
        return act(ref, user, done, lambda: write(text), problem=problem, values={field: form.get(field)})

    @router.post("/tickets/{ref}/note")
    def note(ref: str, user: StaffUser = Depends(checked_staff), form: Form = Depends(read_form)) -> Response:
        return text_action(ref, user, form, "note", "note",
                           lambda text: store.add_note(ref, actor=user.username, text=text, now=clock()))

    @router.post("/tickets/{ref}/reply")
    def reply(ref: str, user: StaffUser = Depends(checked_staff), form: Form = Depends(read_form)) -> Response:
        return text_action(ref, user, form, "reply", "reply",
                           lambda text: store.add_reply(ref, actor=user.username, text=text, now=clock()))

    add_intake_routes(router, services, pages, current_staff=current_staff, checked_staff=checked_staff, clock=clock)
    return router


_FIELDS = ("status", "rejection_ground", "reason", "note", "reply")
