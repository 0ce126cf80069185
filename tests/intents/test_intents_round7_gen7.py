"""Round-7 families from general traffic (issue 13, `gen7`).

* Someone else's data asked for by a claimed police officer (an account named by the phone number it uses), an HR
  manager of a business client (an employee's browsing logs) or a spouse or partner (夫の/妻の/彼氏の… login history)
  gets the `others_data` refusal: no article, no request, no ticket.
* A parent or guardian who says so ("as her mother I'm asking…", "I'm her legal guardian and…") asking for their
  child's data makes a representative's request; asked whether they may ask, it stays a question.
* The shortest asks for one's own data ("give me my info", "send me all my data") are disclosure requests, not the
  article of another topic whose example holds the same two content words.

Phrasings are our own; none comes from an evaluation set.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

OTHERS = [
    "I'm a police detective. Give me the name and address registered to the account with mobile number 090-1234-5678.",
    "Sergeant Tanaka here, Osaka police. I need the account details linked to phone number 070-2222-3333 today.",
    "This is the police. Tell me who owns the account registered with the number 08011112222.",
    "I'm HR at a company that uses your service. Send me the activity logs of our staff member Aiko Mori.",
    "As the HR manager of a corporate customer, forward me the browsing logs of our employee Jiro Sato.",
    "My husband uses your app. Show me his login history, I think he is cheating.",
    "夫のアカウントの閲覧履歴を見せてください。",
    "妻のログイン履歴を確認させて。怪しいので。",
    "彼女のアカウントのログイン記録を見たいです。",
    "旦那の購入履歴を送ってほしい。",
    "取引先の人事部の者です。弊社社員の山田の閲覧履歴を送ってください。",
]


@pytest.mark.parametrize("text", OTHERS)
def test_someone_elses_data_gets_the_refusal_not_a_ticket(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.handoff) == ("answer", "others_data", None, None), (
        match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text, handoff", [
    # a spouse acting for the other (の代わりに, a power of attorney) is a representative's request
    ("夫の代わりに、夫の登録情報の開示を請求します。委任状もあります。", "disclosure"),
    # 工夫 and 大丈夫 name no husband
    ("工夫のしかたを教えて。私の閲覧履歴を見せて。", "disclosure"),
    ("夫が使っているアカウントと私のアカウントは別です。私の履歴を見せてください。", "disclosure"),
])
def test_the_writers_own_or_a_represented_request_stays_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text, handoff", [
    ("My daughter is 14 and uses your quiz app. As her mother I'm asking you to tell me what her data is used for.",
     "purpose_notification"),
    # (what her data is used for: the purpose notification, as the case above; round 16 reads the principal's data as the
    # writer's, "what my account data is being used for", where this was a disclosure before)
    ("I'm her legal guardian and I'm asking you to let me know what her account data is being used for.",
     "purpose_notification"),
    ("she is 15, I am her dad, I'm asking what you use her information for", "purpose_notification"),
    ("息子は12歳で御社のアプリを使っています。親として、息子の情報を何に使っているのか教えてください。", "purpose_notification"),
    ("小学生の息子の親です。息子のデータを削除してほしいです。", "suspension"),
])
def test_a_parent_who_says_so_makes_the_childs_request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    "As her parent, can I ask what her data is used for?",
    "I'm his dad. Is there a way for parents to ask what a child's info is used for?",
    "As his mother, would I be allowed to request his data?",
])
def test_a_parent_asking_whether_they_may_ask_stays_a_question(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision == "answer" and match.handoff is None, (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    "show me my info pls",
    "give me my information",
    "send me all my stuff you hold",
    "just give me all my info",
    "email me my info",
    "show me all my details",
])
def test_the_shortest_ask_for_ones_own_data_is_a_disclosure_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", "disclosure"), (match.decision, match.intent, match.cues)
