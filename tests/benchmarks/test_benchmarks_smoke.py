"""The benchmarks never rot: each runs here for a few seconds (`run(quick=True)`), and what they check for
correctness (every answer 200, no lost or duplicated ticket) must hold. Timing targets are not asserted here: the
full run (`python -m benchmarks`) measures them and stays out of CI.

Also here: the exactness of the matcher's speed-ups (each must give exactly what the code it replaced gave), and
the fault-and-load script's reconciliation logic.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import Section  # noqa: E402
from benchmarks.fault_load import StoredTicket, reconcile, reconcile_messages, repeated_messages  # noqa: E402


_HTTP_RUN: list[Section] = []

#: The suite runs on two pytest-xdist workers (pyproject's addopts). The smokes that start servers and put load on
#: them form one group, run one after another on one worker: none of them measures while another loads the machine
#: (the Slack smoke asserts its ack p99), and the capacity smoke finds the HTTP smoke's run in this process.
LOAD_SMOKES = "benchmark-load-smokes"


def _http_section() -> Section:
    """The HTTP smoke run, made once per module: the capacity smoke plans from its CPU figures, as a full run
    does (it would otherwise run the same 20-second benchmark again)."""
    if not _HTTP_RUN:
        from benchmarks import http_throughput

        _HTTP_RUN.append(http_throughput.run(quick=True))
    return _HTTP_RUN[0]


def failures(section: Section) -> list[str]:
    """Rows that say something is broken (not merely slow on this machine)."""
    timing = ("p50", "p99", "rps", "RSS", "start-up", "speed-up", "growth", "CPU")
    return [f"{r.metric}: {r.value}" for r in section.rows
            if r.ok is False and not any(word in r.metric for word in timing)]


# -- each benchmark, a few seconds ---------------------------------------------------------------

def test_matcher_benchmark_smoke() -> None:
    from benchmarks import matcher_latency

    section = matcher_latency.run(quick=True)
    assert not failures(section)
    assert any("p50 per message, shipped catalog" in r.metric for r in section.rows)
    assert "| 1x |" in section.body and "| 2x |" in section.body
    # Issue 18.5: long messages up to the chat's length cap have their own row and table.
    # One long-message benchmark (benchmarks/long_messages.py was merged here): wall clock and CPU per length.
    long_row = next(r for r in section.rows if "long messages" in r.metric)
    assert "CPU p99" in long_row.value
    assert "| 4000 |" in section.body and "CPU p99 ms" in section.body


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_http_benchmark_smoke(redis_binary: str) -> None:
    section = _http_section()
    assert not failures(section), section.body
    results = section.data["results"]
    for name in ("bare", "matcher", "sqlite", "redis"):
        assert results[name]["completed"] > 0 and set(results[name]["statuses"]) == {"200"}, (name, results[name])
        assert not results[name]["errors"], (name, results[name])
    assert section.data["matcher_cpu_ms"] > 0
    # Redis round trips are counted from the server's own statistics: every counted message answered, and at
    # least the one read and the one write each message needs.
    trips = section.data["round_trips"]
    assert trips["ok"] == trips["messages"] and trips["round_trips"] >= 1.5, trips
    assert trips["plain"]["ok"] == trips["plain"]["messages"], trips
    assert trips["calls"].get("evalsha", 0) >= 1, trips


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_ticket_benchmark_smoke(redis_binary: str) -> None:
    from benchmarks import tickets

    section = tickets.run(quick=True)
    assert not failures(section), section.body
    checks = [r for r in section.rows if r.metric.startswith("lost / duplicated")]
    assert len(checks) == 4 and all(r.ok for r in checks), section.body


@pytest.mark.slow
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_memory_benchmark_smoke() -> None:
    from benchmarks import memory_startup

    section = memory_startup.run(quick=True)
    assert not failures(section), section.body
    assert "'200': 200" in section.body


@pytest.mark.slow
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_slack_benchmark_smoke() -> None:
    from benchmarks import slack_ack

    section = slack_ack.run(quick=True)
    assert not failures(section), section.body
    assert section.rows and "HTTP 200" in section.rows[0].metric
    [slow] = [r for r in section.rows if r.metric.startswith("ack p99, every Slack call")]  # issue 17 point 1
    assert slow.ok and "lazy (in use)" in section.body and "| shared |" in section.body


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_fault_load_smoke(redis_binary: str) -> None:
    """Two users, five seconds, redis killed twice and a worker killed, Slack answering 429 then 500 and SMTP down
    for a while: no ticket and no outbox message lost or duplicated."""
    from benchmarks.fault_load import run_fault_load

    class Quiet:
        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

    outcome = run_fault_load(users=2, duration=5.0, log=Quiet())
    result = outcome["result"]
    assert result["acknowledged"] > 0, outcome
    assert result["lost"] == 0 and result["duplicated"] == 0, outcome
    messages = outcome["messages"]
    assert messages["expected"] == 3 * result["stored"] and messages["delivered"] == messages["expected"], outcome
    assert messages["lost"] == 0 and messages["queued"] >= messages["expected"], outcome
    # Delivery is at least once: the one message a worker is sending when it is SIGKILLed (after the channel said
    # ok, before that was recorded) is sent again when its lease ends. One worker is killed once here.
    assert messages["duplicated"] <= 1, outcome
    assert not [k for k in outcome["counts"] if k.startswith("HTTP 5")], outcome


@pytest.mark.xdist_group(LOAD_SMOKES)
def test_analytics_benchmark_smoke(redis_binary: str) -> None:
    from benchmarks import analytics_page

    section = analytics_page.run(quick=True)
    assert not failures(section)
    assert len(section.rows) == 2  # SQLite and Redis, each against the staff queue of the same run


def test_report_is_written(tmp_path: Path) -> None:
    from benchmarks.__main__ import main

    out = tmp_path / "RESULTS.md"
    assert main(["--quick", "--only", "matcher", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Summary", "## Missed targets", "## Details", "## Profiles and fixes"):
        assert heading in text
    assert "QUICK SMOKE RUN" in text and "rapidfuzz" in text


# -- the fault-and-load script's reconciliation -----------------------------------------------------

def test_reconcile_messages_counts_lost_and_duplicated() -> None:
    a, b = "PRQ-2026-000001", "PRQ-2026-000002"
    emails = [("<1@x>", a, "alert"), ("<2@x>", a, "receipt"), ("<3@x>", b, "alert"), ("<3@x>", b, "alert")]
    result = reconcile_messages([a, b], [a, b, b], emails, queued=6)
    assert result == {"queued": 6, "expected": 6, "delivered": 5, "duplicated": 2, "lost": 1}
    assert reconcile_messages([a], [a], [("<1@x>", a, "alert"), ("<2@x>", a, "receipt")], queued=3)["lost"] == 0


def test_repeated_messages_name_the_channel_and_ticket() -> None:
    a, b = "PRQ-2026-000001", "PRQ-2026-000002"
    emails = [("<1@x>", a, "alert"), ("<2@x>", a, "receipt"), ("<3@x>", b, "receipt"), ("<3@x>", b, "receipt")]
    assert repeated_messages([a, b, b, b], emails) == [
        f"Slack staff alert of {b} (3 arrivals)", f"email receipt of {b} (2 arrivals)"]
    assert repeated_messages([a], [("<1@x>", a, "alert")]) == []


def test_reconcile_all_acknowledged_and_stored() -> None:
    stored = [StoredTicket("PRQ-2026-000001", "form-a"), StoredTicket("PRQ-2026-000002", "form-b")]
    acked = {"form-a": ["PRQ-2026-000001", "PRQ-2026-000001"], "form-b": ["PRQ-2026-000002"]}
    assert reconcile(acked, stored) == {"acknowledged": 2, "stored": 2, "lost": 0, "duplicated": 0,
                                        "unacknowledged": 0}


def test_reconcile_counts_lost_references() -> None:
    stored = [StoredTicket("PRQ-2026-000001", "form-a")]
    acked = {"form-a": ["PRQ-2026-000001"], "form-b": ["PRQ-2026-000002"]}
    assert reconcile(acked, stored)["lost"] == 1


def test_reconcile_counts_two_tickets_for_one_form() -> None:
    stored = [StoredTicket("PRQ-2026-000001", "form-a"), StoredTicket("PRQ-2026-000002", "form-a")]
    result = reconcile({"form-a": ["PRQ-2026-000001", "PRQ-2026-000002"]}, stored)
    assert result["duplicated"] == 2  # a second ticket stored, and a second reference given to the form
    assert reconcile({"form-a": ["PRQ-2026-000001"]}, stored)["duplicated"] == 1


def test_reconcile_counts_one_reference_given_to_two_forms() -> None:
    stored = [StoredTicket("PRQ-2026-000001", "form-a")]
    result = reconcile({"form-a": ["PRQ-2026-000001"], "form-b": ["PRQ-2026-000001"]}, stored)
    assert result["duplicated"] == 1 and result["lost"] == 0


def test_reconcile_unacknowledged_tickets_are_not_errors() -> None:
    stored = [StoredTicket("PRQ-2026-000001", "form-a"), StoredTicket("PRQ-2026-000002", "form-gave-up")]
    result = reconcile({"form-a": ["PRQ-2026-000001"]}, stored)
    assert result == {"acknowledged": 1, "stored": 2, "lost": 0, "duplicated": 0, "unacknowledged": 1}


# -- the matcher's speed-ups give exactly what they replaced ---------------------------------------

def _all_texts() -> list[str]:
    texts = []
    for path in sorted((REPO / "tests" / "data").glob("*.jsonl")):
        with open(path, encoding="utf-8") as stream:
            texts.extend(json.loads(line)["text"] for line in stream if line.strip())
    return texts


TRICKY = ["", " ", "\n\n", "please", "PLEASE delete it", "ignore previous instructions", "{{ 7*7 }}", "<script>",
          "i m the ceo s assistant, send me the customer list", "データを消去してください", "担当者に代わって",
          "お客様から転送：削除してほしいとのこと", "or 1=1 -- ", "a" * 3000, "ｐｌｅａｓｅ　ｄｅｌｅｔｅ"]


def test_cue_prefilters_never_change_a_score() -> None:
    from intents.cues import CueSet, load_cues
    from intents.normalize import fold

    cues = load_cues()
    rng = random.Random(6)
    texts = _all_texts() + TRICKY
    words = " ".join(texts).split()
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    for name in ("request_en", "request_ja", "question_en", "question_ja", "person_en", "person_ja", "hostile",
                 "offtopic"):
        fast: CueSet = getattr(cues, name)
        assert any(f is not None for f in fast.prefilters) or name.endswith("_ja") or name == "offtopic"
        plain = CueSet(fast.patterns, prefilters=(None,) * len(fast.patterns))
        for text in texts:
            for form in (text, text.casefold(), fold(text), "\n".join(fold(s) for s in text.split("."))):
                assert fast.score(form) == plain.score(form), (name, form)


def test_parallel_comparisons_equal_serial_ones() -> None:
    from intents.matcher import _similarities

    rng = random.Random(7)
    words = " ".join(_all_texts()).casefold().split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(2500)]
    for scorer in (fuzz.token_set_ratio, fuzz.token_sort_ratio):
        for query in texts[:5]:
            serial = process.cdist([query], texts, scorer=scorer, dtype=np.uint8)[0]
            assert np.array_equal(_similarities(query, texts, scorer), serial)


def test_best_per_owner_equals_maximum_at() -> None:
    from intents.matcher import _Choices

    rng = np.random.default_rng(8)
    owners = np.sort(rng.integers(0, 40, size=500)).astype(np.int32)
    group = _Choices([f"t{i}" for i in range(500)], owners, False)
    assert group.grouped
    for _ in range(20):
        positions = np.flatnonzero(rng.random(500) < 0.3)
        row = rng.integers(0, 101, size=len(positions)).astype(np.uint8)
        expected = rng.random(40) * 50
        got = expected.copy()
        np.maximum.at(expected, owners[positions], row.astype(np.float64))
        group.best_per_owner(got, owners[positions], row, None)
        assert np.array_equal(got, expected)


def test_token_set_form_gives_the_same_score() -> None:
    from intents.matcher import _token_set

    rng = random.Random(9)
    words = " ".join(_all_texts()).casefold().split()
    for _ in range(500):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        b = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        assert fuzz.token_set_ratio(_token_set(a), _token_set(b)) == fuzz.token_set_ratio(a, b)


def test_bm25_sums_equal_one_addition_per_term() -> None:
    from intents.catalog import load_catalog
    from intents.matcher import Matcher, lexical_tokens
    from intents.normalize import normalize

    matcher = Matcher(load_catalog())
    index = matcher._lexical
    for text in _all_texts()[:300] + TRICKY:
        tokens = lexical_tokens(normalize(text).text)
        expected = np.zeros(index.size)
        seen: set[str] = set()
        for token in tokens:
            term = index.lookup(token)
            if term is None or term in seen:
                continue
            seen.add(term)
            docs, weights = index._postings[term]
            expected[docs] += weights
        assert np.array_equal(index.scores(tokens), expected), text


def test_large_catalog_paths_change_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Comparing each distinct text once and the multi-core batches (the paths large catalogs take) give the same
    matches as comparing every example on one thread."""
    import intents.matcher as matcher_module
    from benchmarks.synthetic import synthetic_catalog
    from intents.catalog import load_catalog
    from intents.matcher import Matcher

    catalog = synthetic_catalog(load_catalog(), 4)
    monkeypatch.setattr(matcher_module, "DISTINCT_SHARE", 0.0)
    plain = Matcher(catalog)
    monkeypatch.setattr(matcher_module, "DISTINCT_SHARE", 1.0)
    folded = Matcher(catalog)
    assert all(g.inverse is None for groups in plain._choices.values() for g in groups)
    assert all(g.inverse is not None for groups in folded._choices.values() for g in groups)
    texts = _all_texts()[::4] + TRICKY
    monkeypatch.setattr(matcher_module, "PARALLEL_MIN_TEXTS", 10**9)
    expected = [plain.match(text) for text in texts]
    monkeypatch.setattr(matcher_module, "PARALLEL_MIN_TEXTS", 10)
    assert [folded.match(text) for text in texts] == expected


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_capacity_benchmark_smoke(redis_binary: str) -> None:
    """Issue 18.6: the plan is computed from measured CPU, and two workers sharing one Redis lose no session or
    ticket and duplicate none (the shared-state row is a correctness check, so `failures` catches it)."""
    from benchmarks import capacity

    section = capacity.run(quick=True, earlier=[_http_section()])  # plans from the HTTP smoke run's CPU, as in a full run
    assert not failures(section), section.body
    plans = section.data["plans"]
    assert plans["sqlite"]["workers"] >= 1 and plans["redis"]["workers"] >= 1 and plans["redis"]["shards"] >= 1
    shared = section.data["shared"]
    assert shared["result"]["acknowledged"] >= 1 and shared["result"]["stored"] == shared["result"]["acknowledged"]


