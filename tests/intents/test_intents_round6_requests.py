"""Round 6 (issue 13), `requests` families: formal requests without the shapes the cues knew (an imperative after
a comma, colon, dash or arrow; corrections stated as facts; polite and dialect Japanese request forms; terse noun
strings), search-style strings that only ask how, and which request a message makes.

Phrasings are written for these tests: not evaluation items, not catalog examples.
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher
from tests.intents.expect import request as _request, not_request as _not_request


# --- 1. an imperative opening a later clause ----------------------------------------------------------------------

@pytest.mark.parametrize("text, handoff", [
    ("cancelled my subscription last month, erase my personal data", "suspension"),
    ("moved house in March → update my address on your records", "correction"),
    ("guardian of a 10 year old here — notify me what his data is used for", "purpose_notification"),
    ("I've asked twice already; send me a copy of everything you hold on me", "disclosure"),
    ("whatever you store about me: delete it", "suspension"),
    ("closed my account ages ago, wipe whatever you still have on me", "suspension"),
])
def test_an_imperative_after_a_clause_mark_is_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "If I close my account, delete my data too?",
    "Out of curiosity, how do you delete data you no longer need?",
    "In your policy, Article 9 — what does it say about deletion?",
    "curious: give me an idea of what you collect",
    "Give me a quick overview of how you use cookies",
])
def test_a_question_with_a_clause_mark_stays_a_question(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


def test_the_clause_imperative_reads_only_later_clauses_and_needs_an_object() -> None:
    cues = load_cues()
    assert cues.score("no longer a customer, delete my data", "no longer a customer, delete my data").request >= 2.0
    # a verb with no object of the writer's after the mark ("update: the app crashed") is no demand
    assert cues.score("quick status, update on the outage", "quick status, update on the outage").request == 0.0


# --- 2. search-style strings and questions about what may be asked -------------------------------------------------

@pytest.mark.parametrize("text", [
    "erase old account data steps",
    "update wrong address procedure",
    "stop ads using my info how",
    "sakujo irai no houhou o oshiete kudasai",
    "kaiji seikyuu no tetsuzuki wa?",
    "プライバシー担当部署の所在地をご教示ください。",
    "古い住所を直してもらうこともお願いできますか？",
    "データを消したいときって、どこに言えばいいん？",
])
def test_a_string_asking_how_is_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


@pytest.mark.parametrize("text, handoff", [
    # "the process" with its article is the process the writer asks you to start
    ("I'd like my records erased. Please start the process.", "suspension"),
    ("私の登録情報を削除していただくことは可能でしょうか。今週中に対応いただけると助かります。", "suspension"),
])
def test_a_request_naming_the_process_stays_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


# --- 3. reaching a person: the privacy team without an article, escalation, polite causative asks ------------------

@pytest.mark.parametrize("text", [
    "put me through w/ data protection team pls",
    "this bot doesnt understand me, get me somebody in privacy",
    "I wish to make a formal complaint. Kindly pass it on to whoever deals with privacy.",
    "苦情の件、担当窓口へエスカレーションをお願いします。",
    "責任者の方と直接お話しさせていただけませんか。",
])
def test_asking_for_the_privacy_team_is_an_inquiry(matcher: Matcher, text: str) -> None:
    _request(matcher, text, "inquiry")


def test_a_sentence_saying_who_writes_names_no_person_to_reach(matcher: Matcher) -> None:
    # 「連絡しております」 says who is writing; the request is what follows
    _request(matcher, "父の代理で連絡しております。父の個人情報が何の目的で使われているのか、通知をお願いします。",
             "purpose_notification")


@pytest.mark.parametrize("text", [
    "個人情報が流出したら、私に連絡してもらえますか",
    "不正アクセスが起きたら利用者に知らせてもらえるんですか",
])
def test_a_question_about_an_incident_that_may_happen_is_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 4. whose data: the writer's own account named by its address; a child's partner is no child -----------------

@pytest.mark.parametrize("text, handoff", [
    ("could u email me everything u store about me pls, my account is under k.tanabe@example.com", "disclosure"),
    ("Please delete all my personal data. Account is under r.ono@example.org", "suspension"),
])
def test_the_writers_own_account_by_address_is_their_own_request(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "娘の旦那の住所を教えてください。本人には言わないでください。",
    "義理の姉の電話番号を調べてもらえますか",
])
def test_a_relative_by_marriage_is_someone_else(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("answer", "others_data"), (match.decision, match.intent, match.cues)


def test_a_parent_for_their_own_child_is_still_a_representative(matcher: Matcher) -> None:
    _request(matcher, "息子の代わりに、息子のアカウントの個人情報を開示してください。", "disclosure")


# --- 5. corrections stated as facts, dialect and noun-string requests, which request the verbs name ----------------

@pytest.mark.parametrize("text, handoff", [
    ("you typed my surname wrong, it is Hashimoto with an o not Hashimota", "correction"),
    ("incorrect birth date on my profile, it's 1975-03-02 not 1975-02-03", "correction"),
    ("My phone number changed. New one is 090-1111-2222.", "correction"),
    ("住所が古いまんまやで。新しい住所に直すの頼むわ", "correction"),
    ("登録の住所　誤り　修正依頼", "correction"),
    ("わしの登録データ、全部消去せえ。", "suspension"),
    ("Someone broke into your systems and my details got out. I want every bit of it deleted.", "suspension"),
    ("As his mother I'd like to see what info you hold on my 13 year old, his account is kenji.m@example.com",
     "disclosure"),
])
def test_stated_dialect_and_noun_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "訂正を頼むにはどうすればいいですか",
    "今すぐ頼むわけじゃないけど、削除ってどうやるの？",
    "Is it a problem if my old address is wrong, or is it fine not to fix it?",
])
def test_the_same_words_in_a_question_are_no_request(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


# --- 6. older users: polite Japanese request forms, kana statements, "tell me please" in run-on dictated text ------

@pytest.mark.parametrize("text, handoff", [
    ("お手数ですが、私の登録情報を削除していただけませんでしょうか。", "suspension"),
    ("住所が古いので、直してもらえませんか。", "correction"),
    ("私のデータが何に使われているか、書面でお知らせいただけますでしょうか。", "purpose_notification"),
    ("じゅうしょが まちがって います　いまは みなと区 です", "correction"),
    ("what are you doing with my personal information tell me please", "purpose_notification"),
    ("知らない人からメールが来て、私の情報が漏れたと書いてありました。私の情報を全部消してください。", "suspension"),
    ("that address is wrong.\nshould be 4-5-6 Minami-cho, Fuchu", "correction"),
])
def test_older_users_requests(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "個人情報の利用目的について、ご説明いただけますでしょうか。",
    "開示の手続きについて教えていただけませんか。",
    "Should be deleted automatically after a while, or do I have to ask?",
])
def test_polite_questions_stay_questions(matcher: Matcher, text: str) -> None:
    _not_request(matcher, text)


def test_asking_what_my_own_data_is_used_for_is_a_notification_request(matcher: Matcher) -> None:
    _request(matcher, "自分の登録情報をどんな目的に使っているのか教えてほしい。", "purpose_notification")
    _request(matcher, "ぼくの でーたを なにに つかってるのか おしえてください", "purpose_notification")
    # the policy's purposes in general stay a question (Art. 3)
    match = matcher.match("御社が集めた個人情報は何に使うのか教えてください。")
    assert match.decision != "request", (match.decision, match.intent, match.cues)
