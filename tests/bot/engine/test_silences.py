"""Honest silences (issue 14 point 1), out-of-scope support topics and others' data (issue 13 points 4 and 7).

Phrasings here are written for these tests: none is an evaluation item and none is a catalog example.
"""
from __future__ import annotations

import pytest

from bot.engine.conversation import Conversation
from bot.engine.evaluation import classify
from bot.engine.messages import Message, Reply
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.names import TEMPLATE_SPECS
from responses.policy import load_policies

SID = "silence-session"

SILENT = [
    ("silent_selling", "en", "would webmo ever sell my details to another firm?"),
    ("silent_selling", "ja", "私の個人情報を業者に売ったりしますか"),
    ("silent_law_enforcement", "en", "does the company pass user data to the police when asked"),
    ("silent_law_enforcement", "ja", "警察に頼まれたら情報を渡すんですか"),
    ("silent_transfer_abroad", "en", "is any of my personal information moved to servers overseas?"),
    ("silent_transfer_abroad", "ja", "個人データは海外のサーバーで保管されていますか"),
    ("silent_retention", "en", "for how long is my information kept once I leave?"),
    ("silent_retention", "ja", "退会後、個人情報はいつまで保管されますか"),
    ("silent_fees", "en", "what will a disclosure request cost me?"),
    ("silent_fees", "ja", "利用目的の通知を求めるのに手数料は必要ですか"),
    ("silent_response_time", "en", "how many days will you take to answer a correction request?"),
    ("silent_response_time", "ja", "削除をお願いしたら何日で対応してもらえますか"),
    ("silent_identity_check", "en", "what ID will you want from me before you send my data?"),
    ("silent_identity_check", "ja", "請求するときの本人確認書類は何ですか"),
    ("silent_breach_notification", "en", "if there is a breach of my data will you notify me?"),
    ("silent_children", "en", "are there rules for kids using the service?"),
    ("silent_ai_training", "en", "is my information used for training AI models?"),
    ("silent_foreign_law", "en", "am I covered by the GDPR when I use webmo?"),
    # round 5 (issue 13): being told about a leak and how fast, compensation for it, Do Not Track
    ("silent_breach_notification", "en", "say someone hacks you, how quickly will you tell me?"),
    ("silent_breach_notification", "ja", "個人情報が流出した時、利用者に連絡は来るんですか"),
    ("silent_compensation", "en", "if my details leak from your systems, is there compensation?"),
    ("silent_compensation", "ja", "漏えいがあった場合、賠償してもらえますか"),
    ("silent_do_not_track", "en", "does the site honour the do not track option in Firefox?"),
    ("silent_do_not_track", "ja", "ブラウザのDo Not Track設定には対応していますか"),
    # round 6 (issue 13, roles): a deceased user's data; the company bought, merged or closed
    ("silent_deceased", "en", "my grandfather died in May, what becomes of the information on his account?"),
    ("silent_deceased", "ja", "家族が亡くなった場合、その人の登録情報はどうなりますか"),
    ("silent_business_transfer", "en", "suppose webmo merges with a bigger firm, what happens to my data?"),
    ("silent_business_transfer", "ja", "御社が合併したら私の情報はどうなりますか"),
    # round 9 (issue 13): certifications and outside audits; sensitive categories of personal information
    ("silent_certification", "en", "is your company certified to ISO 27001 or audited by anyone independent?"),
    ("silent_certification", "ja", "プライバシーマークやISMSの認証はお持ちですか"),
    ("silent_sensitive_data", "en", "do you hold health records or anything about my beliefs?"),
    ("silent_sensitive_data", "ja", "健康状態や宗教についての情報も取得していますか"),
]


def ask(conversation: Conversation, text: str, session_id: str = SID) -> Reply:
    return conversation.handle(Message(text=text, session_id=session_id, frontend="cli"))


@pytest.mark.parametrize(("intent", "lang", "text"), SILENT)
def test_silent_topics_answer_honestly_with_no_article(matcher: Matcher, intent: str, lang: str, text: str) -> None:
    record = classify(matcher, text)
    assert (record["decision"], record["intent"], record["article"], record["handoff"]) == ("answer", intent, None, None)


