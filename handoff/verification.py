"""Email verification before a request becomes a ticket: the one-time code and its rules, pure.

The form's state (kept in the chat session) holds only a keyed hash of the code, its expiry, the tries left and
the address: `begin` makes one, `check` judges an answer. The code itself travels once, in the verification
email (an outbox message whose payload is cleared when it is delivered). Rules: 6 digits, valid
`CODE_TTL_SECONDS` (15 minutes), `MAX_TRIES` (5) wrong answers void it; asking for codes is rate-limited per
address and per client (`rate_buckets`), so the form cannot be used to flood a mailbox.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

from handoff.intake import LANGS, IntakeTextError, IntakeTexts
from handoff.store import Bucket

TEXTS_FILE = Path(__file__).parent / "data" / "verification.toml"
CODE_DIGITS = 6
CODE_TTL_SECONDS = 15 * 60
MAX_TRIES = 5
#: Codes per address: 3 at once, then one every 20 minutes (a person who mistyped the address retries sooner).
ADDRESS_BURST, ADDRESS_RATE = 3, 1 / 1200
#: Codes per client (IP address or Slack user): 10 at once, then one every 6 minutes.
CLIENT_BURST, CLIENT_RATE = 10, 1 / 360
RESEND_WORDS = frozenset({"resend", "new code", "send again", "再送", "再送信", "もう一度送って"})
_KEYS = ("sent", "wrong", "locked", "expired", "limited", "not_code")

Outcome = Literal["ok", "wrong", "locked", "expired", "not_code"]


def load_texts(path: Path = TEXTS_FILE) -> IntakeTexts:
    """The chat's verification texts; raises IntakeTextError naming the file and key when one is missing."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IntakeTextError(f"{path.name}: not valid TOML: {exc}") from exc
    for key in _KEYS:
        entry = doc.get("verify", {}).get(key)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(lang), str) and entry[lang] for lang in LANGS):
            raise IntakeTextError(f"{path.name}: [verify] {key} needs non-empty 'en' and 'ja' texts")
    return IntakeTexts(doc)


def _digest(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Pending:
    """A code that was sent: what the form state keeps (`to_dict`)."""

    email: str
    digest: str
    salt: str
    expires_at: float
    tries_left: int = MAX_TRIES
    sent: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "digest": self.digest, "salt": self.salt, "expires_at": self.expires_at,
                "tries_left": self.tries_left, "sent": self.sent}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Pending":
        return cls(str(data["email"]), str(data["digest"]), str(data["salt"]), float(data["expires_at"]),
                   int(data["tries_left"]), int(data.get("sent", 1)))


def begin(email: str, *, now: float, sent_before: int = 0) -> tuple[Pending, str]:
    """A fresh code for `email`: (what to keep, the code to mail)."""
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    return Pending(email, _digest(salt, code), salt, now + CODE_TTL_SECONDS, MAX_TRIES, sent_before + 1), code


def as_code(text: str) -> str | None:
    """The code in an answer ("042 917", "０４２９１７" and "code: 042917" count), or None."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
    return digits if len(digits) == CODE_DIGITS and len(text) <= 40 else None


def check(pending: Pending, text: str, *, now: float) -> tuple[Outcome, Pending]:
    """Judge an answer. A wrong code uses a try; the last wrong try locks the code (a new one must be sent)."""
    code = as_code(text)
    if code is None:
        return "not_code", pending
    if pending.tries_left <= 0:
        return "locked", pending
    if now > pending.expires_at:
        return "expired", pending
    if hmac.compare_digest(_digest(pending.salt, code), pending.digest):
        return "ok", pending
    left = pending.tries_left - 1
    return ("wrong" if left > 0 else "locked"), Pending(pending.email, pending.digest, pending.salt,
                                                        pending.expires_at, left, pending.sent)


def is_resend(text: str) -> bool:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().strip(" .!。！").split()) in RESEND_WORDS


def rate_buckets(email: str, client: str | None) -> list[Bucket]:
    """Token buckets for one code request: the address, and the client when known. Keys are digests (no
    personal data in the store's rate-limit keys)."""
    def key(kind: str, value: str) -> str:
        return f"verify:{kind}:" + hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]

    buckets = [Bucket(key("addr", email.casefold()), ADDRESS_RATE, ADDRESS_BURST)]
    if client:
        buckets.append(Bucket(key("client", client), CLIENT_RATE, CLIENT_BURST))
    return buckets
