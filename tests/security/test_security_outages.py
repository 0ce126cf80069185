"""Store outages (issue #7 point 3): with Redis killed, or the SQLite file locked or read-only, policy questions
are still answered; what needs the store says "try again shortly, nothing was lost" (503 in /healthz and on
store-backed endpoints), never a 500 and never a half-written ticket; when the store is back, everything resumes
without a restart."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import Services, build_services
from bot.config import Settings
from bot.web.app import create_app
from handoff.sqlite.store import SQLiteStore

FORM = ["yes", "Jane Doe", "jane@example.com", "self", "delete", "4", "everything"]


def chat(client: TestClient, text: str, session: str | None = None) -> dict[str, Any]:
    response = client.post("/api/chat", json={"text": text, **({"session_id": session} if session else {})})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def open_form(client: TestClient) -> str:
    """A suspension request filled up to its summary; returns the session id."""
    session = chat(client, "Please delete all my data")["session_id"]
    reply: dict[str, Any] = {}
    for answer in FORM:
        reply = chat(client, answer, session)
    assert [c["value"] for c in reply["choices"]] == ["confirm", "restart", "cancel"]
    return session


def assert_degraded(services: Services, client: TestClient, *, reads_work: bool) -> None:
    answer = chat(client, "what are cookies used for?")
    assert answer["article"] == 12 and answer["decision"] == "answer"
    assert "store_unavailable" in answer["notices"]
    request = chat(client, "Please delete all my data")
    assert request["decision"] == "request" and request["handoff"] == "suspension"
    assert "try again" in request["text"] and request["choices"] == []
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["store"]["ok"] is False
    assert "error" in health.json()["store"]
    copy = client.post("/api/tickets/copy", json={"session_id": "some-session-1", "reference": "PRQ-2026-000001"})
    status = chat(client, "status PRQ-2026-000001")
    if reads_work:  # a locked or read-only SQLite file can still be read
        assert copy.status_code == 404 and "can't find" in status["text"]
    else:
        assert copy.status_code == 503 and "nothing was lost" in copy.json()["detail"]
        assert "try again" in status["text"]


# -- Redis --------------------------------------------------------------------------------------------
@pytest.fixture()
def redis_services(redis_server: Any, tmp_path: Path) -> Iterator[tuple[Services, TestClient]]:
    services = build_services(Settings.from_env({"REDIS_URL": redis_server.url,
                                                 "PRIVACY_BOT_DATA_DIR": str(tmp_path)}))
    yield services, TestClient(create_app(services), raise_server_exceptions=False)
    services.close()


def test_redis_killed_mid_run_then_back(redis_server: Any, redis_services: tuple[Services, TestClient]) -> None:
    services, client = redis_services
    session = open_form(client)
    redis_server.kill()
    assert_degraded(services, client, reads_work=False)
    # The confirmation cannot be seen as one: the reply says so and nothing is half-written.
    confirm = chat(client, "confirm", session)
    assert confirm["ticket"] is None and "nothing was lost" in confirm["text"].lower()
    staff = client.post("/staff/login", data={"username": "x", "password": "y", "csrf": "z"})
    assert staff.status_code in (403, 503) and "Traceback" not in staff.text

    redis_server.start()  # same port and data: the app reconnects by itself
    assert client.get("/healthz").status_code == 200
    receipt = chat(client, "confirm", session)  # the form survived in Redis (AOF) and resumes where it was
    assert receipt["ticket"] is not None
    assert len(services.store.list_tickets()) == 1
    assert chat(client, "confirm", session)["ticket"]["reference"] == receipt["ticket"]["reference"]
    assert len(services.store.list_tickets()) == 1


# -- SQLite -------------------------------------------------------------------------------------------
@pytest.fixture()
def sqlite_services(tmp_path: Path) -> Iterator[tuple[Services, TestClient, Path]]:
    store = SQLiteStore.in_dir(tmp_path / "data", busy_timeout_ms=200)
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")}), store=store)
    yield services, TestClient(create_app(services), raise_server_exceptions=False), store.path
    services.close()


def test_sqlite_locked_by_another_process(sqlite_services: tuple[Services, TestClient, Path]) -> None:
    services, client, path = sqlite_services
    session = open_form(client)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert_degraded(services, client, reads_work=True)
        confirm = chat(client, "confirm", session)
        assert confirm["ticket"] is None and "nothing was lost" in confirm["text"].lower()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert client.get("/healthz").status_code == 200
    assert chat(client, "confirm", session)["ticket"] is not None
    assert len(services.store.list_tickets()) == 1


def _chattr(flag: str, *paths: Path) -> bool:
    binary = shutil.which("chattr")
    if binary is None:
        return False
    done = subprocess.run([binary, flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


def test_sqlite_file_becomes_read_only(sqlite_services: tuple[Services, TestClient, Path]) -> None:
    services, client, path = sqlite_services
    session = open_form(client)
    files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    # Root ignores file modes, so "read-only" is the immutable attribute, as a read-only mount would be.
    if not _chattr("+i", *files):
        pytest.skip("chattr +i is not permitted on this filesystem; the locked-file test covers write failures")
    try:
        assert_degraded(services, client, reads_work=True)
        confirm = chat(client, "confirm", session)
        assert confirm["ticket"] is None and "nothing was lost" in confirm["text"].lower()
    finally:
        _chattr("-i", *files)
    assert chat(client, "confirm", session)["ticket"] is not None
    assert len(services.store.list_tickets()) == 1
