"""The fuzzy intent matcher: `Matcher.match(text) -> Match`, pure and deterministic.

How a message is scored, per intent:
1. Normalise (NFKC, case, punctuation, Slack markup; `intents.normalize`), capped in length.
2. Example similarity: rapidfuzz compares the message with every example phrasing of its language in
   batch calls (`process.cdist`) over choices preprocessed at load. English compares content words
   (token set, so a short example inside a long message still matches; very short texts compare whole,
   so one shared word is not a match); Japanese, which has no spaces, compares character bigrams.
3. Vocabulary: BM25 over all phrasings and keywords of the intent (`intents.lexical`), for paraphrases
   that resemble no single example.
4. Keyword evidence (`intents.keywords`).
Intents are grouped into topics (a question intent and the request intent on the same article and
paragraph share one); the decision is taken on topics, and the question/request split comes from the
cues in `intents/cues.toml`. Every number lives in `intents.thresholds`.
"""
from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, Callable, Iterable

import numpy as np
from rapidfuzz import fuzz, process

from intents.bagbound import BagBounds, pruned_row
from intents.catalog import Catalog, Intent
from intents.cues import Cues, CueScores, load_cues
from intents.dialect import read_dialect, read_katakana_writing
from intents.kana import KanaReader
from intents.keywords import STOPWORDS, KeywordIndex
from intents.language import detect_language
from intents.learned import LearnedSignal
from intents.lexical import LexicalIndex, stem
from intents.loanwords import to_katakana
from intents.normalize import Normalized, char_bigrams, cjk_share, clean, fold, is_cjk, normalize
from intents.romaji import to_japanese, to_japanese_mixed
from intents.structure import Structure
from intents.structure import read as read_structure
from intents.thresholds import DEFAULT, Thresholds
from intents.tokenset import MIN_QUERY_CHARS, TokenSets
from intents.typos import fix_learner_forms, fix_verbs

DECISIONS = ("answer", "clarify", "request", "fallback", "smalltalk")
#: Batches of at least this many comparisons use every core (only large catalogs get there; see `_similarities`).
PARALLEL_MIN_TEXTS = 2000
#: A group whose distinct texts are at most this share of its examples compares each distinct text once.
DISTINCT_SHARE = 0.9
_CORES = os.cpu_count() or 1
#: Pieces of message text remembered with their vocabulary terms (`Matcher._vocabulary_term`); starts over when full.
TERM_MEMO_SIZE = 50_000
#: Two Latin words in a row: a Japanese message that may hold a romaji run (`to_japanese_mixed`).
_LATIN_WORDS = re.compile(r"[a-z]{2,} [a-z]{2,}")
#: Texts with fewer content words than this are compared whole (token sort), not as token sets.
SHORT_TEXT_WORDS = 2
#: A topic example of at most this many content words, wholly inside an English message of at least
#: `SUBSET_MARGIN` more, scores at most `SUBSET_CAP` (round 13): token-set similarity gives such a subset 100 whatever the
#: rest of the message says ("wat measures u take so my data dont get leakd or lost" against "wat r u doing with my
#: data", Art. 3, over the security examples), so two shared words outranked every longer example that matched well.
SUBSET_TINY_WORDS = 2
SUBSET_MARGIN = 5
SUBSET_CAP = 80
#: Token-set comparisons are pruned by bounds (`_Choices.token_set_row`) when the examples to compare times the
#: message's tokens come to at least this: rapidfuzz's time per comparison grows with the message's tokens (it walks
#: them to split shared from other tokens), the bounds' does not, and below this they cost more than they save
#: (measured over the dev set: most English messages' comparisons are cheaper to make than to rule out).
PRUNE_MIN_WORK = 1800


#: The writer's own personal data named ("my email address", 「私のメールアドレス」, "watashi no deeta").
_OWN_DATA = re.compile(
    r"\b(?:my|mine|watashi no|jibun no|boku no)(?: own)? (?:personal |registered |account )?(?:data|info|information|"
    r"e ?mail|e ?mail address|address|phone|phone number|number|name|account|records|details|profile|deeta|kojin "
    r"jouhou|jouhou|meado|juusho|denwa bangou)\b|(?:私|自分|僕|俺|わたし|あたし|うち)の(?:個人情報|個人データ|データ|情報|"
    r"メールアドレス|メアド|住所|電話番号|名前|氏名|アカウント|登録)"
)

#: Whose data the purposes are asked about: the writer's or someone's they name (round 15). Without one, "tell me the
#: purposes of use of personal information" / 「個人情報の利用目的を教えてください」 asks for the list (Art. 3), not for
#: the notification of one person's purposes (Art. 6).
_PURPOSE_OWNER = re.compile(
    r"\b(?:my|mine|our|his|her|their|myself|i|i m|i ve|we|us|mom s|mum s|dad s|son s|daughter s|child s|kid s|"
    r"client s|watashi|jibun|boku|ore|(?:on|about|of|for|with) me)\b|"
    r"私|自分|僕|ぼく|俺|おれ|わたし|あたし|うち|わたくし|当方|弊方|息子|娘|子ども|子供|母|父|親|夫|妻|依頼人|本人")
#: The Art. 6 procedure named: being notified, asking or requesting, refusals, rights and obligations.
_PURPOSE_PROCEDURE = re.compile(
    r"\b(?:notif\w*|notice|request\w*|ask\w*|formal\w*|refus\w*|declin\w*|entitled|right to|rights|obliged|"
    r"obligated|have to|must|article 6|representative|lawyer|process|procedure|how do|how can|in writing|written|"
    r"tsuuchi|tsuchi|seikyuu|seikyu|onegai|motome|tanomu|tanon)\b|"
    r"通知|請求|求め|頼|断|拒|義務|権利|第6条|代理|手続|書面|文書|回答|もらえ|いただけ|頂け|くれる|くれます|できますか|できる")

#: Someone asked to tell or explain, or the writer's own singled out ("mine specifically, not the general list"): what
#: a plain question about the use of the writer's data does not say (`Matcher._asks_plainly`).
_TOLD_OWN = re.compile(
    r"\b(?:tell|explain|inform|let (?:me|us) know|show|specific\w*|particular\w*|individual\w*|mine|personally|"
    r"generic|general|oshiete|shirasete)\b|教え|おしえ|知らせ|しらせ|説明|一般|個別|具体|じゃなく|ではなく|でなく")

#: Asking the company to tell the purposes, or asking which purposes (Art. 6's request), as a procedure: "ask the
#: company to inform the purpose", "ask you what purposes", "request that you notify me of the purpose" (round 16).
_ASKED_TO_TELL_PURPOSES = re.compile(
    r"\b(?:ask|asks|asking|asked|request|requests|requesting|make|makes|get|require|demand)\b(?: \w+){0,5}? (?:to )?"
    r"(?:tell|inform|notify|explain|state|let (?:me|us|him|her|them) know)\b(?: \w+){0,6}? purpos"
    r"|\b(?:ask|asks|asking|asked|request|requests|requesting|requested)\b(?: \w+){0,4}? (?:what|which|for the|about the) purpos"
    # … or what the writer's data is used for ("could she ask on my behalf what my data's used for?"), round 16
    r"|\b(?:ask|asks|asking|asked|request|requests|requesting|requested)\b(?: \w+){0,4}? (?:what|why) (?:my|our|his|her|their) "
    r"(?:\w+ ){0,3}?(?:is |are |s |gets |get )?(?:being )?(?:used|using|processed|kept|held)\b"
    # … or what the company uses it for ("can my daughter be the one to ask you what you use my information for?"), round 19
    r"|\b(?:ask|asks|asking|asked|request|requests|requesting|requested)\b(?: \w+){0,4}? (?:what|why) (?:you|u|they|webmo) "
    r"(?:use|re using|are using|do with|keep|hold)\b")

#: A letter's opening that says it came through the contact form (`Matcher._arrays`).
_FORM_OPENING = re.compile(
    r"(?:^|(?<=[。！？!?\n]))[ \t　]*(?:突然の(?:ご連絡|メール)(?:を)?失礼(?:いた|致)?します[。、]?)?(?:お|ご)?(?:問い?合わ?せ|問合せ)(?:フォーム|窓口)"
    r"(?:より|から)(?:の)?(?:失礼|ご連絡|連絡|お問い合わせ|メッセージを送らせて)(?:いた|致)?(?:します|しております|させていただきます|いたしました)[。！!]?"
    r"|(?i:^[ \t]*(?:i am |i m |i'm )?(?:writing|contacting you|reaching out) (?:to you )?(?:via|through|using|from) (?:your|the) "
    r"(?:contact|web|website|online|inquiry|enquiry) form[ \t]*(?:[.!,]|$))"
    # a form's own envelope (round 17): its bracketed title line (【お問い合わせフォーム】, [Contact form]) and the labels of
    # the fields the writer filled in (お問い合わせ内容：, 件名：, Message:), which name the form, not what is asked
    r"|^[ \t　]*[【\[［〔<＜][^】\]］〕>＞\n]{0,20}(?:フォーム|窓口|(?i:form))[^】\]］〕>＞\n]{0,20}[】\]］〕>＞][ \t　]*$"
    r"|^[ \t　]*(?:■|◆|●|・)?[ \t　]*(?:(?:お|ご)?問い?合わ?せ(?:内容|種別|項目|カテゴリ|の種類)|問合せ(?:内容|種別)|ご用件|用件|件名|本文|ご相談内容|"
    r"(?i:message|your message|inquiry|enquiry|subject|comments?|details|inquiry type|enquiry type|topic))[ \t　]*[:：][ \t　]*"
    # … and its name field with the name in it (a name there is who writes, not a detail asked to be corrected)
    r"|^[ \t　]*(?:■|◆|●|・)?[ \t　]*(?:お名前|ご氏名|氏名|名前|フリガナ|ふりがな|(?i:name|full name|your name))[ \t　]*[:：][^\n]*$",
    re.MULTILINE)
#: A letter's envelope (round 18): the addressee's lines (「株式会社WEBMO 御中」「カスタマーサポート ご担当者様」
#: 「高橋様」), a reference number (【受付番号：C-558120】), a reply's "Re: お問い合わせの件", a reply's or a forward's subject
#: line ("Subject: FW: Re: account question") and a forwarded mail's header lines (From:, Sent:, 差出人：) name who the
#: letter goes to and which thread it answers, not what it asks: read as Article 14's desk and contact words, they drew
#: the contact topic, and "question" in an old subject made a request a question. A fresh subject ("Subject: data
#: deletion request") stays, as it may be the ask. Whole lines (matched at a line's start) and parts of lines (searched).
_ADDRESSEE_LINE = re.compile(r"[ \t　]*[^\n。！？!?、]{0,40}(?:御中|ご担当者様|ご担当者さま|ご担当者各位|担当者様|ご担当様|各位|様)[ \t　]*$")
_HEADER_LINE = re.compile(
    r"(?i:[ \t　]*(?:subject|件名)[ \t　]*[:：][ \t　]*(?:(?:re|fwd?|fw|aw|wg)[ \t　]*[:：][ \t　]*)+)"
    r"|(?i:[ \t　>]*(?:from|sent|date|cc|差出人|送信者|送信日時|日時)[ \t　]*[:：])")
