"""Issue #6, point 5: Slack acknowledgement time, from a signed event arriving to the HTTP 200, under load.

`privacy-bot serve` runs with the Slack front end on, its Web API pointed at the local mock of Slack
(`tests/slack_mock.py`, imported from the test folder). Signed `message.im` events (unique event ids and users,
dev-set texts, valid `X-Slack-Signature`) arrive at a fixed rate, each on a new connection as Slack delivers them,
while the HTTP benchmark's load (32 keep-alive chat clients) runs against the same server. The same events are
also sent to the idle server, as the baseline. The answers the bot posts back to the mock are counted, to show
the events were really processed after the acknowledgement. Target: p99 ≤ 300 ms under load.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import (LOOPBACK, REPO, UNLIMITED_RATES, Section, ServerProcess, clean_env, dev_texts, free_port,
                        markdown_table)
from benchmarks.http_throughput import CLIENTS, chat_clients, lane_summary, run_loadgen

SECRET = "bench-signing-secret-0123456789abcdef"
P99_TARGET = 0.300
RATE = 5.0  # events per second


def _slack_mock() -> Any:
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from slack_mock import SlackMock  # the tests' mock of Slack's Web API

    return SlackMock


def signed_event(port: int, n: int, text: str, tag: str) -> str:
    """A raw HTTP request carrying a signed `message.im` event_callback, as Slack sends it."""
    from slack_mock import BOT_USER_ID, TEAM_ID

    ts = f"{time.time():.6f}"
    user = f"U0B{tag.upper()}{n:05d}"
    body = json.dumps({
        "token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": "A0BENCH", "type": "event_callback",
        "event_id": f"Ev{tag.upper()}{n:06d}", "event_time": int(time.time()),
        "event": {"client_msg_id": f"m-{tag}-{n}", "type": "message", "text": text, "user": user, "ts": ts,
                  "team": TEAM_ID, "channel": "D" + user[1:], "event_ts": ts, "channel_type": "im"},
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True,
                            "is_enterprise_install": False}],
    }).encode("utf-8")
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    head = (f"POST /slack/events HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nContent-Type: application/json\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: v0={digest}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1").decode("latin-1") + body.decode("utf-8")


def run(quick: bool = False) -> Section:
    section = Section("slack", "Slack acknowledgement")
    duration, warmup = (2.0, 0.5) if quick else (10.0, 2.0)
    clients_n = 8 if quick else CLIENTS
    texts = dev_texts()
    SlackMock = _slack_mock()
    results: dict[str, dict[str, Any]] = {}
    posted: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
        workdir = Path(tmp)
        mock = SlackMock().start()
        try:
            env = clean_env({"PRIVACY_BOT_DATA_DIR": str(workdir / "data"), **UNLIMITED_RATES,
                             "SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                             "SLACK_API_URL": mock.url, "SLACK_STAFF_CHANNEL": "C0STAFF",
                             "SLACK_STAFF_USERS": "U0STAFF"})
            server = ServerProcess.privacy_bot(free_port(), env, workdir, "slack").start()
            try:
                server.wait_ready()
                count = int((duration + warmup) * RATE) + 1
                for name, load in (("idle", False), ("under load", True)):
                    tag = "i" if not load else "l"
                    events = [signed_event(server.port, n, texts[(n * 7) % len(texts)], tag) for n in range(count)]
                    lanes: list[dict[str, Any]] = [{"name": "slack", "kind": "paced", "rate": RATE,
                                                    "requests": events}]
                    if load:
                        lanes.append({"name": "chat", "kind": "closed",
                                      "clients": chat_clients(server.port, texts, clients_n, 4000, "slackload")})
                    before = len(mock.calls("chat.postMessage"))
                    spec = {"host": LOOPBACK, "port": server.port, "duration": duration, "warmup": warmup,
                            "timeout": 10, "lanes": lanes}
                    out = run_loadgen(spec, workdir)
                    results[name] = {lane: lane_summary(data) for lane, data in out["lanes"].items()}
                    # The answers are posted after the acknowledgement; give the listener threads a moment.
                    deadline = time.monotonic() + (5 if quick else 20)
                    while len(mock.calls("chat.postMessage")) - before < count and time.monotonic() < deadline:
                        time.sleep(0.1)
                    posted[name] = len(mock.calls("chat.postMessage")) - before
            finally:
                server.stop()
        finally:
            mock.stop()
    rows = []
    for name, lanes in results.items():
        s = lanes["slack"]
        chat = lanes.get("chat")
        rows.append([name, s["completed"], json.dumps(s["statuses"]), f"{s['p50'] * 1000:.1f}",
                     f"{s['p99'] * 1000:.1f}", f"{s['max'] * 1000:.1f}", posted[name],
                     f"{chat['rps']:.0f} rps, p99 {chat['p99'] * 1000:.0f} ms" if chat else "none"])
    idle, loaded = results["idle"]["slack"], results["under load"]["slack"]
    bad = sum(v for k, v in loaded["statuses"].items() if k != "200") + sum(loaded["errors"].values())
    section.add(f"Slack event → HTTP 200, p99 under load ({clients_n} chat clients)",
                f"{loaded['p99'] * 1000:.0f} ms (p50 {loaded['p50'] * 1000:.0f} ms; idle p99 "
                f"{idle['p99'] * 1000:.0f} ms, ratio {loaded['p99'] / idle['p99'] if idle['p99'] else 0:.1f})",
                "≤ 300 ms", loaded["p99"] <= P99_TARGET and bad == 0 and loaded["completed"] > 0)
    section.body = (
        f"Signed `message.im` events at {RATE:.0f}/s, each on a new connection, for {duration:.0f} s after "
        f"{warmup:.0f} s warm-up; under load the {clients_n} chat clients of the HTTP benchmark run against the same "
        "server. `answers posted` counts the bot's `chat.postMessage` calls to the mock (replies sent after the "
        "acknowledgement).\n\n"
        + markdown_table(["server", "events acknowledged", "statuses", "p50 ms", "p99 ms", "max ms",
                          "answers posted", "chat load"], rows)
    )
    return section
