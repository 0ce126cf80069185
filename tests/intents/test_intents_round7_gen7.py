"""Round-7 families from general traffic (issue 13, `gen7`).

* Someone else's data asked for by a claimed police officer (an account named by the phone number it uses), an HR
  manager of a business client (an employee's browsing logs) or a spouse or partner (夫の/妻の/彼氏の… login history)
  gets the `others_data` refusal: no article, no request, no ticket.

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
