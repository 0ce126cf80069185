"""Round 8 (issue 13, `art8`): plain questions that have an article, answered with another one or not at all.

Families: asking to be told what or why one's own data is used (the asking itself is Article 6, the list of purposes
alone Article 3). Phrasings are our own; none comes from an evaluation set. Each list failed on `main` before the
change that made it pass.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher


def _answers(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (
        match.decision, match.intent, match.article, match.candidates[:3])


# Asking (or someone asking for me) what or why my data is used, and when the company may refuse to say: Art. 6.
ASKING_WHY_MY_DATA = [
    "could my wife, acting for me, ask why you use my data?",
    "when can you decline to tell a person why their information is used?",
    "am I able to ask what you use my data for, rather than reading the whole policy?",
    "may my brother ask you why my information is being used, instead of me?",
    "suppose I wrote in asking what you use my data for - would I get a reply?",
    "I'd like to know the reason you're keeping my phone number, can I ask that?",
    "is my carer allowed to ask what you are using my details for?",
    "would you ever refuse to say why you are using someone's information?",
]


@pytest.mark.parametrize("text", ASKING_WHY_MY_DATA)
def test_asking_why_my_data_is_used_is_the_purpose_notification(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 6)


# The direct question on what or why my data is used is the purpose list (Art. 3), not a request's procedure.
DIRECT_PURPOSE_QUESTIONS = [
    "why are you using my personal information",
    "why do you use my phone number at all",
]


@pytest.mark.parametrize("text", DIRECT_PURPOSE_QUESTIONS)
def test_the_direct_question_on_my_data_is_the_purpose_list(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 3)


def test_what_do_you_use_my_data_for_stays_the_purpose_list(matcher: Matcher) -> None:
    _answers(matcher, "what do you use my data for?", 3)


# A use the purpose list does not name, in everyday words ("a new reason", "not listed", 載っていない目的): Art. 3(2).
# Being told about it first is no breach notice: the breach silence gives way to the purpose topic named by keyword.
UNLISTED_PURPOSES = [
    "if you begin using my info for some reason that's not listed, will I be informed beforehand?",
    "say you come up with a new reason to use our data, do we hear about it in advance?",
    "is there a chance you'd find new uses for my details and not say anything?",
    "載っていない目的で私のデータを使うなら、先に知らせてもらえますか",
]


@pytest.mark.parametrize("text", UNLISTED_PURPOSES)
def test_a_purpose_the_list_does_not_name_is_the_purpose_article(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 3)


@pytest.mark.parametrize("text", [
    "in case of a breach, would I be informed?",
    "will I be told if there is a data breach involving my details?",
])
def test_being_told_of_a_breach_stays_the_breach_silence(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("answer", "silent_breach_notification"), match.candidates[:3]


# Seeing one's own data in everyday words (look at / view it, have it shown or displayed), and whether someone who asks
# to see theirs may be turned down: Art. 7.
SEEING_MY_DATA = [
    "would you ever reject a request to look at one's personal data?",
    "do people get to look at my data if they ask?",
    "am I permitted to look at the data you have saved about me",
    "can a customer ask to see what you store, and can you refuse?",
]


@pytest.mark.parametrize("text", SEEING_MY_DATA)
def test_seeing_my_own_data_is_the_disclosure_article(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 7)


# The policy or its rules changed, in the passive with get/got/has been (Art. 13).
POLICY_CHANGED = [
    "once this policy has been changed, do you tell customers somehow?",
    "the policy got changed and no one let me know",
    "how would an elderly user learn that the policy got modified?",
    "once the rules have been changed, do you send word to users?",
]


@pytest.mark.parametrize("text", POLICY_CHANGED)
def test_the_policy_changed_in_the_passive_is_the_change_article(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 13)


# Asking for deletion or a stop to use after a leak is Art. 9(1) (the policy's suspension covers it); the breach
# silence gives way to the suspension topic named by keyword.
AFTER_A_LEAK = [
    "漏えいがあったら、削除をお願いできるって本当？",
    "after a breach can I make you stop using my details?",
]


@pytest.mark.parametrize("text", AFTER_A_LEAK)
def test_deletion_after_a_leak_is_the_suspension_article(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 9)
