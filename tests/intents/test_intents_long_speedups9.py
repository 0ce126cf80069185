"""The long-message speed-ups of issue 18.5 (round 9) give exactly what the code they replaced gave.

Each test compares a fast path with the plain computation it stands for, over the labelled sets (as written and glued
into long messages) and over made-up or random strings of our own. End to end, `benchmarks/match_dump.py` gave
byte-identical dumps before and after (benchmarks/RESULTS.md, profiles and fixes).
"""
from __future__ import annotations

import random
import re

import numpy as np

from intents.normalize import normalize
from tests.intents.test_intents_long_speedups import _long_texts, _texts


def test_script_counts_are_the_regex_counts() -> None:
    from intents.kana import _KANA_CHAR, _KANJI, _script_counts

    rng = random.Random(9)
    picks = [lambda: rng.randrange(0x3000, 0x3100), lambda: rng.randrange(0x3300, 0xA000),
             lambda: rng.randrange(0xF800, 0xFB00), lambda: rng.randrange(0, 0x110000), lambda: 0xD800,
             lambda: 0x3005, lambda: 0x30FC, lambda: 0x3040, lambda: 0x3097, lambda: 0x30A0, lambda: 0x30FB]
    samples = ["".join(chr(rng.choice(picks)()) for _ in range(rng.choice([0, 3, 255, 256, 400, 2000])))
               for _ in range(2000)]
    for text in samples + _texts()[::4] + _long_texts(40):
        assert _script_counts(text) == (len(_KANJI.findall(text)), len(_KANA_CHAR.findall(text)))


