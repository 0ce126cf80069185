"""The fuzzy intent matcher: `Matcher.match(text) -> Match`, pure and deterministic.

How a message is scored:
1. Normalise (NFKC, case, punctuation, Slack markup; `intents.normalize`).
2. Example similarity: rapidfuzz compares the message with every example phrasing of its language in
   one batch call (`process.cdist` over choices preprocessed at load). English compares word tokens
   without stop words; Japanese, which has no spaces, compares overlapping character bigrams.
3. Keyword evidence: catalog keywords found in the message (exact phrases, light stemming and typo
   tolerance for single words). A keyword listed by several articles is weaker evidence.
4. Intents are grouped into topics (a question intent and the request intent on the same article and
   paragraph share a topic); the decision is taken on topics, then the question/request split comes from
   the cues in `intents/cues.toml`. All numbers live in `intents.thresholds`.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from intents.catalog import Catalog, Intent
from intents.cues import Cues, CueScores, load_cues
from intents.language import detect_language
from intents.normalize import Normalized, char_bigrams, clean, cap, fold, is_cjk, normalize
from intents.thresholds import DEFAULT, Thresholds

DECISIONS = ("answer", "clarify", "request", "fallback", "smalltalk")

STOPWORDS = frozenset(
    """a an the and or but if so to of in on at by for from with about into onto over under as is are was were be
    been being am do does did doing have has had having i me my mine myself we us our ours you your yours he him
    his she her it its they them their this that these those there here what which who whom whose when where why
    how can could would should will shall may might must just also very really too not no s t d m ll re ve im
    id ive dont pls please plz hi hello hey yo ok okay thanks thank u ur r some any all each every than then""".split()
)
_STEM = re.compile(r"(?:ing|ed|es|s|ion|ions|ment|ments|ly)$")


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: enough for 'deleting' ~ 'delete', 'cookies' ~ 'cookie'."""
    if len(word) <= 4:
        return word
    stripped = _STEM.sub("", word)
    return stripped.rstrip("e") if len(stripped) >= 3 else word


def _content_words(folded: str) -> str:
    return " ".join(w for w in folded.split() if w not in STOPWORDS)


#: How a message is compared with topic examples (tokens without stop words / character bigrams).
TOPIC_SCORER = fuzz.token_set_ratio


def _whole(folded: str, lang: str) -> str:
    """The whole message, stop words included: smalltalk is made of them ("what can you do")."""
    return char_bigrams(folded) if lang == "ja" else folded


def _comparable(folded: str, lang: str) -> str:
    """The form in which examples and messages are compared by rapidfuzz."""
    return char_bigrams(folded) if lang == "ja" else _content_words(folded)


@dataclass(frozen=True)
class Candidate:
    intent: str
    kind: str
    article: int | None
    score: float
    example_score: float
    keyword_evidence: float


@dataclass(frozen=True)
class Match:
    decision: str
    intent: str | None
    article: int | None
    handoff: str | None
    confidence: float
    lang: str
    choices: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    cues: CueScores | None = None
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Keyword:
    phrase: str
    intents: frozenset[int]
    weight: float


