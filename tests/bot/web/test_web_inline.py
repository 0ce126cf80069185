"""`/api/chat` answers a message on the event loop first (PRIVACY_BOT_CHAT_INLINE, issue 18), and on a chat thread,
from the start, when the store would have had to wait there: each message still has exactly one effect (one
transcript entry, one rate-limit take, one ticket) and the reply is the one the thread path gives."""
from __future__ import annotations

import sqlite3
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from bot.app import Services, build_services
from bot.config import ConfigError, Settings
from bot.ratelimit import bucket_key, limiter_for
from bot.web.app import create_app
from web_testkit import CALLBACK_FORM, Where, file_callback_request

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient


def test_setting_is_read_and_checked() -> None:
    assert Settings.from_env({}).chat_inline_enabled  # on by default, with either store
    assert Settings.from_env({"REDIS_URL": "redis://127.0.0.1:1/0"}).chat_inline_enabled
    assert Settings.from_env({"PRIVACY_BOT_CHAT_INLINE": "ON"}).chat_inline_enabled
    assert not Settings.from_env({"PRIVACY_BOT_CHAT_INLINE": "off"}).chat_inline_enabled
    for bad in ("auto", "yes", "2", "inline"):
        with pytest.raises(ConfigError, match="PRIVACY_BOT_CHAT_INLINE"):
            Settings.from_env({"PRIVACY_BOT_CHAT_INLINE": bad})


@pytest.fixture
def app_services(tmp_path: Path) -> Iterator[Services]:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path)}))
    try:
        yield services
    finally:
        services.close()


def moved(services: Services, reason: str) -> float:
    return services.metrics.registry.get_sample_value("privacy_bot_chat_moved_to_thread_total", {"reason": reason}) or 0.0


def transcript(client: TestClient, session: str) -> list[tuple[str, str]]:
    resumed = client.post("/api/resume", json={"session_id": session}).json()
    return [(line["role"], line["text"]) for line in resumed["transcript"]]


def test_a_plain_message_is_answered_on_the_event_loop(app_services: Services) -> None:
    where = Where(app_services)
    with TestClient(create_app(app_services)) as client:
        reply = client.post("/api/chat", json={"text": "what are cookies used for?"}).json()
        assert reply["article"] == 12
        assert transcript(client, reply["session_id"])[0] == ("user", "what are cookies used for?")
    assert where.seen == ["loop"]
    assert sum(moved(app_services, r) for r in ("durable", "thread", "process")) == 0


def test_off_answers_every_message_on_a_chat_thread(tmp_path: Path) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), "PRIVACY_BOT_CHAT_INLINE": "off"}))
    where = Where(services)
    try:
        with TestClient(create_app(services)) as client:
            assert client.post("/api/chat", json={"text": "what are cookies used for?"}).json()["article"] == 12
    finally:
        services.close()
    assert where.seen == ["chat"]


def test_a_store_locked_by_another_process_waits_on_a_thread_not_on_the_event_loop(app_services: Services) -> None:
    where = Where(app_services)
    path = app_services.store.path  # type: ignore[attr-defined]
    with TestClient(create_app(app_services)) as client:
        session = client.post("/api/chat", json={"text": "hello"}).json()["session_id"]
        # Another process holds SQLite's write lock for a moment: the message's session write waits for it, on a
        # chat thread; the event loop meanwhile serves other requests.
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        released = threading.Event()

        def release() -> None:
            holder.execute("COMMIT")
            holder.close()
            released.set()

        # (released after 2 s: on a slow, shared machine a page took 0.57 s to serve, beyond the 0.3 s once asserted
        # here; what is tested is that the page is served while the lock is still held, not how fast)
        threading.Timer(2.0, release).start()
        with ThreadPoolExecutor(max_workers=1) as pool:
            taken = time.monotonic()  # the session bucket's first take is after this
            answered = pool.submit(client.post, "/api/chat", json={"session_id": session,
                                                                     "text": "what are cookies used for?"})
            deadline = time.monotonic() + 1.5
            while len(where.seen) < 2 and time.monotonic() < deadline:  # the message matched: its write now waits
                time.sleep(0.01)
            assert len(where.seen) == 2 and not released.is_set()
            assert client.get("/").status_code == 200
            assert not released.is_set()  # the loop was free: the page was served while the write still waited
            reply = answered.result(timeout=10).json()
        assert released.is_set()  # the reply came after the write it reports, once the lock was free
        assert reply["article"] == 12 and "store_unavailable" not in reply["notices"]
        lines = transcript(client, session)
        refilled = Settings.from_env({}).rate_session / 60 * (time.monotonic() - taken)  # at most, between the takes
    assert where.seen == ["loop", "loop"]  # matched once, on the loop; only the write went to a thread
    assert sum(moved(app_services, r) for r in ("durable", "thread", "process", "after_session")) == 0
    # One effect: the message is in the transcript once, and its session bucket was taken twice in all (two
    # messages; the first sent no session id), the /api/resume that read it once more.
    assert [text for role, text in lines if role == "user"] == ["hello", "what are cookies used for?"]
    key = bucket_key("chat-session", session, salt=limiter_for(app_services).salt)
    rows = sqlite3.connect(path).execute("SELECT tokens FROM rate_buckets WHERE key = ?", (key,)).fetchall()
    burst = Settings.from_env({}).rate_session_burst
    assert burst - 2 <= rows[0][0] <= burst - 2 + refilled  # chat and resume: two takes, plus what refilled between


def test_a_ticket_is_filed_once_on_a_thread(app_services: Services) -> None:
    where = Where(app_services)
    with TestClient(create_app(app_services)) as client:
        session, data = file_callback_request(client)
        assert data["ticket"]["reference"]
    tickets = app_services.store.list_tickets()
    assert [t.reference for t in tickets] == [data["ticket"]["reference"]]
    # The filing message was refused on the loop at its ticket write (a disk sync) and answered on a thread; the
    # others were answered on the loop.
    assert where.seen[-1] == "chat" and where.seen[-2] == "loop" and where.seen.count("chat") == 1
    assert moved(app_services, "durable") == 1


def test_staff_replies_are_marked_delivered_only_with_the_message_that_shows_them(app_services: Services) -> None:
    # Marking staff replies delivered is a write after the message's session write; on the event loop that write is
    # handed back, so the marking (which would stand even if the session write then failed) is refused there and
    # the message is answered on a thread, where both are made in order.
    where = Where(app_services)
    with TestClient(create_app(app_services)) as client:
        session, data = file_callback_request(client)
        app_services.store.add_reply(data["ticket"]["reference"], actor="alice", text="We will call you tomorrow.",
                                     now=data["ticket"]["created_at"] + 60)
        shown = client.post("/api/chat", json={"session_id": session, "text": "thanks"}).json()
        again = client.post("/api/chat", json={"session_id": session, "text": "thanks again"}).json()
    assert "We will call you tomorrow." in shown["text"]
    assert "We will call you tomorrow." not in again["text"]  # delivered once
    assert where.seen[-3:] == ["loop", "chat", "loop"]
    assert moved(app_services, "after_session") == 1
