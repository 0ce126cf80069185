"""The form's email-verification step (`PRIVACY_BOT_EMAIL_VERIFICATION`): after the summary is confirmed, a
6-digit code is mailed (through the outbox) to the address given, and the request is filed only once the
requester types it back. The rules live in `handoff.verification`; this module runs the step in the chat.

While the step runs, the form's state has `step = "verify"` and `verify` (the code's keyed hash, expiry, tries
left). A verified form keeps `verified_email` and `verified_at`, so a store failure while filing, or a repeated
confirmation, does not ask for a second code.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from bot.engine.messages import Message
from handoff import verification
from handoff.intake import IntakeTexts
from handoff.outbox import new_message
from handoff.store import Store

log = logging.getLogger(__name__)

STEP = "verify"


@dataclass(frozen=True)
class VerifyTurn:
    """`verified_at` is set when the code was right (file the ticket now); otherwise `text` is the reply."""

    text: str = ""
    verified_at: float | None = None
    cancelled: bool = False
    #: Not an answer to the step (the conversation may take it as a question instead).
    refused: bool = False
    sent: bool = False


class EmailCheck:
    def __init__(self, store: Store, clock: Callable[[], float], texts: IntakeTexts | None = None) -> None:
        self.store, self.clock = store, clock
        self.texts = texts or verification.load_texts()

    def needed(self, form: dict[str, Any]) -> bool:
        """The form's address is not verified yet."""
        email = form.get("answers", {}).get("email")
        return bool(email) and form.get("verified_email") != email

    def start(self, form: dict[str, Any], message: Message) -> VerifyTurn:
        """Mail a code (rate-limited) and put the form at the verification step. Raises StoreUnavailable (then no
        code was sent)."""
        email, lang = str(form["answers"]["email"]), str(form["lang"])
        minutes = verification.CODE_TTL_SECONDS // 60
        form["step"] = STEP
        now = self.clock()
        decisions = self.store.take_tokens(verification.rate_buckets(email, message.origin or message.user_id),
                                           now=now)
        if not decisions[-1].allowed:
            wait = max(1, round(decisions[-1].retry_after / 60))
            return VerifyTurn(self.texts.get("verify", "limited", lang, minutes=wait))
        previous = form.get(STEP) or {}
        pending, code = verification.begin(email, now=now, sent_before=int(previous.get("sent", 0)))
        key = f"verify:{form['id']}:{pending.sent}"
        self.store.enqueue([new_message("email", "verification", key=key, now=now,
                                        payload={"to": email, "code": code, "lang": lang})])
        form[STEP] = pending.to_dict()
        return VerifyTurn(self.texts.get("verify", "sent", lang, email=email, minutes=minutes), sent=True)

    def handle(self, form: dict[str, Any], message: Message, text: str) -> VerifyTurn:
        """The requester's answer at the verification step."""
        lang, email = str(form["lang"]), str(form["answers"].get("email", ""))
        if verification.is_resend(text):
            return self.start(form, message)
        data = form.get(STEP)
        if not data:
            return self.start(form, message)
        outcome, pending = verification.check(verification.Pending.from_dict(data), text, now=self.clock())
        form[STEP] = pending.to_dict()
        if outcome == "ok":
            now = self.clock()
            form.pop(STEP, None)
            form.update(step="summary", verified_email=email, verified_at=now)
            return VerifyTurn(verified_at=now)
        if outcome == "not_code":
            return VerifyTurn(self.texts.get("verify", "not_code", lang, email=email), refused=True)
        return VerifyTurn(self.texts.get("verify", outcome, lang, tries=pending.tries_left))

    def prompt(self, form: dict[str, Any]) -> str:
        """The step's question again (after an interruption)."""
        return self.texts.get("verify", "not_code", str(form["lang"]), email=form["answers"].get("email", ""))

