"""Japanese typed in kana alone (no kanji), as older users and phone keyboards write it, read with the catalog's
written forms (`intents.kana`; issue 13, round 6). Phrasings of our own; none comes from an evaluation set."""
from __future__ import annotations

import pytest

from intents.kana import KanaReader, hiragana, loose
from intents.matcher import Matcher
from intents.normalize import normalize

# Kana-only questions about the policy's topics, spaces between words as many people type them.
QUESTIONS = [
    ("いたくさきの かんりは どう なって いますか", 4),
    ("くっきーは なにに つかって いますか", 12),
    ("じょうほうは どうやって あつめて いるのですか", 2),
    ("こじんじょうほうの りようもくてきは なんですか", 3),
    ("ぽりしーは どの さーびすに てきよう されますか", 1),
    ("じょうほうが もれたら こわいです どんな たいさくを していますか", 5),
    ("がいぶの さいとへの りんくは だれの せきにん ですか", 10),
    ("あくせす かいせきで なにが わかるのですか", 11),
    ("ぽりしーが かわったら どうやって しりますか", 13),
    ("といあわせの まどぐちは どこ ですか", 14),
    ("だいさんしゃに じょうほうを わたして いますか", 9),
    ("ぐーぐる あなりてぃくすで なにを しらべて いますか", 11),
]

# Phone-keyboard slips: a small kana typed full size, a dakuten missed or added.
SLIPS = [
    ("くつきーは なにに つかって いますか", 12),
    ("じようほうの あんぜん たいさくは だいじょうぶ ですか", 5),
    ("ぐっきーを むこうに できますか", 12),
]

# Kana-only requests: the topic is read from the kana; the request types come from the cues.
REQUESTS = [
    ("こじんじょうほうを けして ください", 9, "suspension"),
    ("わたしの じょうほうの りようもくてきを しらせて ください", 6, "purpose_notification"),
    ("とうろくした じゅうしょが まちがって いるので なおして ください", 8, "correction"),
    # The cues read kana writing with the catalog's written forms and no spaces between words.
    ("じぶんの でーたを ぜんぶ みせて ほしい", 7, "disclosure"),
    ("めーるあどれすが ちがいます", 8, "correction"),
    ("わたしの じょうほうを ほかの かいしゃに わたさないで ほしい", 9, "third_party_stop"),
    ("たんとうの ひとと はなしたい", 14, "inquiry"),
]

# The same message in kanji and in kana is decided the same way, question or request.
SAME_IN_KANA = [
    ("私の情報を消してもらえますか", "わたしの じょうほうを けして もらえますか"),
    ("個人情報の開示請求はどうやってするのですか", "こじんじょうほうの かいじせいきゅうは どうやって するのですか"),
    ("委託先はどこですか", "いたくさきは どこですか"),
    ("もし情報が間違っていたら直してもらえますか", "もし じょうほうが まちがって いたら なおして もらえますか"),
    ("自分のデータを全部見せてほしい", "じぶんの でーたを ぜんぶ みせて ほしい"),
    ("担当の人と話したい", "たんとうの ひとと はなしたい"),
]


@pytest.fixture(scope="module")
def reader(matcher: Matcher) -> KanaReader:
    return matcher._kana