class Matcher:
    """Scores a message against a `Catalog`. Build once at start-up; `match` is thread-safe."""

    def __init__(self, catalog: Catalog, *, thresholds: Thresholds = DEFAULT, cues: Cues | None = None) -> None:
        self.catalog = catalog
        self.t = thresholds
        self.cues = cues or load_cues()
        self._intents: tuple[Intent, ...] = tuple(catalog.intents)
        index = {intent.id: n for n, intent in enumerate(self._intents)}
        # Topic of each intent: the question intent it shares an article (and paragraph) with.
        self._topic = np.array([index[self._topic_of(i).id] for i in self._intents], dtype=np.int32)
        self._is_smalltalk = np.array([i.kind == "smalltalk" for i in self._intents])
        self._request_of_topic: dict[int, int] = {}
        for n, intent in enumerate(self._intents):
            if intent.kind == "request":
                self._request_of_topic[int(self._topic[n])] = n
        # Topic examples compare content words (token set: a short example inside a long message still
        # matches); smalltalk compares the whole message (token sort), so "hi" inside a question is no greeting.
        self._choices: dict[tuple[str, bool], list[str]] = {}
        self._choice_intent: dict[tuple[str, bool], np.ndarray] = {}
        for lang in ("en", "ja"):
            for small in (False, True):
                texts, owners = [], []
                for n, intent in enumerate(self._intents):
                    if (intent.kind == "smalltalk") != small:
                        continue
                    for example in intent.examples.get(lang, ()):
                        folded = fold(clean(example))
                        form = _whole(folded, lang) if small else _comparable(folded, lang)
                        if form:
                            texts.append(form)
                            owners.append(n)
                self._choices[(lang, small)] = texts
                self._choice_intent[(lang, small)] = np.array(owners, dtype=np.int32)
        self._build_keywords()

    # -- preprocessing -----------------------------------------------------------------------
    def _topic_of(self, intent: Intent) -> Intent:
        if intent.kind == "request" and intent.article is not None:
            question = self.catalog.question_for_article(intent.article, intent.paragraph)
            if question is not None:
                return question
        return intent

    def _build_keywords(self) -> None:
        owners: dict[str, set[int]] = defaultdict(set)
        for n, intent in enumerate(self._intents):
            for lang in ("en", "ja"):
                for keyword in intent.keywords.get(lang, ()):
                    phrase = fold(clean(keyword))
                    if phrase:
                        owners[phrase].add(n)
        phrases: list[_Keyword] = []
        for phrase, intents in owners.items():
            topics = {int(self._topic[i]) for i in intents}
            # A keyword several topics claim says little about which one is meant.
            phrases.append(_Keyword(phrase, frozenset(intents), 1.0 / len(topics)))
        self._cjk_keywords = [k for k in phrases if any(is_cjk(c) for c in k.phrase)]
        latin = [k for k in phrases if not any(is_cjk(c) for c in k.phrase)]
        self._phrase_keywords = [k for k in latin if " " in k.phrase]
        self._word_keywords: dict[str, _Keyword] = {}
        for k in latin:
            if " " not in k.phrase:
                self._word_keywords[k.phrase] = k
                stemmed = stem(k.phrase)
                if stemmed not in self._word_keywords:
                    self._word_keywords[stemmed] = k
        self._typo_vocab = [w for w in self._word_keywords if len(w) >= self.t.typo_min_length]

    # -- scoring -----------------------------------------------------------------------------
    def _keyword_evidence(self, norm: Normalized) -> np.ndarray:
        """Credit every intent whose keywords occur in the message.

        Longer phrases are stronger evidence, and a keyword found only inside a longer matched phrase
        is not counted again ("purpose" inside "notify me of the purpose" is not evidence for Article 3).
        """
        evidence = np.zeros(len(self._intents), dtype=np.float64)
        words = norm.text.split()
        text = f" {norm.text} "
        # (start, end, keyword, factor) over word positions for Latin, char positions for CJK.
        latin: list[tuple[int, int, _Keyword, float]] = []
        for keyword in self._phrase_keywords:
            at = text.find(f" {keyword.phrase} ")
            if at >= 0:
                first = text.count(" ", 0, at + 1) - 1
                latin.append((first, first + keyword.phrase.count(" ") + 1, keyword, 1.0))
        unknown: list[tuple[int, str]] = []
        for position, word in enumerate(words[:400]):
            if word in STOPWORDS or is_cjk(word[0]):
                continue
            hit = self._word_keywords.get(word) or self._word_keywords.get(stem(word))
            if hit is not None:
                latin.append((position, position + 1, hit, 1.0))
            elif len(word) >= self.t.typo_min_length:
                unknown.append((position, word))
        for position, word in unknown[:40]:
            best = process.extractOne(word, self._typo_vocab, scorer=fuzz.ratio, score_cutoff=self.t.typo_ratio)
            if best is not None:
                latin.append((position, position + 1, self._word_keywords[best[0]], self.t.typo_weight))
        compact = norm.text.replace(" ", "")
        cjk: list[tuple[int, int, _Keyword, float]] = []
        for keyword in self._cjk_keywords:
            phrase = keyword.phrase.replace(" ", "")
            at = compact.find(phrase)
            if at >= 0:
                cjk.append((at, at + len(phrase), keyword, 1.0))
        for matches, unit in ((latin, 1), (cjk, 2)):
            accepted: list[tuple[int, int]] = []
            for first, last, keyword, factor in sorted(matches, key=lambda m: m[0] - m[1]):
                if any(a <= first and last <= b and (last - first) < (b - a) for a, b in accepted):
                    continue
                accepted.append((first, last))
                # One extra half point per extra word (two CJK characters), at most +1.5.
                strength = 1.0 + min(1.5, 0.5 * max(0, (last - first) - unit) / unit)
                for i in keyword.intents:
                    evidence[i] += keyword.weight * factor * strength
        return evidence

    def _example_scores(self, norm: Normalized, lang: str) -> np.ndarray:
        scores = np.zeros(len(self._intents), dtype=np.float64)
        for small, scorer, query in (
            (False, TOPIC_SCORER, _comparable(norm.text, lang)),
            (True, fuzz.token_sort_ratio, _whole(norm.text, lang)),
        ):
            choices = self._choices[(lang, small)]
            if not query or not choices:
                continue
            matrix = process.cdist([query], choices, scorer=scorer, dtype=np.uint8)[0]
            np.maximum.at(scores, self._choice_intent[(lang, small)], matrix.astype(np.float64))
        return scores

    def score(self, text: str, lang: str | None = None) -> tuple[Normalized, str, list[Candidate]]:
        """Ranked candidates for `text` (best first). Never raises for any str."""
        norm = normalize(text)
        lang = lang if lang in ("en", "ja") else detect_language(norm.text)
        examples = self._example_scores(norm, lang)
        evidence = self._keyword_evidence(norm)
        total = examples + self.t.keyword_points * np.minimum(evidence, self.t.keyword_cap)
        order = np.argsort(-total, kind="stable")
        candidates = [
            Candidate(
                intent=self._intents[i].id,
                kind=self._intents[i].kind,
                article=self._intents[i].article,
                score=round(float(total[i]), 2),
                example_score=float(examples[i]),
                keyword_evidence=round(float(evidence[i]), 3),
            )
            for i in order
        ]
        return norm, lang, candidates

    # -- decision ----------------------------------------------------------------------------
    def match(self, text: str, lang: str | None = None) -> Match:
        """Decide what to do with `text`: one of DECISIONS, with the intent, article and request type."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        norm, lang, candidates = self.score(text, lang)
        flags = {"truncated"} if norm.truncated else set()
        capped, _ = cap(text)
        cleaned = clean(capped)
        unquoted = "\n".join(line for line in cleaned.splitlines() if not line.lstrip().startswith(">"))
        cues = self.cues.score(cleaned, unquoted)

        def result(decision: str, intent: Intent | None = None, *, handoff: str | None = None,
                   choices: Iterable[str] = (), confidence: float = 0.0, extra: Iterable[str] = ()) -> Match:
            return Match(
                decision=decision,
                intent=intent.id if intent else None,
                article=intent.article if intent else None,
                handoff=handoff,
                confidence=round(max(0.0, min(1.0, confidence)), 3),
                lang=lang,
                choices=tuple(choices),
                candidates=tuple(candidates[:5]),
                cues=cues,
                flags=frozenset(flags | set(extra)),
            )

        if not norm.text:
            return result("fallback", extra={"empty"})
        if cues.hostile >= 3.0:
            return result("fallback", extra={"hostile"})

        by_id = self.catalog.by_id
        topic_best: dict[int, Candidate] = {}
        topic_key = {c.intent: int(self._topic[self._index(c.intent)]) for c in candidates}
        for c in candidates:
            if c.kind != "smalltalk":
                topic_best.setdefault(topic_key[c.intent], c)
        topics = sorted(topic_best.items(), key=lambda kv: -kv[1].score)
        smalltalk = next((c for c in candidates if c.kind == "smalltalk"), None)
        top_topic, top = topics[0] if topics else (None, None)

        has_evidence = top is not None and (
            top.keyword_evidence > 0 or top.example_score >= self.t.no_keyword_example_score
        )
        if smalltalk and smalltalk.example_score >= self.t.smalltalk_score and (
            not has_evidence or (top is not None and smalltalk.score > top.score + 10)
        ):
            return result("smalltalk", by_id[smalltalk.intent], confidence=smalltalk.score / 100)

        if cues.person >= 2.0 and cues.balance >= -1.5:
            inquiry = self.catalog.request_for_type("inquiry")
            if inquiry is not None:
                return result("request", inquiry, handoff="inquiry", confidence=0.8, extra={"person"})

        if top is None or top_topic is None or not has_evidence or top.score < self.t.fallback_score:
            return result("fallback", confidence=(top.score / 100 if top else 0.0))

        topic_intent = self._intents[top_topic]
        if cues.balance >= self.t.request_cue:
            request_index = self._request_of_topic.get(top_topic)
            if request_index is not None:
                request_intent = self._intents[request_index]
                return result("request", request_intent, handoff=request_intent.request_type,
                              confidence=top.score / 100)

        close = [
            self._intents[key] for key, cand in topics[1:self.t.max_choices]
            if top.score - cand.score <= self.t.clarify_margin and cand.article != topic_intent.article
        ]
        if close and top.score < self.t.clarify_ceiling:
            choices = [topic_intent.id] + [intent.id for intent in close]
            return result("clarify", topic_intent, choices=choices, confidence=top.score / 100)
        return result("answer", topic_intent, confidence=top.score / 100)

    def _index(self, intent_id: str) -> int:
        return self._intent_index[intent_id]

    @property
    def _intent_index(self) -> dict[str, int]:
        cached = self.__dict__.get("_intent_index_cache")
        if cached is None:
            cached = {intent.id: n for n, intent in enumerate(self._intents)}
            self.__dict__["_intent_index_cache"] = cached
        return cached
