"""`/api/chat` on Redis answers on the event loop (PRIVACY_BOT_CHAT_INLINE, issue 18): the message's read and its
session write go to a real redis-server with `redis.asyncio`, and a message that needs anything else from Redis (a
ticket), or whose session write fails, is answered again on a chat thread with the same start. Either way each
message has one effect: one rate-limit take, one transcript entry, one ticket, one count."""
from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.ratelimit import bucket_key, limiter_for
from bot.web.app import create_app
from web_testkit import CALLBACK_FORM, Where, file_callback_request

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.redis


@pytest.fixture
def services(tmp_path: Path, redis_server: Any) -> Iterator[Services]:
    built = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), "REDIS_URL": redis_server.url,
                                              "REDIS_KEY_PREFIX": "inline"}))
    try:
        yield built
    finally:
        built.close()


def sample(services: Services, name: str, **labels: str) -> float:
    return services.metrics.registry.get_sample_value(name, labels) or 0.0


def user_lines(client: TestClient, session: str) -> list[str]:
    resumed = client.post("/api/resume", json={"session_id": session}).json()
    return [line["text"] for line in resumed["transcript"] if line["role"] == "user"]


def session_tokens(services: Services, session: str) -> float:
    key = bucket_key("chat-session", session, salt=limiter_for(services).salt)
    store: Any = services.store
    return float(store._r.hget(store.keys.rate(key), "t"))


def test_a_plain_message_is_answered_on_the_event_loop_and_counted_once(services: Services) -> None:
    where = Where(services)
    with TestClient(create_app(services)) as client:
        first = client.post("/api/chat", json={"text": "what are cookies used for?"}).json()
        session = first["session_id"]
        second = client.post("/api/chat", json={"session_id": session, "text": "who do I contact about privacy?"})
        assert first["article"] == 12 and second.json()["article"] == 14
        assert user_lines(client, session) == ["what are cookies used for?", "who do I contact about privacy?"]
    assert where.seen == ["loop", "loop"]
    assert sample(services, "privacy_bot_decisions_total", kind="answer", frontend="web", lang="en") == 2
    assert sample(services, "privacy_bot_chat_seconds_count", frontend="web") == 2


def test_a_ticket_is_filed_once_on_a_thread_with_one_rate_limit_take(services: Services) -> None:
    where = Where(services)
    with TestClient(create_app(services)) as client:
        session, data = file_callback_request(client)
        answers = CALLBACK_FORM
        reference = data["ticket"]["reference"]
        assert user_lines(client, session)[-1] == "confirm"
        assert user_lines(client, session).count("confirm") == 1
    assert [t.reference for t in services.store.list_tickets()] == [reference]
    # The filing message was refused on the loop (the ticket is a call of its own) and answered on a thread, with
    # the start its read had made: no second read, so the session bucket was taken once per message.
    assert where.seen[-2:] == ["loop", "chat"] and where.seen.count("chat") == 1
    assert sample(services, "privacy_bot_chat_moved_to_thread_total", reason="network") == 1
    burst, takes = services.settings.rate_session_burst, len(answers) + 2  # the two /api/resume calls take too
    assert burst - takes <= session_tokens(services, session) < burst - takes + 1  # (+ what refilled meanwhile)
    assert sample(services, "privacy_bot_decisions_total", kind="request", frontend="web", lang="en") >= 1
    total = sum(sample(services, "privacy_bot_decisions_total", kind=k, frontend="web", lang="en")
                for k in ("answer", "clarify", "request", "fallback", "out_of_scope", "smalltalk"))
    assert total == 1 + len(answers)  # each message counted once, the one answered twice included


def test_redis_down_fails_open_and_the_message_is_still_answered(services: Services, redis_server: Any) -> None:
    where = Where(services)
    with TestClient(create_app(services)) as client:
        session = client.post("/api/chat", json={"text": "hello"}).json()["session_id"]
        redis_server.stop()
        answer = client.post("/api/chat", json={"session_id": session, "text": "what are cookies used for?"})
        assert answer.status_code == 200 and answer.json()["article"] == 12
        assert "store_unavailable" in answer.json()["notices"]
        redis_server.start()
        again = client.post("/api/chat", json={"session_id": session, "text": "what are cookies used for?"})
        assert again.status_code == 200 and again.json()["article"] == 12
    # Down: the read failed (limits fail open), the message then needed Redis for its session: a thread answered.
    assert where.seen[1:3] == ["loop", "chat"]
    assert sample(services, "privacy_bot_store_errors_total", operation="begin_turn") >= 1


