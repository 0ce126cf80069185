"""Requests that arrive by mail or phone (`/staff/intake`): staff record them as tickets of the same kind as the
chat's, marked with their channel (the requester's front end is `mail` or `phone`), with the same lifecycle, due
date, staff alert and, when an address is given and email is on, the same receipt email through the outbox.

The due date counts from the day the request reached the company (APPI Art. 39), which staff enter: a letter opened
today but received on Monday is due two weeks after Monday. The form carries a random token used as the ticket's
idempotency key, so a double submit records one ticket. Who recorded it goes in the ticket's log as a note.
"""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time as clock_time
from typing import Callable, Mapping

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from bot.app import Services
from bot.staff.auth import StaffUser
from bot.staff.views import Form, Pages, read_form
from handoff.intake import valid_email
from handoff.references import REFERENCE_TZ
from handoff.store import IdempotencyConflict
from handoff.tickets import REQUEST_TYPES, Contact, Representative, Requester, TicketDraft

CHANNELS: Mapping[str, str] = {"mail": "Letter (post)", "phone": "Phone call"}
RELATIONSHIPS: Mapping[str, str] = {"parent": "Parent of a minor", "guardian": "Legal guardian",
                                    "agent": "Appointed agent (power of attorney)"}
DELIVERY: Mapping[str, str] = {"electronic": "Electronically", "paper": "On paper"}
#: How far back a received date may go: older requests are overdue already and belong in a note, not a new clock.
MAX_DAYS_BACK = 60
MAX_NAME, MAX_TEXT = 200, 5000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_FIELDS = ("channel", "received", "request_type", "lang", "name", "email", "details", "delivery", "rep_name",
           "rep_relationship", "contact_note", "note")


def received_at(day: date, now: float) -> float:
    """When a request received on `day` (Japan time) reached the company: now if today, else noon that day."""
    today = datetime.fromtimestamp(now, REFERENCE_TZ).date()
    if day == today:
        return now
    return datetime.combine(day, clock_time(12, 0), REFERENCE_TZ).timestamp()


def check(values: Mapping[str, str], now: float) -> tuple[list[str], date | None]:
    """The form's problems, in words (empty when it can be recorded), and the received date."""
    problems = []
    if values["channel"] not in CHANNELS:
        problems.append("Choose how the request arrived: letter or phone call.")
    if values["request_type"] not in REQUEST_TYPES:
        problems.append("Choose the request type.")
    if values["lang"] not in ("en", "ja"):
        problems.append("Choose the language to answer in.")
    if not values["name"].strip() or len(values["name"]) > MAX_NAME:
        problems.append(f"Enter the requester's name (at most {MAX_NAME} characters).")
    if values["email"].strip() and not valid_email(values["email"].strip()):
        problems.append("The email address does not look right; leave it empty if there is none.")
    if not values["details"].strip():
        problems.append("Write what the requester asks for.")
    if any(len(values[k]) > MAX_TEXT for k in ("details", "contact_note", "note")):
        problems.append(f"A text is too long (at most {MAX_TEXT} characters).")
    if values["delivery"] and values["delivery"] not in DELIVERY:
        problems.append("Choose how the answer is to be delivered.")
    if bool(values["rep_name"].strip()) != bool(values["rep_relationship"]) or (
            values["rep_relationship"] and values["rep_relationship"] not in RELATIONSHIPS) \
            or len(values["rep_name"]) > MAX_NAME:
        problems.append("For a representative, give both the person's name and the relationship (or neither).")
    day = None
    try:
        day = date.fromisoformat(values["received"])
    except ValueError:
        problems.append("Enter the date the request was received (YYYY-MM-DD).")
    if day is not None:
        today = datetime.fromtimestamp(now, REFERENCE_TZ).date()
        if day > today or (today - day).days > MAX_DAYS_BACK:
            problems.append(f"The received date must be today or in the last {MAX_DAYS_BACK} days.")
    return problems, day


def draft_of(values: Mapping[str, str], token: str) -> TicketDraft:
    answers = {"received_by": CHANNELS[values["channel"]], "details": values["details"].strip()}
    if values["delivery"]:
        answers["delivery"] = values["delivery"]
    if values["contact_note"].strip():
        answers["other_contact_details"] = values["contact_note"].strip()
    representative = None
    if values["rep_name"].strip():
        representative = Representative(on_behalf_of=values["rep_name"].strip(),
                                        relationship=values["rep_relationship"])
    return TicketDraft(request_type=values["request_type"], lang=values["lang"],
                       requester=Requester(values["channel"], None, f"intake-{token}"),
                       contact=Contact(name=values["name"].strip(), email=values["email"].strip() or None),
                       answers=answers, representative=representative)


def add_intake_routes(router: APIRouter, services: Services, pages: Pages, *,
                      current_staff: Callable[..., StaffUser], checked_staff: Callable[..., StaffUser],
                      clock: Callable[[], float]) -> None:
    store, settings = services.store, services.settings

    def form_page(user: StaffUser, values: Mapping[str, str], token: str, *, status_code: int = 200,
                  problems: list[str] | None = None) -> Response:
        return pages.render("intake.html", status_code=status_code, user=user, values=values, token=token,
                            problems=problems or [], channels=CHANNELS, relationships=RELATIONSHIPS,
                            delivery=DELIVERY, email_on=settings.email_enabled, max_days_back=MAX_DAYS_BACK)

    @router.get("/intake")
    def intake_form(request: Request, user: StaffUser = Depends(current_staff)) -> Response:
        today = datetime.fromtimestamp(clock(), REFERENCE_TZ).date().isoformat()
        values = {**{k: "" for k in _FIELDS}, "received": today, "lang": "ja",
                  "channel": request.query_params.get("channel", "") if request.query_params.get("channel", "")
                  in CHANNELS else ""}
        return form_page(user, values, secrets.token_urlsafe(18))

    @router.post("/intake")
    def record(user: StaffUser = Depends(checked_staff), form: Form = Depends(read_form)) -> Response:
        values = {k: form.get(k) for k in _FIELDS}
        token = form.get("token")
        if not _TOKEN.fullmatch(token):
            token = secrets.token_urlsafe(18)
            return form_page(user, values, token, status_code=400,
                             problems=["The form was incomplete; check it and record it again."])
        now = clock()
        problems, day = check(values, now)
        if problems or day is None:
            return form_page(user, values, token, status_code=400, problems=problems)
        try:
            ticket = store.create_ticket(draft_of(values, token), idempotency_key=f"staff-intake:{token}",
                                         now=received_at(day, now))
        except IdempotencyConflict:
            return form_page(user, values, secrets.token_urlsafe(18), status_code=409,
                             problems=["This form was already used for another request; check it and record "
                                       "it again."])
        if not any(e.action == "note" and e.actor == user.username for e in ticket.events):  # not on a resubmit
            note = f"Recorded from a {CHANNELS[values['channel']].lower()} received {day.isoformat()}."
            if values["note"].strip():
                note += "\n\n" + values["note"].strip()
            ticket = store.add_note(ticket.reference, actor=user.username, text=note, now=now)
        services.dispatcher.kick()  # the staff alert and the receipt are in the outbox already
        done = "recorded" if ticket.contact.email and settings.email_enabled else (
            "recorded_no_email" if ticket.contact.email else "recorded_no_address")
        return RedirectResponse(f"/staff/tickets/{ticket.reference}?done={done}", status_code=303)
