"""One pass over a text that tells which of a set's patterns may match it (Hyperscan), to run only those.

Python's `re` searches each cue pattern on its own, and most cue patterns (`\\b(?:word|word|…)`) give it no literal
prefix to scan for, so it tries every position of the text: on a long message most of the matcher's time went to
searches that found nothing. Hyperscan scans for all of a set's patterns at once. It is used only as a gate, never
for the answer: each pattern is translated from Python's own parse of it into a pattern that matches *at least*
wherever the original does (`_Widen`), and the set's patterns it reports are then searched with `re` as before. A
pattern it does not report cannot match, so the answer is exactly what searching every pattern gives.

What the translation widens (each step can only add matches):
* word boundaries, anchors and lookarounds are dropped (an assertion removed matches a superset);
* an item Hyperscan compiles slowly becomes a gap, any run of characters (`_GAP`): a class with characters outside
  ASCII (Python's `\\w`, `\\d` and `\\s` are Unicode classes), a negated class, `.`, a back reference, a cased
  letter outside ASCII under IGNORECASE (with Unicode classes some cue patterns took half a minute to compile);
* a bounded repeat of more than `_REPEAT_BOUND` becomes unbounded, and a sequence is cut to its most selective part
  when it spells out more than `_MAX_PRODUCT` strings;
* an ASCII letter under IGNORECASE is every character `re` matches it with (its two cases, and the few outside ASCII
  that fold to it, `_FOLDS_TO_ASCII`).
A pattern Hyperscan still refuses is always run. The gate is optional: without the `hyperscan` package (not built for
every platform) or on a text that is not valid UTF-8 (lone surrogates), `candidates` returns None and the caller
gates as before.
"""
from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from typing import Any, Sequence

from intents.cue_needs import parsed_pattern

try:  # pragma: no cover - which branch runs depends on the platform
    import hyperscan
except ImportError:  # pragma: no cover
    hyperscan = None

#: Counted repeats up to this many stay counted; larger ones become unbounded.
_REPEAT_BOUND = 4
#: The shortest match worth scanning for, in UTF-8 bytes (one kana is three): a pattern whose part found is shorter is
#: always run.
_SHORTEST = 2
#: Characters outside ASCII whose simple lower case (what `re` compares under IGNORECASE) is an ASCII letter, or that
#: `re` adds as an extra case of one (`re._casefix`): the Kelvin sign, the dotted capital I, the long s, the dotless i.
#: tests/intents/test_scan_gate.py works this out again over every code point.
_FOLDS_TO_ASCII: dict[str, str] = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


class Untranslatable(ValueError):
    """A construct the translation does not know; the pattern is then always run."""


def _char(code: int) -> str:
    return "\\x{%x}" % code


def _cases(code: int) -> set[int]:
    """Every code point `re` matches against `code` under IGNORECASE, when `code` is ASCII."""
    char = chr(code)
    found = {code, ord(char.lower()), ord(char.upper())}
    found.update(ord(c) for c in _FOLDS_TO_ASCII.get(char.lower(), ""))
    return found


#: The most strings a part of a pattern handed to Hyperscan may spell out (the product of its alternatives' counts along
#: a sequence): Hyperscan compiles one alternation of ten words in a few milliseconds but two in a row ("(ten words)
#: request (seven words)") in 400 ms, so a sequence is cut to the part of it with the longest shortest match within
#: this bound (any contiguous part of a sequence matches wherever the sequence does).
_MAX_PRODUCT = 64


@dataclass(frozen=True)
class _Part:
    """A piece of widened pattern: its Hyperscan source, the length of its shortest match (UTF-8 bytes), how many
    strings it chooses between (1 for a literal; None for a gap, which matches any run of characters), and whether it
    stands for the whole of what it was made from. A part that is not whole (a group cut to a part of its sequence) is
    found wherever the group is, but not next to what follows or precedes the group: it is never joined to them."""

    source: str
    shortest: int
    choices: int | None
    whole: bool = True

    @property
    def gap(self) -> bool:
        return self.choices is None


_GAP = _Part("", 0, None)
_EMPTY = _Part("", 0, 1)


def _sequence(parts: list[_Part]) -> _Part:
    """Parts one after another: all of them when that is cheap to compile, otherwise the contiguous run of them (no
    gap inside, at most `_MAX_PRODUCT` choices) with the longest shortest match, not whole; a gap when no run has a
    shortest match."""
    parts = [part for part in parts if part != _EMPTY]  # zero-width: dropped anywhere
    if not parts:
        return _EMPTY
    product = 1
    for part in parts:
        if part.gap or not part.whole:
            break
        product *= part.choices  # type: ignore[operator]
    else:
        if len(parts) == 1 or product <= _MAX_PRODUCT:
            return _Part("".join(part.source for part in parts), sum(part.shortest for part in parts), product)
    best: _Part = _GAP
    for start in range(len(parts)):
        product, shortest, sources = 1, 0, []
        for part in parts[start:]:
            if part.gap or (product > 1 and product * part.choices > _MAX_PRODUCT):  # type: ignore[operator]
                break
            if not part.whole and sources:
                break  # a part that is not whole is joined to nothing: it is a run of its own
            product *= part.choices  # type: ignore[operator]
            shortest += part.shortest
            sources.append(part.source)
            if shortest > best.shortest:
                best = _Part("".join(sources), shortest, product, whole=False)
            if not part.whole:
                break
    return best


