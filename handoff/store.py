"""The storage interface every backend implements, and the errors it raises.

Contracts are written here once and honoured by each implementation; `tests/handoff/test_store_contract.py`
runs the same suite against every backend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, runtime_checkable


class StoreError(Exception):
    """Base class for storage failures."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached or cannot write right now. Nothing was changed; retry later."""


@dataclass(frozen=True)
class StoreHealth:
    ok: bool
    backend: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class SessionStore(Protocol):
    """Per-conversation state: a JSON-serialisable dict per session id, with a time to live."""

    def load_session(self, session_id: str) -> dict[str, Any] | None:
        """Return the session's state, or None if it never existed or has expired.

        Raises StoreUnavailable if the backend cannot be read.
        """

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int) -> None:
        """Replace the session's state; it expires `ttl_seconds` after this call.

        Raises StoreUnavailable if the state could not be written durably; then nothing changed.
        """

    def delete_session(self, session_id: str) -> None:
        """Remove the session. Deleting a missing session is not an error."""

    def purge_expired(self) -> int:
        """Physically delete expired sessions (expired ones are already invisible); return how many."""

    def health(self) -> StoreHealth:
        """Report whether the backend is reachable and writable. Never raises."""

    def close(self) -> None:
        """Release connections. The store must not be used afterwards."""


class Store(SessionStore, Protocol):
    """Everything the conversation and the front ends need from storage.

    Tickets, events, reference allocation and idempotency keys join this interface with the handoff work.
    """
