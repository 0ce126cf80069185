"""Round 13: families of failure found on the blind sets r13c and r13d (and section 7, the short-example family seen
on r13d and in round 12) (scored untouched first on 5caad37: en 96.7 /
96.6, ja 97.1 / 96.2, request R 93.3 / 93.4), fixed with phrasings written for these tests: not evaluation items (none
is a copy of one), not catalog examples.

Each family's first phrasings failed on `main` 7a932cd (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from tests.intents.expect import not_request, request


# --- 1. personal data provided TO the writer, and data held about the writer, name the disclosure ---------------------
@pytest.mark.parametrize("text", [
    "Please provide me with the personal data you have on file for my account.",       # was a third-party stop
    "Could you furnish me the personal information your company keeps about me?",      # was a third-party stop
    "I'd like the records held by WEBMO relating to me, please send them over.",        # was no request
])
def test_data_provided_to_the_writer_is_disclosure(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


@pytest.mark.parametrize("text, handoff", [
    ("Please stop providing my personal data to other companies.", "third_party_stop"),  # guard
    ("delete the information you keep about me", "suspension"),                          # guard: erasure, not disclosure
])
def test_other_verbs_beside_held_data_keep_their_type(matcher: Matcher, text: str, handoff: str) -> None:
    request(matcher, text, handoff)


# --- 2. a SAR named as the request being made -------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "submitting a SAR for myself: every personal detail tied to user id 55120",   # was a fallback
    "i am filing a SAR for me today, all the personal data on my account",        # was a fallback
])
def test_a_sar_being_filed_is_a_disclosure_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


def test_how_a_sar_works_is_a_question(matcher: Matcher) -> None:
    match = matcher.match("how long does a SAR usually take with you?")  # guard
    assert match.decision != "request"


# --- 3. Japanese: the writer's own data wanted, said as a plain wish at the end ---------------------------------------
@pytest.mark.parametrize("text", [
    "私の登録データの写しがほしいです",          # was an answer (Art. 7)
    "自分の個人情報の一覧、欲しいです！",          # was an answer
])
def test_own_data_wished_for_is_a_japanese_disclosure_request(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


@pytest.mark.parametrize("text", [
    "自分のデータのコピーがほしい場合、どう頼めばいいですか",   # guard: how to ask
    "私の情報のコピーが欲しいのですが、手順を教えてください",   # guard: the steps asked for
])
def test_how_to_get_own_data_stays_a_japanese_question(matcher: Matcher, text: str) -> None:
    not_request(matcher, text)


# --- 4. learners' English: the request disclaimed, the permission asked ------------------------------------------------
@pytest.mark.parametrize("text", [
    "is it possible that I request to stop third party sharing? I am not request now, just asking",  # was a request
    "I want to know, is it possible for me to ask correction of my name? only asking",              # was a request
])
def test_a_permission_question_with_a_disclaimer_is_no_request(matcher: Matcher, text: str) -> None:
    not_request(matcher, text)


# --- 5. Japanese casual fee questions: the particle dropped -----------------------------------------------------------
@pytest.mark.parametrize("text", [
    "訂正してもらうのって金かかるの？",        # was an answer on Art. 8
    "利用停止を頼むとお金かかります？",        # was an answer on Art. 9
])
def test_a_casual_fee_question_is_the_fee_silence(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.intent == "silent_fees", (match.decision, match.intent)


# --- 6. the list of purposes in romaji; usage information that identifies nobody ---------------------------------------
def test_the_list_of_purposes_in_romaji_is_article_3(matcher: Matcher) -> None:
    match = matcher.match("riyou mokuteki no ichiran wa doko de mireru?")  # was Art. 6
    assert (match.decision, match.article) == ("answer", 3), (match.decision, match.intent)


def test_usage_information_used_without_restriction_is_article_12(matcher: Matcher) -> None:
    match = matcher.match("誰か分からない形にすれば利用情報は制限なく使われるんですか")  # was a fallback
    assert (match.decision, match.article) == ("answer", 12), (match.decision, match.intent)


# --- 7. a two-word example wholly inside a long message does not outscore the examples that match it -------------------
@pytest.mark.parametrize("text", [
    "wat do u do so nobody steals my data or it gets lost somewhere",        # was Art. 3 ("wat r u doing with my data")
    "honestly wat r u doing to keep hackers away from my data these days",   # was Art. 3
])
def test_a_long_security_question_is_not_taken_by_a_two_word_example(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    # Art. 5 answers, or leads the choice: the second phrasing sits 4 points over Art. 3, the clarify margin, and the
    # catalog's growth (round 16's Art. 5 keywords lengthen its BM25 document) moves it either side of that line
    assert match.decision in ("answer", "clarify") and match.article == 5, (match.decision, match.intent)


@pytest.mark.parametrize("text, article", [
    ("where do you get my data from", 2),   # guard: the short example's own question
    ("wat r u doing with my data", 3),      # guard
])
def test_short_questions_still_match_short_examples(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent)
