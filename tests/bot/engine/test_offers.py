"""Follow-ups start what was offered (issue 14 point 5)."""
from __future__ import annotations

from typing import Any

import pytest

from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from bot.engine.offers import OFFERS, is_confirmation
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.renderer import Renderer

QUESTIONS = {
    "disclosure": ("Can I get a copy of the personal data you hold about me?", "保有個人データの開示を請求できますか"),
    "correction": ("How can I correct wrong information you hold about me?", "登録情報が間違っている場合、訂正してもらえますか"),
    "suspension": ("Can I ask you to stop using my data?", "個人情報の利用を停止してもらうことはできますか"),
    "third_party_stop": ("Can I stop you from giving my data to third parties?", "第三者への提供を止めてもらえますか"),
    "inquiry": ("How do I contact you about the privacy policy?", "お問い合わせ先はどこですか"),
}
YES = {"en": ["yes please", "Yes", "ok", "sure, go ahead", "yes please do"],
       "ja": ["はい、お願いします", "うん", "お願いします", "はい", "開始してください", "ええ、お願いします。"]}


class CountingMatcher:
    """The real matcher, counting calls: a bare yes must never reach topic matching."""

    def __init__(self, matcher: Matcher) -> None:
        self.inner, self.calls = matcher, 0
        self.catalog = matcher.catalog

    def match(self, text: str, lang: str | None = None) -> Any:
        self.calls += 1
        return self.inner.match(text, lang)


@pytest.fixture()
def counting(matcher: Matcher) -> CountingMatcher:
    return CountingMatcher(matcher)


@pytest.fixture()
def chat(counting: CountingMatcher, renderer: Renderer, store: SQLiteStore) -> Conversation:
    return Conversation(matcher=counting, renderer=renderer, store=store)  # type: ignore[arg-type]


def say(chat: Conversation, text: str, sid: str = "offers") -> Reply:
    return chat.handle(Message(text=text, session_id=sid))


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("request_type", sorted(QUESTIONS))
def test_the_offer_is_a_button_and_a_yes_accepts_that_offer(chat: Conversation, request_type: str, lang: str) -> None:
    for n, yes in enumerate(YES[lang]):
        sid = f"{request_type}-{lang}-{n}"
        answer = say(chat, QUESTIONS[request_type][lang == "ja"], sid)
        assert answer.decision == "answer" and OFFERS[answer.intent] == request_type  # type: ignore[index]
        [button] = answer.choices
        assert button.intent == f"request_{request_type}" and button.label
        accepted = say(chat, yes, sid)
        assert accepted.decision == "request" and accepted.handoff == request_type, (yes, accepted.text)


def test_button_labels_in_both_languages(chat: Conversation) -> None:
    assert [c.label for c in say(chat, QUESTIONS["disclosure"][0], "l1").choices] == ["Request disclosure"]
    assert [c.label for c in say(chat, QUESTIONS["disclosure"][1], "l2").choices] == ["開示を請求する"]
    assert say(chat, "1", "l2").handoff == "disclosure"  # the button sends its number
    say(chat, QUESTIONS["disclosure"][1], "l3")
    assert say(chat, "開示を請求する", "l3").handoff == "disclosure"  # or its label, typed


def test_the_yes_that_opened_a_suspension_now_opens_disclosure(chat: Conversation) -> None:
    say(chat, "保有個人データの開示を請求できますか", "j1")
    assert say(chat, "はい、お願いします", "j1").handoff == "disclosure"


@pytest.mark.parametrize("text", ["はい", "うん", "お願いします", "開始してください", "yes", "ok", "yes please", "Sure!"])
def test_a_bare_yes_with_no_offer_asks_what_the_user_means(chat: Conversation, counting: CountingMatcher,
                                                          text: str) -> None:
    reply = say(chat, text, f"bare-{text}")
    assert (reply.decision, reply.intent, reply.article, reply.handoff) == ("smalltalk", None, None, None)
    assert counting.calls == 0
    assert ("not sure what you are saying yes to" in reply.text) or ("何へのお返事か分かりませんでした" in reply.text)


def test_an_offer_lasts_one_turn(chat: Conversation) -> None:
    say(chat, QUESTIONS["disclosure"][0], "t1")
    say(chat, "what are cookies used for?", "t1")  # an answer that offers nothing
    reply = say(chat, "yes please", "t1")
    assert reply.handoff is None and reply.decision == "smalltalk"


def test_answers_without_a_procedure_offer_nothing(chat: Conversation) -> None:
    assert say(chat, "what are cookies used for?", "n1").choices == ()


@pytest.mark.parametrize("text", ["yes please", "Yes.", "ok", "okay thanks", "yes thank you", "go ahead", "sure", "はい", "うん",
                                  "お願いします", "はい、お願いします", "ええ", "開始してください", "よろしくお願いします"])
def test_confirmations(text: str) -> None:
    assert is_confirmation(text)


@pytest.mark.parametrize("text", ["yes, and what about cookies?", "no", "いいえ", "ok but how do I delete my data",
                                  "はい、Cookieについて教えてください", "please delete my data", "データ消去よろしく", "",
                                  "thanks!", "thank you", "ありがとうございます"])
def test_not_confirmations(text: str) -> None:
    assert not is_confirmation(text)


def test_a_message_is_read_for_a_yes_once(chat: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18: reading a yes (NFKC, case fold, two patterns over the whole message) is done once per message,
    whether or not an offer is open and whatever the message turns out to be."""
    import bot.engine.conversation as conversation

    calls: list[str] = []

    def counted(text: str) -> bool:
        calls.append(text)
        return is_confirmation(text)

    monkeypatch.setattr(conversation, "is_confirmation", counted)
    for n, text in enumerate(["which cookies do you set on my browser?", "yes please", "ok", "クッキーは使っていますか"]):
        calls.clear()
        say(chat, text, f"once-{n}")
        assert calls == [text]
