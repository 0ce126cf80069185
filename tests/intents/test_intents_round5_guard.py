"""Round-5 families of the `guard` work (issue 13 points 4 and 7), each checked with phrasings of our own.

Out of scope with privacy words: product support that uses request verbs on site content or work items, plan
changes, jobs, other companies' privacy policies, and "are you a bot" in romaji get the support fallback or
smalltalk, never an article or a request; a typo in the writer's own name or address is still a correction. Silent
topics the policy does not address (being told about a leak and how fast, compensation for a leak, Do Not Track) get
their honest silence, not the nearest article. None of these sentences comes from an evaluation set.
"""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

SUPPORT = [
    # site content and finished work: a request verb on them opens nothing, with or without a request cue
    "there's a typo on your homepage - 'recieve' - pls fix it",
    "please correct the spelling mistake in the footer of your website",
    "your pricing page has a broken link, can you update it",
    "ホームページの誤字を直してください",
    "サイトのフッターに脱字があります。修正お願いします。",
    "会社概要のページで社名の表記ミスを見つけました。訂正してください。",
    # work items in the app
    "how can I delete an archived project from my workspace?",
    "remove the old board from the sidebar please",
    "export the project list to CSV",
    "can I get the task list out as an excel file?",
    "ワークスペースから古いプロジェクトを削除する方法は？",
    "案件一覧をエクセルで出力したい",
    # plans, jobs, other companies' policies
    "how do I change my plan?",
    "I want to switch plans from monthly to yearly",
    "プランを変更したいんですが、どうすればいいですか",
    "料金プランの切り替え方法を教えて",
    "are there any job openings at webmo?",
    "求人情報はどこで見られますか",
    "中途採用ってやってます？",
    "how does your privacy policy compare to google's privacy policy?",
    "whats yahoos privacy policy like compared to line's",
    "is microsoft's privacy policy stricter than yours?",
    "楽天のプライバシーポリシーってどうなってる？",
    "他の会社と比べて御社のポリシーは厳しいですか",
    # second pass, other wordings of the same families
    "the About page misspells your CEO's name, someone should fix that",
    "FYI there's a dead link in the FAQ, please correct",
    "is your privacy policy better than Facebook's?",
    "LINEのプライバシーポリシーとどっちが厳しい？",
    "トップページに誤植がありますよ、直しといて",
    "タスク一覧をCSVで落とす方法ある？",
    "有料プランから無料プランに戻したい",
]


@pytest.mark.parametrize("text", SUPPORT)
def test_support_with_privacy_words_gets_no_article_and_no_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision == "fallback" and match.article is None and match.handoff is None, (
        match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text", ["bot desu ka", "anata wa AI desu ka?", "ningen desu ka", "anata ningen?"])
def test_asking_about_the_bot_in_romaji_is_smalltalk(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("smalltalk", "help"), (match.decision, match.intent)


@pytest.mark.parametrize("text, handoff", [
    # a typo in the writer's own data is a correction (personal data named)
    ("there's a typo in my surname in your records, please correct it", "correction"),
    ("my email address is misspelled in my profile, correct it please", "correction"),
    ("私の名前に誤字があります。訂正してください。", "correction"),
    ("登録している住所に誤字があるので直してください", "correction"),
    ("delete my account and all my projects", "suspension"),
    ("他社に私の情報を渡さないでください", "third_party_stop"),
])
def test_personal_data_beside_work_words_is_still_a_request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


@pytest.mark.parametrize("text, intent", [
    ("if you get breached, will you notify me and how fast?", "silent_breach_notification"),
    ("if my data gets leaked, would I be told?", "silent_breach_notification"),
    ("how quickly will you tell customers after a leak?", "silent_breach_notification"),
    ("漏洩した時って本人に通知来るん？", "silent_breach_notification"),
    ("情報が流出したら、すぐ知らせてもらえますか", "silent_breach_notification"),
    ("will I get compensation if my data gets leaked?", "silent_compensation"),
    ("if you lose my data, do you pay damages?", "silent_compensation"),
    ("データが漏れたら補償はあるんですか", "silent_compensation"),
    ("漏えいで損害が出たら賠償してもらえるん？", "silent_compensation"),
    ("Do you honor Do Not Track signals from the browser?", "silent_do_not_track"),
    ("does webmo respect DNT?", "silent_do_not_track"),
    ("is global privacy control honored on your site?", "silent_do_not_track"),
    ("ブラウザのトラッキング拒否の設定は守ってくれますか", "silent_do_not_track"),
    ("DNTって対応してる？", "silent_do_not_track"),
    # second pass, other wordings
    ("If hackers steal my info from you, will anyone tell me?", "silent_breach_notification"),
    ("万一情報漏洩が起きたら、どれくらいで連絡もらえますか", "silent_breach_notification"),
    ("Would you pay me anything if my personal details were leaked?", "silent_compensation"),
    ("漏れたら慰謝料とかもらえるんですか", "silent_compensation"),
    ("Do you respond to GPC signals?", "silent_do_not_track"),
])
def test_silent_topics_get_their_silence(matcher: Matcher, text: str, intent: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("answer", intent, None), (match.decision, match.intent)


@pytest.mark.parametrize("text, article", [
    # the neighbouring articles keep their questions
    ("will you notify me when the policy changes?", 13),
    ("how do you protect my data from leaks?", 5),
    ("漏えい対策はどうなっていますか", 5),
    ("can I disable cookies in my browser?", 12),
    ("what do you track with google analytics?", 11),
    ("if my data leaks, can I ask you to delete it?", 9),
])
def test_neighbouring_articles_keep_their_questions(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent)


@pytest.mark.parametrize("text, silent", [
    # asked against the purpose list: Article 3 answers, and the reply adds the silence (`Match.also`)
    ("is AI training one of the purposes listed in your policy?", "silent_ai_training"),
    ("are you training machine learning models on my chats, or is that outside the purposes you list?",
     "silent_ai_training"),
    ("do you sell data, or is that not among your stated purposes?", "silent_selling"),
    ("AIの学習は利用目的に含まれていますか", "silent_ai_training"),
    ("私のデータをAIの学習に使うのは、書かれている利用目的の中に入ってる？", "silent_ai_training"),
])
def test_an_unlisted_use_asked_against_the_purpose_list_is_answered_from_article_3(
        matcher: Matcher, text: str, silent: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article, match.also) == ("answer", "purpose_of_use", 3, (silent,)), (
        match.decision, match.intent, match.also)


@pytest.mark.parametrize("text, silent", [
    # without the list named, the use itself is asked about: the honest silence
    ("is my data used to train AI?", "silent_ai_training"),
    ("AIの学習にデータを使っていますか", "silent_ai_training"),
    ("do you sell my data?", "silent_selling"),
])
def test_an_unlisted_use_asked_alone_is_the_silence(matcher: Matcher, text: str, silent: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent, match.article) == ("answer", silent, None), (match.decision, match.intent)
