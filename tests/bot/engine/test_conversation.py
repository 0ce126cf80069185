"""The conversation core with real matcher, renderer and SQLite store: answers, clarify, language, state."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

import pytest

from bot.engine.conversation import TRANSCRIPT_TURNS, Conversation
from bot.engine.messages import Message, Reply
from handoff import session_log
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from intents.catalog import Catalog
from intents.matcher import Matcher
from responses.renderer import Renderer

SID = "conv-test-session-1"


def ask(conversation: Conversation, text: str, session_id: str = SID, lang: str | None = None) -> Reply:
    return conversation.handle(Message(text=text, session_id=session_id, frontend="cli", lang=lang))


# -- answers ----------------------------------------------------------------------------------------

def test_answer_carries_article_and_citation(conversation: Conversation) -> None:
    reply = ask(conversation, "what are cookies used for?")
    assert reply.decision == "answer"
    assert reply.article == 12
    assert reply.intent == "cookies"
    assert reply.handoff is None
    assert reply.citation is not None
    assert re.fullmatch(r"Article 12 \(.+\)", reply.citation), reply.citation
    assert reply.citation in reply.text
    assert reply.lang == "en"
    assert reply.session_id == SID
    assert reply.choices == ()
    assert reply.notices == ()
    assert reply.html.startswith("<") and "Article 12" in reply.html
    assert "Article 12" in reply.mrkdwn


def test_citation_names_the_article_title(conversation: Conversation, renderer: Renderer) -> None:
    reply = ask(conversation, "Do you use Google Analytics?")
    assert reply.article == 11
    assert reply.citation == renderer.citation(11, "en")
    assert reply.citation is not None and reply.citation.startswith("Article 11 (") and reply.citation.endswith(")")


def test_reply_to_dict_is_json_serialisable(conversation: Conversation) -> None:
    data = ask(conversation, "what are cookies used for?").to_dict()
    decoded = json.loads(json.dumps(data, ensure_ascii=False))
    assert decoded["article"] == 12 and decoded["decision"] == "answer"
    assert isinstance(decoded["choices"], list) and isinstance(decoded["notices"], list)


def test_request_reply_hands_off_and_announces_the_form(conversation: Conversation) -> None:
    reply = ask(conversation, "Please delete my account and all my data.")
    assert reply.decision == "request"
    assert reply.handoff == "suspension"
    assert reply.article == 9
    assert reply.intent == "request_suspension"
    assert reply.citation is not None and reply.citation.startswith("Article 9 (")
    assert "form follows" in reply.text


def test_japanese_request_reply(conversation: Conversation) -> None:
    reply = ask(conversation, "保有している私の個人情報を開示してください")
    assert reply.decision == "request"
    assert reply.handoff == "disclosure"
    assert reply.article == 7
    assert reply.lang == "ja"
    assert "フォーム" in reply.text


def test_procedure_question_answers_with_offer(conversation: Conversation) -> None:
    reply = ask(conversation, "how do I ask you to delete my data?")
    assert reply.decision == "answer"
    assert reply.article == 9
    assert reply.handoff is None


def test_person_request_is_an_inquiry(conversation: Conversation) -> None:
    reply = ask(conversation, "get me a real person")
    assert reply.decision == "request"
    assert reply.handoff == "inquiry"
    assert reply.article == 14


def test_help_lists_every_topic(conversation: Conversation) -> None:
    reply = ask(conversation, "what can you do?")
    assert reply.decision == "smalltalk"
    assert reply.intent == "help"
    assert reply.article is None and reply.citation is None
    for article in range(1, 15):
        assert f"(Article {article})" in reply.text, article
    assert {t.article for t in conversation.topics("en")} == set(range(1, 15))


def test_help_in_japanese_lists_every_topic(conversation: Conversation) -> None:
    reply = ask(conversation, "何ができますか")
    assert reply.decision == "smalltalk"
    assert reply.lang == "ja"
    for article in range(1, 15):
        assert f"第{article}条" in reply.text, article


def test_fallback_is_honest_and_lists_topics(conversation: Conversation) -> None:
    reply = ask(conversation, "lunch at noon?")
    assert reply.decision == "fallback"
    assert reply.article is None and reply.citation is None and reply.intent is None and reply.handoff is None
    for article in range(1, 15):
        assert f"(Article {article})" in reply.text


# -- clarification ----------------------------------------------------------------------------------

def _seed_choices(store: SQLiteStore, catalog: Catalog, articles: list[int], session_id: str = SID,
                  **extra: Any) -> list[str]:
    ids = []
    for article in articles:
        intent = catalog.question_for_article(article)
        assert intent is not None
        ids.append(intent.id)
    store.save_session(session_id, {"pending_choices": ids, **extra}, 600)
    return ids


def test_real_clarify_offers_choices_then_number_picks(conversation: Conversation, catalog: Catalog) -> None:
    candidates = ["data", "my data", "personal data", "my personal data", "information", "my info", "info",
                  "personal info", "info about personal data", "personal information", "情報", "個人データ",
                  "私の情報", "データについて"]
    reply = None
    for n, text in enumerate(candidates):
        attempt = ask(conversation, text, session_id=f"clarify-search-{n}")
        if attempt.decision == "clarify":
            reply = attempt
            break
    assert reply is not None, "no vague message produced a clarify reply"
    assert 2 <= len(reply.choices) <= 3
    assert [c.number for c in reply.choices] == list(range(1, len(reply.choices) + 1))
    for choice in reply.choices:
        assert choice.label == catalog[choice.intent].label(reply.lang)
        assert choice.article == catalog[choice.intent].article
        assert choice.label in reply.text
    assert reply.article == reply.choices[0].article
    picked = ask(conversation, "2", session_id=reply.session_id)
    assert picked.decision == "answer"
    assert picked.intent == reply.choices[1].intent
    assert picked.article == reply.choices[1].article
    assert picked.lang == reply.lang
    assert picked.citation is not None and picked.citation in picked.text


@pytest.mark.parametrize("pick", ["2", "２", " 2. ", "#2", "option 2", "the second one", "second", "two", "2番"])
def test_picking_the_second_choice(conversation: Conversation, store: SQLiteStore, catalog: Catalog,
                                   renderer: Renderer, pick: str) -> None:
    ids = _seed_choices(store, catalog, [12, 11, 10])
    reply = ask(conversation, pick)
    assert reply.decision == "answer", pick
    assert reply.intent == ids[1]
    assert reply.article == 11
    assert reply.citation == renderer.citation(11, reply.lang)
    state = store.load_session(SID)
    assert state is not None and state["pending_choices"] == []


def test_picking_by_label(conversation: Conversation, store: SQLiteStore, catalog: Catalog) -> None:
    ids = _seed_choices(store, catalog, [12, 11, 10])
    label = catalog[ids[2]].label("en")
    reply = ask(conversation, label)
    assert reply.decision == "answer"
    assert reply.intent == ids[2]
    assert reply.article == 10


def test_picking_by_japanese_label(conversation: Conversation, store: SQLiteStore, catalog: Catalog) -> None:
    ids = _seed_choices(store, catalog, [3, 6], lang="ja")
    reply = ask(conversation, catalog[ids[1]].label("ja"))
    assert reply.intent == ids[1]
    assert reply.article == 6
    assert reply.lang == "ja"


def test_picking_a_request_choice_starts_the_request(conversation: Conversation, store: SQLiteStore,
                                                     catalog: Catalog) -> None:
    request = catalog.request_for_type("disclosure")
    assert request is not None
    store.save_session(SID, {"pending_choices": [catalog.question_for_article(3).id, request.id]}, 600)  # type: ignore[union-attr]
    reply = ask(conversation, "2")
    assert reply.decision == "request"
    assert reply.handoff == "disclosure"
    assert reply.article == 7


def test_number_out_of_range_is_matched_normally(conversation: Conversation, store: SQLiteStore,
                                                 catalog: Catalog) -> None:
    _seed_choices(store, catalog, [12, 11])
    reply = ask(conversation, "5")
    assert reply.decision == "fallback"
    assert reply.article is None


def test_non_matching_follow_up_is_matched_normally(conversation: Conversation, store: SQLiteStore,
                                                    catalog: Catalog) -> None:
    _seed_choices(store, catalog, [11, 10])
    reply = ask(conversation, "what are cookies used for?")
    assert reply.decision == "answer"
    assert reply.article == 12
    state = store.load_session(SID)
    assert state is not None and state["pending_choices"] == []


def test_number_without_pending_choices_is_not_a_pick(conversation: Conversation) -> None:
    reply = ask(conversation, "2")
    assert reply.decision == "fallback"
    assert reply.article is None


def test_stale_intent_ids_in_session_are_ignored(conversation: Conversation, store: SQLiteStore) -> None:
    store.save_session(SID, {"pending_choices": ["no_such_intent", "also_gone"]}, 600)
    reply = ask(conversation, "1")
    assert reply.decision == "fallback"


# -- language ---------------------------------------------------------------------------------------

def test_japanese_message_gets_japanese_reply(conversation: Conversation) -> None:
    reply = ask(conversation, "クッキーを無効にするとどうなりますか？")
    assert reply.lang == "ja"
    assert reply.decision == "answer" and reply.article == 12
    assert reply.citation is not None and reply.citation.startswith("第12条")
    assert reply.citation in reply.text
    assert re.search(r"[\u3040-\u30ff]", reply.text)


def test_explicit_language_overrides_the_message(conversation: Conversation) -> None:
    reply = ask(conversation, "クッキーを無効にするとどうなりますか？", lang="en")
    assert reply.lang == "en"
    assert reply.citation is not None and reply.citation.startswith("Article ")
    assert not re.search(r"[\u3040-\u30ff]", reply.text)


@pytest.mark.parametrize(("text", "lang", "decision", "article"), [
    ("Please delete my account and all my data.", "ja", "request", 9),
    ("what are cookies used for?", "ja", "answer", 12),
    ("私の個人情報をすべて削除してください", "en", "request", 9),
    ("Googleアナリティクスを使っていますか？", "en", "answer", 11),
])
def test_reply_language_choice_does_not_change_what_is_understood(conversation: Conversation, text: str, lang: str,
                                                                  decision: str, article: int) -> None:
    """The language switch picks the reply language; the message is still understood in its own language."""
    own = ask(conversation, text, session_id="own-language-1")
    assert (own.decision, own.article) == (decision, article)
    switched = ask(conversation, text, session_id="switched-language-1", lang=lang)
    assert switched.lang == lang
    assert (switched.decision, switched.article, switched.handoff) == (own.decision, own.article, own.handoff)


def test_explicit_japanese_for_english_message(conversation: Conversation) -> None:
    reply = ask(conversation, "what can you do?", lang="ja")
    assert reply.lang == "ja"
    assert "第12条" in reply.text


def test_digits_only_message_keeps_the_session_language(conversation: Conversation) -> None:
    assert ask(conversation, "クッキーとは何ですか").lang == "ja"
    assert ask(conversation, "12345").lang == "ja"
    assert ask(conversation, "!!!").lang == "ja"
    assert ask(conversation, "what are cookies?").lang == "en"
    assert ask(conversation, "12345").lang == "en"


def test_default_language_for_a_fresh_session_without_letters(matcher: Matcher, renderer: Renderer,
                                                               store: SQLiteStore) -> None:
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store, default_lang="ja")
    assert ask(conversation, "123").lang == "ja"
    assert ask(conversation, "hello", session_id="other-session-1").lang == "en"


def test_half_width_katakana_message_is_japanese(conversation: Conversation) -> None:
    """ｸｯｷｰ is クッキー in half-width forms: same language, same answer."""
    full = ask(conversation, "クッキー", session_id="full-width-1")
    half = ask(conversation, "ｸｯｷｰ", session_id="half-width-1")
    assert full.lang == "ja" and full.article == 12
    assert half.lang == "ja"
    assert half.article == 12


# -- state ------------------------------------------------------------------------------------------

def test_session_state_is_persisted(conversation: Conversation, store: SQLiteStore) -> None:
    ask(conversation, "クッキーとは何ですか")
    state = store.load_session(SID)
    assert state is not None
    assert state["lang"] == "ja"
    transcript = session_log.recent(store, SID, state)  # the lines live beside the state (issue 18)
    assert [t["role"] for t in transcript] == ["user", "bot"]
    assert transcript[0]["text"] == "クッキーとは何ですか"
    assert transcript[1]["intent"] == "cookies"
    ask(conversation, "what are cookies?")
    state = store.load_session(SID)
    assert state is not None and state["lang"] == "en"
    assert len(session_log.recent(store, SID, state)) == 4


def test_transcript_is_bounded(conversation: Conversation, store: SQLiteStore) -> None:
    for n in range(TRANSCRIPT_TURNS + 3):
        ask(conversation, f"what are cookies? ({n})")
    state = store.load_session(SID)
    assert state is not None
    transcript = session_log.recent(store, SID, state)
    assert len(transcript) == TRANSCRIPT_TURNS * 2
    assert transcript[-2]["text"] == f"what are cookies? ({TRANSCRIPT_TURNS + 2})"
    assert len(store.load_log(SID, 1, 10_000)) == TRANSCRIPT_TURNS * 2  # nothing older is kept either


def test_sessions_are_separate(conversation: Conversation, store: SQLiteStore) -> None:
    ask(conversation, "クッキーとは何ですか", session_id="session-aaaa")
    ask(conversation, "what are cookies?", session_id="session-bbbb")
    a, b = store.load_session("session-aaaa"), store.load_session("session-bbbb")
    assert a is not None and b is not None
    assert a["lang"] == "ja" and b["lang"] == "en"
    assert len(session_log.recent(store, "session-aaaa", a)) == len(session_log.recent(store, "session-bbbb", b)) == 2


def test_long_message_is_truncated_with_notice(conversation: Conversation, store: SQLiteStore) -> None:
    text = "what are cookies used for? " * 300
    assert len(text) > conversation.max_message_chars
    reply = ask(conversation, text)
    assert "truncated" in reply.notices
    assert reply.decision in ("answer", "clarify", "request", "fallback", "smalltalk")
    state = store.load_session(SID)
    assert state is not None
    assert len(session_log.recent(store, SID, state)[0]["text"]) == conversation.max_message_chars


def test_small_message_limit(matcher: Matcher, renderer: Renderer, store: SQLiteStore) -> None:
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store, max_message_chars=100)
    reply = ask(conversation, "what are cookies used for? " + "x" * 200)
    assert "truncated" in reply.notices
    assert ask(conversation, "what are cookies used for?", session_id="short-1").notices == ()


class BrokenStore(SQLiteStore):
    """A real SQLite store with an injected outage on session reads and writes."""

    def load_session(self, session_id: str) -> dict[str, Any] | None:
        raise StoreUnavailable("injected: store is down")

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int, log: Any = None) -> None:
        raise StoreUnavailable("injected: store is down")


class WriteOnlyBrokenStore(SQLiteStore):
    """Reads work, writes fail (e.g. disk full)."""

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int, log: Any = None) -> None:
        raise StoreUnavailable("injected: disk full")


def test_store_outage_still_answers(matcher: Matcher, renderer: Renderer, tmp_path: Path) -> None:
    broken = BrokenStore.in_dir(tmp_path / "broken")
    try:
        conversation = Conversation(matcher=matcher, renderer=renderer, store=broken)
        reply = ask(conversation, "what are cookies used for?")
        assert reply.decision == "answer"
        assert reply.article == 12
        assert "store_unavailable" in reply.notices
        assert list(reply.notices).count("store_unavailable") == 1
        japanese = ask(conversation, "クッキーとは何ですか")
        assert japanese.lang == "ja" and japanese.article == 12
        assert "store_unavailable" in japanese.notices
    finally:
        broken.close()


def test_store_write_failure_still_answers(matcher: Matcher, renderer: Renderer, tmp_path: Path) -> None:
    broken = WriteOnlyBrokenStore.in_dir(tmp_path / "ro")
    try:
        conversation = Conversation(matcher=matcher, renderer=renderer, store=broken)
        reply = ask(conversation, "Please delete my account and all my data.")
        assert reply.decision == "request" and reply.handoff == "suspension"
        assert "store_unavailable" in reply.notices
    finally:
        broken.close()


# -- hostile input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "{{ 7*7 }}",
    "what are cookies used for? {{ 7*7 }}",
    "{{ 7*7 }} クッキーとは",
    "${7*7} #{7*7} <%= 7*7 %>",
])
def test_template_expressions_are_never_evaluated(conversation: Conversation, text: str) -> None:
    reply = ask(conversation, text)
    for output in (reply.text, reply.html, reply.mrkdwn):
        assert "49" not in output


@pytest.mark.parametrize("text", [
    "{% for x in range(3) %}x{% endfor %}",
    "cookies {% for x in range(3) %}x{% endfor %}",
])
def test_template_statements_are_never_evaluated(conversation: Conversation, text: str) -> None:
    reply = ask(conversation, text)
    for output in (reply.text, reply.html, reply.mrkdwn):
        assert "xxx" not in output


def test_template_syntax_is_stored_verbatim(conversation: Conversation, store: SQLiteStore) -> None:
    ask(conversation, "{{ 7*7 }}")
    state = store.load_session(SID)
    assert state is not None and session_log.recent(store, SID, state)[0]["text"] == "{{ 7*7 }}"


def test_script_tags_never_reach_html(conversation: Conversation) -> None:
    reply = ask(conversation, "<script>alert(1)</script> what are cookies?")
    assert "<script" not in reply.html.lower()


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "😀", "a" * 10_000, "あ" * 10_000, "\u202e\u200b"])
def test_odd_messages_get_a_reply(conversation: Conversation, text: str) -> None:
    reply = ask(conversation, text)
    assert reply.decision in ("answer", "clarify", "request", "fallback", "smalltalk")
    assert reply.text.strip()


@pytest.mark.parametrize("text", ["\ud800", "what are cookies \udfff used for?"])
def test_lone_surrogates_do_not_crash_the_conversation(conversation: Conversation, text: str) -> None:
    """A JSON body may carry an escaped lone surrogate ("\\ud800"); the core must still reply."""
    reply = ask(conversation, text)
    assert reply.decision in ("answer", "clarify", "request", "fallback", "smalltalk")
    assert reply.text.strip()