_REFERENCE_NUMBER = re.compile(
    r"(?:受付|お問い合わせ|お問合せ|問い合わせ|問合せ|管理|案件|チケット|整理)番号[ \t　]*[:：]?[ \t　]*[A-Za-z0-9][A-Za-z0-9\-]*")
_REPLY_TO_INQUIRY = re.compile(r"(?:(?:Re|RE|Fwd?|FWD?|FW)[:：][ \t　]*)+(?:先日の)?(?:お|ご)?問い?合わ?せ(?:の件|について)?")
#: Each part: the marks a line must contain for it to be read there (a regular expression over a whole long message
#: costs tens of µs even when it finds nothing), the pattern, and whether it takes the whole line.
_ENVELOPE: tuple[tuple[tuple[str, ...], "re.Pattern[str]", bool], ...] = (
    (("様", "御中", "各位"), _ADDRESSEE_LINE, True),
    (("ubject", "UBJECT", "件名", "rom:", "ROM:", "ent:", "ENT:", "ate:", "ATE:", "差出人", "送信", "日時"), _HEADER_LINE, True),
    (("番号",), _REFERENCE_NUMBER, False),
    (("Re:", "RE:", "Re：", "RE：", "Fw", "FW"), _REPLY_TO_INQUIRY, False),
)


#: How far into a message its envelope is read: a letter's head (addressee, subject, reference, forwarded headers) is
#: within it, and a long message's body is not searched for it (some 30 string scans of 2,000 characters: 40 µs).
ENVELOPE_HEAD = 600


def _without_envelope(text: str) -> str:
    """`text` with its envelope's parts (`_ENVELOPE`) blanked in its first `ENVELOPE_HEAD` characters, each read only on
    the lines with one of its marks (`text` itself when no part's mark is there)."""
    if len(text) > ENVELOPE_HEAD:
        cut = text.rfind("\n", 0, ENVELOPE_HEAD) + 1  # whole lines only
        return _without_envelope(text[:cut]) + text[cut:] if cut else text
    parts = [part for part in _ENVELOPE if any(mark in text for mark in part[0])]
    if not parts:
        return text
    lines = text.split("\n")
    ends = list(accumulate(len(line) + 1 for line in lines))  # where each line ends, its newline included
    for marks, envelope, whole in parts:
        found: set[int] = set()  # the lines with a mark, found where the marks are (not by testing every line)
        for mark in marks:
            at = text.find(mark)
            while at >= 0:
                found.add(bisect_right(ends, at))
                at = text.find(mark, at + 1)
        for n in sorted(found):
            if whole:
                if envelope.match(lines[n]):
                    lines[n] = " "
            else:
                lines[n] = envelope.sub(" ", lines[n])
    return "\n".join(lines)


#: A form the English opening names (the cheap test before `_FORM_OPENING`).
_FORM_NAMED = re.compile(r"(?i)\b(?:contact|web|website|online|inquiry|enquiry) form\b")
#: Words run together in capitals ("GoogleAnalytics", full-width 「ＧｏｏｇｌｅＡｎａｌｙｔｉｃｓ」, "PersonalData"), round 17:
#: split where each part is a word of the catalog's vocabulary and the whole is not (`Matcher._camel_words`).
_CAMEL = re.compile(r"(?<![A-Za-zＡ-Ｚａ-ｚ])[A-ZＡ-Ｚ]?[a-zａ-ｚ]{2,}(?:[A-ZＡ-Ｚ][a-zａ-ｚ]{2,})+(?![A-Za-zＡ-Ｚａ-ｚ])")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+")
#: Where a capital follows a small letter inside a word: the cheap test before `_CAMEL` (a fifth of its cost on a long
#: message).
_CAMEL_HINT = re.compile(r"[a-zａ-ｚ][A-ZＡ-Ｚ][a-zａ-ｚ]")

#: The person a representative writes for, named by a pronoun (read as the writer: `_as_principal`).
_THIRD_PERSON = re.compile(r"\b(?:(her|his|their)(?: (\w+))?|him)\b")
#: Words after "her" that show it is not a possessive ("for her", "her in writing").
_NOT_AFTER_POSSESSIVE = frozenset(
    "for in to as and or with on at by from about is was s of if so but because when".split())


def _as_principal(m: "re.Match[str]") -> str:
    """One pronoun of the principal as the principal would write it: his/their/her + noun -> my, him/her -> me."""
    word, after = m.group(1), m.group(2)
    if word is None:
        return "me"
    if word == "her" and (after is None or after in _NOT_AFTER_POSSESSIVE):
        return "me" if after is None else f"me {after}"
    return "my" if after is None else f"my {after}"


def lexical_tokens(folded: str) -> list[str]:
    """Tokens for the BM25 index: stemmed content words, and character bigrams of Japanese runs."""
    return _lexical_tokens_of(char_bigrams(folded))


def _lexical_tokens_of(bigrammed: str) -> list[str]:
    """`lexical_tokens` of a text already through `char_bigrams` (a message's is reused for its comparisons)."""
    tokens: list[str] = []
    # Japanese runs and Latin words may touch ("cookieを無効に"): split them apart first.
    for piece in bigrammed.split():
        if is_cjk(piece[0]):
            tokens.append(piece)
        elif piece not in STOPWORDS:
            tokens.append(stem(piece))
    return tokens


def _content_words(folded: str) -> str:
    return " ".join(w for w in folded.split() if w not in STOPWORDS)


def _subset_caps(sizes: np.ndarray, query_words: int) -> np.ndarray | None:
    """The most each example of `sizes` words may score against a query of `query_words` (uint8; `SUBSET_CAP` for a
    tiny example inside a much longer query, 255 for the others), or None when none is capped."""
    tiny = (sizes <= SUBSET_TINY_WORDS) & (query_words >= sizes + SUBSET_MARGIN)
    if not tiny.any():
        return None
    return np.where(tiny, SUBSET_CAP, 255).astype(np.uint8)


def _comparable(folded: str, lang: str) -> str:
    """The form in which topic examples and messages are compared."""
    return char_bigrams(folded) if lang == "ja" else _content_words(folded)


def _whole(folded: str, lang: str) -> str:
    """The whole text, stop words included: smalltalk is made of them ("what can you do")."""
    return char_bigrams(folded) if lang == "ja" else folded


def _is_short(form: str) -> bool:
    return len(form.split()) < SHORT_TEXT_WORDS


