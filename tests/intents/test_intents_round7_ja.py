"""Japanese as people type it on phones (issue 13, round 7): policy nouns typed in kana inside writing with kanji.
Phrasings of our own; none comes from an evaluation set."""
from __future__ import annotations

import pytest

from intents.kana import KanaReader
from intents.matcher import Matcher
from intents.normalize import normalize


@pytest.fixture(scope="module")
def reader(matcher: Matcher) -> KanaReader:
    return matcher._kana


# A policy noun typed in kana (the keyboard's conversion skipped) beside words written with kanji.
MIXED_QUESTIONS = [
    ("かいじ請求ってどうやるの", 7),
    ("かいじの手続き教えて", 7),
    ("ていせいの方法は？", 8),
    ("くっきーって何に使ってるの", 12),
    ("かいてい履歴みれる？", 13),
    ("ろうえい対策ってちゃんとしてる？", 5),
    ("他社へのていきょうって同意なしでもするの？", 9),
]


@pytest.mark.parametrize(("text", "article"), MIXED_QUESTIONS)
def test_kana_nouns_in_kanji_writing_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


def test_a_kana_noun_in_kanji_writing_is_read_by_the_request_cues(matcher: Matcher) -> None:
    match = matcher.match("住所のていせいお願いしたい")
    assert (match.decision, match.article, match.handoff) == ("request", 8, "correction"), match


@pytest.mark.parametrize(("text", "written"), [
    ("かいじ請求ってどうやるの", "開示請求"),
    ("個人じょうほうの扱い", "個人情報"),  # right after a kanji word
    ("住所のていせいお願い", "訂正お願い"),  # before the honorific お of the next word
    ("りようていしってできる", "利用停止"),
])
def test_kana_nouns_in_kanji_writing_are_written(reader: KanaReader, text: str, written: str) -> None:
    assert written in (reader.read(normalize(text).text) or ""), text


@pytest.mark.parametrize(("text", "kept"), [
    ("情報漏えいが起きたら連絡ある？", "漏えいが"),  # 漏 + えいが is no 映画: the catalog writes 漏えい
    ("第三者提供ってどういう場合？", "どういう"),  # 同意 + う: a noun reading followed by more kana is another word
    ("預けた情報がなくなったりしない？", "なくなったり"),  # kana verbs are ordinary writing beside kanji
    ("担当者につないでください", "つないで"),
])
def test_kanji_writing_keeps_its_ordinary_kana(reader: KanaReader, text: str, kept: str) -> None:
    assert kept in (reader.read(normalize(text).text) or normalize(text).text), text
