"""Two real `privacy-bot serve` processes sharing one real redis-server: an admin edit saved through one worker is
what the other answers with within a second, with no restart (templates, rollback and example phrasings)."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from admin_testkit import PASSWORD, add_accounts

from handoff.redis.store import RedisStore

pytestmark = [pytest.mark.slow, pytest.mark.redis]

PREFIX = "workers-test"
QUESTION = "what are cookies used for?"
NOVEL = "zorbly flimflam wibble"
DEADLINE = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Worker:
    def __init__(self, root: Path, name: str, redis_url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = root / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_"))}
        env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=PREFIX, PRIVACY_BOT_DATA_DIR=str(root / name),
                   PRIVACY_BOT_RATE_IP="0")  # the test polls /api/chat every 20 ms from one address
        script = Path(sys.executable).parent / "privacy-bot"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([str(script), "serve", "--port", str(self.port)], cwd=root, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"worker exited:\n{self.log.read_text(errors='replace')}")
            try:
                if self.open("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail(f"worker not ready:\n{self.log.read_text(errors='replace')}")

    def open(self, path: str, form: dict[str, str] | None = None, body: Any = None) -> tuple[int, str]:
        data = None
        headers = {}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def ask(self, text: str) -> dict[str, Any]:
        status, body = self.open("/api/chat", body={"text": text})
        assert status == 200, body
        data: dict[str, Any] = json.loads(body)
        return data

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture()
def workers(redis_server: Any, tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    store = RedisStore.from_url(redis_server.url, prefix=PREFIX)
    add_accounts(store)
    store.close()
    pair = (Worker(tmp_path, "a", redis_server.url), Worker(tmp_path, "b", redis_server.url))
    try:
        for worker in pair:
            worker.wait_ready()
        yield pair
    finally:
        for worker in pair:
            worker.stop()


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def until(check: Any, what: str) -> float:
    """Seconds until `check()` is true; fails after the deadline."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > DEADLINE:
            pytest.fail(f"{what}: not seen within {DEADLINE} s")
        time.sleep(0.02)
    return time.monotonic() - start


def test_an_edit_saved_on_one_worker_is_served_by_the_other_within_a_second(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    default = b.ask(QUESTION)["text"]  # b has read the (empty) overrides: its copy is warm
    assert a.ask(QUESTION)["text"] == default
    status, page = a.open("/admin/login")
    status, page = a.open("/admin/login", form={"csrf": csrf(page), "username": "root", "password": PASSWORD,
                                                 "next": "/admin/templates/en/cookies"})
    assert status == 200 and "Template text" in page
    token = csrf(page)

    new = "Cookies keep you signed in (edited on worker A). See **{{ cite }}**."
    status, _ = a.open("/admin/templates/en/cookies", form={"csrf": token, "source": new, "note": "two workers",
                                                             "base_version": "0"})
    assert status == 200  # after the redirect to the editor
    took = until(lambda: b.ask(QUESTION)["text"].startswith("Cookies keep you signed in (edited on worker A)."),
                 "the new template on worker B")
    assert took < DEADLINE

    a.open("/admin/templates/en/cookies/rollback", form={"csrf": token, "version": "0"})
    until(lambda: b.ask(QUESTION)["text"] == default, "the rollback on worker B")

    assert b.ask(NOVEL)["decision"] == "fallback"
    status, _ = a.open("/admin/phrasings/cookies", form={"csrf": token, "lang": "en", "text": NOVEL})
    assert status == 200
    until(lambda: b.ask(NOVEL)["intent"] == "cookies", "the new phrasing on worker B")
