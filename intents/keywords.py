"""Keyword evidence: the catalog's keywords and synonyms found in a message.

English keywords match on stemmed word sequences ("notification of the purposes" matches the keyword
"notification of the purpose"); single words also match with a typo (rapidfuzz). Japanese keywords match
as substrings of the message with spaces removed, since Japanese has no spaces between words. A keyword
that several topics list is weaker evidence, and a keyword found only inside a longer matched keyword is
not counted again ("purpose" inside "notify me of the purpose").
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from intents.catalog import Intent
from intents.lexical import stem
from intents.loanwords import to_katakana
from intents.normalize import _CJK_CLASS, _CJK_RUN, clean, fold, is_cjk
from intents.normalize import has_cjk as any_cjk

#: Words too common to be evidence on their own (they still take part in phrases).
STOPWORDS = frozenset(
    """a an the and or but if so to of in on at by for from with about into onto over under as is are was were be
    been being am do does did doing have has had having i me my mine myself we us our ours you your yours he him
    his she her it its they them their this that these those there here what which who whom whose when where why
    how can could would should will shall may might must just also very really too not no s t d m ll re ve im
    id ive dont pls please plz hi hello hey yo ok okay thanks thank u ur r some any all each every than then""".split()
)

#: Chat spellings of function words, read as the words when keywords are matched ("what info u have on me" names
#: "what info you have on me"; "how long u keep…"). Only words that are never a keyword or romaji on their own.
SLANG = {"u": "you", "ur": "your", "yr": "your", "urs": "yours", "abt": "about", "wat": "what",
         "wut": "what", "ppl": "people", "thru": "through", "bc": "because", "cuz": "because", "coz": "because",
         # round 9: "w" and "w/" for "with", "r" for "are" ("what r u doing w my…")
         "w": "with", "r": "are"}

#: Filler adverbs that sit inside a phrase without changing what it names ("what do you actually use my data for",
#: "how do you even get my info", "tell me what you're really doing with it"): left out of keywords and messages alike
#: when keywords are matched, so one phrase covers every filler (round 16).
FILLERS = frozenset("actually really even exactly honestly basically literally truly currently seriously precisely".split())

#: Words that make "you" plural in chat ("you guys", "u folks"): read as "you" alone when keywords are matched.
_PLURAL_YOU = frozenset({"guy", "folk"})  # stemmed

#: Common romaji verb endings and function words: real words, never a misspelt keyword ("arimasu" is not "urimasu").
NO_TYPO = frozenset("arimasu imasu desu masu shimasu dekimasu kudasai deshou nai nakute".split())


#: A space with Japanese script on either side: Japanese has no spaces between words, so these are dropped, while the
#: spaces between two Latin words stay ("ip アドレス" and "ipアドレス" read the same; "sh ip" never reads as "ship").
_CJK_SPACE = re.compile(rf"(?<={_CJK_CLASS}) | (?={_CJK_CLASS})")
_LATIN_CHAR = re.compile(r"[^\W_]")
#: A run of Japanese script, or of characters that are neither Japanese script nor whitespace (`str.split`'s and `\s`'s
#: whitespace are the same characters).
_PIECES = re.compile(rf"{_CJK_CLASS}+|[^\s{_CJK_CLASS[1:-1]}]+")


def _glue(folded: str) -> str:
    """`folded` with the spaces next to Japanese script removed: the form Japanese keywords are searched in."""
    return _CJK_SPACE.sub("", folded)


def _find_whole(text: str, keyword: str) -> int:
    """Where `keyword` first occurs in `text` without cutting a Latin word at either end (-1: nowhere).

    Japanese keywords match inside longer runs (no word boundaries to respect); a keyword that starts or ends with
    a Latin letter must not start or end inside a Latin word ("ipアドレス" is not in "shipアドレス")."""
    at = text.find(keyword)
    while at >= 0:
        end = at + len(keyword)
        cuts_before = at > 0 and not is_cjk(keyword[0]) and _is_word_char(text[at - 1])
        cuts_after = end < len(text) and not is_cjk(keyword[-1]) and _is_word_char(text[end])
        if not (cuts_before or cuts_after):
            return at
        at = text.find(keyword, at + 1)
    return -1


#: Bits of the second character's code point in a pair's number (`_pair_codes`): code points are below 2**21.
_PAIR_SHIFT = np.uint64(21)


def _pair_codes(text: str) -> np.ndarray:
    """Each adjacent pair of characters of `text` as one number: (first code point << 21) | second."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    codes: np.ndarray = (points[:-1] << _PAIR_SHIFT) | points[1:]
    return codes


