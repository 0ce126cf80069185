"""The email-verification step (`PRIVACY_BOT_EMAIL_VERIFICATION`): a 6-digit code is mailed (through the outbox)
to the address given, and the request is filed only once the requester gives it back. The rules live in
`handoff.verification`; this module holds the step's store side, shared by every form that asks for a code:

* `EmailCheck.issue` takes the rate-limit tokens (per address, per client), makes a code and queues its email in
  the outbox (never sent inline); `EmailCheck.judge` checks an answer, each try taken atomically from the store
  (so answers sent in parallel cannot get more than `MAX_TRIES` guesses at one code).
* The chat form (web and Slack DMs) runs the step with `start` / `handle`: after the summary is confirmed, the
  form's state has `step = "verify"` and `verify` (the code's keyed hash, expiry, tries left); a verified form
  keeps `verified_email` and `verified_at`, so a store failure while filing, or a repeated confirmation, does
  not ask for a second code.
* Slack's request modal runs the same two calls from its own views (`bot.slack.verify`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from bot.engine.messages import Message
from handoff import verification
from handoff.intake import IntakeTexts
from handoff.outbox import new_message
from handoff.store import Bucket, Store

log = logging.getLogger(__name__)

STEP = "verify"
#: Tries are counted in the store too (one bucket per code, keyed by its random salt): it never refills within a
#: code's lifetime, so only `MAX_TRIES` answers are ever compared, however many arrive at once.
_TRIES_RATE = 1 / (30 * 86400)


@dataclass(frozen=True)
class VerifyTurn:
    """`verified_at` is set when the code was right (file the ticket now); otherwise `text` is the reply."""

    text: str = ""
    verified_at: float | None = None
    cancelled: bool = False
    #: Not an answer to the step (the conversation may take it as a question instead).
    refused: bool = False
    sent: bool = False


@dataclass(frozen=True)
class Issued:
    """What `EmailCheck.issue` did: a code was queued (`pending`, to keep), or the rate limit refused one
    (`pending` None; ask again in `wait_minutes`)."""

    pending: verification.Pending | None
    wait_minutes: int = 0


class EmailCheck:
    def __init__(self, store: Store, clock: Callable[[], float], texts: IntakeTexts | None = None) -> None:
        self.store, self.clock = store, clock
        self.texts = texts or verification.load_texts()

    # -- shared by every form ---------------------------------------------------------------------
    def issue(self, email: str, lang: str, *, client: str | None, key: str,
              previous: Mapping[str, Any] | None = None) -> Issued:
        """Mail a new code to `email` unless the rate limit (per address, per `client`) refuses: the email is
        queued in the outbox under `key:<n>` (n counts the codes of this form), delivered by the dispatcher.
        Raises StoreUnavailable (then no code was queued)."""
        now = self.clock()
        decisions = self.store.take_tokens(verification.rate_buckets(email, client), now=now)
        if not decisions[-1].allowed:
            return Issued(None, max(1, round(decisions[-1].retry_after / 60)))
        pending, code = verification.begin(email, now=now, sent_before=int((previous or {}).get("sent", 0)))
        self.store.enqueue([new_message("email", "verification", key=f"{key}:{pending.sent}", now=now,
                                        payload={"to": email, "code": code, "lang": lang})])
        return Issued(pending)

    def judge(self, data: Mapping[str, Any], text: str) -> tuple[verification.Outcome, verification.Pending]:
        """`verification.check` of an answer against the kept code, with each try that is a code at all taken
        from the store first (atomic). Raises StoreUnavailable (then nothing was counted)."""
        pending = verification.Pending.from_dict(data)
        if verification.as_code(text) is None:
            return "not_code", pending
        if pending.tries_left > 0:
            bucket = Bucket(f"verify:tries:{pending.salt}", _TRIES_RATE, verification.MAX_TRIES)
            if not self.store.take_tokens([bucket], now=self.clock())[-1].allowed:
                return "locked", verification.Pending(pending.email, pending.digest, pending.salt,
                                                      pending.expires_at, 0, pending.sent)
        return verification.check(pending, text, now=self.clock())

    # -- the chat form --------------------------------------------------------------------------
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
        issued = self.issue(email, lang, client=message.origin or message.user_id, key=f"verify:{form['id']}",
                            previous=form.get(STEP))
        if issued.pending is None:
            return VerifyTurn(self.texts.get("verify", "limited", lang, minutes=issued.wait_minutes))
        form[STEP] = issued.pending.to_dict()
        return VerifyTurn(self.texts.get("verify", "sent", lang, email=email, minutes=minutes), sent=True)

    def handle(self, form: dict[str, Any], message: Message, text: str) -> VerifyTurn:
        """The requester's answer at the verification step."""
        lang, email = str(form["lang"]), str(form["answers"].get("email", ""))
        if verification.is_resend(text):
            return self.start(form, message)
        data = form.get(STEP)
        if not data:
            return self.start(form, message)
        outcome, pending = self.judge(data, text)
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
