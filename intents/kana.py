"""Japanese typed in kana alone read with the catalog's written forms (issue 13, round 6).

Older users and phone keyboards often leave the kanji out: 「こじんじょうほうを けしてほしい」 asks what
「個人情報を消してほしい」 asks, but the matcher compares character bigrams, keywords and vocabulary with the catalog's
phrasings, which are written with kanji, so a kana-only message shared almost nothing with them and fell back.

`KanaReader` indexes the catalog's own Japanese vocabulary by its reading. At start-up every Japanese example and
keyword is read by a morphological analyser with a maintained dictionary (MeCab through `fugashi`, with the UniDic
dictionary of `unidic-lite`): each run of one to four content words whose written form has kanji or katakana
(個人情報, 委託先, 開示請求, 消し, 見せ, クッキー) is indexed under its reading in hiragana (こじんじょうほう, いたくさき…).
A reading the catalog itself mostly writes in kana (こと, とき, ください) is left out, so only words the catalog
writes otherwise are rewritten.

A message whose Japanese letters are nearly all kana (at most 15 % kanji) is then also read with the readings
replaced by the written forms. The terms chosen cover the most of each kana run, and each starts a word (after a
particle, a space, punctuation or another noun term; not in a verb's ending, not right after a kanji). Katakana
compares as hiragana (さーびす = サービス), and phone-keyboard slips fold away on both sides in readings of four kana
or more: a small kana typed full size (じようほう, くつきー) and a dakuten or handakuten missed or added. A space beside
a written term goes (かいじ せいきゅう -> 開示請求); spaces between kana words stay. The matcher scores that reading
beside the message as written and keeps, per intent, the better of the two on each signal (`Matcher._signals`, as
for romaji), so the reading only adds evidence to a message that had little.

In writing with kanji (more than 15 % of its Japanese letters), only the policy's nouns typed in kana are written
(「かいじ請求ってどうやるの」, 「住所のていせいお願い」: the conversion skipped for one word): nouns of three kana or more
that end a word (a particle, って, a form of する or the next word follows), not verbs (なくなった, つないで are ordinary
writing there), and not where the kanji before the run starts a term the catalog writes with kana (漏えいが is no
漏 + 映画).
"""
from __future__ import annotations

import json
import tomllib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from pydantic import TypeAdapter, ValidationError

log = logging.getLogger(__name__)

#: The analyses of the catalog's Japanese vocabulary, computed ahead (`load_analyses`).
READINGS_FILE = Path(__file__).parent / "data" / "kana_readings.json"

#: A message is read when at most this share of its Japanese letters are kanji (kana-only writing; a quoted
#: name such as 「齋藤」 in a kana sentence still counts as kana writing).
MAX_KANJI_SHARE = 0.15
#: Readings of at most this many kana are looked up (the longest catalog terms, 第三者提供の停止, are about 15).
MAX_KEY = 16
#: Shortest reading indexed, in kana (small ゃゅょ count as none): three, or two for a verb or adjective written with
#: a kanji and its ending (消し, 見せ, 渡さ). A single kanji read with two kana (先, 方) or a short katakana word
#: (デモ, オン) is too often a piece of another word.
MIN_KEY = 3
MIN_KEY_VERB = 2
#: Phone-keyboard slips (small kana, dakuten) are forgiven only in readings at least this long: shorter ones fold
#: onto grammar (してる -> 出る, ほしい -> 保持).
MIN_LOOSE_KEY = 4
#: Runs of at most this many morphemes are indexed (利用 目的 の… stops at the particle anyway).
MAX_SPAN = 4
#: In writing with kanji, a noun typed in kana is read when its reading has at least this many kana (かいじ,
#: ていせい, りようていし), and when what follows it ends the word: a particle, って, a form of する, the honorific
#: お/ご of the next word, or the end of the kana run.
MIN_NOUN_KEY = 3
_NOUN_FOLLOWERS = frozenset("をがはにでものとへやかねよっしすさせおご")
#: Parts of speech a term may consist of (UniDic's first level); a term may not start with a suffix.
_CONTENT = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞", "代名詞", "副詞", "連体詞"})
_INFLECTING = frozenset({"動詞", "形容詞", "形状詞"})
#: Short words the catalog writes with one kanji (何に, 誰に, 他の) and 私, which the dictionary reads わたくし: read
#: so before a particle only (「わたしの じょうほう」 is not 渡しの情報, 「わたした」 is 渡した; なにに is 何に).
EXTRA_READINGS = {"わたし": "私", "わたしたち": "私たち", "なに": "何", "だれ": "誰", "ほか": "他"}
#: The kana a godan verb's endings start with, by the last kana of its dictionary form (with the euphonic forms
#: っ, ん, い of the te-form).
_GODAN_ROWS = {"う": "わいうえおっ", "く": "かきくけこい", "ぐ": "がぎぐげごい", "す": "さしすせそ", "つ": "たちつてとっ",
               "ぬ": "なにぬねのん", "ぶ": "ばびぶべぼん", "む": "まみむめもん", "る": "らりるれろっ"}