def _is_word_char(char: str) -> bool:
    return not is_cjk(char) and _LATIN_CHAR.match(char) is not None


_Found = tuple[int, int, "Keyword", float]


def _outermost(matches: list[_Found]) -> list[_Found]:
    """The matches counted, longest first (stable): those not inside an accepted longer one, i.e. for each match
    (first, last) in `sorted(matches, key=lambda m: m[0] - m[1])`, none accepted before it has a <= first,
    last <= b and b - a > last - first.

    `reach[p]` is the furthest end of the accepted matches longer than the current one that cover position p
    (matches of one length are added to it once all of that length are read): a match lies inside one of them exactly
    when reach[first] >= last. One look-up per match instead of a pass over all accepted ones (a long message has
    hundreds of matches)."""
    accepted: list[_Found] = []
    reach: dict[int, int] = {}
    pending: list[tuple[int, int]] = []
    length = -1
    for match in sorted(matches, key=lambda m: m[0] - m[1]):
        first, last = match[0], match[1]
        if last - first != length:
            for a, b in pending:
                for p in range(a, b):
                    if reach.get(p, -1) < b:
                        reach[p] = b
            pending.clear()
            length = last - first
        if reach.get(first, -1) >= last:
            continue
        pending.append((first, last))
        accepted.append(match)
    return accepted


@dataclass(frozen=True)
class Keyword:
    tokens: tuple[str, ...]   # stemmed words (Latin) or one compact string (CJK)
    intents: frozenset[int]
    weight: float


#: A phrase keyword of at least this many words is found with its first word misspelt (`KeywordIndex._phrase_typos`).
PHRASE_TYPO_MIN_WORDS = 3

#: Texts (glued, `_glue`) at least this long look Japanese keywords up by their first two characters, not their first.
_BIGRAM_MIN_CHARS = 200

#: Memoised typo lookups kept per index (cleared when full; words are short, so this stays small).
_TYPO_CACHE_SIZE = 20_000


