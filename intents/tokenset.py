"""`fuzz.token_set_ratio` of one long query against many short texts, computed from token counts where that is exact.

rapidfuzz's token-set ratio of texts A and B (distinct tokens; `sect` = the shared ones, `ab` = A's others, `ba` = B's
others, each joined by spaces) is the best of three normalised Indel similarities (rapidfuzz's `fuzz_py.py`, which
the compiled scorer mirrors):

* sect against sect+ab, and sect against sect+ba: the distance is the length of the part added, so these two need
  only the lengths of sect, ab and ba;
* ab against ba: this needs the Indel distance of the two joined strings, the costly part when A is a long message
  (a long Japanese message has some 470 character-bigram tokens: rapidfuzz prepares its 1,400 characters for every
  text it is compared with, about 30 µs a text).

The Indel distance is at least the difference of the two lengths, so the third similarity is at most
`100 - 100 * |len(ab) - len(ba)| / lensum`. When that bound is no better than the best of the first two, the result
is the best of the first two, computed here for all texts at once from token counts (same formula and the same
floating-point operations as rapidfuzz, then rounded half away from zero, as `process.cdist` stores a float score
in an integer array). Every other text (no shared token, or a third similarity that could win) is left to
rapidfuzz, so every score is exactly rapidfuzz's (tests/intents/test_intents_tokenset.py compares them).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process

#: Queries shorter than this (characters) go to rapidfuzz whole: for them the bound seldom decides and counting
#: tokens costs more than it saves.
MIN_QUERY_CHARS = 300
#: Token lists at least this long read their postings by one gather (`TokenSets.joined_shared`), as in
#: `intents.lexical`.
GATHER_MIN_TOKENS = 24


class TokenSets:
    """Texts given as their sorted distinct tokens joined by single spaces (`matcher._token_set`), indexed by token."""

    def __init__(self, forms: Sequence[str]) -> None:
        self.forms = list(forms)
        postings: dict[str, list[int]] = {}
        counts = np.zeros(len(self.forms), dtype=np.int64)
        chars = np.zeros(len(self.forms), dtype=np.int64)
        for n, form in enumerate(self.forms):
            tokens = form.split()
            counts[n] = len(tokens)
            chars[n] = sum(map(len, tokens))
            for token in tokens:
                postings.setdefault(token, []).append(n)
        self._postings = {t: np.array(p, dtype=np.int64) for t, p in postings.items()}
        #: token -> its length plus one for each of its postings (`joined_shared`).
        self._weights = {t: np.full(len(p), len(t) + 1.0) for t, p in postings.items()}
        # The postings end to end (token -> its run), for reading those of a long query's shared tokens in one gather.
        self._token_ids = {t: n for n, t in enumerate(self._postings)}
        self._run_lengths = np.array([len(p) for p in self._postings.values()], dtype=np.intp)
        self._run_starts = np.cumsum(self._run_lengths) - self._run_lengths
        self._token_chars = np.array([len(t) for t in self._postings], dtype=np.float64)
        self._all_postings = (np.concatenate(list(self._postings.values())) if self._postings
                              else np.zeros(0, dtype=np.int64))
        self._counts = counts
        self._chars = chars

    def scores(self, query: str, ids: np.ndarray) -> np.ndarray:
        """`fuzz.token_set_ratio(query, forms[i])` rounded to uint8 for each i in `ids`, as `process.cdist` gives it;
        `query` is itself sorted distinct tokens joined by single spaces."""
        out, rest = self.decide(query, ids)
        if len(rest):
            out[rest] = _cdist(query, [self.forms[i] for i in ids[rest]])
        return out

    def joined_shared(self, tokens: list[str]) -> np.ndarray | None:
        """For each text, the length of the distinct `tokens` it has joined by spaces, plus one (float64: the sum of
        their lengths plus one each); None when no text has any."""
        if len(tokens) >= GATHER_MIN_TOKENS:
            shared = np.fromiter(map(self._token_ids.__getitem__, self._token_ids.keys() & tokens), dtype=np.intp)
            if not len(shared):
                return None
            hits, lengths = self._hits(shared)
            weights = lengths + 1.0
        else:  # a few tokens: their postings joined end to end costs fewer steps than the gather
            postings = self._postings
            found = [token for token in tokens if token in postings]
            if not found:
                return None
            hits = np.concatenate([postings[token] for token in found])
            weights = np.concatenate([self._weights[token] for token in found])
        out: np.ndarray = np.bincount(hits, weights=weights, minlength=len(self.forms))
        return out

    def _hits(self, shared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The postings of the tokens `shared` (their ids) read in one gather: (text positions, token lengths)."""
        runs = self._run_lengths[shared]
        ends = np.cumsum(runs)
        hits = self._all_postings[np.repeat(self._run_starts[shared] - (ends - runs), runs) + np.arange(ends[-1])]
        return hits, np.repeat(self._token_chars[shared], runs)

    def decide(self, query: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(scores as `scores` gives them, the positions in `ids` whose score is left to rapidfuzz: 0 there)."""
        tokens = query.split()
        q_n, q_c = len(tokens), sum(map(len, tokens))
        # The query's tokens that some text has (in any order: the counts and character sums below are integers),
        # their postings read in one gather.
        shared = np.fromiter(map(self._token_ids.__getitem__, self._token_ids.keys() & tokens), dtype=np.intp)
        size = len(self.forms)
        if len(shared):
            hits, lengths = self._hits(shared)
            i_n = np.bincount(hits, minlength=size)[ids].astype(np.int64)
            i_c = np.bincount(hits, weights=lengths, minlength=size)[ids].astype(np.int64)
        else:
            i_n = i_c = np.zeros(len(ids), dtype=np.int64)
        e_n, e_c = self._counts[ids], self._chars[ids]
        ab_n, ba_n = q_n - i_n, e_n - i_n
        # Joined lengths: the characters of the tokens plus a space between each two.
        sect = np.where(i_n > 0, i_c + i_n - 1, 0)
        ab = np.where(ab_n > 0, (q_c - i_c) + ab_n - 1, 0)
        ba = np.where(ba_n > 0, (e_c - i_c) + ba_n - 1, 0)
        shares = i_n > 0
        subset = shares & ((ab_n == 0) | (ba_n == 0))  # one text's tokens all in the other: 100
        lensum = 2 * sect + 2 + ab + ba  # (sect + 1 + ab) + (sect + 1 + ba), when sect is not empty
        with np.errstate(divide="ignore", invalid="ignore"):
            sect_ab = 100.0 - 100.0 * (1 + ab).astype(np.float64) / (2 * sect + 1 + ab).astype(np.float64)
            sect_ba = 100.0 - 100.0 * (1 + ba).astype(np.float64) / (2 * sect + 1 + ba).astype(np.float64)
            bound = 100.0 - 100.0 * np.abs(ab - ba).astype(np.float64) / lensum.astype(np.float64)
        best = np.maximum(sect_ab, sect_ba)
        decided = subset | (shares & (bound <= best))
        score = np.where(subset, 100.0, best)
        rounded = np.floor(score)
        rounded += (score - rounded) >= 0.5  # half away from zero (scores are not negative)
        return np.where(decided, rounded, 0).astype(np.uint8), np.flatnonzero(~decided)


def _cdist(query: str, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros(0, dtype=np.uint8)
    row: np.ndarray = process.cdist([query], texts, scorer=fuzz.token_set_ratio, dtype=np.uint8)[0]
    return row
