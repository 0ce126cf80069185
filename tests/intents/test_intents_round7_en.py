"""Round 7 (issue 13, `en7`): English article choice, honest silences and off-topic.

Families: a fee asked about a request the policy does describe (the fee is still not in the policy); rights named
in another country's vocabulary that the policy has an equivalent for; another company's own practices or settings;
policy changes in other words; typos of key nouns inside the catalog's phrases.
Phrasings are our own; none comes from an evaluation set.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from intents.catalog import CatalogError, load_catalog
from intents.matcher import Matcher

from tests.intents.test_intents_catalog import make_intent, toml_intents, write_valid_catalog

FEE_QUESTIONS = [
    "do you charge for a subject access request",
    "is a correction request free or paid?",
    "any fees if I ask you to delete everything",
    "do I pay anything to make a deletion request",
    "what's the price of a data access request?",
    "will it cost me anything to have my purpose of use notified",
    "must I pay a fee to stop you sharing my info with third parties?",
    "開示の請求って有料なんですか",
    "利用停止の請求って費用いる？",
]


@pytest.mark.parametrize("text", FEE_QUESTIONS)
def test_a_fee_for_a_request_is_the_fee_silence(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("answer", "silent_fees", None), (
        match.decision, match.intent, match.candidates[:3])


NOT_FEES = [
    # "how much" of the data and the person "in charge" are no money
    ("how much of my data can I get a copy of?", 7),
    ("how much information do you hold on me", 7),
    ("who is in charge of disclosure requests", 7),
]


@pytest.mark.parametrize(("text", "article"), NOT_FEES)
def test_words_near_fee_words_are_not_fees(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.article == article, (match.decision, match.intent, match.candidates[:3])


def test_a_request_made_now_beside_a_fee_word_stays_a_request(matcher: Matcher) -> None:
    match = matcher.match("delete my account now, I won't pay any fees for it")
    assert (match.decision, match.handoff) == ("request", "suspension")


FOREIGN_RIGHTS = [
    # another law's right that the policy has an equivalent for: the article, with the silence's note that the
    # policy names no foreign law
    ("Under the GDPR I could get a company to erase my data. does your policy let me ask for deletion too?", 9),
    ("is there anything like the GDPR right to object to processing in your policy?", 9),
    ("if I withdraw consent under EU rules, will you stop using my data?", 9),
    ("do you offer a right of access like in Europe, and when could you say no?", 7),
    ("GDPR rectification - can I have wrong data fixed by you?", 8),
    ("EUの忘れられる権利みたいに、データを消してもらうことはできますか", 9),
]


@pytest.mark.parametrize(("text", "article"), FOREIGN_RIGHTS)
def test_a_foreign_right_with_an_equivalent_gets_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent,
                                                                    match.candidates[:3])
    assert match.also == ("silent_foreign_law",)


@pytest.mark.parametrize("text", [
    "who is your data protection officer",
    "Does the GDPR apply to your company?",
    "which EU supervisory rules cover you, and do you have a representative in europe?",
    "GDPRは適用されますか？",
])
def test_what_has_no_equivalent_keeps_the_foreign_law_silence(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("answer", "silent_foreign_law", None), (
        match.decision, match.intent, match.candidates[:3])



ELSEWHERE = [
    # another company's own practices or settings: out of scope, no article
    "does tiktok sell my data?",
    "what does meta do with my photos",
    "how do I change my instagram privacy settings",
    "is whatsapp safe?",
    "how can i turn off location history on google",
    "LINEの設定で既読をつけない方法は？",
    "グーグルって個人情報大丈夫？",
    "インスタに履歴見られてる気がする",
]


@pytest.mark.parametrize("text", ELSEWHERE)
def test_another_companys_own_practices_are_out_of_scope(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("fallback", None, None), (
        match.decision, match.intent, match.candidates[:3])
    assert match.intent == "support_other" and "elsewhere" in match.flags


OUR_SHARING = [
    # this company's sharing with the other one, or this company named beside it: the policy answers
    ("Does Google get my data through your analytics?", 11),
    ("do you share my info with facebook?", 9),
    ("is my data shared with google?", 9),
    ("Googleにデータを送っていますか", 11),
    ("御社はLINEにデータを渡していますか", 9),
    ("does google know what I do on your site?", 11),
]


@pytest.mark.parametrize(("text", "article"), OUR_SHARING)
def test_our_sharing_with_another_company_is_answered(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.article == article, (match.decision, match.intent, match.candidates[:3])


POLICY_CHANGES = [
    # the policy by its other names changing, and being told of it (the breach silence's "will you notify me" words
    # give way to Art. 13 when the change is named)
    "if you make material changes to this privacy notice, how would I hear?",
    "will you let me know when the notice gets updated?",
    "if the privacy terms are altered, do I get an email?",
    "are users alerted when the privacy statement is reworded?",
    "would I get told when you revise this policy",
    "will you notify me if the policy is amended",
    "will I be informed of any significant changes to how you handle data under this notice?",
]


@pytest.mark.parametrize("text", POLICY_CHANGES)
def test_policy_changes_in_other_words(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", 13), (match.decision, match.intent, match.candidates[:3])
    assert match.also == ()


def test_being_told_of_a_breach_keeps_its_silence(matcher: Matcher) -> None:
    match = matcher.match("if there's a breach will you notify me?")
    assert (match.decision, match.intent) == ("answer", "silent_breach_notification")


PHRASE_TYPOS = [
    # a misspelt first word inside a phrase the catalog writes: the rest of the phrase says which word it was
    ("where do i ask for a cpoy of my records", 7),
    ("can i get a cpoy of my data", 7),
    ("rihgt to object - do you have it?", 9),
    ("i'd like a coppy of my records please, how does that work?", 7),
]


@pytest.mark.parametrize(("text", "article"), PHRASE_TYPOS)
def test_a_misspelt_word_inside_a_phrase_is_read_as_the_phrase(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.article == article, (match.decision, match.intent, match.candidates[:3])


def test_a_word_the_catalog_writes_is_never_a_phrase_typo(matcher: Matcher) -> None:
    # "cost" is two edits from "copy" but a word of its own: the fee, not a copy of the data
    match = matcher.match("what's the cost of my data request")
    assert match.intent == "silent_fees"


def test_noted_when_yielding_needs_yields_to(tmp_path: Path) -> None:
    write_valid_catalog(tmp_path)
    silent = make_intent("silent_x", "silent", None, noted_when_yielding=True)
    (tmp_path / "zz.toml").write_text(toml_intents(silent), encoding="utf-8")
    with pytest.raises(CatalogError, match="silent_x.*noted_when_yielding"):
        load_catalog(tmp_path)


def test_a_yielding_silence_without_the_note_adds_nothing(matcher: Matcher) -> None:
    # the children silence gives way to Art. 7 without a note (its keywords name no absence of the policy's)
    match = matcher.match("Can a parent request disclosure of a minor's data?")
    assert (match.article, match.also) == (7, ())


SUPPORT_NOT_POLICY = [
    # a job application, a seat or plan, a duplicate order, a profile picture: product support, no article
    ("Are you hiring customer support staff in Tokyo? I've attached my resume.", "support_other"),
    ("we are recruiting? here is my CV for the designer role", "support_other"),
    ("How do I remove an extra user seat from our team plan?", "support_billing"),
    ("can you delete the duplicate order I placed yesterday?", None),
    ("how do I change my profile picture?", "support_app"),
]


@pytest.mark.parametrize(("text", "intent"), SUPPORT_NOT_POLICY)
def test_product_support_gets_no_article(matcher: Matcher, text: str, intent: str | None) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.intent) == ("fallback", None, intent), (
        match.decision, match.intent, match.candidates[:3])


@pytest.mark.parametrize(("text", "intent", "handoff"), [
    # profiling named as a practice is still the AI/profiling silence; the writer's own order history or profile
    # deleted is still a request
    ("do you use my data for profiling?", "silent_ai_training", None),
    ("is there any profiling of users going on?", "silent_ai_training", None),
    ("please delete my order history", "request_suspension", "suspension"),
    ("delete my profile", "request_suspension", "suspension"),
])
def test_profiling_and_own_records_keep_their_topics(matcher: Matcher, text: str, intent: str,
                                                      handoff: str | None) -> None:
    match = matcher.match(text)
    assert (match.intent, match.handoff) == (intent, handoff), (match.decision, match.candidates[:3])


@pytest.mark.parametrize("text", [
    # where the data came from, when the writer says they never gave it (Art. 2: lawful and fair means)
    "how did you get my phone number? I never gave it to you",
    "How you got my email? I not give it.",
    "how you get my address?? i dont remember signing anything",
])
def test_how_you_got_data_never_given_is_acquisition(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", 2), (match.decision, match.intent, match.candidates[:3])


def test_never_given_data_asked_to_stop_stays_a_request(matcher: Matcher) -> None:
    match = matcher.match("I never gave you my number, stop using it now")
    assert (match.decision, match.handoff) == ("request", "suspension")
