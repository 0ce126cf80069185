"""Round 5 (issue 13), `ask` families: polite act-now requests phrased as questions, general or hypothetical questions,
a support problem set aside before the real question, and which site the policy covers.

Phrasings are written for these tests: not evaluation items, not catalog examples.
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher


def _request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


def _question(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("answer", article, None), (
        match.decision, match.intent, match.cues)


# --- 1. a polite "would it be possible / could you" with act-now signals is a request being made -----------------

@pytest.mark.parametrize("text, handoff", [
    # a delivery target and a deadline
    ("Would it be possible to have a copy of everything you hold on me sent to my email address by Friday?",
     "disclosure"),
    ("Could it be possible to get an export of my personal data mailed to this address before next week? Many thanks",
     "disclosure"),
    ("Is there any chance you could get my records emailed to me by the end of the week?", "disclosure"),
    # the writer's own account named as what it is for
    ("disclosure of my data for my account please, account number 5561234", "disclosure"),
    ("notice of what my data is used for, for my account please — member no 778812", "purpose_notification"),
    # "not the general answer, mine"
    ("Not the general purposes from the policy but what my own account's data is used for, please tell me.",
     "purpose_notification"),
    # Japanese: a deadline and a delivery target, and 「一般的な…じゃなくて」
    ("保有している私の個人データを開示していただくことは可能でしょうか。今月中に登録のメールアドレス宛にお送りいただけると幸いです。",
     "disclosure"),
    ("私の個人情報の写しを下記アドレス宛に送っていただけますか。今週中だと助かります。", "disclosure"),
    ("全体の利用目的ではなく、私のデータが何の目的で使われているのか通知してもらえますか。", "purpose_notification"),
    ("一般論じゃなくて、私のアカウントの情報をどう使ってるのか教えてもらえますか。", "purpose_notification"),
])
def test_a_polite_question_with_act_now_signals_is_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text, article", [
    # the same polite form with no act-now signal, or with a general one, asks about the procedure
    ("Would it be possible to get a copy of my data?", 7),
    ("Would it be possible to get a copy of my data emailed to me? Just checking how that works.", 7),
    ("Could my data be emailed to me as a copy, in general? Only asking for future reference.", 7),
    ("Would it be possible to have my data erased? Not planning to leave, just curious.", 9),
    ("データのコピーを登録のメールアドレスに送っていただくことは可能でしょうか。参考までにお聞きしたいだけです。", 7),
    ("一般的に、データを削除してもらうことはできますか？", 9),
    # "not the general purposes but mine" asked as how-to is a question about the procedure
    ("一般的な目的ではなく、個別の利用目的を通知してもらう方法はありますか？", 6),
])
def test_a_polite_general_question_stays_a_question(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)


def test_act_now_signals_are_request_cues_and_general_signals_question_cues() -> None:
    cues = load_cues()
    for text in ("send it to my email address this week", "to me at the registered address by tomorrow"):
        assert cues.score(text, text).request > 0, text
    for text in ("just checking", "only asking for future reference", "参考までに"):
        assert cues.score(text, text).question >= 2.0, text
    # the polite form alone leans a little, below a request
    text = "Would it be possible to get a copy of my data?"
    assert 0 < cues.score(text, text).balance < 1.0


@pytest.mark.parametrize("text, handoff", [
    ("弊社は佐藤花子様の代理人です。委任状を添付しておりますので、佐藤花子様の個人情報の利用目的を通知するよう請求いたします。",
     "purpose_notification"),
    ("当職は鈴木一郎氏の代理人弁護士です。委任状を同封のうえ、貴社が保有する同氏の個人データの開示を請求いたします。", "disclosure"),
    ("I act for Ms Ayumi Kato as her legal representative (signed authorisation attached). We request "
     "disclosure of the personal data you hold about her.", "disclosure"),
])
def test_a_representative_letter_for_a_named_client_is_the_clients_request(matcher: Matcher, text: str,
                                                                           handoff: str) -> None:
    _request(matcher, text, handoff)


@pytest.mark.parametrize("text", [
    "田中様の個人情報を教えてください",
    "弁護士です。相手方の山本氏の電話番号と住所を開示してください。",
    "山田さんの住所を教えて",
])
def test_a_named_persons_data_without_a_representative_is_still_refused(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.article is None and match.handoff is None and "hostile" in match.flags, (match.intent, match.cues)