@pytest.mark.parametrize(("text", "article"), QUESTIONS + SLIPS)
def test_kana_questions_find_the_article(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert match.decision == "answer", match
    assert match.article == article, match


@pytest.mark.parametrize(("text", "article", "handoff"), REQUESTS)
def test_kana_requests_find_the_article_and_request(matcher: Matcher, text: str, article: int, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("request", article, handoff), match


@pytest.mark.parametrize(("written", "kana"), SAME_IN_KANA)
def test_kana_is_decided_as_the_kanji_is(matcher: Matcher, written: str, kana: str) -> None:
    a, b = matcher.match(written), matcher.match(kana)
    assert (a.decision, a.article, a.handoff) == (b.decision, b.article, b.handoff), (a, b)


def test_the_cues_read_kana_with_written_forms_and_no_spaces(reader: KanaReader) -> None:
    assert reader.for_cues("わたしの じょうほうを けして ほしい。") == "私の情報を消してほしい。"
    # Kanji writing is read as written, with its words joined.
    assert reader.for_cues("個人情報を 消して ほしい") == "個人情報を消してほしい"
    assert reader.for_cues("個人情報を消してほしい") is None
    assert reader.for_cues("delete my data please") is None


@pytest.mark.parametrize("text", ["私の情報を ほかの会社に 渡さないで ほしい", "わたしの じょうほうを ほかの かいしゃに わたさないで ほしい"])
def test_words_typed_apart_are_a_request_as_when_joined(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", "third_party_stop"), match


def test_kana_folding_is_one_character_for_one() -> None:
    assert hiragana("クッキー") == "くっきー"
    assert loose("クッキー") == loose("くつきー") == loose("ぐっぎー")
    assert loose("じょうほう") == loose("じようほう") == loose("しょうほう")
    for text in ("クッキー", "じょうほうを けして"):
        assert len(loose(text)) == len(text)


def test_catalog_terms_are_written_as_the_catalog_writes_them(reader: KanaReader) -> None:
    read = reader.read(normalize("かいじ せいきゅう って なんですか").text)
    assert read is not None and "開示請求" in read  # a space beside a written term goes
    assert reader.read(normalize("こじんじょうほうを けして ほしい").text) == "個人情報を消して ほしい"
    assert "私の情報" in (reader.read(normalize("わたしの じょうほう").text) or "")
    # 私 only before a particle: 「わたした」 is 渡した.
    assert "渡した" in (reader.read(normalize("さーびすに わたした じょうほう").text) or "")


def test_frames_between_kana_words_keep_their_spaces(reader: KanaReader) -> None:
    read = reader.read(normalize("かいじ せいきゅう って なんですか どうやって するのですか").text)
    assert read is not None and "なんですか どうやって するのですか" in read


def test_no_term_starts_inside_a_verb_ending_or_after_a_kanji(reader: KanaReader) -> None:
    read = reader.read(normalize("じょうほうが もれないように して ください").text)
    assert read is not None and "漏れないように" in read and "内容" not in read
    assert reader.read(normalize("ほんとに助かった").text) in (None, "ほんとに助かった")


def test_verbs_are_read_in_forms_the_catalog_does_not_use(reader: KanaReader) -> None:
    """The catalog's verbs are indexed by stem: godan verbs by the row of their endings (and their potential form),
    ichidan verbs by their stem; the ending stays as typed."""
    for kana, written in [("ぽりしーは いつ かわりましたか", "変わりました"), ("まちがいを なおせますか", "直せます"),
                          ("じょうほうは まもられて いますか", "守られて"), ("でーたって けせるの", "消せる")]:
        assert written in (reader.read(normalize(kana).text) or ""), kana


def test_everyday_kana_words_stay_kana(reader: KanaReader) -> None:
    """One-kana stems and euphonic forms are not read into everyday words: もっと is not 持っと, かかります is not
    書かります, かえって is not 変えって."""
    for kana, kept in [("もっと くわしく おしえて", "もっと"), ("てすうりょうは かかりますか", "かかります"),
                       ("かえって わかりにくいです", "かえって")]:
        assert kept in (reader.read(normalize(kana).text) or kana), kana


@pytest.mark.parametrize("text", ["こじんじょうほうは どうやって けせますか", "じぶんの でーたって けせるの？",
                                  "わたしの じょうほうは けせるのですか"])
def test_whether_data_can_be_deleted_is_article_9(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", 9), match


def test_text_with_kanji_or_without_catalog_readings_is_not_read(reader: KanaReader) -> None:
    assert reader.read(normalize("個人情報を削除してください").text) is None
    assert reader.read(normalize("プライバシーポリシーのことで質問があります").text) is None
    assert reader.read(normalize("ありがとう").text) is None
    assert reader.read(normalize("please delete my data").text) is None


def test_kana_reading_only_adds_evidence_to_ordinary_japanese(matcher: Matcher) -> None:
    # The same question in kanji and kana finds the same article.
    for written, kana in [("委託先の管理はどうなっていますか", "いたくさきの かんりは どう なって いますか"),
                          ("クッキーは何に使っていますか", "くっきーは なにに つかって いますか")]:
        assert matcher.match(written).article == matcher.match(kana).article


def test_the_reading_dictionary_is_installed(reader: KanaReader) -> None:
    """fugashi and unidic-lite are dependencies: without them the reader is empty (and kana-only text falls back)."""
    import fugashi  # noqa: F401

    assert len(reader.exact) > 500


# Spoken Japanese, typed or dictated: fillers before the question only dilute it.
FILLERS = [
    ("あのー すみません クッキーって何に使われてるんですか", 12),
    ("えっと 委託先の管理ってどうなってるのか教えてほしいんですが", 4),
    ("あのー、すみません、くっきーって なんですか", 12),
]


@pytest.mark.parametrize(("text", "article"), FILLERS)
def test_opening_fillers_do_not_decide_the_topic(matcher: Matcher, text: str, article: int) -> None:
    assert matcher.match(text).article == article


def test_fillers_are_left_out_only_as_whole_words(reader: KanaReader) -> None:
    assert reader.read(normalize("えーと あの 個人情報の削除をお願いしたい").text) == "個人情報の削除をお願いしたい"
    assert reader.read(normalize("あの会社に情報を渡していますか").text) is None  # あの is "that" here
    assert reader.read(normalize("あの すみません").text) == "すみません"  # never the whole message


# -- the readings file: analysed ahead, so no worker keeps MeCab's dictionary resident -------------------------

def test_readings_file_is_what_the_analyser_gives_for_the_catalog_now() -> None:
    from intents.catalog import load_catalog
    from intents.kana import analyse, load_analyses
    from intents.matcher import kana_vocabulary

    current = analyse(kana_vocabulary(load_catalog().intents))
    assert current, "fugashi and unidic-lite are test dependencies"
    assert load_analyses() == current, (
        "intents/data/kana_readings.json is out of date with the catalog: run python -m intents.kana_readings --write")


def test_the_file_gives_the_index_the_analyser_gives() -> None:
    from intents.catalog import load_catalog
    from intents.kana import analyse
    from intents.matcher import kana_vocabulary

    texts = kana_vocabulary(load_catalog().intents)
    shipped, live = KanaReader(texts), KanaReader(texts, analyses=analyse(texts))
    assert shipped.exact and vars(shipped) == vars(live)


def test_building_the_matcher_reads_the_file_and_never_loads_mecab() -> None:
    import subprocess
    import sys

    code = ("import sys; from bot.app import build_matcher; m = build_matcher(); "
            "assert m._kana.exact, 'no readings indexed'; print('fugashi' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_catalog_text_missing_from_the_file_is_analysed_at_start_up() -> None:
    assert KanaReader(["委託先の管理"], analyses={}).exact["いたくさき"] == ("委託先", False)
    assert KanaReader(["委託先の管理"], analyses={"委託先の管理": []}).exact == {}  # the file is trusted as given


def test_a_malformed_readings_file_is_an_error_naming_the_file_and_entry(tmp_path) -> None:
    from intents.kana import load_analyses

    bad = tmp_path / "kana_readings.json"
    bad.write_text('{"texts": {"委託先": [["委託", "名詞"]]}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"kana_readings\.json: texts\.委託先\.0"):
        load_analyses(bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be read as JSON"):
        load_analyses(bad)


def test_the_readings_command_checks_and_writes(tmp_path, monkeypatch, capsys) -> None:
    import intents.kana as kana
    from intents import kana_readings

    assert kana_readings.main(["--check"]) == 0
    stale = tmp_path / "kana_readings.json"
    stale.write_text('{"texts": {}}', encoding="utf-8")
    monkeypatch.setattr(kana, "READINGS_FILE", stale)
    monkeypatch.setattr(kana_readings, "READINGS_FILE", stale)
    assert kana_readings.main(["--check"]) == 1
    assert kana_readings.main(["--write"]) == 0
    assert kana_readings.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
