"""End to end: the installed `privacy-bot serve` as a real process, chatted with over real HTTP."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from server_kit import stop, wait_healthy

from handoff.sqlite.store import DB_FILENAME

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 60.0  # a deadline only (ready servers answer at once); generous for a loaded machine
VAGUE = ["data", "my data", "personal data", "my personal data", "information", "my info", "info", "personal info",
         "info about personal data", "personal information", "情報", "個人データ", "私の情報", "データについて"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, base: str, data_dir: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base = base
        self.data_dir = data_dir
        self.process = process
        self.log = log

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()

    def chat(self, **body: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + "/api/chat", data=json.dumps(body).encode("utf-8"), method="POST",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            data: dict[str, Any] = json.loads(response.read().decode("utf-8"))
            return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("e2e")
    data_dir = root / "data"
    port = _free_port()
    script = Path(sys.executable).parent / "privacy-bot"
    assert script.exists(), f"console script missing at {script}: install the project (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_"))}
    env["PRIVACY_BOT_DATA_DIR"] = str(data_dir)
    log = root / "server.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen([str(script), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    srv = Server(f"http://127.0.0.1:{port}", data_dir, process, log)
    try:
        wait_healthy(process, srv.base, log, STARTUP_TIMEOUT)
        yield srv
    finally:
        stop(process)


def test_healthz_over_http(server: Server) -> None:
    status, _, body = server.get("/healthz")
    assert status == 200
    data = json.loads(body)
    assert data["store"]["backend"] == "sqlite" and data["store"]["ok"] is True


def test_answer_over_http(server: Server) -> None:
    data = server.chat(text="what are cookies used for?")
    assert data["decision"] == "answer"
    assert data["article"] == 12
    assert data["citation"].startswith("Article 12 (")
    assert data["session_id"]


def test_japanese_answer_over_http(server: Server) -> None:
    data = server.chat(text="クッキーを無効にするとどうなりますか？")
    assert data["lang"] == "ja"
    assert data["article"] == 12
    assert data["citation"].startswith("第12条")


def test_request_over_http(server: Server) -> None:
    data = server.chat(text="Please delete my account and all my data.")
    assert data["decision"] == "request"
    assert data["handoff"] == "suspension"


def test_clarify_then_pick_over_http(server: Server) -> None:
    clarify = None
    for text in VAGUE:
        data = server.chat(text=text)
        if data["decision"] == "clarify":
            clarify = data
            break
    assert clarify is not None, "no vague message produced a clarify reply"
    picked = server.chat(session_id=clarify["session_id"], text="2")
    assert picked["session_id"] == clarify["session_id"]
    assert picked["decision"] == "answer"
    assert picked["intent"] == clarify["choices"][1]["intent"]
    assert picked["article"] == clarify["choices"][1]["article"]


def test_sqlite_file_created_in_data_dir(server: Server) -> None:
    session_id = "e2e-session-check-1"
    server.chat(session_id=session_id, text="what are cookies used for?")
    db = server.data_dir / DB_FILENAME
    assert db.is_file()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchall()
    conn.close()
    assert len(rows) == 1
    assert json.loads(rows[0][0])["lang"] == "en"


def test_chat_page_over_http(server: Server) -> None:
    status, headers, body = server.get("/")
    assert status == 200
    assert b"/static/chat.js" in body
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert server.get("/static/chat.js")[0] == 200


def test_bad_request_over_http(server: Server) -> None:
    request = urllib.request.Request(server.base + "/api/chat", data=b'{"nope": 1}', method="POST",
                                     headers={"content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 422
    assert "text" in json.loads(info.value.read())["detail"]
