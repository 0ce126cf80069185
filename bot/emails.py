"""What each email says: the outbox's email messages rendered from admin-editable templates (`email_*`).

Requester emails are built from `RequesterView.of(ticket)` only, the allow-list of what a requester may see of
a ticket: never internal notes, staff names, session ids or delivery errors. Staff alerts carry the reference,
type, article, due date and a link, never personal data. A template renders the subject on its first line and the
body (markup) after it; the body goes out as plain text and as HTML.
"""
from __future__ import annotations

import html
from typing import Any

from bot.engine.desk import format_date
from handoff.grounds import find_ground
from handoff.intake import IntakeTexts
from handoff.mail import Email
from handoff.notify import REQUEST_TYPE_TITLES, format_due, ticket_url
from handoff.outbox import DeliveryFailed, OutboxMessage
from handoff.requester_view import RequesterView
from handoff.tickets import Ticket
from responses import markup
from responses.renderer import Rendered, Renderer

#: Minutes a verification code is valid (the form says so too).
CODE_MINUTES = 15
_HTML_PAGE = ('<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
              '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">{body}</body></html>')


class EmailComposer:
    """`compose(message, ticket) -> Email` for `handoff.mail.SmtpTransport`. Raises DeliveryFailed (permanent) for
    a message that cannot be written any more: a ticket without an address, or purged."""

    def __init__(self, renderer: Renderer, texts: IntakeTexts, *, public_url: str,
                 staff_emails: tuple[str, ...]) -> None:
        self.renderer, self.texts = renderer, texts
        self.public_url, self.staff_emails = public_url, staff_emails

    def __call__(self, message: OutboxMessage, ticket: Ticket | None) -> Email:
        if message.kind == "verification":
            return self._verification(message)
        if ticket is None:
            raise DeliveryFailed("email:no_ticket", permanent=True)
        if message.kind == "staff_alert":
            return self._staff_alert(ticket)
        view = RequesterView.of(ticket)
        if not view.contact_email or ticket.purged_at is not None:
            raise DeliveryFailed("email:no_address", permanent=True)
        lang = view.lang
        context: dict[str, Any] = {"reference": view.reference,
                                   "type": self.texts.get("type_label", view.request_type, lang)}
        if message.kind == "receipt":
            context.update(due=format_date(view.due_at, lang), representative=view.representative is not None,
                           article=view.article)
        elif message.kind in ("status", "outcome"):
            status = str(message.payload.get("status") or view.status)
            context.update(status=self.texts.get("status_label", status, lang), due=format_date(view.due_at, lang))
            if message.kind == "outcome":
                rejection = view.rejection if status == "rejected" else None
                ground = find_ground(view.request_type, rejection.ground) if rejection else None
                context.update(ground=ground.label(lang) if ground else "",
                               explanation=_lines(rejection.explanation) if rejection else [])
        elif message.kind == "reply":
            wanted = int(message.payload.get("reply", 0))
            position = wanted - 1
            if not 0 <= position < len(view.replies):
                raise DeliveryFailed("email:no_reply", permanent=True)
            context.update(text=_lines(view.replies[position].text))
        else:
            raise DeliveryFailed(f"email:unsupported_kind:{message.kind}", permanent=True)
        return self._render(f"email_{message.kind}", lang, context, (view.contact_email,))

    def _staff_alert(self, ticket: Ticket) -> Email:
        if not self.staff_emails:
            raise DeliveryFailed("email:no_staff_addresses", permanent=True)
        context = {"reference": ticket.reference, "type": REQUEST_TYPE_TITLES.get(ticket.request_type,
                                                                                  ticket.request_type),
                   "due": format_due(ticket.due_at), "frontend": ticket.requester.frontend,
                   "link": ticket_url(self.public_url, ticket.reference), "article": ticket.article}
        return self._render("email_staff_alert", "en", context, self.staff_emails)

    def _verification(self, message: OutboxMessage) -> Email:
        to, code = message.payload.get("to"), message.payload.get("code")
        if not isinstance(to, str) or not isinstance(code, str):
            raise DeliveryFailed("email:no_address", permanent=True)  # delivered already (payload cleared)
        lang = str(message.payload.get("lang") or "en")
        return self._render("email_verification", lang, {"code": code, "minutes": CODE_MINUTES}, (to,))

    def _render(self, name: str, lang: str, context: dict[str, Any], to: tuple[str, ...]) -> Email:
        first, _, rest = self.renderer.render(name, lang, context).markup.partition("\n")
        subject = " ".join(markup.to_plain(first).split())[:200]
        body = Rendered.of(rest.strip("\n"))
        page = _HTML_PAGE.format(lang=lang, title=html.escape(subject), body=body.html)
        return Email(to=to, subject=subject, text=body.text, html=page, lang=lang)


def _lines(text: str) -> list[str]:
    """Free text as lines for a quote block (empty lines kept as empty quote lines)."""
    return text.splitlines() or [""]
