"""Email verification in Slack's request modal (issue 16 point 3): with `PRIVACY_BOT_EMAIL_VERIFICATION` on, a
request sent from the modal with an email address becomes a ticket only once the code mailed to that address is
typed back, exactly like the chat form's step (`bot.engine.verify.EmailCheck`: the same rate limits, the same
outbox email, the same rules and try counting).

The Slack way: the modal's submission is answered with `response_action: "update"` to a second view (where the
code was sent, masked; a code input; "Send a new code" and "Change my answers" buttons). A wrong, expired or used-up
code is answered with `response_action: "errors"` on the code input; the right one closes the modal and the ticket
is filed by the work after the acknowledgement, as before (receipt DM through the outbox), with `verified_at` set.
Everything an acknowledgement does here is a few store calls (never Slack, never SMTP: the code email is queued in
the outbox and the dispatcher is kicked by the work after the acknowledgement).

What is kept where: the form's answers and the code's keyed hash are kept server-side, in the store under
`slack-verify:<id>` (`RECORD_TTL`, refreshed by every code), with the Slack team and user who sent the form. The
view's `private_metadata` carries only that random id and the language; whoever submits the code view or presses its
buttons must be that same user in that same team, so nobody can complete, resend or read another user's request
even with its id. No code and no address is ever logged.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

from bot.engine.verify import EmailCheck
from bot.slack.blocks import (
    CODE_BLOCK, escape, mask_email, metadata, notice_modal, request_modal, ui, verify_modal, view_values,
)
from handoff import verification
from handoff.intake import IntakeForm
from handoff.store import StoreError
from handoff.tickets import REQUEST_TYPES

log = logging.getLogger(__name__)

RECORD_PREFIX = "slack-verify:"
#: Seconds a request waiting for its code is kept (each new code starts the count again).
RECORD_TTL = 3600
_RECORD_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")
MINUTES = verification.CODE_TTL_SECONDS // 60

#: What an acknowledgement sends back: {} (close the view), errors, or a view to update to.
AckAnswer = dict[str, Any]


@dataclass(frozen=True)
class Verified:
    """A request whose code was right, ready to be filed (by the work after the acknowledgement)."""

    record_id: str
    user: str
    team: str | None
    view_id: str
    request_type: str
    lang: str
    session: str
    values: dict[str, str]
    email: str
    verified_at: float


class ModalVerification:
    def __init__(self, check: EmailCheck, form: IntakeForm) -> None:
        self.check, self.form, self.store = check, form, check.store

    # -- the request modal's submission ---------------------------------------------------------------------
    def needed(self, request_type: str, lang: str, values: Mapping[str, str]) -> str | None:
        """The address to verify when this complete submission carries one; None: file it as before."""
        clean, errors = self.form.validate(request_type, values, lang)
        return clean.get("email") or None if not errors else None

    def begin(self, *, user: str, team: str | None, view_id: str, request_type: str, lang: str, session: str,
              values: Mapping[str, str]) -> AckAnswer | None:
        """Queue a code for a valid submission with an address and answer with the code view; None when no
        address needs checking. Rate-limited or store down: errors on the email field (the form stays open)."""
        email = self.needed(request_type, lang, values)
        if email is None:
            return None
        record_id = secrets.token_urlsafe(24)
        try:
            issued = self.check.issue(email, lang, client=user, key=f"verify:slack:{record_id}")
            if issued.pending is None:
                return _errors("email", ui("verify_limited", lang, minutes=issued.wait_minutes))
            record = {"user": user, "team": team, "view": view_id, "type": request_type, "lang": lang,
                      "session": session, "values": dict(values), "verify": issued.pending.to_dict(),
                      "verified_at": None}
            self.store.save_session(RECORD_PREFIX + record_id, record, RECORD_TTL)
        except StoreError as exc:
            log.warning("store unavailable; no verification code for a Slack request (%s)", type(exc).__name__)
            return _errors("email", ui("verify_unavailable", lang))
        return {"response_action": "update", "view": self.code_view(record_id, lang, email)}

    def code_view(self, record_id: str, lang: str, email: str, notice: str | None = None) -> dict[str, Any]:
        return verify_modal(lang, mask_email(email), {"p": record_id, "l": lang}, minutes=MINUTES, notice=notice)

    # -- the code view --------------------------------------------------------------------------------------
    def submit_code(self, body: Mapping[str, Any]) -> AckAnswer:
        """Judge the typed code (the acknowledgement of the code view): {} closes the modal (right code, the
        work files the ticket), otherwise errors on the code input."""
        view = body.get("view") or {}
        record_id, lang = _ids(view)
        try:
            record = self._record(record_id, body)
            if record is None:
                return _errors(CODE_BLOCK, ui("verify_gone", lang))
            if record.get("verified_at"):
                return {}  # the same right answer again (a retry): the work files it once
            text = view_values(view).get(CODE_BLOCK) or ""
            outcome, pending = self.check.judge(record["verify"], text)
            record["verify"] = pending.to_dict()
            if outcome == "ok":
                record["verified_at"] = self.check.clock()
            self.store.save_session(RECORD_PREFIX + str(record_id), record, RECORD_TTL)
        except StoreError as exc:
            log.warning("store unavailable; a Slack verification code was not checked (%s)", type(exc).__name__)
            return _errors(CODE_BLOCK, ui("verify_unavailable", lang))
        if outcome == "ok":
            return {}
        if outcome == "wrong":
            return _errors(CODE_BLOCK, ui("verify_wrong", lang, tries=pending.tries_left))
        return _errors(CODE_BLOCK, ui(f"verify_{outcome}", lang))

    def verified(self, body: Mapping[str, Any]) -> Verified | None:
        """The request the code view's submission verified, for the work after the acknowledgement; None when
        there is nothing (more) to file: wrong code, someone else's request, already filed."""
        record_id, _ = _ids(body.get("view") or {})
        try:
            record = self._record(record_id, body)
        except StoreError:
            return None
        if record is None or not record.get("verified_at") or record.get("type") not in REQUEST_TYPES:
            return None
        values = {str(k): str(v) for k, v in (record.get("values") or {}).items()}
        return Verified(str(record_id), str(record["user"]), record.get("team"), str(record["view"]),
                        str(record["type"]), str(record["lang"]), str(record.get("session") or ""), values,
                        str(record["verify"]["email"]), float(record["verified_at"]))

    def done(self, verified: Verified) -> None:
        """The ticket is filed: forget the answers (the TTL would, later)."""
        self._forget(verified.record_id)

    def resend(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """"Send a new code": the view to update the modal to (a new code was queued, or why not)."""
        record_id, lang = _ids(body.get("view") or {})
        try:
            record = self._record(record_id, body)
            if record is None or record.get("verified_at"):
                return notice_modal(lang, ui("verify_gone", lang))
            email = str(record["verify"]["email"])
            issued = self.check.issue(email, lang, client=str(record["user"]), key=f"verify:slack:{record_id}",
                                      previous=record["verify"])
            if issued.pending is None:
                return self.code_view(str(record_id), lang, email,
                                      ui("verify_limited", lang, minutes=issued.wait_minutes))
            record["verify"] = issued.pending.to_dict()
            self.store.save_session(RECORD_PREFIX + str(record_id), record, RECORD_TTL)
        except StoreError as exc:
            log.warning("store unavailable; no new Slack verification code (%s)", type(exc).__name__)
            return notice_modal(lang, ui("verify_unavailable", lang))
        return self.code_view(str(record_id), lang, email, ui("verify_resent", lang, email=escape(mask_email(email))))

    def back(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """"Change my answers": the request form again with the answers filled in; sending it asks for a new
        code (to the address then given). The waiting request is forgotten."""
        record_id, lang = _ids(body.get("view") or {})
        try:
            record = self._record(record_id, body)
        except StoreError:
            record = None
        if record is None or record.get("verified_at") or record.get("type") not in REQUEST_TYPES:
            return notice_modal(lang, ui("verify_gone", lang))
        self._forget(str(record_id))
        request_type, lang = str(record["type"]), str(record["lang"])
        meta = {"t": request_type, "l": lang, "s": str(record.get("session") or "")}
        return request_modal(self.form, request_type, lang, meta, values=record.get("values") or {})

    def closed(self, body: Mapping[str, Any]) -> None:
        """The user closed the code view: the request is cancelled, its answers forgotten at once."""
        record_id, _ = _ids(body.get("view") or {})
        try:
            record = self._record(record_id, body)
        except StoreError:
            return
        if record is not None and not record.get("verified_at"):
            self._forget(str(record_id))

    # -- internals ------------------------------------------------------------------------------------------
    def _record(self, record_id: str | None, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The waiting request `record_id`, only for the Slack user (and team) who sent it. Raises StoreError."""
        if record_id is None:
            return None
        record = self.store.load_session(RECORD_PREFIX + record_id)
        user = (body.get("user") or {}).get("id")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        if not record or not user or record.get("user") != user or (record.get("team") or None) != (team or None):
            return None
        if not isinstance(record.get("verify"), Mapping):
            return None
        return record

    def _forget(self, record_id: str) -> None:
        try:
            self.store.delete_session(RECORD_PREFIX + record_id)
        except StoreError:
            pass  # it expires with its TTL


def _ids(view: Mapping[str, Any]) -> tuple[str | None, str]:
    """(record id, language) from a code view's metadata; the id only when it has the shape we make."""
    meta = metadata(view)
    record_id, lang = meta.get("p"), meta.get("l")
    return (record_id if isinstance(record_id, str) and _RECORD_ID.fullmatch(record_id) else None,
            lang if lang in ("en", "ja") else "en")


def _errors(block: str, text: str) -> AckAnswer:
    return {"response_action": "errors", "errors": {block: text}}
