"""`classify` and `eval`: the matcher's decisions as JSON records, and accuracy on a labelled set."""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, TextIO

from intents.catalog import REQUEST_TYPES
from intents.matcher import Matcher

#: The targets issue #2 sets; `privacy-bot eval --check` fails when one is missed.
TARGETS = {"article_accuracy_en": 0.92, "article_accuracy_ja": 0.85, "handoff_precision": 0.95,
           "handoff_recall": 0.95, "offtopic_no_article": 0.95}
OFFTOPIC_KINDS = ("offtopic", "hostile")
#: Kinds whose items are in scope of the assistant: a fallback on one of them is a dead end.
IN_SCOPE_KINDS = ("question", "request", "silent")
#: How a missing article is shown in the confusion table.
NO_ARTICLE = "-"


class InputError(ValueError):
    """A JSON Lines record is not usable; the message names the line."""


def classify(matcher: Matcher, text: str, record_id: Any = None, lang: str | None = None) -> dict[str, Any]:
    """The DESIGN.md `classify` record for one message."""
    match = matcher.match(text, lang if lang in ("en", "ja") else None)
    choices = [matcher.catalog[i].article for i in match.choices]
    article = choices[0] if match.decision == "clarify" and choices else match.article
    return {
        "id": record_id,
        "decision": match.decision,
        "article": article if match.decision != "fallback" else None,
        "handoff": match.handoff if match.decision == "request" else None,
        "intent": match.intent,
        "confidence": match.confidence,
        "choices": choices,
    }


