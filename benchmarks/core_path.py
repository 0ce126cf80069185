"""A chat message's server work outside HTTP and matching, in process, with little noise (issue 18).

What `/api/chat` does for a message on the event loop, without the web framework: `RateLimiter.begin_chat`,
`Conversation.handle` inside a deferring no-wait attempt (`handoff.waiting`), the deferred session write, the counts
and the `later` writes, on the SQLite store, over the HTTP benchmark's messages and sessions (32 clients' worth, a new
session every 20 turns). Matching is memoised, so what is timed is everything else. Thread CPU per message is taken
per batch of 200; the minimum over the batches filters out what other processes did to this one on a shared machine,
and the median is given beside it.

    python -m benchmarks.core_path [BATCHES [WARM]]   # this tree; run it alternately with another tree's PYTHONPATH
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from typing import Any


def main(argv: list[str]) -> int:
    batches_n = int(argv[0]) if argv else 30
    warm = int(argv[1]) if len(argv) > 1 else 2000
    from intents.matcher import Matcher

    real_match, memo = Matcher.match, {}

    def match(self: Matcher, text: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return real_match(self, text, *args, **kwargs)
        found = memo.get(text)
        if found is None:
            found = memo[text] = real_match(self, text)
        return found

    Matcher.match = match  # type: ignore[method-assign]
    try:
        return _run(batches_n, warm)
    finally:
        Matcher.match = real_match  # type: ignore[method-assign]


def _run(batches_n: int, warm: int) -> int:
    from benchmarks import UNLIMITED_RATES, dev_texts
    from bot import heap
    from bot.app import build_services
    from bot.config import Settings
    from bot.engine.messages import Message
    from bot.ratelimit import limiter_for
    from handoff import waiting

    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": tempfile.mkdtemp(), **UNLIMITED_RATES}))
    limiter, conversation, texts = limiter_for(services), services.conversation, dev_texts()

    class Request:  # what `client_ip` reads
        client = type("Client", (), {"host": "127.0.0.1"})()
        headers: dict[str, str] = {}

    request: Any = Request()
    heap.settle()

    def one(i: int, tag: str) -> None:
        client, turn = i % 32, i // 32
        message = Message(text=texts[(client * 37 + turn) % len(texts)], frontend="web", origin="127.0.0.1",
                          session_id=f"core-{tag}-{client:02d}-{turn // 20:05d}")
        with waiting.without_waiting(deferring=True) as attempt:
            start = limiter.begin_chat(request, message.session_id, message)
            try:
                conversation.handle(message, start)
            finally:
                limiter.end_chat()
        for write in attempt.deferred:  # as `bot.web.app`: the session write, then the counts, then `later`
            with waiting.without_waiting():
                write()
        for count in attempt.after:
            count()
        for write in attempt.later:
            with waiting.without_waiting():
                write()

    try:
        for i in range(warm):
            one(i, "warm")
        batches, n = [], 0
        for _ in range(batches_n):
            started = time.thread_time()
            for _ in range(200):
                one(n, "timed")
                n += 1
            batches.append((time.thread_time() - started) / 200 * 1e6)
    finally:
        services.close()
    print(f"{os.getcwd()}: thread CPU per message outside matching and HTTP: min {min(batches):.1f} µs, "
          f"median {statistics.median(batches):.1f} µs ({batches_n} batches of 200)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
