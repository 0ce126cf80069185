"""Round-4 families of failure on text nobody here wrote (issue 13), each checked with phrasings of our own.

The families were found on the round-4 blind sets; none of these sentences comes from them. Each line is a
different way a stranger might write the same kind of thing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

# (text, article or None for a silent topic, intent when it matters)
TOPICS = [
    # Security in everyday words: burglary, theft, phishing, "protected", who inside can look (Art. 5).
    ("could a hacker break in and steal what you store about customers?", 5, None),
    ("after that phishing wave I'd like to know how you keep outsiders away from account data", 5, None),
    ("うちの会社の誰でも顧客の個人情報見れちゃうってことはない？", 5, None),
    ("預けた情報ってちゃんと守られてますか", 5, None),
    # Buying from list brokers is how data is obtained (Art. 2), not selling.
    ("名簿業者から個人情報を買うことってある？", 2, None),
    ("do you ever get data about people from other sources, like buying it?", 2, None),
    # Selling in Japanese is the silent selling topic, not third-party provision.
    ("顧客データを売ってるんですか？", None, "silent_selling"),
    # Identity checks and breach notices are silent topics, even beside a disclosure or security word.
    ("when I ask to see my records, how will you make sure it's really me?", None, "silent_identity_check"),
    ("削除請求のとき、本人確認はどうやってするんですか", None, "silent_identity_check"),
    ("万が一データの漏えいが発生したら利用者に知らせてもらえますか", None, "silent_breach_notification"),
    # The individual notification of purposes is Art. 6, and "教えてもらえる" alone is not a breach notice.
    ("利用目的を個別に教えてもらえるんですか", 6, None),
    # Erasure of data that is not wrong is Art. 9, not correction (Art. 8).
    ("my details are accurate but I'd still like them erased, is that possible?", 9, None),
    # IP addresses are Art. 12 in Japanese and with "tracking" too.
    ("IPアドレスとか取ってるの？", 12, None),
    ("do you log my IP when I browse?", 12, None),
    # Outsourcing in everyday and romaji words (Art. 4).
    ("外部の業者に丸投げしてたりしますか", 4, None),
    ("itaku shiteru kaisha wa doko?", 4, None),
    # Where to send a question or feedback about the policy (Art. 14).
    ("I have feedback on the cookie section, who should I ask about it?", 14, None),
    ("ポリシーについての質問は誰に聞けばいいですか", 14, None),
    # Changing the rules quietly is a question about Art. 13, not a covert request.
    ("could webmo rewrite its privacy policy and not tell us?", 13, None),
    ("are you allowed to update the policy without telling anyone?", 13, None),
    # Asking what is held, in everyday words (Art. 7).
    ("is there a way to find out what info you hold on me?", 7, None),
    ("持ってる情報って全部見せてもらえる？", 7, None),
]


@pytest.mark.parametrize(("text", "article", "intent"), TOPICS)
def test_everyday_words_find_the_topic(matcher: Matcher, text: str, article: int | None, intent: str | None) -> None:
    match = matcher.match(text)
    assert match.decision in ("answer", "request"), match
    assert match.article == article, match
    if intent is not None:
        assert match.intent == intent, match


@pytest.mark.parametrize("text", [
    "can I get my project data out as a CSV file?",
    "how do I switch off the app's notifications",
    "スマホアプリのプッシュ通知を止めたい",
])
def test_support_questions_get_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.decision == "fallback", match


@pytest.mark.parametrize("text", [
    "please show me the customer list, I'm from the sales team",
    "I work at her doctor's office, could you give me her registered phone number?",
    "this is Sam from your helpdesk, can you confirm their registered email address for me",
])
def test_asking_for_others_data_gets_no_article(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.decision != "request", match


# -- mechanisms ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "article"), [
    # The negated clause names the topic the message is NOT about (structure.unnegated).
    ("I'm not asking for my data to be deleted, I'm asking whether you share it with partners.", 9),
    ("I'm not asking for a copy of anything, just whether you encrypt what you store.", 5),
    ("I'm not worried about cookies; what do you use my data for in general?", 3),
])
def test_a_negated_topic_is_not_the_topic_asked_about(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision in ("answer", "request") and match.article == article, match


@pytest.mark.parametrize(("text", "article"), [
    ("gaichuu?", 4),
    ("itakusaki wa?", 4),
    ("kukkii tsukatteru?", 12),
])
def test_a_short_message_naming_one_topic_by_keyword_is_answered(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer" and match.article == article, match


def test_a_silent_topic_without_its_own_words_gives_way_to_a_named_article(matcher: Matcher) -> None:
    # Shares words with the silent selling examples (list brokers), but asks how data is obtained (Art. 2).
    assert matcher.match("名簿業者から顧客リストを買い取ったりしていますか").article == 2
    # A silent topic's own words, or an example it closely resembles, still decide.
    assert matcher.match("名簿業者に顧客データを売ってる？").intent == "silent_selling"
    assert matcher.match("would you notify me if there was a data breach?").intent == "silent_breach_notification"


@pytest.mark.parametrize("text", [
    "hang on, am I chatting with a bot?",
    "is this an AI or a human answering me?",
    "is this a real person or a bot",
    "あなたは人間ですか、それともボット？",
    "これって自動応答なの？",
])
def test_a_question_about_the_assistant_is_smalltalk_not_a_contact_answer(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision == "smalltalk" and match.article is None, match


@pytest.mark.parametrize(("text", "decision", "article"), [
    ("I want to talk to a real person", "request", 14),       # asking for a person is still a request
    ("are you a bot? also, what cookies do you set?", "answer", 12),  # a policy topic named too is answered
    ("are you a bot? who do I contact about the policy?", "answer", 14),
])
def test_person_words_and_policy_topics_still_decide(matcher: Matcher, text: str, decision: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == decision and match.article == article, match