#: What an ichidan stem may be followed by (見せ + ない/ます/て/た/る/れ/よ/ろ/ず/させ/られ…); never っ or ん (かえって is
#: no form of 変える).
_ICHIDAN_ENDINGS = "ないますてたるれよろずさらちぬ"
#: A written verb form ending in a euphonic っ/ん is followed by the te/ta ending (持って; もっと is no verb); any
#: other is not followed by っ, ん or ー.
_EUPHONIC_ENDINGS = {"っ": "てた", "ん": "でだ"}


def _ending_fits(written: str, plain: str, end: int) -> bool:
    following = _EUPHONIC_ENDINGS.get(written[-1])
    if following is not None:
        return end < len(plain) and plain[end] in following
    return end == len(plain) or plain[end] not in "っんー"  # かえって is no form of 変える


_E_ROW = {"う": "え", "く": "け", "ぐ": "げ", "す": "せ", "つ": "て", "ぬ": "ね", "ぶ": "べ", "む": "め", "る": "れ"}
#: Kana a word usually starts after (particles), where a two-kana verb reading may begin.
_PARTICLES = frozenset("をがはにでものとへやかねよ")

_HIRAGANA_FIRST, _HIRAGANA_LAST = "\u3041", "\u3096"
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_SMALL_TO_FULL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_KANA = r"\u3041-\u3096\u30a1-\u30fa\u30fc"
_JAPANESE = r"\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN = re.compile(f"(?<=[{_JAPANESE}]) +(?=[{_JAPANESE}])")
#: Fillers a message opens with (spoken Japanese typed or dictated), each followed by a space or punctuation: they
#: only dilute the comparison with the catalog's phrasings. あの alone is also "that" (あの会社), so it needs the space.
_FILLERS = re.compile(
    r"^(?:(?:えーっと|えーと|ええと|えっと|えと|えー+|あのー+|あのう|あのですね|あのね|あの|うーん|うーむ|んー|まあ|もしもし|"
    r"すみません|すいません|すみませんが|失礼します)[\s、,。!！?？…・]+)+")
_FILLER_STARTS = frozenset("えあうんまもすし")
#: Marks around a written term while spaces beside it are removed.
_OPEN, _CLOSE = "\x01", "\x02"
_SPACE_AT_TERM = re.compile(f"(?<=\x02) +(?=[{_JAPANESE}\x01])|(?<=[{_JAPANESE}]) +(?=\x01)")
_ALL_KATAKANA = re.compile("[\u30a1-\u30fa\u30fc]+")
_KANA_RUN = re.compile(f"[{_KANA}]+")
_KANJI = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff]")
_KANA_CHAR = re.compile(f"[{_KANA}]")
#: A run of kana long enough to hold a noun reading (`MIN_NOUN_KEY` kana or more): writing with kanji reads only these
#: (`KanaReader.read`); a shorter run's reading is the run itself.
_NOUN_RUN = re.compile(f"[{_KANA}]{{{MIN_NOUN_KEY},}}")
#: Texts at least this long have their kanji and kana counted over their code points at once (`_script_counts`).
_COUNT_MIN_CHARS = 256


