"""Store calls made where waiting is not allowed: a chat message answered on the web server's event loop.

Answering a chat message on the event loop itself costs about a fifth less CPU than handing it to a thread and
back (the two threads trade the interpreter lock at every SQLite call: benchmarks/RESULTS.md, issue 18), but the
event loop also serves every other request of the process, so it must never sleep on a lock. A front end runs
such a message inside `without_waiting()`; a store that supports it (`SQLiteStore`) then refuses, by raising
`WouldWait`, the first write of the message that would have to wait: a lock held by another thread or process,
or a write that syncs the disk (tickets). The front end then answers the message again from the start on a
thread, where waiting is fine.

That is safe because of when the refusal can happen: only before the message's first write transaction has
committed. Reads never wait (WAL), and up to that first write nothing durable has happened, so running the whole
message again elsewhere is as if the first attempt never ran. Once one write of the message has committed, later
ones wait as on any thread (a message that writes twice is one that files a ticket, and the ticket write, which
syncs the disk, is itself refused on the loop, so those messages run on a thread from their first write).

`WouldWait` is a `BaseException`, like `KeyboardInterrupt`, so that no `except Exception` or `except StoreError`
on the way (a recorder that never raises, a session write that degrades to "not saved") turns it into an answer.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator


#: Why a write was refused (a fixed vocabulary: metric labels).
REASONS = ("durable", "thread", "process")


class WouldWait(BaseException):
    """A store call inside `without_waiting()` would have had to wait; nothing durable has been written.
    `reason`: one of `REASONS` (a write that syncs the disk, a lock held by another thread of this process, or by
    another process)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class NoWait:
    """One message's attempt without waiting."""

    #: A write transaction of this attempt has committed: later ones may wait (the attempt can no longer be
    #: abandoned and run again without repeating it).
    wrote: bool = False
    #: A call was refused: the attempt is being abandoned, and what it still owes (a rate-limit take) is dropped
    #: because the message's run elsewhere takes it again.
    abandoned: bool = False

    def refuse(self, reason: str) -> WouldWait:
        self.abandoned = True
        return WouldWait(reason)

    @property
    def strict(self) -> bool:
        """Whether a write now must not wait (nothing committed yet)."""
        return not self.wrote


_current: ContextVar[NoWait | None] = ContextVar("privacy_bot_no_wait", default=None)


def current() -> NoWait | None:
    """The attempt under way in this context, or None (waiting allowed)."""
    return _current.get()


@contextmanager
def without_waiting() -> Iterator[NoWait]:
    """Run the block as one attempt that must not wait; a store refuses with `WouldWait` (see the module)."""
    attempt = NoWait()
    token = _current.set(attempt)
    try:
        yield attempt
    finally:
        _current.reset(token)
