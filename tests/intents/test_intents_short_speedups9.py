"""The short-message speed-ups of issue 13 / 18 (round 9, short9) give exactly what the code they replaced gave.

Each test compares a fast path with the plain computation it stands for, over the labelled sets and over random
strings of our own. End to end, `benchmarks/match_dump.py` gave byte-identical dumps before and after
(benchmarks/RESULTS.md, profiles and fixes).
"""
from __future__ import annotations

import random
import re

from intents.normalize import fold
from tests.intents.test_intents_long_speedups import _long_texts, _texts


def _cue_sets():  # type: ignore[no-untyped-def]
    from intents.cues import CueSet, load_cues

    return [value for value in vars(load_cues()).values() if isinstance(value, CueSet) and value.patterns]


def test_patterns_said_to_start_outside_ascii_never_match_ascii_text() -> None:
    """`starts_non_ascii`: every Japanese cue pattern is found, no English one, and none of those found matches an
    ASCII text (the labelled sets' ASCII texts, folded, and random ASCII strings)."""
    from intents.cue_needs import starts_non_ascii

    sets = _cue_sets()
    flagged = [p for s in sets for p, _ in s.patterns if starts_non_ascii(p)]
    assert len(flagged) >= 50
    rng = random.Random(913)
    texts = [t for t in _texts() if t.isascii()]
    texts += [fold(t) for t in texts] + ["", "\n", "a"]
    texts += ["".join(chr(rng.randrange(0, 0x80)) for _ in range(rng.randrange(1, 200))) for _ in range(300)]
    for pattern in flagged:
        for text in texts:
            assert pattern.search(text) is None, (pattern.pattern, text)
    for pattern, expected in [(re.compile("(?:個人|情報)"), True), (re.compile(r"(?<!私)(?:さん|様)の"), True),
                              (re.compile("(?:pdf|ファイル)"), False), (re.compile("(?i)ſ"), False),
                              (re.compile("(?:個人)?情報"), True), (re.compile("(?:個人)?x"), False),
                              (re.compile("(?:個人)*"), False), (re.compile(".個人"), False)]:
        assert starts_non_ascii(pattern) is expected, pattern.pattern


def test_cue_set_scores_and_finds_are_plain_searching() -> None:
    """`CueSet.score` and `finds` (empty text remembered, patterns starting outside ASCII left out on ASCII text)
    give what summing every pattern found gives, on short and long texts, as written and folded, and on ""."""
    sets = _cue_sets()
    texts = _texts()
    texts = texts[::2] + [fold(t) for t in texts[1::2]] + _long_texts(30) + ["", "\n", " "]
    for cue_set in sets:
        for text in texts:
            plain = [weight for pattern, weight in cue_set.patterns if pattern.search(text)]
            assert cue_set.score(text) == sum(plain), text
            assert cue_set.finds(text) == bool(plain), text
        assert type(cue_set.score("")) is type(sum(w for p, w in cue_set.patterns if p.search("")))
