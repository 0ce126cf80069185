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


# -- conversion slips (変換ミス): a policy term converted into another word of the same reading ----------------------

SLIP_QUESTIONS = [
    ("利用規約が偏向されたらどうやって知るの", 13),  # 変更
    ("プライバシーポリシーって偏向あったら教えてくれる？", 13),
    ("自分の情報の海事ってどうやるの", 7),  # 開示
    ("海事請求ってどうやるの", 7),
    ("理容目的って何？", 3),  # 利用目的
    ("害虫先の管理はどうしてる？", 4),  # 外注先
    ("故人情報ってどんな情報のことを言うの？", 2),  # 個人情報
    ("故人情報には何が含まれますか", 2),
]


@pytest.mark.parametrize(("text", "article"), SLIP_QUESTIONS)
def test_conversion_slips_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


@pytest.mark.parametrize(("text", "article", "handoff"), [
    ("メールアドレスが違うので帝政してください", 8, "correction"),
    ("私のデータを全部海事してほしい", 7, "disclosure"),
])
def test_conversion_slips_in_requests(matcher: Matcher, text: str, article: int, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("request", article, handoff), match


@pytest.mark.parametrize(("text", "folded"), [
    ("住所を帝政してほしい", "住所を訂正してほしい"),
    ("ポリシー偏向したら", "ポリシー変更したら"),
    ("故人情報の扱い", "個人情報の扱い"),  # in the compound only
    ("故人データ", "個人データ"),  # a homophone may run into katakana
])
def test_slips_are_folded_back_to_the_policy_term(reader: KanaReader, text: str, folded: str) -> None:
    assert reader.fold_homophones(text) == folded


@pytest.mark.parametrize("text", [
    "故人のデータはどうなりますか",  # 故人 alone is the deceased: a word of the catalog (silent_deceased)
    "京都市南区九条町に引っ越しました",  # a place name is no 苦情
    "約束を反故にするつもりですか",  # a word people mean (`keep`)
    "登録以来ずっと使っています",  # 依頼 is not a term: 以来 is what people mean
    "個人情報の開示を請求します",
    "for how many years is my info stored",
])
def test_words_people_mean_are_not_folded(reader: KanaReader, text: str) -> None:
    assert reader.fold_homophones(text) == text


def test_the_deceased_keep_their_silence(matcher: Matcher) -> None:
    assert matcher.match("故人のデータはどうなりますか").intent == "silent_deceased"


def test_homophones_are_derived_from_the_lexicon_by_the_rules() -> None:
    from intents.kana import derive_homophones

    found = derive_homophones(["訂正", "個人情報"], keep=["定性"], catalog_texts=["故人の情報", "帝制について"])
    assert found["帝政"] == "訂正" and found["故人情報"] == "個人情報"
    assert "定性" not in found  # kept as written
    assert "帝制" not in found  # found in the catalog's text
    assert "故人" not in found  # a catalog word alone is what it says
    assert "訂正" not in found and "個人情報" not in found


def test_a_malformed_homophone_entry_is_an_error_naming_the_file_and_entry(tmp_path) -> None:
    from intents.kana import load_homophones

    bad = tmp_path / "kana_readings.json"
    bad.write_text('{"texts": {}, "homophones": {"帝政": 1}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"kana_readings\.json: homophones\.帝政"):
        load_homophones(bad)
    bad.write_text('{"texts": {}, "homophones": {"abc": "訂正"}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"homophones\.abc"):
        load_homophones(bad)


# -- romaji: a form of する after a policy noun is written with it ----------------------------------------------------

@pytest.mark.parametrize(("text", "article"), [
    ("kiyaku kaitei saretara renraku kuru?", 13),
    ("kaitei shita toki oshiete moraeru no?", 13),
    ("kaitei sareta no itsu?", 13),
    ("kaiji shitara nani ga moraeru no", 7),
    ("riyou teishi dekiru no?", 9),
])
def test_romaji_nouns_with_suru_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


def test_romaji_suru_forms_are_joined_to_the_term() -> None:
    from intents.romaji import to_japanese

    assert to_japanese("sakujo shitara dou naru") == "削除したら dou naru"
    assert to_japanese("sakujo sitara dou naru") == "削除したら dou naru"  # kunrei spelling
    assert to_japanese("riyou teishi dekiru no") == "利用停止できるの"
    # after no term, a form of する stays as typed
    assert to_japanese("dou shitara kojin jouhou wo kesu") == "dou shitara 個人情報を kesu"


# -- romaji keywords as the Japanese ones: 利用目的 alone is Art. 3's, 利用目的の通知 Art. 6's --------------------------

@pytest.mark.parametrize(("text", "article"), [
    ("riyou mokuteki ni wa donna no ga aru?", 3),
    ("riyou mokuteki tte doko ni kaite aru?", 3),
    ("riyou mokuteki wa ikutsu aru no", 3),
])
def test_romaji_purposes_asked_in_general_are_article_3(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), match


@pytest.mark.parametrize("text", ["riyou mokuteki no tsuuchi wo onegai itashimasu", "riyou mokuteki wo tsuuchi shite hoshii desu"])
def test_romaji_purpose_notification_requests_stay_article_6(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("request", 6, "purpose_notification"), match
