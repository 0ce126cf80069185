"""Browser tests: Playwright's Python package driving Debian's Chromium (/usr/bin/chromium; never a downloaded
browser) against a real `privacy-bot serve` process on a temporary SQLite store.

They skip, saying why, only when /usr/bin/chromium is missing and REQUIRE_BROWSER is not "1" (.ci/run installs
Chromium and sets REQUIRE_BROWSER=1, so there a missing browser fails the tests instead)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_testkit import CHROMIUM, CHROMIUM_ARGS, FAST_HASH, Server

from handoff.accounts import UserAccount
from handoff.sqlite.store import SQLiteStore

STARTUP_TIMEOUT = 20.0


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1 (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser "
                "tests; set REQUIRE_BROWSER=1 to fail instead of skipping")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`privacy-bot serve` with an admin (root) and a staff account (alice) in a fresh SQLite store."""
    _require_chromium()  # no server either when the browser tests are skipped
    root = tmp_path_factory.mktemp("browser")
    data_dir = root / "data"
    store = SQLiteStore.in_dir(data_dir)
    for name, role in (("root", "admin"), ("alice", "staff")):
        store.add_user(UserAccount(name, FAST_HASH, role, time.time()))
    store.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_"))}
    env["PRIVACY_BOT_DATA_DIR"] = str(data_dir)
    log = root / "server.log"
    script = Path(sys.executable).parent / "privacy-bot"
    with open(log, "wb") as log_file:
        process = subprocess.Popen([str(script), "serve", "--port", str(port)], cwd=root, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    srv = Server(f"http://127.0.0.1:{port}", data_dir, process, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(srv.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
