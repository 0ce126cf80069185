"""Loanwords written in Latin letters inside Japanese text read as their katakana form.

"Cookieでどんな情報を…" and "クッキーでどんな情報を…" ask the same thing, but a Latin word is one token where the
katakana gives several character bigrams, so the Latin spelling scored well below the katakana one on every
signal (keywords, vocabulary, example similarity). The matcher applies `to_katakana` to Japanese text on both
sides (each message, and the catalog's Japanese examples and keywords), so the two spellings compare the same.
Text without Japanese script is left alone: an English message keeps its English words. The word list is data
(`intents/loanwords.toml`, beside the cues).
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from intents.normalize import has_cjk

LOANWORDS_FILE = Path(__file__).parent / "loanwords.toml"
#: A run of Latin words (letters only) separated by single spaces, as `fold` leaves them.
_LATIN_RUN = re.compile(r"[a-z]+(?: [a-z]+)*")


@lru_cache(maxsize=1)
def load_loanwords(path: Path = LOANWORDS_FILE) -> Mapping[str, str]:
    """Latin word -> katakana, from the `[ja]` table."""
    with path.open("rb") as handle:
        table = tomllib.load(handle).get("ja", {})
    return {str(latin).casefold(): str(kana) for latin, kana in table.items()}


def to_katakana(folded: str, table: Mapping[str, str] | None = None) -> str:
    """`folded` (the output of `normalize.fold`) with listed Latin words in katakana, when it has Japanese script.

    Neighbouring listed words join without a space ("google analytics" -> "グーグルアナリティクス"), as katakana
    compounds are written; other Latin words stay as they are."""
    if not has_cjk(folded):
        return folded
    words = load_loanwords() if table is None else table

    def run(match: re.Match[str]) -> str:
        out: list[str] = []
        previous_kana = False
        for word in match.group(0).split(" "):
            kana = words.get(word)
            if kana is not None and previous_kana:
                out[-1] += kana
            else:
                out.append(kana if kana is not None else word)
            previous_kana = kana is not None
        return " ".join(out)

    return _LATIN_RUN.sub(run, folded)
