"""Round-8 family (issue 13, lead): the writer's own account identifier given beside what they ask.

People name the account they want something done on ("acct: sam_77", "username is k.ito", 「会員番号 40112」), not one
they only wonder about; the identifier leans a bare demand on a request topic into the request (`[account]` in
intents/cues.toml). A question with an identifier stays a question, a phrase that only mentions an account ("my account
is locked", "what ID do you need?") names no identifier, and someone else's account is still the refusal.

Phrasings are our own; none comes from an evaluation set.
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher

REQUESTS = [
    ("Everything you keep on me, zipped. acct: sam_77", "disclosure"),
    ("a copy of the personal data you store about me as a file. username: k.ito", "disclosure"),
    ("the full record you hold on me, downloadable please. Account: mara.v@example.org", "disclosure"),
    ("still waiting on that export of my personal data… user `dev_otter` :eyes:", "disclosure"),
    ("私の個人データ一式をファイルでください。会員番号 40112", "disclosure"),
    ("僕の登録情報のコピー送って。アカウントは ken_88", "disclosure"),
]


@pytest.mark.parametrize(("text", "handoff"), REQUESTS)
def test_a_demand_with_the_writers_account_id_is_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


QUESTIONS = [
    "Do you share my data with advertisers? acct: sam_77",
    "How long does it take to get a copy of my data? username: k.ito",
    "is it possible to see what you have on me? user id u_4410",
    "会員番号 40112 ですが、個人情報の開示はどうやって請求できますか？",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_with_an_account_id_stays_a_question(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    "my account is locked", "the user is me", "account settings", "what ID do you need?", "IDは何ですか",
    "my account (the free one)", "account: locked?", "Is my user id shared with partners?", "id 12",
])
def test_mentioning_an_account_names_no_identifier(text: str) -> None:
    assert load_cues().account.score(text) == 0


@pytest.mark.parametrize("text", [
    "acct: sam_77", "username is k.ito", "for my account (mika.t)", "user id u_4410", "my email is pat@example.net",
    "mail: pat@example.net", "会員番号 40112", "アカウントは ken_88", "ID：tora9",
])
def test_an_identifier_is_read_in_its_usual_forms(text: str) -> None:
    assert load_cues().account.score(text) > 0


def test_someone_elses_account_is_still_the_refusal(matcher: Matcher) -> None:
    match = matcher.match("Send me everything you have on my neighbour's account bob_1999.")
    assert match.decision != "request" and match.handoff is None, (match.decision, match.intent, match.cues)
