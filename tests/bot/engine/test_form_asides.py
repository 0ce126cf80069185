"""Questions asked in the middle of a request form are answered, then the form's question is asked again with the
answers so far kept (issue 15 point 5); a session that cannot be written never pretends the form moved on (issue 11
point 8); and the status answer reads plainly (issue 15 point 9)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from intents.matcher import Matcher
from responses.renderer import Renderer

SID = "aside-session-1"
OPENER = "Please send me a copy of all the personal data you hold about me."


class WriteFailingStore(SQLiteStore):
    """A real SQLite store whose session writes fail on demand (a locked or read-only file): reads still work."""

    writes_fail = False

    def save_session(self, *args: Any, **kwargs: Any) -> None:
        if self.writes_fail:
            raise StoreUnavailable("injected write failure")
        super().save_session(*args, **kwargs)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[WriteFailingStore]:
    s = WriteFailingStore(tmp_path / "bot.sqlite3")
    yield s
    s.close()


@pytest.fixture()
def bot(matcher: Matcher, renderer: Renderer, store: WriteFailingStore) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=store)


def say(bot: Conversation, text: str, lang: str | None = None) -> Reply:
    step = bot.open_step(Message(text="", session_id=SID))  # answers the open question, as the web page does
    return bot.handle(Message(text=text, session_id=SID, frontend="web", lang=lang, step=step))


def values(reply: Reply) -> list[str | None]:
    return [c.value for c in reply.choices]


def test_a_question_at_a_choice_step_is_answered_then_the_step_asked_again(bot: Conversation) -> None:
    first = say(bot, OPENER)
    assert values(first) == ["yes", "switch", "cancel"]
    aside = say(bot, "tell me about cookies")
    assert aside.decision == "answer" and aside.article == 12
    assert aside.citation == "Article 12 (Use of Cookies, etc.)"
    assert "Is this the request you want to make?" in aside.text.splitlines()[-1]
    assert values(aside) == ["yes", "switch", "cancel"]
    assert "choose" not in aside.text.lower()  # not "please choose by number"
    # The form goes on from where it was.
    assert "full name" in say(bot, "1").text


def test_answers_so_far_are_kept_across_a_question(bot: Conversation) -> None:
    for answer in (OPENER, "1", "Jane Doe", "jane@example.com"):
        say(bot, answer)
    aside = say(bot, "クッキーについて教えて")  # at "for yourself or as a representative?"
    assert aside.article == 12 and values(aside) == ["self", "representative"]
    thanks = say(bot, "thanks")
    assert thanks.decision == "smalltalk" and values(thanks) == ["self", "representative"]
    for answer in ("1", "everything", "1"):
        reply = say(bot, answer)
    assert values(reply) == ["confirm", "restart", "cancel"]
    assert "Jane Doe" in reply.text and "jane@example.com" in reply.text


def test_a_question_at_the_name_step_is_not_taken_as_a_name(bot: Conversation) -> None:
    say(bot, OPENER)
    say(bot, "1")
    aside = say(bot, "why do you need my name")
    assert aside.decision == "answer" and aside.article == 3
    assert aside.text.rstrip().endswith("What is your full name (as registered with our service)?")
    reply = say(bot, "Jane Doe")
    assert "email" in reply.text
    for answer in ("jane@example.com", "1", "everything", "1"):
        reply = say(bot, answer)
    assert "Jane Doe" in reply.text and "why do you need" not in reply.text


def test_a_short_name_with_a_topic_word_is_a_name(bot: Conversation) -> None:
    say(bot, OPENER)
    say(bot, "1")
    reply = say(bot, "Mary Cookie")
    assert reply.decision == "request" and "email" in reply.text


def test_free_text_steps_take_the_text_as_the_answer(bot: Conversation) -> None:
    for answer in (OPENER, "1", "Jane Doe", "jane@example.com", "1"):
        say(bot, answer)
    reply = say(bot, "my cookie settings and analytics data")  # "which information?": an answer, not a question
    assert values(reply) == ["electronic", "paper"]


def test_a_failed_session_write_asks_the_same_question_again(bot: Conversation, store: WriteFailingStore) -> None:
    for answer in (OPENER, "1"):
        say(bot, answer)
    store.writes_fail = True
    reply = say(bot, "Jane Doe")
    assert "store_unavailable" in reply.notices
    assert "can't reach our storage" in reply.text
    assert reply.text.rstrip().endswith("What is your full name (as registered with our service)?")
    store.writes_fail = False
    assert "email" in say(bot, "Jane Doe").text  # sent again: now kept, the form moves on


def test_a_failed_session_write_outside_a_form_is_said(bot: Conversation, store: WriteFailingStore) -> None:
    store.writes_fail = True
    reply = say(bot, "what are cookies used for?")
    assert reply.article == 12 and "store_unavailable" in reply.notices
    assert reply.text.startswith("Sorry, I can't reach our storage")


# -- the status answer, as requesters read it (issue 15 point 9) ------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_status_answer_has_no_nested_parentheses_and_says_when_it_closed(
        bot: Conversation, store: WriteFailingStore, lang: str) -> None:
    import re

    # The Japanese form asks who is asking first, and the reading of the name (issue 14 point 6).
    answers = (("1", "Jane Doe", "jane@example.com", "1") if lang == "en" else
               ("1", "1", "山田 花子", "ヤマダ ハナコ", "jane@example.com"))
    for answer in (OPENER, *answers, "everything", "1", "1"):
        receipt = say(bot, answer, lang=lang)
    assert receipt.ticket is not None
    reference = receipt.ticket["reference"]

    def nested(text: str) -> bool:
        depth = 0
        for char in text:
            if char in "(（":
                depth += 1
                if depth > 1:
                    return True
            elif char in ")）":
                depth -= 1
        return False

    open_status = say(bot, f"status {reference}", lang=lang).text
    assert not nested(open_status), open_status
    assert "due" not in open_status and "回答予定日" not in open_status  # no date is promised to requesters
    store.claim(reference, actor="alice", now=receipt.ticket["created_at"] + 60)
    store.update_status(reference, "resolved", actor="alice", now=receipt.ticket["created_at"] + 120)
    closed = say(bot, f"status {reference}", lang=lang).text
    assert not nested(closed), closed
    assert "due" not in closed and "回答予定日" not in closed
    assert re.search(r"closed \d{1,2} \w+ \d{4}|対応終了日：\d{4}年", closed), closed
