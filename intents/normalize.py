"""Text normalisation shared by the catalog preprocessing and every incoming message.

The same function prepares both sides, so an example and a message that differ only in width, case,
punctuation or Slack markup compare equal.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Messages longer than this are cut before matching. The head keeps the greeting/context, the tail keeps
#: the request that users bury at the end of a long message.
MAX_MATCH_CHARS = 1200
_HEAD_CHARS = 300

_SLACK_LINK = re.compile(r"<(https?://[^|>]*)\|([^>]*)>")
#: Slack's tokens (<@U123>, <#C123|general>, <!here>); an HTML comment (<!-- … -->) is no token and is kept: what it
#: says ("admin=true") is the writer's text, which the hostile cues read (round 9).
_SLACK_TOKEN = re.compile(r"<(?:[@#]|!(?!--))[^>]{0,200}>")
_SLACK_URL = re.compile(r"<https?://[^>]{0,500}>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']{1,40}:")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_QUOTE_LINE = re.compile(r"(?m)^\s*>+ ?(.*)$")
_CODE_FENCE = re.compile(r"`{1,3}")
#: Everything that is not a letter, digit or CJK character becomes a space.
_NON_WORD = re.compile(r"[^\w\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+|_+")
_SPACES = re.compile(r"\s+")
#: A wave dash drawing out a word between two hiragana (「くださ〜い」「おねがいしま~す」, round 19): the word written plainly.
#: (Not the long-vowel mark ー: hiragana spellings of loanwords keep it, 「でーた」.)
_ELONGATION = re.compile(r"(?<=[\u3041-\u3096])[\u301c~]+(?=[\u3041-\u3096])")
#: One Japanese/CJK character (kana, kanji, the iteration mark and the long-vowel mark), as a regex class.
_CJK_CLASS = r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3005\u30fc]"
_CJK = re.compile(_CJK_CLASS)
_CJK_RUN = re.compile(_CJK_CLASS + "+")


@dataclass(frozen=True)
class Normalized:
    """A message prepared for matching."""

    text: str          # NFKC, case-folded, punctuation removed, single spaces
    quoted: str        # the normalised text of `> ` quoted lines (someone else's words)
    unquoted: str      # the normalised text outside quotes
    has_question_mark: bool
    truncated: bool
    cleaned: str = ""       # NFKC-cleaned text with case and punctuation (what the cues read)


def cap(text: str, limit: int = MAX_MATCH_CHARS) -> tuple[str, bool]:
    """Cap the length looked at, keeping the head and the (usually more important) tail."""
    if len(text) <= limit:
        return text, False
    return text[:_HEAD_CHARS] + "\n" + text[-(limit - _HEAD_CHARS):], True


def clean(text: str) -> str:
    """NFKC, Slack artefacts and control characters removed; case and punctuation kept."""
    text = unicodedata.normalize("NFKC", text)
    text = _SLACK_LINK.sub(r"\2", text)
    text = _SLACK_URL.sub(" ", text)
    text = _SLACK_TOKEN.sub(" ", text)
    text = _EMOJI_CODE.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    if "\u301c" in text or "~" in text:
        text = _ELONGATION.sub("", text)
    return _CONTROL.sub(" ", text)


def fold(text: str) -> str:
    """Case-fold and strip punctuation; the form used for all comparisons."""
    # Apostrophes split words ("don't" -> "don t") so contractions compare the same however typed.
    text = _NON_WORD.sub(" ", text.casefold())
    return " ".join(text.split())  # `_SPACES.sub(" ", text).strip()`: `str.split` and `\s` split at the same characters


def unescape_slack(text: str) -> str:
    """Slack escapes &, < and > in message text; undo that so "&gt; quoted" is a quote, not the word "gt"."""
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def normalize(text: str) -> Normalized:
    """Prepare any string for matching. Never raises for str input."""
    capped, truncated = cap(text)
    cleaned = clean(unescape_slack(capped))
    quoted_lines = [m.group(1) for m in _QUOTE_LINE.finditer(cleaned)]
    folded = fold(cleaned)
    return Normalized(
        text=folded,
        quoted=fold(" ".join(quoted_lines)) if quoted_lines else "",
        # With no quote line, removing them leaves `cleaned` as it is: its fold is `folded`.
        unquoted=fold(_QUOTE_LINE.sub(" ", cleaned)) if quoted_lines else folded,
        has_question_mark="?" in cleaned,
        cleaned=cleaned,
        truncated=truncated,
    )


#: The lowest code point `_CJK` matches: anything below it (all of ASCII and Latin) is not CJK.
_CJK_LOWEST = "\u3005"


def is_cjk(char: str) -> bool:
    """True when `char` (one character; of a longer string, its first) is Japanese/CJK script, as `_CJK` matches it."""
    if char < _CJK_LOWEST:
        return False
    if len(char) != 1:
        return bool(_CJK.match(char))
    # `_CJK_CLASS`'s ranges compared directly: a regex call per character cost more than the rest of the test.
    return "\u3400" <= char <= "\u9fff" or "\u3040" <= char <= "\u30ff" or "\uf900" <= char <= "\ufaff" \
        or char == "\u3005"


def has_cjk(text: str) -> bool:
    """True when any character of `text` is Japanese/CJK script (one regex scan)."""
    return _CJK.search(text) is not None


def cjk_share(text: str) -> float:
    """Share of letters that are Japanese/CJK script, ignoring spaces, digits and punctuation."""
    cjk = _CJK.findall(text)
    if not cjk:
        return 0.0  # what the division gives (or no letters at all), without counting the letters
    letters = sum(map(str.isalpha, text))
    if not letters:
        return 0.0
    return sum(map(str.isalpha, cjk)) / letters


def has_cjk_letter(text: str) -> bool:
    """`cjk_share(text) > 0`: some Japanese/CJK character of `text` is a letter (then the text has letters), found
    without counting every letter (a Japanese message's first such character ends the search)."""
    return any(match.group().isalpha() for match in _CJK.finditer(text))


def char_bigrams(text: str, memo: dict[str, str] | None = None) -> str:
    """Japanese has no spaces between words: turn each CJK run into overlapping character bigrams
    (space-separated) so token-based rapidfuzz scorers compare characters, while Latin words stay whole.
    `memo` (run -> its bigrams) is shared by the caller between texts that have most runs in common."""
    def bigrams(match: re.Match[str]) -> str:
        run = match.group(0)
        if memo is not None:
            known = memo.get(run)
            if known is not None:
                return known
        if len(run) == 1:
            written = f" {run} "
        else:
            written = " " + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + " "
        if memo is not None:
            memo[run] = written
        return written

    return " ".join(_CJK_RUN.sub(bigrams, text).split())  # as `fold` collapses spaces
