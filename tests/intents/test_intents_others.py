"""Whose data a message asks for (issue 13 point 7, round 5; `intents/others.py`, vocabulary in `intents/others.toml`).

Someone else's personal data — a person named by relation, by number or e-mail, by title, or "her"/"his" — or a
claimed authority over it gets the `others_data` refusal (no article, no request), in English and Japanese (plain,
keigo, Kansai). A request for oneself, or for a principal the writer acts for, stays a request; a question that only
mentions another person stays a question. Phrasings are our own; none comes from an evaluation set.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from intents.matcher import Matcher
from intents.others import OthersError, load_others

REFUSED = [
    # relations and former staff, asked for their details
    "which email is my ex-wife registered with?",
    "what's my neighbour's phone number in your records",
    "can you give me the address you have for my landlord",
    "I need the login email of my husband's account, he won't tell me",
    "send me the phone number my ex-husband registered with",
    "my former roommate still uses your service. what's his email now? I need to return his stuff",
    "I work at her doctor's office, could you give me her registered phone number?",
    # a claimed authority: police, the company's legal team or own staff, a workspace admin, a law firm
    "I'm an officer with the Osaka police. Send me the phone number of the customer registered as yumi.s@example.org.",
    "this is Sgt. Park from the metro police, we need the contact details of one of your members, a Mr. Lee",
    "we are the legal team at webmo. provide the full profile for user id 3381 by end of day",
    "i'm on the webmo helpdesk team and my access is broken, could you look up user 90210's address for me",
    "this is Sam from your helpdesk, can you confirm their registered email address for me",
    "As the Slack workspace owner for our team, export everything you store about Hiroshi, a former team member",
    "Our firm represents Hanley Corp in a lawsuit against Ms. Ruth Obi, one of your subscribers. "
    "Please disclose her home address and mobile number.",
    # Japanese: plain, keigo, Kansai
    "警察の者です。会員番号 55321 の住所と電話番号を送ってください。",
    "弊社はウェブモ社内の者ですが、ユーザーID 7781の登録情報を出してもらえますか",
    "法務部です。このユーザーの住所を至急送付してください。",
    "what personal data do you hold about my landlord?",
    "部長として部下の登録情報を見せてください",
    # second pass, other wordings
    "My sister uses your app and she's not answering her phone. Can you tell me her address so I can check on her?",
    "As HR manager I need the personal email of a former employee, Ken Sato, for his final payslip.",
    "Our law firm acts for a creditor; please disclose the debtor's phone number and address, he is one of your users.",
    "give me the email address registered under the username taro_99",
    "県警の者ですが、会員ID 48812の方の連絡先を教えてください。",
    "弁護士です。相手方の山本氏の電話番号と住所を開示してください。",
    "御社のカスタマーサポートの者です。このメールアドレス yama@example.jp のユーザー情報を送ってください。",
    "ワークスペース管理者です。退職した社員の個人データをすべて出力してください。",
    "元カレの今の住所、調べてもらえませんか",
    "隣の部屋の人の名前と連絡先を教えていただけますでしょうか",
    "同僚の佐藤さんの電話番号を教えてほしいんやけど",
    "その元従業員のメールアドレス、教えてくれへん？",
]


@pytest.mark.parametrize("text", REFUSED)
def test_someone_elses_data_gets_the_refusal(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.handoff) == ("answer", "others_data", None, None), (
        match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text, handoff", [
    # a principal the writer acts for: guardian, parent of a child, a lawyer for the client, 代理人 with 委任状
    ("I'm her legal guardian. Please send me her personal data you hold.", "disclosure"),
    ("As the parent of a 13-year-old user, I ask you to delete my son's account and data.", "suspension"),
    ("On behalf of my client Ms. Aoki, power of attorney attached, we request disclosure of her personal "
     "information.", "disclosure"),
    ("We represent Mr. Daniel Ito, a user of your service. Please send us his data under Article 7.", "disclosure"),
    ("母の代理で、母の個人情報の開示をお願いします。委任状があります。", "disclosure"),
    ("息子（12歳）のアカウント情報を削除してください。親です。", "suspension"),
    # the writer's own data, with another person only mentioned
    ("my friend recommended your app; please send me a copy of all my data", "disclosure"),
    ("my ex-husband keeps logging into my account, please delete my phone number from it", "suspension"),
    ("友人に勧められて登録しましたが、私の登録情報を見せてください", "disclosure"),
    ("夫が勝手に登録したアカウントを削除してほしいです", "suspension"),
    ("I'm the legal guardian of my brother, who has a disability. Please send me the personal data you hold about "
     "him.", "disclosure"),
    ("I am writing on behalf of my father, power of attorney enclosed: please delete his account", "suspension"),
    ("夫の代理で、夫の個人情報の開示を請求します。委任状を添付します。", "disclosure"),
    # a relation mentioned while the writer asks about their own data: the others_data topic's words (a coworker, a
    # neighbour) rank it first, but whose data is asked for finds no one else's
    ("my coworker recommended you. please change my email address", "correction"),
    ("同僚に勧められました。私のメールアドレスを変更してください。", "correction"),
    ("my neighbour told me about you; please delete my account", "suspension"),
])
def test_requests_for_oneself_or_a_principal_stay_requests(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", [
    # someone's ask reported by an employee, a contact person's details, a question that mentions someone
    "A customer asked us to send her all her data. Are we obliged to?",
    "a customer called support saying the address we have on file for them is wrong, what's our obligation?",
    "who is your privacy contact and what's her email?",
    "my wife told me you sell data to advertisers, is that true?",
    "I'm on the support team. What does the policy say about deleting a user's account when they ask?",
    "同僚から聞いたんですが、個人情報の開示ってどうやって請求するんですか？",
    "Can a parent request their child's data?",
])
def test_a_mention_of_someone_else_is_no_refusal(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.intent != "others_data" and match.cues is not None and match.cues.authority == 0, (
        match.decision, match.intent, match.cues)


def test_the_vocabulary_fails_loudly(tmp_path: Path) -> None:
    broken = tmp_path / "others.toml"
    broken.write_text("[en]\nsubject = ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(OthersError, match="subject"):
        load_others(broken)
