"""Two `privacy-bot serve` processes sharing one redis-server under concurrent load (issue #7 point 4):
a conversation continues whichever worker gets each message, and each confirmed form yields exactly one
ticket even when the confirmation is sent to both workers at once."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from handoff.redis.store import RedisStore

CLIENTS = 8
FORM = ["yes", "Jane Doe", "jane@example.com", "self", "delete", "4", "everything"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(base: str, text: str, session: str | None = None) -> dict[str, Any]:
    body = json.dumps({"text": text, **({"session_id": session} if session else {})}).encode()
    request = urllib.request.Request(base + "/api/chat", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


@pytest.fixture()
def workers(redis_server: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_"))}
    env.update({"REDIS_URL": redis_server.url, "PRIVACY_BOT_DATA_DIR": str(tmp_path), "REDIS_KEY_PREFIX": "w",
                "PRIVACY_BOT_RATE_SESSION": "0", "PRIVACY_BOT_RATE_IP": "0"})
    env.update(getattr(request, "param", {}))
    script = Path(sys.executable).parent / "privacy-bot"
    processes, bases = [], []
    for n in range(2):
        port = _free_port()
        log = open(tmp_path / f"worker{n}.log", "wb")
        processes.append((subprocess.Popen([str(script), "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                           stdout=log, stderr=subprocess.STDOUT), log))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"worker {base} did not start")
                    time.sleep(0.1)
        yield bases
    finally:
        for process, log in processes:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def test_sessions_move_between_workers_and_each_form_gives_one_ticket(workers: list[str], redis_server: Any) -> None:
    references: dict[int, set[str]] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            # Every message goes to the other worker than the one before.
            session = _post(workers[n % 2], "Please delete all my data")["session_id"]
            for step, answer in enumerate(FORM, start=1):
                reply = _post(workers[(n + step) % 2], answer, session)
            assert [c["value"] for c in reply["choices"]] == ["confirm", "restart", "cancel"], reply["text"]
            got: list[dict[str, Any]] = []
            both = [threading.Thread(target=lambda b=base: got.append(_post(b, "confirm", session)))
                    for base in workers]
            for t in both:
                t.start()
            for t in both:
                t.join()
            references[n] = {r["ticket"]["reference"] for r in got if r.get("ticket")}
        except BaseException as exc:  # reported below with the client's number
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert all(len(refs) == 1 for refs in references.values()), references
    store = RedisStore.from_url(redis_server.url, prefix="w")
    try:
        stored = store.list_tickets(limit=100)
    finally:
        store.close()
    assert len(stored) == CLIENTS
    assert {t.reference for t in stored} == set().union(*references.values())


@pytest.mark.parametrize("workers", [{"PRIVACY_BOT_RATE_SESSION": "1", "PRIVACY_BOT_RATE_SESSION_BURST": "6"}],
                         indirect=True)
def test_rate_limits_are_shared_by_the_workers(workers: list[str]) -> None:
    """Six messages at once per session, whichever worker gets them: the seventh is refused by either."""
    session = _post(workers[0], "hello")["session_id"]  # no session id yet: counted against the address only
    for n in range(6):
        _post(workers[(n + 1) % 2], "what are cookies used for?", session)
    for base in workers:
        request = urllib.request.Request(base + "/api/chat", headers={"content-type": "application/json"},
                                         data=json.dumps({"text": "and analytics?", "session_id": session}).encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 429 and int(refused.value.headers["Retry-After"]) >= 1
        refused.value.close()
    assert _post(workers[1], "hello")["decision"] == "smalltalk"  # another session is not affected
