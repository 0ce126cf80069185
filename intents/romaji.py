"""Japanese typed in Latin letters (romaji) read as Japanese script for topic scoring.

"itakusaki no kanri tte dou natteru?" asks what 「委託先の管理ってどうなってる？」 asks, but the catalog knows the
policy's Japanese vocabulary mostly in Japanese script (keywords, examples): a romaji message only matched the few
romaji keywords and examples listed by hand. Here a reviewed lexicon of the policy's terms (`intents/romaji.toml`,
reading -> the catalog's written form) turns the terms of a romaji message into Japanese script, and its particles into
kana (no -> の, wa -> は), so the matcher can score the message as Japanese as well (`Matcher._signals` keeps the
better of the Latin and the Japanese reading per intent). Other words stay in Latin letters: read as hiragana too,
their frames (「どうやってするんですか」) matched unrelated examples better than the terms matched the right ones.

Spellings vary: long vowels written ou/oo/o/ō ("jouhou", "joho", "jōhō"), u/uu ("seikyuu", "seikyu"), n' ("han'i")
and the Hepburn/kunrei pairs (shi/si, chi/ti, tsu/tu, fu/hu, ji/zi, sha/sya, ja/zya). Lexicon terms are looked up
by a loose key that folds all of these to one spelling, over one to four consecutive words, so "kojinjouhou",
"kojin jouhou" and "kozin zyoho" find the same entry. A message reads as romaji only when it has no English function
word, at least one lexicon term, and mostly Japanese words; anything else returns None and is scored as written.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

ROMAJI_FILE = Path(__file__).parent / "romaji.toml"
#: Longest lexicon entry, in words ("hoyuu kojin deeta"), tried at each position.
_MAX_TERM_WORDS = 4
#: Longer messages are not read as romaji (romaji questions are short; a long Latin text is English or noise).
_MAX_WORDS = 60

#: Particles and common function words, written as Japanese writes them (the particle "wa" is は, "wo"/"o" を).
_PARTICLES = {
    "wa": "は", "wo": "を", "o": "を", "ga": "が", "no": "の", "ni": "に", "de": "で", "to": "と", "mo": "も",
    "ka": "か", "e": "へ", "ne": "ね", "yo": "よ", "ya": "や", "tte": "って", "te": "て", "kara": "から",
    "made": "まで", "dake": "だけ", "toka": "とか", "nara": "なら", "janai": "じゃない", "ja": "じゃ", "dewa": "では",
}
#: Words that make a message English, not romaji ("is my data kept in Japan?" stays English). Not "i": "han'i" is
#: folded to "han i".
_ENGLISH = frozenset("""the a an is are am was were my your you me we our do does did can could would should will
    what how why when where who which please and or not of in on for with this that it have has if about be they
    there any all get use used""".split())
#: Everyday romaji that is no policy term but shows the message is Japanese.
_COMMON = frozenset("""desu masu imasu arimasu shimasu dekimasu kudasai onegai hoshii shitai nai naru suru shite
    shiteru dou doko nani nan itsu dare dono donna kore sore are watashi boku jibun anata kaisha aru iru natteru
    desuka kana kedo demo ii yatte""".split())
#: The forms of する (and できる) that follow a policy noun ("kaitei shitara", "sakujo dekiru"): written in kana and
#: joined to the term (改定したら), as Japanese writes them; other words stay in Latin letters.
_SURU = {
    "suru": "する", "shite": "して", "shita": "した", "shitara": "したら", "shitai": "したい", "shiteru": "してる",
    "shiteiru": "している", "shimasu": "します", "shimashita": "しました", "shinai": "しない", "sareta": "された",
    "saretara": "されたら", "sarete": "されて", "sareru": "される", "saremasu": "されます", "sareteru": "されてる",
    "dekiru": "できる", "dekimasu": "できます", "dekinai": "できない",
}
_ENDINGS = ("masu", "masen", "mashita", "desu", "deshita", "shii", "tai", "nai", "te", "teru", "ru", "ta")

_MACRONS = str.maketrans({"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou",
                          "â": "aa", "î": "ii", "û": "uu", "ê": "ee", "ô": "ou"})
#: Loose key: kunrei and Hepburn spellings folded to one, then long vowels and the n before b/m/p.
_LOOSE_STEPS = (
    (re.compile(r"tsu"), "tu"), (re.compile(r"chi"), "ti"), (re.compile(r"tch"), "tt"), (re.compile(r"ch"), "ty"),
    (re.compile(r"shi"), "si"), (re.compile(r"sh"), "sy"), (re.compile(r"fu"), "hu"), (re.compile(r"jy?"), "zy"),
    (re.compile(r"zyi"), "zi"), (re.compile(r"d([iu])"), r"z\1"), (re.compile(r"m(?=[bp])"), "n"),
    (re.compile(r"o[uo]|oh(?![aiueo])"), "o"), (re.compile(r"uu"), "u"), (re.compile(r"aa"), "a"),
    (re.compile(r"ii"), "i"), (re.compile(r"ee"), "e"),
)


@lru_cache(maxsize=8192)
def loose(text: str) -> str:
    """A romaji spelling folded so its common variants compare equal: "kojin jouhou", "kojinjoho", "kozin zyôhô"."""
    text = text.casefold().translate(_MACRONS).replace("'", "").replace("-", "")
    for pattern, replacement in _LOOSE_STEPS:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=1)
def load_lexicon(path: Path = ROMAJI_FILE) -> Mapping[str, str]:
    """Loose key of each reading -> the written form, from the `[terms]` table."""
    with path.open("rb") as handle:
        terms = tomllib.load(handle).get("terms", {})
    return {"".join(map(loose, str(reading).split())): str(written) for reading, written in terms.items()}


_SURU_LOOSE = {loose(word): kana for word, kana in _SURU.items()}


def _suru_form(word: str) -> str | None:
    """The kana of `word` when it is a form of する or できる in any spelling ("shitara", "sitara"), else None."""
    return _SURU_LOOSE.get(loose(word))


def _is_cjk(text: str) -> bool:
    return bool(text) and text[0] > "\u3000"


def to_japanese(folded: str, lexicon: Mapping[str, str] | None = None) -> str | None:
    """The Japanese reading of a romaji message (`folded`: the output of `normalize.fold`), or None when the message
    does not read as romaji (any English function word, no lexicon term, or too few Japanese words)."""
    # Bounded work for long messages: at most 61 words are split off, and an English word usually comes early.
    words = folded.split(None, _MAX_WORDS)
    if not words or len(words) > _MAX_WORDS or any(w in _ENGLISH for w in words):
        return None
    words = [w.translate(_MACRONS) for w in words]
    if not all(map(str.isascii, words)):
        return None
    terms = load_lexicon() if lexicon is None else lexicon
    out: list[str] = []
    japanese = found = 0
    i = 0
    while i < len(words):
        for size in range(min(_MAX_TERM_WORDS, len(words) - i), 0, -1):
            # Word by word: a long vowel never spans two words ("koto wa aru" is not "kotowaru").
            written = terms.get("".join(map(loose, words[i:i + size])))
            if written is not None:
                i += size
                japanese += size
                found += 1
                # "kaitei shitara", "sakujo dekiru": a form of する after a term is written with it (改定したら).
                attached = _suru_form(words[i]) if i < len(words) and _is_cjk(written) else None
                if attached is not None:
                    written += attached
                    japanese += 1
                    i += 1
                out.append(written)
                break
        else:
            word = words[i]
            particle = _PARTICLES.get(word)
            if particle is not None or word in _COMMON or (len(word) > 4 and word.endswith(_ENDINGS)):
                japanese += 1
            out.append(particle if particle is not None else word)
            i += 1
    if not found or japanese * 2 < len(words):
        return None
    text = out[0]
    for previous, piece in zip(out, out[1:]):
        # Japanese has no spaces between words; Latin words kept as written stay apart.
        text += piece if _is_cjk(previous) and _is_cjk(piece) else " " + piece
    return text


def to_japanese_mixed(folded: str, lexicon: Mapping[str, str] | None = None) -> str | None:
    """A Japanese message with a romaji run in it ("kaiji seikyuu tte dou yareba ii no やり方がわからない", round 12): each
    run of two or more Latin words read as `to_japanese` reads a romaji message, the Japanese script kept; None when no
    run reads as romaji."""
    words = folded.split(None, _MAX_WORDS)
    if len(words) > _MAX_WORDS:
        return None
    out: list[str] = []
    run: list[str] = []
    changed = False

    def flush() -> None:
        nonlocal changed
        if not run:
            return
        read = to_japanese(" ".join(run), lexicon) if len(run) >= 2 else None
        if read is None:
            out.extend(run)
        else:
            out.append(read)
            changed = True
        run.clear()

    for word in words:
        if word.isascii():
            run.append(word)
        else:
            flush()
            out.append(word)
    flush()
    return " ".join(out) if changed else None
