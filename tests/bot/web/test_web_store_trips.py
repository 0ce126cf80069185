"""What one chat message costs the store (issue 18, points 3 and 4), through the real app on real stores: with
Redis one round trip before the answer (rate buckets, session, staff replies waiting) and one for the session write,
counted by redis-server itself; with SQLite the same reads in the buckets' transaction."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from handoff import session_log
from bot.app import build_services
from bot.config import Settings
from bot.web.app import create_app


def reads_processed(admin: redis.Redis) -> int:
    return int(admin.info("stats")["total_reads_processed"])


@pytest.mark.redis
def test_a_chat_message_is_two_redis_round_trips(tmp_path: Path, redis_server: Any) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), "REDIS_URL": redis_server.url,
                                                 "REDIS_KEY_PREFIX": "trips"}))
    admin = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        # One event loop for every request, as a server has (a new loop would open new connections).
        client = TestClient(create_app(services)).__enter__()
        body = {"session_id": "session-trips-1", "text": "what are cookies used for?"}
        assert client.post("/api/chat", json=body).status_code == 200  # scripts loaded, connections open
        counts = []
        asked = (("do you share my data with partners?", "do you give my personal information to third parties?",
                  "is my data passed to other companies?"),
                 ("where can I send a question about the privacy policy?", "who handles privacy inquiries?",
                  "who do I contact about privacy?"))
        for texts in asked:
            # The server counts read events, and on a loaded machine one pipelined send can arrive as two TCP
            # segments (two reads, one round trip). Each kind of answer is measured three times (three phrasings:
            # the same text twice is a repeat, answered differently) and the least kept: a third round trip in the
            # code would show in every try.
            tries = []
            for text in texts:
                before = reads_processed(admin)
                answer = client.post("/api/chat", json={**body, "text": text})
                assert answer.status_code == 200 and answer.json()["decision"] == "answer"
                tries.append(reads_processed(admin) - before - 1)  # less our own INFO
            counts.append(min(tries))
        assert counts == [2, 2]
        state = services.store.load_session("session-trips-1") or {}
        transcript = session_log.recent(services.store, "session-trips-1", state)
        assert [line["text"] for line in transcript if line["role"] == "user"][-1] == "who do I contact about privacy?"
        client.__exit__(None, None, None)
    finally:
        admin.close()
        services.close()


def test_sqlite_chat_reads_the_session_with_the_buckets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path)}))
    store: Any = services.store
    calls: list[str] = []
    for name in ("load_session", "pending_replies", "take_tokens", "begin_turn", "save_session"):
        real = getattr(store, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    try:
        client = TestClient(create_app(services))
        answer = client.post("/api/chat", json={"session_id": "session-trips-2", "text": "what are cookies used for?"})
        assert answer.status_code == 200 and answer.json()["article"] == 12
        assert calls == ["begin_turn", "save_session"]
    finally:
        services.close()
