"""Accuracy on the labelled dev set meets the targets (bot.engine.evaluation.TARGETS), and the set itself is sound."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.engine.evaluation import OFFTOPIC_KINDS, TARGETS, Report, evaluate
from intents.catalog import REQUEST_TYPES
from intents.matcher import Matcher

REPO = Path(__file__).resolve().parents[3]
DEV_SET = REPO / "tests" / "data" / "dev.jsonl"
KINDS = {"question", "request", "offtopic", "hostile", "smalltalk", "silent"}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(DEV_SET.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            record = json.loads(line)
            assert isinstance(record, dict) and isinstance(record.get("text"), str), f"line {number}"
            rows.append(record)
    return rows


@pytest.fixture(scope="module")
def report(matcher: Matcher, records: list[dict[str, Any]]) -> Report:
    return evaluate(matcher, records)


def _failures(report: Report, limit: int = 25) -> str:
    return "\n".join(f"  {f['id']}: expected {f['expected']} got {f['got']} ({f['decision']}/{f['intent']}): "
                     f"{f['text'][:100]!r}" for f in report.failures[:limit])


def test_targets_are_the_documented_ones() -> None:
    assert TARGETS == {"article_accuracy_en": 0.92, "article_accuracy_ja": 0.85, "handoff_precision": 0.95,
                       "handoff_recall": 0.95, "offtopic_no_article": 0.95}


def test_dev_set_size_and_language_mix(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 300
    langs = Counter(r["lang"] for r in records)
    assert set(langs) == {"en", "ja"}
    share_en = langs["en"] / len(records)
    assert 0.65 <= share_en <= 0.85, f"English share {share_en:.2f}, expected about 0.75"


def test_dev_set_covers_every_article_and_request_type(records: list[dict[str, Any]]) -> None:
    articles = {r["article"] for r in records}
    assert set(range(1, 15)) <= articles
    handoffs = {r["handoff"] for r in records}
    assert set(REQUEST_TYPES) <= handoffs
    kinds = Counter(r.get("kind") for r in records)
    for kind in ("question", "request", "offtopic", "hostile"):
        assert kinds[kind] > 0, kind
    for lang in ("en", "ja"):
        in_lang = [r for r in records if r["lang"] == lang]
        assert {r["handoff"] for r in in_lang} >= set(REQUEST_TYPES), lang
        assert any(r.get("kind") in OFFTOPIC_KINDS for r in in_lang), lang


def test_dev_set_labels_are_consistent(records: list[dict[str, Any]]) -> None:
    ids = [r.get("id") for r in records]
    assert len(ids) == len(set(ids)), "duplicate ids in the dev set"
    texts = [r["text"] for r in records]
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert not duplicates, f"duplicate texts: {duplicates[:5]}"
    for r in records:
        where = r.get("id")
        assert r["lang"] in ("en", "ja"), where
        assert r.get("kind") in KINDS, where
        assert r["text"].strip(), where
        assert r["article"] is None or (isinstance(r["article"], int) and 1 <= r["article"] <= 14), where
        if r["handoff"] is not None:
            assert r["handoff"] in REQUEST_TYPES, where
            assert r["article"] == REQUEST_TYPES[r["handoff"]], where
            assert r["kind"] == "request", where
        if r.get("kind") in OFFTOPIC_KINDS or r.get("kind") == "smalltalk":
            assert r["article"] is None and r["handoff"] is None, where


def test_english_article_accuracy(report: Report) -> None:
    value = report.summary()["article_accuracy"]["en"]
    assert value is not None
    assert value >= TARGETS["article_accuracy_en"], f"en accuracy {value:.3f}\n{_failures(report)}"


def test_japanese_article_accuracy(report: Report) -> None:
    value = report.summary()["article_accuracy"]["ja"]
    assert value is not None
    assert value >= TARGETS["article_accuracy_ja"], f"ja accuracy {value:.3f}\n{_failures(report)}"


def test_handoff_precision(report: Report) -> None:
    value = report.summary()["handoff"]["precision"]
    assert value is not None
    assert value >= TARGETS["handoff_precision"], f"handoff precision {value:.3f}\n{_failures(report)}"


def test_handoff_recall(report: Report) -> None:
    value = report.summary()["handoff"]["recall"]
    assert value is not None
    assert value >= TARGETS["handoff_recall"], f"handoff recall {value:.3f}\n{_failures(report)}"


def test_offtopic_and_hostile_get_no_article(report: Report) -> None:
    value = report.summary()["offtopic_no_article"]
    assert value is not None
    assert value >= TARGETS["offtopic_no_article"], f"off-topic clean share {value:.3f}\n{_failures(report)}"


def test_report_has_no_missed_targets(report: Report) -> None:
    assert report.missed_targets() == []


@pytest.mark.parametrize("name", ["holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl"])
def test_holdout_sets_meet_the_same_targets(matcher: Matcher, name: str) -> None:
    """Three further sets, each written by a different author who never saw the catalog. They were first
    evaluated untouched (figures in the issue notes), then their misses informed general fixes; they stay
    here as regression guards."""
    rows = [json.loads(line) for line in (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    report = evaluate(matcher, rows)
    assert report.missed_targets() == [], _failures(report)


#: Blind sets of rounds 3 to 9 and 16 (written by helpers who saw only the policy text and the issue's family list).
#: Scored untouched first (README "Accuracy on text nobody here wrote"), then used to diagnose families of failure;
#: these floors, a little under the figures reached, keep the fixes from regressing. Issue 13's targets. (Round 5's
#: r5e was read last, by one engineer, and keeps its off-topic figure below the target: the floor is what it reads.)
BLIND_FLOORS = {
    # request recall raised after round 4's request-side fixes (r3a 98.2, r3b 96.4)
    "blind_r3a.jsonl": {"en": 0.95, "ja": 0.93, "precision": 0.97, "recall": 0.96, "offtopic": 0.95, "dead_ends": 0.03},
    "blind_r3b.jsonl": {"en": 0.91, "ja": 0.96, "precision": 0.97, "recall": 0.95, "offtopic": 0.95, "dead_ends": 0.03},
    # round 5 after its fixes (2026-12-04): r5a 99.3/99.0/100/100/100/0.0, r5b 99.3/100/100/100/100/0.0,
    # r5e 98.0/99.0/100/98.4/92.9/0.0
    "blind_r5a.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r5b.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r5e.jsonl": {"en": 0.96, "ja": 0.97, "precision": 0.98, "recall": 0.96, "offtopic": 0.90, "dead_ends": 0.01},
    # round 6 after its fixes (2026-12-04, main 9845149): r6a 96.7/98.1/100/100/100/1.0, r6b 96.6/99.1/100/95.1/100/1.0,
    # r6c 98.7/99.1/98.4/100/100/0.0, r6d 99.3/99.0/100/100/100/0.0, r6g 99.3/100/100/100/97.6/0.0, r6h all 100/0.0
    "blind_r6a.jsonl": {"en": 0.95, "ja": 0.96, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.02},
    "blind_r6b.jsonl": {"en": 0.95, "ja": 0.97, "precision": 0.98, "recall": 0.93, "offtopic": 0.97, "dead_ends": 0.02},
    "blind_r6c.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.96, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r6d.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r6g.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.95, "dead_ends": 0.01},
    "blind_r6h.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    # round 7's diagnosis sets, kept as regression sets (untouched figures in the README; floors under today's)
    "blind_r7a.jsonl": {"en": 0.96, "ja": 0.97, "precision": 0.96, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r7b.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r7c.jsonl": {"en": 0.96, "ja": 0.96, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.015},
    "blind_r7g.jsonl": {"en": 0.93, "ja": 0.97, "precision": 0.98, "recall": 0.95, "offtopic": 0.97, "dead_ends": 0.015},
    "blind_r7i.jsonl": {"en": 0.92, "ja": 0.94, "precision": 0.96, "recall": 0.95, "offtopic": 0.97, "dead_ends": 0.025},
    # round 8's diagnosis sets (untouched figures in the README; floors under those of main b79f6b5). r8x is mostly
    # requests, r8y English only, r8z mostly off-topic and hostile: a measure a set has no items for is not floored.
    "blind_r8a.jsonl": {"en": 0.94, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.015},
    "blind_r8b.jsonl": {"en": 0.94, "ja": 0.96, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.025},
    "blind_r8c.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r8x.jsonl": {"en": 0.90, "ja": 0.96, "precision": 0.95, "recall": 0.88, "dead_ends": 0.03},
    "blind_r8y.jsonl": {"en": 0.92, "offtopic": 0.97, "dead_ends": 0.04},
    "blind_r8z.jsonl": {"en": 0.93, "ja": 0.96, "offtopic": 0.94, "dead_ends": 0.01},
    # round 9 (untouched on 8a52b3c: r9a en 92.0 / R 95.1, r9b en 89.5 / P 92.3 / R 77.4 / off-topic 92.9,
    # r9c en 94.7, r9x en 90.5 / R 93.0 / off-topic 80.0; README "Round-9 blind sets")
    "blind_r9a.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.95, "dead_ends": 0.02},
    "blind_r9b.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r9c.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "blind_r9x.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.98, "recall": 0.97, "offtopic": 0.95, "dead_ends": 0.01},
    # round 16's read sets, kept in tests/data/round16/ (untouched figures in the README, "Round-16 blind sets"; floors
    # under those of main 7791a01: r16a 98.7/100/100/98.4/100/0.5, r16c 98.7/100/100/100/100/0.0, r16d 97.4/99.0/100/
    # 100/97.6/1.0, r16e 99.3/99.0/100/98.3/100/0.0, r16f 98.7/99.0/98.4/100/100/0.0, r16g 99.4/100/100/98.3/100/0.5,
    # r16i all 100/0.0)
    "round16/blind_r16a.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.015},
    "round16/blind_r16c.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round16/blind_r16d.jsonl": {"en": 0.96, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.95, "dead_ends": 0.02},
    "round16/blind_r16e.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.01},
    "round16/blind_r16f.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.96, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round16/blind_r16g.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.015},
    "round16/blind_r16i.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    # r16l (read last: 98.0/97.2/98.4/98.4/92.9/0.0; its off-topic figure is under the target, as read)
    "round16/blind_r16l.jsonl": {"en": 0.97, "ja": 0.96, "precision": 0.96, "recall": 0.96, "offtopic": 0.90, "dead_ends": 0.01},
    # round 17's read sets, kept in tests/data/round17/ (untouched figures in the README, "Round-17 blind sets"; floors
    # under those of main d32366a: r17a 97.3/100/100/100/100/0.5, r17d 98.7/100/98.3/98.3/100/1.0, r17e 98.0/98.1/98.3/
    # 98.3/97.6/1.5, r17f 100/99.0/100/100/100/0.5, r17g 97.3/98.1/100/100/97.6/0.5)
    "round17/blind_r17a.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round17/blind_r17d.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.96, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.015},
    "round17/blind_r17e.jsonl": {"en": 0.97, "ja": 0.97, "precision": 0.96, "recall": 0.96, "offtopic": 0.95, "dead_ends": 0.02},
    "round17/blind_r17f.jsonl": {"en": 0.98, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round17/blind_r17g.jsonl": {"en": 0.96, "ja": 0.97, "precision": 0.98, "recall": 0.98, "offtopic": 0.95, "dead_ends": 0.01},
    # round 18's read sets, kept in tests/data/round18/ (untouched figures in the README, "Round-18 blind sets"; floors
    # under those of main at the round's end: r18a 98.0/100/100/98.3/97.7/0.5, r18d 98.0/97.1/96.7/98.3/95.2/1.0, r18e
    # 96.0/97.2/93.5/95.1/97.6/1.0, r18f 97.3/99.1/96.7/95.2/97.6/0.0, r18g 98.0/99.0/98.3/95.1/97.6/1.5)
    "round18/blind_r18a.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.95, "dead_ends": 0.01},
    "round18/blind_r18d.jsonl": {"en": 0.97, "ja": 0.96, "precision": 0.95, "recall": 0.96, "offtopic": 0.93, "dead_ends": 0.015},
    "round18/blind_r18e.jsonl": {"en": 0.95, "ja": 0.96, "precision": 0.92, "recall": 0.93, "offtopic": 0.95, "dead_ends": 0.015},
    "round18/blind_r18f.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.95, "recall": 0.93, "offtopic": 0.95, "dead_ends": 0.01},
    "round18/blind_r18g.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.96, "recall": 0.93, "offtopic": 0.95, "dead_ends": 0.02},
    # round 19's read sets, kept in tests/data/round19/ (untouched figures in the README, "Round-19 blind sets"; floors
    # under those of main at the round's end: r19a 100/100/100/100/100/0.0, r19b 98.0/99.0/100/100/100/1.0, r19d
    # 99.3/100/100/100/100/0.5, r19e 99.3/100/100/100/100/0.0, r19g 100/100/100/98.3/100/0.0, r19i 97.3/99.0/100/98.4/
    # 100/1.5)
    "round19/blind_r19a.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round19/blind_r19b.jsonl": {"en": 0.97, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.015},
    "round19/blind_r19d.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round19/blind_r19e.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.98, "offtopic": 0.97, "dead_ends": 0.01},
    "round19/blind_r19g.jsonl": {"en": 0.98, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.01},
    "round19/blind_r19i.jsonl": {"en": 0.96, "ja": 0.98, "precision": 0.98, "recall": 0.96, "offtopic": 0.97, "dead_ends": 0.02},
}


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_blind_sets_hold_their_floors(matcher: Matcher, name: str) -> None:
    rows = [json.loads(line) for line in (REPO / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    s = evaluate(matcher, rows).summary()
    floor = BLIND_FLOORS[name]
    got = {"en": s["article_accuracy"]["en"], "ja": s["article_accuracy"]["ja"], "precision": s["handoff"]["precision"],
           "recall": s["handoff"]["recall"], "offtopic": s["offtopic_no_article"]}
    assert all(got[k] is not None and got[k] >= floor[k] for k in got if k in floor), (got, floor)
    assert s["dead_end_rate"] <= floor["dead_ends"], s["dead_end_rate"]
