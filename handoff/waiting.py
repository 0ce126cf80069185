"""Store calls made where waiting is not allowed: a chat message answered on the web server's event loop.

Answering a chat message on the event loop itself costs a fifth to a quarter less CPU than handing it to a thread
and back (the two threads trade the interpreter lock at every store call: benchmarks/RESULTS.md, issue 18), but the
event loop also serves every other request of the process, so it must never sleep on a lock or a server. A front
end runs such a message inside `without_waiting()`, and the store refuses, by raising `WouldWait`, any call that
would have to wait there. The front end then answers the message again from the start on a thread, where waiting
is fine.

That is safe because a refusal comes before anything durable was written: reads never wait (SQLite's WAL), and the
first write of the message is the one that may be refused. With `deferring=True` the message's session write is not
made at all but handed back (`deferred`), the front end makes it after the message (on the loop if it need not
wait, else on a thread; Redis: asynchronously), and only then runs what the message counts (`after`) and the writes
it does not wait for (`later`); a write that would stand before the deferred one is refused. So whichever run of
the message stands is the only one with an effect.

* SQLite (`handoff.sqlite.store`): a write transaction starts only if SQLite's file lock is free (busy timeout 0:
  another process is writing otherwise), this process's write lock comes within `LOOP_LOCK_WAIT` (its holder is
  another thread with a short transaction), and it does not sync the disk (tickets).
* Redis (`handoff.redis.store`): every command of the store's client is refused (a blocking round trip would hold
  the loop, for the socket timeout if Redis hangs); the message's read and session write go through
  `handoff.redis.turns` with `redis.asyncio` instead.

`WouldWait` is a `BaseException`, like `KeyboardInterrupt`, so that no `except Exception` or `except StoreError`
on the way (a recorder that never raises, a session write that degrades to "not saved") turns it into an answer.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


#: Why a call was refused (a fixed vocabulary: metric labels): a write that syncs the disk, a lock held by another
#: thread of this process or by another process (SQLite), a call over the network (Redis: on the event loop only the
#: front end's own asynchronous calls go to the server).
REASONS = ("durable", "thread", "process", "network", "after_session")


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
    #: Writes whose result the message does not need (the session write) may be handed back instead of made: the
    #: store appends them to `deferred`, and the front end sends them after the message (Redis, asynchronously) and
    #: only then runs `after` (the message's counts), so a message answered again elsewhere is counted once.
    deferring: bool = False
    deferred: list[Any] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)
    #: Store writes the message does not wait for (a record of an unanswered question, which never raises), made
    #: once it stands and after its reply, beside the next requests.
    later: list[Callable[[], None]] = field(default_factory=list)

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
def without_waiting(*, deferring: bool = False) -> Iterator[NoWait]:
    """Run the block as one attempt that must not wait; a store refuses with `WouldWait` (see the module).
    `deferring`: writes that return nothing may be handed back in `attempt.deferred` (see `NoWait`)."""
    attempt = NoWait(deferring=deferring)
    token = _current.set(attempt)
    try:
        yield attempt
    finally:
        _current.reset(token)
