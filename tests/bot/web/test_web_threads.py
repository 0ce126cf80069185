"""The chat endpoints run the core on their own small pool of threads (PRIVACY_BOT_CHAT_THREADS)."""
from __future__ import annotations

import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_services
from bot.config import ConfigError, Settings
from bot.engine.messages import Message, Reply
from bot.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient


def test_setting_is_read_and_bounded() -> None:
    # `auto` (the default): one thread with SQLite, four with Redis.
    assert Settings.from_env({}).chat_thread_count == 1
    assert Settings.from_env({"PRIVACY_BOT_CHAT_THREADS": "auto"}).chat_thread_count == 1
    assert Settings.from_env({"REDIS_URL": "redis://127.0.0.1:1/0"}).chat_thread_count == 4
    assert Settings.from_env({"PRIVACY_BOT_CHAT_THREADS": "2"}).chat_thread_count == 2
    assert Settings.from_env({"PRIVACY_BOT_CHAT_THREADS": "2", "REDIS_URL": "redis://x:1"}).chat_thread_count == 2
    for bad in ("0", "-1", "many", "1000"):
        with pytest.raises(ConfigError, match="PRIVACY_BOT_CHAT_THREADS"):
            Settings.from_env({"PRIVACY_BOT_CHAT_THREADS": bad})


@pytest.mark.parametrize("threads", [1, 3, None])
def test_at_most_the_configured_number_of_messages_are_handled_at_once(tmp_path: Path, threads: int | None) -> None:
    # Every message on the pool (not first on the event loop: tests/bot/web/test_web_inline.py).
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), "PRIVACY_BOT_CHAT_INLINE": "off",
                                                 "PRIVACY_BOT_CHAT_THREADS": str(threads or "auto")}))
    real_handle = services.conversation.handle
    lock = threading.Lock()
    active, peak, handler_threads = 0, 0, set()

    def observed_handle(message: Message, start: Any = None) -> Reply:
        # The real core, slowed down so that requests overlap if the pool lets them.
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            handler_threads.add(threading.current_thread().name)
        try:
            time.sleep(0.05)
            return real_handle(message, start)
        finally:
            with lock:
                active -= 1

    services.conversation.handle = observed_handle  # type: ignore[method-assign]
    try:
        with TestClient(create_app(services)) as client:
            def ask(n: int) -> int:
                response = client.post("/api/chat", json={"text": "what are cookies used for?"})
                assert response.json()["article"] == 12
                return response.status_code

            with ThreadPoolExecutor(max_workers=8) as pool:
                statuses = list(pool.map(ask, range(8)))
    finally:
        services.close()
    assert statuses == [200] * 8
    assert peak == (threads or 1)  # overlapped as far as allowed, never further (auto with SQLite: one)
    assert threading.main_thread().name not in handler_threads
