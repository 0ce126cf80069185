"""What text a cue pattern needs, as word look-ups and substring tests: a second, exact gate for long messages.

The word gates of `intents.cues` ask for one of the words a match must start with ("release", "give me"…). A long
message has most common words, so those gates pass and the pattern then searches 1,200–2,400 characters at
20–600 µs (profile in benchmarks/RESULTS.md). Yet a match needs more than its first word:
`\\b(?:release|give me)\\b.{0,30}\\b(?:user|customer) ?#?\\d{3,}` needs one of "release"/"give me" AND one of
"user"/"customer". `needs(pattern)` reads every such requirement from the parsed pattern:

* a pattern is a choice of alternatives (a top-level alternation) or one alternative;
* an alternative needs every one of its clauses; a clause is a set of strings one of which every match of the
  alternative contains (a literal run; a group, a repeat of at least one, or an alternation whose every branch
  names some strings), or failing all strings, a run of characters of one class of at least `MIN_RUN`
  (`[a-z0-9+/]{20,}` needs `[a-z0-9+/]{20}`).

Where the pattern puts a word boundary before a string, the string starts a word of the text, so the clause is
tested on the text's words (`intents.cues.TextView`, as the word gates are) instead of by scanning the text.
Zero-width parts (lookarounds, `\\b`, `^`) and optional parts are left out: they only narrow what matches, so the
test stays a necessary condition, i.e. skipping a pattern whose needs are unmet never changes a score.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Protocol, Sequence



def aligned_after(at: Any, aligned: bool) -> bool:
    """Whether what follows the zero-width assertion `at` (an `AT` code of CPython's regex parser) starts where a word
    of the text starts: after `\\b` or a beginning anchor it does; after `\\B` it does not; other anchors keep
    `aligned` as it was. The one rule for `cues`' prefilters and this module's needs and leads."""
    from re import _constants as c  # type: ignore[attr-defined]  # CPython's own parser codes

    return at is c.AT_BOUNDARY or at in (c.AT_BEGINNING, c.AT_BEGINNING_LINE, c.AT_BEGINNING_STRING) \
        or (aligned and at is not c.AT_NON_BOUNDARY)

class TextView(Protocol):
    """What a need is tested on: a text's words and their beginnings (`intents.cues.TextView` is one). A protocol
    here, not an import, so that `cues` may import this module without a cycle."""

    @property
    def words(self) -> frozenset[str]: ...

    @property
    def prefixes(self) -> frozenset[str]: ...

#: The shortest character-class run worth a test of its own.
MIN_RUN = 8
#: At most this many clauses per alternative are tested; a clause scanned for in the text may have at most
#: `MAX_STRINGS` strings (each is a scan of the text: a long list costs more than it saves).
MAX_CLAUSES = 4
MAX_STRINGS = 4
#: Longest word beginning looked up (`TextView.prefixes` holds beginnings up to this length).
PREFIX_MAX = 24
_WORD = re.compile(r"\w+")

_Strings = frozenset[tuple[str, bool]]  # (string, whether a word of the text starts where it starts)


@dataclass(frozen=True)
class _Words:
    """One of `complete` is a word of the text or one of `prefix` begins one."""

    complete: frozenset[str]
    prefix: frozenset[str]

    def holds(self, text: str, view: "TextView") -> bool:
        if not self.complete.isdisjoint(view.words):
            return True
        if not self.prefix:
            return False
        if getattr(view, "_prefixes", None) is None:
            # A short text's beginnings are not made: a beginning found in the text is looked for among its words.
            return any(start in text and any(word.startswith(start) for word in view.words) for start in self.prefix)
        return not self.prefix.isdisjoint(view.prefixes)


@dataclass(frozen=True)
class _Scan:
    """One of `strings` occurs in the text."""

    strings: tuple[str, ...]

    def holds(self, text: str, view: "TextView") -> bool:
        return any(s in text for s in self.strings)


@dataclass(frozen=True)
class _Run:
    """A run of characters of one class, at least as long as the pattern needs."""

    regex: re.Pattern[str]

    def holds(self, text: str, view: "TextView") -> bool:
        return self.regex.search(text) is not None


@dataclass(frozen=True)
class Needs:
    """Alternatives, each a tuple of clauses that must all hold; the text may match only if one alternative holds."""

    alternatives: tuple[tuple[Any, ...], ...]

    def allows(self, text: str, view: "TextView") -> bool:
        return any(all(clause.holds(text, view) for clause in clauses) for clauses in self.alternatives)

    def holding(self, text: str, view: "TextView") -> list[int]:
        """The alternatives that hold (their positions)."""
        return [k for k, clauses in enumerate(self.alternatives) if all(clause.holds(text, view) for clause in clauses)]



@lru_cache(maxsize=4096)
def _parsed(source: str, flags: int) -> Any:
    """CPython's parse of a pattern, once per pattern: `needs`, `leads`, `firsts`, `starts_non_ascii`, `branches` and
    the cue gates (`intents.cues._gate`) each read the same tree, and parsing the ~500 cue patterns six times was most
    of building the cues (start-up). The trees are only read, never changed."""
    from re import _parser  # type: ignore[attr-defined]

    return _parser.parse(source, flags)


def parsed_pattern(pattern: re.Pattern[str]) -> Any:
    """`re.parsed_pattern(pattern)`, remembered."""
    return _parsed(pattern.pattern, pattern.flags)

def needs(pattern: re.Pattern[str]) -> Needs | None:
    """The tests every text `pattern` matches in passes, or None when none can be named (or the pattern ignores
    case, or this Python's parser differs)."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]  # CPython's own parser, as intents.cues

        from re import _compiler  # type: ignore[attr-defined]

        parsed = parsed_pattern(pattern)
        flags = parsed.state.flags
        if flags & (re.IGNORECASE | re.LOCALE):
            return None
        if _compiler._get_literal_prefix(parsed, flags)[0] or _compiler._get_charset_prefix(parsed, flags):
            return None  # `re` already scans for this pattern's first characters: a search is cheap
        items = list(parsed)
        while len(items) == 1 and items[0][0] is c.SUBPATTERN and not items[0][1][1] & (re.IGNORECASE | re.LOCALE):
            items = list(items[0][1][3])
        branches = [list(b) for b in items[0][1][1]] if len(items) == 1 and items[0][0] is c.BRANCH else [items]
        alternatives = []
        for branch in branches:
            tests = _order([t for t in map(_test, _clauses(branch, False, c)) if t is not None])
            if not tests:
                return None  # this alternative needs nothing testable: no test can rule the pattern out
            alternatives.append(tuple(tests[:MAX_CLAUSES]))
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return None
    return Needs(tuple(alternatives))


def _test(clause: Any) -> _Words | _Scan | _Run | None:
    """The cheapest exact test of a clause (None: none worth making)."""
    if isinstance(clause, _Run):
        return clause
    if all(aligned for _, aligned in clause):
        complete, prefix = set(), set()
        for string, _ in clause:
            first = _WORD.match(string)
            if first is None:
                break
            if first.end() < len(string):
                complete.add(first.group())
            elif len(string) <= PREFIX_MAX:
                prefix.add(string)
            else:
                break
        else:
            return _Words(frozenset(complete), frozenset(prefix))
    if len(clause) > 1 and all(len(s) == 1 for s, _ in clause):
        return None  # one of a few characters: nearly every long text has one (one given character is a cheap test)
    if len(clause) <= MAX_STRINGS:
        return _Scan(tuple(sorted((s for s, _ in clause), key=lambda s: -len(s))))
    return None


def _order(tests: list[Any]) -> list[Any]:
    """Word look-ups first (cheapest), then scans by their shortest string (longest first), class runs last."""
    def rank(test: Any) -> tuple[int, int]:
        if isinstance(test, _Words):
            return 0, len(test.complete) + len(test.prefix)
        if isinstance(test, _Scan):
            return 1, -min(map(len, test.strings))
        return 2, 0
    return sorted(tests, key=rank)


def _clauses(items: Sequence[tuple[Any, Any]], aligned: bool, c: Any) -> list[Any]:
    """Clauses every match of the sequence `items` satisfies (see the module docstring); `aligned`: the sequence
    starts where a word of the text starts or none is under way (after `\\b` or `^`). Alignment is read as in
    `intents.cues._required`."""
    out: list[Any] = []
    run: list[str] = []
    run_aligned = False

    def flush() -> None:
        text = "".join(run)
        out.append(frozenset([(text, run_aligned and _WORD.match(text) is not None)]))
        run.clear()

    for op, av in items:
        if op is c.LITERAL:
            if not run:
                run_aligned = aligned
            run.append(chr(av))
            aligned = False
            continue
        if run:
            flush()
        if op is c.AT:
            aligned = aligned_after(av, aligned)
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the position is unchanged
        if op is c.SUBPATTERN:
            if not av[1] & (re.IGNORECASE | re.LOCALE):
                out.extend(_clauses(av[3], aligned, c))
        elif op is c.BRANCH:
            best = [_best(_clauses(alternative, aligned, c)) for alternative in av[1]]
            if best and all(b is not None for b in best):
                out.append(frozenset().union(*best))  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            minimum, _maximum, sub = av
            if minimum >= 1:
                inner = _clauses(sub, aligned, c)
                out.extend(inner)
                if not inner and minimum >= MIN_RUN:
                    run_test = _class_run(sub, minimum, c)
                    if run_test is not None:
                        out.append(run_test)
        elif op is c.ATOMIC_GROUP:
            out.extend(_clauses(av, aligned, c))
        elif op is c.IN and av and all(kind is c.LITERAL for kind, _ in av):
            out.append(frozenset((chr(code), False) for _, code in av))
        # wildcards, other classes, optional parts: nothing needed
        aligned = False
    if run:
        flush()
    return out


def _best(clauses: list[Any]) -> _Strings | None:
    """The clause of strings whose shortest string is longest (the most selective), or None."""
    strings = [cl for cl in clauses if isinstance(cl, frozenset)]
    if not strings:
        return None
    return max(strings, key=lambda cl: (min(len(s) for s, _ in cl), -len(cl)))


def _class_run(sub: Sequence[tuple[Any, Any]], minimum: int, c: Any) -> _Run | None:
    """`[class]{minimum}` for a repeat of one character class made of literals and ranges, else None."""
    sub = list(sub)
    if len(sub) != 1 or sub[0][0] is not c.IN:
        return None
    parts = []
    for kind, value in sub[0][1]:
        if kind is c.LITERAL:
            parts.append(re.escape(chr(value)))
        elif kind is c.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        else:  # negation, categories: not reproduced
            return None
    return _Run(re.compile(f"[{''.join(parts)}]{{{minimum}}}"))


@dataclass(frozen=True)
class Leads:
    """The strings every match of a pattern starts with, each at a word start: (string, the word it is when it runs
    past its first word, else None). A match can only start where one of them occurs in the text."""

    strings: tuple[tuple[str, str | None], ...]

    def found(self, pattern: re.Pattern[str], text: str, view: "TextView") -> bool:
        """`pattern.search(text) is not None`, trying `pattern.match` only where a lead occurs (a match starting
        there is a match of the search, and a match the search finds starts at one of them)."""
        words, prefixes = view.words, None
        for string, word in self.strings:
            if word is not None:
                if word not in words:
                    continue
            else:
                if prefixes is None:
                    prefixes = view.prefixes
                if string not in prefixes:
                    continue
            at = text.find(string)
            while at >= 0:
                if pattern.match(text, at) is not None:
                    return True
                at = text.find(string, at + 1)
        return False


def leads(pattern: re.Pattern[str]) -> Leads | None:
    """`Leads` of `pattern`, or None when its matches may start otherwise (or it ignores case)."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]

        parsed = parsed_pattern(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.LOCALE):
            return None
        strings = _leading(list(parsed), False, c)
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return None
    if not strings:
        return None
    out = []
    for string in sorted(strings):
        first = _WORD.match(string)
        if first is None:
            return None
        if first.end() < len(string):
            out.append((string, first.group()))
        elif len(string) <= PREFIX_MAX:
            out.append((string, None))
        else:
            return None
    return Leads(tuple(out))


def _leading(items: Sequence[tuple[Any, Any]], aligned: bool, c: Any) -> set[str] | None:
    """The literal strings a match of `items` starts with, all at a word start (after `\\b` or `^`), or None."""
    position = 0
    while position < len(items) and items[position][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
        op, av = items[position]
        if op is c.AT:
            aligned = aligned_after(av, aligned)
        position += 1
    if position == len(items):
        return None
    op, av = items[position]
    if op is c.LITERAL:
        run = []
        while position < len(items) and items[position][0] is c.LITERAL:
            run.append(chr(items[position][1]))
            position += 1
        text = "".join(run)
        return {text} if aligned and _WORD.match(text) else None
    if op is c.SUBPATTERN:
        return None if av[1] & (re.IGNORECASE | re.LOCALE) else _leading(list(av[3]), aligned, c)
    if op is c.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            sub = _leading(list(alternative), aligned, c)
            if sub is None:
                return None
            found |= sub
        return found
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _leading(list(av[2]), aligned, c)
    return None


#: `Firsts.found` tries `pattern.match` at this many candidate positions at most, then searches the rest of the text
#: from the next one: a text full of the first characters costs little more than one search.
FIRSTS_MAX_TRIES = 32


@dataclass(frozen=True)
class Firsts:
    """The characters every match of a pattern starts with (none of them ASCII), as a character class that `re` scans
    for quickly. A pattern that opens with a lookbehind or a group of alternatives (「(?<!私)(?:さん|様|氏)の…」,
    「(?:息子|娘)の…|(?:嫁|婿)…」) is tried by `re` at every position of the text; a match can only start at one of
    these characters."""

    scanner: re.Pattern[str]

    def found(self, pattern: re.Pattern[str], text: str) -> bool:
        """`pattern.search(text) is not None`, trying `pattern.match` only where one of the characters is (the first
        `FIRSTS_MAX_TRIES` of them; then `pattern.search` from there on): a match the search finds starts at one of
        them, and `match` at a position sees the text before it (lookbehinds, `\\b`, `^`) as `search` does."""
        scan = self.scanner.search
        match = pattern.match
        found = scan(text)
        tries = 0
        while found is not None:
            at = found.start()
            if tries >= FIRSTS_MAX_TRIES:
                return pattern.search(text, at) is not None
            if match(text, at) is not None:
                return True
            tries += 1
            found = scan(text, at + 1)
        return False


def firsts(pattern: re.Pattern[str]) -> Firsts | None:
    """`Firsts` of `pattern`, or None: when `re` already scans the pattern by its first characters (a literal or
    character-class prefix), when a match may be empty or start with a character not named by literals and ranges,
    when any of them is ASCII (English text is full of them), or when the pattern ignores case."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]  # CPython's own parser and compiler
        from re import _constants as c  # type: ignore[attr-defined]

        parsed = parsed_pattern(pattern)
        flags = parsed.state.flags
        if flags & (re.IGNORECASE | re.LOCALE):
            return None
        prefix, _skip, _all = _compiler._get_literal_prefix(parsed, flags)
        if prefix or _compiler._get_charset_prefix(parsed, flags):
            return None
        first = _first(list(parsed), c)
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return None
    if first is None or first[1] or not first[0]:
        return None
    ranges = sorted(first[0])
    if any(low < 0x80 for low, _high in ranges):
        return None
    members = "".join(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
                      for low, high in ranges)
    return Firsts(re.compile(f"[{members}]"))


def starts_non_ascii(pattern: re.Pattern[str]) -> bool:
    """True when every match of `pattern` starts with a character outside ASCII (and none is empty), so the pattern
    cannot match a text that is all ASCII (`str.isascii`): the Japanese cue patterns on an English message. False when
    that cannot be told from literals and ranges, or when the pattern ignores case (under IGNORECASE some characters
    outside ASCII match ASCII letters: K, the Kelvin sign; s, the long s)."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]

        parsed = parsed_pattern(pattern)
        if (parsed.state.flags | pattern.flags) & (re.IGNORECASE | re.LOCALE):
            return False
        first = _first(list(parsed), c)
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return False
    return first is not None and not first[1] and bool(first[0]) and all(low >= 0x80 for low, _high in first[0])


def _first(items: Sequence[tuple[Any, Any]], c: Any) -> tuple[set[tuple[int, int]], bool] | None:
    """(the characters, as code-point ranges, a match of `items` can start with; whether it can match the empty
    string), or None when that cannot be told from literals and ranges."""
    chars: set[tuple[int, int]] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the first character is the next item's
        if op is c.LITERAL:
            chars.add((av, av))
            return chars, False
        if op is c.IN:
            ranges = _ranges(av, c)
            if ranges is None:
                return None
            chars |= ranges
            return chars, False
        result: tuple[set[tuple[int, int]], bool] | None
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & (re.IGNORECASE | re.LOCALE):
                return None
            result = _first(list(sub), c)
        elif op is c.ATOMIC_GROUP:
            result = _first(list(av), c)
        elif op is c.BRANCH:
            union: set[tuple[int, int]] = set()
            empty = False
            for alternative in av[1]:
                sub_result = _first(list(alternative), c)
                if sub_result is None:
                    return None
                union |= sub_result[0]
                empty = empty or sub_result[1]
            result = union, empty
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            minimum, _maximum, sub = av
            sub_result = _first(list(sub), c)
            result = None if sub_result is None else (sub_result[0], sub_result[1] or minimum == 0)
        else:  # any character, a negated literal, a group reference, a conditional: not told
            return None
        if result is None:
            return None
        chars |= result[0]
        if not result[1]:
            return chars, False
    return chars, True


def _ranges(av: Sequence[tuple[Any, Any]], c: Any) -> set[tuple[int, int]] | None:
    """A character class's members as code-point ranges, or None for a negated class or one with categories."""
    out: set[tuple[int, int]] = set()
    for kind, value in av:
        if kind is c.LITERAL:
            out.add((value, value))
        elif kind is c.RANGE:
            out.add((value[0], value[1]))
        else:
            return None
    return out


@dataclass(frozen=True)
class Branch:
    """One top-level alternative of a cue pattern, compiled alone (with its `Leads` when it has some)."""

    pattern: re.Pattern[str]
    leads: Leads | None
    firsts: "Firsts | None"

    def found(self, text: str, view: "TextView") -> bool:
        if self.leads is not None:
            return self.leads.found(self.pattern, text, view)
        if self.firsts is not None:
            return self.firsts.found(self.pattern, text)
        return self.pattern.search(text) is not None


def branches(pattern: re.Pattern[str], need: Needs | None) -> tuple[Branch, ...] | None:
    """The top-level alternatives of `pattern`, one `Branch` per alternative of `need` (in order), or None when they
    cannot be told apart exactly: a search of the pattern finds a match exactly when a search of one of its
    top-level alternatives does, so on a long text only the alternatives whose needs hold are searched
    (`Needs.holding`). None without needs, with one alternative, or with group references (numbering changes)."""
    if need is None or len(need.alternatives) < 2:
        return None
    try:
        from re import _constants as c  # type: ignore[attr-defined]

        if _has_groupref(list(parsed_pattern(pattern)), c):
            return None
        parts = _top_alternatives(pattern.pattern)
        if parts is None or len(parts) != len(need.alternatives):
            return None
        compiled = [re.compile(part, pattern.flags) for part in parts]
        # The same alternatives as the parser read (each compiled alone parses as that branch).
        items = list(parsed_pattern(pattern))
        while len(items) == 1 and items[0][0] is c.SUBPATTERN:
            items = list(items[0][1][3])
        if len(items) != 1 or items[0][0] is not c.BRANCH or len(items[0][1][1]) != len(parts):
            return None
    except (ImportError, AttributeError, TypeError, ValueError, IndexError, re.error):
        return None
    return tuple(Branch(p, lead, None if lead is not None else firsts(p)) for p in compiled for lead in [leads(p)])


def _has_groupref(items: Sequence[tuple[Any, Any]], c: Any) -> bool:
    for op, av in items:
        if op in (c.GROUPREF, c.GROUPREF_EXISTS, c.GROUPREF_IGNORE, c.GROUPREF_LOC_IGNORE, c.GROUPREF_UNI_IGNORE):
            return True
        if op is c.SUBPATTERN and _has_groupref(list(av[3]), c):
            return True
        if op is c.BRANCH and any(_has_groupref(list(b), c) for b in av[1]):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and _has_groupref(list(av[2]), c):
            return True
        if op in (c.ASSERT, c.ASSERT_NOT) and _has_groupref(list(av[1]), c):
            return True
        if op is c.ATOMIC_GROUP and _has_groupref(list(av), c):
            return True
    return False


def _top_alternatives(source: str) -> list[str] | None:
    """`source` split at its top-level `|` (outside groups and classes), after unwrapping groups `(?:…)` around the
    whole; None when it has no such `|`, or opens with inline flags."""
    if source.startswith("(?") and source[2:3] not in (":", "P", "<", "=", "!", ">"):
        return None  # global inline flags: they must stay at the start
    while True:
        close = _closing(source, 0) if source.startswith("(?:") else None
        if close is None or close != len(source) - 1:
            break
        source = source[3:-1]
    parts: list[str] = []
    depth, start = 0, 0
    for i, char in _outside_classes(source, 0):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    parts.append(source[start:])
    return parts if len(parts) > 1 else None


def _closing(source: str, at: int) -> int | None:
    """The position of the `)` closing the group opened at `at`."""
    depth = 0
    for i, char in _outside_classes(source, at):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def _outside_classes(source: str, at: int) -> Iterator[tuple[int, str]]:
    """The positions and characters of a pattern's source from `at` that are neither escaped nor in a character
    class (where `(`, `)` and `|` mean nothing)."""
    i, in_class = at, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if source[i + 1:i + 2] == "^":
                i += 1
            if source[i + 1:i + 2] == "]":
                i += 1  # a "]" first in a class is a member
        else:
            yield i, char
        i += 1