def read_jsonl(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """(line number, record or error) for every non-blank line; never raises for bad content."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, InputError(f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, InputError(f"line {number}: expected an object with a string 'text'")
            continue
        yield number, record


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _ratio(hit: int, total: int) -> float | None:
    return hit / total if total else None


@dataclass
class Report:
    items: int = 0
    article_hits: dict[str, int] = field(default_factory=lambda: {"all": 0, "en": 0, "ja": 0})
    article_totals: dict[str, int] = field(default_factory=lambda: {"all": 0, "en": 0, "ja": 0})
    handoff: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {"tp": 0, "fp": 0, "fn": 0} for t in REQUEST_TYPES})
    offtopic_total: int = 0
    offtopic_clean: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    #: In-scope items (question, request, silent) and those answered with a fallback (a dead end).
    in_scope_total: int = 0
    dead_ends: int = 0
    #: (expected article, got article) -> count; NO_ARTICLE for null.
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        tp = sum(v["tp"] for v in self.handoff.values())
        fp = sum(v["fp"] for v in self.handoff.values())
        fn = sum(v["fn"] for v in self.handoff.values())
        return {
            "items": self.items,
            "article_accuracy": {k: _ratio(self.article_hits[k], self.article_totals[k]) for k in ("all", "en", "ja")},
            "article_counts": dict(self.article_totals),
            "handoff": {
                "precision": _ratio(tp, tp + fp),
                "recall": _ratio(tp, tp + fn),
                "per_type": {t: {"precision": _ratio(v["tp"], v["tp"] + v["fp"]),
                                 "recall": _ratio(v["tp"], v["tp"] + v["fn"]), **v}
                             for t, v in self.handoff.items()},
            },
            "offtopic_no_article": _ratio(self.offtopic_clean, self.offtopic_total),
            "offtopic_items": self.offtopic_total,
            "latency_ms": {"p50": round(_percentile(self.latencies_ms, 0.5), 3),
                           "p99": round(_percentile(self.latencies_ms, 0.99), 3)},
            "dead_end_rate": _ratio(self.dead_ends, self.in_scope_total),
            "dead_end_items": self.in_scope_total,
            "confusion": {f"{e}->{g}": n for (e, g), n in sorted(self.confusion.items(), key=_confusion_order)},
        }

    def missed_targets(self) -> list[str]:
        s = self.summary()
        actual = {
            "article_accuracy_en": s["article_accuracy"]["en"],
            "article_accuracy_ja": s["article_accuracy"]["ja"],
            "handoff_precision": s["handoff"]["precision"],
            "handoff_recall": s["handoff"]["recall"],
            "offtopic_no_article": s["offtopic_no_article"],
        }
        return [f"{k} {actual[k]:.3f} < {v}" for k, v in TARGETS.items() if actual[k] is not None and actual[k] < v]


def evaluate(matcher: Matcher, records: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for record in records:
        text = record["text"]
        started = time.perf_counter()
        got = classify(matcher, text, record.get("id"))
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        report.items += 1
        lang: str = record["lang"] if record.get("lang") in ("en", "ja") else "en"
        expected_article = record.get("article")
        expected_handoff = record.get("handoff")
        ok_article = got["article"] == expected_article
        for key in ("all", lang):
            report.article_totals[key] += 1
            report.article_hits[key] += int(ok_article)
        predicted = got["handoff"]
        if predicted and predicted == expected_handoff:
            report.handoff[predicted]["tp"] += 1
        else:
            if predicted in report.handoff:
                report.handoff[predicted]["fp"] += 1
            if expected_handoff in report.handoff:
                report.handoff[expected_handoff]["fn"] += 1
        report.confusion[(_article_key(expected_article), _article_key(got["article"]))] += 1
        if _in_scope(record):
            report.in_scope_total += 1
            report.dead_ends += int(got["decision"] == "fallback")
        if record.get("kind") in OFFTOPIC_KINDS:
            report.offtopic_total += 1
            report.offtopic_clean += int(got["article"] is None and predicted is None)
        if not ok_article or predicted != expected_handoff:
            report.failures.append({"id": record.get("id"), "text": text, "expected": [expected_article, expected_handoff],
                                    "got": [got["article"], predicted], "decision": got["decision"], "intent": got["intent"]})
    return report


def _in_scope(record: dict[str, Any]) -> bool:
    """An item the assistant should answer (a policy question or request, or a silent topic)."""
    kind = record.get("kind")
    if kind is not None:
        return kind in IN_SCOPE_KINDS
    return record.get("article") is not None or record.get("handoff") is not None


def _article_key(article: Any) -> str:
    return NO_ARTICLE if article is None else str(article)


def _confusion_order(item: tuple[tuple[str, str], int]) -> tuple[int, int]:
    (expected, got), _ = item
    return (0 if expected == NO_ARTICLE else int(expected), 0 if got == NO_ARTICLE else int(got))


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def format_sets(summaries: dict[str, dict[str, Any]]) -> str:
    """One row per set: the figures the issue's targets are stated in."""
    header = ("set", "items", "en top-1", "ja top-1", "request P", "request R", "off-topic no article",
              "dead ends", "p50 ms", "p99 ms")
    rows = [header]
    for name, s in summaries.items():
        acc = s["article_accuracy"]
        rows.append((name, str(s["items"]), pct(acc["en"]), pct(acc["ja"]), pct(s["handoff"]["precision"]),
                     pct(s["handoff"]["recall"]), pct(s["offtopic_no_article"]), pct(s["dead_end_rate"]),
                     f"{s['latency_ms']['p50']:.2f}", f"{s['latency_ms']['p99']:.2f}"))
    widths = [max(len(row[n]) for row in rows) for n in range(len(header))]
    return "\n".join("  ".join(cell.rjust(widths[n]) if n else cell.ljust(widths[n]) for n, cell in enumerate(row))
                     for row in rows)


def format_confusion(confusion: Counter[tuple[str, str]]) -> str:
    """Expected article (rows) against the article answered (columns); "-" is no article."""
    labels = [NO_ARTICLE] + [str(n) for n in range(1, 15)]
    width = max(4, max((len(str(n)) for n in confusion.values()), default=1) + 1)
    lines = ["expected \\ got " + "".join(label.rjust(width) for label in labels)]
    for expected in labels:
        row = [confusion.get((expected, got), 0) for got in labels]
        if not any(row):
            continue
        cells = "".join((str(n) if n else ".").rjust(width) for n in row)
        lines.append(f"{expected:>15} " + cells)
    return "\n".join(lines)


def format_report(summary: dict[str, Any]) -> str:
    acc = summary["article_accuracy"]
    counts = summary["article_counts"]
    lines = [
        f"items: {summary['items']}",
        f"article accuracy: all {pct(acc['all'])} ({counts['all']})  en {pct(acc['en'])} ({counts['en']})  "
        f"ja {pct(acc['ja'])} ({counts['ja']})",
        f"handoff: precision {pct(summary['handoff']['precision'])}  recall {pct(summary['handoff']['recall'])}",
    ]
    for name, v in summary["handoff"]["per_type"].items():
        lines.append(f"  {name:<22} precision {pct(v['precision']):>7}  recall {pct(v['recall']):>7}  "
                     f"(tp {v['tp']}, fp {v['fp']}, fn {v['fn']})")
    lines.append(f"off-topic/adversarial answered with no article: {pct(summary['offtopic_no_article'])} "
                 f"({summary['offtopic_items']} items)")
    lines.append(f"dead ends (fallback on in-scope items): {pct(summary['dead_end_rate'])} "
                 f"({summary['dead_end_items']} items)")
    lines.append(f"latency: p50 {summary['latency_ms']['p50']:.3f} ms  p99 {summary['latency_ms']['p99']:.3f} ms")
    return "\n".join(lines)
