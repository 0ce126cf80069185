"""Issue 11 point 7: an answer applies only to the question it answers (step tokens, `bot.engine.steps`).

A re-sent "1" after a lost response, or an old "1. Yes, continue" button clicked at the summary, never moves a
form on and never files a ticket; the user is told and sees the current question again. Plain text without a
token keeps working, and its exact repeat within a few seconds is a retry. The web API and Slack buttons carry
the token both ways."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from slack_sdk import WebClient

from bot.app import Services
from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from bot.engine.steps import RETRY_SECONDS
from bot.slack.blocks import reply_message
from bot.slack.chat import SlackChat
from bot.web.app import create_app
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from intents.matcher import Matcher
from responses.renderer import Renderer

OPENER = "Please send me a copy of all the personal data you hold about me."
#: Disclosure form answers up to the summary: confirm type, name, email, self, scope, delivery (electronic).
TO_SUMMARY = ["1", "Jane Doe", "jane@example.com", "1", "everything", "1"]
EARLIER = "earlier question"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def _conversation(matcher: Matcher, renderer: Renderer, tmp_path: Path) -> tuple[Conversation, SQLiteStore, Clock]:
    clock = Clock()
    store = SQLiteStore(tmp_path / "steps.sqlite3", clock=clock)
    return Conversation(matcher=matcher, renderer=renderer, store=store, clock=clock), store, clock


def _say(conversation: Conversation, clock: Clock, text: str, step: str | None, seconds: float = 20.0) -> Reply:
    clock.now += seconds  # a person takes a while to read and answer
    return conversation.handle(Message(text=text, session_id="steps-1", frontend="web", step=step))


def _to_summary(conversation: Conversation, clock: Clock) -> list[Reply]:
    replies = [_say(conversation, clock, OPENER, None)]
    for answer in TO_SUMMARY:
        replies.append(_say(conversation, clock, answer, replies[-1].step))
    assert "Shall I send it to our staff?" in replies[-1].text
    return replies


def test_an_answer_for_an_earlier_question_is_not_applied(matcher: Matcher, renderer: Renderer,
                                                          tmp_path: Path) -> None:
    conversation, store, clock = _conversation(matcher, renderer, tmp_path)
    replies = _to_summary(conversation, clock)
    assert all(r.step for r in replies) and len({r.step for r in replies}) == len(replies)
    summary = replies[-1]
    # The old "1. Yes, continue" button of the first question, clicked at the summary: nothing is filed.
    old_button = _say(conversation, clock, "1", replies[0].step)
    assert EARLIER in old_button.text and "Shall I send it to our staff?" in old_button.text
    assert "stale_step" in old_button.notices and old_button.step == summary.step
    assert [c.label for c in old_button.choices] == [c.label for c in summary.choices]
    assert store.list_tickets() == []
    # A lost response: "1" (delivery) was applied; the client sends it again with the token it had.
    again = _say(conversation, clock, "1", replies[-2].step, seconds=1)
    assert EARLIER in again.text and store.list_tickets() == [] and again.ticket is None
    # The answer to the current question (with its token) is applied.
    receipt = _say(conversation, clock, "1", summary.step)
    assert receipt.ticket is not None and len(store.list_tickets()) == 1 and receipt.step is None
    # A token when nothing is asked any more: told, nothing happens.
    late = _say(conversation, clock, "1", summary.step)
    assert EARLIER in late.text and late.ticket is None and len(store.list_tickets()) == 1


def test_plain_text_works_and_its_quick_repeat_is_a_retry(matcher: Matcher, renderer: Renderer,
                                                          tmp_path: Path) -> None:
    conversation, store, clock = _conversation(matcher, renderer, tmp_path)
    reply = _say(conversation, clock, OPENER, None)
    for answer in TO_SUMMARY[:-1]:
        reply = _say(conversation, clock, answer, None)  # no tokens at all (CLI, API clients)
    delivery = reply
    summary = _say(conversation, clock, "1", None)
    assert "Shall I send it to our staff?" in summary.text
    # The same "1" again within a few seconds (a retry after a lost response): shown the summary again,
    # never taken as "Confirm and send".
    retry = _say(conversation, clock, "1", None, seconds=RETRY_SECONDS / 2)
    assert "retry" in retry.notices and "Shall I send it to our staff?" in retry.text and EARLIER not in retry.text
    assert store.list_tickets() == [] and delivery.text != retry.text
    # A person who answers "1" after reading the summary confirms.
    receipt = _say(conversation, clock, "1", None, seconds=RETRY_SECONDS + 5)
    assert receipt.ticket is not None
    # A retried confirmation gets the same receipt, and still one ticket.
    retried = _say(conversation, clock, "1", None, seconds=1)
    assert retried.ticket is not None and retried.ticket["reference"] == receipt.ticket["reference"]
    assert "Thank you, your request has been received." in retried.text and len(store.list_tickets()) == 1


def test_a_quick_repeat_after_a_store_failure_is_applied(matcher: Matcher, renderer: Renderer,
                                                        tmp_path: Path) -> None:
    """"Couldn't save your request, please confirm again": the quick second "confirm" is that attempt, not a retry."""
    conversation, store, clock = _conversation(matcher, renderer, tmp_path)
    _to_summary(conversation, clock)
    real_create = store.create_ticket

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailable("injected outage")

    store.create_ticket = down  # type: ignore[method-assign]
    failed = _say(conversation, clock, "confirm", None)
    assert failed.ticket is None and "store_unavailable" in failed.notices
    store.create_ticket = real_create  # type: ignore[method-assign]
    again = _say(conversation, clock, "confirm", None, seconds=1)
    assert again.ticket is not None and "retry" not in again.notices


def test_web_api_carries_the_step_token(services: Services) -> None:
    client = TestClient(create_app(services))
    first = client.post("/api/chat", json={"text": OPENER}).json()
    session, token = first["session_id"], first["step"]
    assert token and first["choices"]
    second = client.post("/api/chat", json={"session_id": session, "text": "1", "step": token}).json()
    assert second["step"] and second["step"] != token  # now at the name question (typed text sends it too)
    stale = client.post("/api/chat", json={"session_id": session, "text": "1", "step": token}).json()
    assert "stale_step" in stale["notices"] and EARLIER in stale["text"] and stale["step"] == second["step"]
    resumed = client.post("/api/resume", json={"session_id": session}).json()
    assert resumed["step"] == second["step"]
    assert client.post("/api/chat", json={"session_id": session, "text": "x", "step": "bad token!"}).status_code == 422
    plain = client.post("/api/chat", json={"session_id": session, "text": "Jane Doe"}).json()
    assert "Jane Doe" not in plain["text"] or "email" in plain["text"].lower()  # applied: the email question


def test_slack_buttons_send_the_token_back(services: Services, slack_api: Any) -> None:
    from slack_mock import SlackMock

    sid = "slack:T1:D0STEPS:U0STEPS"
    first = services.conversation.handle(Message(text=OPENER, session_id=sid, frontend="slack", user_id="U0STEPS"))
    buttons = [e for b in reply_message(first)["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"].startswith("choice_")]
    assert buttons and all(b["value"] == f"{b['action_id'][7:]}:{first.step}" for b in buttons)
    chat = SlackChat(services=services, client=WebClient(token=SlackMock.TOKEN, base_url=slack_api.url))
    body = {"user": {"id": "U0STEPS", "team_id": "T1"}, "team": {"id": "T1"},
            "container": {"channel_id": "D0STEPS"}, "actions": [{"action_id": "choice_1", "value": buttons[0]["value"]}]}
    chat.on_choice(body)  # "1. Yes, continue": applied
    state = services.store.load_session(sid) or {}
    assert state["form"]["step"] == "name"
    chat.on_choice(body)  # the same old button again: not applied
    assert (services.store.load_session(sid) or {})["form"]["step"] == "name"
    posted = json.dumps([c.params for c in slack_api.calls("chat.postMessage")], ensure_ascii=False)
    assert EARLIER in posted
