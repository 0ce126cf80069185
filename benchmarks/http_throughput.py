"""Issue #6, point 2: `POST /api/chat` under uvicorn against a bare FastAPI endpoint, same server, same load.

The chat server is the real `privacy-bot serve`; the baseline is `benchmarks.bare_server` (the same command with
a bare app swapped in, so every uvicorn setting is identical by construction). Both get the same load from
`benchmarks.loadgen` in its own process: 32 keep-alive clients on loopback, each sending the dev set's messages in
its own chat sessions (a new session every `TURNS_PER_SESSION` messages), for a bounded time after a warm-up.
Run with the SQLite store and with the Redis store (our own redis-server, `appendonly yes`,
`appendfsync always`). Rate limits are raised (not switched off) so the limiter's work is still counted.

Targets: chat ≥ 50% of the bare endpoint's requests per second, chat p99 ≤ 50 ms, on both stores.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks import (LOOPBACK, UNLIMITED_RATES, RedisServer, Section, ServerProcess, clean_env, dev_texts,
                        free_port, markdown_table, percentile)
from benchmarks.loadgen import chat_request

CLIENTS = 32
TURNS_PER_SESSION = 20
RATIO_TARGET = 0.5
P99_TARGET = 0.050


def chat_clients(port: int, texts: Sequence[str], clients: int, per_client: int, tag: str) -> list[list[str]]:
    """Raw requests per client: the dev set's messages in a rotated order, a new session every few turns."""
    out = []
    for c in range(clients):
        requests = []
        for n in range(per_client):
            text = texts[(c * 37 + n) % len(texts)]
            session = f"bench-{tag}-{c:02d}-{n // TURNS_PER_SESSION:05d}"
            body = json.dumps({"session_id": session, "text": text}, ensure_ascii=False).encode("utf-8")
            requests.append(chat_request(LOOPBACK, port, "/api/chat", body).decode("utf-8"))
        out.append(requests)
    return out


