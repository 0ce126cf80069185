"""Round-6 Japanese article families on text nobody here wrote (issue 13), checked with phrasings of our own (none
comes from the round-6 sets)."""
from __future__ import annotations

import pytest

from intents.matcher import Matcher

# Being told in general is no breach word: being told of a new purpose is Art. 3, of a policy change Art. 13.
TOLD = [
    ("利用目的を新しく加えるときは、前もって知らせてくれますか", 3),
    ("目的が変わったら連絡が来るんですか", 3),
    ("ポリシーを変えたら知らせてくれる？", 13),
    ("規約が変わったときは通知が来ますか", 13),
]
# The breach itself, being told of it, stays the honest silence.
BREACH = [
    "もし漏えいしたら、すぐに連絡してもらえますか",
    "情報が流出したとき、本人に連絡はありますか",
    "不正アクセスで個人情報が漏れたら知らせてくれるの？",
    "個人情報が漏洩した場合、どれくらいで通知してくれますか",
]


@pytest.mark.parametrize(("text", "article"), TOLD)
def test_being_told_of_a_change_is_the_changed_topic(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


@pytest.mark.parametrize("text", BREACH)
def test_being_told_of_a_breach_stays_silent(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("answer", "silent_breach_notification"), match


# Everyday and IT vocabulary, round 6: what personal information covers (Art. 2), sub-processors (Art. 4).
VOCABULARY = [
    ("メールアドレスも個人情報に含まれますか", 2),
    ("個人情報というのは具体的に何ですか", 2),
    ("購入履歴は個人情報に入るんですか", 2),
    ("サブプロセッサーの一覧はありますか", 4),
    ("再委託先の管理はどうしていますか", 4),
]


@pytest.mark.parametrize(("text", "article"), VOCABULARY)
def test_everyday_and_it_vocabulary_finds_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


@pytest.mark.parametrize("text", ["kono bot wa nani ga dekiru no?", "dekiru koto wa nan desu ka"])
def test_romaji_what_can_you_do_is_help(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.intent) == ("smalltalk", "help"), match


def test_romaji_topic_with_dekimasu_is_still_the_topic(matcher: Matcher) -> None:
    assert matcher.match("kojin jouhou no sakujo wa nani ga dekimasu ka").article == 9


# Kana words the catalog writes with one kanji (何に, 他の), and everyday words for the policy and for keeping data.
KANA_EVERYDAY = [
    ("しゅうしゅうした じょうほうは なにに つかうんですか", 3),
    ("あぷりでも この きまりは おなじですか", 1),
    ("ぷらいばしーぽりしーは かわる ことが ありますか", 13),
    ("なにに つかうか きめて いるのですか", 3),
]


@pytest.mark.parametrize(("text", "article"), KANA_EVERYDAY)
def test_kana_everyday_words_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


def test_how_long_data_is_kept_is_the_retention_silence(matcher: Matcher) -> None:
    for text in ("いつまで じょうほうを のこして おくのですか", "データはいつまで持っているつもりですか"):
        match = matcher.match(text)
        assert (match.decision, match.intent) == ("answer", "silent_retention"), (text, match)