def _strip_marks(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed[0] if len(decomposed) > 1 and decomposed[1] in "\u3099\u309a" else char


#: Hiragana with its dakuten/handakuten removed: が -> か, ぱ -> は, ゔ -> う (one character for one).
_NO_MARKS = {ord(c): _strip_marks(c) for c in map(chr, range(0x3041, 0x3097)) if _strip_marks(c) != c}


def _script_counts(text: str) -> tuple[int, int]:
    """(kanji, kana) in `text`: `len(_KANJI.findall(text))` and `len(_KANA_CHAR.findall(text))`; a long text's code
    points are compared with the same ranges all at once (a regex scan of a 1,200-character message cost ~40 µs)."""
    if len(text) < _COUNT_MIN_CHARS:
        return len(_KANJI.findall(text)), len(_KANA_CHAR.findall(text))
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kanji = (points == 0x3005) | ((points >= 0x3400) & (points <= 0x9FFF)) | ((points >= 0xF900) & (points <= 0xFAFF))
    kana = ((points >= 0x3041) & (points <= 0x3096)) | ((points >= 0x30A1) & (points <= 0x30FA)) | (points == 0x30FC)
    return int(np.count_nonzero(kanji)), int(np.count_nonzero(kana))


def hiragana(text: str) -> str:
    """Katakana as hiragana (ー kept), everything else as it is; one character for one."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def loose(text: str) -> str:
    """Kana folded so phone-keyboard slips compare equal: katakana as hiragana, small kana full size, no dakuten or
    handakuten (くっきー, くつきー and クツキー are one key). One character for one."""
    return hiragana(text).translate(_SMALL_TO_FULL).translate(_NO_MARKS)


def _has_kanji_or_katakana(text: str) -> bool:
    return any(c > _HIRAGANA_LAST and c != "\u30fc" for c in text)


def _tagger() -> Any:
    """MeCab with UniDic (`fugashi`, `unidic-lite`: dependencies), or None in an environment installed before they
    were (then catalog texts missing from the readings file are not indexed, with a warning)."""
    try:
        import fugashi
    except ImportError:
        return None
    return fugashi.Tagger()


#: One morpheme as the analyser gives it: written form, part of speech (UniDic's first level), reading in katakana,
#: and for a verb its dictionary form, that form's reading and its conjugation type ("" otherwise).
Morpheme = tuple[str, str, str, str, str, str]
_ANALYSES = TypeAdapter(dict[str, list[Morpheme]])
_ABOUT = ("Morphemes (written form, part of speech, reading; for verbs the dictionary form, its reading and the "
          "conjugation type) of the catalog's Japanese examples and keywords as MeCab with UniDic reads them, and "
          "the conversion slips of the policy terms of intents/homophones.toml (written form -> term), for "
          "intents/kana.py. Generated by python -m intents.kana_readings --write")


def analyse(texts: Iterable[str]) -> dict[str, list[Morpheme]]:
    """Each text's morphemes from MeCab/UniDic; empty when the analyser is not installed."""
    tagger = _tagger()
    if tagger is None:
        return {}
    analyses = {}
    for text in dict.fromkeys(texts):
        morphemes = []
        for w in tagger(unicodedata.normalize("NFKC", text)):
            f = w.feature
            verb = f.pos1 == "動詞"
            morphemes.append((w.surface, f.pos1 or "", f.kana or "", (verb and f.orthBase) or "",
                              (verb and f.kanaBase) or "", (verb and f.cType) or ""))
        analyses[text] = morphemes
    return analyses


def load_analyses(path: Path | None = None) -> dict[str, list[Morpheme]]:
    """The analyses shipped in `path` (`intents/data/kana_readings.json`), validated; errors name the file and entry.

    They are computed ahead (`python -m intents.kana_readings --write`) because loading MeCab's UniDic dictionary at
    start-up kept about 100 MB resident in every worker for the rest of its life (RSS after building the matcher
    61 -> 160 MB), over the 150 MB budget of the memory benchmark."""
    path = path or READINGS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot be read as JSON: {error}") from None
    if not isinstance(raw, dict) or "texts" not in raw:
        raise ValueError(f"{path}: expected an object with 'texts' (text -> morphemes); "
                         "run python -m intents.kana_readings --write")
    try:
        return _ANALYSES.validate_python(raw["texts"])
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{path}: texts.{where}: {first['msg']}") from None


def write_analyses(texts: Iterable[str], path: Path | None = None,
                   homophones: Mapping[str, str] | None = None) -> int:
    """Analyse `texts` with MeCab and write them, and `homophones` (`derive_homophones`), to `path`; the number of
    texts written."""
    from importlib.metadata import version

    analyses = analyse(texts)
    if not analyses:
        raise RuntimeError("fugashi and unidic-lite are needed to write the readings: pip install -e '.[test]'")

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    analyser = f"MeCab through fugashi {version('fugashi')}, dictionary unidic-lite {version('unidic-lite')}"
    # One text per line, so a catalog edit shows as a few lines in a diff and merges like the catalog does.
    entries = ",\n".join(f"{line(text)}: {line([list(m) for m in analyses[text]])}" for text in sorted(analyses))
    slips = ",\n".join(f"{line(written)}: {line(term)}" for written, term in sorted((homophones or {}).items()))
    (path or READINGS_FILE).write_text(
        f'{{\n"about": {line(_ABOUT)},\n"analyser": {line(analyser)},\n"texts": {{\n{entries}\n}},\n'
        f'"homophones": {{\n{slips}\n}}\n}}\n', encoding="utf-8")
    return len(analyses)


HOMOPHONES_FILE = Path(__file__).parent / "homophones.toml"
_HOMOPHONES = TypeAdapter(dict[str, str])
_KANJI_ONLY = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff]{2,}")
#: Where a homophone is looked for: runs of kanji and katakana (故人データ).
_FOLD_RUN = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff\u30a1-\u30fa\u30fc]{2,}")
#: The longest homophone looked up in a message, in characters (第三者帝京 for 第三者提供).
MAX_HOMOPHONE = 8