class _Widen:
    """Python's parse of a pattern written out as a Hyperscan pattern that matches wherever it does (and more)."""

    def seq(self, items: Any, ignorecase: bool) -> _Part:
        return _sequence([self.item(op, av, ignorecase) for op, av in items])

    def item(self, op: Any, av: Any, ignorecase: bool) -> _Part:
        if op is sre.LITERAL:
            return self.literal(av, ignorecase)
        if op is sre.NOT_LITERAL or op is sre.ANY:
            return _GAP
        if op is sre.IN:
            return self.char_class(av, ignorecase)
        if op is sre.AT or op in (sre.ASSERT, sre.ASSERT_NOT):
            return _EMPTY  # ^, $, \b, \B, \A, \Z and lookarounds dropped
        if op is sre.BRANCH:
            branches = [self.seq(branch, ignorecase) for branch in av[1]]
            if any(branch.gap for branch in branches):
                return _GAP  # a branch with nothing to find lets the alternation match anywhere
            return _Part("(?:" + "|".join(b.source for b in branches) + ")", min(b.shortest for b in branches),
                         sum(b.choices for b in branches), all(b.whole for b in branches))  # type: ignore[misc]
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags & re.IGNORECASE:
                ignorecase = True
            if del_flags & re.IGNORECASE:
                ignorecase = False
            return self.group(sub, ignorecase)
        if op is sre.ATOMIC_GROUP:
            return self.group(av, ignorecase)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = av
            body = self.group(sub, ignorecase)
            if body.gap or low == 0:
                if body.gap or not body.whole or high is sre.MAXREPEAT or high > 1:
                    return _GAP
                return _Part("(?:" + body.source + ")?", 0, body.choices + 1)  # type: ignore[operator]
            if not body.whole:
                return _Part(body.source, body.shortest, body.choices, whole=False)  # found at least once, somewhere
            # (a counted repeat of more than `_REPEAT_BOUND` is costly to compile: at least `low` times, unbounded)
            count = "{%d,}" % low if high is sre.MAXREPEAT or high > _REPEAT_BOUND else "{%d,%d}" % (low, high)
            return _Part("(?:" + body.source + ")" + count, body.shortest * low,
                         body.choices ** min(low, 2))  # type: ignore[operator]
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return _GAP
        raise Untranslatable(str(op))

    def group(self, items: Any, ignorecase: bool) -> _Part:
        inner = self.seq(items, ignorecase)
        return inner if inner.gap or inner == _EMPTY else _Part("(?:" + inner.source + ")", inner.shortest,
                                                                  inner.choices, inner.whole)

    def literal(self, code: int, ignorecase: bool) -> _Part:
        char = chr(code)
        if not ignorecase or char.lower() == char.upper() == char:
            return _Part(_char(code), len(char.encode("utf-8", "surrogatepass")), 1)
        if code < 128:
            return _Part("[" + "".join(_char(c) for c in sorted(_cases(code))) + "]", 1, 1)
        return _GAP  # a cased letter outside ASCII: its cases are not worked out here

    def char_class(self, items: Sequence[tuple[Any, Any]], ignorecase: bool) -> _Part:
        """A class of ASCII characters (with their cases) as it is; any other class is a gap."""
        if not items or items[0][0] is sre.NEGATE:
            return _GAP
        parts: list[str] = []
        for op, av in items:
            if op is sre.LITERAL and av < 128:
                parts.extend(_char(c) for c in (sorted(_cases(av)) if ignorecase and chr(av).isalpha() else [av]))
            elif op is sre.RANGE and av[1] < 128:
                parts.append(_char(av[0]) + "-" + _char(av[1]))
                if ignorecase:
                    parts.extend(_char(x) for c in range(av[0], av[1] + 1) for x in sorted(_cases(c)) if x != c)
            else:
                return _GAP  # a category (Python's \w, \d, \s are Unicode) or characters outside ASCII
        return _Part("[" + "".join(parts) + "]", 1, 1)


def widen(pattern: re.Pattern[str]) -> str:
    """A Hyperscan pattern (UTF-8 mode) that matches every text `pattern` finds a match in."""
    if pattern.flags & re.VERBOSE:
        raise Untranslatable("verbose")
    parsed = parsed_pattern(pattern)  # Python's parse, shared with intents.cue_needs (remembered)
    part = _Widen().seq(parsed, bool(parsed.state.flags & re.IGNORECASE))
    if part.gap or part.shortest < _SHORTEST:
        raise Untranslatable("nothing to look for")  # it would report (nearly) every text: run as before
    return part.source


