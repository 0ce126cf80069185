"""The Hyperscan gate (intents/scan_gate.py) reports every cue pattern that matches a text, so gating by it gives the
same cue scores as searching every pattern; its widening of Python patterns is checked construct by construct."""
from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents import scan_gate
from intents.cues import CueSet, TextView, load_cues
from intents.normalize import fold, normalize
from intents.scan_gate import ScanGate, Untranslatable, widen

pytestmark = pytest.mark.skipif(scan_gate.hyperscan is None, reason="the hyperscan package has no wheel here")

DATA = Path(__file__).resolve().parents[1] / "data"


def _ready(patterns: list[str], flags: int = re.MULTILINE) -> ScanGate:
    gate = ScanGate([re.compile(p, flags) for p in patterns])
    assert gate.wait(60)
    return gate


@pytest.fixture(scope="module")
def cue_sets() -> dict[str, CueSet]:
    cues = load_cues()
    sets = {f.name: getattr(cues, f.name) for f in fields(cues)
            if isinstance(getattr(cues, f.name), CueSet) and getattr(cues, f.name).patterns}
    for cue_set in sets.values():
        assert cue_set._scan.wait(60)  # type: ignore[attr-defined]
    return sets


@pytest.fixture(scope="module")
def labelled_forms() -> list[str]:
    """Every labelled message as the cues read it: cleaned, folded, and lower-cased."""
    forms = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cleaned = normalize(json.loads(line)["text"]).cleaned
                forms.extend((cleaned, fold(cleaned), cleaned.lower()))
    return forms


def test_every_matching_cue_pattern_is_reported_on_the_labelled_messages(cue_sets, labelled_forms) -> None:
    missed = []
    for text in labelled_forms:
        for name, cue_set in cue_sets.items():
            found = cue_set._scan.candidates(text)  # type: ignore[attr-defined]
            if not text:
                assert found is None  # the empty text is left to the old gates (its score is worked out at load)
                continue
            assert found is not None
            missed.extend((name, i, text[:80]) for i, (pattern, _) in enumerate(cue_set.patterns)
                          if i not in found and pattern.search(text))
    assert missed == []


def test_the_gate_rules_out_most_patterns(cue_sets, labelled_forms) -> None:
    """The point of it: far fewer patterns searched than the word gates let through."""
    sample = labelled_forms[::7]
    scanned = gated = 0
    for text in sample:
        view = TextView(text)
        for cue_set in cue_sets.values():
            scanned += len(cue_set._scan.candidates(text) or ())  # type: ignore[attr-defined]
            cue_set._scan.enabled = False  # type: ignore[attr-defined]
            try:
                gated += len(cue_set._allowed(text, view))  # type: ignore[attr-defined]
            finally:
                cue_set._scan.enabled = True  # type: ignore[attr-defined]
    assert scanned * 3 < gated


def test_scores_are_the_same_with_and_without_the_gate(cue_sets, labelled_forms) -> None:
    for text in labelled_forms[::5] + ["\n".join(labelled_forms[n:n + 9]) for n in range(0, 2000, 9)]:
        for name, cue_set in cue_sets.items():
            with_gate = (cue_set.score(text), cue_set.finds(text))
            cue_set._scan.enabled = False  # type: ignore[attr-defined]
            try:
                assert (cue_set.score(text), cue_set.finds(text)) == with_gate, (name, text[:80])
            finally:
                cue_set._scan.enabled = True  # type: ignore[attr-defined]


def _from_regex_patterns() -> list[re.Pattern[str]]:
    cues = load_cues()
    out = []
    for f in fields(cues):
        cue_set = getattr(cues, f.name)
        if isinstance(cue_set, CueSet):
            out.extend(p for p, _ in cue_set.patterns if "(?<" not in p.pattern)
    return out


_PATTERNS = _from_regex_patterns()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_matches_are_reported(data) -> None:
    """Texts made to match a shipped cue pattern (hypothesis writes them from the regex itself, with anything
    around them, Unicode letters included) are reported for it."""
    pattern = data.draw(st.sampled_from(_PATTERNS))
    try:
        text = data.draw(st.from_regex(pattern))
    except Exception:  # a construct hypothesis cannot write strings for
        return
    if not pattern.search(text):
        return
    gate = _GATES.setdefault(pattern.pattern, ScanGate([pattern]))
    if not gate.wait(60):
        assert gate.always == {0}
        return
    found = gate.candidates(text)
    assert found is None or 0 in found, (pattern.pattern[:120], text)


_GATES: dict[str, ScanGate] = {}


