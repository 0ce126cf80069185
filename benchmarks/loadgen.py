"""A small HTTP/1.1 load generator: asyncio, raw sockets, keep-alive, one process of its own.

Run it as `python -m benchmarks.loadgen SPEC.json` (the benchmarks do this, so the generator never shares an
interpreter, or a GIL, with the server or the driver); it prints one JSON object with the results.

A spec has `host`, `port`, `duration` (measured seconds), `warmup` (seconds before measuring), `timeout` (per
request) and `lanes`. A lane is either

* closed-loop: `{"name", "kind": "closed", "clients": [[raw request, ...], ...], "repeat": false}`: one keep-alive
  connection per client, each sending its next request as soon as the previous answer has arrived (with
  `"repeat": true` a client starts its list again when it reaches the end, for servers too fast to prepare for); or
* paced: `{"name", "kind": "paced", "rate": per second, "requests": [raw request, ...]}`: requests sent at a
  fixed rate, each on a new connection (as webhooks arrive), whatever the other lanes are doing.

Every loop is bounded twice: by the number of prepared requests and by `warmup + duration` seconds (plus one
request timeout). Only answers completed inside the measured window count towards throughput and latency.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

LOOPBACK_PREFIXES = ("127.", "localhost", "::1")


@dataclass
class LaneStats:
    name: str
    latencies: list[float] = field(default_factory=list)   # seconds, measured window only
    statuses: dict[int, int] = field(default_factory=dict)  # measured window only
    errors: dict[str, int] = field(default_factory=dict)    # all, by exception type
    sent: int = 0
    exhausted: int = 0  # clients that ran out of prepared requests before the end


def chat_request(host: str, port: int, path: str, body: bytes, extra_headers: str = "") -> bytes:
    """A raw HTTP/1.1 POST with a JSON body (keep-alive)."""
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """(status, server closes the connection, body) of one response; Content-Length or chunked."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    chunked = close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    return status, close, body


class _Window:
    def __init__(self, warmup: float, duration: float) -> None:
        self.t0 = time.perf_counter()
        self.start = self.t0 + warmup
        self.end = self.start + duration

    def inside(self, t: float) -> bool:
        return self.start <= t <= self.end


def _record(stats: LaneStats, window: _Window, began: float, done: float, status: int) -> None:
    if window.inside(done):
        stats.latencies.append(done - began)
        stats.statuses[status] = stats.statuses.get(status, 0) + 1


def _error(stats: LaneStats, exc: BaseException) -> None:
    key = type(exc).__name__
    stats.errors[key] = stats.errors.get(key, 0) + 1


async def _closed_client(host: str, port: int, requests: list[bytes], stats: LaneStats, window: _Window,
                         timeout: float, repeat: bool = False) -> None:
    reader = writer = None
    try:
        for raw in (itertools.cycle(requests) if repeat and requests else requests):
            if time.perf_counter() >= window.end:
                return
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            assert reader is not None
            began = time.perf_counter()
            stats.sent += 1
            try:
                writer.write(raw)
                status, close, _ = await asyncio.wait_for(_read_response(reader), timeout)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                _error(stats, exc)
                writer.close()
                reader = writer = None
                await asyncio.sleep(0.01)
                continue
            _record(stats, window, began, time.perf_counter(), status)
            if close:
                writer.close()
                reader = writer = None
        stats.exhausted += 1
    finally:
        if writer is not None:
            writer.close()


async def _one_shot(host: str, port: int, raw: bytes, stats: LaneStats, window: _Window, timeout: float) -> None:
    began = time.perf_counter()
    stats.sent += 1
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.write(raw)
        status, _, _ = await asyncio.wait_for(_read_response(reader), timeout)
        _record(stats, window, began, time.perf_counter(), status)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        _error(stats, exc)
    finally:
        if writer is not None:
            writer.close()


async def _paced(host: str, port: int, requests: list[bytes], rate: float, stats: LaneStats, window: _Window,
                 timeout: float) -> None:
    tasks = []
    for n, raw in enumerate(requests):
        due = window.t0 + n / rate
        if due >= window.end:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one_shot(host, port, raw, stats, window, timeout)))
    else:
        stats.exhausted += 1
    if tasks:
        await asyncio.gather(*tasks)


async def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], int(spec["port"])
    if not str(host).startswith(LOOPBACK_PREFIXES):
        raise ValueError(f"the load generator only targets loopback, not {host!r}")
    timeout = float(spec.get("timeout", 10.0))
    window = _Window(float(spec.get("warmup", 1.0)), float(spec["duration"]))
    if spec.get("started_file"):  # the window's clock has started: a driver sampling the server waits for this
        with open(spec["started_file"], "w", encoding="utf-8"):
            pass
    jobs = []
    lanes = []
    for lane in spec["lanes"]:
        stats = LaneStats(lane["name"])
        lanes.append((lane, stats))
        if lane["kind"] == "closed":
            for requests in lane["clients"]:
                raws = [r.encode("utf-8") if isinstance(r, str) else r for r in requests]
                jobs.append(_closed_client(host, port, raws, stats, window, timeout, bool(lane.get("repeat"))))
        elif lane["kind"] == "paced":
            raws = [r.encode("utf-8") if isinstance(r, str) else r for r in lane["requests"]]
            jobs.append(_paced(host, port, raws, float(lane["rate"]), stats, window, timeout))
        else:
            raise ValueError(f"unknown lane kind {lane['kind']!r}")
    # Hard stop: the window plus one request timeout, whatever happens.
    await asyncio.wait_for(asyncio.gather(*jobs), timeout=window.end - window.t0 + timeout + 5)
    duration = window.end - window.start
    out: dict[str, Any] = {"duration": duration, "lanes": {}}
    for lane, stats in lanes:
        lat = sorted(stats.latencies)
        out["lanes"][lane["name"]] = {
            "completed": len(lat),
            "rps": len(lat) / duration,
            "latencies": lat,
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "errors": stats.errors,
            "sent": stats.sent,
            "exhausted": stats.exhausted,
        }
    return out


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as stream:
        spec = json.load(stream)
    result = asyncio.run(run_spec(spec))
    out = argv[1] if len(argv) > 1 else None
    if out:
        with open(out, "w", encoding="utf-8") as stream:
            json.dump(result, stream)
    else:
        json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
