"""The `privacy-bot` console front end, run as a real subprocess (`python -m bot ...`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DEV_SET = REPO / "tests" / "data" / "dev.jsonl"
CLASSIFY_KEYS = {"id", "decision", "article", "handoff", "intent", "confidence", "choices"}
DECISIONS = {"answer", "clarify", "request", "fallback", "smalltalk"}


def run(tmp_path: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_"))}
    environment["PRIVACY_BOT_DATA_DIR"] = str(tmp_path / "data")
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=environment, input=stdin, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout,
    )


def test_top_level_help(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("serve", "ask", "chat", "classify", "eval"):
        assert command in result.stdout


@pytest.mark.parametrize(("command", "words"), [
    ("serve", ["--host", "--port", "web"]),
    ("ask", ["text", "--lang", "--json"]),
    ("chat", ["--lang", "interactive"]),
    ("classify", ["file", "JSON Lines", "decision"]),
    ("eval", ["file", "--json", "accuracy"]),
])
def test_subcommand_help(tmp_path: Path, command: str, words: list[str]) -> None:
    result = run(tmp_path, command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"privacy-bot {command}" in result.stdout
    for word in words:
        assert word.lower() in result.stdout.lower(), (command, word)
    assert not (tmp_path / "data").exists(), "--help must not create the data directory"


def test_no_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 2
    assert "usage" in result.stderr.lower()


def test_ask_prints_an_answer_with_citation(tmp_path: Path) -> None:
    result = run(tmp_path, "ask", "what are cookies used for?")
    assert result.returncode == 0, result.stderr
    assert "Article 12 (" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("-- Article 12 (")
    assert (tmp_path / "data").is_dir(), "the data directory is created on first run"


def test_ask_in_japanese(tmp_path: Path) -> None:
    result = run(tmp_path, "ask", "クッキーを無効にするとどうなりますか？")
    assert result.returncode == 0, result.stderr
    assert "第12条" in result.stdout


def test_ask_json(tmp_path: Path) -> None:
    result = run(tmp_path, "ask", "--json", "what are cookies used for?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decision"] == "answer"
    assert data["article"] == 12
    assert data["citation"].startswith("Article 12 (")
    assert data["handoff"] is None
    assert isinstance(data["choices"], list)


def test_ask_json_request_and_lang_option(tmp_path: Path) -> None:
    result = run(tmp_path, "ask", "--json", "--lang", "ja", "Please delete my account and all my data.")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decision"] == "request"
    assert data["handoff"] == "suspension"
    assert data["lang"] == "ja"


def test_chat_answers_each_line(tmp_path: Path) -> None:
    result = run(tmp_path, "chat", stdin="hi\nwhat about cookies\n/quit\nwhat are cookies used for?\n")
    assert result.returncode == 0, result.stderr
    replies = [line for line in result.stdout.splitlines() if line.startswith("bot> ")]
    assert len(replies) == 2, result.stdout  # nothing after /quit is answered
    assert "Article 12 (" in result.stdout
    assert "-- Article 12 (" in result.stdout


def test_chat_keeps_the_session_for_clarify_picks(tmp_path: Path) -> None:
    vague = ["data", "my data", "personal data", "my personal data", "information", "my info", "info",
             "personal info", "info about personal data", "personal information"]
    lines = "".join(f"{text}\n2\n" for text in vague)
    result = run(tmp_path, "chat", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(replies) == 2 * len(vague)
    session_ids = {r["session_id"] for r in replies}
    assert len(session_ids) == 1
    picks = [(asked, picked) for asked, picked in zip(replies[::2], replies[1::2]) if asked["decision"] == "clarify"]
    assert picks, "no vague message produced a clarify reply"
    for asked, picked in picks:
        assert picked["decision"] == "answer"
        assert picked["intent"] == asked["choices"][1]["intent"]
        assert picked["article"] == asked["choices"][1]["article"]


def test_chat_ends_on_eof(tmp_path: Path) -> None:
    result = run(tmp_path, "chat", stdin="thanks!\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("bot> ") == 1


def test_classify_jsonl_from_stdin(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "text": "what are cookies used for?"},
        {"id": 42, "text": "Please delete my account and all my data."},
        {"text": "hi"},
        {"id": "ja-1", "text": "クッキーを無効にするとどうなりますか？", "lang": "ja"},
        {"id": "off", "text": "lunch at noon?"},
    ]
    result = run(tmp_path, "classify", "-", stdin="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    for record, source in zip(out, lines):
        assert set(record) == CLASSIFY_KEYS
        assert record["id"] == source.get("id")
        assert record["decision"] in DECISIONS
        assert isinstance(record["choices"], list)
        assert isinstance(record["confidence"], (int, float)) and 0 <= record["confidence"] <= 1
    assert (out[0]["decision"], out[0]["article"], out[0]["handoff"]) == ("answer", 12, None)
    assert (out[1]["decision"], out[1]["article"], out[1]["handoff"]) == ("request", 9, "suspension")
    assert (out[2]["decision"], out[2]["article"], out[2]["intent"]) == ("smalltalk", None, "greeting")
    assert out[3]["article"] == 12
    assert (out[4]["decision"], out[4]["article"], out[4]["handoff"], out[4]["intent"]) == ("fallback", None, None, None)


def test_classify_from_file_argument(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": "Do you use Google Analytics?"}\n\n', encoding="utf-8")
    result = run(tmp_path, "classify", str(source))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out == [{**out[0], "id": "x", "article": 11}]


def test_classify_clarify_record_shape(tmp_path: Path) -> None:
    vague = ["data", "my data", "personal data", "my personal data", "information", "my info", "info",
             "personal info", "info about personal data", "personal information", "情報", "個人データ"]
    result = run(tmp_path, "classify", stdin="".join(json.dumps({"id": t, "text": t}) + "\n" for t in vague))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    clarified = [r for r in out if r["decision"] == "clarify"]
    assert clarified, "no vague message produced a clarify decision"
    for record in clarified:
        assert 2 <= len(record["choices"]) <= 3
        assert all(isinstance(a, int) for a in record["choices"])
        assert record["article"] == record["choices"][0]
        assert record["handoff"] is None
    for record in out:
        if record["decision"] != "clarify":
            assert record["choices"] == []


def test_classify_bad_lines_are_reported_and_others_classified(tmp_path: Path) -> None:
    stdin = "\n".join([
        '{"id": "ok1", "text": "what are cookies used for?"}',
        "this is not json",
        '{"id": "no-text"}',
        '{"id": "num", "text": 5}',
        "[1, 2, 3]",
        '{"id": "ok2", "text": "get me a real person"}',
    ]) + "\n"
    result = run(tmp_path, "classify", "-", stdin=stdin)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 6
    errors = [r for r in out if "error" in r]
    assert [r["line"] for r in errors] == [2, 3, 4, 5]
    for r in errors:
        assert r["id"] is None
        assert isinstance(r["error"], str) and r["error"]
    assert out[0]["id"] == "ok1" and out[0]["article"] == 12
    assert out[5]["id"] == "ok2" and out[5]["handoff"] == "inquiry"
    assert result.stderr.count("line ") >= 4


def test_eval_json_report(tmp_path: Path) -> None:
    result = run(tmp_path, "eval", str(DEV_SET), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["items"] >= 300
    assert set(report["article_accuracy"]) >= {"all", "en", "ja"}
    for key in ("all", "en", "ja"):
        assert 0 <= report["article_accuracy"][key] <= 1
    handoff = report["handoff"]
    assert 0 <= handoff["precision"] <= 1 and 0 <= handoff["recall"] <= 1
    assert set(handoff["per_type"]) == {"purpose_notification", "disclosure", "correction", "suspension",
                                        "third_party_stop", "inquiry"}
    for per_type in handoff["per_type"].values():
        assert {"precision", "recall"} <= set(per_type)
    assert 0 <= report["offtopic_no_article"] <= 1
    latency = report["latency_ms"]
    assert 0 <= latency["p50"] <= latency["p99"]


def test_eval_table_report(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(
        '{"id": "1", "text": "what are cookies used for?", "lang": "en", "article": 12, "handoff": null, "kind": "question"}\n'
        '{"id": "2", "text": "is the VPN down?", "lang": "en", "article": null, "handoff": null, "kind": "offtopic"}\n'
        '{"id": "3", "text": "Please delete my account and all my data.", "lang": "en", "article": 9, '
        '"handoff": "suspension", "kind": "request"}\n',
        encoding="utf-8")
    result = run(tmp_path, "eval", str(small))
    assert result.returncode == 0, result.stderr
    assert "items: 3" in result.stdout
    assert "article accuracy" in result.stdout
    assert "latency" in result.stdout
    checked = run(tmp_path, "eval", str(small), "--json", "--check")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["article_accuracy"]["all"] == 1.0
    assert report["handoff"]["per_type"]["suspension"]["tp"] == 1


def test_eval_missing_file(tmp_path: Path) -> None:
    result = run(tmp_path, "eval", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert "nope.jsonl" in result.stderr


@pytest.mark.parametrize(("key", "value", "command"), [
    ("PRIVACY_BOT_SESSION_TTL", "abc", ["ask", "hi"]),
    ("PRIVACY_BOT_DEFAULT_LANG", "fr", ["chat"]),
    ("REDIS_URL", "http://x", ["serve", "--port", "1"]),
])
def test_config_error_exits_2_naming_the_variable(tmp_path: Path, key: str, value: str, command: list[str]) -> None:
    result = run(tmp_path, *command, env={key: value}, stdin="", timeout=20)
    assert result.returncode == 2
    assert key in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_eval_several_sets_one_row_each_with_confusion_and_dead_ends(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(
        '{"id": "1", "text": "what are cookies used for?", "lang": "en", "article": 12, "handoff": null, "kind": "question"}\n'
        '{"id": "2", "text": "zzqx vvlp", "lang": "en", "article": 12, "handoff": null, "kind": "question"}\n',
        encoding="utf-8")
    second = tmp_path / "second.jsonl"
    second.write_text(
        '{"id": "3", "text": "lunch at noon?", "lang": "en", "article": null, "handoff": null, "kind": "offtopic"}\n'
        '{"id": "4", "text": "do you sell my data?", "lang": "en", "article": null, "handoff": null, "kind": "silent"}\n',
        encoding="utf-8")
    result = run(tmp_path, "eval", str(first), str(second))
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0][:2] == ["set", "items"] and "dead" in rows[0]
    assert rows[1][:2] == ["first", "2"] and rows[2][:2] == ["second", "2"]
    assert rows[1][-3] == "50.0%"  # one of two in-scope items fell back: a dead end
    assert rows[2][-3] == "0.0%"   # the silent topic is answered, not a dead end
    assert "per-article confusion" in result.stdout
    confusion = {r[0]: r[1:] for r in rows if r and r[0] in ("-", "12")}
    assert confusion["12"][0] == "1" and confusion["12"][12] == "1"  # one 12 -> none, one 12 -> 12
    assert confusion["-"][0] == "2"
    as_json = json.loads(run(tmp_path, "eval", str(first), str(second), "--json").stdout)
    assert set(as_json["sets"]) == {"first", "second"}
    assert as_json["sets"]["first"]["dead_end_rate"] == 0.5
    assert as_json["sets"]["second"]["confusion"] == {"-->-": 2}
    single = json.loads(run(tmp_path, "eval", str(first), "--json").stdout)
    assert single["items"] == 2 and single["dead_end_rate"] == 0.5


def test_eval_reports_fidelity_for_sets_with_phrases(tmp_path: Path) -> None:
    """Items with must / must_not phrases get the whole reply checked (issue 14 point 4)."""
    small = tmp_path / "fid.jsonl"
    small.write_text(
        '{"id": "a", "text": "When was the privacy policy last revised?", "lang": "en", "article": 13, '
        '"handoff": null, "kind": "question", "must": ["December 1, 2022"], "must_not": []}\n'
        '{"id": "b", "text": "Do you sell my data?", "lang": "en", "article": null, "handoff": null, '
        '"kind": "silent", "must": [], "must_not": ["Yes."]}\n'
        '{"id": "c", "text": "What do you use my data for?", "lang": "en", "article": 3, "handoff": null, '
        '"kind": "question", "must": ["not in our policy at all"], "must_not": []}\n'
        '{"id": "d", "text": "is the VPN down?", "lang": "en", "article": null, "handoff": null, "kind": "offtopic"}\n',
        encoding="utf-8")
    result = run(tmp_path, "eval", str(small), "--failures")
    assert result.returncode == 0, result.stderr
    assert "fidelity of fid: whole replies faithful" in result.stdout
    assert "66.7% (2/3)" in result.stdout and "silent topics 1/1" in result.stdout
    assert "c: 'What do you use my data for?': missing 'not in our policy at all'" in result.stdout
    report = json.loads(run(tmp_path, "eval", str(small), "--json").stdout)
    assert report["fidelity"]["items"] == 3 and report["fidelity"]["faithful_counts"]["all"] == 2
    assert "fidelity" not in json.loads(run(tmp_path, "eval", str(DEV_SET), "--json").stdout)


def test_eval_set_overrides_a_threshold_for_ablations(tmp_path: Path) -> None:
    small = tmp_path / "one.jsonl"
    small.write_text('{"id": "1", "text": "what are cookies used for?", "lang": "en", "article": 12, "handoff": null, '
                     '"kind": "question"}\n', encoding="utf-8")
    on = json.loads(run(tmp_path, "eval", str(small), "--json").stdout)
    assert on["article_accuracy"]["all"] == 1.0
    # Without any signal the best topic scores nothing: the item falls back (a dead end).
    off = run(tmp_path, "eval", str(small), "--json", "--set", "example_points=0", "--set", "lexical_points=0",
              "--set", "keyword_points=0")
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout)["dead_end_rate"] == 1.0
    bad = run(tmp_path, "eval", str(small), "--set", "no_such=1")
    assert bad.returncode != 0 and "NAME=VALUE" in bad.stderr
