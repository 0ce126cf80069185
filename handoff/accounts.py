"""Staff and admin accounts as the stores keep them, and the password hashing they rely on.

Only the hash is ever stored: scrypt (stdlib, memory-hard) with a random salt, encoded with its parameters so
they can be raised later without invalidating existing hashes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any, Mapping

ROLES: tuple[str, ...] = ("staff", "admin")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class UserAccount:
    """A person who may use the staff queue (`staff`) or also edit templates and accounts (`admin`).

    Raises ValueError for a malformed username, an unknown role or an empty hash.
    """

    username: str
    password_hash: str
    role: str
    created_at: float

    def __post_init__(self) -> None:
        if not _USERNAME.fullmatch(self.username):
            raise ValueError(f"username must be 1-64 letters, digits or ._@- , got {self.username!r}")
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {list(ROLES)}, got {self.role!r}")
        if not self.password_hash:
            raise ValueError("password_hash must not be empty")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "UserAccount":
        return cls(username=data["username"], password_hash=data["password_hash"], role=data["role"],
                   created_at=float(data["created_at"]))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """Return `scrypt$n$r$p$salt$hash` for `password`. Raises ValueError for an empty password."""
    if not password:
        raise ValueError("password must not be empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches `encoded` (from `hash_password`); False for a wrong password or a
    malformed hash, in constant time with respect to the digest."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
