"""A reloaded chat page gets its conversation back (issue 15 point 4): `/api/resume` returns the session's own
transcript (the last 30 lines the store keeps), the open question's choices, and staff replies in place."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.engine.desk import TRANSCRIPT_LINES
from bot.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    s = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_RATE_IP": "0",
                                          "PRIVACY_BOT_RATE_SESSION": "0"}))
    yield s
    s.close()


@pytest.fixture()
def client(services: Services) -> TestClient:
    return TestClient(create_app(services))


def chat(client: TestClient, text: str, session: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = client.post("/api/chat", json={"text": text, **({"session_id": session} if session else {})
                                                         }).json()
    return data


def resume(client: TestClient, session: str) -> dict[str, Any]:
    response = client.post("/api/resume", json={"session_id": session})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    data: dict[str, Any] = response.json()
    return data


def test_the_transcript_comes_back_with_the_open_question(client: TestClient) -> None:
    first = chat(client, "what are cookies used for?")
    session = first["session_id"]
    form = chat(client, "Please send me a copy of all the personal data you hold about me.", session)
    resumed = resume(client, session)
    lines = resumed["transcript"]
    assert [line["role"] for line in lines] == ["user", "bot", "user", "bot"]
    assert lines[0]["text"] == "what are cookies used for?" and lines[1]["text"] == first["text"]
    assert lines[3]["text"] == form["text"]
    assert [c["value"] for c in resumed["choices"]] == ["yes", "switch", "cancel"]
    assert resumed["messages"] == []
    # Another session sees none of it.
    other = resume(client, "another-session-123")
    assert other["transcript"] == [] and other["choices"] == [] and other["messages"] == []


def test_a_clarification_keeps_its_choices(client: TestClient) -> None:
    for text in ("data", "my data", "personal data", "情報"):
        reply = chat(client, text)
        if reply["decision"] == "clarify":
            break
    else:
        pytest.fail("no vague message produced a clarify reply")
    resumed = resume(client, reply["session_id"])
    assert [c["intent"] for c in resumed["choices"]] == [c["intent"] for c in reply["choices"]]


def test_only_the_last_lines_are_kept(client: TestClient) -> None:
    session = chat(client, "hello")["session_id"]
    for n in range(TRANSCRIPT_LINES):
        chat(client, f"question number {n} about cookies", session)
    lines = resume(client, session)["transcript"]
    assert len(lines) == TRANSCRIPT_LINES
    assert lines[-2]["text"] == f"question number {TRANSCRIPT_LINES - 1} about cookies"


def test_staff_replies_are_shown_once_then_stay_in_the_transcript(client: TestClient, services: Services) -> None:
    session = chat(client, "get me a real person")["session_id"]
    data: dict[str, Any] = {}
    for answer in ("yes", "Jane Doe", "jane@example.com", "self", "Please call me back", "confirm"):
        data = chat(client, answer, session)
    reference = data["ticket"]["reference"]
    services.store.add_reply(reference, actor="alice", text="We will call you tomorrow.", now=data["ticket"]["created_at"])
    resumed = resume(client, session)
    assert len(resumed["messages"]) == 1 and "We will call you tomorrow." in resumed["messages"][0]["text"]
    assert all("We will call you tomorrow." not in line["text"] for line in resumed["transcript"])
    again = resume(client, session)
    assert again["messages"] == []
    assert "We will call you tomorrow." in again["transcript"][-1]["text"]  # in place, after the receipt
    assert reference in again["transcript"][-2]["text"]
    assert "alice" not in again["transcript"][-1]["text"]  # the requester's view names no staff member
