"""Formal requests made now vs questions about them (issue 13, round 4 families).

Phrasings are written for these tests: not evaluation items, not catalog examples. Each family is a general
mechanism (typo-tolerant verbs, hypothetical questions, sign-off formulas, person questions, honorific requests,
te-forms that describe rather than ask, "I want to know…" as a question).
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from intents.structure import is_formula, is_hypothetical_question
from intents.typos import fix_verbs


def test_misspelt_request_verbs_read_as_the_verbs() -> None:
    assert fix_verbs("delte my acount pls") == "delete my acount pls"
    assert fix_verbs("plase remvoe it and upadte my adress") == "please remove it and update my adress"
    assert fix_verbs("sned it to me") == "send it to me"
    # Inflections and real words one edit away stay as written.
    assert fix_verbs("deleted removing erased remote lease expert cancer chance sent step") == (
        "deleted removing erased remote lease expert cancer chance sent step")


@pytest.mark.parametrize("sentence", [
    "if my phone number were wrong, could you correct it?",
    "Suppose I closed my account, would you erase my records?",
    "電話番号が間違ってたら訂正してもらえますか？",
    "第三者に渡ってたら止めてもらえる？",
])
def test_hypothetical_questions(sentence: str) -> None:
    assert is_hypothetical_question(sentence)


@pytest.mark.parametrize("sentence", [
    "if possible, could you delete my account?",
    "If you still hold my records, can you erase them?",
    "もしよろしければ、削除していただけますか。",
    "データが残っていたら消してもらえますか？",
    "Can you delete my account?",
    "if my data was sold, I want that stopped.",  # a statement, not a question
])
def test_politeness_and_existence_are_not_hypotheticals(sentence: str) -> None:
    assert not is_hypothetical_question(sentence)


def test_sign_off_formulas() -> None:
    assert is_formula("何卒よろしくお願い申し上げます。")
    assert is_formula("お世話になっております。")
    assert is_formula("Thanks in advance!")
    assert not is_formula("削除よろしくお願いします。")
    assert not is_formula("Thanks, now delete it.")


@pytest.mark.parametrize("text, handoff", [
    # typos in the verb
    ("delte my account pls", "suspension"),
    ("plase remvoe all my data", "suspension"),
    # a terse demand below the answer threshold is still a request
    ("remove me pls", "suspension"),
    # asking to be put through, even as a question
    ("can I speak with a human about my account data?", "inquiry"),
    ("ご担当の方からお電話いただけますでしょうか。", "inquiry"),
    # a request named as such, without a request verb
    ("Treat this as my written request to tell me what my data is used for.", "purpose_notification"),
    ("Deletion request for my account, effective today.", "suspension"),
    ("Please add my middle name to my profile, it's missing.", "correction"),
    # 教えて/通知して in writing is a request; していただけますか is not progressive
    ("利用目的を文書で通知していただけますか。", "purpose_notification"),
    # a correction stated, not asked for
    ("登録のメアド、前のやつのままです。今のは foo@example.com です", "correction"),
    # politeness is no hypothetical
    ("if possible, could you delete my account?", "suspension"),
])
def test_requests_made_now(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    "if my phone number were wrong, could you correct it?",
    "電話番号が間違ってたら訂正してもらえますか？",
    "第三者に渡ってたら止めてもらえる？",
    "I want to know why you keep my email address.",
    "I'd like to understand how you handle my records.",
    "could my husband request deletion on my behalf?",
    # a business email whose only ask is a question, with the usual formulas around it
    "お世話になっております。登録した住所はどのように利用されていますか。確認させてください。よろしくお願いいたします。",
    # a person or a complaint desk named in a question
    "苦情はどこに言えばいい？",
    "社員の方が私のデータを見るんですか？",
    # a te-form that describes what is being done
    "メールマガジンって私のメアドに送ってる？",
])
def test_questions_are_not_requests(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.intent, match.cues)


@pytest.mark.parametrize("text, handoff", [
    # an ask for a person with honorific verbs and a department
    ("お世話になっております。個人情報の扱いについて相談したく、担当部署へお取り次ぎいただけますか。", "inquiry"),
    # a verbless ask with how to deliver it
    ("the records about me, as a pdf please", "disclosure"),
    # generic words put it near the contact topic; without anyone to talk to it is the nearest other request
    ("I would like to get everything your company has about me, please.", "disclosure"),
    # 利用を止めて: a stop of use, whatever topic the reason names
    ("個人情報を利用を止めてほしいです", "suspension"),
    # a representative for a named person is still a request
    ("I'm her legal guardian. Please send me her personal data you hold.", "disclosure"),
])
def test_more_requests_made_now(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    "Is there a process for asking you to erase my account?",
    # the writer's own action is no request to the company
    "What's your postal address? I'd like to write to you about my data.",
    # what the writer does is no instruction
    "I switched to another tool and I don't use your app now. Is there a form for getting my records removed?",
    "担当部署はどこですか？",
])
def test_more_questions_are_not_requests(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.intent, match.cues)


def test_someone_elses_details_sent_to_the_writer_are_refused(matcher: Matcher) -> None:
    match = matcher.match("Could you send me his registered address? He is my neighbour and we lost touch.")
    assert match.decision == "answer" and match.intent == "others_data" and match.handoff is None


@pytest.mark.parametrize("text, handoff", [
    # the verb says which request, whatever the story before it is about
    ("I've had a long back-and-forth with your support people about an invoice. It's settled, but I'm done "
     "with this service. Please erase my data.", "suspension"),
    ("Please take this as my formal request for disclosure of everything you hold on me, including the records "
     "of anything you gave to third parties.", "disclosure"),
    # deleting untrue data is a correction (Art. 8), not a suspension
    ("The phone number on my profile isn't mine. Please remove it from my record.", "correction"),
    # a court-appointed guardian is a representative, not an authority claim
    ("I am the court-appointed guardian of Mr. Kenta Mori. I request disclosure of all personal information "
     "you hold about him.", "disclosure"),
])
def test_the_request_type_follows_the_verb(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


def test_verbs_are_read_only_for_a_request(matcher: Matcher) -> None:
    question, demand = matcher.match("how do I ask you to erase my data?"), matcher.match("please erase my data")
    assert question.cues is not None and demand.cues is not None
    assert matcher.cues.request_types(question.cues) == frozenset()
    assert "suspension" in matcher.cues.request_types(demand.cues)


@pytest.mark.parametrize("text, handoff", [
    # "I want you to …" at the end of a long story
    ("Three different newsletters, a survey and a phone call this month, none of which I signed up for. I've read "
     "your general list of purposes. I want you to notify me what my own information is being used for.",
     "purpose_notification"),
    # a correction stated as "X, not Y"
    ("my first name is Haruto not Haruko, you have it wrong on every email", "correction"),
])
def test_wishes_and_stated_corrections(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


def test_a_wish_with_an_adverb_is_read() -> None:
    from intents.cues import load_cues
    cues = load_cues()
    plain = cues.score("I don't want my data going to partners.", "I don't want my data going to partners.")
    softened = cues.score("I just don't want my data going to partners.", "I just don't want my data going to partners.")
    assert softened.request == plain.request > 0
    assert "third_party_stop" in cues.request_types(softened)


def test_a_request_named_by_its_verb_stands_when_the_context_names_another_article(matcher: Matcher) -> None:
    letter = ("Dear Privacy Team,\n\nRe: request for disclosure\n\nI am writing to request disclosure of all personal "
              "data your company holds about me. Please include anything you obtained from your other services or "
              "bought from data brokers.\n\nRegards,\nAyumi Kato")
    match = matcher.match(letter)
    assert match.candidates[0].article == 2  # the context (acquisition) leads by topic
    assert (match.decision, match.handoff) == ("request", "disclosure")
    # a question about the same topic with a polite "please explain" is still a question
    assert matcher.match("Do you buy data from brokers? Please explain.").decision != "request"