@dataclass(frozen=True)
class Candidate:
    intent: str
    kind: str
    article: int | None
    score: float
    example_score: float
    keyword_evidence: float
    lexical_score: float


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
    #: Other silent topics the message names by their own keywords besides the one answered ("is there a fee, and how
    #: long do you take?"): the reply says of each that the policy does not address it.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Choices:
    """One batch of preprocessed example phrasings compared with one scorer."""

    texts: list[str]
    owners: np.ndarray
    whole: bool  # compare whole texts (smalltalk, short examples) rather than token sets
    #: token (as in `lexical_tokens`) -> positions of the examples containing it. Token-set similarity is
    #: only computed for examples sharing a token with the message: the others cannot score well, and
    #: skipping them keeps matching fast as the catalog grows.
    postings: dict[str, np.ndarray] = field(default_factory=dict)
    #: `texts` as an object array, for picking a subset without a Python loop.
    text_array: np.ndarray = field(init=False, repr=False)
    #: Each text as its sorted distinct tokens (`_token_set`), the form token-set similarity is computed on:
    #: the same score (it depends on the token sets only) with less work for rapidfuzz per comparison.
    set_array: np.ndarray = field(init=False, repr=False)
    #: Examples are stored intent by intent, so `owners` never decreases: per-intent maxima are then one
    #: `np.maximum.reduceat` over runs of equal owners (`runs` starts them for the whole group) instead of the
    #: much slower unbuffered `np.maximum.at`.
    grouped: bool = field(init=False, repr=False)
    runs: np.ndarray = field(init=False, repr=False)
    #: Each text's number of words (`SUBSET_CAP`).
    sizes: np.ndarray = field(init=False, repr=False)
    #: When many examples share one text (common in large catalogs: phrasings that differ only in stop words
    #: compare as the same text), each distinct text is compared once: `inverse` maps examples to
    #: `distinct_texts`/`distinct_sets`. None when there are too few repeats to be worth it.
    inverse: np.ndarray | None = field(init=False, repr=False)
    distinct_texts: np.ndarray = field(init=False, repr=False)
    distinct_sets: np.ndarray = field(init=False, repr=False)
    #: `distinct_sets` indexed by token, for long queries (`intents.tokenset`); None for a group compared whole.
    token_sets: TokenSets | None = field(init=False, repr=False)
    #: Bounds on the token-set scores of `distinct_sets` (`intents.bagbound`); None for a group compared whole.
    bag_bounds: BagBounds | None = field(init=False, repr=False)
    #: Each example's run of equal owners, numbered from 0 (`runs` starts them).
    run_of: np.ndarray = field(init=False, repr=False)
    #: `distinct_texts` with their tokens sorted (`_sorted_tokens`): `fuzz.token_sort_ratio` of two texts is
    #: `fuzz.ratio` of their sorted forms, so the examples are sorted once here instead of by rapidfuzz on every
    #: comparison (about half the time of a whole-text comparison).
    distinct_sorted: np.ndarray | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text_array", _objects(self.texts))
        object.__setattr__(self, "set_array", _objects([_token_set(text) for text in self.texts]))
        object.__setattr__(self, "grouped", bool(np.all(np.diff(self.owners) >= 0)))
        object.__setattr__(self, "runs", _run_starts(self.owners))
        object.__setattr__(self, "sizes", np.array([len(text.split()) for text in self.texts], dtype=np.int32))
        index: dict[str, int] = {}
        inverse = np.array([index.setdefault(text, len(index)) for text in self.texts], dtype=np.int64)
        repeats = len(index) <= DISTINCT_SHARE * len(self.texts)
        object.__setattr__(self, "inverse", inverse if repeats else None)
        object.__setattr__(self, "distinct_texts", _objects(list(index)) if repeats else self.text_array)
        object.__setattr__(self, "distinct_sets", _objects([_token_set(t) for t in index]) if repeats
                           else self.set_array)
        object.__setattr__(self, "token_sets", None if self.whole else TokenSets(self.distinct_sets.tolist()))
        object.__setattr__(self, "bag_bounds", None if self.whole else BagBounds(self.distinct_sets.tolist()))
        object.__setattr__(self, "run_of", _run_numbers(self.owners))
        # rapidfuzz splits on fewer kinds of whitespace than `str.split` (not U+0085, U+00A0, U+2004…): sorted
        # forms only where the plain space is the only whitespace (folded text has no other; see `compare`).
        sortable = not any(_ODD_SPACE.search(t) for t in self.distinct_texts)
        object.__setattr__(self, "distinct_sorted", _objects([_sorted_tokens(t) for t in self.distinct_texts])
                           if sortable else None)

    def compare(self, query: str, scorer: Any, positions: np.ndarray | None, token_set: bool) -> np.ndarray:
        """`scorer(query, …)` for the examples at `positions` (every example when None), in that order, as uint8;
        on their sorted distinct tokens when `token_set` (the form `token_set_ratio` gets the same score from)."""
        whole_texts = self.distinct_texts
        if not token_set and scorer is fuzz.token_sort_ratio and self.distinct_sorted is not None \
                and not _ODD_SPACE.search(query):
            query, scorer, whole_texts = _sorted_tokens(query), fuzz.ratio, self.distinct_sorted
        if self.inverse is None:
            forms = self.set_array if token_set else whole_texts
            if token_set:
                return self._token_set_scores(query, np.arange(len(forms)) if positions is None else positions)
            return _similarities(query, (forms if positions is None else forms[positions]).tolist(), scorer)
        distinct = self.distinct_sets if token_set else whole_texts
        ids = self.inverse if positions is None else self.inverse[positions]
        wanted = np.zeros(len(distinct), dtype=bool)
        wanted[ids] = True
        chosen = np.flatnonzero(wanted)
        scores = np.zeros(len(distinct), dtype=np.uint8)
        if token_set:
            scores[chosen] = self._token_set_scores(query, chosen)
        else:
            scores[chosen] = _similarities(query, distinct[chosen].tolist(), scorer)
        picked: np.ndarray = scores[ids]
        return picked

    def _token_set_scores(self, query: str, ids: np.ndarray) -> np.ndarray:
        """`token_set_ratio(query, distinct_sets[i])` for i in `ids`: a long query's scores are mostly decided from
        token counts (`intents.tokenset`, exact), the rest by rapidfuzz."""
        if self.token_sets is None or len(query) < MIN_QUERY_CHARS:
            return _similarities(query, self.distinct_sets[ids].tolist(), fuzz.token_set_ratio)
        scores, rest = self.token_sets.decide(query, ids)
        if len(rest):
            scores[rest] = _similarities(query, self.distinct_sets[ids[rest]].tolist(), fuzz.token_set_ratio)
        return scores

    def token_set_row(self, query: str, positions: np.ndarray | None, caps: np.ndarray | None) -> np.ndarray:
        """Token-set scores of `query` (sorted distinct tokens, not empty) against the examples at `positions` (every
        example when None), each at most its cap in `caps` (uint8; None: none capped), exact in each owner's best
        only: an example that cannot beat its owner's best is not compared and holds a lower bound
        (`intents.bagbound`; what `best_per_owner` makes of the row is the same)."""
        size = len(self.texts) if positions is None else len(positions)
        tokens = query.split()
        if self.token_sets is None or self.bag_bounds is None or not self.grouped \
                or size * len(tokens) < PRUNE_MIN_WORK:
            row = self.compare(query, fuzz.token_set_ratio, positions, token_set=True)
            return row if caps is None else np.minimum(row, caps)
        ids = np.arange(len(self.texts)) if positions is None else positions
        run = self.run_of if positions is None else self.run_of.take(positions)
        if self.inverse is not None:
            ids = self.inverse[ids]
        lower, upper = self.bag_bounds.bounds(query, ids, self.token_sets.joined_shared(tokens))
        if caps is not None:
            lower, upper = np.minimum(lower, caps), np.minimum(upper, caps)

        def exact(at: np.ndarray) -> np.ndarray:
            wanted = ids[at]
            if self.inverse is None:
                scores = _similarities(query, self.distinct_sets[wanted].tolist(), fuzz.token_set_ratio)
            else:  # each distinct text once
                distinct, back = np.unique(wanted, return_inverse=True)
                scores = _similarities(query, self.distinct_sets[distinct].tolist(), fuzz.token_set_ratio)[back]
            return scores if caps is None else np.minimum(scores, caps[at])

        return pruned_row(lower, upper, run, len(self.runs), exact)

    def sharing(self, tokens: Iterable[str]) -> np.ndarray:
        """Sorted positions of the examples that contain at least one of `tokens`."""
        postings = self.postings
        found = [postings[t] for t in tokens if t in postings]
        if not found:
            return np.empty(0, dtype=np.int32)
        mask = np.zeros(len(self.texts), dtype=bool)
        mask[np.concatenate(found) if len(found) > 1 else found[0]] = True  # one assignment, not one per token
        return np.flatnonzero(mask)

    def best_per_owner(self, scores: np.ndarray, owners: np.ndarray, row: np.ndarray, runs: np.ndarray | None) -> None:
        """scores[o] = max(scores[o], best of `row` over the examples owned by o), for every owner o in `owners`."""
        if not self.grouped:
            np.maximum.at(scores, owners, row.astype(np.float64))
            return
        if runs is None:
            runs = _run_starts(owners)
        if len(runs) == 0:
            return
        best = np.maximum.reduceat(row, runs).astype(np.float64)
        who = owners[runs]
        scores[who] = np.maximum(scores[who], best)


def _objects(items: list[str]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


#: Whitespace other than the plain space.
_ODD_SPACE = re.compile(r"[^\S ]")


def _sorted_tokens(form: str) -> str:
    """A text's tokens sorted by code point, as `fuzz.token_sort_ratio` compares it: for texts whose only whitespace
    is the plain space, `fuzz.ratio` of two sorted forms is their `token_sort_ratio`."""
    return " ".join(sorted(form.split()))


def _token_set(form: str) -> str:
    """A text's distinct tokens, sorted: `fuzz.token_set_ratio` gives it the same score as the text itself."""
    return " ".join(sorted(set(form.split())))


def _similarities(query: str, texts: list[str], scorer: Any) -> np.ndarray:
    """`scorer(query, text)` for every text, as uint8, in one rapidfuzz batch call.

    cdist spreads its work over threads by rows (queries), so a large batch is computed the other way round
    (texts as rows, one column) on every core: the scorers used here are symmetric, so the scores are the same.
    Small batches, the normal case on the shipped catalog, stay on the calling thread: starting threads would
    cost more than it saves."""
    if len(texts) >= PARALLEL_MIN_TEXTS and _CORES > 1:
        column: np.ndarray = process.cdist(texts, [query], scorer=scorer, dtype=np.uint8, workers=-1)[:, 0]
        return column
    row: np.ndarray = process.cdist([query], texts, scorer=scorer, dtype=np.uint8)[0]
    return row


def _run_numbers(owners: np.ndarray) -> np.ndarray:
    """Each position's run of equal owners, numbered from 0."""
    if len(owners) == 0:
        return np.empty(0, dtype=np.intp)
    return np.concatenate(([0], np.cumsum(owners[1:] != owners[:-1])))


def _run_starts(owners: np.ndarray) -> np.ndarray:
    """Positions where a run of equal owners starts."""
    if len(owners) == 0:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))



def kana_vocabulary(intents: Iterable[Intent]) -> list[str]:
    """The catalog's Japanese examples and keywords as every Japanese message is read (folded, loanwords in
    katakana): what `KanaReader` indexes by reading, and what `intents/data/kana_readings.json` analyses."""
    return [to_katakana(fold(clean(text))) for intent in intents
            for text in intent.examples.get("ja", ()) + intent.keywords.get("ja", ())]