def run_loadgen(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run `benchmarks.loadgen` in its own process and return its JSON result."""
    spec_file = workdir / f"spec-{time.monotonic_ns()}.json"
    out_file = spec_file.with_suffix(".out.json")
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    limit = float(spec["warmup"]) + float(spec["duration"]) + float(spec.get("timeout", 10)) + 60
    subprocess.run([sys.executable, "-m", "benchmarks.loadgen", str(spec_file), str(out_file)], check=True,
                   timeout=limit, cwd=Path(__file__).resolve().parents[1])
    result: dict[str, Any] = json.loads(out_file.read_text(encoding="utf-8"))
    spec_file.unlink(missing_ok=True)
    out_file.unlink(missing_ok=True)
    return result


def lane_summary(lane: dict[str, Any]) -> dict[str, Any]:
    lat = lane["latencies"]
    ok = sum(v for k, v in lane["statuses"].items() if k.startswith("2"))
    return {"rps": lane["rps"], "completed": lane["completed"], "ok": ok, "p50": percentile(lat, 50),
            "p99": percentile(lat, 99), "max": max(lat) if lat else 0.0, "statuses": lane["statuses"],
            "errors": lane["errors"], "exhausted": lane["exhausted"]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: ServerProcess, clients: list[list[str]], duration: float, warmup: float,
            workdir: Path, *, repeat: bool = False) -> dict[str, Any]:
    spec = {"host": LOOPBACK, "port": server.port, "duration": duration, "warmup": warmup, "timeout": 10,
            "lanes": [{"name": "chat", "kind": "closed", "clients": clients, "repeat": repeat}]}
    # The server's CPU time over the measured window (sampled beside the load generator), so the report can say
    # what one message costs the server rather than guess it from the request rate.
    window: dict[str, float] = {}

    def sample() -> None:
        time.sleep(warmup + 0.5)
        try:
            start, began = cpu_seconds(server.pid), time.perf_counter()
            time.sleep(max(0.5, duration - 1.0))
            window["cores"] = (cpu_seconds(server.pid) - start) / (time.perf_counter() - began)
        except OSError:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    summary = lane_summary(run_loadgen(spec, workdir)["lanes"]["chat"])
    sampler.join(timeout=5)
    summary["cpu_cores"] = window.get("cores", 0.0)
    summary["cpu_ms_per_request"] = 1000 * summary["cpu_cores"] / summary["rps"] if summary["rps"] else 0.0
    return summary


def start_chat_server(workdir: Path, redis_url: str | None, name: str) -> ServerProcess:
    env = clean_env({"PRIVACY_BOT_DATA_DIR": str(workdir / f"data-{name}"), **UNLIMITED_RATES})
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REDIS_KEY_PREFIX"] = f"bench-{name}"
    server = ServerProcess.privacy_bot(free_port(), env, workdir, name).start()
    server.wait_ready()
    return server


def start_bare_server(workdir: Path) -> ServerProcess:
    port = free_port()
    env = clean_env({"PRIVACY_BOT_DATA_DIR": str(workdir / "data-bare"), **UNLIMITED_RATES})
    argv = [sys.executable, "-m", "benchmarks.bare_server", "--host", LOOPBACK, "--port", str(port)]
    server = ServerProcess(argv, env, port, workdir / "bare.log", Path(__file__).resolve().parents[1]).start()
    server.wait_ready()
    return server


def core_cost(texts: Sequence[str], data_dir: Path, redis_url: str | None, messages: int) -> dict[str, float]:
    """Milliseconds per message of the conversation core alone (`Conversation.handle` with the real store, in this
    process, no HTTP) and of matching alone, over the same messages and session pattern as the load."""
    from bot.app import build_services
    from bot.config import Settings
    from bot.engine.messages import Message

    env = {"PRIVACY_BOT_DATA_DIR": str(data_dir)}
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX="bench-core")
    services = build_services(Settings.from_env(env))
    try:
        conversation = services.conversation

        def turns(n: int, tag: str) -> float:
            started = time.perf_counter()
            for i in range(n):
                conversation.handle(Message(text=texts[(i * 37) % len(texts)], frontend="web",
                                            session_id=f"core-{tag}-{i // TURNS_PER_SESSION:05d}"))
            return (time.perf_counter() - started) * 1000 / n

        turns(messages // 4, "warm")
        handle_ms = turns(messages, "timed")
        matcher = conversation.matcher
        started = time.perf_counter()
        for i in range(messages):
            matcher.match(texts[(i * 37) % len(texts)])
        match_ms = (time.perf_counter() - started) * 1000 / messages
    finally:
        services.close()
    return {"handle_ms": handle_ms, "match_ms": match_ms}


def run(quick: bool = False) -> Section:
    section = Section("http", "HTTP chat throughput")
    duration, warmup = (1.0, 0.3) if quick else (10.0, 2.0)
    clients_n = 8 if quick else CLIENTS
    per_client = 4000 if not quick else 600
    texts = dev_texts()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, RedisServer(Path(tmp) / "redis") as redis:
        workdir = Path(tmp)
        # Bare, chat on SQLite, chat on Redis; then the bare endpoint again so a drift in the machine's load during
        # the run shows up (the ratio uses the mean of the two baseline runs).
        plan = [("bare", None), ("sqlite", None), ("redis", redis.url), ("bare (again)", None)]
        if quick:
            plan = plan[:3]
        for name, url in plan:
            server = start_bare_server(workdir) if name.startswith("bare") else \
                start_chat_server(workdir, url, name)
            try:
                port = server.port
                clients = chat_clients(port, texts, clients_n, per_client, name.split()[0])
                # The bare endpoint answers ten times as fast: its clients go round their lists again.
                results[name] = measure(server, clients, duration, warmup, workdir, repeat=name.startswith("bare"))
            finally:
                server.stop()
        core = {name: core_cost(texts, workdir / f"core-{name}", url, 300 if quick else 3000)
                for name, url in (("sqlite", None), ("redis", redis.url))}
    bare_runs = [r["rps"] for name, r in results.items() if name.startswith("bare")]
    bare_rps = sum(bare_runs) / len(bare_runs)
    rows = []
    for name, r in results.items():
        ratio = r["rps"] / bare_rps if bare_rps else 0.0
        rows.append([name, f"{r['rps']:.0f}", f"{ratio:.2f}", f"{r['p50'] * 1000:.1f}", f"{r['p99'] * 1000:.1f}",
                     f"{r['max'] * 1000:.1f}", f"{r['cpu_cores']:.2f}", f"{r['cpu_ms_per_request']:.2f}",
                     r["completed"], json.dumps(r["statuses"]),
                     json.dumps(r["errors"]) if r["errors"] else "", r["exhausted"]])
        if name in ("sqlite", "redis"):
            non_ok = r["completed"] - r["ok"]
            section.add(f"chat rps / bare rps ({name})", f"{ratio:.2f} ({r['rps']:.0f} / {bare_rps:.0f} rps)",
                        f"≥ {RATIO_TARGET:.2f}", ratio >= RATIO_TARGET)
            section.add(f"chat p99 latency ({name}, {clients_n} clients)", f"{r['p99'] * 1000:.1f} ms",
                        f"≤ {P99_TARGET * 1000:.0f} ms", r["p99"] <= P99_TARGET)
            if non_ok or r["errors"]:
                section.add(f"chat non-2xx or errors ({name})", f"{non_ok} / {sum(r['errors'].values())}", "0",
                            False)
    section.body = (
        f"{clients_n} closed-loop keep-alive clients on loopback, {warmup:.0f} s warm-up then {duration:.0f} s "
        f"measured per server; the load generator (`benchmarks/loadgen.py`, asyncio, raw sockets) runs in its own "
        f"process. Ratio = rps / mean rps of the two bare runs. Server CPU is the server process's user + system "
        f"time over the measured window.\n\n"
        + markdown_table(["server", "rps", "ratio to bare", "p50 ms", "p99 ms", "max ms", "server CPU (cores)",
                          "server CPU ms per request", "answers", "statuses", "errors", "clients out of requests"],
                         rows)
        + "\n\nWhere a chat message's time goes: the conversation core alone, timed in the benchmark's own process "
        "(no HTTP, one message at a time, wall time, so the Redis row includes its round trips), over the same "
        "messages and session pattern:\n\n"
        + markdown_table(["store", "Conversation.handle with the store, ms/message",
                          "matching alone, ms/message (every message matched; form answers skip it in handle)"],
                         [[name, f"{c['handle_ms']:.3f}", f"{c['match_ms']:.3f}"] for name, c in core.items()])
    )
    section.data = {"results": results, "bare_rps": bare_rps, "core": core}
    if any(row.ok is False for row in section.rows):
        section.why.extend(explain(results, bare_rps, clients_n, core))
    return section


def explain(results: dict[str, dict[str, Any]], bare_rps: float, clients: int,
            core: dict[str, dict[str, float]]) -> list[str]:
    """Why the chat endpoint misses its targets, from this run's numbers."""
    out = []
    bare = [r for name, r in results.items() if name.startswith("bare")]
    bare_cpu = sum(r["cpu_ms_per_request"] for r in bare) / len(bare) if bare else 0.0
    bare_ms = 1000 / bare_rps if bare_rps else 0.0
    for name in ("sqlite", "redis"):
        r = results.get(name)
        if not r or not r["rps"]:
            continue
        c = core[name]
        needed = clients * 1000 / (P99_TARGET * 1000 * 0.75)  # p99 about 4/3 of the mean in these runs
        out.append(
            f"{name}: one worker answered {r['rps']:.0f} chat messages/s on {r['cpu_cores']:.2f} cores of CPU, "
            f"{r['cpu_ms_per_request']:.2f} ms of server CPU per message against {bare_cpu:.2f} ms per bare request. "
            f"The conversation core alone takes {c['handle_ms']:.2f} ms per message in process (wall time; matching "
            f"every message alone {c['match_ms']:.2f} ms)"
            + (f"; the rest of the CPU, about {max(0.0, r['cpu_ms_per_request'] - c['handle_ms']):.2f} ms, is HTTP "
               "parsing, JSON validation and encoding, the rate-limit buckets, and handing the message to a chat "
               "thread and back (the interpreter lock passed between threads)" if name == "sqlite" else
               ", most of it waiting for Redis round trips, which the chat threads overlap")
            + ". Half the bare rate "
            f"would leave {2 * bare_ms:.2f} ms of wall time per message, less than matching alone: the ratio target "
            "cannot be met by a worker that matches every message, only by caching answers to repeated texts, which "
            "this load (every message a fresh match) would flatter."
            + (f" With {clients} requests always in flight the mean latency is {clients} / rps = "
               f"{clients * 1000 / r['rps']:.0f} ms (Little's law), so p99 ≤ {P99_TARGET * 1000:.0f} ms needs roughly "
               f"{needed:.0f} messages/s from one worker, about {1000 / needed:.2f} ms per message in all"
               + (": with Redis each message also waits for four round trips (rate buckets, session read, staff "
                  "replies waiting, session write; writes wait for the append-only file's fsync), and the threads "
                  "that overlap those waits contend for the interpreter lock." if name == "redis" else ".")
               if r["p99"] > P99_TARGET else ""))
    return out