def load_homophones(path: Path | None = None) -> dict[str, str]:
    """The homophones shipped in `path` (`intents/data/kana_readings.json`, "homophones": written form -> the policy
    term it is a conversion slip of), validated; a file without them has none."""
    path = path or READINGS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot be read as JSON: {error}") from None
    try:
        found = _HOMOPHONES.validate_python(raw.get("homophones", {}) if isinstance(raw, dict) else {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{path}: homophones.{where}: {first['msg']}") from None
    for written, term in found.items():
        if not _KANJI.search(written) or len(written) > MAX_HOMOPHONE or written == term:
            raise ValueError(f"{path}: homophones.{written}: a homophone is 2-{MAX_HOMOPHONE} characters with kanji, "
                             "other than its term")
    return found


_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]{2,8}")


@lru_cache(maxsize=4)
def _toml_tables(path: Path) -> dict[str, Any]:
    """The TOML file at `path`, parsed once: its tables are read by several loaders at start-up."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as TOML: {error}") from None


def _string_table(path: Path, name: str, key: re.Pattern[str], value: re.Pattern[str], expected: str) -> dict[str, str]:
    """The table `[name]` of the TOML file at `path`, each entry validated (`key` and `value` match whole); a bad
    entry is named in the error (`name.entry: expected …`)."""
    table = _toml_tables(path).get(name, {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: {name}: expected a table of {expected}")
    for written, read in table.items():
        if not (isinstance(read, str) and key.fullmatch(written) and value.fullmatch(read)):
            raise ValueError(f"{path}: {name}.{written}: expected {expected}")
    return dict(table)


def load_loan_verbs(path: Path | None = None) -> dict[str, str]:
    """Katakana loanword verbs -> the policy term's written form (`[loan_verbs]` of `intents/homophones.toml`),
    validated: a katakana word of 2-8 characters and a written form of kanji."""
    return _string_table(path or HOMOPHONES_FILE, "loan_verbs", _KATAKANA_WORD, _KANJI_ONLY,
                         "a katakana word of 2-8 characters = a term in kanji")


_KANA_ONLY = re.compile(r"[\u3041-\u309f]{2,6}")
#: Where a slipped ending must stand to be read as the ending: before punctuation, a space, ね/よ/な, or the end.
_PHRASE_END = r"(?=[。、！？!?.,\s〜～ーねよな…]|$)"


def load_kana_slips(path: Path | None = None) -> "KanaSlips | None":
    """The kana endings typed with a slip (`[kana_slips]` of `intents/homophones.toml`); None when the table is empty.
    Validated: hiragana of 2-6 characters on both sides."""
    table = _string_table(path or HOMOPHONES_FILE, "kana_slips", _KANA_ONLY, _KANA_ONLY,
                          "hiragana of 2-6 characters = an ending in hiragana")
    return KanaSlips(table) if table else None


@dataclass(frozen=True)
class KanaSlips:
    """Slipped endings -> the endings they are read as, found only where they end a phrase (`_PHRASE_END`)."""

    endings: dict[str, str]
    _pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(
            "(?:" + "|".join(re.escape(s) for s in sorted(self.endings, key=len, reverse=True)) + ")" + _PHRASE_END))

    def read(self, text: str) -> str:
        return self._pattern.sub(lambda m: self.endings[m.group()], text)


def load_homophone_terms(path: Path | None = None) -> tuple[list[str], list[str]]:
    """The policy terms whose homophones are looked up, and the homophones never folded (`intents/homophones.toml`)."""
    import tomllib

    with (path or HOMOPHONES_FILE).open("rb") as handle:
        raw = tomllib.load(handle)
    terms, keep = raw.get("terms"), raw.get("keep", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms) \
            or not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise ValueError(f"{path or HOMOPHONES_FILE}: expected 'terms' and 'keep', lists of strings")
    return terms, keep


@lru_cache(maxsize=1)
def unidic_nouns() -> dict[str, frozenset[str]]:
    """Reading (katakana) -> the written forms of UniDic's common nouns and na-adjectives written in two or more kanji,
    from the compiled dictionary of `unidic-lite` (MeCab's format: a 72-byte header, the double array, 16 bytes per
    token, then each token's features as NUL-terminated text; UniDic's features hold the written form, field 8, and
    its reading, field 17). Empty when unidic-lite is not installed."""
    import struct

    try:
        import unidic_lite
    except ImportError:
        return {}
    data = (Path(unidic_lite.DICDIR) / "sys.dic").read_bytes()
    _magic, version, _type, lexsize, _l, _r, dsize, tsize, fsize, _ = struct.unpack("<10I", data[:40])
    if version != 102 or tsize != 16 * lexsize or not data[40:44] == b"utf8":
        raise RuntimeError(f"unidic-lite sys.dic: unexpected MeCab dictionary format (version {version})")
    start = 72 + dsize + tsize
    nouns: dict[str, set[str]] = defaultdict(set)
    for feature in data[start:start + fsize].split(b"\0"):
        fields = feature.decode("utf-8").split(",")
        if len(fields) < 18 or not ((fields[0] == "名詞" and fields[1] == "普通名詞") or fields[0] == "形状詞"):
            continue
        written, reading = fields[8], fields[17]
        if _KANJI_ONLY.fullmatch(written):
            nouns[reading].add(written)
    return {reading: frozenset(written) for reading, written in nouns.items()}


def derive_homophones(terms: Iterable[str], keep: Iterable[str], catalog_texts: Iterable[str]) -> dict[str, str]:
    """Written form -> policy term for the conversion slips of `terms` (the rules of `intents/homophones.toml`);
    empty when MeCab or unidic-lite is not installed."""
    terms, texts = list(dict.fromkeys(terms)), list(dict.fromkeys(catalog_texts))
    nouns = unidic_nouns()
    analysed = analyse([*terms, *texts])
    if not nouns or not analysed:
        return {}
    catalog_words = {m[0] for text in texts for m in analysed[text]}
    never = set(keep) | set(terms)
    found: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        words = [(m[0], m[2]) for m in analysed[term]]
        if len(words) == 1:
            for other in nouns.get(words[0][1], ()):
                if other not in catalog_words:
                    found[other].add(term)
            continue
        for k, (word, reading) in enumerate(words):
            if not _KANJI_ONLY.fullmatch(word):
                continue
            for other in nouns.get(reading, ()):
                if other != word:
                    found["".join(w for w, _ in words[:k]) + other + "".join(w for w, _ in words[k + 1:])].add(term)
    return {written: next(iter(owners)) for written, owners in sorted(found.items())
            if len(owners) == 1 and written not in never and len(written) <= MAX_HOMOPHONE
            and not any(written in text for text in texts)}


def _moras(reading: str) -> int:
    return sum(c not in "ゃゅょぁぃぅぇぉゎ" for c in reading)


class KanaReader:
    """Reading -> written form for the catalog's Japanese vocabulary, and the written reading of a kana message."""

    def __init__(self, texts: Iterable[str], analyses: Mapping[str, Sequence[Morpheme]] | None = None,
                 homophones: Mapping[str, str] | None = None) -> None:
        """Index `texts` (the catalog's Japanese vocabulary) by reading, from `analyses` (the shipped readings file
        when None); a text missing from them is analysed now if MeCab is installed (a catalog edited since the file
        was written), or left out with a warning. `homophones` are the conversion slips folded back to the policy's
        terms (`fold_homophones`; the shipped file's when None)."""
        texts = list(texts)
        #: Written form -> the policy term it is a conversion slip of (帝政 -> 訂正, 故人情報 -> 個人情報).
        self.homophones: dict[str, str] = dict(load_homophones() if homophones is None else homophones)
        if homophones is None:
            self.homophones.update(load_loan_verbs())  # katakana verbs folded to the terms the same way
        #: Polite endings typed with a slip (くらさい, てす): read as the endings (`fold_homophones`).
        self._slips = load_kana_slips() if homophones is None else None
        self._homophone_sizes = sorted({len(w) for w in self.homophones}, reverse=True)
        # Characters a homophone starts with: other positions are passed over without the per-size look-ups (a long
        # Japanese message has thousands of positions, a few of them starts).
        self._homophone_starts = frozenset(w[0] for w in self.homophones)
        known: Mapping[str, Sequence[Morpheme]] = load_analyses() if analyses is None else analyses
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            found = analyse(missing)
            if len(found) < len(missing):
                log.warning("kana reading: %d catalog texts have no readings (MeCab not installed); "
                            "run python -m intents.kana_readings --write", len(missing) - len(found))
            elif analyses is None:
                log.info("kana reading: %d catalog texts analysed at start-up (the readings file is out of date: "
                         "python -m intents.kana_readings --write)", len(found))
            known = {**known, **found}
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        inflects: dict[str, bool] = {}
        stems: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        for text in texts:
            tagged = known.get(text, ())
            for _, pos, _, base, base_reading, kind in tagged:
                if pos == "動詞":
                    self._add_stem(stems, base, base_reading, kind)
            words = [(surface, pos, kana) for surface, pos, kana, *_ in tagged]
            for start, (_, pos, _) in enumerate(words):
                if pos not in _CONTENT or pos == "接尾辞":
                    continue
                surface = reading = ""
                for word, part, kana in words[start:start + MAX_SPAN]:
                    if (not kana or kana == "*") and _ALL_KATAKANA.fullmatch(word):
                        kana = word  # a katakana word the dictionary does not know reads as written
                    if part not in _CONTENT or not kana or kana == "*":
                        break
                    surface += word
                    reading += hiragana(kana)
                    counts[reading][surface] += 1
                    inflects[surface] = part in _INFLECTING
        #: reading -> (written form, whether it ends in an inflecting word: its ending follows)
        self.exact: dict[str, tuple[str, bool]] = {}
        loose_counts: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
        for reading, written in counts.items():
            form, _ = written.most_common(1)[0]
            verb = inflects.get(form, False)
            moras = _moras(reading)
            # A reading the catalog mostly writes in kana (こと, ください) stays kana.
            if not _has_kanji_or_katakana(form) or len(reading) > MAX_KEY:
                continue
            if moras < MIN_KEY and not (moras >= MIN_KEY_VERB and verb and len(form) >= 2 and _KANJI.match(form)):
                continue
            self.exact[reading] = (form, verb)
            if len(reading) >= MIN_LOOSE_KEY:
                loose_counts[loose(reading)][(form, verb)] += sum(written.values())
        self.loose: dict[str, tuple[str, bool]] = {key: c.most_common(1)[0][0] for key, c in loose_counts.items()}
        #: A verb's stem reading -> (its written stem, the kana its endings start with; "" for any): the catalog's
        #: verbs in every form (消せますか, 変わりました), not only the forms the catalog happens to use.
        self.stems: dict[str, tuple[str, str]] = {key: c.most_common(1)[0][0] for key, c in stems.items()}
        self._prefixes = {key[:n] for key in (*self.exact, *self.stems, *EXTRA_READINGS) for n in range(1, len(key) + 1)}
        self._loose_prefixes = {key[:n] for key in self.loose for n in range(1, len(key) + 1)}
        self._runs: dict[tuple[str, bool, bool], tuple[str, bool]] = {}
        #: A kanji followed by a kana inside a written form (漏え of 漏えい, 消し of 消し): where a kana run after a kanji
        #: continues the kanji's word in writing with kanji.
        #: The first three kana of every noun reading of three kana or more: a kana run in writing with kanji where
        #: none starts a word is not read at all (most are endings and particles: してください).
        self._noun_heads = {key[:3] for key, (_, verb) in self.exact.items()
                            if not verb and _moras(key) >= MIN_NOUN_KEY} | {
            key[:3] for key in EXTRA_READINGS if _moras(key) >= MIN_NOUN_KEY}
        self._mixed_starts = {form[k:k + 2] for form, _ in (*self.exact.values(), *self.loose.values())
                              for k in range(len(form) - 1) if _KANJI.match(form[k]) and _KANA_CHAR.match(form[k + 1])}

    @staticmethod
    def _add_stem(stems: dict[str, Counter[tuple[str, str]]], base: str | None, reading: str | None,
                  kind: str | None) -> None:
        """Index a verb of the catalog by its stem: godan verbs (直す: 直 + さしすせそ, and the potential 直せ + anything)
        by the kana row of their endings, ichidan verbs (見せる: 見せ + anything). A stem must read two kana or more:
        one-kana stems make everyday kana words into verbs (かかります is not 書かります, もっと not 持っと)."""
        if not base or not reading or not kind or base == "*" or not _KANJI.match(base):
            return
        reading = hiragana(reading)
        if not reading.endswith(base[-1]) or len(reading) < 2:
            return
        stem, stem_reading = base[:-1], reading[:-1]
        if len(stem_reading) < 2 or not _KANJI.search(stem) or stem == stem_reading:
            return
        if kind.startswith("五段"):
            row = _GODAN_ROWS.get(reading[-1])
            if row is None:
                return
            stems[stem_reading][(stem, row)] += 1
            # and its potential form, an ichidan verb of its own: 直す -> 直せ(る), 使う -> 使え(る)
            potential = _E_ROW.get(reading[-1])
            if potential is not None:
                stems[stem_reading + potential][(stem + potential, "")] += 1
        elif kind.startswith(("下一段", "上一段")):
            stems[stem_reading][(stem, "")] += 1

    def _terms(self, plain: str, folded: str, i: int) -> list[tuple[int, str, bool]]:
        """(length, written form, inflects) of every reading at position `i`, longest first."""
        sizes = []
        # Only as far as some reading starts so (a prefix set, as a trie would): a few lookups per position.
        for size in range(1, min(MAX_KEY, len(plain) - i) + 1):
            if plain[i:i + size] not in self._prefixes and folded[i:i + size] not in self._loose_prefixes:
                break
            if size >= MIN_KEY_VERB:
                sizes.append(size)
        found = []
        for size in reversed(sizes):
            key = plain[i:i + size]
            pronoun = EXTRA_READINGS.get(key)
            if pronoun is not None and (i + size == len(plain) or plain[i + size] in _PARTICLES):
                found.append((size, pronoun, False))  # わたしの, わたしは; わたした is 渡した
                continue
            term = self.exact.get(key)
            if term is None and size >= MIN_LOOSE_KEY:
                term = self.loose.get(folded[i:i + size])
            if term is not None:
                found.append((size, *term))
            if term is not None and term[1] and not _ending_fits(term[0], plain, i + size):
                found.pop()  # 持っ only before て/た: もっと is no verb
            stem = self.stems.get(key)
            if stem is not None and term is None and i + size < len(plain):
                written, row = stem
                if plain[i + size] in (row or _ICHIDAN_ENDINGS):
                    found.append((size, written, True))  # 直 + せますか: the ending stays as typed
        return found

    def _read_run(self, piece: str, word_start: bool = True, nouns: bool = False) -> tuple[str, bool]:
        """`_read_run_uncached`, remembered: the topic and the cues read the same runs of one message."""
        key = (piece, word_start, nouns)
        found = self._runs.get(key)
        if found is None:
            if len(self._runs) >= 4096:
                self._runs.clear()
            found = self._runs[key] = self._read_run_uncached(piece, word_start, nouns)
        return found

    def _read_run_uncached(self, piece: str, word_start: bool = True, nouns: bool = False) -> tuple[str, bool]:
        """One run of kana with its readings written, choosing the terms that cover the most of it.

        A term starts a word: at the start of the run (`word_start`: not right after a kanji, whose ending the run
        is: 助かった is not 助買った), after a particle or right after a noun term (委託先の会社, 個人情報), never inside
        the ending of a verb term (もれないように is 漏れ + ないように, not …内容に).

        With `nouns` (a run inside writing with kanji, `read`), only noun terms of `MIN_NOUN_KEY` kana or more are
        written, each ending a word (`_NOUN_FOLLOWERS`): in such writing a kana verb is ordinary writing (なくなった,
        つないで), and a noun reading followed by more kana is usually part of another word (どういう is no 同意)."""
        plain = hiragana(piece)
        n = len(piece)
        if nouns:
            # Only at the start of the run or after a particle, and only where a noun's reading starts (its first
            # three kana): most runs beside kanji are endings and particles (してください, について), left at once.
            heads = self._noun_heads
            # (not at the か of the particle とか: 「閲覧履歴とかって」 holds no 勝手, round 16)
            starts = [(i == 0 and word_start) or (i > 0 and plain[i - 1] in _PARTICLES and plain[i:i + 3] in heads
                                                  and not (plain[i - 1] == "と" and plain[i] == "か"))
                      for i in range(n)]
            starts[0] = starts[0] and plain[:3] in heads
            if not any(starts):
                return piece, False
            folded = plain  # no slips forgiven here: the reading must be exact
        else:
            folded = loose(piece)
        # best[i][can_start]: (kana covered, -terms, pieces) for piece[i:].
        best: list[list[tuple[int, int, list[str]]]] = [[(0, 0, [])] * 2 for _ in range(n + 1)]
        for i in range(n - 1, -1, -1):
            if nouns and not starts[i]:
                terms: list[tuple[int, str, bool]] = []
            else:
                terms = self._terms(plain, folded, i)
            if nouns:
                terms = [(size, form, verb) for size, form, verb in terms
                         if not verb and _moras(plain[i:i + size]) >= MIN_NOUN_KEY and _has_kanji_or_katakana(form)
                         and (i + size == n or plain[i + size] in _NOUN_FOLLOWERS)]
            for can_start in (0, 1):
                covered, count, pieces = best[i + 1][int(plain[i] in _PARTICLES)]
                choice = (covered, count, [piece[i], *pieces])
                if can_start:
                    for size, form, verb in terms:
                        c, k, p = best[i + size][int(not verb)]
                        option = (c + size, k - 1, [_OPEN + form + _CLOSE, *p])
                        if option[:2] >= choice[:2]:  # on a tie the term starting here wins
                            choice = option
                best[i][can_start] = choice
        written = "".join(best[0][int(word_start)][2])
        # Katakana already written as the catalog writes it changes nothing: such a message is not read again.
        return written, written.replace(_OPEN, "").replace(_CLOSE, "") != piece

    def fold_homophones(self, text: str) -> str:
        """`text` with the policy terms' conversion slips written as the terms (「住所を帝政して」 -> 「住所を訂正して」,
        「故人情報」 -> 「個人情報」): in each run of two or more kanji or katakana, the longest homophone at each
        position; and polite endings typed with a slip read as the endings (「おしえてくらさい」 -> 「おしえてください」,
        `[kana_slips]`)."""
        if self._slips is not None and not text.isascii():
            text = self._slips.read(text)
        if not self.homophones:
            return text
        runs = list(_FOLD_RUN.finditer(text))
        if not runs:
            return text
        pieces, last, starts = [], 0, self._homophone_starts
        for run in runs:
            word, i = run.group(0), 0
            while i < len(word) - 1:
                if word[i] not in starts:
                    i += 1
                    continue
                for size in self._homophone_sizes:
                    term = self.homophones.get(word[i:i + size]) if i + size <= len(word) else None
                    if term is not None:
                        pieces += [text[last:run.start() + i], term]
                        i += size
                        last = run.start() + i
                        break
                else:
                    i += 1
        return "".join(pieces) + text[last:] if pieces else text

    def read(self, folded: str) -> str | None:
        """`folded` (the output of `normalize.fold`) with the fillers it opens with left out (えーと, あのー,
        すみません: voice dictation and hesitant typing) and, in kana writing, catalog readings written as the catalog
        writes them; None when neither changes anything."""
        unfilled = _FILLERS.sub("", folded) if folded[:1] in _FILLER_STARTS else folded
        if not unfilled.strip():
            unfilled = folded
        kanji, kana = _script_counts(unfilled)
        if not kana:
            return unfilled if unfilled != folded else None
        # Writing with kanji (「かいじ請求ってどうやるの」, 「住所のていせいお願い」): only the policy's nouns typed in kana.
        nouns = kanji > MAX_KANJI_SHARE * (kanji + kana)
        original, folded = folded, unfilled
        found = False

        def run(match: re.Match[str]) -> str:
            nonlocal found
            start = match.start()
            if nouns:
                # A noun in kana may follow a kanji word directly (個人じょうほう), unless the kanji and the run's first
                # kana start a term the catalog writes so (漏えい: 漏 + えいが is no 映画).
                after = folded[start - 1:start + 1] if start else ""
                written, any_term = self._read_run(match.group(0), after not in self._mixed_starts, True)
                found = found or any_term
                return written
            written, any_term = self._read_run(match.group(0), start == 0 or not _KANJI.match(folded[start - 1]))
            found = found or any_term
            return written

        # A space beside a written term goes (かいじ せいきゅう -> 開示請求, ほぞん されて -> 保存されて); spaces between
        # kana words stay, so frames such as 「どうやって するのですか」 do not join into a silent topic's phrasing.
        # In writing with kanji a run shorter than a noun reading has no start for one (`_read_run_uncached`: a noun's
        # first three kana start it) and reads as itself: only the runs that can hold one are visited.
        runs = _NOUN_RUN if nouns else _KANA_RUN
        read = _SPACE_AT_TERM.sub("", runs.sub(run, folded)).replace(_OPEN, "").replace(_CLOSE, "")
        if not found:
            read = folded  # nothing written: only the fillers (if any) left out
        return read if read != original else None

    def for_cues(self, cleaned: str) -> str | None:
        """What the request cues and the structure reader read for kana writing (`cleaned`: `normalize.clean`
        output, punctuation kept): the catalog's readings written and the spaces between Japanese words gone
        (「わたしの じょうほうを けして ほしい」 -> 「私の情報を消してほしい」, as the cues' patterns are written); for
        other Japanese writing only the spaces between Japanese words go; None when nothing changes."""
        read = self.read(cleaned)
        if read is None:
            # Kanji writing is read as written, but words typed apart (「渡さないで ほしい」) are joined too.
            joined = _SPACE_BETWEEN.sub("", cleaned)
            return joined if joined != cleaned else None
        return _SPACE_BETWEEN.sub("", read)