class Matcher:
    """Scores messages against a `Catalog`. Build once at start-up; `match` is thread-safe."""

    def __init__(self, catalog: Catalog, *, thresholds: Thresholds = DEFAULT, cues: Cues | None = None) -> None:
        self.catalog = catalog
        self.t = thresholds
        self.cues = cues or load_cues()
        self._intents: tuple[Intent, ...] = tuple(catalog.intents)
        self._index = {intent.id: n for n, intent in enumerate(self._intents)}
        # Topic of each intent: the question intent it shares an article (and paragraph) with.
        self._topic = np.array([self._index[self._topic_of(i).id] for i in self._intents], dtype=np.int32)
        self._is_smalltalk = np.array([i.kind == "smalltalk" for i in self._intents])
        self._is_request = np.array([i.kind == "request" for i in self._intents])
        #: Topics with no article: silent ones (answered honestly) and out-of-scope support ones (fallback).
        self._articleless = np.array([i.article is None for i in self._intents])
        self._is_silent = np.array([i.kind == "silent" for i in self._intents])
        self._is_support = np.array([i.kind == "support" for i in self._intents])
        #: question topic id -> the silent intents whose keywords win over it in a question (`Intent.outranks`).
        self._outranks: dict[str, list[int]] = defaultdict(list)
        for n, intent in enumerate(self._intents):
            for topic_id in intent.outranks:
                self._outranks[topic_id].append(n)
        #: The request to reach a person: its words ("a real person", "a human") also ask about the bot.
        self._asks_for_person = np.array([i.request_type == "inquiry" for i in self._intents])
        self._request_of_topic = {int(self._topic[n]): n for n, i in enumerate(self._intents) if i.kind == "request"}
        self._choices = {lang: self._preprocess(lang) for lang in ("en", "ja")}
        self._keywords = KeywordIndex(self._intents, {n: int(t) for n, t in enumerate(self._topic)},
                                      typo_ratio=thresholds.typo_ratio, typo_min_length=thresholds.typo_min_length,
                                      typo_weight=thresholds.typo_weight)
        documents = [
            [token for lang in ("en", "ja") for text in intent.examples.get(lang, ()) + intent.keywords.get(lang, ())
             for token in lexical_tokens(to_katakana(fold(clean(text))) if lang == "ja" else fold(clean(text)))]
            for intent in self._intents
        ]
        # The average document length BM25 normalises by is taken over the policy's own topics: out-of-scope support
        # topics keep long, open-ended keyword lists, and their growth must not shift every policy topic's score.
        self._lexical = LexicalIndex(documents, average_over=[i.kind != "support" for i in self._intents],
                                     typo_ratio=thresholds.typo_ratio,
                                     typo_min_length=thresholds.typo_min_length)
        self._learned = LearnedSignal(self._intents, self._topic.tolist()) if thresholds.learned_points > 0 else None
        # Kana-only Japanese (「こじんじょうほうを けして」) is also read with the catalog's written forms (intents.kana).
        self._kana = KanaReader(kana_vocabulary(self._intents))
        #: piece of `char_bigrams` output -> its vocabulary term, "" for none (`_vocabulary_term`).
        self._term_memo: dict[str, str] = {}

    # -- preprocessing -----------------------------------------------------------------------
    def _topic_of(self, intent: Intent) -> Intent:
        if intent.kind == "request" and intent.article is not None:
            question = self.catalog.question_for_article(intent.article, intent.paragraph)
            if question is not None:
                return question
        return intent

    def _preprocess(self, lang: str) -> list[_Choices]:
        groups: dict[bool, tuple[list[str], list[int], list[list[str]]]] = {False: ([], [], []), True: ([], [], [])}
        for n, intent in enumerate(self._intents):
            for example in intent.examples.get(lang, ()):
                folded = fold(clean(example))
                if lang == "ja":
                    folded = to_katakana(folded)  # as every Japanese message is read (`_signals`)
                if intent.kind == "smalltalk":
                    whole, form = True, _whole(folded, lang)
                else:
                    form = _comparable(folded, lang)
                    whole = lang == "en" and _is_short(form)
                if form:
                    groups[whole][0].append(form)
                    groups[whole][1].append(n)
                    groups[whole][2].append(lexical_tokens(folded))
        result = []
        for whole, (texts, owners, tokens) in groups.items():
            if not texts:
                continue
            postings: dict[str, list[int]] = {}
            for position, example_tokens in enumerate(tokens):
                for token in set(example_tokens):
                    postings.setdefault(token, []).append(position)
            result.append(_Choices(texts, np.array(owners, dtype=np.int32), whole,
                                   {t: np.array(p, dtype=np.int32) for t, p in postings.items()}))
        return result

    # -- scoring -----------------------------------------------------------------------------
    def _example_scores(self, norm: Normalized, lang: str, tokens: list[str],
                        only: np.ndarray | None = None, bigrammed: str | None = None) -> np.ndarray:
        """Best example similarity per intent; with `only` (a mask over intents), just for those intents.
        `bigrammed` is `char_bigrams(norm.text)` when the caller has it (Japanese compares it, whole and as a set)."""
        scores = np.zeros(len(self._intents), dtype=np.float64)
        if lang == "ja":
            topic_query = whole_query = char_bigrams(norm.text) if bigrammed is None else bigrammed
        else:
            topic_query, whole_query = _comparable(norm.text, lang), _whole(norm.text, lang)
        set_query = _token_set(topic_query)
        short_query = lang == "en" and _is_short(topic_query)
        for group in self._choices[lang]:
            owners = group.owners
            texts = group.texts
            runs: np.ndarray | None = group.runs
            subset: np.ndarray | None = None
            if group.whole or short_query:
                # Smalltalk, short examples and one-word messages compare whole texts: one shared word
                # between a long text and a short one is no match.
                query, scorer = whole_query, fuzz.token_sort_ratio
                if only is not None:
                    subset = np.flatnonzero(only[owners])
                    if len(subset) == 0:
                        continue
                    owners = owners[subset]
                    runs = None
            else:
                query, scorer = set_query, fuzz.token_set_ratio
                positions = group.sharing(tokens)
                if only is not None and len(positions):
                    positions = positions[only[owners[positions]]]
                if len(positions) == 0:
                    continue
                if len(positions) < len(texts):
                    subset = positions
                    owners = owners[positions]
                    runs = None
            if not query:
                continue
            if scorer is fuzz.token_set_ratio:
                caps = None
                if lang == "en":
                    caps = _subset_caps(group.sizes if subset is None else group.sizes[subset], len(query.split()))
                row = group.token_set_row(query, subset, caps)
            else:
                row = group.compare(query, scorer, subset, token_set=False)
            group.best_per_owner(scores, owners, row, runs)
        return scores

    def _signals(self, norm: Normalized, lang: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(example similarity, keyword evidence, BM25 points) per intent for one normalised text; a romaji message
        ("itakusaki no kanri tte dou natteru?") is read as written and as Japanese (`intents.romaji`), and so is a
        kana-only one (「かいじ せいきゅう って なんですか」, `intents.kana`) with the catalog's written forms; each
        intent keeps the better of the two readings on each signal."""
        katakana = to_katakana(norm.text) if lang == "ja" else None  # what `_signals_as` reads Japanese as: made once
        japanese = to_japanese(norm.text) if katakana is None else self._kana.read(katakana)
        if japanese is None and katakana is not None and _LATIN_WORDS.search(norm.text):
            # Romaji beside Japanese script (「kaiji seikyuu tte dou yareba ii no? やり方がわからない」): the romaji read too
            japanese = to_japanese_mixed(norm.text)
        if japanese is None:
            return self._signals_as(norm, lang, katakana)
        # The two readings differ in a few words: each run of Japanese script is made into bigrams once for both.
        runs: dict[str, str] = {}
        signals = self._signals_as(norm, lang, katakana, runs)
        read = self._signals_as(replace(norm, text=japanese), "ja", None, runs)
        examples, evidence, lexical = (np.maximum(a, b) for a, b in zip(signals, read))
        return examples, evidence, lexical

    def _signals_as(self, norm: Normalized, lang: str, katakana: str | None = None,
                    runs: dict[str, str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The signals of `_signals` for `norm` read in `lang` only; `katakana` is `to_katakana(norm.text)` when the
        caller has it, `runs` a memo for `char_bigrams`."""
        # Loanwords in Latin letters inside Japanese ("Cookieで…") read as the catalog's katakana (intents.loanwords).
        if lang == "ja":
            norm = replace(norm, text=to_katakana(norm.text) if katakana is None else katakana)
        else:
            # "receive the my personal datas": the catalog's standard forms (intents.typos), round 15
            learner = fix_learner_forms(norm.text)
            if (" her" in learner or " his" in learner or " their" in learner or " him" in learner) \
                    and _THIRD_PERSON.search(learner) and self.cues.others is not None \
                    and self.cues.others.acts_for(learner, learner, False):
                # "a copy of her information for her, as her representative": the principal's data, asked by the
                # person acting for them, is read as the principal would ask for it ("a copy of my information"),
                # the way the catalog's examples are written (round 16)
                learner = _THIRD_PERSON.sub(_as_principal, learner)
            if learner != norm.text:
                norm = replace(norm, text=learner)
        bigrammed = char_bigrams(norm.text, runs)  # read three times below: made once
        tokens = self._vocabulary_tokens(bigrammed)
        # Each distinct term once, in the order they came (the BM25 sum and the examples sharing one read no more).
        distinct = list(dict.fromkeys(tokens))
        evidence = self._keywords.evidence(norm.text)
        lexical = self._lexical.term_scores(distinct) * self.t.lexical_points
        lexical[self._is_smalltalk] = 0.0
        only = None
        if len(tokens) > self.t.prune_tokens:
            # A long message shares a word with nearly every example, and comparing it with all of them is most
            # of its matching time. Examples can only add to an intent's score, and the cheap signals already
            # find the contenders: compare only the examples of the `prune_keep` best intents by vocabulary and
            # keywords.
            cheap = lexical + self.t.keyword_points * np.minimum(evidence, self.t.keyword_cap)
            only = np.zeros(len(self._intents), dtype=bool)
            only[np.argsort(-cheap, kind="stable")[: self.t.prune_keep]] = True
            only[self._is_smalltalk] = False  # a long message is never a greeting, however it starts
        examples = self._example_scores(norm, lang, distinct, only, bigrammed)
        return examples, evidence, lexical

    def _vocabulary_tokens(self, bigrammed: str) -> list[str]:
        """`[t for t in map(self._lexical.lookup, _lexical_tokens_of(bigrammed)) if t is not None]` in one pass, each
        piece's term remembered (`_vocabulary_term`; a long Japanese message has some 500 bigrams, most of them
        repeated from message to message: one dictionary look-up each instead of a script test and a look-up)."""
        memo = self._term_memo
        get = memo.get
        tokens: list[str] = []
        append = tokens.append
        for piece in bigrammed.split():
            term = get(piece)
            if term is None:
                term = self._vocabulary_term(piece)
            if term:
                append(term)
        return tokens

    def _vocabulary_term(self, piece: str) -> str:
        """The vocabulary term of one piece of `char_bigrams` output ("" for none), remembered (bounded): a Japanese
        bigram is its own vocabulary term or none (`LexicalIndex.lookup` forgives no typo in Japanese), other pieces
        are stemmed and looked up (typos forgiven). The same piece always gets the same term."""
        if is_cjk(piece[0]):
            term = piece if piece in self._lexical.vocabulary else ""
        elif piece in STOPWORDS:
            term = ""
        else:
            term = self._lexical.lookup(stem(piece)) or ""
        memo = self._term_memo
        if len(memo) >= TERM_MEMO_SIZE:
            memo.clear()
        memo[piece] = term
        return term

    def _arrays(self, text: str, lang: str | None) -> "_Scores":
        # A policy term the keyboard converted into another word of the same reading (帝政 for 訂正, 故人情報 for
        # 個人情報) is read as the term (intents.kana, intents/homophones.toml).
        # Regional request endings and pronouns (「見せでけろ」「教えてちょう」「おらの」) read as standard (intents.dialect).
        # Japanese written in katakana throughout (「ワタシノ データ ゼンブ ミセテ」) is read as kana writing.
        # 「お問い合わせフォームより失礼いたします。」 opens a letter sent through the contact form: a greeting, not a question
        # about how to contact the company (round 16); the rest of the letter is what it asks.
        if "フォーム" in text or "窓口" in text or (" form" in text and _FORM_NAMED.search(text)):
            opened = _FORM_OPENING.sub(" ", text)
            text = opened if opened.strip() else text
        enveloped = _without_envelope(text)
        text = enveloped if enveloped.strip() else text
        if _CAMEL_HINT.search(text):
            text = _CAMEL.sub(self._camel_words, text)
        norm = normalize(self._kana.fold_homophones(read_dialect(read_katakana_writing(text))))
        lang = lang if lang in ("en", "ja") else detect_language(norm.text)
        if lang == "en":
            # "plase remvoe all my data": the topic is read with the request verb meant (intents.typos), as the
            # request cues read it.
            fixed = fix_verbs(norm.text)
            if fixed != norm.text:
                norm = replace(norm, text=fixed)
        # Kana writing (「わたしの じょうほうを けして ほしい」) is read by the cues and the structure reader with the
        # catalog's written forms and no spaces between words, as their patterns are written (intents.kana).
        cue_text = self._kana.for_cues(norm.cleaned) if lang == "ja" else None
        structure = read_structure(norm.cleaned if cue_text is None else cue_text)
        examples, evidence, lexical = self._signals(norm, lang)
        total = self._total(examples, evidence, lexical)
        whole: tuple[np.ndarray, np.ndarray] | None = None
        if structure.unnegated.strip():
            # "I'm NOT asking for a copy of my data, I'm wondering whether you protect it": the negated clause names
            # the topic the message is not about. The topics are ranked on the rest when the rest names one.
            kept = normalize(structure.unnegated)
            signals = self._signals(kept, lang) if kept.text else None
            if signals is not None:
                kept_total = self._total(*signals)
                if np.any((signals[1] > 0) & ~self._is_smalltalk & (kept_total >= self.t.clarify_floor)):
                    whole = (total, self._has_evidence(examples, evidence, lexical))
                    examples, evidence, lexical = signals
                    total = kept_total
        if self._learned is not None:
            # The learned signal reads the ask when there is one (a long message's context is noise to it).
            learned = self._learned.scores(fold(structure.ask) if structure.focused else norm.text)
            learned[self._is_smalltalk] = 0.0
            total = total + self.t.learned_points * learned
        has_evidence = self._has_evidence(examples, evidence, lexical)
        gate = total
        if whole is not None:
            # Whether anything matches at all is judged on the better of the two readings: leaving the negated
            # clause out never turns an answer into a dead end.
            gate = np.maximum(total, whole[0])
            has_evidence = has_evidence | whole[1]
        ask_used = False
        if structure.focused and self.t.ask_weight > 0:
            # Context sentences count less than the sentences that ask: the ask is scored on its own and the
            # ranking blends it in. Whether anything matches at all is still judged on the better of the two, so
            # reading the ask alone never turns an answer into a dead end.
            # An ask that names no topic of its own (no keyword: "what's our obligation here?") refers to the
            # context: then the whole message decides.
            asked = self._signals(normalize(structure.ask), lang)
            ask_total = self._total(*asked)
            ask_evidence = self._has_evidence(*asked) & ~self._is_smalltalk
            if np.any((asked[1] > 0) & ~self._is_smalltalk & (ask_total >= self.t.fallback_score)):
                w = self.t.ask_weight
                total = (1 - w) * total + w * ask_total
                gate = np.maximum(gate, total)
                has_evidence = has_evidence | ask_evidence
                ask_used = True
        return _Scores(norm, lang, total, examples, evidence, lexical, has_evidence, structure, gate, ask_used,
                       cue_text)

    def _camel_words(self, match: "re.Match[str]") -> str:
        """A run-together word split into its parts (in ASCII) when every part is a vocabulary word of four letters
        or more and the whole is none ("GoogleAnalytics" → "Google Analytics"; brands such as "WhatsApp", "YouTube",
        "PayPal" and "iPhone" stay whole: a short part, such as "app", is what a brand name is made of)."""
        word = unicodedata.normalize("NFKC", match.group())
        parts = _CAMEL_PART.findall(word)
        vocabulary = self._lexical.vocabulary
        if stem(word.casefold()) in vocabulary or not all(
                len(p) >= 4 and p.casefold() not in STOPWORDS and stem(p.casefold()) in vocabulary for p in parts):
            return match.group()
        return " ".join(parts)

    def _total(self, examples: np.ndarray, evidence: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        total: np.ndarray = (self.t.example_points * examples + lexical
                             + self.t.keyword_points * np.minimum(evidence, self.t.keyword_cap))
        return total

    def _has_evidence(self, examples: np.ndarray, evidence: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        found: np.ndarray = ((evidence > 0) | (examples >= self.t.no_keyword_example_score)
                             | (lexical >= self.t.no_keyword_lexical_score))
        return found

    def _candidates(self, s: "_Scores", order: np.ndarray) -> list[Candidate]:
        """The intents at `order`, in that order, as Candidates (each score read out of its array once, as a list:
        indexing numpy arrays one element at a time was a few percent of a match)."""
        picked = order.tolist()
        totals, examples = s.total[order].tolist(), s.examples[order].tolist()
        evidence, lexical = s.evidence[order].tolist(), s.lexical[order].tolist()
        intents = self._intents
        return [Candidate(intent=intents[i].id, kind=intents[i].kind, article=intents[i].article, score=round(total, 2),
                          example_score=example, keyword_evidence=round(found, 3), lexical_score=round(points, 2))
                for i, total, example, found, points in zip(picked, totals, examples, evidence, lexical)]

    def score(self, text: str, lang: str | None = None) -> tuple[Normalized, str, list[Candidate]]:
        """All intents ranked for `text`, best first (for inspection and tests). Never raises for any str."""
        s = self._arrays(text, lang)
        return s.norm, s.lang, self._candidates(s, np.argsort(-s.total, kind="stable"))

    # -- decision ----------------------------------------------------------------------------
    def match(self, text: str, lang: str | None = None) -> Match:
        """Decide what to do with `text`: one of DECISIONS, with the intent, article and request type."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        s = self._arrays(text, lang)
        norm = s.norm
        # Request cues read the user's own words: no quoted lines or spans, no "I'm not asking for…" clauses.
        if s.cue_text is None:
            cues = self.cues.score(norm.cleaned, s.structure.own, norm.text,  # norm.text is fold(cleaned)
                                   ask=s.structure.ask if s.ask_used else None)
        else:
            cues = self.cues.score(s.cue_text, s.structure.own, fold(s.cue_text),
                                   ask=s.structure.ask if s.ask_used else None)
        flags = {"truncated"} if norm.truncated else set()
        order = np.argsort(-s.total, kind="stable")
        top_five = tuple(self._candidates(s, order[:5]))

        def result(decision: str, intent: Intent | None = None, *, choices: Iterable[str] = (),
                   confidence: float = 0.0, extra: Iterable[str] = (), also: tuple[str, ...] = ()) -> Match:
            if not also:
                also = self._other_silences(s, intent) if decision == "answer" and intent is not None else ()
            return Match(
                decision=decision,
                intent=intent.id if intent else None,
                article=intent.article if intent else None,
                handoff=intent.request_type if intent is not None and decision == "request" else None,
                confidence=round(max(0.0, min(1.0, confidence)), 3),
                lang=s.lang,
                choices=tuple(choices),
                candidates=top_five,
                cues=cues,
                flags=frozenset(flags | set(extra)),
                also=also,
            )

        if not norm.text:
            return result("fallback", extra={"empty"})
        if cues.hostile >= self.t.hostile_cue:
            refusal = self.catalog.by_id.get("others_data")
            if refusal is not None and cues.authority >= self.t.hostile_cue:
                # Someone else's data or claimed authority: the refusal that explains whose rights these are.
                return result("answer", refusal, confidence=1.0, extra={"hostile", "refusal"})
            return result("fallback", extra={"hostile"})

        # Best intent per topic; a topic with no real evidence (no keyword, no close example, weak
        # vocabulary) ranks below those that have some, by `no_evidence_penalty` points.
        rank = s.total - np.where(s.has_evidence, 0.0, self.t.no_evidence_penalty)
        rank[self._is_smalltalk] = -np.inf
        topics: list[int] = []
        seen: set[int] = set()
        for i in np.argsort(-rank, kind="stable"):
            topic = int(self._topic[i])
            if self._is_smalltalk[i] or topic in seen:
                continue
            seen.add(topic)
            topics.append(int(i))
            if len(topics) >= self.t.max_choices:
                break
        top = topics[0]
        top_topic = self._intents[int(self._topic[top])]
        top_score = float(s.total[top])
        # A question about the assistant itself names smalltalk by keyword ("are you a bot or a real person?",
        # 「AIが答えてるの？」): the person words in it ask for nobody, unless the message also makes a request or
        # names a policy topic by keyword too.
        keyed_small = np.where(self._is_smalltalk, s.evidence, 0.0)
        about_bot = int(np.argmax(keyed_small))
        topic_named = np.max(np.where(self._is_smalltalk | self._asks_for_person, 0.0, s.evidence)) \
            >= self.t.silent_keyword_evidence
        # A short message that takes itself back ("oops, wrong button", 「押し間違えました」) names no topic either, whatever
        # a correction's word in it ("wrong") names, when it names no personal data (round 8).
        taken_back = (keyed_small[about_bot] > 0 and cues.data_object == 0 and cues.question == 0
                      and len(norm.text.split()) <= self.t.taken_back_words and len(norm.text) <= self.t.taken_back_chars)
        if keyed_small[about_bot] > 0 and cues.request == 0 and (not topic_named or taken_back):
            return result("smalltalk", self._intents[about_bot], confidence=float(s.examples[about_bot]) / 100)
        small = np.where(self._is_smalltalk, s.examples, -1.0)
        smalltalk = int(np.argmax(small))
        if small[smalltalk] >= self.t.smalltalk_score and (
            s.evidence[top] == 0 or small[smalltalk] >= s.examples[top] + self.t.smalltalk_margin
        ):
            return result("smalltalk", self._intents[smalltalk], confidence=float(small[smalltalk]) / 100)

        if cues.elsewhere >= self.t.offtopic_cue:
            # Another company's own practices or settings ("does tiktok sell my data?", 「LINEのプライバシー設定は？」),
            # this company not named and its sharing not asked about: out of scope, however much personal data the
            # message names (round 7). The reply says this assistant covers this company's policy only.
            return result("fallback", self.catalog.by_id.get("support_other"), confidence=top_score / 100,
                          extra={"offtopic", "elsewhere"})

        # A question that names a person or a complaint desk ("who handles complaints?", 「苦情の窓口は？」,
        # "is it your staff or an outside company?") asks about Article 14 or 4; only a message with a request cue,
        # or one that is no question at all ("human pls", "agent"), asks to be put through.
        asks_person = cues.request > 0 or (cues.question == 0 and not norm.has_question_mark)
        if cues.person >= self.t.person_cue and cues.balance >= self.t.person_min_balance and asks_person:
            inquiry = self.catalog.request_for_type("inquiry")
            if inquiry is not None:
                return result("request", inquiry, confidence=0.8, extra={"person"})

        if cues.abuse >= self.t.offtopic_cue and not norm.has_question_mark \
                and cues.request == 0 and cues.data_object == 0:
            # Abuse aimed at the assistant or the policy that asks nothing (no question cue outside it and no other
            # sentence beside it: `Cues.score`), e.g. "worthless assistant, to hell with the policy", 「方針なんてどうでも
            # いい、ポンコツAI」: "privacy policy" in it names no topic. A question, a request, asking for a person or
            # personal data beside it ("your policy is garbage, delete my account") is read as usual (round 8).
            return result("fallback", self._weak_support(s), confidence=top_score / 100, extra={"offtopic", "abuse"})

        top_intent = self._intents[top]

        def promote(i: int) -> tuple[int, Intent, float, Intent]:
            # Put topic i first; everything read about "the top topic" below follows from it.
            topics.remove(i)
            topics.insert(0, i)
            return i, self._intents[int(self._topic[i])], float(s.total[i]), self._intents[i]

        named_support = self._named_support(s, close_examples_count=cues.data_object > 0)
        if named_support is not None and (cues.request == 0 or cues.data_object == 0):
            # Everyday support vocabulary ("2FA", "press inquiries", "opening hours") with no policy topic named as
            # strongly and no policy example resembled: out of scope, whatever a generic word ("inquiries",
            # "who handles") shares with a policy topic.
            return result("fallback", self._intents[named_support], confidence=top_score / 100, extra={"support"})
        if named_support is None and top_intent.kind != "support" and cues.request == 0 and cues.data_object == 0 \
                and len(norm.text) <= self.t.support_only_chars and s.lexical[top] < self.t.no_keyword_lexical_score \
                and not np.any((s.evidence > 0) & ~self._is_support & ~self._is_smalltalk):
            # A short message that names a support topic by its keyword and no policy or silent topic by any
            # (「求人ってありますか」, "how do i make a website"): resemblance alone (a shared ending, a shared frame) does
            # not outweigh the named support topic when no request cue and no personal data is read and the best topic
            # has no vocabulary of its own either (「リリースされた新機能も同じポリシーですか」 keeps Art. 1), round 9.
            weak = self._weak_support(s)
            if weak is not None:
                return result("fallback", weak, confidence=top_score / 100, extra={"support"})
        if top_intent.kind == "support" and not (cues.offtopic > 0 and cues.data_object == 0):
            # A support word ("subscription", "password") beside a policy topic with evidence and a close score
            # is context: "if I cancel my subscription, do you keep my records?" asks about the policy. Not when the
            # message ends on product chatter and names no personal data (「ＰＤＦのダウンロードができません」, round 19).
            policy_topics = [i for i in topics[1:] if self._intents[i].kind != "support" and s.evidence[i] > 0
                             and s.total[i] >= self.t.fallback_score
                             and s.total[i] >= s.total[top] - self.t.support_margin]
            if policy_topics:
                top, top_topic, top_score, top_intent = promote(policy_topics[0])
        if top_intent.kind == "silent" and top_intent.yields_to:
            # A silent topic gives way to the question topics it names (`Intent.yields_to`) when the message names one
            # by keyword: 「未成年の娘の…開示を親が請求できますか」 asks about the request (Art. 7), not rules for children.
            named = self._yielded(s, top_intent, topics[1:])
            if named is not None:
                top, top_topic, top_score, top_intent = promote(named)
            elif cues.balance >= self.t.request_cue and cues.data_object > 0:
                # A request made now on the data the silence's subject concerns ("as the dad of a 10-year-old…
                # I'd like you to tell me what you do with his data"): the request the silence gives way to, if
                # the best article topic gives one; the policy's rules for children are not what is asked.
                yielded = self._yielded_request(s, top_intent, topics[1:], cues)
                if yielded is not None:
                    return result("request", yielded[0], confidence=yielded[1] / 100, extra={"yielded"})
        if top_intent.kind == "silent" and s.evidence[top] < self.t.silent_keyword_evidence:
            # A silent topic answers a message that uses its own words (fee, sell, police…) or closely resembles one
            # of its examples; ranked first on shared vocabulary alone, it gives way to an article topic the message
            # names by keyword ("do you buy data from list brokers?" shares words with "do you sell to list
            # brokers?" but asks how data is obtained, Article 2).
            keyed = [i for i in topics[1:] if not self._articleless[i]
                     and s.evidence[i] >= self.t.silent_keyword_evidence and s.gate[i] >= self.t.fallback_score]
            if keyed and (s.examples[top] < self.t.no_keyword_example_score
                          or s.evidence[keyed[0]] >= self.t.silent_yield_evidence):
                top, top_topic, top_score, top_intent = promote(keyed[0])
        support = top_intent if top_intent.kind == "support" and s.has_evidence[top] else None
        if support is None and cues.offtopic >= self.t.offtopic_cue and cues.data_object == 0 and cues.request == 0:
            # Product chatter with no personal data named and nothing requested, a support topic named by keyword close
            # behind the best one (「ＰＤＦのダウンロードができません」: a feature that fails, not the right to a copy),
            # round 19: that support topic.
            near = [i for i in topics[1:3] if self._intents[i].kind == "support" and s.has_evidence[i]
                    and s.total[i] >= top_score - self.t.support_margin]
            if near:
                return result("fallback", self._intents[near[0]], confidence=top_score / 100, extra={"offtopic"})
        # Work chatter whose request verb acts on no personal data ("pls stop sending me calendar invites", "delete
        # the duplicate ticket") opens no request, however strongly its verb names one.
        # A request that does name personal data beside the chatter ("delete my account, and the meeting reminders
        # too") is a request, even with little keyword evidence.
        # Site content or finished work with no personal data named ("there's a typo on your homepage — correct it")
        # is support even where no request cue is read.
        chatter_request = (cues.request > 0 or cues.work_object > 0) and cues.data_object == 0
        data_request = cues.data_object > 0
        # A chatter word inside a policy question ("if I use a VPN, do you still collect my IP address?") is context
        # when the best topic is named by keyword and one of its examples is nearly the whole message.
        named_closely = (top_intent.kind != "support" and s.evidence[top] > 0
                         and s.examples[top] >= self.t.offtopic_example_score)
        if cues.offtopic >= self.t.offtopic_cue and not named_closely and (
                (s.evidence[top] < self.t.offtopic_keyword_evidence and not data_request) or chatter_request):
            # The reply names the support topic whose words are in the message ("delete a playlist I made": the app),
            # when there is one, rather than saying it did not understand.
            return result("fallback", support or self._weak_support(s), confidence=top_score / 100, extra={"offtopic"})
        for reading, flag in ((self._stated_correction, "stated_correction"), (self._demanded_purpose, "demanded_purpose")):
            stated = reading(s, cues, top_intent)
            if stated is not None:
                return result("request", stated, confidence=float(s.total[self._index[stated.id]]) / 100, extra={flag})
        if not s.has_evidence[top] or s.gate[top] < self.t.fallback_score:
            return self._no_dead_end(s, topics, cues, result)
        passed_over_others = False  # the refusal was ranked first and passed over: not brought back as an aspect below
        if top_intent.id == "others_data" and cues.authority == 0 and len(topics) > 1 \
                and not self._articleless[topics[1]] and _OWN_DATA.search(norm.text) and (
                    (s.evidence[top] == 0 and s.examples[top] < self.t.no_keyword_example_score)
                    or (s.has_evidence[topics[1]] and s.gate[topics[1]] >= self.t.fallback_score)):
            # Ranked first on shared vocabulary alone (no claimed authority, no close example), or on the words of a
            # relation merely mentioned ("my coworker recommended you. please change my email address"), while whose
            # data is asked for (`intents.others`) finds no one else's and the writer names their own data
            # (「私のメールアドレスを使わないでください」): the next topic answers.
            top, top_topic, top_score, top_intent = promote(topics[1])
            passed_over_others = True
        if top_intent.id == "others_data":
            # Someone else's data, or a claimed authority: the refusal, never a request or a ticket.
            return result("answer", top_intent, confidence=top_score / 100, extra={"silent"})
        if top_intent.kind == "support" or (top_intent.kind == "silent" and cues.question == 0
                                              and not norm.has_question_mark):
            # A formal request on the best policy topic comes first ("please send my data within 14 days"), when it
            # names personal data: beside a support topic, "please change my password" changes an account setting.
            article_topics = [i for i in topics if not self._articleless[i] and s.has_evidence[i]
                              and s.gate[i] >= self.t.fallback_score]
            if article_topics and (top_intent.kind != "support" or cues.data_object > 0):
                first = self._intents[int(self._topic[article_topics[0]])]
                request = self._request_for(first, float(s.total[article_topics[0]]), s, cues)
                if request is not None:
                    return result("request", request, confidence=float(s.total[article_topics[0]]) / 100)
        if top_intent.kind == "support":
            # Out of the policy's scope: say so and point to support; the intent names the topic.
            return result("fallback", top_intent, confidence=top_score / 100, extra={"support"})
        if top_intent.kind == "silent":
            # The policy does not address this topic: an honest answer, never a procedure or a request.
            listed = self._purpose_list(top_intent, cues, s.read_text)
            if listed is not None:
                return result("answer", listed, confidence=top_score / 100, extra={"unlisted"}, also=(top_intent.id,))
            return result("answer", top_intent, confidence=top_score / 100, extra={"silent"})

        listed_purposes = self._general_purposes(s, top_topic, cues)
        if listed_purposes is not None:
            return result("answer", listed_purposes, confidence=top_score / 100, extra={"general_purposes"})
        told = self._told_purposes(s, topics, top_topic, top_score)
        if told is not None:
            top, top_topic, top_score, top_intent = promote(told)
        request = self._request_for(top_topic, top_score, s, cues)
        if request is not None and request.request_type == "purpose_notification" and self._asks_in_general(s):
            request = None  # "please tell me the purposes of use of personal information": the list (Art. 3)
        if request is not None:
            return result("request", request, confidence=top_score / 100)
        silent = self._silent_aspect(s, top_score, top_topic)
        if silent is not None and passed_over_others and silent.id == "others_data":
            # The relation merely mentioned ("my neighbour says these things happen all the time. What do you do to stop
            # it?") that took the refusal off the top does not bring it back as the aspect asked about (round 14).
            silent = None
        if silent is not None and silent.id == "others_data" and cues.authority == 0 and cues.request == 0 \
                and s.lang == "en":
            # A question about the company's practice that mentions a relative's detail ("my dad asks if it's safe to
            # type his address into your site: how do you protect it?"), when whose data is asked for (`intents.others`)
            # finds no one else's asked for and nothing is requested: the practice is what is asked (round 17).
            silent = None
        if silent is not None:
            # "Is there a fee for disclosure?" is about the fee, which the policy does not address, not about
            # disclosure: a silent topic's own words (fee, sell, police, how long…) name what is asked.
            listed = self._purpose_list(silent, cues, s.read_text)
            if listed is not None:
                return result("answer", listed, confidence=top_score / 100, extra={"unlisted"}, also=(silent.id,))
            return result("answer", silent, confidence=top_score / 100, extra={"silent"})

        if s.evidence[top] == 0 and not (told is not None or (top_topic.article == 6 and self._asks_to_be_told(s))):
            # A topic the message names by a term (開示請求, "subject access"), close behind one it only resembles by an
            # example's frame ("…ってどうやってするんですか", "how does that work"), is what is asked (round 15); not
            # when the message asks about asking to be told the purposes, which is Art. 6 itself (round 16).
            named_close = [i for i in topics[1:] if top_score - s.total[i] <= self.t.named_over_frame_margin
                           and not self._articleless[i] and s.evidence[i] >= self.t.silent_yield_evidence
                           and self._intents[i].article != top_topic.article]
            if named_close:
                top, top_topic, top_score, top_intent = promote(named_close[0])
        close = [
            self._intents[int(self._topic[i])] for i in topics[1:]
            if top_score - s.total[i] <= self.t.clarify_margin and self._intents[i].article != top_topic.article
            and s.has_evidence[i] and not self._articleless[i]
        ]
        if close and top_score < self.t.clarify_ceiling and told is None:
            choices = [top_topic] + close
            if s.evidence[top] == 0:
                # Offered side by side, a topic the message names by keywords comes before one it only resembles
                # ("how do I find out what info u have on me": disclosure by its words, Art. 6 by an example's frame).
                named = [i for i in topics[1:] if top_score - s.total[i] <= self.t.clarify_margin
                         and s.evidence[i] >= self.t.offtopic_keyword_evidence and not self._articleless[i]
                         and self._intents[i].article != top_topic.article]
                if named:
                    first = self._intents[int(self._topic[named[0]])]
                    choices = [first] + [c for c in choices if c.id != first.id]
            return result("clarify", choices[0], choices=[c.id for c in choices], confidence=top_score / 100)
        return result("answer", top_topic, confidence=top_score / 100)

    def _general_purposes(self, s: "_Scores", top_topic: Intent, cues: CueScores) -> Intent | None:
        """Art. 3's list of purposes when Art. 6 (being told the purposes) came first but the message names no one whose
        data it is and nothing of Art. 6's procedure: "can you tell me what you use personal information for?",
        「個人情報の利用目的を教えてください」 ask for the list (round 15). Else None."""
        if top_topic.article != 6:
            return None
        listed = self.catalog.by_id.get("purpose_of_use")
        if listed is None:
            return None
        index = self._index[listed.id]
        if not s.has_evidence[index] or s.gate[index] < self.t.fallback_score \
                or not (self._asks_in_general(s) or (cues.balance < self.t.request_cue and self._asks_plainly(s))):
            return None
        return listed

    def _told_purposes(self, s: "_Scores", topics: list[int], top_topic: Intent, top_score: float) -> int | None:
        """Art. 6 (being told the purposes) when Art. 3 (the list of purposes) came first, Art. 6 is close behind, and
        the message asks about asking the company to tell them ("is there any provision by which a customer can ask the
        company to inform the purpose…", "could my lawyer ask you what purposes my data is used for?"), round 16.
        The position in `topics` of Art. 6's best intent, else None."""
        if top_topic.article != 3 or not self._asks_to_be_told(s):
            return None
        for i in topics[1:]:
            # close behind, or named by more keywords than the list (round 19: "can my daughter be the one to ask you what
            # you use my information for?")
            if (top_score - s.total[i] <= self.t.named_over_frame_margin or s.evidence[i] > s.evidence[topics[0]]) \
                    and not self._articleless[i] and self._intents[int(self._topic[i])].article == 6:
                return i
        return None

    @staticmethod
    def _asks_to_be_told(s: "_Scores") -> bool:
        """Whether the message asks about asking the company to tell the purposes (`_ASKED_TO_TELL_PURPOSES`)."""
        return _ASKED_TO_TELL_PURPOSES.search(s.read_text) is not None

    @staticmethod
    def _asks_plainly(s: "_Scores") -> bool:
        """Whether the message asks what the writer's data is used for as a plain question: nothing of Art. 6's
        procedure, no one asked to tell or explain, nothing singled out as the writer's own ("what do you use my data
        for?", 「俺の個人情報、何に使ってるん？」: the list of purposes, round 19)."""
        text = s.read_text
        return not (_PURPOSE_PROCEDURE.search(text) or _TOLD_OWN.search(text))

    @staticmethod
    def _asks_in_general(s: "_Scores") -> bool:
        """Whether the message names no one whose data it is and nothing of Art. 6's procedure (`_PURPOSE_OWNER`,
        `_PURPOSE_PROCEDURE`)."""
        text = s.read_text
        return not (_PURPOSE_OWNER.search(text) or _PURPOSE_PROCEDURE.search(text))

    def _no_dead_end(self, s: "_Scores", topics: list[int], cues: CueScores, result: Callable[..., Match]) -> Match:
        """Below the answer threshold: rather than a dead end, answer a short message that names exactly one topic
        by its keyword ("security?"), or offer the two or three best topics when there is some evidence for them;
        fall back (with the topic list and a person) only when there is none."""
        top = topics[0]
        if cues.offtopic > 0 or cues.hostile > 0:
            return result("fallback", confidence=float(s.total[top]) / 100)
        weak = [i for i in topics if not self._articleless[i] and s.total[i] >= self.t.clarify_floor
                and (s.evidence[i] > 0 or s.examples[i] >= self.t.clarify_example_score)]
        # A short message that names exactly one article topic by its keyword ("security?", "gaichuu shiteru?")
        # asks about it, however little its few words resemble the examples.
        keyed = {int(self._topic[i]) for i in np.flatnonzero((s.evidence >= self.t.silent_keyword_evidence)
                                                             & ~self._articleless & ~self._is_smalltalk)}
        if len(keyed) == 1 and len(s.norm.text.split()) <= self.t.short_message_words:
            index = keyed.pop()
            topic = self._intents[index]
            # A terse demand ("erase me.", "wipe me pls") names its topic as briefly as "security?" does.
            request = self._request_for(topic, float(s.total[index]), s, cues)
            if request is not None:
                return result("request", request, confidence=float(s.total[index]) / 100, extra={"short"})
            return result("answer", topic, confidence=float(s.total[index]) / 100, extra={"short"})
        if not keyed:
            # … and one that names no article topic but exactly one silent topic by its keyword ("any soc2?",
            # "biometrics?", 「Pマークは？」), or by two of them at any length ("got any SOC 2 attestation?"), is answered
            # with that silence, not a dead end (round 9). Not the others'-data refusal: a fragment naming someone
            # ("my ex's email?") stays as before.
            silent = [int(i) for i in np.flatnonzero((s.evidence >= self.t.silent_keyword_evidence) & self._is_silent)
                      if self._intents[int(i)].id != "others_data"]
            if len(silent) == 1 and (len(s.norm.text.split()) <= self.t.short_message_words
                                     or s.evidence[silent[0]] >= self.t.silent_yield_evidence):
                return result("answer", self._intents[silent[0]], confidence=float(s.total[silent[0]]) / 100,
                              extra={"silent", "short"})
        if len(keyed) == 1 and cues.balance >= self.t.request_cue and cues.data_object > 0:
            # A demand of any length that names exactly one topic by keyword, however little it resembles the
            # examples ("you have my surname down as X, it's Y", 「私のデータ一式、ファイルで。」), is that topic's request
            # when it names personal data as its object (not "show me ticket 123, it's not mine").
            # The request's own keywords must be among them (the topic's question keywords alone ask about it).
            index = keyed.pop()
            request_index = self._request_of_topic.get(index)
            # ... or its verbs name that request ("what have you got about me?? show me, login …": the topic by its
            # keyword, the disclosure by "show me"), round 8
            if request_index is not None and (s.evidence[request_index] > 0 or self._intents[request_index].request_type
                                              in self.cues.request_types(cues)):
                return result("request", self._intents[request_index], confidence=float(s.total[request_index]) / 100,
                              extra={"stated"})
        if cues.balance >= self.t.request_cue and cues.data_object > 0 and self._weak_support(s) is None:
            # A clear demand on personal data whose verb names one request ("my email changed, please update your
            # records"), and that request is the best-scoring one, is that request even with no keyword of its own:
            # a formal request never ends in "I don't understand".
            verbs = self.cues.request_types(cues)
            named = self.catalog.request_for_type(next(iter(verbs))) if len(verbs) == 1 else None
            if named is not None:
                index = self._index[named.id]
                best = int(np.argmax(np.where(self._is_request, s.total, -np.inf)))
                # (or close to it: "take my number off your list", "i don't want you having my address anymore" resemble
                # the correction's phrasings more, but their verbs name the deletion; round 8)
                if (best == index or s.total[best] - s.total[index] <= self.t.request_redirect_margin) \
                        and s.total[index] >= self.t.clarify_floor:
                    return result("request", named, confidence=float(s.total[index]) / 100, extra={"named"})
        if len(weak) >= 2 and any(s.evidence[i] > 0 for i in weak):
            chosen = [self._intents[int(self._topic[i])] for i in weak[: self.t.max_choices]]
            return result("clarify", chosen[0], choices=[i.id for i in chosen], confidence=float(s.total[top]) / 100,
                          extra={"weak"})
        support = self._weak_support(s)
        if support is not None:
            return result("fallback", support, confidence=float(s.total[top]) / 100, extra={"support"})
        return result("fallback", confidence=float(s.total[top]) / 100)

    def _stated_correction(self, s: "_Scores", cues: CueScores, top_intent: Intent) -> Intent | None:
        """The correction request when the message states one (`CueScores.stated_correction`: a detail as the company
        holds it and that it is wrong or what the right one is, "the number on my profile is my old flat's, mine is …",
        「登録されている住所は昔のものです。今は…」) as a request made now on personal data, and its verbs name no other
        request: whatever topic the detail's own words drew (Art. 14's address and phone, Art. 7, account support), it
        is a correction (Art. 8), round 9. Someone else's data is still the refusal, a person asked for the inquiry."""
        if cues.stated_correction <= 0 or cues.balance < self.t.request_cue or cues.data_object <= 0 \
                or cues.authority > 0 or top_intent.id == "others_data":
            return None
        if self.cues.request_types(cues) - {"correction"}:
            return None
        correction = self.catalog.request_for_type("correction")
        if correction is None or s.total[self._index[correction.id]] < self.t.clarify_floor:
            return None
        return correction

    def _demanded_purpose(self, s: "_Scores", cues: CueScores, top_intent: Intent) -> Intent | None:
        """The purpose notification request (Art. 6) when the message demands to be told what the writer's own data is
        used for (`CueScores.demanded_purpose`: "what are you doing with MY postcode? explain yourself", 「俺の住所、何に
        使うてんねん。はよ言え」) as a request made now on personal data, and its verbs name no other request: an e-mail
        address or phone number in it draws Art. 8 or 14 by its words, the use asked about is Art. 3's list, but the
        writer asks for their own case, round 9."""
        if cues.demanded_purpose <= 0 or cues.balance < self.t.request_cue or cues.data_object <= 0 \
                or cues.authority > 0 or top_intent.id == "others_data":
            return None
        if self.cues.request_types(cues) - {"purpose_notification"}:
            return None
        notification = self.catalog.request_for_type("purpose_notification")
        if notification is None or s.total[self._index[notification.id]] < self.t.clarify_floor:
            return None
        return notification

    def _named_support(self, s: "_Scores", close_examples_count: bool = True) -> int | None:
        """The support topic the message names by keyword (`offtopic_keyword_evidence`), when it names no policy or
        silent topic as strongly and (with `close_examples_count`: the message names personal data) resembles none of
        their examples closely (`no_keyword_example_score`). Without personal data named, a close example is only
        phrasing ("I want to talk to sales about enterprise pricing" resembles asking for a person)."""
        support = np.where(self._is_support, s.evidence, 0.0)
        best = int(np.argmax(support))
        if support[best] < self.t.offtopic_keyword_evidence:
            return None
        policy = ~self._is_support & ~self._is_smalltalk
        # Any other topic named about as strongly (smalltalk included: "am I chatting with a bot?") keeps its say.
        if np.max(np.where(self._is_support, 0.0, s.evidence)) >= support[best] - 0.5:
            return None
        if close_examples_count and np.max(np.where(policy, s.examples, 0.0)) >= self.t.no_keyword_example_score:
            return None
        return best

    def _weak_support(self, s: "_Scores") -> Intent | None:
        """The support topic a fallback names when its keywords are in the message (the reply then points to
        support for it), else None."""
        support = np.where(self._is_support, s.evidence, 0.0)
        best = int(np.argmax(support))
        return self._intents[best] if support[best] >= 1.0 else None

    def _other_silences(self, s: "_Scores", answered: Intent) -> tuple[str, ...]:
        """Silent topics other than `answered` whose own keywords the message uses (fee AND response time): a message
        that names two topics the policy does not address gets told so about both, not only the stronger one."""
        named = np.flatnonzero(self._is_silent & (s.evidence >= self.t.silent_keyword_evidence))
        if answered.kind == "question":
            # An article answering for a silent topic that gives way to it (`Intent.yields_to`: "is there a right to
            # erasure under GDPR?" is Art. 9) and that the message names by its own keywords: the silence still says
            # what the policy does not address (it names no foreign law), when it asks to (`noted_when_yielding`).
            return tuple(self._intents[n].id for n in named if self._intents[n].noted_when_yielding
                         and answered.id in self._intents[n].yields_to)
        if answered.kind != "silent" or answered.id == "others_data":
            return ()
        return tuple(self._intents[n].id for n in named
                     if self._intents[n].id not in (answered.id, "others_data"))

    def _purpose_list(self, silent: Intent, cues: CueScores, text: str) -> Intent | None:
        """Article 3's question intent when a use the purpose list does not name (`Intent.unlisted_use`: AI training,
        selling) is asked about against that list ("…or is that not one of the uses you list?"): the answer is the
        list itself, and the reply adds that the policy does not mention the use (`Match.also`)."""
        if not silent.unlisted_use:
            return None
        if self.cues.purpose_change.score(text) > 0:
            # asked as a new purpose the company would have to announce first: Art. 3(2) says when it is (round 19)
            return self.catalog.question_for_article(3, paragraph=2)
        if cues.purpose_list <= 0:
            return None
        return self.catalog.question_for_article(3)

    def _silent_aspect(self, s: "_Scores", top_score: float, top_topic: Intent) -> Intent | None:
        """The silent topic whose own keywords the message uses, when it scores near the best topic, or whatever it
        scores when the silent topic outranks the best one (`Intent.outranks`: 'do you sell data to third parties?')."""
        outranking = [n for n in self._outranks.get(top_topic.id, ()) if s.evidence[n] > 0]
        if outranking:
            return self._intents[max(outranking, key=lambda n: s.total[n])]
        candidates = np.where(self._is_silent & (s.evidence >= self.t.silent_keyword_evidence), s.total, -np.inf)
        best = int(np.argmax(candidates))
        if not np.isfinite(candidates[best]) or candidates[best] < top_score * self.t.silent_share:
            return None
        if self._intents[best].id == "others_data" and self._acts_for(s):
            # A representative asking about the procedure for the person they act for ("may I get my father's phone
            # number fixed for him?"): not someone else's data (whose data `intents.others` reads; it found none), round 7
            return None
        if top_topic.id in self._intents[best].yields_to \
                and s.evidence[self._index[top_topic.id]] >= self.t.silent_keyword_evidence:
            return None  # the silence gives way to a topic the message names by keyword (`Intent.yields_to`)
        return self._intents[best]

    def _acts_for(self, s: "_Scores") -> bool:
        """True when the writer says they act for another person (a representative, guardian, on her behalf, 代理人)."""
        others = self.cues.others
        own = s.structure.own
        return others is not None and others.acts_for(own, fold(own), s.lang == "ja" or cjk_share(own) > 0)

    def _yielded(self, s: "_Scores", silent: Intent, topics: list[int]) -> int | None:
        """The first of `topics` that `silent` gives way to (`Intent.yields_to`) and the message names by keyword with a
        score that would answer, else None."""
        for i in topics:
            if self._intents[int(self._topic[i])].id in silent.yields_to \
                    and s.evidence[i] >= self.t.silent_keyword_evidence and s.gate[i] >= self.t.fallback_score:
                return i
        return None

    def _yielded_request(self, s: "_Scores", silent: Intent, topics: list[int],
                         cues: CueScores) -> tuple[Intent, float] | None:
        """The request the best article topic of `topics` gives for a request made now, when `silent` gives way to that
        request's question topic (`Intent.yields_to`), with the topic's score; else None. The topic needs no keyword
        of its own: the silence's words (a child's age) took the message, the request cues say what it asks."""
        article = next((i for i in topics if not self._articleless[i] and s.gate[i] >= self.t.fallback_score), None)
        if article is None:
            return None
        request = self._request_for(self._intents[int(self._topic[article])], float(s.total[article]), s, cues)
        if request is None or self._intents[int(self._topic[self._index[request.id]])].id not in silent.yields_to:
            return None
        return request, float(s.total[article])

    def _named_request(self, s: "_Scores", cues: CueScores) -> int | None:
        """The request intent whose type the message's verbs name, when exactly one is named and it scores what would
        answer. (It needs no keywords of its own: the verbs name it, round 14.)"""
        if cues.request - cues.question < self.t.request_cue:
            return None
        verbs = self.cues.request_types(cues)
        if len(verbs) != 1:
            return None
        named = self.catalog.request_for_type(next(iter(verbs)))
        if named is None:
            return None
        index = self._index[named.id]
        if s.gate[index] < self.t.fallback_score:
            return None
        return index

    def _verb_named_topic_request(self, s: "_Scores", cues: CueScores, top_score: float) -> int | None:
        """The request of a topic within `request_redirect_margin` of the best (its own request, or the one the catalog
        declares for it), when the verbs name exactly that request type; the best-scoring such topic, else None."""
        verbs = self.cues.request_types(cues)
        if len(verbs) != 1:
            return None
        wanted = next(iter(verbs))
        best, found = -np.inf, None
        for n, intent in enumerate(self._intents):
            if intent.kind != "question" or top_score - s.total[n] > self.t.request_redirect_margin:
                continue
            request = self._request_of_topic.get(n)
            if request is None and intent.request_as is not None:
                declared = self.catalog.request_for_type(intent.request_as)
                request = self._index[declared.id] if declared is not None else None
            if request is not None and self._intents[request].request_type == wanted and s.total[n] > best:
                best, found = float(s.total[n]), request
        return found

    def _request_for(self, topic: Intent, top_score: float, s: "_Scores", cues: CueScores) -> Intent | None:
        """The request intent when the message makes a formal request now, else None."""
        request_index = self._request_of_topic.get(self._index[topic.id])
        #: True when the request is only a guess from a topic without a request of its own (the one the catalog declares
        #: for it, or the nearest request by score), which a request type the verbs name alone overrides at any
        #: distance (round 14).
        guessed = False
        if request_index is None and topic.request_as is not None:
            # The catalog says what a demand on this topic amounts to (Article 3 -> purpose notification),
            # unless another request clearly fits better ("...those mailers. Please suspend any use"). When the
            # verbs name the declared request ("what are you using MY data for? … consider this a formal request"),
            # it stands, whatever a stray word shares with another request's phrasings.
            declared = self.catalog.request_for_type(topic.request_as)
            if declared is not None:
                request_index = self._index[declared.id]
                guessed = True
                best = int(np.argmax(np.where(self._is_request, s.total, -np.inf)))
                if s.total[best] - s.total[request_index] > self.t.request_redirect_margin / 3 \
                        and declared.request_type not in self.cues.request_types(cues):
                    request_index, guessed = best, False
        if request_index is None:
            # Otherwise a demand about a topic with no request of its own is a request on the nearest
            # topic that has one, if it is close.
            requests = np.where(self._is_request, s.total, -np.inf)
            nearest = int(np.argmax(requests))
            if not np.isfinite(requests[nearest]) or top_score - requests[nearest] > self.t.request_redirect_margin:
                # Far from every request by topic, a request named by its verb still stands when that request has
                # evidence of its own: a formal letter requesting disclosure that also asks about data obtained from
                # other services (Art. 2) is a disclosure request.
                named = self._named_request(s, cues)
                if named is None:
                    return None
                nearest = named
            request_index, guessed = nearest, True
        request = self._intents[request_index]
        #: True when the topic itself gives this request; a request only reached as the nearest one is no correction the
        #: topic asked for, so its verbs may still name another type.
        from_topic = True
        if request.request_type == "inquiry" and cues.person <= 0:
            # Asking for a person always names one (staff, a human, a complaint, call me…). A demand that only
            # landed on the contact topic through generic words ("the information your company has about me")
            # is a demand on the nearest other request, if one is close.
            others = np.where(self._is_request, s.total, -np.inf)
            others[request_index] = -np.inf
            nearest = int(np.argmax(others))
            named = self._verb_named_topic_request(s, cues, top_score)
            if named is not None:
                # …or on the request a close topic gives that the verbs name ("…for what purpose you use my email
                # address, please answer in writing": Art. 3's declared request, purpose notification).
                nearest = named
            elif not np.isfinite(others[nearest]) or top_score - others[nearest] > self.t.request_redirect_margin:
                return None
            request_index = nearest
            request = self._intents[request_index]
            from_topic = False
        # A correction the message names (its keywords, a stated error) keeps its type whatever the verbs (deleting
        # untrue data is a correction, Art. 8); one the topic gave on shared vocabulary alone does not.
        named_correction = from_topic and max(s.evidence[request_index], s.evidence[int(self._topic[request_index])]) > 0
        overridable = (request.request_type != "correction" or not named_correction) and (
            request.request_type != "inquiry" or cues.person < self.t.person_cue)
        verbs = self.cues.request_types(cues) if overridable else frozenset()
        if verbs and request.request_type not in verbs:
            # The verb says what is asked for ("…the whole story about billing. Please erase my data."): when the
            # request the topic gives has no verb here and other types do, the best of those, if close. Not for a
            # correction (deleting untrue data is one, Art. 8) nor for a clear ask for a person.
            verbed = [self._index[i.id] for i in self._intents
                      if i.kind == "request" and i.request_type in verbs]
            best = max(verbed, key=lambda i: s.total[i])
            # The third-party stop named by its verbs, which name the recipient too (another company, partners), is taken
            # over the suspension of the same article at any distance: the topic is right, the verbs say which of its
            # requests ("同意してないので他社に情報を流すのを止めて": the consent words score the suspension), round 8. Not the
            # other way: a deletion verb beside third-party sharing ("remove me from third party sharing") stays the stop.
            # A request only guessed from a topic without one of its own gives way to the one type the verbs name,
            # wherever it scores ("…used your app at her friend's house. I want to see whatever info you collected about
            # her": the collecting words draw Art. 2, whose nearest request was the purpose notification; the verbs ask
            # for the data itself), round 14.
            if top_score - s.total[best] <= self.t.request_redirect_margin or (
                    self._intents[best].request_type == "third_party_stop"
                    and self._intents[best].article == request.article) or (
                    guessed and len(verbs) == 1):
                request_index = best
                request = self._intents[request_index]
        twin = int(self._topic[request_index])
        # How much more the message resembles the request's phrasings than the question's.
        lean = float(s.examples[request_index] - s.examples[twin])
        # The lean only tips a message that has some request cue: a bare topic word is never a request.
        if cues.request > 0 and cues.balance + self.t.request_lean_weight * lean >= self.t.request_cue:
            return request
        return None


@dataclass(frozen=True)
class _Scores:
    """Per-intent score arrays for one message (catalog order)."""

    norm: Normalized
    lang: str
    total: np.ndarray
    examples: np.ndarray
    evidence: np.ndarray
    lexical: np.ndarray
    has_evidence: np.ndarray
    structure: Structure
    #: Per intent, the score that decides whether it matches at all (`total` ranks): see `Matcher._arrays`.
    gate: np.ndarray
    #: True when the ask sentences named a topic of their own and were blended in.
    ask_used: bool = False
    #: Kana writing as the cues read it (`KanaReader.for_cues`), or None: they read `norm.cleaned`.
    cue_text: str | None = None

    @property
    def read_text(self) -> str:
        """The text the purpose readings search: kana writing as the cues read it, else the normalised text."""
        return self.norm.text if self.cue_text is None else self.cue_text
