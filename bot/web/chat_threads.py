"""The chat endpoints' own threads (`PRIVACY_BOT_CHAT_THREADS`): at most `count` messages are handled at once, each
on a thread of its own pool, so a store call that waits (a SQLite file locked by another process, a Redis server
that does not answer) never stalls the other requests. (`/api/chat` may first try a message on the event loop,
where the store refuses to wait: `PRIVACY_BOT_CHAT_INLINE`, `handoff/waiting.py`; what it refuses comes here.)

Why not `anyio.to_thread.run_sync` with a `CapacityLimiter` (what this replaced, issue 18): under 32 concurrent
requests the limiter keeps a waiter (an event, a task wake-up) per queued request and every hand-off goes through
anyio's backend look-ups, cancel scopes and run variables on the event loop: about a tenth of a chat message's CPU
in a profile of the running server (benchmarks/RESULTS.md). Here a request's work is one queue put; the pool's
threads take the queue in order, and each finished message is one `call_soon_threadsafe` back to the loop.

Kept from anyio's behaviour: the work runs in a copy of the caller's context (context variables), a request
cancelled before its work starts never runs it, one cancelled while its work runs waits for that work to finish
(a thread cannot be stopped half-way through a store write) and is then cancelled, and a thread left idle for
`IDLE_SECONDS` exits (the next message starts one again).
"""
from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

#: A thread with nothing to do for this long exits (anyio's worker threads do the same after 10 s).
IDLE_SECONDS = 10.0


class _Job(Generic[T]):
    __slots__ = ("work", "loop", "future", "context", "lock", "started", "skipped", "finished")

    def __init__(self, work: Callable[[], T], loop: asyncio.AbstractEventLoop, future: asyncio.Future[T]) -> None:
        self.work = work
        self.loop = loop
        self.future = future
        self.context = contextvars.copy_context()
        self.lock = threading.Lock()
        self.started = False
        self.skipped = False
        self.finished = False


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the request was cancelled meanwhile
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class ChatThreads:
    """`await threads.run(work)`: `work()` on one of at most `count` threads, its result (or exception) returned."""

    def __init__(self, count: int, name: str = "chat") -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self.count = count
        self.name = name
        self._queue: queue.SimpleQueue[_Job[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._alive = 0
        self._started = 0

    async def run(self, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        job: _Job[T] = _Job(work, loop, loop.create_future())
        self._queue.put(job)
        if self._alive < self.count:
            self._start_thread()
        try:
            return await job.future
        except asyncio.CancelledError:
            with job.lock:
                if not job.started:
                    job.skipped = True  # never started: it never will be
            while not job.skipped and not job.finished:
                try:
                    await asyncio.sleep(0.005)  # the message is being handled: let it finish, as anyio does
                except asyncio.CancelledError:
                    pass
            raise

    def _start_thread(self) -> None:
        with self._lock:
            if self._alive >= self.count:
                return
            self._alive += 1
            self._started += 1
            number = self._started
        threading.Thread(target=self._serve, name=f"{self.name}-{number}", daemon=True).start()

    def _serve(self) -> None:
        get = self._queue.get
        while True:
            try:
                job = get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    self._alive -= 1
                # A job put before this check is seen here and gets a thread; one put after it finds one thread
                # fewer alive and starts one itself (`run` looks after putting).
                if not self._queue.empty():
                    self._start_thread()
                return
            with job.lock:
                if job.skipped:
                    continue
                job.started = True
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.context.run(job.work)
            except BaseException as exc:  # handed to the awaiting request, as anyio does
                error = exc
            job.finished = True
            try:
                job.loop.call_soon_threadsafe(_resolve, job.future, result, error)
            except RuntimeError:
                pass  # the event loop is closed: nobody is waiting any more
            del job, result, error
