"""Issue #6, point 4: resident memory of one server worker over 10,000 chat messages, and start-up time.

Memory: one `privacy-bot serve` (SQLite store) gets 10,000 chat messages from the load generator (8 keep-alive
clients, the dev set's messages, a new chat session every 20 messages, as in the HTTP benchmark) in two halves;
the worker's resident set size (VmRSS) is read before, after the 5,000th and after the 10,000th message. Targets:
≤ 150 MB after 10,000, and at most 5% growth from the 5,000th to the 10,000th. For orientation the bare server
(same process, bare app) gets the same 10,000 requests.

Start-up: time from `Popen` of `privacy-bot serve` to its first answered `POST /api/chat` (polled every 5 ms),
median of several starts; the baseline, started the same way in the same run, is a bare FastAPI app under uvicorn
with nothing else loaded. Target ≤ 2 s.
"""
from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import (LOOPBACK, UNLIMITED_RATES, Section, ServerProcess, clean_env, dev_texts, free_port,
                        markdown_table, rss_bytes)
from benchmarks.http_throughput import chat_clients, run_loadgen, start_bare_server, start_chat_server

RSS_TARGET = 150 * 1024 * 1024
GROWTH_TARGET = 0.05
STARTUP_TARGET = 2.0
MB = 1024 * 1024
FIRST_CHAT = (b'POST /api/chat HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 17\r\n'
              b'Connection: close\r\n\r\n{"text": "hello"}')


def send_messages(server: ServerProcess, count: int, clients: int, tag: str, workdir: Path) -> dict[str, int]:
    """Exactly `count` chat messages (bounded by time too); the status counts."""
    per_client = count // clients
    lanes = chat_clients(server.port, dev_texts(), clients, per_client, tag)
    spec = {"host": LOOPBACK, "port": server.port, "duration": 600, "warmup": 0, "timeout": 10,
            "lanes": [{"name": "chat", "kind": "closed", "clients": lanes}]}
    lane = run_loadgen(spec, workdir)["lanes"]["chat"]
    statuses: dict[str, int] = lane["statuses"]
    return {**statuses, "errors": sum(lane["errors"].values())}


def first_answer(server: ServerProcess, timeout: float = 30.0) -> float:
    """Seconds from the process start to the first 200 answer to POST /api/chat."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running:
            raise RuntimeError(f"server exited during start-up:\n{server.log_tail()}")
        try:
            with socket.create_connection((LOOPBACK, server.port), timeout=5) as sock:
                sock.sendall(FIRST_CHAT)
                head = sock.recv(16)
            if head.startswith(b"HTTP/1.1 200"):
                return time.perf_counter() - server.started_at
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no answer within {timeout}s:\n{server.log_tail()}")


def startup_times(workdir: Path, runs: int) -> tuple[list[float], list[float]]:
    chat, bare = [], []
    repo = Path(__file__).resolve().parents[1]
    for n in range(runs):
        env = clean_env({"PRIVACY_BOT_DATA_DIR": str(workdir / f"start-{n}"), **UNLIMITED_RATES})
        port = free_port()
        argv = [sys.executable, "-m", "benchmarks.bare_server", "--minimal", "--host", LOOPBACK, "--port", str(port)]
        with ServerProcess(argv, env, port, workdir / f"bare-start-{n}.log", repo).start() as server:
            bare.append(first_answer(server))
        with ServerProcess.privacy_bot(free_port(), env, workdir, f"start-{n}").start() as server:
            chat.append(first_answer(server))
    return chat, bare


def run(quick: bool = False) -> Section:
    section = Section("memory", "Memory and start-up")
    half = 200 if quick else 5000
    clients = 8
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        workdir = Path(tmp)
        chat_start, bare_start = startup_times(workdir, 1 if quick else 5)
        measured = {}
        for name in ("chat", "bare"):
            server = start_chat_server(workdir, None, "mem") if name == "chat" else start_bare_server(workdir)
            try:
                rss0 = rss_bytes(server.pid)
                first = send_messages(server, half, clients, f"{name}a", workdir)
                rss1 = rss_bytes(server.pid)
                second = send_messages(server, half, clients, f"{name}b", workdir)
                rss2 = rss_bytes(server.pid)
            finally:
                server.stop()
            measured[name] = (rss0, rss1, rss2, first, second)
            growth = rss2 / rss1 - 1
            rows.append([name, f"{rss0 / MB:.1f}", f"{rss1 / MB:.1f}", f"{rss2 / MB:.1f}", f"{growth * 100:+.1f}%",
                         f"{first} / {second}"])
    rss0, rss1, rss2, first, second = measured["chat"]
    growth = rss2 / rss1 - 1
    ok_answers = first.get("200", 0) + second.get("200", 0) == 2 * half
    section.add(f"RSS of one worker after {2 * half:,} chat messages",
                f"{rss2 / MB:.1f} MB (at start {rss0 / MB:.1f} MB; "
                f"bare server {measured['bare'][2] / MB:.1f} MB)", "≤ 150 MB", rss2 <= RSS_TARGET)
    section.add(f"RSS growth from message {half:,} to {2 * half:,}", f"{growth * 100:+.1f}%", "≤ +5%",
                growth <= GROWTH_TARGET)
    if not ok_answers:
        section.add("chat answers during the memory run", f"{first} / {second}", f"all {2 * half} 200", False)
    med_chat, med_bare = statistics.median(chat_start), statistics.median(bare_start)
    section.add("start-up: process start to first answered chat request",
                f"{med_chat:.2f} s (median of {len(chat_start)}; bare FastAPI app {med_bare:.2f} s, "
                f"ratio {med_chat / med_bare:.1f})", "≤ 2 s", med_chat <= STARTUP_TARGET)
    section.body = (
        f"RSS (VmRSS) of the server process before, after {half:,} and after {2 * half:,} requests ({clients} "
        "keep-alive clients, dev-set messages, a new session every 20 messages, SQLite store). `bare` is the "
        "baseline server with the same requests.\n\n"
        + markdown_table(["server", "RSS start MB", f"RSS after {half:,} MB", f"RSS after {2 * half:,} MB",
                          "growth 2nd half", "statuses (1st / 2nd half)"], rows)
        + "\n\nStart-up, process start to first answered `POST /api/chat` (s): chat "
        + ", ".join(f"{t:.2f}" for t in chat_start) + "; bare FastAPI app " + ", ".join(f"{t:.2f}" for t in bare_start)
        + "."
    )
    return section
