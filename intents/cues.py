"""Linguistic cues (data in `intents/cues.toml`): request-now vs question, reaching a person, hostility."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Sequence

from intents.cue_needs import (Branch, Firsts, Leads, Needs, aligned_after, branches, firsts, leads, needs,
                               parsed_pattern, starts_non_ascii)
from intents.normalize import fold, has_cjk_letter
from intents.others import OthersReader, load_others
from intents.scan_gate import ScanGate
from intents.structure import is_formula, is_hypothetical_question, is_statement, may_not_ask
from intents.typos import fix_verbs

CUES_FILE = Path(__file__).parent / "cues.toml"
#: Authority points for a message that asks for someone else's personal data (`intents.others`): a refusal.
OTHERS_WEIGHT = 4.0
#: Sentence ends: after 。！？!? and newlines, and after a full stop followed by a space or the end; a full stop inside a
#: word (an e-mail address, a domain, "3.5") ends nothing (round 7: "use taro.k@example.jp from now on" is one sentence).
#: A label before a colon ends too when a question opens after it ("Vendor questionnaire item 4.2: Does the policy
#: cover…?", "Q7: Do you share…?"): the question starts its own sentence, so the question cues read its opening (round 8).
#: What the writer's own account identifier given ([account]) adds to the request cues: on its own, with a policy
#: topic and no question cue, enough to make the message a request (a bare topic word never is).
ACCOUNT_WEIGHT = 1.5
#: What a correction stated rather than asked for adds to the request cues ([correction_record] and [correction_fix] in
#: one message's statements: "the number on my profile is my old flat's, mine is …", round 9).
STATED_CORRECTION_WEIGHT = 2.0
#: What a demand for the use of the writer's own data adds to the request cues ([own_purpose] and [demand], round 9).
DEMANDED_PURPOSE_WEIGHT = 2.0
#: What the represented person's wish, relayed by a writer who acts for them, adds to the request cues ([relayed_wish]).
RELAYED_WISH_WEIGHT = 2.0
_SENTENCE_END = re.compile(
    r"(?<=[!?。！？\n])|(?<=\.)(?=\s|$)"
    r"|(?<=:)(?=\s*(?i:does|do|did|is|are|was|were|can|could|will|would|should|may|has|have|how|what|which|who|whom|"
    r"when|where|why)\b)"
    # … and before an imperative (round 19: "So, same deal here: show me everything you've stored about me.")
    r"|(?<=:)(?=\s*(?i:please|pls|plz|kindly|show|send|give|delete|erase|remove|stop|fix|correct|update|email|export|"
    r"forward|hand|tell|open|file|close|cancel)\b)")
#: Quoted words: 「…」, 『…』, "…", “…” (a typo reported on the site quotes the text it is in).
_QUOTED = re.compile(r'「[^」\n]*」|『[^』\n]*』|"[^"\n]*"|“[^”\n]*”')
#: Texts at least this long also test each pattern's other needs (`intents.cue_needs`) before running it: there a
#: search costs far more than a few substring tests, and a word gate alone usually passes.
NEEDS_MIN_CHARS = 300


class CueError(ValueError):
    """cues.toml is malformed; the message names the section and the pattern."""


@dataclass(frozen=True)
class CueSet:
    patterns: tuple[tuple[re.Pattern[str], float], ...]
    #: Per pattern, a cheap necessary condition (see `_gate`), or None to always run the pattern.
    prefilters: tuple["_Gate | None", ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.prefilters) != len(self.patterns):
            object.__setattr__(self, "prefilters", tuple(_gate(p) for p, _ in self.patterns))
        # The word gates as one index (word or word beginning -> the patterns it lets run): a text's words are looked
        # up once per set instead of once per pattern. Patterns without a gate always run; regex gates search.
        by_word: dict[str, list[int]] = {}
        by_start: dict[str, list[int]] = {}
        for index, gate in enumerate(self.prefilters):
            if gate is not None and gate.regex is None:
                for word in gate.complete:
                    by_word.setdefault(word, []).append(index)
                for start in gate.prefix:
                    by_start.setdefault(start, []).append(index)
        object.__setattr__(self, "_by_word", {w: tuple(i) for w, i in by_word.items()})
        object.__setattr__(self, "_by_start", {w: tuple(i) for w, i in by_start.items()})
        # Word of a text -> the patterns its word gates let run for it (whole word or beginnings), memoised (bounded):
        # a text's words are then one dictionary look-up each, with no beginnings of them made.
        object.__setattr__(self, "_word_memo", {})
        object.__setattr__(self, "_ungated", tuple(i for i, g in enumerate(self.prefilters) if g is None))
        # On long texts the gates pass more often than not: a pattern whose other needs are unmet is not run either.
        object.__setattr__(self, "_needs", tuple(needs(p) for p, _ in self.patterns))
        # A short text runs its ungated patterns only when their needs hold (the SQL/base64 hostility pattern, ~16 µs a
        # search, needs a quote, "select", "eval"…, or a run of 20 base64 characters); gated ones go by their gates.
        object.__setattr__(self, "_ungated_short", tuple(i for i in self._ungated if self._needs[i] is None))
        object.__setattr__(self, "_ungated_needs", tuple((i, self._needs[i]) for i in self._ungated
                                                         if self._needs[i] is not None))
        object.__setattr__(self, "_regex_gated", tuple((i, g.regex) for i, g in enumerate(self.prefilters)
                                                       if g is not None and g.regex is not None))
        # … and on long texts a pattern whose matches start with known words is tried only where those words are.
        object.__setattr__(self, "_leads", tuple(leads(p) for p, _ in self.patterns))
        # … and one that `re` would try at every position (a lookbehind or a group of alternatives first), where one
        # of the characters its matches start with is (Japanese patterns: `intents.cue_needs.Firsts`).
        object.__setattr__(self, "_firsts", tuple(firsts(p) if lead is None else None
                                                  for (p, _), lead in zip(self.patterns, self._leads)))
        # … and one with neither, a choice of alternatives with needs of their own: only those whose needs hold (the
        # SQL-injection pattern, ~150 µs a long English text, has ten; "delete … from" alone holds on most of them).
        object.__setattr__(self, "_branches", tuple(
            branches(p, need) if lead is None and first is None else None
            for (p, _), need, lead, first in zip(self.patterns, self._needs, self._leads, self._firsts)))
        # A pattern every match of which starts with a character outside ASCII (a Japanese pattern) cannot match a text
        # that is all ASCII (most English messages): on such a text it is neither gated nor run.
        non_ascii = frozenset(i for i, (p, _) in enumerate(self.patterns) if starts_non_ascii(p))
        object.__setattr__(self, "_non_ascii", non_ascii)
        object.__setattr__(self, "_ascii_ungated", tuple(i for i in self._ungated if i not in non_ascii))
        object.__setattr__(self, "_ascii_ungated_short", tuple(i for i in self._ungated_short if i not in non_ascii))
        object.__setattr__(self, "_ascii_ungated_needs", tuple(p for p in self._ungated_needs if p[0] not in non_ascii))
        object.__setattr__(self, "_ascii_regex_gated", tuple(p for p in self._regex_gated if p[0] not in non_ascii))
        # One Hyperscan pass tells which patterns may match a text (`intents.scan_gate`), once it has compiled them;
        # until then, or without Hyperscan, the gates above.
        object.__setattr__(self, "_scan", ScanGate([p for p, _ in self.patterns]))
        # The empty text (the Japanese sets' text for an English message, and the reverse) always scores the same:
        # worked out once here, the same way as any text.
        object.__setattr__(self, "_empty_score", self._score("", TextView("")))
        object.__setattr__(self, "_empty_finds", self._finds("", TextView("")))

    def score(self, lines: str, view: "TextView | None" = None) -> float:
        """Sum of the weights of the patterns found in `lines` (one sentence per line; each pattern counts
        once). Patterns are compiled MULTILINE, so ^ and $ anchor at sentence boundaries. A pattern whose gate
        finds none of the strings every match of it contains is not run: it cannot match. `view` is `lines`
        already split into words (`TextView`), when the caller scores the same text with several sets."""
        if not lines:
            return self._empty_score  # type: ignore[attr-defined, no-any-return]
        return self._score(lines, view if view is not None and view.text is lines else TextView(lines))

    def _score(self, lines: str, view: "TextView") -> float:
        patterns = self.patterns
        allowed = self._allowed(lines, view)
        if len(lines) >= NEEDS_MIN_CHARS:
            total = sum(())
            for i in allowed:
                if self._found(i, lines, view):
                    total += patterns[i][1]
            return total
        return sum(patterns[i][1] for i in allowed if patterns[i][0].search(lines))

    def removed(self, text: str) -> str:
        """`text` with every match of each pattern replaced by a space, pattern after pattern in order (what
        `for p, _ in patterns: text = p.sub(" ", text)` gives). A pattern whose gate the text as it stands does not
        pass has no match there and is skipped: on a long message most of the 30-odd searches were for nothing
        (round 12: the work-object removal was a sixth of the slowest long messages' matching)."""
        view = TextView(text)
        ascii = text.isascii()
        non_ascii: frozenset[int] = self._non_ascii  # type: ignore[attr-defined]
        for i, (pattern, _) in enumerate(self.patterns):
            if ascii and i in non_ascii:
                continue
            gate = self.prefilters[i]
            if gate is not None and not gate.allows(view):
                continue
            text, count = pattern.subn(" ", text)
            if count:
                view, ascii = TextView(text), text.isascii()
        return text

    def finds(self, lines: str, view: "TextView | None" = None) -> bool:
        """True when one of the patterns is found in `lines` (`score(lines) > 0` for positive weights), with the same
        gates, stopping at the first found; the needs are tested on short texts too (a set whose word gates are
        common words, as the whose-data trigger's "my", "for", "the", gains from them)."""
        if not lines:
            return self._empty_finds  # type: ignore[attr-defined, no-any-return]
        return self._finds(lines, view if view is not None and view.text is lines else TextView(lines))

    def _finds(self, lines: str, view: "TextView") -> bool:
        return any(self._found(i, lines, view) for i in self._allowed(lines, view))

    def _found(self, i: int, lines: str, view: "TextView") -> bool:
        """Pattern `i` is found in `lines`: its needs hold, and it is found (on a long text, where its leading words
        are)."""
        need: Needs | None = self._needs[i]  # type: ignore[attr-defined]
        pattern = self.patterns[i][0]
        if len(lines) < NEEDS_MIN_CHARS:
            if need is not None and not need.allows(lines, view):
                return False
            return pattern.search(lines) is not None
        if need is not None:
            parts: tuple[Branch, ...] | None = self._branches[i]  # type: ignore[attr-defined]
            if parts is None:
                if not need.allows(lines, view):
                    return False
            else:
                # A long text: the pattern's alternatives whose needs hold, each searched alone when not all do.
                holding = need.holding(lines, view)
                if len(holding) < len(parts):
                    return any(parts[k].found(lines, view) for k in holding)
        lead: Leads | None = self._leads[i]  # type: ignore[attr-defined]
        if lead is not None:
            return lead.found(pattern, lines, view)
        first: Firsts | None = self._firsts[i]  # type: ignore[attr-defined]
        if first is not None:
            return first.found(pattern, lines)
        return pattern.search(lines) is not None

    def _allowed(self, lines: str, view: "TextView") -> list[int]:
        """The patterns that may match `lines`, in pattern order (so weights add up in the same order)."""
        scanned = self._scan.candidates(lines)  # type: ignore[attr-defined]
        if scanned is not None:
            return sorted(scanned)
        # Which patterns may match (exactly the ones whose gate allows the text, see `_Gate.allows`) …
        short = len(lines) < NEEDS_MIN_CHARS
        # (on a text all ASCII, the patterns whose matches start outside ASCII are left out: they cannot match it)
        ascii = bool(self._non_ascii) and lines.isascii()  # type: ignore[attr-defined]
        if short:
            allowed = set(self._ascii_ungated_short if ascii else self._ungated_short)  # type: ignore[attr-defined]
            allowed.update(i for i, need in (self._ascii_ungated_needs if ascii else self._ungated_needs)  # type: ignore[attr-defined]
                           if need.allows(lines, view))
        else:
            allowed = set(self._ascii_ungated if ascii else self._ungated)  # type: ignore[attr-defined]
        allowed.update(i for i, regex in (self._ascii_regex_gated if ascii else self._regex_gated)  # type: ignore[attr-defined]
                       if regex.search(lines))
        if short:
            # … the word gates of a short text through the memo: the patterns each of its words lets run
            # (`_word_patterns`), with no beginnings of its words made …
            memo: dict[str, tuple[int, ...]] = self._word_memo  # type: ignore[attr-defined]
            get = memo.get
            for word in view.words:
                ids = get(word)
                if ids is None:
                    ids = self._word_patterns(word)
                if ids:
                    allowed.update(ids)
        else:
            # … those of a long one by intersecting its words and their beginnings (which the needs below read
            # too) with the index: the same patterns, fewer steps in Python for hundreds of words.
            by_word: dict[str, tuple[int, ...]] = self._by_word  # type: ignore[attr-defined]
            for word in view.words.intersection(by_word):
                allowed.update(by_word[word])
            by_start: dict[str, tuple[int, ...]] = self._by_start  # type: ignore[attr-defined]
            if by_start:
                for start in view.prefixes.intersection(by_start):
                    allowed.update(by_start[start])
        if ascii:
            allowed.difference_update(self._non_ascii)  # type: ignore[attr-defined]
        # … then those, in pattern order, so the weights add up in the same order as before.
        return sorted(allowed)

    def _word_patterns(self, word: str) -> tuple[int, ...]:
        """The patterns whose word gate `word` passes: it is one of the gate's words, or one of the gate's word
        beginnings (up to `_PREFIX_MAX` characters) begins it. The same sets as intersecting a text's words and
        their beginnings (`TextView.prefixes`) with the index, one word at a time; remembered (bounded)."""
        by_word: dict[str, tuple[int, ...]] = self._by_word  # type: ignore[attr-defined]
        by_start: dict[str, tuple[int, ...]] = self._by_start  # type: ignore[attr-defined]
        found = set(by_word.get(word, ()))
        if by_start:
            for n in range(1, min(len(word), _PREFIX_MAX) + 1):
                found.update(by_start.get(word[:n], ()))
        ids = tuple(sorted(found))
        memo: dict[str, tuple[int, ...]] = self._word_memo  # type: ignore[attr-defined]
        if len(memo) >= _WORD_MEMO_SIZE:
            memo.clear()
        memo[word] = ids
        return ids


# -- gates ----------------------------------------------------------------------------------------
# Most cue patterns start with `\b(?:word|word|…)`, which Python's `re` cannot scan for quickly (no literal or
# first-character prefix), so each search tries the whole pattern at every position. Every match of such a pattern
# contains one of a few literal strings, and where the pattern puts a word boundary before them, each one starts
# a word of the text. So a pattern is only run when the text has one of those words (a set test over the text's
# words, made once per text), or, for strings that need not start a word, when a plain alternation of them (which
# `re` scans by first character) finds one. The answer is exactly the same, only cheaper (profile: `Cues.score`
# was a quarter of `Matcher.match`, see benchmarks/RESULTS.md).
_MAX_REGEX_STRINGS = 40
_WORD = re.compile(r"\w+")
_WORD_START = re.compile(r"\w")


class TextView:
    """A text with its words (maximal `\\w` runs, what `\\b` delimits) and the beginnings of those words."""

    __slots__ = ("text", "words", "_prefixes")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = frozenset(_WORD.findall(text))
        self._prefixes: frozenset[str] | None = None

    @property
    def prefixes(self) -> frozenset[str]:
        if self._prefixes is None:
            # Each word's beginnings from a memo of words (bounded): a long message's views (folded, the request
            # sentences, the hostility text, folded + Japanese) share most of their words.
            memo = _BEGINNINGS
            get = memo.get
            parts = []
            for word in self.words:
                starts = get(word)
                if starts is None:
                    starts = tuple(word[:n] for n in range(1, min(len(word), _PREFIX_MAX) + 1))
                    if len(memo) >= _WORD_MEMO_SIZE:
                        memo.clear()
                    memo[word] = starts
                parts.append(starts)
            self._prefixes = frozenset(chain.from_iterable(parts))
        return self._prefixes

    def has_any(self, complete: frozenset[str], prefix: frozenset[str]) -> bool:
        """True when one of `complete` is a word of the text or one of `prefix` begins one."""
        return not complete.isdisjoint(self.words) or (bool(prefix) and not prefix.isdisjoint(self.prefixes))


_PREFIX_MAX = 24  # longest word beginning a gate tests (longer ones make no word gate)
#: Words remembered per cue set (`CueSet._word_patterns`) and for their beginnings (`TextView.prefixes`); a memo
#: starts over when full.
_WORD_MEMO_SIZE = 20_000
#: Word -> its beginnings of up to `_PREFIX_MAX` characters (`TextView.prefixes`).
_BEGINNINGS: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class _Gate:
    complete: frozenset[str] = frozenset()  # one of these is a whole word of any text the pattern matches …
    prefix: frozenset[str] = frozenset()    # … or one of these begins a word of it
    regex: re.Pattern[str] | None = None    # otherwise: this finds one of the strings every match contains

    def allows(self, view: TextView) -> bool:
        if self.regex is not None:
            return self.regex.search(view.text) is not None
        return view.has_any(self.complete, self.prefix)


_Strings = frozenset[tuple[str, bool]]  # (string, whether a word of the text starts where it starts)


def _required(items: Sequence[tuple[Any, Any]], at_word_start: bool) -> tuple[_Strings | None, _Strings | None]:
    """For the parsed pattern `items`: (strings one of which every match contains, the most selective such set;
    the most selective set whose strings all start a word of the text), each None when none can be named.

    A sequence needs what any one of its items needs (a literal run, a group, a branch's union, a repeat of at
    least one). A position is known to start a word after `\\b` or `^` (zero-width assertions keep it), when the
    string starts with a word character. Classes, wildcards and optional items name nothing."""
    from re import _constants as c  # type: ignore[attr-defined]  # the parser's opcodes (CPython's re internals)

    best: list[_Strings | None] = [None, None]

    def rank(strings: _Strings, slot: int) -> tuple[int, int]:
        if slot:  # a word gate tests the first word of each string
            return min(len(_WORD.match(s).group()) for s, _ in strings), -len(strings)  # type: ignore[union-attr]
        return min(len(s) for s, _ in strings), -len(strings)

    def consider(candidates: tuple[_Strings | None, _Strings | None]) -> None:
        for slot, candidate in enumerate(candidates):
            if not candidate or not all(s for s, _ in candidate):
                continue
            current = best[slot]
            if current is None or rank(candidate, slot) > rank(current, slot):
                best[slot] = candidate

    def literal(text: str, aligned: bool) -> tuple[_Strings, _Strings | None]:
        aligned = aligned and bool(_WORD_START.match(text))
        strings = frozenset([(text, aligned)])
        return strings, strings if aligned else None

    run: list[str] = []
    run_aligned = False
    aligned = at_word_start
    for op, av in items:
        if op is c.LITERAL:
            if not run:
                run_aligned = aligned
            run.append(chr(av))
            # After a character that is not a word character, a string starting with one starts a word ("my ex":
            # "ex" starts a word); `literal` checks the string's first character.
            aligned = not _WORD_START.match(run[-1])
            continue
        if run:
            consider(literal("".join(run), run_aligned))
            run = []
        if op is c.AT:
            aligned = aligned_after(av, aligned)
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the position is unchanged
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & (re.IGNORECASE | re.LOCALE):
                consider(_required(sub, aligned))
        elif op is c.BRANCH:
            alternatives = [_required(alternative, aligned) for alternative in av[1]]
            consider(tuple(  # type: ignore[arg-type]
                frozenset().union(*(a[slot] for a in alternatives))  # type: ignore[arg-type]
                if all(a[slot] is not None for a in alternatives) else None for slot in (0, 1)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            minimum, _maximum, sub = av
            if minimum >= 1:
                consider(_required(sub, aligned))
        elif op is c.ATOMIC_GROUP:
            consider(_required(av, aligned))
        elif op is c.IN and all(kind is c.LITERAL for kind, _ in av):
            consider((frozenset((chr(code), False) for _, code in av), None))
        aligned = False
    if run:
        consider(literal("".join(run), run_aligned))
    return best[0], best[1]


def _gate(pattern: re.Pattern[str]) -> _Gate | None:
    """The cheapest exact necessary condition for `pattern` to match, or None when none helps."""
    try:
        from re import _compiler  # type: ignore[attr-defined]  # CPython's own, see above

        parsed = parsed_pattern(pattern)
        flags = parsed.state.flags
        if flags & (re.IGNORECASE | re.LOCALE):
            return None
        overall, words = _required(parsed, False)
        prefix, _skip, _all = _compiler._get_literal_prefix(parsed, flags)
        scanned = bool(prefix or _compiler._get_charset_prefix(parsed, flags))
    except (ImportError, AttributeError, TypeError, ValueError, re.error):  # other Pythons: no gates
        return None
    if words and min(len(_WORD.match(s).group()) for s, _ in words) >= 2:  # type: ignore[union-attr]
        complete, beginning = set(), set()
        for string, _ in words:
            first = _WORD.match(string)
            assert first is not None
            if first.end() < len(string):
                complete.add(first.group())
            elif len(string) <= _PREFIX_MAX:
                beginning.add(string)
            else:
                complete = beginning = set()
                break
        if complete or beginning:
            return _Gate(frozenset(complete), frozenset(beginning))
    if scanned or not overall or len(overall) > _MAX_REGEX_STRINGS:
        return None  # `re` already scans this pattern by its first characters, or nothing cheaper exists
    return _Gate(regex=re.compile("|".join(re.escape(s) for s in sorted(s for s, _ in overall))))


@dataclass(frozen=True)
class CueScores:
    request: float
    question: float
    person: float
    hostile: float
    offtopic: float = 0.0
    #: Of `hostile`, the part that asks for someone else's data or claims authority over it.
    authority: float = 0.0
    #: Personal data named as an object (my data, account, 個人情報…): what separates a privacy request from work
    #: chatter with a request verb ("stop sending me calendar invites").
    data_object: float = 0.0
    #: Site content or finished work named where the message ends (a typo on the homepage, an archived project): with
    #: no personal data named, the message is product support whatever its verbs (also counted in `offtopic`).
    work_object: float = 0.0
    #: A question asked against the purpose list of Article 3(1) ("is that one of the uses you list?").
    purpose_list: float = 0.0
    #: Another company's own practices or settings ("does tiktok sell my data", 「LINEのプライバシー設定」), with this
    #: company not named and its sharing not asked about ([ours]): out of scope.
    elsewhere: float = 0.0
    #: Abuse aimed at the assistant, the company or its policy ("to hell with this assistant", 「ポンコツAI」): with
    #: no question, request or personal data beside it, the message asks nothing of the policy (round 8).
    abuse: float = 0.0
    #: A correction stated, not asked for: a detail as the company holds it and that it is wrong or what the right one
    #: is, in the message's statements ([correction_record], [correction_fix], round 9); 1.0 or 0.0.
    stated_correction: float = 0.0
    #: What the writer's own data is used for, demanded ([own_purpose], [demand] in the request sentences); 1.0 or 0.0.
    demanded_purpose: float = 0.0
    #: The sentences the request cues read (English folded, Japanese raw), for `Cues.request_types`.
    request_text: tuple[str, str] = field(default=("", ""), compare=False, repr=False)

    @property
    def balance(self) -> float:
        return self.request - self.question


@dataclass(frozen=True)
class Cues:
    request_en: CueSet
    request_ja: CueSet
    question_en: CueSet
    question_ja: CueSet
    person_en: CueSet
    person_ja: CueSet
    hostile: CueSet
    offtopic: CueSet
    statement_en: CueSet = field(default_factory=lambda: CueSet(()))
    statement_ja: CueSet = field(default_factory=lambda: CueSet(()))
    authority: CueSet = field(default_factory=lambda: CueSet(()))
    data_object: CueSet = field(default_factory=lambda: CueSet(()))
    work_object: CueSet = field(default_factory=lambda: CueSet(()))
    purpose_list: CueSet = field(default_factory=lambda: CueSet(()))
    #: A use the list does not name asked about as a new purpose to be announced (Art. 3(2)); read by the matcher
    #: only where `purpose_list` is (not scored for every message).
    purpose_change: CueSet = field(default_factory=lambda: CueSet(()))
    elsewhere: CueSet = field(default_factory=lambda: CueSet(()))
    ours: CueSet = field(default_factory=lambda: CueSet(()))
    abuse: CueSet = field(default_factory=lambda: CueSet(()))
    #: A named person's data (田中様の個人情報): hostile unless the writer represents that person (`OthersReader.acts_for`).
    named_other: CueSet = field(default_factory=lambda: CueSet(()))
    #: An imperative opening a clause after a comma, colon, dash or arrow ("no longer a customer, delete my data",
    #: "my email changed → x@y, update ur records"): read on the request sentences' later clauses (`_clauses`).
    clause_en: CueSet = field(default_factory=lambda: CueSet(()))
    #: Request-type verbs, one alternation per language with a named group per type (`_verb_pattern`): one scan
    #: of the request sentences finds every type named, instead of one search per type.
    verbs_en: re.Pattern[str] | None = None
    verbs_ja: re.Pattern[str] | None = None
    #: Whose data a message asks for (`intents/others.toml`): someone else's, unless the writer acts for them.
    others: OthersReader | None = None
    #: The detail is said to be untrue or replaced ([untrue]): deleting it beside a correction verb is the correction.
    untrue_en: CueSet = field(default_factory=lambda: CueSet(()))
    untrue_ja: CueSet = field(default_factory=lambda: CueSet(()))
    #: One detail named (a number, an address, an entry), not the data as a whole ([detail]).
    detail_en: CueSet = field(default_factory=lambda: CueSet(()))
    detail_ja: CueSet = field(default_factory=lambda: CueSet(()))
    #: Everything the company holds on the writer erased, and a verb that hands data over ([erase_held], [hand_over]).
    erase_held_en: CueSet = field(default_factory=lambda: CueSet(()))
    hand_over_en: CueSet = field(default_factory=lambda: CueSet(()))
    #: The writer's own account identifier given ([account]), read on the raw request sentences.
    account: CueSet = field(default_factory=lambda: CueSet(()))
    #: A detail as the company holds it, and that it is wrong or what replaces it ([correction_record], [correction_fix]).
    correction_record_en: CueSet = field(default_factory=lambda: CueSet(()))
    correction_record_ja: CueSet = field(default_factory=lambda: CueSet(()))
    correction_fix_en: CueSet = field(default_factory=lambda: CueSet(()))
    correction_fix_ja: CueSet = field(default_factory=lambda: CueSet(()))
    #: The use of the writer's own data asked about, and a demand for the answer ([own_purpose], [demand]).
    own_purpose_en: CueSet = field(default_factory=lambda: CueSet(()))
    own_purpose_ja: CueSet = field(default_factory=lambda: CueSet(()))
    demand_en: CueSet = field(default_factory=lambda: CueSet(()))
    demand_ja: CueSet = field(default_factory=lambda: CueSet(()))
    demand_stated_en: CueSet = field(default_factory=lambda: CueSet(()))
    #: The represented person's wish relayed in the third person ([relayed_wish]): counts when the writer acts for them.
    relayed_wish_en: CueSet = field(default_factory=lambda: CueSet(()))
    relayed_wish_ja: CueSet = field(default_factory=lambda: CueSet(()))

    def score(self, cleaned: str, quoted_removed: str, folded_cleaned: str | None = None,
              ask: str | None = None) -> CueScores:
        """Score a message. `cleaned` is the whole NFKC-cleaned text (for hostility, which hides anywhere);
        `quoted_removed` the same without `> ` quoted lines, so someone else's quoted words are not taken
        as the user's own request. `folded_cleaned` is `fold(cleaned)` when the caller already has it."""
        raw_sentences = [s.strip() for s in _SENTENCE_END.split(quoted_removed) if s.strip()]
        folded_sentences = [fold(s) for s in raw_sentences]
        folded = "\n".join(folded_sentences)
        raw = "\n".join(raw_sentences)
        # Request cues read the sentences that could make a request now: not a question about a hypothetical case
        # ("if it were wrong, could you fix it?"), not a sign-off formula beside other sentences (「よろしくお願い
        # します。」), with misspelt request verbs read as the verbs ("delet my data").
        asking = [n for n, sentence in enumerate(raw_sentences) if not is_hypothetical_question(sentence)
                  and not (len(raw_sentences) > 1 and is_formula(sentence))] \
            if may_not_ask(quoted_removed) else raw_sentences
        if len(asking) == len(raw_sentences):
            request_folded, request_raw = folded, raw
            request_sentences = raw_sentences
        else:
            request_folded = "\n".join(folded_sentences[n] for n in asking)
            request_raw = "\n".join(raw_sentences[n] for n in asking)
            request_sentences = [raw_sentences[n] for n in asking]  # type: ignore[index]
        clauses = _clauses(request_sentences) if self.clause_en.patterns else ""
        fixed = fix_verbs(request_folded)
        request_folded = folded if fixed == folded else fixed
        hostile_text = cleaned.casefold() + "\n" + (fold(cleaned) if folded_cleaned is None else folded_cleaned)
        # Japanese patterns can only match Japanese script: skip them for messages that have none.
        japanese = raw if has_cjk_letter(raw) else ""  # cjk_share(raw) > 0
        request_japanese = _verbs_in_japanese(request_raw) if japanese else ""
        en, ja = TextView(folded), TextView(japanese)  # each split into words once for the three sets using it
        request_en = en if request_folded is folded else TextView(request_folded)
        request_ja = ja if request_japanese is japanese else TextView(request_japanese)
        # Requests made by stating facts ("the address you have is wrong") count only from statements.
        stated = [n for n, raw_sentence in enumerate(raw_sentences) if is_statement(raw_sentence)]
        stated_folded = "\n".join(folded_sentences[n] for n in stated)
        stated_raw = "\n".join(raw_sentences[n] for n in stated) if japanese else ""
        # the statements split into words once for the four sets reading them
        stated_view = TextView(stated_folded) if stated_folded else None
        stated_raw_view = TextView(stated_raw) if stated_raw else None
        statement = (self.statement_en.score(stated_folded, stated_view) if stated_folded else 0.0) + (
            self.statement_ja.score(stated_raw, stated_raw_view) if stated_raw else 0.0)
        stated_correction = 0.0
        if (stated_folded and (self.correction_record_en.finds(stated_folded, stated_view)
                               or (stated_raw and self.correction_record_ja.finds(stated_raw, stated_raw_view)))) \
                and (self.correction_fix_en.finds(stated_folded, stated_view)
                     or (stated_raw and self.correction_fix_ja.finds(stated_raw, stated_raw_view))):
            stated_correction = 1.0
            statement += STATED_CORRECTION_WEIGHT
        hostile_view = TextView(hostile_text)  # two sets read it: split into words once (on a long message, 0.1 ms)
        authority = self.authority.score(hostile_text, hostile_view)
        if authority and self.others is not None and self.others.acts_for(quoted_removed, folded, bool(japanese)):
            # A representative's letter naming the client ("the data you hold on Ms. Ito", "for user 4410") asks for the
            # client's data, as `named_other` below (round 9); acting against the person (`adverse`) is no such letter.
            authority = 0.0
        if self.others is not None and self.others.asks_for_others(quoted_removed, folded, bool(japanese), en):
            authority += OTHERS_WEIGHT
        named_other = self.named_other.score(hostile_text, hostile_view)
        if named_other and self.others is not None and self.others.acts_for(quoted_removed, folded, bool(japanese)):
            named_other = 0.0  # a representative's letter about their client (代理人, 委任状): the client's own request
        demanded_purpose = 0.0
        if (self.demand_en.finds(request_folded, request_en)
                or (request_japanese and self.demand_ja.finds(request_japanese, request_ja))
                or (stated_folded and self.demand_stated_en.finds(stated_folded, stated_view))) \
                and (self.own_purpose_en.finds(request_folded, request_en)
                     or (request_japanese and self.own_purpose_ja.finds(request_japanese, request_ja))):
            demanded_purpose = 1.0
        relayed = 0.0
        if (self.relayed_wish_en.finds(request_folded, request_en)
                or (request_japanese and self.relayed_wish_ja.finds(request_japanese, request_ja))) \
                and self.others is not None and self.others.acts_for(quoted_removed, folded, bool(japanese)):
            relayed = RELAYED_WISH_WEIGHT  # the principal's own request, through the representative writing (round 9)
        request = relayed + DEMANDED_PURPOSE_WEIGHT * demanded_purpose + (self.request_en.score(request_folded, request_en)
                   + self.request_ja.score(request_japanese, request_ja) + statement
                   + (self.clause_en.score(fix_verbs(clauses)) if clauses else 0.0)
                   + ACCOUNT_WEIGHT * min(1.0, self.account.score(request_raw)))  # one account named is enough
        if demanded_purpose and len(raw_sentences) > 1:
            stated_set = set(stated)
            # The question about the use of the writer's data that a demand in another sentence points back to ("what
            # are you doing with MY postcode? explain yourself.") is what is demanded, not a question of its own.
            kept = [n for n, (f, r) in enumerate(zip(folded_sentences, raw_sentences))
                    if self.demand_en.finds(f) or self.demand_ja.finds(r) or (n in stated_set and self.demand_stated_en.finds(f))
                    or not (self.own_purpose_en.finds(f) or self.own_purpose_ja.finds(r))]
            kept_folded = "\n".join(folded_sentences[n] for n in kept)
            kept_japanese = "\n".join(raw_sentences[n] for n in kept) if japanese else ""
            question = self._unasked(kept_folded, kept_japanese)
        elif demanded_purpose:
            question = self._unasked(folded, japanese)
        else:
            question = self.question_en.score(folded, en) + self.question_ja.score(japanese, ja)
        both = folded + "\n" + japanese
        both_view = TextView(both)  # two sets read it, as two read the tail: each split into words once
        tail = _tail_text(raw_sentences, folded_sentences) if not ask else _tail_text([ask])
        tail_view = TextView(tail)
        work_object = self.work_object.score(tail, tail_view)
        offtopic = self.offtopic.score(tail, tail_view) + work_object
        data_object = self.data_object.score(both, both_view)
        if data_object and work_object:
            # A typo reported on the site quotes the words it is in (「個人情報」が「個人情法」に…, "personal data" is
            # misspelt on your homepage): quoted words are the site's text, not personal data asked about.
            # The team's account in "remove a member from our team account" is the work object's, not the writer's.
            unquoted = _QUOTED.sub(" ", raw)
            folded_rest, raw_rest = fold(unquoted), unquoted
            folded_rest, raw_rest = self.work_object.removed(folded_rest), self.work_object.removed(raw_rest)
            data_object = self.data_object.score(folded_rest + "\n" + (raw_rest if japanese else ""))
        elsewhere = self.elsewhere.score(both, both_view)
        # Read only where `Matcher` can use it: no question mark, no request, no personal data named (most messages
        # have one of them, so the set is rarely run).
        abuse = self.abuse.score(both, both_view) if (self.abuse.patterns and not request and not data_object
                                                      and "?" not in cleaned) else 0.0
        if abuse and len(raw_sentences) > 1 and not all(
                any(p.search(f) or p.search(r) for p, _ in self.abuse.patterns)
                for f, r in zip(folded_sentences, raw_sentences)):
            abuse = 0.0  # a sentence beside the abuse says something else (「ポンコツAIだな。クッキーは何に使ってるの」)
        if abuse and question:
            # A question word inside the abuse (「どうでもいい」's どう) asks nothing: abuse counts only when no question cue
            # is read outside it.
            rest_en, rest_ja = self.abuse.removed(folded), self.abuse.removed(japanese)
            if self.question_en.score(rest_en) + self.question_ja.score(rest_ja):
                abuse = 0.0
        if elsewhere and self.ours.score(both, both_view):
            elsewhere = 0.0  # this company named, or its sharing with the other one asked about
        return CueScores(
            request=request,
            request_text=(request_folded, request_japanese),
            question=question,
            person=self._person(raw_sentences, folded_sentences, folded, en, japanese, ja),
            hostile=self.hostile.score(hostile_text, hostile_view) + authority + named_other,
            authority=authority,
            # Chatter counts where the message ends: a request at the end of a rant about billing is
            # still a request, "stop sending me calendar invites" is not.
            # (or in the ask sentences, when the caller found them: intents.structure).
            offtopic=offtopic,
            work_object=work_object,
            data_object=data_object,
            purpose_list=self.purpose_list.score(both, both_view),
            elsewhere=elsewhere,
            abuse=abuse,
            stated_correction=stated_correction,
            demanded_purpose=demanded_purpose,
        )

    def _unasked(self, folded: str, japanese: str) -> float:
        """The question cues of a message whose demand points at the use of the writer's own data: read without that
        use, which the demand asks to be told (the どう of 「僕のデータが今どう使われているか、教えていただけますか」 and the
        "what" of "let me know what my details are used for" ask nothing of their own, round 12)."""
        return self.question_en.score(self.own_purpose_en.removed(folded)) + (
            self.question_ja.score(self.own_purpose_ja.removed(japanese)) if japanese else 0.0)

    def _person(self, raw_sentences: list[str], folded_sentences: list[str], folded: str, en: "TextView",
                japanese: str, ja: "TextView") -> float:
        """Person cues, read on the sentences that are not a sign-off formula: "please give my regards to the staff"
        closing a letter asks for no one (round 12)."""
        score = self.person_en.score(folded, en) + self.person_ja.score(japanese, ja)
        if not score or len(raw_sentences) < 2:
            return score
        kept = [n for n, sentence in enumerate(raw_sentences) if not is_formula(sentence)]
        if len(kept) == len(raw_sentences):
            return score
        kept_folded = "\n".join(folded_sentences[n] for n in kept)
        kept_japanese = "\n".join(raw_sentences[n] for n in kept) if japanese else ""
        return self.person_en.score(kept_folded) + self.person_ja.score(kept_japanese)

    def request_types(self, scores: CueScores) -> frozenset[str]:
        """Request types whose verbs ([verb.*] in cues.toml) the request sentences use. Read on demand: only a
        message already taken as a request needs it."""
        if scores.request <= 0:
            return frozenset()
        folded, japanese = scores.request_text
        named = _verbs_named(self.verbs_en, folded) | (_verbs_named(self.verbs_ja, japanese) if japanese
                                                       else frozenset())
        if "correction" in named and "suspension" in named and (
                self.untrue_en.score(folded) > 0 or (japanese and self.untrue_ja.score(japanese) > 0)):
            # "remove the wrong number and put this one": the deletion is part of the correction (Art. 8)
            named = named - {"suspension"}
        elif named == {"suspension"} and (self.untrue_en.finds(folded) or (japanese and self.untrue_ja.finds(japanese))) \
                and (self.detail_en.finds(folded) or (japanese and self.detail_ja.finds(japanese))):
            # "remove the second number on my profile, it was never mine": one detail deleted because it is untrue is
            # Art. 8's deletion, with no correction verb (round 12)
            named = frozenset({"correction"})
        if "disclosure" in named and "suspension" in named and self.erase_held_en.finds(folded) \
                and not self.hand_over_en.finds(folded):
            # "delete everything you have on me": what is held is the object of the erasure, not asked to be handed over
            named = named - {"disclosure"}
        if scores.stated_correction > 0:
            named = named | {"correction"}
        if scores.demanded_purpose > 0:
            named = named | {"purpose_notification"}
        return named


def _verbs_named(pattern: re.Pattern[str] | None, text: str) -> frozenset[str]:
    if pattern is None:
        return frozenset()
    return frozenset(m.lastgroup for m in pattern.finditer(text) if m.lastgroup)


def _verb_pattern(doc: dict[str, Any], key: str) -> re.Pattern[str] | None:
    """[verb.<type>].<key> as one pattern: `(?P<type>p1|p2)|…`. Weights are not used (a type is named or not)."""
    groups = []
    for kind, table in doc.get("verb", {}).items():
        patterns = [p for p, _weight in _cue_set(doc["verb"], kind, key).patterns]
        if patterns:
            groups.append(f"(?P<{kind}>" + "|".join(f"(?:{p.pattern})" for p in patterns) + ")")
    return re.compile("|".join(groups), re.MULTILINE) if groups else None


#: Where a clause starts inside a sentence: after a comma, semicolon, colon, dash or arrow (typed or dictated text
#: that runs a context and an imperative together: "no longer a customer, delete my data", "parent here — notify me").
#: An emoji or a Slack emoji code between a context and the demand ("saw the news 😤 delete my data", ":facepalm: send me
#: a copy") marks a clause as a comma does (round 9).
_EMOJI = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]+|(?<!\w):[a-z0-9_+\-]+:(?!\w)"
_CLAUSE_MARK = re.compile(rf"\s*(?:[,;:—–→⇒…]|\s-+\s|-+>|=>|{_EMOJI})\s*")
_HAS_CLAUSE_MARK = re.compile(rf"[,;:—–→⇒…>]|\s-+\s|{_EMOJI}")


def _clauses(sentences: list[str]) -> str:
    """The clauses after the first in each sentence, folded, one per line (empty when no sentence has two)."""
    parts = []
    for sentence in sentences:
        if _HAS_CLAUSE_MARK.search(sentence):
            parts.extend(f for f in (fold(c) for c in _CLAUSE_MARK.split(sentence)[1:]) if f)
    return "\n".join(parts)


#: English verbs made Japanese with する (「全部PDFとかでsendしてもらえますか」, round 19), read as the Japanese verb's
#: te-form, which the request cues know (送ってもらえますか).
_LATIN_VERB_TE = {"send": "送って", "delete": "消して", "remove": "消して", "erase": "消して", "stop": "止めて",
                  "show": "見せて", "fix": "直して", "correct": "直して", "update": "直して", "export": "出して",
                  "disclose": "開示して", "forward": "送って", "email": "送って", "mail": "送って"}
_LATIN_VERB_SURU = re.compile(r"(?i)(?<![a-z])(" + "|".join(_LATIN_VERB_TE) + r")\s?して")


def _verbs_in_japanese(text: str) -> str:
    """`text` with each English verb + して written as the Japanese verb's te-form (`_LATIN_VERB_TE`)."""
    if "して" not in text:
        return text
    return _LATIN_VERB_SURU.sub(lambda m: _LATIN_VERB_TE[m.group(1).lower()], text)


def _tail_text(sentences: list[str], folded: list[str] | None = None) -> str:
    tail = sentences[-2:]
    folded_tail = folded[-2:] if folded is not None else [fold(s) for s in tail]
    return "\n".join(s.casefold() for s in tail) + "\n" + "\n".join(folded_tail)


def _cue_set(doc: dict[str, Any], section: str, key: str) -> CueSet:
    entries = doc.get(section, {}).get(key, [])
    compiled = []
    for index, entry in enumerate(entries):
        where = f"{CUES_FILE.name}: [{section}].{key} entry #{index + 1}"
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], (int, float))):
            raise CueError(f"{where}: expected ['regex', weight]")
        try:
            compiled.append((re.compile(entry[0], re.MULTILINE), float(entry[1])))
        except re.error as exc:
            raise CueError(f"{where}: bad regex: {exc}") from exc
    return CueSet(tuple(compiled))


