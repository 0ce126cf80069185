"""Bounds on `fuzz.token_set_ratio` from lengths and character counts, to skip comparisons that cannot change an
intent's best example score.

The matcher keeps only each intent's best example score (`_Choices.best_per_owner`), yet rapidfuzz scores every
example sharing a word with the message (~110 a dev-set message; about 1 µs each for English, 4 µs for Japanese, whose
character bigrams make many tokens). Most of them cannot be their intent's best, and two cheap bounds on each score
show which (rapidfuzz's formula is spelled out in
`intents.tokenset`; `sect` is the joined shared tokens, `ab` and `ba` each side's other tokens joined, `q` and `e`
the whole joined query and example, all of them lengths):

* Lower: the best of the two ratios that compare `sect` with `sect + ab` and with `sect + ba`. As `sect + 1 + ab`
  is the query's length (and `sect + 1 + ba` the example's) when both sides have other tokens, the better of the two
  is `200 * sect / (min(q, e) + sect)`: 100 when one side's tokens are all in the other's (then `sect` is that side's
  whole length: rapidfuzz's 100), 0 when no token is shared.
* Upper: that, or the third ratio, the normalised Indel similarity `100 - 100 * d / (q + e)` of `ab` and `ba`,
  whichever is larger. An Indel distance `d` is at least the "bag distance" `sum over characters c of |count_a(c) -
  count_b(c)|` (a character present more often on one side is inserted or deleted at least that often), the shared
  tokens (once on each side) cancel out of those differences, and so do the spaces joining them: the counts of the
  whole query and the whole example give it (`q + e - 2 * sum of min(count_q(c), count_e(c))`; the space is counted
  too: n tokens are joined by n - 1 spaces on each side). Counting characters into a few buckets rather than one
  count per character can only make the sum of differences smaller (|x| + |y| >= |x + y|), so it stays a bound, and
  each text's counts are a short vector: the examples' made once, the message's once per call.

Scores are compared as `process.cdist` stores them (uint8, rounded half away from zero), which is monotone in the
score. Both bounds are moved outwards by `MARGIN` before rounding: they are the same ratios as rapidfuzz's up to the
last bits of a double, and a ratio of lengths `a / b` (b at most a few thousand) ends in exactly .5 or at least
1 / (2b) away from it, so no rounding can cross a .5 unseen. An example whose rounded upper bound is no more than what
its intent has for certain cannot change the intent's best; one whose two rounded bounds agree has that score
without rapidfuzz. `pruned_row` then scores, per intent, first the example with the highest upper bound and then
only the examples that can still beat what the intent has (tests/intents/test_intents_bag_bound.py checks the bounds
against rapidfuzz and the per-intent bests against scoring everything).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

#: At most this many buckets of character counts: the space, characters seen in no example of the group, characters
#: outside the Basic Multilingual Plane, and the examples' other characters (one bucket each while they last, then
#: shared). English examples use about 40 characters, Japanese ones some 500: on the dev set's Japanese messages 62% of
#: the comparisons are left to rapidfuzz with 64 buckets, 41% with 256, 38% with one per character. Only the buckets
#: the query has characters in are read.
BUCKETS = 256
_SPACE, _UNSEEN, _ASTRAL = 0, 1, 2
_FIRST_SHARED = 3
#: Code points below this have an entry in the bucket table; any other counts in the `_ASTRAL` bucket.
_TABLE_SIZE = 0x10000
#: How far a bound is moved outwards before it is rounded (see the module doc).
MARGIN = 1e-9
#: Adding these and truncating (the scores are not negative) rounds half away from zero, lower bounds down and upper
#: bounds up by `MARGIN`.
_ROUND_LOWER = 0.5 - MARGIN
_ROUND_UPPER = 0.5 + MARGIN
_UINT8_MAX = 255


class BagBounds:
    """Bounds on rapidfuzz's token-set score of a query against each of `forms` (texts as sorted distinct tokens
    joined by single spaces, none empty), characters counted in at most `buckets` buckets."""

    def __init__(self, forms: Sequence[str], buckets: int = BUCKETS) -> None:
        frequency: dict[str, int] = {}
        for form in forms:
            for char in form:
                frequency[char] = frequency.get(char, 0) + 1
        ranked = sorted((c for c in frequency if c != " " and ord(c) < _TABLE_SIZE), key=lambda c: (-frequency[c], c))
        width = max(min(buckets, _FIRST_SHARED + len(ranked)), _FIRST_SHARED + 1)
        table = np.full(_TABLE_SIZE + 1, _UNSEEN, dtype=np.intp)
        table[_TABLE_SIZE] = _ASTRAL
        # The commonest characters get a bucket each; the rest share, dealt round so that no bucket takes many.
        for rank, char in enumerate(ranked):
            table[ord(char)] = _FIRST_SHARED + rank % (width - _FIRST_SHARED)
        table[ord(" ")] = _SPACE
        self._table = table
        self._width = width
        #: The forms' counts bucket by bucket (a row per bucket: a query has characters in few buckets, and only those
        #: are read), each capped at 255: a smaller count only makes the shared count, so the bound, smaller.
        counts = np.zeros((width, len(forms)), dtype=np.uint8)
        for n, form in enumerate(forms):
            counts[:, n] = np.minimum(self.counts(form), _UINT8_MAX)
        self._by_bucket = counts
        self._lengths = np.array([len(form) for form in forms], dtype=np.float64)

    def counts(self, text: str) -> np.ndarray:
        """The bucket counts of one text."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)  # a lone surrogate too
        return np.bincount(self._table[np.minimum(codes, _TABLE_SIZE)], minlength=self._width)

    def bounds(self, query: str, ids: np.ndarray, shared: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) bounds on `token_set_ratio(query, forms[i])` for i in `ids`, rounded as `cdist` rounds
        (uint8). `query` is sorted distinct tokens joined by single spaces, not empty; `shared` is, for every form,
        the length of the tokens it shares with the query joined, plus one (`TokenSets.joined_shared`; None: none
        shared)."""
        lengths = self._lengths.take(ids)
        third = self._common(query, ids) * 200.0 / (lengths + len(query))  # 100 - 100 * bag / (q + e)
        if shared is None:
            return np.zeros(len(ids), dtype=np.uint8), (third + _ROUND_UPPER).astype(np.uint8)
        sect = np.maximum(shared.take(ids) - 1.0, 0.0)
        best = sect * 200.0 / (np.minimum(lengths, len(query)) + sect)
        return (best + _ROUND_LOWER).astype(np.uint8), (np.maximum(best, third) + _ROUND_UPPER).astype(np.uint8)

    def _common(self, query: str, ids: np.ndarray) -> np.ndarray:
        """For each form at `ids`, the characters it has in common with `query` by bucket counts (the sum over the
        buckets of the smaller count): the bag distance is the two lengths less twice this."""
        counts = self.counts(query)
        present = np.flatnonzero(counts)
        rows = self._by_bucket.take(present, axis=0)
        mine = np.minimum(counts.take(present), _UINT8_MAX).astype(np.uint8)[:, None]
        if 4 * len(ids) < rows.shape[1]:  # a few of many forms (a large catalog): read only theirs
            return np.minimum(rows.take(ids, axis=1), mine).sum(axis=0)
        return np.minimum(rows, mine).sum(axis=0).take(ids)


def pruned_row(lower: np.ndarray, upper: np.ndarray, run: np.ndarray, runs: int,
               exact: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A row of scores whose maximum over the positions of each run (`run` numbers each position's, below `runs`) is
    that of the exact scores.

    `lower` and `upper` bound each exact score (uint8, as `cdist` gives it); `exact(i)` gives the exact scores at
    positions `i`. A position not scored holds its lower bound: never more than its exact score, so never more than
    its run's best. Each run's best is at least the largest lower bound in it; the positions with the run's highest
    upper bound are scored first (the likeliest best), then only those whose upper bound still beats what the run
    has."""
    row = lower.copy()
    floor = np.zeros(runs, dtype=np.uint8)  # what each run has for certain
    np.maximum.at(floor, run, row)
    open_ = upper > floor.take(run)
    if not open_.any():  # every run's best known from the bounds alone
        return row
    key = upper * open_
    top = np.zeros(runs, dtype=np.uint8)
    np.maximum.at(top, run, key)
    first = np.flatnonzero(open_ & (key == top.take(run)))
    row[first] = exact(first)
    np.maximum.at(floor, run.take(first), row.take(first))
    open_[first] = False
    rest = np.flatnonzero(open_ & (upper > floor.take(run)))
    if len(rest):
        row[rest] = exact(rest)
    return row