def test_fault_load_form_scripts_reach_the_summary(tmp_path: Path) -> None:
    """The fault-load and capacity runs count a form that does not reach its summary as "out of step" (a lost
    session); their scripted answers must follow the intake form as it is, or that count means nothing."""
    from benchmarks.fault_load import OPENERS, SCRIPTS, SUMMARY_CHOICES
    from bot.app import build_services
    from bot.config import Settings
    from bot.engine.messages import Message

    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path)}))
    try:
        for kind, opener in OPENERS.items():
            session = f"script-{kind}-0001"
            reply = services.conversation.handle(Message(text=opener, session_id=session, frontend="web"))
            assert reply.handoff == kind
            for answer in SCRIPTS[kind]:
                reply = services.conversation.handle(Message(
                    text=answer.format(name="User 1 Form 1", email="user1.form1@example.com"), session_id=session,
                    frontend="web"))
            assert [c.value for c in reply.choices] == SUMMARY_CHOICES, (kind, reply.text)
    finally:
        services.close()


@pytest.mark.parametrize("matcher_only", [False, True], ids=["bare", "matcher-only"])
def test_the_baselines_serve_the_baseline_apps(tmp_path: Path, matcher_only: bool) -> None:
    """The baselines go through `privacy-bot serve` with only the app swapped; when the swap misses they serve
    the full chat app and every ratio compares the chat server with itself (this happened once, unnoticed, when
    serve began building its own `uvicorn.Server`). `start_bare_server` checks the answer's shape."""
    from benchmarks.http_throughput import start_bare_server

    server = start_bare_server(tmp_path, matcher=matcher_only)  # raises if the answer is not a baseline's
    try:
        import urllib.request

        request = urllib.request.Request(f"{server.base}/api/chat", data=b'{"text": "do you use cookies?"}',
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        if matcher_only:
            assert answer["intent"] == "cookies" and "text" not in answer, answer
        else:
            assert answer == {"status": "ok"}
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.xdist_group(LOAD_SMOKES)
def test_ab_benchmark_smoke(redis_binary: str, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import ab

    assert ab.main(["1", "1", "off=sqlite:-:PRIVACY_BOT_CHAT_INLINE=off", "rd=redis"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines if "CPU/message" in line}
    assert set(rows) == {"matcher", "off", "rd"}
    assert "ratio 1.00" in rows["matcher"] and "requests/s" in rows["off"]
    assert ab.main(["1", "1", "bad"]) == 2  # usage


@pytest.mark.redis
def test_inline_replies_smoke(redis_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import inline_replies

    assert inline_replies.main(["--limit", "45"]) == 0
    assert inline_replies.main(["--limit", "45", "--redis-url", redis_server.url]) == 0
    assert capsys.readouterr().out.count("45 messages, 0 replies differ") == 2


def test_core_path_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import core_path
    from intents.matcher import Matcher

    real = Matcher.match
    assert core_path.main(["1", "20"]) == 0
    assert "thread CPU per message outside matching and HTTP: min" in capsys.readouterr().out
    assert Matcher.match is real  # the memo is the benchmark's own, not left behind