def load_cues(path: Path = CUES_FILE) -> Cues:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CueError(f"{path.name}: not valid TOML: {exc}") from exc
    return Cues(
        request_en=_cue_set(doc, "request", "en"),
        request_ja=_cue_set(doc, "request", "ja"),
        question_en=_cue_set(doc, "question", "en"),
        question_ja=_cue_set(doc, "question", "ja"),
        person_en=_cue_set(doc, "person", "en"),
        person_ja=_cue_set(doc, "person", "ja"),
        hostile=_cue_set(doc, "hostile", "any"),
        offtopic=_cue_set(doc, "offtopic", "any"),
        statement_en=_cue_set(doc, "statement", "en"),
        statement_ja=_cue_set(doc, "statement", "ja"),
        authority=_cue_set(doc, "authority", "any"),
        data_object=_cue_set(doc, "data_object", "any"),
        work_object=_cue_set(doc, "work_object", "any"),
        purpose_list=_cue_set(doc, "purpose_list", "any"),
        purpose_change=_cue_set(doc, "purpose_change", "any"),
        elsewhere=_cue_set(doc, "elsewhere", "any"),
        ours=_cue_set(doc, "ours", "any"),
        abuse=_cue_set(doc, "abuse", "any"),
        named_other=_cue_set(doc, "named_other", "any"),
        clause_en=_cue_set(doc, "clause", "en"),
        verbs_en=_verb_pattern(doc, "en"),
        verbs_ja=_verb_pattern(doc, "ja"),
        others=load_others().with_trigger_finder(
            lambda entries: CueSet(tuple((re.compile(p), 1.0) for p in entries)), view=TextView),
        untrue_en=_cue_set(doc, "untrue", "en"),
        untrue_ja=_cue_set(doc, "untrue", "ja"),
        detail_en=_cue_set(doc, "detail", "en"),
        detail_ja=_cue_set(doc, "detail", "ja"),
        erase_held_en=_cue_set(doc, "erase_held", "en"),
        hand_over_en=_cue_set(doc, "hand_over", "en"),
        account=_cue_set(doc, "account", "raw"),
        correction_record_en=_cue_set(doc, "correction_record", "en"),
        correction_record_ja=_cue_set(doc, "correction_record", "ja"),
        correction_fix_en=_cue_set(doc, "correction_fix", "en"),
        correction_fix_ja=_cue_set(doc, "correction_fix", "ja"),
        own_purpose_en=_cue_set(doc, "own_purpose", "en"),
        own_purpose_ja=_cue_set(doc, "own_purpose", "ja"),
        demand_en=_cue_set(doc, "demand", "en"),
        demand_ja=_cue_set(doc, "demand", "ja"),
        demand_stated_en=_cue_set(doc, "demand", "stated_en"),
        relayed_wish_en=_cue_set(doc, "relayed_wish", "en"),
        relayed_wish_ja=_cue_set(doc, "relayed_wish", "ja"),
    )
