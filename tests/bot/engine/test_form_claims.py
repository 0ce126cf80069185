"""The form and the receipt claim only what the policy or the operator states (issue 14 point 3)."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.engine.conversation import Conversation
from bot.engine.messages import Message, Reply
from handoff.intake import GROUNDS, IntakeForm
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.renderer import Renderer

FEE_WORDS = ("fee", "charge", "手数料", "有料")
TIME_WORDS = ("aim to answer", "due", "within", "回答予定", "までの回答", "目安")


def say(conversation: Conversation, text: str, sid: str = "claims") -> Reply:
    step = conversation.open_step(Message(text="", session_id=sid))  # answers the open question (web page)
    return conversation.handle(Message(text=text, session_id=sid, step=step))


def receipt_for(conversation: Conversation, lang: str) -> tuple[list[str], Reply]:
    """Every prompt of a disclosure form in `lang`, and the receipt."""
    opener = "Please send me a copy of all the personal data you hold about me." if lang == "en" else \
        "私の個人情報を開示してください。"
    prompts = [say(conversation, opener).text]
    reply = say(conversation, "1")
    while not reply.ticket:
        prompts.append(reply.text)
        values = [c.value for c in reply.choices]
        if "confirm" in values:
            answer = "1"
        elif values:
            answer = "1"
        elif "mail" in reply.text.lower() or "メール" in reply.text:
            answer = "jane@example.com"
        elif "フリガナ" in reply.text:
            answer = "ヤマダ ハナコ"
        else:
            answer = "Jane Doe" if lang == "en" else "山田 花子"
        reply = say(conversation, answer)
        assert len(prompts) < 20, prompts
    return prompts, reply


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_by_default_no_fee_and_no_response_time_is_claimed(matcher: Matcher, renderer: Renderer,
                                                          store: SQLiteStore, lang: str) -> None:
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store)
    prompts, receipt = receipt_for(conversation, lang)
    for text in prompts + [receipt.text]:
        assert not any(word in text.lower() for word in FEE_WORDS), text
    assert not any(word in receipt.text for word in TIME_WORDS), receipt.text
    status = say(conversation, f"status {receipt.ticket['reference']}")  # type: ignore[index]
    assert receipt.ticket["reference"] in status.text  # type: ignore[index]
    assert not any(word in status.text.lower() for word in TIME_WORDS), status.text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_operator_statements_are_shown_when_set(matcher: Matcher, renderer: Renderer, store: SQLiteStore,
                                                lang: str) -> None:
    settings = Settings.from_env({"PRIVACY_BOT_FEE_NOTE_EN": "Disclosure costs 500 yen.",
                                  "PRIVACY_BOT_RESPONSE_TIME_NOTE_EN": "We answer within two weeks.",
                                  "PRIVACY_BOT_RESPONSE_TIME_NOTE_JA": "2週間以内に回答します。"})
    form = IntakeForm(notes=settings.operator_notes())
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store, form=form)
    prompts, receipt = receipt_for(conversation, lang)
    # The Japanese fee statement is unset: the English one is shown rather than nothing.
    assert sum("Disclosure costs 500 yen." in p for p in prompts) == 1
    assert ("We answer within two weeks." if lang == "en" else "2週間以内に回答します。") in receipt.text


def test_operator_notes_setting_shapes() -> None:
    assert Settings.from_env({}).operator_notes() == {}
    notes = Settings.from_env({"PRIVACY_BOT_FEE_NOTE_JA": "手数料は無料です。"}).operator_notes()
    assert notes == {"fee": {"en": "手数料は無料です。", "ja": "手数料は無料です。"}}
    with pytest.raises(ConfigError, match="PRIVACY_BOT_FEE_NOTE_EN"):
        Settings.from_env({"PRIVACY_BOT_FEE_NOTE_EN": "two\nlines"})
    with pytest.raises(ConfigError, match="PRIVACY_BOT_POLICY_URL_JA"):
        Settings.from_env({"PRIVACY_BOT_POLICY_URL_JA": "javascript:alert(1)"})


def test_article_9_grounds_use_the_policys_words() -> None:
    texts = IntakeForm().texts
    for ground in GROUNDS["third_party_stop"]:
        if ground.startswith("art9_2"):
            label = texts.get("choice", ground, "en")
            # 9(2) is about how the information was obtained, not about its provision.
            assert label.startswith("Obtained") and "provided" not in label.lower()
            assert "取得" in texts.get("choice", ground, "ja") and "提供" not in texts.get("choice", ground, "ja")
    for ground in GROUNDS["suspension"]:
        if ground.startswith("art9_1"):
            label = texts.get("choice", ground, "en")
            assert label.startswith("Used") and "btained" not in label


def test_every_question_but_the_summary_is_the_forms_own_wording() -> None:
    # `FormTurn.fixed` (issue 18: such texts' formats are remembered): true for questions and error lines, which hold
    # no answer; false for the summary, which quotes them, and for any turn not made by `_ask`.
    form = IntakeForm()
    turn = form.start("disclosure", "en")
    seen = []
    for answer in ["1", "Jane Doe", "jane", "jane@example.com", "1", "everything", "2", "213-0011",
                   "1-6-8 Hisamoto", "044-123-4567"]:
        seen.append((turn.state["step"], turn.fixed, turn.text))
        turn = form.handle(turn.state, answer)
    assert turn.state["step"] == "summary" and not turn.fixed and "Jane Doe" in turn.text
    assert all(fixed for _, fixed, _ in seen)
    assert not any("Jane Doe" in text or "jane@example.com" in text for _, _, text in seen)
    assert not form.handle(turn.state, "nonsense").fixed  # the summary again, after an error line
    assert not form.handle(turn.state, "cancel").fixed
