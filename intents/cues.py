"""Linguistic cues (data in `intents/cues.toml`): request-now vs question, reaching a person, hostility."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from intents.normalize import cjk_share, fold

CUES_FILE = Path(__file__).parent / "cues.toml"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])")


class CueError(ValueError):
    """cues.toml is malformed; the message names the section and the pattern."""


@dataclass(frozen=True)
class CueSet:
    patterns: tuple[tuple[re.Pattern[str], float], ...]
    #: Per pattern, a cheap necessary condition (see `_prefilter`), or None to always run the pattern.
    prefilters: tuple[re.Pattern[str] | None, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.prefilters) != len(self.patterns):
            object.__setattr__(self, "prefilters", tuple(_prefilter(p) for p, _ in self.patterns))

    def score(self, lines: str) -> float:
        """Sum of the weights of the patterns found in `lines` (one sentence per line; each pattern counts
        once). Patterns are compiled MULTILINE, so ^ and $ anchor at sentence boundaries. A pattern whose
        prefilter finds none of the strings every match of it contains is not run: it cannot match."""
        return sum(weight for (pattern, weight), quick in zip(self.patterns, self.prefilters)
                   if (quick is None or quick.search(lines)) and pattern.search(lines))


# -- prefilters ------------------------------------------------------------------------------------
# Most cue patterns start with `\b(?:word|word|…)`, which Python's `re` cannot scan for quickly (no literal or
# first-character prefix), so each search tries the whole pattern at every position. A plain alternation of the
# literal strings that every match must contain is scanned by a fast first-character loop; when none of them is
# in the text, the pattern cannot match and is skipped. The answer is exactly the same, only cheaper (profile:
# `Cues.score` was a quarter of `Matcher.match`, see benchmarks/RESULTS.md).
_MAX_PREFILTER_STRINGS = 40


def _required_strings(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which every match of the parsed pattern `items` contains, or None when none can be named.

    A sequence needs what any one of its items needs (the longest literal run, a group, a branch's union, a
    repeat of at least one); the most selective candidate is kept. Assertions, classes and wildcards need
    nothing that can be named."""
    from re import _constants as c  # the parser's opcodes (CPython's re internals)

    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if not candidate or not all(candidate):
            return
        rank = (min(map(len, candidate)), -len(candidate))
        if best is None or rank > (min(map(len, best)), -len(best)):
            best = candidate

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider(frozenset(["".join(run)]))
            run = []
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & (re.IGNORECASE | re.LOCALE):
                consider(_required_strings(sub))
        elif op is c.BRANCH:
            alternatives = [_required_strings(alternative) for alternative in av[1]]
            if all(a is not None for a in alternatives):
                consider(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            minimum, _maximum, sub = av
            if minimum >= 1:
                consider(_required_strings(sub))
        elif op is c.ATOMIC_GROUP:
            consider(_required_strings(av))
        elif op is c.IN and all(kind is c.LITERAL for kind, _ in av):
            consider(frozenset(chr(code) for _, code in av))
    if run:
        consider(frozenset(["".join(run)]))
    return best


def _prefilter(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A fast regex finding any of the strings every match of `pattern` contains; None when that would not help
    (nothing can be named, case-insensitive patterns, patterns `re` already scans by their first characters)."""
    try:
        from re import _compiler, _parser

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        flags = parsed.state.flags
        if flags & (re.IGNORECASE | re.LOCALE):
            return None
        prefix, _skip, _all = _compiler._get_literal_prefix(parsed, flags)
        if prefix or _compiler._get_charset_prefix(parsed, flags):
            return None  # already fast to scan
        needed = _required_strings(parsed)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):  # other Pythons: no prefilter
        return None
    if not needed or len(needed) > _MAX_PREFILTER_STRINGS:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(needed)))


@dataclass(frozen=True)
class CueScores:
    request: float
    question: float
    person: float
    hostile: float
    offtopic: float = 0.0

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

    def score(self, cleaned: str, quoted_removed: str, folded_cleaned: str | None = None) -> CueScores:
        """Score a message. `cleaned` is the whole NFKC-cleaned text (for hostility, which hides anywhere);
        `quoted_removed` the same without `> ` quoted lines, so someone else's quoted words are not taken
        as the user's own request. `folded_cleaned` is `fold(cleaned)` when the caller already has it."""
        raw_sentences = [s.strip() for s in _SENTENCE_END.split(quoted_removed) if s.strip()]
        folded_sentences = [fold(s) for s in raw_sentences]
        folded = "\n".join(folded_sentences)
        raw = "\n".join(raw_sentences)
        hostile_text = cleaned.casefold() + "\n" + (fold(cleaned) if folded_cleaned is None else folded_cleaned)
        # Japanese patterns can only match Japanese script: skip them for messages that have none.
        japanese = raw if cjk_share(raw) > 0 else ""
        return CueScores(
            request=self.request_en.score(folded) + self.request_ja.score(japanese),
            question=self.question_en.score(folded) + self.question_ja.score(japanese),
            person=self.person_en.score(folded) + self.person_ja.score(japanese),
            hostile=self.hostile.score(hostile_text),
            # Chatter counts where the message ends: a request at the end of a rant about billing is
            # still a request, "stop sending me calendar invites" is not.
            offtopic=self.offtopic.score(_tail_text(raw_sentences, folded_sentences)),
        )


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
    )
