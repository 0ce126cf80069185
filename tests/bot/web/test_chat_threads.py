"""`bot.web.chat_threads.ChatThreads`: the chat endpoints' own threads (what anyio's `to_thread.run_sync` with a
capacity limiter gave them before, at less cost per message)."""
from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from bot.web import chat_threads
from bot.web.chat_threads import ChatThreads

REQUEST = contextvars.ContextVar("request", default="none")


def test_result_exception_and_context_pass_through_on_a_thread_of_the_pool() -> None:
    async def main() -> None:
        threads = ChatThreads(2, name="chat-test")
        loop_thread = threading.current_thread()
        REQUEST.set("mine")
        seen = await threads.run(lambda: (threading.current_thread(), REQUEST.get()))
        assert seen[0] is not loop_thread and seen[0].name.startswith("chat-test-")
        assert seen[1] == "mine"  # the caller's context variables, as anyio copies them

        def fails() -> None:
            raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            await threads.run(fails)
        assert await threads.run(lambda: 41 + 1) == 42

    asyncio.run(main())


@pytest.mark.parametrize("count", [1, 3])
def test_never_more_than_count_at_once_and_every_job_is_done_in_order_per_thread(count: int) -> None:
    lock = threading.Lock()
    active = peak = 0

    def work(n: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1
        return n

    async def main() -> list[int]:
        threads = ChatThreads(count)
        return list(await asyncio.gather(*(threads.run(lambda n=n: work(n)) for n in range(12))))

    assert asyncio.run(main()) == list(range(12))
    assert peak == count


def test_a_slow_call_on_the_pool_does_not_stall_the_event_loop() -> None:
    """What the threads are for: a store call that waits (a locked SQLite file, a Redis that does not answer)
    holds its own thread, while the loop keeps answering everything else."""
    async def main() -> tuple[float, float]:
        threads = ChatThreads(1)
        started = time.perf_counter()
        slow = asyncio.ensure_future(threads.run(lambda: time.sleep(0.6)))
        await asyncio.sleep(0.01)
        ticks = 0
        while not slow.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return time.perf_counter() - started, ticks

    elapsed, ticks = asyncio.run(main())
    assert elapsed >= 0.6
    assert ticks >= 20  # the loop went round about every 10 ms the whole time


def test_a_request_cancelled_before_its_turn_never_runs_and_one_running_finishes_first() -> None:
    ran: list[str] = []
    release = threading.Event()

    def first() -> None:
        release.wait(5)
        time.sleep(0.05)
        ran.append("first")

    async def main() -> None:
        threads = ChatThreads(1)
        running = asyncio.ensure_future(threads.run(first))
        queued = asyncio.ensure_future(threads.run(lambda: ran.append("queued")))
        await asyncio.sleep(0.05)
        queued.cancel()
        running.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await queued
        with pytest.raises(asyncio.CancelledError):
            await running
        assert ran == ["first"]  # the running one was waited for (it had started: it cannot be stopped half-way)
        assert await threads.run(lambda: "next") == "next"
        assert ran == ["first"]  # the cancelled one was skipped, not run later

    asyncio.run(main())


def test_idle_threads_exit_and_the_next_message_starts_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_threads, "IDLE_SECONDS", 0.05)

    def names() -> set[str]:
        return {t.name for t in threading.enumerate() if t.name.startswith("chat-idle-")}

    async def main() -> None:
        threads = ChatThreads(2, name="chat-idle")
        await asyncio.gather(threads.run(lambda: time.sleep(0.02)), threads.run(lambda: time.sleep(0.02)))
        assert names()
        deadline = time.monotonic() + 5
        while names() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert not names()
        assert await threads.run(lambda: 7) == 7

    asyncio.run(main())
