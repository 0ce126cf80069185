"""`bot.web.loop_queue.LoopQueue`: chat work on the event loop in arrival order, a few milliseconds at a time, with
every other ready task run in between (issue 18: Slack acknowledgements must not wait for a batch of chat)."""
from __future__ import annotations

import asyncio
import contextvars
import time

import pytest

from bot.web import loop_queue
from bot.web.loop_queue import LoopQueue

REQUEST = contextvars.ContextVar("request", default="none")


class Refused(BaseException):
    pass


def test_results_exceptions_and_context_pass_through_in_arrival_order() -> None:
    async def main() -> None:
        queue, order = LoopQueue(), []

        def work(n: int) -> int:
            order.append((n, REQUEST.get()))
            return n * 10

        async def ask(n: int) -> int:
            REQUEST.set(f"r{n}")
            return await queue.run(lambda: work(n))

        assert await asyncio.gather(*(ask(n) for n in range(6))) == [0, 10, 20, 30, 40, 50]
        assert order == [(n, f"r{n}") for n in range(6)]  # in turn, each in its caller's context

        def refuses() -> None:
            raise Refused("a BaseException reaches the caller as it is")

        with pytest.raises(Refused):
            await queue.run(refuses)
        with pytest.raises(KeyError):
            await queue.run(lambda: {}["x"])

    asyncio.run(main())


def test_other_tasks_run_between_passes_however_many_messages_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_queue, "PASS_SECONDS", 0.005)

    async def main() -> list[float]:
        queue = LoopQueue()

        def busy() -> None:
            end = time.perf_counter() + 0.002  # a message: 2 ms of CPU on the loop
            while time.perf_counter() < end:
                pass

        chats = [asyncio.ensure_future(queue.run(busy)) for _ in range(40)]  # 80 ms of chat queued at once
        waits = []
        for _ in range(5):  # another request that awaits several times (as a Slack event through Bolt does)
            started = time.perf_counter()
            for _ in range(4):
                await asyncio.sleep(0)
            waits.append(time.perf_counter() - started)
        await asyncio.gather(*chats)
        return waits

    waits = asyncio.run(main())
    # Each await waits for at most one pass (5 ms, plus the message that started within it): four awaits well under
    # the 80 ms the whole batch takes.
    assert max(waits) < 0.045, waits


def test_a_cancelled_request_is_skipped() -> None:
    async def main() -> list[int]:
        queue, ran = LoopQueue(), []
        first = asyncio.ensure_future(queue.run(lambda: ran.append(1)))
        second = asyncio.ensure_future(queue.run(lambda: ran.append(2)))
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
        return ran

    assert asyncio.run(main()) == [1]
