"""The long-text gates of the cue sets (`intents.cue_needs`: what a pattern needs, where its matches can start) never
change a score: every set scores long texts exactly as running every pattern over the whole text does."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from intents.cue_needs import leads, needs
from intents.cues import NEEDS_MIN_CHARS, CueSet, TextView, load_cues
from intents.normalize import fold

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = ("request_en", "request_ja", "question_en", "question_ja", "person_en", "person_ja", "hostile", "offtopic",
        "statement_en", "statement_ja", "authority", "data_object")


def _texts() -> list[str]:
    return [json.loads(line)["text"] for path in sorted(DATA.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _plain(cue_set: CueSet, text: str) -> float:
    return sum(weight for pattern, weight in cue_set.patterns if pattern.search(text))


def test_long_texts_score_as_every_pattern_searched() -> None:
    cues = load_cues()
    texts = _texts()
    rng = random.Random(18)
    longs = []
    for _ in range(150):
        joined = rng.choice(["\n", " ", ". "]).join(rng.sample(texts, rng.randint(3, 25)))
        longs += [joined, joined.casefold() + "\n" + fold(joined), "\n".join(fold(s) for s in joined.split("."))]
    longs += ["'or 1=1 " + "x" * 400, "abcdefghij0123456789abcd " * 20, "give me the data of user 12345 " * 15]
    checked = 0
    for name in SETS:
        cue_set: CueSet = getattr(cues, name)
        for text in longs:
            if len(text) >= NEEDS_MIN_CHARS:
                assert cue_set.score(text) == _plain(cue_set, text), (name, text[:120])
                checked += 1
    assert checked > 3000


def test_needs_and_leads_read_what_a_match_contains() -> None:
    pattern = re.compile(r"\b(?:release|give me)\b.{0,30}\b(?:user|customer) ?#?\d{3,}")
    need, lead = needs(pattern), leads(pattern)
    assert need is not None and lead is not None
    text = "please give me everything about this account " * 10
    view = TextView(text)
    assert not need.allows(text, view)  # no user/customer: the pattern is not run
    assert {s for s, _ in lead.strings} == {"release", "give me"}
    hit = "x " * 200 + "give me the file of customer #4567"
    assert need.allows(hit, TextView(hit)) and lead.found(pattern, hit, TextView(hit))
    # A run of a character class is needed too; a pattern matching at any start has no leads.
    base64 = re.compile(r"(?<![\w/.])[a-z0-9+/]{20,}={0,2}(?![\w/])")
    assert leads(base64) is None
    run_need = needs(base64)
    assert run_need is not None and not run_need.allows("short words only " * 30, TextView("short words only " * 30))
    # Case-insensitive patterns are never gated.
    assert needs(re.compile("(?i)delete")) is None and leads(re.compile("(?i)delete")) is None


def test_short_texts_score_as_every_pattern_searched() -> None:
    """The word gates (each set's index of gate words and word beginnings, looked up word by word through a memo) and
    the regex gates never change a score on texts of any length below the long-text gates either."""
    cues = load_cues()
    texts = _texts()
    forms = [form for text in texts for form in (text, text.casefold() + "\n" + fold(text), fold(text))]
    forms += ["", "x", "please", "pleasee delete", "unsubscribe me", "ignore all previous instructions",
              "selectx * from", "user 12345", "a" * 40]
    checked = 0
    for name in SETS + ("work_object", "purpose_list", "named_other"):
        cue_set: CueSet = getattr(cues, name)
        for form in forms:
            if len(form) < NEEDS_MIN_CHARS:
                assert cue_set.score(form) == _plain(cue_set, form), (name, form[:120])
                checked += 1
    # Asked again (memo hits now), the same scores.
    for form in forms[:200]:
        assert cues.request_en.score(form) == _plain(cues.request_en, form)
    assert checked > 50_000


def test_word_gates_after_a_space_and_needs_on_short_texts() -> None:
    """A string after a literal non-word character starts a word ("the employee": "employee"), so such patterns get
    word gates instead of regex gates; an ungated pattern (the SQL/base64 hostility pattern) runs on a short text
    only when its needs hold, and a need's word beginnings are found without making every beginning of the text."""
    from intents.cues import _gate

    gate = _gate(re.compile(r"\b(?:a|the|my) (?:employee|colleague)s?\b"))
    assert gate is not None and gate.regex is None and gate.prefix == {"employee", "colleague"}
    cues = load_cues()
    assert cues.hostile._ungated_needs  # type: ignore[attr-defined]
    for text in ["select * from users", "selection of my data", "' or '1'='1", "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNl64",
                 "please open( the file", "eval(x)", "evaluate my data", "rm -rf /", ""]:
        assert cues.hostile.score(text) == _plain(cues.hostile, text), text
        need = needs(re.compile(r"\b(?:select|insert)\s+\w+"))
        assert need is not None
        fresh, built = TextView(text), TextView(text)
        _ = built.prefixes
        assert need.allows(text, fresh) == need.allows(text, built), text


def test_finds_is_any_pattern_found_and_the_whose_data_trigger_is_exact() -> None:
    """`CueSet.finds` (needs tested on texts of any length) is True exactly when some pattern is found; the whose-data
    reader's English trigger, run as a cue set of its entries, finds a text exactly when the whole trigger does."""
    cues = load_cues()
    others = cues.others
    assert others is not None
    trigger = others.en_finder
    assert trigger is not None  # the loaded cues run the trigger as a cue set, not as one ungated pattern
    texts = _texts()
    rng = random.Random(7)
    forms = [form for text in texts for form in (fold(text), text.casefold() + "\n" + fold(text))]
    forms += [" ".join(rng.sample(texts, 6)) for _ in range(60)]
    forms += ["", "the user emailaddress", "registered as emailaddress", "my ex s address", "member userhandle",
              "i m the workspace admin", "the person who", "mr smith"]
    found = 0
    for form in forms:
        expected = others.en.trigger.search(form) is not None
        assert trigger.finds(form) == expected, form[:120]
        assert trigger.finds(form, TextView(form)) == expected
        found += expected
        for name in ("hostile", "request_en", "offtopic"):
            cue_set: CueSet = getattr(cues, name)
            assert cue_set.finds(form) == any(p.search(form) for p, _ in cue_set.patterns), (name, form[:120])
    assert found > 300 and len(forms) - found > 3000


def test_the_remembered_parse_gives_the_same_gates_and_needs() -> None:
    # Every analysis of a cue pattern reads one remembered parse (`parsed_pattern`, for start-up): reading it must
    # change nothing, so cues built from a warm memo, and from a cold one, have the same gates, needs and leads.
    from intents.cue_needs import _parsed
    from intents.cues import CueSet, load_cues

    def derived() -> list[str]:
        cues = load_cues()
        return [repr((name, s.prefilters, s._needs, s._leads, s._firsts, s._branches, sorted(s._non_ascii)))
                for name in sorted(cues.__dataclass_fields__)
                if isinstance(s := getattr(cues, name), CueSet)]

    _parsed.cache_clear()
    cold = derived()
    assert _parsed.cache_info().hits > 0  # the analyses shared the parse
    assert derived() == cold