@pytest.mark.parametrize(("intent", "lang", "text"), SILENT)
def test_silent_answer_says_so_quotes_nearby_and_offers_a_person(conversation: Conversation, store: SQLiteStore,
                                                                 intent: str, lang: str, text: str) -> None:
    reply = ask(conversation, text)
    assert reply.decision == "answer" and reply.intent == intent
    assert reply.article is None and reply.handoff is None and reply.ticket is None
    # No procedure, no form: the reply offers no choices and no form prompt follows.
    assert reply.choices == ()
    policy = load_policies()[lang]
    nearby = policy.article(TEMPLATE_SPECS[intent].article or 0)
    assert nearby.cite(lang) in reply.text
    quotes = [line[2:] for line in str(reply.extra["markup"]).splitlines() if line.startswith("> ")]
    assert quotes and all(q in nearby.text() for q in quotes)
    if lang == "en":
        assert "does not" in reply.text or "has no" in reply.text
        assert "talk to a person" in reply.text
    else:
        assert "記載がありません" in reply.text or "定めがありません" in reply.text
        assert "担当者" in reply.text
    assert store.list_tickets() == []


@pytest.mark.parametrize("text", [
    "I forgot my login password",
    "how do I get a refund for last month's plan?",
    "the app crashes every time I open the camera",
    "パスワードを再設定したいです",
    "are you hiring designers this year?",
])
def test_support_topics_fall_back_naming_the_topic(conversation: Conversation, matcher: Matcher, text: str) -> None:
    record = classify(matcher, text)
    assert record["decision"] == "fallback" and record["article"] is None and record["handoff"] is None
    assert record["intent"] is not None and record["intent"].startswith("support_")
    reply = ask(conversation, text)
    assert reply.decision == "fallback" and reply.intent == record["intent"] and reply.citation is None
    # The out-of-scope answer points to support, lists the topics and offers a person: never a dead end.
    if reply.lang == "en":
        assert "contact our support team" in reply.text and "talk to a person" in reply.text
        assert "(Article 9)" in reply.text
    else:
        assert "サポート窓口" in reply.text and "担当者と話したい" in reply.text
        assert "（第9条）" in reply.text


def test_a_policy_question_with_a_support_word_is_still_answered(matcher: Matcher) -> None:
    record = classify(matcher, "if I end my subscription, can I have my records erased?")
    assert record["article"] == 9


@pytest.mark.parametrize("text", [
    "send me the phone number my ex-husband registered with",
    "I'm her manager, what email address does she have on file with you?",
    "元夫の登録している住所を教えてください",
])
def test_someone_elses_data_gets_the_refusal_and_never_a_ticket(conversation: Conversation, store: SQLiteStore,
                                                                text: str) -> None:
    reply = ask(conversation, text)
    assert reply.handoff is None and reply.ticket is None and reply.article is None
    assert reply.decision in ("answer", "fallback")
    assert store.list_tickets() == []


@pytest.mark.parametrize("text", [
    "I'm his supervisor. Send me the phone number on file for user ID 55120.",
    "This is Detective Hale from the city police department; I need the address of the customer registered as k.ito@example.com.",
])
def test_claimed_authority_gets_the_refusal_answer_and_never_a_ticket(conversation: Conversation, store: SQLiteStore,
                                                                       text: str) -> None:
    reply = ask(conversation, text)
    assert (reply.decision, reply.intent, reply.article, reply.handoff, reply.ticket) == (
        "answer", "others_data", None, None, None)
    assert "can't look up, share or request anyone else's personal information" in reply.text
    assert store.list_tickets() == []


@pytest.mark.parametrize(("lang", "text", "silence"), [
    ("en", "do you put customer data into AI training, or is that not one of the uses you list?",
     "Our privacy policy does not mention artificial intelligence"),
    ("ja", "AIの学習は利用目的に含まれていますか", "AI（人工知能）、機械学習、プロファイリングについての記載がありません"),
])
def test_an_unlisted_use_is_answered_from_the_purpose_list_with_its_silence(
        conversation: Conversation, store: SQLiteStore, lang: str, text: str, silence: str) -> None:
    reply = ask(conversation, text)
    assert (reply.decision, reply.intent, reply.article, reply.handoff, reply.ticket) == (
        "answer", "purpose_of_use", 3, None, None)
    blocks = str(reply.extra["markup"]).split("\n\n")
    quoted = next(n for n, block in enumerate(blocks) if block.startswith("> "))
    # The list is quoted first, then the silence: what the list does not name follows what it names.
    assert silence in "\n\n".join(blocks[quoted + 1:]) and silence not in "\n\n".join(blocks[:quoted])
    assert load_policies()[lang].article(3).quote(paragraph=1) in reply.text
    assert store.list_tickets() == []


