"""Interleaved A/B of chat servers against the matcher-only endpoint (issue 18): how a change or a setting moves a chat
message's server CPU, measured seconds apart from its baseline on a shared, noisy machine.

    python -m benchmarks.ab ROUNDS SECONDS NAME=STORE[:TREE[:VAR=VALUE,...]] ...

STORE is `sqlite` or `redis` (one redis-server of our own, `appendfsync always`, shared by the Redis servers under
their own key prefixes); TREE is a checkout whose code the server runs (`PYTHONPATH`), `-` for this one; the VARs
go into the server's environment. Example, this tree with chat on the event loop and without:

    python -m benchmarks.ab 3 4 off=sqlite:-:PRIVACY_BOT_CHAT_INLINE=off on=sqlite rd=redis

Every server is started once; each round loads them in turn (forward, then reverse) with the HTTP benchmark's 32
clients after a 1 s warm-up. Per server: the median CPU per message and its ratio to that round's matcher-only
endpoint (with the rounds' range), requests/s, p50 and p99 (each round's p99 and max listed), and the chat messages
it moved to or wrote on a chat thread (`/metrics`). Nothing is written to RESULTS.md.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks import UNLIMITED_RATES, RedisServer, ServerProcess, clean_env, dev_texts, free_port
from benchmarks.http_throughput import CLIENTS, chat_clients, measure, start_bare_server

THREAD_METRICS = ("privacy_bot_chat_moved_to_thread_total", "privacy_bot_chat_writes_on_thread_total")


def start(name: str, spec: str, work: Path, redis: RedisServer | None) -> tuple[ServerProcess, RedisServer | None]:
    store, tree, variables = (spec.split(":", 2) + ["-", ""])[:3]
    if store not in ("sqlite", "redis"):
        raise SystemExit(f"{name}: the store must be sqlite or redis, not {store!r}")
    env = clean_env({"PRIVACY_BOT_DATA_DIR": str(work / f"data-{name}"), **UNLIMITED_RATES})
    if tree not in ("", "-"):
        env["PYTHONPATH"] = str(Path(tree).resolve())
    for pair in filter(None, variables.split(",")):
        key, _, value = pair.partition("=")
        env[key] = value
    if store == "redis":
        redis = redis or RedisServer(work / "redis").start()
        env.update(REDIS_URL=redis.url, REDIS_KEY_PREFIX=f"ab-{name}")
    server = ServerProcess.privacy_bot(free_port(), env, work, name).start()
    server.wait_ready()
    return server, redis


def thread_counts(server: ServerProcess) -> list[str]:
    try:
        text = urllib.request.urlopen(server.base + "/metrics", timeout=5).read().decode()
    except OSError as exc:
        return [f"/metrics: {exc}"]
    return [line for line in text.splitlines() if line.startswith(THREAD_METRICS)]


def main(argv: list[str]) -> int:
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__, file=sys.stderr)
        return 2
    rounds, seconds = int(argv[0]), float(argv[1])
    work = Path(tempfile.mkdtemp(prefix="ab-"))
    texts = dev_texts()
    servers: dict[str, ServerProcess] = {"matcher": start_bare_server(work, matcher=True)}
    redis: RedisServer | None = None
    try:
        for arg in argv[2:]:
            name, _, spec = arg.partition("=")
            servers[name], redis = start(name, spec, work, redis)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        order = list(servers)
        for r in range(rounds):
            for name in order if r % 2 == 0 else order[::-1]:
                clients = chat_clients(servers[name].port, texts, CLIENTS, 3000, f"{name}{r}")
                runs[name].append(measure(servers[name], clients, seconds, 1.0, work, repeat=True))
        for name in order:
            ms = [m["cpu_ms_per_request"] for m in runs[name]]
            ratios = [m["cpu_ms_per_request"] / b["cpu_ms_per_request"] for m, b in zip(runs[name], runs["matcher"])]
            print(f"{name:10s} CPU/message {statistics.median(ms):.3f} ms, ratio {statistics.median(ratios):.2f} "
                  f"({min(ratios):.2f}-{max(ratios):.2f}), {statistics.median(m['rps'] for m in runs[name]):.0f} "
                  f"requests/s, p50 {statistics.median(m['p50'] for m in runs[name]) * 1000:.1f} ms, p99 "
                  f"{statistics.median(m['p99'] for m in runs[name]) * 1000:.1f} ms (rounds "
                  f"{[round(m['p99'] * 1000) for m in runs[name]]}, max {[round(m['max'] * 1000) for m in runs[name]]})")
            if name != "matcher":
                print(f"{'':10s} {thread_counts(servers[name]) or 'nothing moved to a chat thread'}")
    finally:
        for server in servers.values():
            server.stop()
        if redis is not None:
            redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
