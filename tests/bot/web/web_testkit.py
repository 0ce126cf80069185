"""Shared by the web tests of chat on the event loop (`test_web_inline*.py`)."""
from __future__ import annotations

import asyncio
import copy
import threading
from typing import Any

from fastapi.testclient import TestClient

from bot.app import Services
from bot.engine.messages import Message, Reply

#: A request form for a person to call back, filled to its ticket (after "get me a real person").
CALLBACK_FORM = ("yes", "Jane Doe", "jane@example.com", "self", "Please call me back", "confirm")


class Where:
    """Wraps the core's `handle`: where each run of a message happened ("loop": the event loop, else the name of
    the thread's pool, e.g. "chat")."""

    def __init__(self, services: Services) -> None:
        self.real = services.conversation.handle
        self.seen: list[str] = []
        #: Each run's message text and the session state it was given, as given.
        self.given: list[tuple[str, Any]] = []
        services.conversation.handle = self  # type: ignore[method-assign]

    def __call__(self, message: Message, start: Any = None) -> Reply:
        self.given.append((message.text, copy.deepcopy(start.state) if start is not None else None))
        try:
            asyncio.get_running_loop()
            self.seen.append("loop")
        except RuntimeError:
            self.seen.append(threading.current_thread().name.rsplit("-", 1)[0])
        return self.real(message, start)


def file_callback_request(client: TestClient) -> tuple[str, dict[str, Any]]:
    """A new session's call-back request filled to its ticket: (session id, the filing reply)."""
    session = client.post("/api/chat", json={"text": "get me a real person"}).json()["session_id"]
    data: dict[str, Any] = {}
    for answer in CALLBACK_FORM:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    return session, data
