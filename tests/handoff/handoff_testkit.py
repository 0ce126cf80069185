"""Helpers shared by the handoff tests and the worker processes they spawn (which cannot use fixtures)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

import pytest

from handoff.outbox import OutboxRules
from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store
from handoff.tickets import Contact, Requester, TicketDraft

#: 2026-05-01 00:00:00 UTC: a fixed "now" so references and due dates are predictable.
NOW = 1_777_593_600.0
DAY = 86400.0
PREFIX = "test-bot"


def draft(n: int = 1, *, request_type: str = "disclosure", frontend: str = "web", user_id: str | None = None,
          session_id: str | None = None) -> TicketDraft:
    return TicketDraft(
        request_type=request_type,
        requester=Requester(frontend, user_id, session_id or f"session-{n}"),
        contact=Contact(name=f"Requester {n}", email=f"person{n}@example.com"),
        answers={"details": f"all data about account {n}", "delivery": "electronic"},
        transcript=[{"role": "user", "text": "send me my data", "at": NOW - 60},
                    {"role": "bot", "text": "Let me take a few details.", "at": NOW - 59}],
    )


def open_store(backend: str, location: str, *, outbox_rules: OutboxRules | None = None) -> Store:
    """`location` is a directory for SQLite, a URL for Redis; `outbox_rules` as the stores take them."""
    extra = {} if outbox_rules is None else {"outbox_rules": outbox_rules}
    if backend == "sqlite":
        return SQLiteStore.in_dir(Path(location), **extra)
    return RedisStore.from_url(location, prefix=PREFIX, **extra)


#: The backends a store fixture runs on; Redis tests are marked so a missing redis-server skips them (or fails the
#: run under REQUIRE_REDIS=1).
BACKENDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis)]


def store_of_each_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The body of a module's two-backend `store` fixture:
    `store = pytest.fixture(params=BACKENDS, name="store")(store_of_each_backend)`."""
    location = str(tmp_path / "data") if request.param == "sqlite" else request.getfixturevalue("redis_server").url
    s = open_store(request.param, location)
    yield s
    s.close()


class RedisServerLike(Protocol):
    """What tests use of the `redis_server` fixture (the class lives in conftest, which is not importable)."""

    port: int

    @property
    def url(self) -> str: ...

    def start(self, timeout: float = ...) -> None: ...

    def stop(self) -> None: ...

    def kill(self) -> None: ...
