"""Issue #6, point 1: matcher latency per message over the dev set, and how it grows with the catalog.

Catalogs: the shipped one, and synthetic ones 10x and 100x its size (`benchmarks.synthetic`: every intent gets
perturbed siblings with their own ids). For each, the matcher is built, warmed up on the hold-out sets (other
messages than the measured ones, so memoised typo look-ups are not all hits), then every dev-set message is
timed alone (`Matcher.match`, wall clock). The naive baseline, timed in the same run on the same catalog, is a
Python loop calling `fuzz.token_set_ratio` on every example phrasing (preprocessed once with rapidfuzz's
`default_process`), keeping the best per intent; at 10x and 100x it is timed on an evenly spaced sample of the
dev set so the run stays short.

Long messages (issues 13 and 18, point 5; the one long-message benchmark, `benchmarks/long_messages.py` was merged
into it): Slack-style messages of 300 to 4,000 characters (the chat's length cap, `PRIVACY_BOT_MAX_MESSAGE_CHARS`;
the matcher itself looks at most at 1,200 of them, head and tail), made of dev-set messages of one language, a
fifth of them `> ` quoted, timed the same way on the shipped catalog, by the wall clock and by the thread's CPU
time (which another tenant's load on a shared machine inflates less). Run only this part with
`python -m benchmarks.matcher_latency --long`.

Targets: p50 ≤ 0.5 ms on the shipped catalog, ≤ 10 ms at 100x; growth no worse than linear in the catalog size;
p99 ≤ 10 ms over the long messages.
"""
from __future__ import annotations

import json
import random
import statistics
import time
from typing import Callable, Sequence

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from benchmarks import REPO, Section, dev_texts, markdown_table, percentile
from benchmarks.synthetic import example_count, synthetic_catalog
from intents.catalog import Catalog, load_catalog
from intents.matcher import Matcher

P50_SHIPPED = 0.0005
P50_100X = 0.010
P99_LONG = 0.010
#: Lengths of the long messages: up to the chat's default length cap (Settings.max_message_chars).
LONG_LENGTHS = (300, 600, 1200, 2400, 4000)
LONG_PER_LENGTH = 40
HOLDOUTS = ["holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl"]
#: Each message is timed once per pass; its latency is the median over the passes (the machine is shared, and a
#: single timing can catch another tenant's burst).
PASSES = 3


def holdout_texts() -> list[str]:
    texts = []
    for name in HOLDOUTS:
        with open(REPO / "tests" / "data" / name, encoding="utf-8") as stream:
            texts.extend(json.loads(line)["text"] for line in stream if line.strip())
    return texts


def time_each(fn, texts: Sequence[str], budget: float,  # type: ignore[no-untyped-def]
              passes: int = PASSES, clock: Callable[[], float] = time.perf_counter) -> tuple[list[float], list[float]]:
    """Seconds per call of fn(text) by `clock`: (per text, the median of `passes` passes over all texts; the first
    pass alone). Each pass times every text once, in order; the texts are cut short so all passes fit in
    `budget`."""
    t0 = time.perf_counter()
    fn(texts[0])
    per_call = max(time.perf_counter() - t0, 1e-6)
    texts = texts[:max(1, min(len(texts), int(budget / passes / per_call)))]
    runs = []
    for _ in range(passes):
        timings = []
        for text in texts:
            t0 = clock()
            fn(text)
            timings.append(clock() - t0)
        runs.append(timings)
    return [statistics.median(values) for values in zip(*runs)], runs[0]


class NaiveMatcher:
    """The baseline to beat: one `fuzz.token_set_ratio` call per example phrasing, best per intent."""

    def __init__(self, catalog: Catalog) -> None:
        self.examples = [(intent.id, default_process(example)) for intent in catalog
                         for examples in intent.examples.values() for example in examples]

    def match(self, text: str) -> str | None:
        query = default_process(text)
        best: dict[str, float] = {}
        for intent, example in self.examples:
            score = fuzz.token_set_ratio(query, example)
            if score > best.get(intent, -1.0):
                best[intent] = score
        return max(best, key=best.__getitem__) if best else None


