"""Round 8 (issue 13), `req8`: formal requests missed or mistyped, and requests opened where none is made.

Phrasings are written for these tests: not evaluation items, not catalog examples. Each "fails before" list was
checked against `main` 0123e05 (no request where one is made, the wrong type, or a request where none is made).
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher
from tests.intents.expect import request as _request, not_request as _not_request
from intents.structure import read


# --- 1. a parent or guardian making the child's request -------------------------------------------------------------

@pytest.mark.parametrize("text, handoff", [
    # Japanese: 〜として (parent, guardian, legal representative) beside a formal request and a "tell me which…" sentence
    # (questions on 0123e05: the embedded question's どの/どんな outweighed 請求します alone)
    ("息子の親として開示を請求します。どんな情報を持っているか教えてください。", "disclosure"),
    ("保護者として、娘のアカウントの情報の削除を請求します。どの情報が消えるのか教えてください。", "suspension"),
    ("娘の親として利用停止を請求します。どの情報が対象になるか教えてください。", "suspension"),
    ("親として、子どもの個人情報の利用目的の通知を請求します。どういう目的なのか、教えてください。", "purpose_notification"),
    # English: the child's age named first took the children silence, which answered instead of the request
    ("My boy is 12 years old and has an account. I need you to explain what you do with my son's details.",
     "purpose_notification"),
    ("I'm dad to an 11 year old who uses your games. I want you to tell me what you're doing with my kid's data.",
     "purpose_notification"),
])
def test_a_parent_making_the_childs_request(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "親として、子どもの情報の開示を請求できますか？",
    "I'm a dad of a nine-year-old. may I ask you what his account data is used for?",
    "Dad of a nine-year-old here. Are there special rules for kids?",
])
def test_a_parent_asking_whether_stays_a_question(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 2. punctuation spoken into a dictation app ----------------------------------------------------------------------

@pytest.mark.parametrize("text, handoff", [
    # requests on 0123e05 read as one run-on sentence whose imperative did not open it
    ("okay webmo comma send me a copy of everything you have on me period my email is jay at example dot com",
     "disclosure"),
    ("webmo comma tell me what you do with my info period", "purpose_notification"),
    ("hey there comma tell me why you are keeping my phone number period thanks", "purpose_notification"),
])
def test_dictated_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text, sentences", [
    ("hello comma tell me why you keep my info period my name is ann", ("hello, tell me why you keep my info.",
                                                                        "my name is ann")),
    ("send me my data question mark no i mean send it", ("send me my data?", "no i mean send it")),
    ("tell me why you keep my info period", ("tell me why you keep my info.",)),
    # the noun stays a noun
    ("what is the retention period for my data", ("what is the retention period for my data",)),
    ("keep it for a short period", ("keep it for a short period",)),
    ("hello comma is there a period of time after which you delete it question mark",
     ("hello, is there a period of time after which you delete it?",)),
    # typed punctuation: nothing is dictated
    ("Hi, what's the comma policy here? period.", ("Hi, what's the comma policy here?", "period.")),
])
def test_spoken_marks_are_read_as_punctuation(text: str, sentences: tuple[str, ...]) -> None:
    assert read(text).sentences == sentences


# --- 3. a casual question about what is held, then a bare "show me" ------------------------------------------------

@pytest.mark.parametrize("text", [
    # questions on 0123e05 (the question's what/do you outweighed the imperative), or a dead end with an account named
    "what have you got on me? show me, account is mariko.s@yahoo.co.jp",
    "what do you guys even have on me? show me. my email is kay@example.com",
    "what info u got on me?? lemme see it",
    "so what data do you have about me?? show it to me",
    "what have you got on me, show me everything",
    "what do you hold on me?? show me, acct is kay_r",
])
def test_show_me_after_what_do_you_have_on_me(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "disclosure")


@pytest.mark.parametrize("text", [
    "what kind of data do you collect? show me the section of the policy",
    "show me the cookie section",
    "what data do you keep. let me see the policy",
])
def test_show_me_the_policy_is_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 4. a detail as recorded set against what it should be ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    # an answer about corrections, or a dead end, on 0123e05 ("should be" alone weighed too little)
    "you've got my surname spelled smyth, it should be smith",
    "you have my birthday as 3 may, it should be 5 march",
    "you spelled my name katherine it should be kathryn",
    "the email on my account says jdoe@old.com, should be jdoe@new.com",
    "my middle initial on file is p, it should be q",
])
def test_a_recorded_detail_and_what_it_should_be(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "correction")


@pytest.mark.parametrize("text", [
    "if you have my name spelled wrong, what should I do?",
    "you have my number. it should be safe with you",  # a correction request on 0123e05
    "my profile says i'm 30 but it should be 31, how do i change it myself in the app?",
])
def test_what_data_should_be_is_no_correction(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.handoff != "correction", (match.decision, match.intent, match.cues)


def test_a_recorded_detail_that_should_be_deleted_stays_a_deletion(matcher: Matcher) -> None:
    _request(matcher, "you have my email on file, it should be deleted now", "suspension")


# --- 5. asking for the matter to be escalated, or for human staff ---------------------------------------------------

@pytest.mark.parametrize("text", [
    # the contact article on 0123e05 ("escalated" was not read; "human staff" named no person)
    "i need my case escalated to management, three weeks and no answer",
    "no reply again. I want it escalated to someone senior",
    # an inquiry on 0123e05 through the contact topic alone, a dead end on main 5a88a24 (support words): now a person
    "Can I chat with human support please, I find this bot confusing",
    "can i speak with human staff?",
])
def test_escalation_and_human_staff_ask_for_a_person(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "inquiry")


@pytest.mark.parametrize("text", [
    "what happens when a complaint is escalated?",
    "do you have human staff or is it all automated?",
    "who can i speak with about privacy?",
])
def test_questions_about_escalation_and_staff_stay_questions(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 6. passing data on to other companies, stopped: the third-party stop, not a suspension ------------------------

@pytest.mark.parametrize("text", [
    # suspensions on 0123e05: the consent words scored the suspension topic far above the third-party stop
    "同意してないのに、よその会社にデータ回すのやめてください",
    "同意していないので、他社に情報を流すのを止めてください",
    "同意していないのに勝手に使われています。他社に情報を回すのはやめてください",
])
def test_passing_data_to_other_companies_stopped(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "third_party_stop")


@pytest.mark.parametrize("text, handoff", [
    ("同意してないのに勝手に使われてる。私の情報の利用をやめてほしい", "suspension"),
    # a deletion verb beside third-party sharing stays the stop (the redirect is one way)
    ("remove me from any outside-company data sharing starting now", "third_party_stop"),
])
def test_the_other_requests_of_article_9_stay(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


def test_whether_data_goes_to_other_companies_stays_a_question(matcher: Matcher) -> None:
    _not_request(matcher, "他の会社に情報を渡すことはありますか？")


# --- 7. whether one may ask for it at all: the wish quoted as what would be asked ----------------------------------

@pytest.mark.parametrize("text, article", [
    # requests on 0123e05: the quoted wish (ほしい) and お願い outweighed できますか
    ("私のデータを消してほしいとお願いすることはできますか。", 9),
    ("私の情報の利用を停止してほしいとお願いすることは可能でしょうか。", 9),
    ("自分のデータを消してくださいと頼むことってできるの？", 9),
    # (questions already on 0123e05, kept so)
    ("私の個人情報を全部見せてほしいと申し出ることは可能でしょうか。", 7),
    ("登録情報を直してほしいと頼むことって可能ですか？", 8),
    ("自分の情報を他社に渡さないでと求めることはできるのでしょうか", 9),
])
def test_whether_one_may_ask_is_a_question(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision != "request" and match.article == article, (match.decision, match.intent, match.cues)


def test_asking_whether_it_can_be_done_after_the_wish_stays_a_request(matcher: Matcher) -> None:
    _request(matcher, "私のデータを消してほしいです。お願いできますか。", "suspension")


# --- 8. a vendor questionnaire's item: a labelled question and an ask for the policy's text -------------------------

@pytest.mark.parametrize("text", [
    # requests on 0123e05: the label before the colon hid the question's opening, and "please provide/cite" asked
    "Due diligence Q9: Do you correct inaccurate customer data on request? Please provide the relevant section.",
    "Questionnaire item 7: Does the policy let users stop the sharing of their data with third parties? Please cite the clause.",
    "Compliance form, line 6: Will you notify users of the purposes their data is used for? Please quote the provision.",
    "Procurement checklist, section B: Does the supplier disclose personal data to subcontractors? Please provide the relevant policy text.",
])
def test_questionnaire_items_open_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


def test_a_request_beside_an_ask_for_the_section_stays_a_request(matcher: Matcher) -> None:
    _request(matcher, "please delete my data and cite the section that lets me ask", "suspension")


def test_a_label_before_a_question_ends_a_sentence() -> None:
    from intents.cues import load_cues
    cues = load_cues()
    text = "Review item 2.1: Does the policy cover cookies?"
    assert cues.score(text, text).question >= 1.5
    # a mail's subject line stays one line ("Subject: Access request" names the request)
    subject = "Subject: Access request"
    assert cues.score(subject, subject).request >= 2.0


# --- 9. a deletion said without a deletion word the topics know; a parent who says "our" -----------------------------

@pytest.mark.parametrize("text", [
    # dead ends on main 1903561: the verbs named the deletion, the correction's phrasings scored best
    "take my number off your list",
    "take my email off your books please",
    "get my phone number off your mailing list",
    "i dont want you having my address anymore",
    "i dont want you holding my email anymore",
])
def test_data_off_the_list_or_not_held_any_more(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "suspension")


def test_our_son_is_the_parents_own_principal(matcher: Matcher) -> None:
    # the others'-data refusal on main 1903561 ("his details" with "our son", not "my son")
    _request(matcher, "our son is 12 years old and uses your app. I want you to stop using his details.", "suspension")


def test_everything_held_on_ones_child_sent_is_a_disclosure(matcher: Matcher) -> None:
    # a suspension on main 1903561 ("hold" resembled "hold on to")
    _request(matcher, "I would like everything you hold on my child, sent to me.", "disclosure")