@pytest.mark.parametrize("pattern, flags, hit, miss", [
    # IGNORECASE: the Kelvin sign is a "k" to `re`, the long s an "s", the dotted capital I an "i"
    (r"\bkiss\b", re.IGNORECASE, "\u212aI\u017f\u017f", "kis"),
    (r"(?i:ask) me", 0, "A\u017f\u212a me", "ask you"),
    # Unicode word characters, where Python's \w and \b are Unicode
    (r"\bcaf\w\b", 0, "un café", "coffee"),
    (r"\b\w+é\b", 0, "passé", "passe"),
    (r"tel \d{3}-\d{4}", 0, "tel ٠١٢-٣٤٥٦", "tel: 12"),
    (r"\s+and\s+", 0, "this\u3000and\u00a0that", "this or that"),
    # lookarounds, anchors and back references dropped
    (r"^(?=.*\bfix\b).*please$", 0, "fix it please", "fix it"),
    (r"(?<!not )\bdelete\b", 0, "delete it", "del"),
    (r"(\w+) and \1", 0, "this and this", "this or that"),
    # an alternation of ten words and one of seven in a row is cut to a part that is quick to compile
    (r"(?:disclosure|deletion|erasure|correction|access|removal|suspension|opt out|data export|purpose notice) "
     r"request (?:for|on|re|regarding|about|from|of)\b", 0, "an erasure request regarding me", "request"),
    # a group cut to a part of it is not joined to what follows it
    (r"\bpretend (?:that )?(?:the |your )?(?:privacy )?(?:policy|rules|terms) (?:doesn t|does not|never) (?:exist|apply)"
     r"|\bpretend there is no policy", 0, "pretend the privacy policy doesn t exist", "pretend"),
    (r"\b(?:sergeant|officer) [a-z]+ (?:with|from) (?:the )?(?:\w+ )?police\b", 0,
     "sergeant collins with the county police", "the police"),
    # Japanese literals
    (r"(?:私|わたし)の.{0,20}?(?:消して|削除して)", 0, "私の古い住所を削除して", "削除"),
])
def test_widened_patterns(pattern: str, flags: int, hit: str, miss: str) -> None:
    compiled = re.compile(pattern, flags | re.MULTILINE)
    assert compiled.search(hit)
    gate = _ready([pattern], flags | re.MULTILINE)
    assert gate.candidates(hit) == {0}
    assert gate.candidates(miss) == set()  # not matched, and not reported either: the gate still gates


def test_folds_to_ascii_are_all_that_re_matches_with_an_ascii_letter() -> None:
    """Every character outside ASCII that `re` matches with an ASCII letter under IGNORECASE is in the table."""
    letter = re.compile(r"[a-z]", re.IGNORECASE)
    found: dict[str, str] = {}
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if letter.fullmatch(char):
            for ascii_letter in "abcdefghijklmnopqrstuvwxyz":
                if re.fullmatch(ascii_letter, char, re.IGNORECASE):
                    found[ascii_letter] = found.get(ascii_letter, "") + char
    assert found == scan_gate._FOLDS_TO_ASCII


def test_patterns_with_nothing_to_look_for_are_always_reported() -> None:
    with pytest.raises(Untranslatable):
        widen(re.compile(r"\w+"))
    gate = _ready([r"\w+", r"\bhello\b"])
    assert gate.always == {0}
    assert gate.candidates("bye") == {0}
    assert gate.candidates("hello") == {0, 1}


def test_text_that_is_not_utf8_is_left_to_the_old_gates() -> None:
    gate = _ready([r"\bhello\b"])
    assert gate.candidates("hello \ud800") is None
    cue_set = CueSet(((re.compile(r"\bhello\b", re.MULTILINE), 1.0),))
    assert cue_set._scan.wait(60)  # type: ignore[attr-defined]
    assert cue_set.score("hello \ud800") == 1.0
    assert cue_set.score("bye \ud800") == 0.0


def test_without_hyperscan_the_gate_says_it_cannot_tell(monkeypatch) -> None:
    monkeypatch.setattr(scan_gate, "hyperscan", None)
    gate = ScanGate([re.compile(r"\bhello\b")])
    assert not gate.wait(1)
    assert gate.candidates("hello") is None
    cue_set = CueSet(((re.compile(r"\bhello\b", re.MULTILINE), 2.0),))
    assert cue_set.score("oh hello") == 2.0


def test_threads_scan_at_once(cue_sets, labelled_forms) -> None:
    """Each thread scans with a scratch space of its own; answers do not depend on who else is scanning."""
    cue_set = cue_sets["request_en"]
    texts = labelled_forms[:600]
    expected = [cue_set._scan.candidates(t) for t in texts]  # type: ignore[attr-defined]
    results: list[bool] = []

    def scan() -> None:
        results.append(all(cue_set._scan.candidates(t) == e for t, e in zip(texts, expected)))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


def test_a_set_loaded_again_is_compiled_once() -> None:
    patterns = [re.compile(r"\bonce\b"), re.compile(r"\btwice\b")]
    first, second = ScanGate(patterns), ScanGate(list(patterns))
    assert first.wait(60) and second.candidates("twice") == {1}
    assert first._compiled is second._compiled


def test_nothing_is_compiled_until_a_text_is_scanned() -> None:
    """Loading cue sets (a server starting) compiles nothing; the first text scanned starts it."""
    gate = ScanGate([re.compile(r"\bnot compiled at load\b")])
    assert gate._compiled is None
    assert gate.candidates("") is None and gate._compiled is None
    gate.candidates("a first message")  # None until compiled, then the set
    assert gate._compiled is not None
    assert gate.wait(60) and gate.candidates("not compiled at load") == {0}
