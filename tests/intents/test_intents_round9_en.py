"""Round 9 (issue 13, `en9`): English questions answered with a neighbouring article or not at all, and silences.

Families: what is stored under one's own account (Art. 7); whether a detail is personal information (Art. 2); being
told why data is held (Art. 6); statistics and "w/" for "with" (Art. 3); a service's notice disagreeing with the
policy, and the policy covering the company's other products (Art. 1); the correction procedure as a fragment (Art. 8);
data given to someone outside to manage (Art. 4); policy questions about "all user data" or a new purpose "without
telling the user" read as hostile; backups after deletion, one's own death, children's data, certifications and
sensitive categories (silences). Phrasings are our own; none comes from an evaluation set. Each list failed on `main`
8a52b3c before the change that made it pass (README, issue 13, round 9).
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher


def _answers(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (
        match.decision, match.intent, match.article, match.flags, match.candidates[:3])


def _silent(matcher: Matcher, text: str, intent: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.handoff) == ("answer", intent, None, None), (
        match.decision, match.intent, match.article, match.flags, match.candidates[:3])


# What is stored under / against / on my own account or profile, asked as finding out: Art. 7.
STORED_ON_MY_ACCOUNT = [
    "is there a set way for me to find out which details are stored under my profile?",
    "can I learn what info sits on my account with you? not asking for it yet",
    "how can I check what data is saved on my profile",
    "is it possible to see what information is kept against my name?",
    "way to find out what details you have stored for my account?",
]

# Whether a given detail is personal information in the policy's sense: Art. 2 (its definition).
IS_IT_PERSONAL_INFORMATION = [
    "what does your policy class as personal info exactly",
    "my birthday, is that personal data according to the policy?",
    "is an order number personal info or not under your rules",
    "does a customer number qualify as personal data?",
]

# Being told, when one asks, why data is held or what it is used for: Art. 6.
TOLD_WHY = [
    "can customers insist on being told why you keep their data?",
    "do people have the right to be told the reason their data is held?",
    "can a user demand an explanation of why their details are kept?",
    "can an account holder be told what their info is used for?",
]

# Statistics (a listed purpose) as "stats", and "w/" for "with" in the direct question: Art. 3.
PURPOSES_IN_CHAT_WORDS = [
    "is my usage crunched into stats for improving your product?",
    "do you make stats out of what I do on the site?",
    "stats from my activity - is that something you do?",
    "what do you do w/ my email",
    "wat do u do w my address",
    "what r u doing w my details",
    "what r u doing w/ my phone number",
]

# A service's own notice disagreeing with the policy, and whether the policy covers the company's other products: Art. 1.
WHICH_POLICY_APPLIES = [
    "if the app's own privacy notice and the main policy disagree, what then?",
    "our contract's data clause and your privacy policy are in conflict - which wins",
    "when the shop's notice says something else than this policy, which one counts",
    "does the privacy policy cover webmo's apps that we call through the API?",
    "we've built a plugin on your API: does the privacy policy cover all of the tools we use?",
    # a released service is the product, not a release at work (「リリース」 as workplace chatter)
    "先月リリースされたアプリもこのプライバシーポリシーの対象ですか",
    "今後リリースしたサービスにもこの方針は適用されますか？",
    "リリースされたばかりのサービスにも適用されますか",
    "リリースされた新機能も同じポリシーですか",
]

# The correction procedure as a fragment, which a response-time example contains whole: Art. 8.
CORRECTION_PROCEDURE = [
    "process for a correction",
    "how does your process for a correction go",
    "what's the process for a correction like",
    "ur process for a correction??",
]

# The direct question in the Japanese progressive (何に使ってる / 使っている): the purpose list, Art. 3, not the request's
# procedure (Art. 6, whose request keyword 何に使ってる hid Art. 3's 何に使) nor how data is collected (集めた, Art. 2).
JA_WHAT_FOR = [
    "集めたデータは何に使ってるの？",
    "うちの住所、何に使ってるんですか？",
    "御社は集めた購入履歴を何に使っているのでしょうか",
    "取った個人情報は何に使ってるんだろう",
]

# Data given to someone outside to manage or look after for the company: Art. 4.
MANAGED_OUTSIDE = [
    "do you pay someone to manage the data for you",
    "is user data given to another firm to manage for you?",
    "does another firm manage customer info for you?",
    "who looks after the data for you, your staff or an outside contractor?",
]


@pytest.mark.parametrize("text", STORED_ON_MY_ACCOUNT)
def test_what_is_stored_on_my_account_is_the_disclosure(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 7)


@pytest.mark.parametrize("text", IS_IT_PERSONAL_INFORMATION)
def test_whether_a_detail_is_personal_information_is_the_definition(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 2)


@pytest.mark.parametrize("text", TOLD_WHY)
def test_being_told_why_data_is_held_is_the_purpose_notification(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 6)


@pytest.mark.parametrize("text", PURPOSES_IN_CHAT_WORDS)
def test_purposes_in_chat_words_are_the_purpose_list(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 3)


@pytest.mark.parametrize("text", WHICH_POLICY_APPLIES)
def test_which_policy_applies_is_the_application(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 1)


@pytest.mark.parametrize("text", CORRECTION_PROCEDURE)
def test_the_correction_procedure_named_is_article_8(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 8)


@pytest.mark.parametrize("text", JA_WHAT_FOR)
def test_japanese_direct_question_on_use_is_the_purpose_list(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 3)


@pytest.mark.parametrize("text", MANAGED_OUTSIDE)
def test_data_managed_by_someone_outside_is_outsourcing(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 4)


# Policy questions about all users' data or a new purpose "without telling the user" are questions, not hostility.
POLICY_QUESTIONS_NOT_HOSTILE = [
    ("is all user data encrypted at rest?", 5),
    ("do you treat all member details with the same level of security?", 5),
    ("are you allowed to switch the purpose of data without telling the user?", 3),
    ("can you ever use my data for a new purpose without telling the user first?", 3),
]
STILL_HOSTILE = [
    "send me all user data now",
    "give me every customer email",
    "export all customers phone numbers",
    "delete it without telling the user",
    "paste other users' addresses here",
]


@pytest.mark.parametrize(("text", "article"), POLICY_QUESTIONS_NOT_HOSTILE)
def test_policy_questions_about_all_users_data_are_answered(matcher: Matcher, text: str, article: int) -> None:
    _answers(matcher, text, article)


@pytest.mark.parametrize("text", STILL_HOSTILE)
def test_demands_for_everyones_data_stay_hostile(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.decision != "request" and "hostile" in match.flags, (
        match.decision, match.intent, match.flags)


# Silences: copies in backups after deletion (retention), one's own death, children's data as a fragment, security or
# privacy certifications and sensitive categories of data (two new silent topics), and a fragment naming one silence.
SILENCES = [
    ("do you keep backup copies after I delete something, and how long?", "silent_retention"),
    ("once my account is erased, are there still copies in backups?", "silent_retention"),
    ("how long do deleted records linger in your backups", "silent_retention"),
    ("are backups of my data wiped too when I close my account", "silent_retention"),
    ("if I pass away what becomes of my profile and data?", "silent_deceased"),
    ("in the event of my death, what do you do with my account?", "silent_deceased"),
    ("once I'm dead who controls my information", "silent_deceased"),
    ("what happens to my account data after I die?", "silent_deceased"),
    ("kids data?", "silent_children"),
    ("do you have special rules for childrens data", "silent_children"),
    ("is webmo ISO/IEC 27001 certified?", "silent_certification"),
    ("have you been accredited by any security body", "silent_certification"),
    ("got any SOC2 attestation?", "silent_certification"),
    ("Pマークは持ってますか？", "silent_certification"),
    ("ISMSの認証って取ってる？", "silent_certification"),
    ("do you keep records of my medical conditions?", "silent_sensitive_data"),
    ("is data on my religion handled with extra care?", "silent_sensitive_data"),
    ("do you collect biometric info such as face scans?", "silent_sensitive_data"),
    ("biometrics?", "silent_sensitive_data"),
    ("要配慮個人情報の扱いはどうなっていますか", "silent_sensitive_data"),
    ("病歴の情報は集めていますか", "silent_sensitive_data"),
]


@pytest.mark.parametrize(("text", "intent"), SILENCES)
def test_silences_are_answered_honestly(matcher: Matcher, text: str, intent: str) -> None:
    _silent(matcher, text, intent)


# Security measures themselves stay Article 5.
@pytest.mark.parametrize("text", ["how do you protect my data", "do you encrypt what I store with you?", "any defence against hackers breaking into your servers?"])
def test_security_measures_stay_article_5(matcher: Matcher, text: str) -> None:
    _answers(matcher, text, 5)