def long_messages(texts: Sequence[str], per_length: int = LONG_PER_LENGTH) -> list[tuple[int, str]]:
    """(length, message): a Slack-style message (a mention and greeting, then dev-set messages of one language,
    English or Japanese alternately, a fifth of them `> ` quoted, joined with line breaks or spaces) cut at the
    length: what a long Slack message or a pasted e-mail looks like."""
    rng = random.Random(18)
    japanese = [t for t in texts if any("\u3040" <= c <= "\u9fff" for c in t)]
    english = [t for t in texts if t not in set(japanese)]
    out = []
    for length in LONG_LENGTHS:
        for n in range(per_length):
            pool = japanese if n % 2 else english
            parts: list[str] = ["<@U0BOT123> hi team :wave:"]
            while sum(len(p) + 2 for p in parts) < length:
                text = rng.choice(pool)
                parts.append("> " + text if rng.random() < 0.2 else text)
            out.append((length, rng.choice(["\n\n", "\n", " "]).join(parts)[:length]))
    return out


def long_rows(matcher: Matcher, messages: list[tuple[int, str]],
              budget: float = 120.0) -> tuple[list[list[str]], float, float]:
    """Per length: messages, wall-clock p50, p99 and max, CPU p50 and p99 (ms); and the p99 over all of them
    (seconds), wall clock and CPU."""
    texts = [text for _, text in messages]
    lat, _ = time_each(matcher.match, texts, budget=budget)
    cpu, _ = time_each(matcher.match, texts, budget=budget, clock=time.thread_time)
    rows = []
    for length in LONG_LENGTHS:
        mine = [(w, c) for (n, _), w, c in zip(messages, lat, cpu) if n == length]
        if mine:
            wall_ms, cpu_ms = [w for w, _ in mine], [c for _, c in mine]
            rows.append([str(length), str(len(mine)), f"{percentile(wall_ms, 50) * 1000:.2f}",
                         f"{percentile(wall_ms, 99) * 1000:.2f}", f"{max(wall_ms) * 1000:.2f}",
                         f"{percentile(cpu_ms, 50) * 1000:.2f}", f"{percentile(cpu_ms, 99) * 1000:.2f}"])
    return rows, percentile(lat, 99), percentile(cpu, 99)


LONG_COLUMNS = ["characters", "messages", "p50 ms", "p99 ms", "max ms", "CPU p50 ms", "CPU p99 ms"]


def long_only() -> str:
    """Only the long-message part, on the shipped catalog (a minute instead of the whole benchmark's several)."""
    matcher = Matcher(load_catalog())
    for text in holdout_texts():
        matcher.match(text)
    rows, p99, cpu99 = long_rows(matcher, long_messages(dev_texts()))
    return (markdown_table(LONG_COLUMNS, rows)
            + f"\n\np99 over all: {p99 * 1000:.2f} ms wall clock, {cpu99 * 1000:.2f} ms CPU (target ≤ 10 ms)")


def distinct_share(matcher: Matcher) -> str:
    """How many of the compared texts are distinct (phrasings differing only in stop words compare as one)."""
    groups = [g for groups in matcher._choices.values() for g in groups]
    texts = sum(len(g.texts) for g in groups)
    distinct = sum(len(set(g.texts)) for g in groups)
    return f"{distinct / texts:.0%}" if texts else "-"


