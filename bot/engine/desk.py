"""The request desk: the part of the conversation that runs intake forms, opens tickets, answers status
questions and delivers staff replies. Like the rest of the core it does I/O only through the store.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from bot.engine.messages import Choice, Message
from handoff import session_log
from handoff.grounds import find_ground
from bot.engine.verify import STEP as VERIFY_STEP
from bot.engine.verify import EmailCheck, VerifyTurn
from handoff.intake import CANCEL_WORDS, FormTurn, IntakeForm, valid_email
from handoff.references import REFERENCE_TZ, parse_reference
from handoff.requester_view import RequesterReply, RequesterView
from handoff.store import Store, StoreUnavailable, TicketNotFound
from handoff.tickets import Contact, PendingReply, Representative, Requester, Ticket, TicketDraft

log = logging.getLogger(__name__)

_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}")
_STATUS_WORDS = re.compile(
    r"^\s*(?:status|my status|request status|ticket status)\s*[?？]?\s*$|"
    r"\b(?:where is|where's|status of|progress (?:of|on)|what happened (?:to|with)|any news (?:on|about)|"
    r"update on|check on|track) (?:my|the) (?:request|ticket|case|application|petition)s?\b|"
    r"\bmy (?:requests|tickets)\b|申請状況|請求の状況|請求状況|進捗|対応状況",
    re.IGNORECASE,
)
_CONFIRM_WORDS = frozenset({"confirm", "yes", "send", "submit", "ok", "はい", "確定", "送信"})
#: Free text a staff member reads must not be swamped: the transcript keeps the last lines only.
TRANSCRIPT_LINES = session_log.LINES


@dataclass(frozen=True)
class DeskReply:
    """Text (markup) and choices for the conversation to render, with what happened."""

    text: str
    choices: tuple[Choice, ...] = ()
    request_type: str | None = None
    ticket: Ticket | None = None
    notices: tuple[str, ...] = ()
    #: The language the text is in, when the desk decided it (a form's language can be switched mid-way).
    lang: str | None = None
    #: The form did not accept the message as an answer to its question (it asks again, saying why).
    refused: bool = False
    #: `text` holds none of the requester's answers (`FormTurn.fixed`): its formats may be remembered.
    fixed: bool = False


def requester_of(message: Message) -> Requester:
    return Requester(frontend=message.frontend, user_id=message.user_id, session_id=message.session_id)


def format_date(epoch: float, lang: str) -> str:
    moment = datetime.fromtimestamp(epoch, REFERENCE_TZ)
    # 2026年12月4日 (no zero padding) and 4 December 2026.
    return f"{moment.year}年{moment.month}月{moment.day}日" if lang == "ja" else f"{moment.day} {moment:%B %Y}"


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    """What a reply may carry about a ticket: no contact details, no free text (see `RequesterView.summary`)."""
    return RequesterView.of(ticket).summary()


#: `(reference, origin) -> allowed`: takes one try for a look-up by reference + email (see
#: `bot.ratelimit.RateLimiter.allow_lookup`, wired in by the composition root). Raises StoreUnavailable.
LookupGuard = Callable[[str, "str | None"], bool]


class Desk:
    def __init__(self, *, store: Store, form: IntakeForm, citation: Callable[[int, str], str],
                 clock: Callable[[], float], lookup_guard: LookupGuard | None = None,
                 email_check: EmailCheck | None = None) -> None:
        self.store = store
        #: With email verification on: the step that mails a code and files the request only once it is typed back.
        self.email_check = email_check
        self.lookup_guard = lookup_guard
        self.form = form
        self.texts = form.texts
        self.citation = citation
        self.clock = clock

    # -- forms -------------------------------------------------------------------------------
    def start_form(self, state: dict[str, Any], request_type: str, lang: str, opener: str) -> DeskReply:
        turn = self.form.start(request_type, lang)
        state["form"] = turn.state
        # The conversation that led to the request (up to the message that made it) goes on the ticket; the form
        # notes which lines of the session's log those are (`handoff.session_log`) rather than copying them. The
        # form's own answers are stored as answers, not twice.
        session_log.open_form(state)
        return self._turn_reply(turn)

    def continue_form(self, state: dict[str, Any], message: Message, text: str) -> DeskReply:
        form_lang = message.lang or state["form"].get("lang")
        if self.email_check is not None and state["form"].get("step") == VERIFY_STEP:
            return self._verify_turn(state, message, text)
        turn = self.form.handle(state["form"], text, message.lang)
        if turn.cancelled:
            state.pop("form", None)
            session_log.close_form(state)
            return DeskReply(turn.text, lang=form_lang)
        if not turn.confirmed:
            state["form"] = turn.state
            return self._turn_reply(turn)
        assert turn.state is not None
        checker, form = self.email_check, turn.state
        if checker is not None and checker.needed(form):
            state["form"] = form
            return self._verify_reply(state, form, lambda: checker.start(form, message))
        return self._open_ticket(state, message, turn.state)

    def prompt(self, form: dict[str, Any]) -> FormTurn:
        """The form's current question again (after an interruption), the verification step included."""
        if self.email_check is not None and form.get("step") == VERIFY_STEP:
            return FormTurn(form, self.email_check.prompt(form))
        return self.form.prompt(form)

    def _verify_turn(self, state: dict[str, Any], message: Message, text: str) -> DeskReply:
        form = state["form"]
        if _fold(text) in CANCEL_WORDS:
            state.pop("form", None)
            session_log.close_form(state)
            return DeskReply(self.texts.get("prompt", "cancelled", form["lang"]), lang=form["lang"])
        assert self.email_check is not None
        checker = self.email_check
        return self._verify_reply(state, form, lambda: checker.handle(form, message, text), message)

    def _verify_reply(self, state: dict[str, Any], form: dict[str, Any], step: Callable[[], VerifyTurn],
                      message: Message | None = None) -> DeskReply:
        lang = form["lang"]
        try:
            turn = step()
        except StoreUnavailable:
            log.warning("store unavailable; no verification code was sent")
            return DeskReply(self.texts.get("prompt", "store_failed", lang), request_type=form["type"],
                             notices=("store_unavailable",), lang=lang)
        if turn.verified_at is not None and message is not None:
            return self._open_ticket(state, message, form)
        notices = ("email_code_sent",) if turn.sent else ()
        return DeskReply(turn.text, request_type=form["type"], notices=notices, lang=lang, refused=turn.refused)

    def submit(self, message: Message, request_type: str, answers: Mapping[str, str], lang: str, *,
               idempotency_key: str, transcript: tuple[Mapping[str, Any], ...] = (),
               verified: tuple[str, float] | None = None) -> tuple[Ticket | None, dict[str, str]]:
        """Open a ticket from a whole form submitted at once (a Slack modal). Returns (ticket, {}) or
        (None, errors by field). The same `idempotency_key` (e.g. the modal's view id) never opens two tickets.
        `verified`: (address, when) the requester proved with a mailed code; it counts only if it is the form's
        address. Raises StoreUnavailable when the ticket could not be stored."""
        clean, errors = self.form.validate(request_type, answers, lang)
        if errors:
            return None, errors
        form: dict[str, Any] = {"id": idempotency_key, "type": request_type, "lang": lang, "answers": clean}
        if verified is not None:
            form["verified_email"], form["verified_at"] = verified
        draft = self._draft(message, form, transcript)
        return self.store.create_ticket(draft, idempotency_key=f"form:{idempotency_key}", now=self.clock()), {}

    def _draft(self, message: Message, form: Mapping[str, Any], transcript: Any) -> TicketDraft:
        answers = dict(form["answers"])
        representative = None
        if answers.get("on_behalf") == "representative":
            representative = Representative(on_behalf_of=answers.get("rep_name", ""),
                                            relationship=answers.get("rep_relationship", ""))
        details = {k: v for k, v in answers.items()
                   if k not in ("name", "email", "on_behalf", "rep_name", "rep_relationship")}
        email = answers.get("email")
        verified = form.get("verified_at") if email and form.get("verified_email") == email else None
        return TicketDraft(
            request_type=form["type"],
            requester=requester_of(message),
            contact=Contact(name=answers.get("name", ""), email=email, verified_at=verified),
            answers=details,
            transcript=tuple(transcript),
            representative=representative,
            lang=form["lang"],
        )

    def _open_ticket(self, state: dict[str, Any], message: Message, form: Mapping[str, Any]) -> DeskReply:
        lang = form["lang"]
        try:
            draft = self._draft(message, form, session_log.form_lines(self.store, message.session_id, state))
            # The key is the form's random id: a double click or a client retry of the same confirmation
            # finds the ticket the first one created.
            ticket = self.store.create_ticket(draft, idempotency_key=f"form:{form['id']}", now=self.clock())
        except StoreUnavailable:
            log.warning("ticket store unavailable; the form stays at its summary for a retry")
            return DeskReply(self.texts.get("prompt", "store_failed", lang),
                             self._choices(self.prompt(dict(form))), request_type=form["type"],
                             notices=("store_unavailable",), lang=lang)
        state.pop("form", None)
        session_log.close_form(state)
        state["last_receipt"] = {"form": form["id"], "reference": ticket.reference}
        return DeskReply(self.receipt(ticket, lang), request_type=ticket.request_type, ticket=ticket, lang=lang)

    def repeat_receipt(self, state: Mapping[str, Any], text: str, lang: str) -> DeskReply | None:
        """A confirmation that arrives after the form closed (double click, retry) gets the same receipt."""
        last = state.get("last_receipt")
        if not last or _fold(text) not in _CONFIRM_WORDS:
            return None
        try:
            ticket = self.store.get_ticket(last["reference"])
        except (StoreUnavailable, TicketNotFound):
            return None
        return DeskReply(self.receipt(ticket, lang), request_type=ticket.request_type, ticket=ticket)

    def receipt(self, ticket: Ticket, lang: str) -> str:
        view = RequesterView.of(ticket)
        rep = self.texts.get("desk", "receipt_representative", lang) if view.representative else ""
        # Response times are the operator's to state (a setting); the due date is staff's internal target.
        note = self.form.note("response_time", lang)
        return self.texts.get("desk", "receipt", lang, reference=view.reference, representative=rep,
                              article=self.citation(view.article, lang), email=view.contact_email or "",
                              operator_note=" " + note if note else "")

    def _turn_reply(self, turn: FormTurn) -> DeskReply:
        request_type = turn.state["type"] if turn.state else None
        lang = turn.state["lang"] if turn.state else None
        return DeskReply(turn.text, self._choices(turn), request_type=request_type, lang=lang,
                         refused=turn.error is not None, fixed=turn.fixed)

    @staticmethod
    def form_choices(turn: FormTurn) -> tuple[Choice, ...]:
        return Desk._choices(turn)

    @staticmethod
    def _choices(turn: FormTurn) -> tuple[Choice, ...]:
        return tuple(Choice(number=n, intent=None, label=c.label, article=None, value=c.value)
                     for n, c in enumerate(turn.choices, start=1))

    # -- status ------------------------------------------------------------------------------
    @staticmethod
    def is_status_query(text: str) -> bool:
        return parse_reference(text) is not None or bool(_STATUS_WORDS.search(unicodedata.normalize("NFKC", text)))

    def status(self, message: Message, text: str, lang: str) -> DeskReply:
        """Status only for the same requester, or for reference + the email given on the ticket (see `find`).
        Anyone else gets the same answer whether or not the reference exists."""
        requester = requester_of(message)
        reference = parse_reference(text)
        try:
            if reference is None:
                tickets = self.store.list_tickets(requester=requester, limit=20)
                if not tickets:
                    return DeskReply(self.texts.get("desk", "status_none", lang))
                lines = "\n".join(f"- {self._status_line(t, lang)}" for t in reversed(tickets))
                return DeskReply(self.texts.get("desk", "status_list", lang, lines=lines))
            ticket = self.find(message, reference, _single_email(_EMAIL_IN_TEXT.findall(text)))
        except StoreUnavailable:
            return DeskReply(self.texts.get("desk", "status_unavailable", lang), notices=("store_unavailable",))
        if ticket is None:
            return DeskReply(self.texts.get("desk", "status_unknown", lang))
        return DeskReply(self._status_line(ticket, lang), ticket=ticket)

    def find(self, message: Message, reference: str, email: str | None) -> Ticket | None:
        """The ticket `reference` if the sender may see it, else None (unknown references alike).

        The same requester (`Ticket.belongs_to`) always may. Anyone else needs `email` to be exactly one address
        equal to the ticket's (NFKC, case-folded), and every such try takes a token per client and per reference
        (`lookup_guard`), before and whatever the outcome: a reference cannot be probed with many addresses, and
        existing and missing references go the same way. Raises StoreUnavailable."""
        try:
            ticket: Ticket | None = self.store.get_ticket(reference)
        except TicketNotFound:
            ticket = None
        if ticket is not None and ticket.belongs_to(requester_of(message)):
            return ticket
        wanted = _normal_email(email) if email is not None else None
        if wanted is None:
            return None
        origin = message.origin or (f"{message.frontend}:{message.user_id}" if message.user_id else None)
        if self.lookup_guard is not None and not self.lookup_guard(reference, origin):
            return None
        if ticket is None or ticket.contact.email is None or _normal_email(ticket.contact.email) != wanted:
            return None
        return ticket

    def copy_for_requester(self, message: Message, reference: str, email: str = "") -> dict[str, Any] | None:
        """The requester view of the ticket (`RequesterView.to_dict`), for its requester (same access rule as
        status; `email` must be one address); None for anyone else and for unknown references alike. Raises
        StoreUnavailable."""
        ticket = self.find(message, reference, email or None)
        return RequesterView.of(ticket).to_dict() if ticket is not None else None

    def _status_line(self, ticket: Ticket, lang: str) -> str:
        view = RequesterView.of(ticket)
        # No due date here: it is staff's internal target, not a promise the policy or the operator made.
        common = {"reference": view.reference, "type": self.texts.get("type_label", view.request_type, lang),
                  "status": self.texts.get("status_label", view.status, lang),
                  "created": format_date(view.created_at, lang)}
        if view.outcome is not None:  # closed: say when
            closed = view.closed_at if view.closed_at is not None else view.updated_at
            text = self.texts.get("desk", "status_closed", lang, closed=format_date(closed, lang), **common)
        else:
            text = self.texts.get("desk", "status", lang, **common)
        if view.rejection is not None:
            ground = find_ground(view.request_type, view.rejection.ground)
            reason = ground.label(lang) if ground is not None else view.rejection.ground
            text += self.texts.get("desk", "status_closed_rejected", lang, reason=reason)
        return text

    # -- staff replies -----------------------------------------------------------------------
    def deliver_replies(self, message: Message, lang: str,
                        pending: list[PendingReply] | None = None) -> tuple[str, Callable[[], None]]:
        """Staff messages waiting for this requester, as markup, and a callback that marks them delivered
        (call it once the reply has been produced: a crash before shows them again, never loses them).
        `pending`: the requester's waiting replies when already read (`Store.begin_turn`), else read here."""
        if pending is None:
            try:
                pending = self.store.pending_replies(requester_of(message))
            except StoreUnavailable:
                return "", lambda: None
        if not pending:
            return "", lambda: None
        # Through the requester view: the text and nothing of who wrote it.
        parts = [self.texts.get("desk", "staff_reply", lang, reference=p.reference,
                                text=RequesterReply.of(p.reply).text.replace("\n", "\n> ")) for p in pending]

        def mark() -> None:
            by_ticket: dict[str, list[int]] = {}
            for p in pending:
                by_ticket.setdefault(p.reference, []).append(p.reply.id)
            for reference, ids in by_ticket.items():
                try:
                    self.store.mark_replies_delivered(reference, ids, now=self.clock())
                except (StoreUnavailable, TicketNotFound):
                    log.warning("could not mark staff replies delivered; they will be shown again")

        return "\n\n".join(parts), mark


def _single_email(found: list[str]) -> str | None:
    """The address when exactly one was given; several (or none) match nothing."""
    return found[0] if len(found) == 1 and valid_email(found[0]) else None


def _normal_email(email: str) -> str | None:
    """An address compared case-insensitively after NFKC (as the form stores it); None if it is not one address."""
    normal = unicodedata.normalize("NFKC", email).strip().casefold()
    return normal if _EMAIL_IN_TEXT.fullmatch(normal) and valid_email(normal) else None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip().strip(".!。！")
