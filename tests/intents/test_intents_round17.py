"""Round 17: families of failure found on the blind sets r17a, r17d, r17e and r17f (scored untouched first: r17a and
r17d on d79cb4c, en 96.7 / 98.0, ja 99.0 / 99.0; r17e and r17f on 9c5f56a, whose matching is d79cb4c's, en 95.4 / 98.7,
ja 98.1 / 96.2), fixed with phrasings written for these tests: not evaluation items (none is a copy of one), not catalog
examples. r17b and r17c stay sealed.

Each family's first phrasings failed on `main` 9c5f56a (the comment says how); the guards beside them passed before and
must keep passing.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from tests.intents.expect import answers, not_request, request


def refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.intent, match.handoff, "refusal" in match.flags) == ("others_data", None, True), (
        match.decision, match.intent, match.handoff, match.cues)


# --- 1. a lawyer who says they act for nobody, asking for someone's data (Japanese) -----------------------------------
@pytest.mark.parametrize("text", [
    "法律事務所の者です。代理人ではないのですが、ある方の連絡先を教えてください。",                 # was a disclosure request
    "弁護士をしております。依頼者ではありませんが、とある人物の登録情報を開示してください。",        # was a disclosure request
    "弁護士です。裁判の相手方の住所と電話番号を出してください。",                                  # was a disclosure request
])
def test_someone_elses_data_asked_by_a_lawyer_acting_for_nobody_is_refused(matcher: Matcher, text: str) -> None:
    refused(matcher, text)


def test_a_lawyer_for_the_client_with_a_mandate_still_makes_the_clients_request(matcher: Matcher) -> None:
    request(matcher, "弁護士です。依頼人本人の登録情報の開示をお願いします。委任状を添付します。", "disclosure")  # guard


# --- 2. a person named by a title and initials ("Mr. K. Sato") is one name, not three sentences ----------------------
@pytest.mark.parametrize("text", [
    "Reporter here. Is Ms. A. Fujita registered with you, and what phone number does she use?",    # was an answer
    "please give me Dr. J. K. Morton's home address",                                             # was a fallback
])
def test_someone_named_with_initials_asked_about_is_refused(matcher: Matcher, text: str) -> None:
    refused(matcher, text)


def test_the_writer_named_with_a_title_still_asks_for_their_own_data(matcher: Matcher) -> None:
    request(matcher, "Hello, Dr. Okada here. Please send me a copy of all my personal data.", "disclosure")  # guard


# --- 3. which services the policy covers, in everyday words: Art. 1 ---------------------------------------------------
@pytest.mark.parametrize("text", [
    "is the phone app too under this privacy stuff?",                                              # was contact (Art. 14)
    "I have accounts on two of your services - is it one set of privacy rules or separate ones?",   # was a fallback
])
def test_which_services_the_policy_covers_is_art_1(matcher: Matcher, text: str) -> None:
    answers(matcher, text, 1)


def test_the_sites_you_link_to_stay_art_10(matcher: Matcher) -> None:
    answers(matcher, "Does your privacy policy cover the websites you link out to?", 10)  # guard


# --- 4. whether having it done is possible, or whether there is a process, asked casually (Japanese): a question -----
@pytest.mark.parametrize("text", [
    "退会したアプリなんだけど、個人データを削除してもらうことって可能？",                            # was a suspension request
    "他社へのデータのシェア、止めてもらうプロセスってある？",                                       # was a third-party stop request
])
def test_asking_whether_it_can_be_done_is_a_question(matcher: Matcher, text: str) -> None:
    not_request(matcher, text)


def test_asking_for_it_casually_is_still_a_request(matcher: Matcher) -> None:
    request(matcher, "退会したので、私の個人データを全部削除してもらえる？お願い", "suspension")  # guard
