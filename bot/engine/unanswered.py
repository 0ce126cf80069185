"""Messages the bot could not answer, kept for admins to review: redacted first, then counted in the store.

Only the redacted text is ever stored. Redaction replaces e-mail addresses, phone numbers, ticket references
(`PRQ-2026-000123`), other runs of six or more digits (account, card, postal or member numbers), IP addresses and
Slack user mentions with placeholders, and keeps at most 300 characters. Names and addresses written in words
cannot be recognised reliably; the page is for admins only.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from bot.redaction import redact  # re-exported: the recorder stores only redacted text
from handoff import waiting
from handoff.store import ContentStore

log = logging.getLogger(__name__)

#: How many groups the store keeps (the least recently seen are dropped first).
KEEP_GROUPS = 500


class UnansweredRecorder:
    """`record(text, decision, lang)`: what the conversation calls after a fallback or clarify reply.

    Never raises: a store outage or a bad value is logged (without the text) and the reply goes out as usual."""

    def __init__(self, store: ContentStore, *, clock: Callable[[], float] = time.time, keep: int = KEEP_GROUPS) -> None:
        self.store = store
        self.clock = clock
        self.keep = keep

    def __call__(self, text: str, decision: str, lang: str) -> None:
        try:
            redacted = redact(text)
            if not (redacted and any(c.isalpha() for c in redacted)):
                return
            now = self.clock()
        except Exception as exc:  # noqa: BLE001 - reviewing questions is a nicety; answering is not
            log.warning("unanswered question not recorded (%s)", type(exc).__name__)
            return
        attempt = waiting.current()
        if attempt is not None and attempt.deferring:
            # Recorded once the message stands, beside it (`handoff.waiting`): the reply does not wait for it.
            attempt.later.append(lambda: self._record(redacted, decision, lang, now))
            return
        self._record(redacted, decision, lang, now)

    def _record(self, redacted: str, decision: str, lang: str, now: float) -> None:
        try:
            self.store.record_unanswered(redacted, lang=lang, decision=decision, now=now, keep=self.keep)
        except Exception as exc:  # noqa: BLE001 - reviewing questions is a nicety; answering is not
            log.warning("unanswered question not recorded (%s)", type(exc).__name__)
