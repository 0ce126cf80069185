"""Token-set scores decided from token counts (`intents.tokenset`) are exactly rapidfuzz's, as `process.cdist` gives
them in uint8, for long queries (where counts decide most of them) and short ones (where rapidfuzz decides)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from intents.matcher import _token_set
from intents.normalize import char_bigrams, clean, fold
from intents.tokenset import TokenSets

DATA = Path(__file__).resolve().parents[1] / "data"


def _cdist(query: str, texts: list[str]) -> np.ndarray:
    return process.cdist([query], texts, scorer=fuzz.token_set_ratio, dtype=np.uint8)[0]


def _check(query: str, forms: list[str], rng: random.Random) -> int:
    sets = TokenSets(forms)
    ids = np.array(sorted(rng.sample(range(len(forms)), rng.randint(1, len(forms)))), dtype=np.int64)
    expected = _cdist(query, [forms[i] for i in ids])
    assert np.array_equal(sets.scores(query, ids), expected), query[:80]
    scores, rest = sets.decide(query, ids)
    decided = np.setdiff1d(np.arange(len(ids)), rest)
    assert np.array_equal(scores[decided], expected[decided])
    return len(decided)


def test_counts_give_rapidfuzz_scores_on_random_token_sets() -> None:
    rng = random.Random(18)
    vocabulary = ["a", "ab", "abc", "b", "bc", "cd", "de", "xyz", "q", "zz", "データ", "個人", "情報", "削除", "ee"] + [
        "".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 9))) for _ in range(300)]
    decided = 0
    for _ in range(300):
        forms = [_token_set(" ".join(rng.sample(vocabulary, rng.randint(1, 12)))) for _ in range(rng.randint(1, 60))]
        query = _token_set(" ".join(rng.sample(vocabulary, rng.randint(1, 250))))
        decided += _check(query, forms, rng)
    assert decided > 1000  # the counts, not rapidfuzz, decided many of them


def test_counts_give_rapidfuzz_scores_on_labelled_messages() -> None:
    rng = random.Random(5)
    texts = [json.loads(line)["text"] for path in sorted(DATA.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    forms = sorted({_token_set(char_bigrams(fold(clean(t)))) for t in texts} - {""})
    decided = 0
    for _ in range(60):
        long = _token_set(char_bigrams(fold(clean(" ".join(rng.sample(texts, rng.randint(1, 40)))))))
        if long:
            decided += _check(long, forms, rng)
    assert decided > 1000


def test_whole_text_comparisons_on_sorted_forms_equal_token_sort_ratio() -> None:
    """`_Choices.compare` scores whole texts with `fuzz.ratio` on forms sorted once (`_sorted_tokens`): the same
    uint8 scores as `fuzz.token_sort_ratio` on the texts, and whitespace rapidfuzz does not split on (U+00A0, U+0085…)
    goes to `token_sort_ratio` itself."""
    import random

    from rapidfuzz import fuzz, process

    from intents.catalog import load_catalog
    from intents.matcher import Matcher

    matcher = Matcher(load_catalog())
    rng = random.Random(18)
    for lang, groups in matcher._choices.items():
        for group in groups:
            assert group.distinct_sorted is not None
            words = " ".join(group.texts).split()
            queries = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(150)]
            queries += [queries[0] + "\u00a0" + queries[1], "a\u0085b " + queries[2], words[0], "  " + words[1] + " "]
            for query in queries:
                expected = process.cdist([query], group.texts, scorer=fuzz.token_sort_ratio, dtype=np.uint8)[0]
                assert np.array_equal(group.compare(query, fuzz.token_sort_ratio, None, token_set=False), expected)
                some = np.arange(0, len(group.texts), 3)
                assert np.array_equal(group.compare(query, fuzz.token_sort_ratio, some, token_set=False),
                                      expected[some])
