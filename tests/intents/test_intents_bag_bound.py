"""Bounds on token-set scores (`intents.bagbound`) never miss rapidfuzz's score (as `process.cdist` gives it in
uint8) on random token strings, and a row pruned by bounds keeps each run's maximum."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from intents.bagbound import BagBounds, pruned_row
from intents.matcher import _token_set
from intents.normalize import char_bigrams
from intents.tokenset import TokenSets

# Words of a few letters (many shared, many nearly shared), Japanese written as the matcher compares it (character
# bigrams), and odd characters: ones outside the Basic Multilingual Plane, combining marks, characters that rapidfuzz
# and `str.split` might see differently, and any other.
_ASCII_WORD = st.text(alphabet="abcdeyz", min_size=1, max_size=7)
_JAPANESE = st.text(alphabet="個人情報削除開示請求データをのはにクッキー", min_size=1, max_size=12).map(char_bigrams)
_ODD = st.text(alphabet=st.sampled_from(list("aé\u0301\u00adß\u0130\u2167\U0001f600\U00020000\u3000\u00a0\u0085"
                                              "\u200b\x1c\ufeff\ud800_ー")) | st.characters(exclude_categories=("Cs",)),
               min_size=1, max_size=6)
_TOKEN = _ASCII_WORD | _JAPANESE | _ODD
_TEXT = st.lists(_TOKEN, min_size=1, max_size=9).map(lambda tokens: _token_set(" ".join(tokens)))


def _exact(query: str, forms: list[str]) -> np.ndarray:
    row: np.ndarray = process.cdist([query], forms, scorer=fuzz.token_set_ratio, dtype=np.uint8)[0]
    return row


@settings(max_examples=800, deadline=None, database=None)
@given(data=st.data(), buckets=st.sampled_from([4, 7, 64, 256]))
def test_bounds_hold_rapidfuzz_scores(data: st.DataObject, buckets: int) -> None:
    # Texts drawn mostly from a small vocabulary share tokens and characters (every case of rapidfuzz's formula),
    # with a fresh token now and then.
    vocabulary = data.draw(st.lists(_TOKEN, min_size=1, max_size=10))
    text = st.lists(st.sampled_from(vocabulary) | _TOKEN, min_size=1, max_size=9).map(lambda t: _token_set(" ".join(t)))
    query = data.draw(text)
    forms = [form for form in data.draw(st.lists(text, min_size=1, max_size=12)) if form]
    if not query or not forms:
        return
    ids = np.arange(len(forms))
    lower, upper = BagBounds(forms, buckets).bounds(query, ids, TokenSets(forms).joined_shared(query.split()))
    exact = _exact(query, forms)
    assert np.all(lower <= exact), (query, forms, lower, exact)
    assert np.all(exact <= upper), (query, forms, exact, upper)


def test_bounds_hold_on_a_query_sharing_tokens_with_every_form() -> None:
    """Subsets (100), no shared token, and the shared-tokens ratios winning, each at least once."""
    forms = ["a b c", "a b", "x y", "a c d e f g", "abc", "a bb cc dd ee ff gg hh"]
    query = "a b c"
    lower, upper = BagBounds(forms).bounds(query, np.arange(len(forms)), TokenSets(forms).joined_shared(["a", "b", "c"]))
    exact = _exact(query, forms)
    assert np.all(lower <= exact) and np.all(exact <= upper)
    assert exact[0] == exact[1] == lower[0] == lower[1] == 100
    assert lower[2] == 0


def test_rapidfuzz_splits_tokens_only_where_str_split_does() -> None:
    """The bounds count a form's tokens as `str.split` made them (`_token_set`): rapidfuzz must not split them further
    (it splits on fewer kinds of whitespace, never on more)."""
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if fuzz.token_set_ratio("a" + char + "b", "b a") == 100:
            assert char.isspace(), hex(code)


@settings(max_examples=400, deadline=None, database=None)
@given(data=st.data())
def test_pruned_row_keeps_each_runs_maximum(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 40))
    exact = np.array(data.draw(st.lists(st.integers(0, 100), min_size=size, max_size=size)), dtype=np.uint8)
    below = np.array(data.draw(st.lists(st.integers(0, 100), min_size=size, max_size=size)))
    above = np.array(data.draw(st.lists(st.integers(0, 100), min_size=size, max_size=size)))
    lower = np.maximum(exact.astype(int) - below, 0).astype(np.uint8)
    upper = np.minimum(exact.astype(int) + above, 100).astype(np.uint8)
    run = np.sort(np.array(data.draw(st.lists(st.integers(0, 9), min_size=size, max_size=size)), dtype=np.intp))
    asked: list[int] = []

    def scores(at: np.ndarray) -> np.ndarray:
        asked.extend(at.tolist())
        return exact[at]

    row = pruned_row(lower, upper, run, 10, scores)
    assert len(asked) == len(set(asked))  # none scored twice
    assert np.all(row <= exact) and np.all(row >= lower)
    assert np.array_equal(_run_maxima(row, run), _run_maxima(exact, run))


def _run_maxima(row: np.ndarray, run: np.ndarray) -> np.ndarray:
    best = np.zeros(int(run.max()) + 1 if len(run) else 0, dtype=np.int64)
    np.maximum.at(best, run, row.astype(np.int64))
    return best
