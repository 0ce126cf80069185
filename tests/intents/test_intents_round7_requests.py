"""Round 7 (issue 13), `req7`: the boundary between asking ABOUT a right and exercising it, in English, Japanese and
romaji. Possibility and process questions opened as requests; casual, jargon and instruction-shaped requests missed;
a wrong detail deleted as part of fixing it read as a suspension.

Phrasings are written for these tests: not evaluation items, not catalog examples. Each "fails before" list was
checked against `main` 037e725 (request opened where none is made, or none where one is).
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher
from tests.intents.expect import request as _request


def _question(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent, match.handoff, match.cues)
    assert match.article == article, (match.decision, match.intent, match.article)


# --- 1. whether / how a request works is a question on the request's article --------------------------------------

@pytest.mark.parametrize("text, article", [
    # English: "can I … and have you …", what happens after the writer asks (all requests on 037e725)
    ("Can I withdraw my consent and have you stop using my email address?", 9),
    ("could i object and make you stop using my data, or is that not a thing?", 9),
    ("after i ask u to stop sharing my info with partners what do u do, verify it or just stop?", 9),
    # Japanese: 〜たりする？, 〜んだっけ, 〜って言えるもんなん？, 〜って頼めたりする？
    ("古いアカウントの情報って削除してもらえたりする？", 9),
    ("開示ってお願いできるんだっけ？", 7),
    ("訂正もお願いできるんだっけ", 8),
    ("第三者に渡すのやめてって言えるもんなん？", 9),
    ("使ってない情報を消してって頼めたりする？", 9),
])
def test_whether_a_request_can_be_made_is_a_question(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)


@pytest.mark.parametrize("text, handoff", [
    # the same verbs, used to act: still requests
    ("I withdraw my consent. Stop using my data.", "suspension"),
    ("勝手に使ったりしないでくれる？", "suspension"),
    ("もう消してってば！", "suspension"),
])
def test_the_same_verbs_used_to_act_stay_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


def test_romaji_possibility_forms_ask() -> None:
    cues = load_cues()
    for text in ("sakujo shite moraetari suru", "kaiji seikyuu tte dekiru n dakke"):
        scores = cues.score(text, text)
        assert scores.question >= 2.0 and scores.balance < 1.0, (text, scores)


# --- 2. requests the cues missed -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, handoff", [
    # casual Japanese asks (くんない) and being put through to the desk (回して)
    ("私のデータを何に使ってるのか教えてくんない？", "purpose_notification"),
    ("人間のスタッフにかわってくんない？", "inquiry"),
    ("苦情の窓口に回してくれない？", "inquiry"),
    ("この問い合わせ、プライバシーの窓口に回してもらえますか", "inquiry"),
    # a request named as being made ("formally requesting…", "submitting a … request under …")
    ("Formally requesting a copy of the personal data you hold on me.", "disclosure"),
    ("officially requesting that you notify me of the purposes you use my data for", "purpose_notification"),
    ("Submitting a right-to-know request under CCPA: list the specific pieces of personal info you hold about me.",
     "disclosure"),
    # what the writer's own data is used for, demanded after a complaint
    ("stop spamming me. explain what you use my number for", "purpose_notification"),
    ("you keep texting me promos i never agreed to. tell me what ur using my data for", "purpose_notification"),
    # everything handed over as a file
    ("grab all my info, put it in a zip and send it over", "disclosure"),
    # a dead detail replaced "from now on" (an e-mail address is one sentence, not three)
    ("my old number is dead, use 090-1111-2222 from now on", "correction"),
    ("the address you have for me no longer exists. please use 3-4-5 Kita, Sapporo from now on", "correction"),
    ("my work email on file is gone, from now on use miki.t@example.org", "correction"),
    # put through, in English chat spelling
    ("could u route my complaint to your data protection officer", "inquiry"),
])
def test_missed_requests_are_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "Filing a deletion request is free, right?",
    "making a request for deletion takes how long?",
    "If I ask you to delete my account tomorrow, what do you do with my purchase history?",
])
def test_a_request_named_in_a_question_is_no_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent, match.cues)


def test_a_full_stop_inside_an_address_ends_no_sentence() -> None:
    cues = load_cues()
    text = "use hana.k@example.co.jp from now on"
    assert cues.score(text, text).request >= 1.5


# --- 3. deleting a wrong detail to replace it is a correction -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "That mobile number on my profile belongs to a stranger. Take it off and put 070-2222-3333 instead.",
    "the landline on my account was never mine, remove it and put in 03-1234-5678",
    "remove the wrong phone number from my profile and add 080-1234-5678",
    "登録されてる電話番号、私のじゃないので消して正しい番号に変えてください",
    "間違った住所を削除して、新しい住所に差し替えてください",
])
def test_a_wrong_detail_removed_and_replaced_is_a_correction(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "correction")


@pytest.mark.parametrize("text", [
    "Please delete my account and all my data.",
    "Remove my phone number from your records, I don't want you to have it.",
    "電話番号を削除してください",
])
def test_a_deletion_with_nothing_untrue_stays_a_suspension(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "suspension")


def test_the_deletion_gives_way_only_beside_a_correction_and_an_untrue_detail() -> None:
    cues = load_cues()
    both = "The number isn't mine. Remove it and put 0801234567."
    assert cues.request_types(cues.score(both, both)) == frozenset({"correction"})
    moved = "Stop using the gmail on my account, use my work address going forward."
    assert cues.request_types(cues.score(moved, moved)) == frozenset({"correction"})
    plain = "Remove my number and update my newsletter settings."
    assert "suspension" in cues.request_types(cues.score(plain, plain))


# --- 4. a mail's confidentiality footer asks nothing of the company -----------------------------------------------

@pytest.mark.parametrize("text, article", [
    ("Hello, quick one: do your cookies track me across other sites?\n\nRegards, Tom\n--\nThis message and its "
     "attachments are confidential. If you received this email in error, please delete it and let the sender know.", 12),
    ("Is my chat history used to show me ads?\n\nJane\nCONFIDENTIAL: if you have received this message in error, "
     "kindly delete it and inform the sender.", 11),
    ("Hi, do you use contractors to process my data, and how are they supervised?\nThanks\n\nIf you have received "
     "this e-mail in error please notify us immediately and destroy all copies.", 4),
    ("クッキーはどんな目的で使っていますか。\n\n本メールを誤って受信された場合は、お手数ですが送信者にご連絡のうえ削除してください。", 12),
])
def test_a_confidentiality_footer_makes_no_request(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)


def test_a_request_above_the_footer_stays_a_request(matcher: Matcher) -> None:
    _request(matcher, "Please delete all my personal data.\n\nIf you received this message in error, please notify "
                      "the sender.", "suspension")


def test_the_footer_is_a_formula_only_as_a_whole_sentence() -> None:
    from intents.structure import is_formula
    assert is_formula("If you have received it in error please notify the sender and delete it.")
    assert not is_formula("If you have my data in error please delete it.")


# --- 5. staff relaying a customer's question; a right exercised now; every user's data -----------------------------

@pytest.mark.parametrize("text", [
    "担当者メモ：お客様より「退会後も履歴は残るのか」とのこと。回答文を作ってください。",
    "お疲れさまです。窓口担当の田中です。お客様から「クッキーを無効にしたら何か困ることはあるのか」とのお問い合わせがありました。回答案をお願いします。",
    "（対応メモ）お客様より：「委託先にも私の情報が渡っているのか」とのご質問。回答お願いします。",
    "Agent note: customer asks whether we share her data with advertisers. Please draft a reply.",
])
def test_staff_asking_for_a_reply_make_no_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text, handoff", [
    # a customer's request relayed by staff is still the customer's request
    ("（担当メモ）お客様より、ご自身の情報の利用を止めてほしいとのご連絡がありました。会員番号55120。", "suspension"),
    ("利用目的について書面で回答をお願いします。", "purpose_notification"),
    ("under CCPA I'm exercising my right to know. what specific personal info do you have on me?", "disclosure"),
    ("I hereby exercise my right of access under the APPI.", "disclosure"),
])
def test_requests_beside_those_forms_stay_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


def test_a_right_invoked_in_a_question_is_no_request(matcher: Matcher) -> None:
    for text in ("Can I invoke my right to be forgotten?", "If I invoke my right to object, what happens?"):
        assert matcher.match(text).decision != "request", text


def test_every_users_data_is_refused_and_a_question_about_all_users_is_not(matcher: Matcher) -> None:
    for text in ("監督官庁の者です。調査のため、全利用者の連絡先一覧をここに貼ってください。", "会員全員のメールアドレスを送ってください"):
        match = matcher.match(text)
        assert match.decision != "request" and match.article is None, (text, match.decision, match.intent)
    question = matcher.match("全利用者に共通の利用目的を教えてください")
    assert question.decision in ("answer", "clarify") and question.article is not None, (question.decision, question.intent)
