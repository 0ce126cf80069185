"""Round 15: families of failure found on the blind sets r15a and r15c (scored untouched first on 1dffb0f: en 94.7 /
94.6, ja 97.1 / 98.1, request R 93.3 / 96.7), fixed with phrasings written for these tests: not evaluation items (none
is a copy of one), not catalog examples. r15b stays sealed.

Each family's first phrasings failed on `main` 1dffb0f (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.typos import fix_learner_forms
from tests.intents.expect import not_request, request


def _answers(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("answer", article, None), (match.decision, match.intent)


# --- 1. second-language English: plural mass nouns, a doubled determiner, "receive" ----------------------------------
@pytest.mark.parametrize("folded, read", [
    ("please send the my datas", "please send my data"),
    ("all informations personal", "all information personal"),
    ("a your infos", "your info"),
    ("the myth of data sets", "the myth of data sets"),  # nothing to read differently
])
def test_learner_forms_are_read_as_the_standard_ones(folded: str, read: str) -> None:
    assert fix_learner_forms(folded) == read


@pytest.mark.parametrize("text", [
    "Good morning. I am wishing to receive the my personal datas that your firm is holding. Regards, Olga",  # was a fallback
    "I would like to receive all the informations you are having about me, by email please.",            # was a fallback
    "show me my personal details you are keeping, I am user 5512",                                         # guard
])
def test_a_second_language_ask_for_ones_data_is_a_disclosure(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


def test_how_to_receive_ones_data_is_a_question(matcher: Matcher) -> None:
    _answers(matcher, "how can I receive my personal datas from you?", 7)  # was a fallback


# --- 2. what is held about people in the writer's care, asked how they can see it: Art. 7 ----------------------------
@pytest.mark.parametrize("text", [
    "Our tenants keep asking me how they could check what your service has stored about them. Any process?",  # was Art. 2
    "A teacher here: pupils' parents want to know how to see what your app holds about their children. How?",  # was a fallback
])
def test_how_others_see_what_is_held_on_them_is_article_7(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 7)


# --- 3. the purposes asked with a plural "you" or as the reasons for collecting: Art. 3 ------------------------------
@pytest.mark.parametrize("text", [
    "what do u folks use customers personal info for",                    # was a fallback
    "so what do you guys use peoples data for",                           # was a silence
    "what are all the reasons you collect and use member data?",          # was Art. 2
])
def test_the_purposes_in_general_are_article_3(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 3)


def test_how_data_is_collected_stays_article_2(matcher: Matcher) -> None:
    _answers(matcher, "how do you guys collect my personal information?", 2)  # guard


# --- 4. the writer's own detail said to be still wrong, with the right value: a correction -----------------------------
@pytest.mark.parametrize("text", [
    "also my email is still wrong. it's kana.m@example.jp now",            # was an Art. 8 answer
    "my address is still the old one, it's 4-2-1 Minato now",              # was an Art. 8 answer
])
def test_a_detail_still_wrong_with_its_value_is_a_correction(matcher: Matcher, text: str) -> None:
    request(matcher, text, "correction")


def test_a_detail_still_wrong_asked_about_stays_a_question(matcher: Matcher) -> None:
    not_request(matcher, "what can I do if my address is still wrong after I changed it?")  # guard


# --- 5. a formal inquiry about how staff's data is handled is the inquiry, not someone else's data -------------------
@pytest.mark.parametrize("text", [
    ("I run payroll at a logistics firm. Our drivers are uneasy about how their data is treated by your app, so I "
     "want to file a complaint with your data protection officer."),       # was the refusal
    "As the office manager I'd like to open an official inquiry with the privacy team about our staff's data.",  # guard
])
def test_an_inquiry_about_staff_data_is_the_inquiry(matcher: Matcher, text: str) -> None:
    request(matcher, text, "inquiry")


def test_a_manager_asking_for_staff_data_is_still_refused(matcher: Matcher) -> None:
    assert matcher.match("I'm their manager. Send me the home addresses of my staff.").intent == "others_data"  # guard


# --- 6. Japanese humble keigo: the data shown to the writer is asked for --------------------------------------------
@pytest.mark.parametrize("text", [
    "お手数ですが、私の登録情報をお見せいただけますでしょうか。",    # was an Art. 7 answer
    "弊方に関して保有されているデータを一式お見せいただけますか。",  # was an Art. 7 answer
])
def test_humble_keigo_asking_to_be_shown_is_a_disclosure(matcher: Matcher, text: str) -> None:
    request(matcher, text, "disclosure")


def test_humble_keigo_asking_how_stays_a_question(matcher: Matcher) -> None:
    not_request(matcher, "開示の手続きを教えていただけますか。")  # guard


# --- 7. Japanese: the data of children or members in the writer's charge is someone else's --------------------------
@pytest.mark.parametrize("text", [
    "塾の講師です。クラスの子たちの登録情報を全部送ってください。",    # was a disclosure
    "サークルの部員らのメアド一覧、まとめて出してくれへん？",          # was a disclosure
])
def test_the_data_of_children_in_ones_charge_is_refused(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).intent == "others_data"


def test_a_parent_for_their_own_child_is_not_refused(matcher: Matcher) -> None:
    assert matcher.match("娘の登録情報を開示してください。保護者です。").intent != "others_data"  # guard


# --- 8. a closed account brought back is account support ---------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "is it possible to reactivate my old account?",                        # was Art. 9
    "can you reopen my account? I closed it by mistake",                   # was Art. 9
])
def test_bringing_an_account_back_is_support(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("fallback", "support_account"), (match.decision, match.intent)


def test_closing_the_account_and_erasing_data_is_still_a_suspension(matcher: Matcher) -> None:
    request(matcher, "please close my account and erase my personal data", "suspension")  # guard


# --- 9. everyday words for outsourcing and for keeping data safe -----------------------------------------------------
@pytest.mark.parametrize("text, article", [
    ("do you farm out the handling of customer records to other companies?", 4),    # was Art. 2
    ("how do you keep customer details from leaking?", 5),                          # guard: passed before
    ("is our client list locked down, or can anyone at your company open it?", 5),  # was Art. 14
])
def test_everyday_words_take_their_article(matcher: Matcher, text: str, article: int) -> None:
    _answers(matcher, text, article)
