"""Interleaved A/B of `Matcher.match` in two trees: thread CPU per message, measured seconds apart on a shared, noisy
machine.

    python -m benchmarks.matcher_ab {dev|long} PASSES BEFORE_TREE [AFTER_TREE]

One worker process per tree (its code on `PYTHONPATH`, AFTER_TREE this one when not given) builds the shipped
catalog's matcher, waits for the scan gates to compile and matches every message once; then passes alternate between
the two (before, after; then after, before), each timing every message of the dev set (`dev`) or of the long-message
benchmark (`long`, `matcher_latency.long_messages`) once by the thread's CPU clock. Reported: each pass's mean, the
median of the paired passes' ratios, and per message the minimum over the passes (the least disturbed timing):
its mean, p50, p90 and p99 in each tree. Nothing is written to RESULTS.md.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

from benchmarks import REPO, dev_texts, percentile


def _texts(which: str) -> list[str]:
    if which == "long":
        from benchmarks.matcher_latency import long_messages
        return [text for _, text in long_messages(dev_texts())]
    return dev_texts()


def worker(which: str) -> None:
    """Build the matcher of the tree this runs in; for each line read, one timed pass, printed as JSON (µs)."""
    from bot.app import build_matcher
    from intents.cues import CueSet

    matcher = build_matcher()
    for f in fields(matcher.cues):
        cue_set = getattr(matcher.cues, f.name)
        if isinstance(cue_set, CueSet) and cue_set.patterns:
            cue_set._scan.wait(120)  # type: ignore[attr-defined]
    texts = _texts(which)
    for text in texts:
        matcher.match(text)
    print("ready", flush=True)
    for _ in sys.stdin:
        timings = []
        for text in texts:
            start = time.thread_time_ns()
            matcher.match(text)
            timings.append((time.thread_time_ns() - start) / 1e3)
        print(json.dumps(timings), flush=True)


#: Runs `worker` from this file in another tree (which need not have this file), the tree's own packages imported.
_WORKER = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('matcher_ab_worker', {path!r}); "
           "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); module.worker({which!r})")


def _start(tree: Path, which: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    code = _WORKER.format(path=str(Path(__file__).resolve()), which=which)
    process = subprocess.Popen([sys.executable, "-c", code], cwd=tree, env=env, text=True, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the worker in {tree} did not start")
    return process


def _pass(process: subprocess.Popen[str]) -> list[float]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    timings: list[float] = json.loads(process.stdout.readline())
    return timings


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4) or argv[0] not in ("dev", "long"):
        print(__doc__)
        return 2
    which, passes = argv[0], int(argv[1])
    trees = {"before": Path(argv[2]).resolve(), "after": Path(argv[3]).resolve() if len(argv) > 3 else REPO}
    workers = {name: _start(tree, which) for name, tree in trees.items()}
    runs: dict[str, list[list[float]]] = {name: [] for name in trees}
    try:
        for n in range(passes):
            for name in (list(trees) if n % 2 == 0 else list(reversed(trees))):
                runs[name].append(_pass(workers[name]))
    finally:
        for process in workers.values():
            assert process.stdin is not None
            process.stdin.close()
            process.wait()
    means = {name: [statistics.fmean(run) for run in runs[name]] for name in trees}
    ratios = [after / before for before, after in zip(means["before"], means["after"])]
    print(f"{which}: {passes} passes of {len(runs['before'][0])} messages; before {trees['before']}, "
          f"after {trees['after']}")
    for name in trees:
        print(f"  pass means, {name} (µs): {' '.join(f'{m:.0f}' for m in means[name])}")
    print(f"  paired pass ratio after/before: median {statistics.median(ratios):.3f} "
          f"(quartiles {percentile(ratios, 25):.3f}–{percentile(ratios, 75):.3f})")
    least = {name: [min(timings) for timings in zip(*runs[name])] for name in trees}
    for label, stat in (("mean", statistics.fmean), ("p50", statistics.median),
                        ("p90", lambda v: percentile(v, 90)), ("p99", lambda v: percentile(v, 99))):
        before, after = stat(least["before"]), stat(least["after"])
        print(f"  per-message minimum, {label}: before {before:.1f} µs, after {after:.1f} µs, "
              f"ratio {after / before:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