def run(quick: bool = False) -> Section:
    section = Section("matcher", "Matcher latency")
    texts = dev_texts()
    warm = holdout_texts()
    factors = (1, 2) if quick else (1, 10, 100)
    if quick:
        texts, warm = texts[::10], warm[::10]
    base = load_catalog()
    rows = []
    p50s: dict[int, float] = {}
    for factor in factors:
        catalog = base if factor == 1 else synthetic_catalog(base, factor)
        t0 = time.perf_counter()
        matcher = Matcher(catalog)
        build = time.perf_counter() - t0
        for text in warm:
            matcher.match(text)
        lat, first = time_each(matcher.match, texts, budget=300.0)
        naive = NaiveMatcher(catalog)
        step = 1 if factor == 1 else max(1, factor // 5)
        sample = texts[::step]
        for text in sample[:3]:
            naive.match(text)
        naive_lat, _ = time_each(naive.match, sample, budget=0.5 if quick else 60.0)
        p50, p99 = percentile(lat, 50), percentile(lat, 99)
        n50, n99 = percentile(naive_lat, 50), percentile(naive_lat, 99)
        p50s[factor] = p50
        rows.append([f"{factor}x", len(catalog), example_count(catalog), distinct_share(matcher), f"{build:.2f}",
                     len(lat),
                     f"{p50 * 1000:.3f}", f"{p99 * 1000:.3f}", f"{sum(lat) / len(lat) * 1000:.3f}",
                     f"{percentile(first, 50) * 1000:.3f}", f"{n50 * 1000:.2f}", f"{n99 * 1000:.2f}",
                     len(naive_lat), f"{n50 / p50:.1f}x"])
        if factor == 1:
            section.add("p50 per message, shipped catalog", f"{p50 * 1000:.3f} ms (p99 {p99 * 1000:.2f} ms)",
                        "≤ 0.5 ms", p50 <= P50_SHIPPED)
        section.add(f"speed-up over naive token_set_ratio loop, {factor}x (p50 ratio)",
                    f"{n50 / p50:.1f}x ({n50 * 1000:.2f} ms vs {p50 * 1000:.3f} ms)", "> 1", n50 > p50)
        if factor == 100:
            section.add("p50 per message, 100x catalog", f"{p50 * 1000:.2f} ms (p99 {p99 * 1000:.2f} ms)",
                        "≤ 10 ms", p50 <= P50_100X)
    shipped = Matcher(base)
    for text in warm:
        shipped.match(text)
    # Quick: one English and one Japanese message per length (every length's row is still there).
    long = long_messages(texts, 2 if quick else LONG_PER_LENGTH)
    long_table, long_p99, long_cpu99 = long_rows(shipped, long, budget=4.0 if quick else 120.0)
    section.add(f"p99 per message, long messages ({LONG_LENGTHS[0]}-{LONG_LENGTHS[-1]} characters, shipped catalog)",
                f"{long_p99 * 1000:.2f} ms (CPU p99 {long_cpu99 * 1000:.2f} ms)", f"≤ {P99_LONG * 1000:.0f} ms",
                long_p99 <= P99_LONG)
    growth = []
    for factor in factors[1:]:
        g = p50s[factor] / p50s[1]
        growth.append(f"{factor}x catalog: p50 x{g:.1f}")
        section.add(f"p50 growth at {factor}x catalog", f"x{g:.1f}", f"≤ x{factor} (linear)", g <= factor)
    if long_p99 > P99_LONG:
        section.why.append(
            f"Long messages: p99 {long_p99 * 1000:.1f} ms by the wall clock, {long_cpu99 * 1000:.1f} ms of the "
            "thread's CPU time (the wall clock also counts the time other processes held the core). The matcher "
            "reads at most 1,200 characters (head and tail) and compares examples only of the intents its "
            "vocabulary and keywords rank best (issue 13.5), but the cue patterns (about 130 regular expressions, "
            "most of them `\\b(?:word|…)` that Python's `re` cannot scan for quickly, and whose word gates pass on "
            "a long text), keyword evidence and lexical tokens still run over all of those characters.")
    if any(row.ok is False for row in section.rows if "long messages" not in row.metric):
        section.why.append(
            "Matching time is spent mostly in rapidfuzz comparing the message with the example phrasings that share "
            "a content word (English) or a character bigram (Japanese) with it; their number grows linearly with the "
            "catalog, and Japanese bigrams (です, ます, 個人, 情報…) are shared so widely that a Japanese message is "
            "compared with about half of the Japanese phrasings. The fixed part (normalising, cues, keywords) does "
            "not grow. On a noisy shared machine single-shot timings also vary by ±20% between runs.")
    section.body = (
        f"Dev set: {len(texts)} messages timed one by one after warming up on {len(warm)} hold-out messages, "
        f"{PASSES} passes; a message's latency is the median of its {PASSES} timings (the first pass alone, with the "
        "memoised typo look-ups still cold for dev-set words, is shown too). "
        "Naive = Python loop of `fuzz.token_set_ratio` over every example (preprocessed once), timed on the same "
        "catalog in the same run (on an evenly spaced sample of the dev set at 10x and 100x). Synthetic catalogs: "
        "`benchmarks/synthetic.py` (every intent gets perturbed siblings); the matcher compares each distinct "
        "text once, so the share of distinct texts is shown.\n\n"
        + markdown_table(["catalog", "intents", "examples", "distinct compared texts", "build s", "messages",
                          "p50 ms", "p99 ms", "mean ms", "p50 ms, 1st pass only", "naive p50 ms", "naive p99 ms",
                          "naive messages", "naive p50 / p50"], rows)
        + "\n\nGrowth of p50 with the catalog: " + "; ".join(growth) + "."
        + f"\n\nLong messages on the shipped catalog: {len(long)} Slack-style messages, half English, half Japanese, "
        "each a mention and dev-set messages of its language (a fifth of them `> ` quoted) joined until its length "
        "(the matcher reads at most the first and last parts of 1,200 characters), timed like the dev set, by the "
        "wall clock and by the thread's CPU time:\n\n"
        + markdown_table(LONG_COLUMNS, long_table)
    )
    return section


if __name__ == "__main__":
    import sys

    print(long_only() if "--long" in sys.argv else run().body)