def test_kana_reading_of_long_runs_only_is_the_reading_of_every_run(matcher, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In writing with kanji only kana runs of a noun reading's length are read: shorter ones read as themselves."""
    import intents.kana as kana
    from intents.loanwords import to_katakana

    reader = matcher._kana
    forms = []
    for text in _texts() + _long_texts(150):
        folded = normalize(text).text
        forms += [folded, to_katakana(folded), normalize(text).cleaned]
    forms += ["個人じょうほうの開示", "住所のていせいお願い", "かいじ請求ってどうやるの", "漏えいした", "に個人じょうほう"]
    fast = [reader.read(form) for form in forms]
    monkeypatch.setattr(kana, "_NOUN_RUN", kana._KANA_RUN)
    reader._runs.clear()
    assert [reader.read(form) for form in forms] == fast
    assert any(f is not None for f in fast)


def test_first_characters_search_is_the_search() -> None:
    """`Firsts.found` (tried where a match's first character is) is `pattern.search` for every cue pattern that has
    one, on long texts, texts full of those characters (past the tries) and texts with none."""
    from intents.cue_needs import FIRSTS_MAX_TRIES, firsts
    from intents.cues import CueSet, load_cues

    cues = load_cues()
    sets = [value for value in vars(cues).values() if isinstance(value, CueSet)]
    patterns = [pattern for cue_set in sets for pattern, _ in cue_set.patterns]
    with_firsts = [(pattern, f) for pattern in patterns if (f := firsts(pattern)) is not None]
    assert len(with_firsts) >= 10
    rng = random.Random(18)
    texts = _texts()
    cases = _long_texts(120) + ["\n".join(rng.sample(texts, 15)) for _ in range(200)]
    cases += ["様" * (FIRSTS_MAX_TRIES + 5) + "さんの個人情報", "の" * 100 + "息子の嫁", "abc" * 200]
    found = 0
    for pattern, first in with_firsts:
        for text in cases:
            expected = pattern.search(text) is not None
            found += expected
            assert first.found(pattern, text) == expected, (pattern.pattern[:60], text[:60])
    assert found > 100


def test_first_characters_are_named_only_when_every_match_starts_with_one() -> None:
    from intents.cue_needs import firsts

    assert firsts(re.compile("(?<!私)(?:さん|様|氏)の")).scanner.pattern == "[さ様氏]"  # type: ignore[union-attr]
    assert firsts(re.compile("(?:息子|娘)?の(?:嫁|妻)")) is not None  # optional first group: 息, 娘 or の
    assert firsts(re.compile("(?:息子|娘)?(?:嫁|妻)?")) is None  # may match nothing
    assert firsts(re.compile("(?:私|.)の")) is None  # any character
    assert firsts(re.compile(r"(?:私|\w)の")) is None  # a category
    assert firsts(re.compile("(?:私|a)の")) is None  # ASCII: English text is full of them
    assert firsts(re.compile("個人情報")) is None  # `re` scans a literal prefix itself
    assert firsts(re.compile("(?i)(?:私|僕)の")) is None


def test_term_scores_by_gather_are_the_concatenation(matcher, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import intents.lexical as lexical

    index = matcher._lexical
    vocabulary = list(index.vocabulary)
    rng = random.Random(4)
    queries = [rng.sample(vocabulary, rng.choice([1, 5, 23, 24, 25, 60, 300, 700])) for _ in range(400)]
    fast = [index.term_scores(query) for query in queries]
    monkeypatch.setattr(lexical, "GATHER_MIN_TERMS", 10**9)
    for query, scores in zip(queries, fast):
        assert scores.tobytes() == index.term_scores(query).tobytes()
        seen = dict.fromkeys(query)
        docs = np.concatenate([index.vocabulary[t][0] for t in seen])
        weights = np.concatenate([index.vocabulary[t][1] for t in seen])
        assert scores.tobytes() == np.bincount(docs, weights=weights, minlength=index.size).tobytes()


def test_long_candidates_are_the_keywords_by_first_two_characters(matcher) -> None:  # type: ignore[no-untyped-def]
    """A long text's keyword candidates (every character pair present) hold every keyword that occurs, in order, and
    only keywords whose first two characters occur."""
    from intents.keywords import _glue
    from intents.loanwords import to_katakana

    index = matcher._keywords
    for text in _long_texts(150) + ["ipアドレス" * 30, "a" * 300, "個" * 250]:
        folded = to_katakana(normalize(text).text)
        compact = _glue(folded)
        if len(compact) < 2:
            continue
        starts = set(compact) | {compact[i:i + 2] for i in range(len(compact) - 1)}
        by_start = sorted(p for s in starts.intersection(index._cjk_by_start) for p in index._cjk_by_start[s])
        candidates = index._long_candidates(compact)
        assert candidates == sorted(candidates) and set(candidates) <= set(by_start)
        occurring = [p for p in by_start if index._cjk[p].tokens[0] in compact]
        assert [p for p in candidates if index._cjk[p].tokens[0] in compact] == occurring


def test_a_cjk_letter_is_a_positive_cjk_share() -> None:
    from intents.normalize import cjk_share, has_cjk_letter

    rng = random.Random(7)
    alphabet = "ab 1。、・゛゜ー々あア漢\u4dc0\ufa6e\u3040\u30a0x."
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(20_000)]
    for text in samples + [chr(code) for code in range(0x3000, 0xFB00)] + _texts()[::3] + _long_texts(40):
        assert has_cjk_letter(text) == (cjk_share(text) > 0), repr(text[:40])


def test_cue_patterns_on_long_texts_are_found_as_searched() -> None:
    """Every pattern of every cue set, through `CueSet._found` on long texts (needs, leads, first characters, and the
    alternatives whose needs hold searched alone), is `pattern.search`."""
    from intents.cues import CueSet, TextView, load_cues

    cues = load_cues()
    sets = [value for value in vars(cues).values() if isinstance(value, CueSet)]
    assert any(any(b is not None for b in cue_set._branches) for cue_set in sets)  # type: ignore[attr-defined]
    rng = random.Random(11)
    texts = _texts()
    cases = _long_texts(80) + ["\n".join(rng.sample(texts, 12)) for _ in range(60)]
    cases += [text.casefold() + "\n" + normalize(text).text for text in cases[::3]]
    cases += ["please delete from my account " * 12, "' or '1'='1 " * 30, "x" * 299 + " select * from users"]
    found = 0
    for cue_set in sets:
        for text in cases:
            view = TextView(text)
            for i, (pattern, _) in enumerate(cue_set.patterns):
                expected = pattern.search(text) is not None
                found += expected
                assert cue_set._found(i, text, view) == expected, (pattern.pattern[:60], text[:60])
    assert found > 1000


def test_top_level_alternatives_are_split_outside_groups_and_classes() -> None:
    from intents.cue_needs import _top_alternatives

    assert _top_alternatives(r"(?:a|b(?:c|d)|[|x]|\|e)") == ["a", "b(?:c|d)", "[|x]", r"\|e"]
    assert _top_alternatives(r"(?:(?:a|b))") == ["a", "b"]
    assert _top_alternatives(r"(?:a)|(?:b)") == ["(?:a)", "(?:b)"]
    assert _top_alternatives(r"[]|]a|b") == ["[]|]a", "b"]
    assert _top_alternatives(r"(?i)a|b") is None
    assert _top_alternatives(r"(?:a|b)c") is None
