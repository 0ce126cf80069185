"""Redaction of personal data in free text: used for everything kept for analytics (unanswered questions) and,
unless LOG_PII=1, for every log line.

E-mail addresses, phone numbers, ticket references (`PRQ-2026-000123`), other runs of six or more digits
(account, card, postal or member numbers), IP addresses, Slack user mentions and `token=`-style secrets become
placeholders. Names and addresses written in words cannot be recognised reliably.
"""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 300

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


def redact(text: str, limit: int | None = MAX_CHARS) -> str:
    """The text with personal data replaced by placeholders ([email], [phone], [reference], [number], [ip],
    [user], [secret]); whitespace collapsed, control characters dropped, cut to `limit` characters (None: no cut)."""
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
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


