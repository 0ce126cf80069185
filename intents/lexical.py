"""A BM25 index over each intent's example phrasings and keywords.

The fuzzy example score rewards a message that resembles one phrasing; this index rewards the
vocabulary an intent's phrasings share as a whole, so a paraphrase that resembles no single example
still lands on the right topic. Message words missing from the vocabulary are mapped to their closest
vocabulary word with rapidfuzz (typo tolerance) before lookup.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from intents.normalize import is_cjk

#: Memoised typo lookups per index (cleared when full).
TYPO_CACHE_SIZE = 20_000
_STEM = re.compile(r"(?:ing|ed|es|s|ion|ions|ment|ments|ly|er|ers)$")


#: Memoised stems (a pure function of the word; cleared when full).
_STEMS: dict[str, str] = {}
STEM_CACHE_SIZE = 50_000


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: enough for 'deleting' ~ 'delete', 'cookies' ~ 'cookie'."""
    try:
        return _STEMS[word]
    except KeyError:
        pass
    result = _stem(word)
    if len(_STEMS) >= STEM_CACHE_SIZE:
        _STEMS.clear()
    _STEMS[word] = result
    return result


def _stem(word: str) -> str:
    if len(word) <= 3 or is_cjk(word[0]):
        return word
    stripped = _STEM.sub("", word)
    if len(stripped) < 3:
        stripped = word
    # "wipe", "wiped" and "wiping" all become "wip".
    return stripped.rstrip("e") if len(stripped.rstrip("e")) >= 3 else stripped


#: Queries of at least this many distinct terms read their postings by one gather (`LexicalIndex.term_scores`).
GATHER_MIN_TERMS = 24


class LexicalIndex:
    """BM25 over documents made of tokens (stemmed words, Japanese character bigrams)."""

    def __init__(self, documents: Sequence[Iterable[str]], *, k1: float = 1.2, b: float = 0.5,
                 typo_ratio: float = 84.0, typo_min_length: int = 5,
                 average_over: Sequence[bool] | None = None) -> None:
        self.size = len(documents)
        self.typo_ratio = typo_ratio
        self.typo_min_length = typo_min_length
        counts = [Counter(doc) for doc in documents]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
        # `average_over` picks the documents whose mean length normalises all of them (default: every document).
        counted = lengths[np.asarray(average_over, dtype=bool)] if average_over is not None else lengths
        average = float(counted.mean()) if len(counted) and counted.sum() else 1.0
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        by_term: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, c in enumerate(counts):
            norm = k1 * (1 - b + b * lengths[doc] / average)
            for term, tf in c.items():
                idf = math.log(1 + (self.size - df[term] + 0.5) / (df[term] + 0.5))
                by_term[term].append((doc, idf * tf * (k1 + 1) / (tf + norm)))
        for term, rows in by_term.items():
            postings[term] = (np.array([r[0] for r in rows], dtype=np.int32),
                              np.array([r[1] for r in rows], dtype=np.float64))
        self._postings = postings
        # The same postings end to end, for a query of many terms (`term_scores`): each term's run of them read by
        # one gather instead of one array per term.
        self._term_ids = {term: n for n, term in enumerate(postings)}
        runs = list(postings.values())
        self._run_lengths = np.array([len(d) for d, _ in runs], dtype=np.intp)
        self._run_starts = np.cumsum(self._run_lengths) - self._run_lengths
        self._all_docs = np.concatenate([d for d, _ in runs]) if runs else np.zeros(0, dtype=np.int32)
        self._all_weights = np.concatenate([w for _, w in runs]) if runs else np.zeros(0, dtype=np.float64)
        self._typo_vocab = [t for t in postings if len(t) >= typo_min_length and not is_cjk(t[0])]
        #: token -> closest vocabulary term (or None) for tokens not in the vocabulary; memoised, bounded.
        self._typo_cache: dict[str, str | None] = {}

    @property
    def vocabulary(self) -> "dict[str, tuple[np.ndarray, np.ndarray]]":
        """The terms (a mapping whose keys are the terms; read-only): `lookup(t)` is `t` for each of them."""
        return self._postings

    def lookup(self, token: str) -> str | None:
        """The vocabulary term for a message token: itself, or its closest spelling when it has a typo."""
        if token in self._postings:
            return token
        if len(token) < self.typo_min_length or is_cjk(token[0]) or not self._typo_vocab:
            return None
        try:
            return self._typo_cache[token]
        except KeyError:
            pass
        best = process.extractOne(token, self._typo_vocab, scorer=fuzz.ratio, score_cutoff=self.typo_ratio)
        found = best[0] if best else None
        if len(self._typo_cache) >= TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[token] = found
        return found

    def scores(self, tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (each distinct term counted once)."""
        seen: dict[str, None] = {}
        for token in tokens:
            term = self.lookup(token)
            if term is not None:
                seen.setdefault(term)
        return self.term_scores(seen)

    def term_scores(self, terms: Iterable[str]) -> np.ndarray:
        """`scores` of tokens already looked up (`lookup`: vocabulary terms, each its own look-up), distinct or not:
        the matcher looks a message's tokens up once for this and for its comparisons."""
        seen = dict.fromkeys(terms)
        if not seen:
            return np.zeros(self.size, dtype=np.float64)
        # One bincount over every term's postings, in the order the terms came: each document's weights are
        # added in the same order as one `+=` per term would add them, so the sums are the same to the bit.
        if len(seen) >= GATHER_MIN_TERMS:
            # The postings of the terms, in the terms' order, as one gather from the arrays laid end to end.
            ids = np.fromiter(map(self._term_ids.__getitem__, seen), dtype=np.intp, count=len(seen))
            lengths = self._run_lengths[ids]
            ends = np.cumsum(lengths)
            at = np.repeat(self._run_starts[ids] - (ends - lengths), lengths) + np.arange(ends[-1])
            docs, weights = self._all_docs[at], self._all_weights[at]
        else:
            docs = np.concatenate([self._postings[term][0] for term in seen])
            weights = np.concatenate([self._postings[term][1] for term in seen])
        return np.bincount(docs, weights=weights, minlength=self.size).astype(np.float64, copy=False)