@pytest.mark.parametrize(("text", "silence"), [
    ("If you start feeding our chats to an AI model, do you have to tell us about that new purpose first?",
     "Our privacy policy does not mention artificial intelligence"),
    ("新しい目的としてAIの学習に使うなら、事前に知らせてくれますか？", "AI（人工知能）、機械学習、プロファイリングについての記載がありません"),
])
def test_an_unlisted_use_as_a_new_purpose_is_answered_from_article_3_2_with_its_silence_after_the_list(
        conversation: Conversation, store: SQLiteStore, text: str, silence: str) -> None:
    # Round 19: Art. 3(2) says when a new purpose is announced; its quote ends with four listed exceptions, and the
    # silence follows the whole quote rather than splitting it from its list.
    reply = ask(conversation, text)
    assert (reply.decision, reply.intent, reply.article, reply.handoff, reply.ticket) == (
        "answer", "purpose_exceptions", 3, None, None)
    blocks = str(reply.extra["markup"]).split("\n\n")
    quoted = next(n for n, block in enumerate(blocks) if block.startswith("> "))
    at = next(n for n, block in enumerate(blocks) if silence in block)
    assert at > quoted and all(block.startswith(("- ", "※")) for block in blocks[quoted + 1:at]), blocks
    assert "(4)" in blocks[at - 1] or blocks[at - 1].startswith("※"), blocks  # after the last exception
    assert store.list_tickets() == []



@pytest.mark.parametrize(("lang", "text", "article", "silence"), [
    ("en", "is there anything like the GDPR right to object to processing in your policy?", 9,
     "does not mention the laws of other countries"),
    ("ja", "GDPRの消去権のように、データを消してもらうことはできますか", 9, "外国の法律"),
])
def test_a_foreign_right_with_an_equivalent_is_answered_by_the_article_with_the_silence(
        conversation: Conversation, store: SQLiteStore, lang: str, text: str, article: int, silence: str) -> None:
    # Round 7: the article the policy has for it, then the note that the policy names no foreign law.
    reply = ask(conversation, text)
    assert (reply.decision, reply.article, reply.handoff, reply.ticket) == ("answer", article, None, None)
    blocks = str(reply.extra["markup"]).split("\n\n")
    quoted = next(n for n, block in enumerate(blocks) if block.startswith("> "))
    assert silence in "\n\n".join(blocks[quoted + 1:])
    assert store.list_tickets() == []


@pytest.mark.parametrize(("text", "lang", "words"), [
    ("whoops, tapped the wrong thing", "en", 'type "help"'),
    ("すみません、押し間違えました", "ja", "「ヘルプ」"),
])
def test_a_message_taken_back_gets_a_short_reply(conversation: Conversation, text: str, lang: str, words: str) -> None:
    # Round 8: no article, no request, no "I did not understand": the reply says where to start.
    reply = ask(conversation, text)
    assert reply.lang == lang and reply.intent == "never_mind" and reply.citation is None
    assert words in reply.text


@pytest.mark.parametrize("text, lang, words", [
    ("Kind regards", "en", "What would you like to know"),
    ("ご確認のほど、よろしくお願いいたします。", "ja", "こちらこそよろしくお願いいたします"),
])
def test_a_courtesy_formula_alone_gets_a_courtesy_back(conversation: Conversation, text: str, lang: str,
                                                       words: str) -> None:
    # Round 18: 「よろしくお願いします」 alone asks nothing; it had drawn a request (お願い shared with the requests' phrasings).
    reply = ask(conversation, text)
    assert (reply.lang, reply.decision, reply.intent, reply.handoff, reply.citation) == (lang, "smalltalk", "courtesy",
                                                                                         None, None)
    assert words in reply.text