class _Compiled:
    """One set of patterns widened and compiled, by the compiling thread (`_compile_later`), once a text is first scanned
    with it: the shipped cues take about two seconds of CPU, which start-up need not spend; until it is done the caller
    gates as before, with the same answers."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.db: Any = None
        self.always: frozenset[int] = frozenset()  # patterns not translated or refused: reported with every text
        self.ready = threading.Event()
        self.patterns = patterns
        _compile_later(self)

    def compile(self) -> None:
        try:
            self._compile()
        except Exception:  # noqa: BLE001 - whatever Hyperscan raised, the caller gates as before
            self.db = None
        finally:
            self.ready.set()

    def _compile(self) -> None:
        sources: list[tuple[int, bytes]] = []
        always = set()
        for index, pattern in enumerate(self.patterns):
            try:
                sources.append((index, widen(pattern).encode("utf-8")))
            except (Untranslatable, re.error, RecursionError):
                always.add(index)
        db = _database([e for _, e in sources], [i for i, _ in sources]) if sources else None
        if db is None and sources:  # one pattern refused: find which, one at a time (rare; the rest are still gated)
            kept = [(i, e) for i, e in sources if _database([e], [i]) is not None]
            kept_ids = {i for i, _ in kept}
            always.update(i for i, _ in sources if i not in kept_ids)
            db = _database([e for _, e in kept], [i for i, _ in kept]) if kept else None
        self.always = frozenset(always)
        self.db = db


_QUEUE: "queue.SimpleQueue[_Compiled]" = queue.SimpleQueue()
_WORKER: list[threading.Thread] = []
_WORKER_LOCK = threading.Lock()


def _compile_later(compiled: _Compiled) -> None:
    """Queue a set for the one compiling thread (Hyperscan releases the interpreter lock while it compiles; one thread
    keeps a starting server to one core for it, not one per cue set)."""
    _QUEUE.put(compiled)
    with _WORKER_LOCK:
        if not _WORKER or not _WORKER[0].is_alive():
            _WORKER[:] = [threading.Thread(target=_compile_queued, name="scan-gate-compile", daemon=True)]
            _WORKER[0].start()


def _compile_queued() -> None:
    while True:
        try:
            compiled = _QUEUE.get(timeout=5.0)
        except queue.Empty:
            with _WORKER_LOCK:  # idle: end (a later set starts another thread)
                if _QUEUE.empty():
                    _WORKER.clear()
                    return
            continue
        compiled.compile()


def _database(expressions: list[bytes], ids: list[int]) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=expressions, ids=ids, flags=[_FLAGS] * len(ids))
    except hyperscan.error:
        return None
    return database


#: Compiled sets by their patterns: a set loaded again (each `Matcher`, tests) is compiled once per process.
_COMPILED: dict[tuple[tuple[str, int], ...], _Compiled] = {}
_COMPILED_LOCK = threading.Lock()


class ScanGate:
    """Which of `patterns` may match a text, by one Hyperscan scan; None when it cannot tell (see module doc)."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._local = threading.local()
        self._patterns = tuple(patterns) if hyperscan is not None else ()
        self._compiled: _Compiled | None = None
        #: False turns the gate off (the caller gates as before): for comparing both ways.
        self.enabled = True

    def _compile(self) -> _Compiled | None:
        """The compiled set, queued for compiling the first time it is asked for: not while a server starts (start-up
        stays as fast as without the gate), but once it answers its first message."""
        if not self._patterns:
            return None
        key = tuple((p.pattern, p.flags) for p in self._patterns)
        with _COMPILED_LOCK:
            compiled = _COMPILED.get(key)
            if compiled is None:
                compiled = _COMPILED[key] = _Compiled(self._patterns)
        self._compiled = compiled
        return compiled

    def wait(self, timeout: float | None = None) -> bool:
        """Compile now if not yet asked, and wait until done (tests and benchmarks; serving never waits); True when the
        gate works."""
        compiled = self._compiled or self._compile()
        if compiled is None:
            return False
        compiled.ready.wait(timeout)
        return compiled.db is not None

    @property
    def always(self) -> frozenset[int]:
        """The patterns the scan cannot rule out, reported with every text (known once compiled)."""
        return self._compiled.always if self._compiled is not None else frozenset()

    def candidates(self, text: str) -> set[int] | None:
        """The patterns that may match `text` (a superset of those that do), or None when the text cannot be scanned
        (not compiled yet, no Hyperscan, not UTF-8)."""
        if not text or not self.enabled:
            return None  # (the empty text, which cue sets score once at load, asks for no compiling)
        compiled = self._compiled
        if compiled is None:
            compiled = self._compile()
            if compiled is None:
                return None
        db = compiled.db
        if db is None:
            return None
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: not UTF-8, which Hyperscan's UTF-8 mode may not be given
            return None
        local = self._local
        scratch = getattr(local, "scratch", None)
        if scratch is None:  # one scratch space per thread: a scan may not share one with another running scan
            scratch = local.scratch = hyperscan.Scratch(db)
        found = set(compiled.always)
        db.scan(data, match_event_handler=_found, context=found, scratch=scratch)
        return found


def _found(index: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    """Hyperscan's match callback: one function for every scan (no closure made per call), the set as its context."""
    found.add(index)


_FLAGS = 0 if hyperscan is None else (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH
                                      | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_PREFILTER)
