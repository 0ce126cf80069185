"""Performance benchmarks (issue #6) and the fault-and-load script (issue #7, point 7). Not tests.

`python -m benchmarks` runs every benchmark, prints one table and writes `benchmarks/RESULTS.md` with the machine
it ran on; `python -m benchmarks --quick` is the few-second smoke run the test suite uses. Each benchmark is a
module with `run(quick: bool) -> Section`. Machines here are shared and noisy, so every timing target that can be
is judged as a ratio against a baseline measured in the same run; absolute numbers are for orientation.

Everything runs on loopback (127.0.0.1) against processes the benchmark starts itself, and every loop is bounded
in count and in time.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "tests" / "data" / "dev.jsonl"
LOOPBACK = "127.0.0.1"

#: Rate limits high enough that a load test from one loopback address is never refused, while the limiter
#: (and its store round trips) still runs on every request, as in production.
UNLIMITED_RATES = {
    "PRIVACY_BOT_RATE_SESSION": "100000", "PRIVACY_BOT_RATE_SESSION_BURST": "100000",
    "PRIVACY_BOT_RATE_IP": "100000", "PRIVACY_BOT_RATE_IP_BURST": "100000",
}


# -- results -----------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the summary table: a measured value against its target."""

    benchmark: str
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target (orientation only)
    note: str = ""

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("met" if self.ok else "**MISSED**")


@dataclass
class Section:
    """What one benchmark reports: summary rows and a markdown body with details."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    body: str = ""
    seconds: float = 0.0
    #: Why a missed target was missed, in words and with this run's numbers (filled by the benchmark).
    why: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    #: The machine's load average when the benchmark ended (the machine is shared; filled by `python -m benchmarks`).
    load_after: str = ""

    def add(self, metric: str, value: str, target: str = "", ok: bool | None = None, note: str = "") -> Row:
        row = Row(self.title, metric, value, target, ok, note)
        self.rows.append(row)
        return row


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return float(ordered[rank - 1])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines)


# -- the machine ------------------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _redis_version() -> str:
    binary = shutil.which("redis-server")
    if not binary:
        return "not installed"
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    return next((p[2:] for p in out.split() if p.startswith("v=")), out.strip())


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python and the versions of the packages the measured paths run on."""
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "unknown"
    info = {
        "CPU": _cpu_model(),
        "cores (os.cpu_count)": str(os.cpu_count()),
        "memory": memory,
        "load average at start (1/5/15 min)": load,
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "redis-server": _redis_version(),
    }
    for package in ("rapidfuzz", "numpy", "fastapi", "starlette", "pydantic", "uvicorn", "h11", "httptools",
                    "uvloop", "redis", "slack_bolt", "slack_sdk", "jinja2"):
        info[package] = _version(package)
    return info


# -- processes ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without any of the project's settings (so a developer's own never leak in), plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_", "LOG_"))}
    env["LOG_LEVEL"] = "WARNING"
    env.update(extra or {})
    return env


def http_json(method: str, url: str, body: Any = None, timeout: float = 10.0,
              headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
    """One request with urllib; (status, decoded JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


class ServerProcess:
    """A web server process on a loopback port (the real `privacy-bot serve`, or a benchmark launcher)."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], port: int, log: Path, cwd: Path) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.port = port
        self.log = log
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @classmethod
    def privacy_bot(cls, port: int, env: Mapping[str, str], workdir: Path, name: str = "server") -> "ServerProcess":
        argv = [sys.executable, "-m", "bot", "serve", "--host", LOOPBACK, "--port", str(port)]
        return cls(argv, env, port, workdir / f"{name}.log", workdir)

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "ServerProcess":
        self.cwd.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, path: str = "/healthz", timeout: float = 30.0, accept: Iterable[int] = (200,)) -> float:
        """Poll `path` until it answers with a status in `accept`; seconds since `start()`."""
        accepted = set(accept)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[2:4]} exited early:\n{self.log_tail()}")
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=1.0) as sock:
                    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
                    head = sock.recv(64)
                if head.startswith(b"HTTP/1.1 ") and int(head[9:12]) in accepted:
                    return time.perf_counter() - self.started_at
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} not ready within {timeout}s:\n{self.log_tail()}")
            time.sleep(0.005)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=15)
            self.proc = None

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """Our own redis-server on a free loopback port with `appendonly yes`, `appendfsync always` (as the README
    asks of production). `kill()` is SIGKILL; `start()` again replays the append-only file on the same port."""

    def __init__(self, directory: Path, *, fsync: str = "always") -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not on PATH (apt-get install redis-server)")
        self.binary = binary
        self.dir = directory
        self.fsync = fsync
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 20.0) -> "RedisServer":
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "yes",
             "--appendfsync", self.fsync, "--maxmemory-policy", "noeviction", "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=15)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def dev_texts() -> list[str]:
    """The labelled dev set's messages, in file order."""
    with open(DEV_SET, encoding="utf-8") as stream:
        return [json.loads(line)["text"] for line in stream if line.strip()]
