"""Round 5 (issue 13), `ask` families: polite act-now requests phrased as questions, general or hypothetical questions,
a support problem set aside before the real question, and which site the policy covers.

Phrasings are written for these tests: not evaluation items, not catalog examples.
"""
from __future__ import annotations

import pytest

from intents.cues import load_cues
from intents.matcher import Matcher
from tests.intents.expect import request as _request


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
    # stress pass: a deadline with a delivery mode, a reply address and a deadline, 今週中 with 対応いただけると
    ("Hi! Would it be possible to receive a copy of my personal data by email this week? Many thanks in advance.",
     "disclosure"),
    ("Could you let me know what my data is used for? Please reply to this email address by Friday.",
     "purpose_notification"),
    ("私の登録情報を削除していただくことは可能でしょうか。今週中に対応いただけると助かります。", "suspension"),
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
    ("Would it be possible to stop using my data for marketing? just wondering in general", 9),
    ("Is it possible to receive the disclosure by post?", 7),
    ("How long does a disclosure take, will I have it by the end of the month?", 7),
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


# --- 2. general or hypothetical questions answered on the article they ask about ---------------------------------

@pytest.mark.parametrize("text, article", [
    # the channel for a privacy concern, asked in general (Art. 14)
    ("How would I get hold of someone about a privacy worry, if I ever had one? Just want to know the channel.", 14),
    ("If I ever had a privacy concern, what channel would I use? nothing wrong now", 14),
    ("Who would I contact about a privacy problem if one ever came up? No problem right now, just want to know the "
     "channel.", 14),
    ("万が一プライバシーのことで相談したくなったら、どこに連絡すればいいですか？今は特に問題ないです。", 14),
    # having one's own data deleted, asked in general (Art. 9), not a silent topic sharing "my data … leave"
    ("Would it be possible to have my details deleted? I'm asking in principle, not planning to leave.", 9),
    ("Could I get my info deleted someday, if I decide to leave? Just wondering.", 9),
    ("Is it possible to have my account deleted? asking for later, not leaving now", 9),
    # whether an ask to see everything could be turned down (Art. 7, not 9)
    ("Are there grounds to refuse if I asked to see everything you keep on me?", 7),
    ("Could you ever refuse to let me see the data you hold on me?", 7),
    ("If I asked to see everything, what reasons you'd refuse would there be?", 7),
    ("全部見せてほしいと頼んだら、見せてもらえないこともありますか？", 7),
    # an explanation of what the writer's own data is used for, asked in general (Art. 6, not 2)
    ("Would it be possible in principle to get a written explanation of what my own info is used for? Only asking.", 6),
    ("Could I in general have you explain what my data is used for? not asking for one now", 6),
    ("自分のデータが何に使われているか、一般的に書面で説明してもらうことはできますか？", 6),
])
def test_a_general_question_is_answered_on_its_article(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)


def test_nothing_to_act_on_now_is_no_urgency() -> None:
    cues = load_cues()
    for text in ("no complaint right now", "not right now", "nothing wrong right now"):
        assert cues.score(text, text).request == 0, text
    assert cues.score("delete it right now", "delete it right now").request > 2.0


# --- 3. a support problem set aside before the real question -----------------------------------------------------

@pytest.mark.parametrize("text, article", [
    ("The billing page keeps timing out (I'll report that separately), but who do I write to about a privacy "
     "question?", 14),
    ("I changed my password after a strange sign-in email, so that part is sorted. But now I'm wondering what you "
     "do to protect my data.", 5),
    ("The CSV export is broken, that's a separate issue, but do you share my data with advertisers?", 9),
    ("My invoices won't open, I've already contacted support about it, but do you use cookies to track me?", 12),
    ("請求書のダウンロードの件はサポートに問い合わせ済みです。それとは別に、個人情報の管理体制について知りたいです。", 5),
    ("ログインの不具合は解決済みです。ところで、預けたデータが消えたり壊れたりしないよう何をしていますか？", 5),
    ("アプリが重い件は別途問い合わせします。それとは別に、クッキーで何を取得しているのか教えてください。", 12),
])
def test_a_support_problem_set_aside_is_context(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)


def test_the_set_aside_clause_is_left_out_of_the_users_ask() -> None:
    from intents.structure import read
    structure = read("My invoice PDF is blank (I'll chase that separately), but what cookies do you set?")
    assert "invoice" not in structure.own and "cookies" in structure.own
    assert "invoice" not in structure.unnegated
    structure = read("ログインできない件は問い合わせ済みです。それとは別に、クッキーについて教えてください。")
    assert "ログイン" not in structure.own and "クッキー" in structure.own
    # a message that is only the set-aside matter is kept whole
    assert "password" in read("I reset my password, so that part is handled.").own


def test_a_request_after_a_set_aside_matter_is_still_a_request(matcher: Matcher) -> None:
    _request(matcher, "The app keeps logging me out, I'll raise that separately, but please delete my personal data.",
             "suspension")
    _request(matcher, "表示が崩れる件は別途問い合わせします。私の個人情報を削除してください。", "suspension")


# --- 4. which site or company the policy covers, and sites reached through the company's pages -------------------

@pytest.mark.parametrize("text, article", [
    ("The shop site I ended up on from your blog post has a strange privacy policy. Is that on you or on them?", 10),
    ("I followed a link in one of your articles to a travel agency's page; their privacy policy looks off — your "
     "problem or theirs?", 10),
    ("記事のリンクから飛んだ不動産会社のサイトのプライバシーポリシーが変なんですが、御社の責任ですか？", 10),
    ("記事から飛んだ先のサイトのプライバシーポリシーって、向こうの責任？そっちの責任？", 10),
    ("wait, is this WEBMO's chat or the Sakura Travel site's? whose privacy policy is this and does it cover Sakura "
     "Travel too", 1),
    ("Whose policy is this exactly — WEBMO's or the magazine site's I came from?", 1),
    ("Am I chatting with WEBMO or with Tokyo Eats? which company's privacy policy is this, does it cover the Tokyo "
     "Eats site?", 1),
    ("このプライバシーポリシーはどこの会社のものですか？私が使っている〇〇マガジンのサイトにも適用されますか？", 1),
])
def test_which_site_the_policy_covers(matcher: Matcher, text: str, article: int) -> None:
    _question(matcher, text, article)
