"""Issue 11 point 3: forwarded headers are believed only from the proxies named in PRIVACY_BOT_FORWARDED_ALLOW_IPS.

Against a real `privacy-bot serve` process (uvicorn as shipped): without the setting, rotating `X-Forwarded-For`
from loopback does not get past the per-IP chat limit and `X-Forwarded-Proto: https` is not believed; with the
setting naming 127.0.0.1, each forwarded address counts on its own and the forwarded scheme is believed.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bot.cli.main import proxy_options
from bot.config import ConfigError, Settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(base: str, forwarded_for: str, proto: str = "http") -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(base + "/api/chat", data=json.dumps({"text": "hello"}).encode(), method="POST",
                                     headers={"content-type": "application/json", "x-forwarded-for": forwarded_for,
                                              "x-forwarded-proto": proto})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


@pytest.fixture()
def serve(tmp_path: Path) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(**env_extra: str) -> str:
        port = _free_port()
        script = Path(sys.executable).parent / "privacy-bot"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_", "FORWARDED_ALLOW_IPS"))}
        env.update(PRIVACY_BOT_DATA_DIR=str(tmp_path / f"data-{port}"), PRIVACY_BOT_RATE_IP="1",
                   PRIVACY_BOT_RATE_IP_BURST="2", **env_extra)
        with open(tmp_path / f"server-{port}.log", "wb") as log:
            process = subprocess.Popen([str(script), "serve", "--port", str(port)], env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / f"server-{port}.log").read_text(errors="replace")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    return base
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        pytest.fail("server did not start")

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_forwarded_headers_are_ignored_unless_configured(serve) -> None:  # type: ignore[no-untyped-def]
    base = serve()
    statuses = [_post(base, f"203.0.113.{i}", "https")[0] for i in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:], statuses  # one bucket: the loopback peer's
    assert "strict-transport-security" not in _post(base, "203.0.113.99")[1]


def test_forwarded_headers_are_believed_from_the_configured_proxy(serve) -> None:  # type: ignore[no-untyped-def]
    base = serve(PRIVACY_BOT_FORWARDED_ALLOW_IPS="127.0.0.1")
    results = [_post(base, f"203.0.113.{i}", "https") for i in range(4)]
    assert [status for status, _ in results] == [200] * 4  # each client address has its own bucket
    assert all("strict-transport-security" in headers for _, headers in results)  # the proxy said HTTPS
    same = [_post(base, "203.0.113.200")[0] for _ in range(4)]
    assert 429 in same  # and one client behind the proxy is still limited


def test_the_setting_is_validated_and_maps_to_uvicorn() -> None:
    assert proxy_options(Settings.from_env({})) == {"proxy_headers": False}
    settings = Settings.from_env({"PRIVACY_BOT_FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8"})
    assert proxy_options(settings) == {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1,10.0.0.0/8"}
    with pytest.raises(ConfigError, match="PRIVACY_BOT_FORWARDED_ALLOW_IPS"):
        Settings.from_env({"PRIVACY_BOT_FORWARDED_ALLOW_IPS": "proxy.example.com"})