def test_a_failed_session_write_is_answered_again_on_a_thread(services: Services, redis_server: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    where = Where(services)
    app = create_app(services)
    with TestClient(app) as client:
        session = client.post("/api/chat", json={"text": "hello"}).json()["session_id"]
        # The write after the answer fails (the server stopped between the read and the write).
        from handoff.redis.turns import AsyncTurns

        real_write = AsyncTurns.write

        async def write_then_fail(self: AsyncTurns, deferred: Any) -> None:
            redis_server.stop()
            await real_write(self, deferred)

        monkeypatch.setattr(AsyncTurns, "write", write_then_fail)
        answer = client.post("/api/chat", json={"session_id": session, "text": "what are cookies used for?"})
        assert answer.status_code == 200 and answer.json()["article"] == 12
        assert "store_unavailable" in answer.json()["notices"]  # not kept, and the reply says so
    assert where.seen == ["loop", "loop", "chat"]
    assert sample(services, "privacy_bot_chat_moved_to_thread_total", reason="write_failed") == 1
    assert sample(services, "privacy_bot_store_errors_total", operation="save_session") >= 1
    assert sample(services, "privacy_bot_chat_seconds_count", frontend="web") == 2  # counted once each


def test_an_unanswered_question_stays_on_the_loop_and_is_recorded_once_beside_it(services: Services) -> None:
    where = Where(services)
    with TestClient(create_app(services)) as client:
        reply = client.post("/api/chat", json={"text": "is the canteen open on sundays, mail me at a@b.example"}).json()
        assert reply["decision"] in ("fallback", "clarify")
        for _ in range(100):  # recorded after the reply, on a chat thread: give it a moment
            if services.store.list_unanswered():
                break
            time.sleep(0.02)
    assert where.seen == ["loop"]
    assert sample(services, "privacy_bot_chat_moved_to_thread_total", reason="network") == 0
    groups = services.store.list_unanswered()
    assert [(g.text, g.count) for g in groups] == [("is the canteen open on sundays, mail me at [email]", 1)]


def test_a_message_answered_again_starts_from_the_session_as_read(services: Services) -> None:
    # The first run changes the state it was given (the form's step, the transcript's numbering) before a call it
    # needs is refused (here the admin-content check, due at once); the run on the thread must not see those changes.
    where = Where(services)
    content = services.content
    assert content is not None
    # The check falls due after the form took the answer: the matcher does not check, the reply's rendering does.
    content.matcher = lambda: content._matcher  # type: ignore[method-assign]
    with TestClient(create_app(services)) as client:
        session = client.post("/api/chat", json={"text": "get me a real person"}).json()["session_id"]
        replies = []
        for answer in CALLBACK_FORM:
            content.invalidate()  # the next use checks the store: refused on the loop
            replies.append(client.post("/api/chat", json={"session_id": session, "text": answer}).json())
        lines = user_lines(client, session)
    assert where.seen.count("chat") >= len(CALLBACK_FORM)  # every form answer ran twice
    runs = list(zip(where.seen, where.given))
    for (place, (text, state)), (again, (text_again, state_again)) in zip(runs, runs[1:]):
        if place == "loop" and again == "chat" and text == text_again:
            assert state_again == state  # the second run was given the state as read, not as the first left it
    assert replies[-1]["ticket"] is not None and "retry" not in replies[-1]["notices"]
    assert lines == ["get me a real person", *CALLBACK_FORM]  # once each, in order
    assert len(services.store.list_tickets()) == 1


def test_a_due_content_check_is_made_by_a_thread_of_its_own_and_the_message_stays_on_the_loop(
        services: Services) -> None:
    # The check of this worker's copy of the admin content falls due every `interval`; on the loop it would need a
    # round trip of its own. It is made by a thread beside the loop, and the message is answered with the copy in use.
    where = Where(services)
    content = services.content
    assert content is not None
    reads: list[float] = []
    real_revisions = services.store.content_revisions

    def counted() -> Any:
        reads.append(time.monotonic())
        return real_revisions()

    services.store.content_revisions = counted  # type: ignore[method-assign]
    with TestClient(create_app(services)) as client:
        for _ in range(3):
            time.sleep(content.interval + 0.05)  # the check is due
            assert client.post("/api/chat", json={"text": "what are cookies used for?"}).json()["article"] == 12
    assert where.seen == ["loop", "loop", "loop"]
    assert sample(services, "privacy_bot_chat_moved_to_thread_total", reason="network") == 0
    assert len(reads) >= 2  # made, each on its thread, though nothing changed


def test_another_workers_edit_is_loaded_by_the_next_message_after_the_check_found_it(services: Services) -> None:
    where = Where(services)
    content = services.content
    assert content is not None
    with TestClient(create_app(services)) as client:
        before = client.post("/api/chat", json={"text": "what are cookies used for?"}).json()["text"]
        services.store.save_template_version("cookies", "en", "Edited by another worker: {{ cite }}", author="root",
                                             note="", now=time.time())
        started, texts = time.monotonic(), []
        while not (texts and texts[-1].startswith("Edited")) and time.monotonic() - started < 2:
            texts.append(client.post("/api/chat", json={"text": "what are cookies used for?"}).json()["text"])
            time.sleep(0.02)
        took = time.monotonic() - started
    assert texts[-1] == "Edited by another worker: Article 12 (Use of Cookies, etc.)" and took < 1.0
    assert set(texts[:-1]) <= {before}
    # Only the message that loaded the edit was answered again on a thread (the load may wait; the loop may not).
    assert where.seen.count("chat") == 1 and where.seen[-2:] == ["loop", "chat"]
    assert sample(services, "privacy_bot_chat_moved_to_thread_total", reason="network") == 1
