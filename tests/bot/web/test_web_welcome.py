"""The chat page's first screen (bot/web/static/welcome.json, issue 15 point 3): every button sends a message that
gets what its label promises, in both languages: a topic its article, a request type its form, "status" the
requester's requests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.engine.messages import Message
from handoff.tickets import REQUEST_TYPES

WELCOME = json.loads((Path(__file__).parents[3] / "bot" / "web" / "static" / "welcome.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    s = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path_factory.mktemp("welcome"))}))
    yield s
    s.close()


def ask(services: Services, text: str, session: str) -> Any:
    return services.conversation.handle(Message(text=text, session_id=session, frontend="web"))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_topic_button_is_answered_with_its_article(services: Services, lang: str) -> None:
    topics = WELCOME[lang]["topics"]
    assert len(topics) == 6
    for n, topic in enumerate(topics):
        reply = ask(services, topic["text"], f"welcome-topic-{lang}-{n}")
        assert (reply.decision, reply.article, reply.lang) == ("answer", topic["article"], lang), topic


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_request_button_starts_its_form(services: Services, lang: str) -> None:
    types = WELCOME[lang]["request"]["types"]
    assert sorted(t["request_type"] for t in types) == sorted(REQUEST_TYPES)
    for n, item in enumerate(types):
        reply = ask(services, item["text"], f"welcome-request-{lang}-{n}")
        assert (reply.decision, reply.handoff, reply.lang) == ("request", item["request_type"], lang), item
        assert [c.value for c in reply.choices] == ["yes", "switch", "cancel"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_status_button_lists_the_requesters_requests(services: Services, lang: str) -> None:
    reply = ask(services, WELCOME[lang]["status"]["text"], f"welcome-status-{lang}")
    assert services.conversation.desk.is_status_query(WELCOME[lang]["status"]["text"])
    assert "PRQ-2026-000123" in reply.text  # "no requests in this chat; send the reference with your email"
