"""Messages the bot could not answer, kept for admins to review: redacted first, then counted in the store.

Only the redacted text is ever stored. Redaction replaces e-mail addresses, phone numbers, ticket references
(`PRQ-2026-000123`), other runs of six or more digits (account, card, postal or member numbers), IP addresses and
Slack user mentions with placeholders, and keeps at most 300 characters. Names and addresses written in words
cannot be recognised reliably; the page is for admins only.
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from typing import Callable

from handoff.store import ContentStore

log = logging.getLogger(__name__)

MAX_CHARS = 300
#: How many groups the store keeps (the least recently seen are dropped first).
KEEP_GROUPS = 500

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_REFERENCE = re.compile(r"\bPRQ[\s-]?\d{4}[\s-]?\d{1,9}\b", re.IGNORECASE)
_MENTION = re.compile(r"<[@#!][^>\s]{1,80}>")
_IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_URL_SECRET = re.compile(r"(?i)\b(?:token|key|secret|password|passwd|pwd)=\S+")
#: A run of digits with the separators people put in phone numbers: + ( ) - . and single spaces.
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\d()\-.\u2010-\u2015\u30fc]|\s(?=\d))*\d")
_SPACES = re.compile(r"[ \t]+")


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _number(match: re.Match[str]) -> str:
    run = match.group(0)
    count = _digits(run)
    if count >= 9 and (run.startswith(("+", "0", "(")) or re.search(r"[\s().\-]", run)):
        return "[phone]"
    return "[number]" if count >= 6 else run


def redact(text: str) -> str:
    """The text with personal data replaced by placeholders ([email], [phone], [reference], [number], [ip],
    [user]); whitespace collapsed, control characters dropped, cut to 300 characters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c if c in "\n\t" or unicodedata.category(c)[0] != "C" else " " for c in text)
    text = _MENTION.sub("[user]", text)
    text = _EMAIL.sub("[email]", text)
    text = _URL_SECRET.sub("[secret]", text)
    text = _REFERENCE.sub("[reference]", text)
    text = _IP.sub("[ip]", text)
    text = _DIGIT_RUN.sub(_number, text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = re.sub(r"\n{2,}", "\n", text).strip()
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


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
            if redacted and any(c.isalpha() for c in redacted):
                self.store.record_unanswered(redacted, lang=lang, decision=decision, now=self.clock(), keep=self.keep)
        except Exception as exc:  # noqa: BLE001 - reviewing questions is a nicety; answering is not
            log.warning("unanswered question not recorded (%s)", type(exc).__name__)
