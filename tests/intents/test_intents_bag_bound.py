"""Token-set comparisons pruned by bounds (`intents.bagbound`, `_Choices.token_set_row`) keep every intent's best
example score exactly: the bounds never miss rapidfuzz's score (as `process.cdist` gives it in uint8) on random token
strings, and the pruned rows' per-owner maxima are those of scoring everything, on random groups and on the real
catalog over the dev set."""
from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from intents import matcher as matcher_module
from intents.bagbound import BagBounds, pruned_row
from intents.catalog import Catalog
from intents.matcher import Matcher, _Choices, _token_set
from intents.normalize import char_bigrams
from intents.tokenset import TokenSets

DATA = Path(__file__).resolve().parents[1] / "data"

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
    shared = TokenSets(forms).joined_shared(query.split())
    lower, upper = BagBounds(forms).bounds(query, np.arange(len(forms)), shared)
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


def _unpruned(group: _Choices, query: str, positions: np.ndarray | None, caps: np.ndarray | None) -> np.ndarray:
    row = group.compare(query, fuzz.token_set_ratio, positions, token_set=True)
    return row if caps is None else np.minimum(row, caps)


def _owner_maxima(group: _Choices, positions: np.ndarray | None, row: np.ndarray) -> np.ndarray:
    scores = np.zeros(int(group.owners.max()) + 1, dtype=np.float64)
    owners = group.owners if positions is None else group.owners[positions]
    group.best_per_owner(scores, owners, row, group.runs if positions is None else None)
    return scores


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data())
def test_pruned_rows_keep_every_owners_best_on_random_groups(data: st.DataObject) -> None:
    # A small vocabulary, so that texts share tokens and repeat (groups with repeats compare each distinct text once).
    vocabulary = data.draw(st.lists(_TOKEN, min_size=1, max_size=14))
    text = st.lists(st.sampled_from(vocabulary), min_size=1, max_size=7).map(" ".join)
    texts = [t for t in data.draw(st.lists(text, min_size=1, max_size=40)) if t.split()]
    query = _token_set(data.draw(text))
    if not texts or not query:
        return
    owners = np.sort(np.array(data.draw(st.lists(st.integers(0, 8), min_size=len(texts), max_size=len(texts))),
                              dtype=np.int32))
    group = _Choices(texts, owners, whole=False)
    positions = None
    if data.draw(st.booleans()):
        positions = np.flatnonzero(np.array(data.draw(st.lists(st.booleans(), min_size=len(texts),
                                                               max_size=len(texts)))))
        if len(positions) == 0:
            return
    caps = None
    if data.draw(st.booleans()):
        size = len(texts) if positions is None else len(positions)
        caps = np.array(data.draw(st.lists(st.sampled_from([30, 80, 255]), min_size=size, max_size=size)),
                        dtype=np.uint8)
    with mock.patch.object(matcher_module, "PRUNE_MIN_WORK", 0):
        row = group.token_set_row(query, positions, caps)
    expected = _unpruned(group, query, positions, caps)
    assert np.all(row <= expected)
    assert np.array_equal(_owner_maxima(group, positions, row), _owner_maxima(group, positions, expected))


def _dev_texts() -> list[str]:
    with open(DATA / "dev.jsonl", encoding="utf-8") as stream:
        return [json.loads(line)["text"] for line in stream if line.strip()]


def test_pruned_rows_keep_every_owners_best_on_the_catalog(catalog: Catalog) -> None:
    """Every token-set comparison the dev set's messages (and messages glued from them) make against the shipped
    catalog, pruned (whatever its size) and not: the same best per intent; and the same matches."""
    texts = _dev_texts()
    texts += [" ".join(texts[n:n + 12]) for n in range(0, len(texts), 40)]
    pruned = Matcher(catalog)
    calls = {"calls": 0, "compared": 0, "examples": 0}
    original = _Choices.token_set_row
    similarities = matcher_module._similarities

    def counted(query: str, texts: list[str], scorer: object) -> np.ndarray:
        calls["compared"] += len(texts)
        return similarities(query, texts, scorer)

    def checked(group: _Choices, query: str, positions: np.ndarray | None, caps: np.ndarray | None) -> np.ndarray:
        with mock.patch.object(matcher_module, "_similarities", counted):
            row = original(group, query, positions, caps)
        expected = _unpruned(group, query, positions, caps)
        assert np.all(row <= expected)
        assert np.array_equal(_owner_maxima(group, positions, row), _owner_maxima(group, positions, expected)), query
        calls["calls"] += 1
        calls["examples"] += len(row)
        return row

    with mock.patch.object(matcher_module, "PRUNE_MIN_WORK", 0), \
            mock.patch.object(_Choices, "token_set_row", checked):
        matches = [pruned.match(text) for text in texts]
    assert calls["calls"] > 500
    assert calls["compared"] < 0.75 * calls["examples"]  # the bounds did rule comparisons out
    with mock.patch.object(matcher_module, "PRUNE_MIN_WORK", 10**12):  # never pruned
        unpruned = Matcher(catalog)
        assert [unpruned.match(text) for text in texts] == matches