class KeywordIndex:
    def __init__(self, intents: Sequence[Intent], topic_of: Mapping[int, int], *, typo_ratio: float,
                 typo_min_length: int, typo_weight: float) -> None:
        self.size = len(intents)
        self.typo_ratio = typo_ratio
        self.typo_min_length = typo_min_length
        self.typo_weight = typo_weight
        owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for n, intent in enumerate(intents):
            for lang in ("en", "ja"):
                for raw in intent.keywords.get(lang, ()):
                    folded = fold(clean(raw))
                    if lang == "ja":
                        folded = to_katakana(folded)  # as Japanese messages are read (intents.loanwords)
                    if not folded:
                        continue
                    if any_cjk(folded):
                        owners[(_glue(folded),)].add(n)
                    else:
                        words = [w for w in folded.split() if w not in FILLERS] or folded.split()
                        owners[tuple(stem(w) for w in words)].add(n)
        self._latin: dict[str, list[Keyword]] = defaultdict(list)
        self._cjk: list[Keyword] = []
        for tokens, members in owners.items():
            # A keyword several topics claim says little about which one is meant.
            keyword = Keyword(tokens, frozenset(members), 1.0 / len({topic_of[i] for i in members}))
            # Any keyword with Japanese script in it is matched as a string, also one starting with Latin letters
            # ("IPアドレス"): looked up by its first Latin word it could never be found.
            if any_cjk(tokens[0]):
                self._cjk.append(keyword)
            else:
                self._latin[tokens[0]].append(keyword)
        self._single = {k.tokens[0]: k for ks in self._latin.values() for k in ks if len(k.tokens) == 1}
        # Phrases of three words or more by their second word: a misspelt first word is read inside its phrase ("coppy
        # of my data", "rihgt to object"), where the rest of the phrase says which word it was (`_phrase_typos`).
        self._by_second: dict[str, list[Keyword]] = defaultdict(list)
        for ks in self._latin.values():
            for k in ks:
                if len(k.tokens) >= PHRASE_TYPO_MIN_WORDS and len(k.tokens[0]) >= 3:
                    self._by_second[k.tokens[1]].append(k)
        # Every word the catalog writes (examples and keywords, stemmed): such a word is itself, never a typo of a
        # phrase's first word ("cost of my data" is not "copy of my data").
        self._known = frozenset(stem(w) for intent in intents for lang in ("en",)
                                for text in intent.examples.get(lang, ()) + intent.keywords.get(lang, ())
                                for w in fold(clean(text)).split()) | STOPWORDS
        self._typo_vocab = [w for w in self._single if len(w) >= typo_min_length and w not in STOPWORDS]
        # Japanese keywords by their first character, with their position in `_cjk`: a message is only searched
        # for keywords whose first character it contains, in the same order as a scan of the whole list.
        self._cjk_by_first: dict[str, list[int]] = defaultdict(list)
        for position, keyword in enumerate(self._cjk):
            self._cjk_by_first[keyword.tokens[0][0]].append(position)
        # … and a long message (`_BIGRAM_MIN_CHARS`) only for those whose first two characters it contains (keywords
        # of one character by that character): a keyword can only occur where its beginning does.
        self._cjk_by_start: dict[str, list[int]] = defaultdict(list)
        for position, keyword in enumerate(self._cjk):
            self._cjk_by_start[keyword.tokens[0][:2]].append(position)
        # … that is, those of whose adjacent character pairs the text has every one (a keyword can only occur where
        # each of its pairs does), found for all keywords at once: each pair as one number (`_pair_codes`), the
        # keyword it belongs to beside it; keywords of one character by that character.
        pairs: list[np.ndarray] = []
        owners: list[int] = []
        self._cjk_singles: list[tuple[str, int]] = []
        for position, keyword in enumerate(self._cjk):
            text = keyword.tokens[0]
            if len(text) == 1:
                self._cjk_singles.append((text, position))
            else:
                codes = _pair_codes(text)
                pairs.append(codes)
                owners.extend([position] * len(codes))
        flat = np.concatenate(pairs) if pairs else np.zeros(0, dtype=np.uint64)
        #: The distinct pairs (sorted), and for each pair of each keyword its place among them and its keyword.
        self._cjk_pair_codes, self._cjk_pair_id = np.unique(flat, return_inverse=True)
        self._cjk_pair_owner = np.array(owners, dtype=np.intp)
        self._cjk_has_pairs = np.bincount(self._cjk_pair_owner, minlength=len(self._cjk)) > 0
        # A keyword with Japanese script at both ends cannot cut a Latin word: its first occurrence is `str.find`'s.
        self._cjk_plain = [is_cjk(k.tokens[0][0]) and is_cjk(k.tokens[0][-1]) for k in self._cjk]
        #: word -> closest typo-vocabulary word (or None); the same word always gets the same answer.
        self._typo_cache: dict[str, str | None] = {}

    def _typo(self, word: str) -> str | None:
        """The keyword a misspelt `word` stands for (rapidfuzz, `typo_ratio`), memoised (bounded)."""
        try:
            return self._typo_cache[word]
        except KeyError:
            pass
        best = process.extractOne(word, self._typo_vocab, scorer=fuzz.ratio, score_cutoff=self.typo_ratio)
        found = best[0] if best is not None else None
        if len(self._typo_cache) >= _TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[word] = found
        return found

    def _phrase_typos(self, words: list[str]) -> list[tuple[int, int, "Keyword", float]]:
        """Phrases of three words or more whose first word is misspelt and the rest written as the catalog writes them:
        one edit, or two in a word of four letters or more that starts with the same two letters ("cpoy of my
        records" is "copy of my records"). The misspelt word must be one the catalog never writes."""
        found: list[tuple[int, int, Keyword, float]] = []
        for i in range(len(words) - PHRASE_TYPO_MIN_WORDS + 1):
            candidates = self._by_second.get(words[i + 1])
            word = words[i]
            if not candidates or word in self._known or is_cjk(word[0]) or len(word) < 3:
                continue
            for keyword in candidates:
                n = len(keyword.tokens)
                first = keyword.tokens[0]
                if tuple(words[i + 1:i + n]) != keyword.tokens[1:]:
                    continue
                distance = OSA.distance(word, first, score_cutoff=2)
                if distance <= 1 or (distance == 2 and len(word) >= 4 and len(first) >= 4 and word[:2] == first[:2]):
                    found.append((i, i + n, keyword, self.typo_weight))
        return found

    def _long_candidates(self, compact: str) -> list[int]:
        """Positions in `_cjk`, in order, of the keywords that may occur in a long glued text: every adjacent pair of
        characters of the keyword occurs in the text (one character: it occurs). Every keyword that occurs is among
        them (and among those whose first two characters occur, which the text was searched for before)."""
        points = np.frombuffer(compact.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        found = np.zeros(len(self._cjk), dtype=bool)
        codes = self._cjk_pair_codes
        if len(codes):
            text_pairs = (points[:-1] << _PAIR_SHIFT) | points[1:]
            at = np.searchsorted(codes, text_pairs)
            at[at == len(codes)] = 0
            present = np.zeros(len(codes), dtype=bool)
            present[at[codes[at] == text_pairs]] = True
            missing = ~present[self._cjk_pair_id]
            found = self._cjk_has_pairs & (np.bincount(self._cjk_pair_owner[missing], minlength=len(self._cjk)) == 0)
        for text, position in self._cjk_singles:
            if text in compact:
                found[position] = True
        candidates: list[int] = np.flatnonzero(found).tolist()
        return candidates

    def evidence(self, folded: str) -> np.ndarray:
        """Evidence per intent (index order of the catalog) for a normalised message."""
        # Japanese runs and Latin words may touch ("cookieでどんな…", "google analyticsの設定"): split them apart so
        # the Latin keyword is found.
        # (The runs and words as `_CJK_RUN.sub(r" \g<0> ", folded).split()` gives them, with no call per run.)
        pieces = _PIECES.findall(folded) if any_cjk(folded) else folded.split()
        words = [stem(SLANG.get(w, w)) for w in pieces[:400] if w not in FILLERS]
        if not _PLURAL_YOU.isdisjoint(words):
            # "what do u guys use…" names "what do you use": the plural "you" of chat, round 15
            words = [w for i, w in enumerate(words) if not (w in _PLURAL_YOU and i and words[i - 1] == "you")]
        latin: list[tuple[int, int, Keyword, float]] = []
        unknown: list[int] = []
        for i, word in enumerate(words):
            if is_cjk(word[0]):
                continue
            found = False
            for keyword in self._latin.get(word, ()):
                n = len(keyword.tokens)
                if tuple(words[i:i + n]) == keyword.tokens:
                    if n > 1 or word not in STOPWORDS:
                        latin.append((i, i + n, keyword, 1.0))
                    found = True
            if not found and word not in STOPWORDS and word not in NO_TYPO and len(word) >= self.typo_min_length:
                unknown.append(i)
        for i in unknown[:40]:
            best = self._typo(words[i])
            if best is not None:
                latin.append((i, i + 1, self._single[best], self.typo_weight))
        latin.extend(self._phrase_typos(words))
        compact = _glue(folded)
        cjk = []
        has_cjk = any_cjk(compact)
        if not has_cjk:
            candidates: "list[int] | tuple[()]" = ()
        elif len(compact) >= _BIGRAM_MIN_CHARS:
            candidates = self._long_candidates(compact)
        else:
            candidates = sorted(p for c in set(compact) for p in self._cjk_by_first.get(c, ()))
        keywords, plain = self._cjk, self._cjk_plain
        for p in candidates:
            keyword = keywords[p]
            text = keyword.tokens[0]
            at = compact.find(text) if plain[p] else _find_whole(compact, text)
            if at >= 0:
                cjk.append((at, at + len(text), keyword, 1.0))
        evidence = np.zeros(self.size, dtype=np.float64)
        for matches, unit in ((latin, 1), (cjk, 2)):
            for first, last, keyword, factor in _outermost(matches):
                # Longer keywords are more specific: +0.5 per extra word (two CJK characters), at most +1.
                strength = 1.0 + min(1.0, 0.5 * max(0, (last - first) - unit) / unit)
                for i in keyword.intents:
                    evidence[i] += keyword.weight * factor * strength
        return evidence
