"""Shared fixtures: real components (catalog, matcher, renderer, SQLite store) on temporary files."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.engine.conversation import Conversation
from handoff.sqlite.store import SQLiteStore
from intents.catalog import Catalog, load_catalog
from intents.matcher import Matcher
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def matcher(catalog: Catalog) -> Matcher:
    return Matcher(catalog)


@pytest.fixture(scope="session", autouse=True)
def _shipped_matcher_built_once(catalog: Catalog, matcher: Matcher) -> Iterator[None]:
    """`build_services` builds a matcher from the shipped catalog, which costs about 0.7 s of CPU; over a hundred
    tests build services (the admin pages alone ask for fresh services per test), so in the test processes every
    build from a catalog equal to the shipped one gets this session's matcher. A matcher keeps no state between
    messages but memoised look-ups, and admin-added phrasings never change it (`LiveContent` builds a new matcher
    with them), so sharing it changes no answer. Any other catalog still gets a matcher of its own."""
    import bot.app

    original = bot.app.build_matcher

    def build_matcher(wanted: Catalog | None = None) -> Matcher:
        if wanted is None or wanted == catalog:
            return matcher
        return original(wanted)

    patch = pytest.MonkeyPatch()
    patch.setattr(bot.app, "build_matcher", build_matcher)
    try:
        yield
    finally:
        patch.undo()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail on two tests with one id: pytest-xdist's group scheduling keys tests by id and would run only one."""
    seen: set[str] = set()
    twice = sorted({item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)})
    if twice:
        raise pytest.UsageError("tests collected twice under one id (pytest-xdist would run one of them): "
                                + ", ".join(twice[:10]))


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(env=make_environment(), policies=load_policies())


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore.in_dir(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture()
def conversation(matcher: Matcher, renderer: Renderer, store: SQLiteStore) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=store)


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")})
    s = build_services(settings)
    yield s
    s.close()


from slack_mock import SlackMock  # noqa: E402  (tests/ is on sys.path: pytest inserts this conftest's directory)


@pytest.fixture()
def slack_api() -> Iterator[SlackMock]:
    """A running local mock of Slack's Web API (see tests/slack_mock.py): `.url` ends in `/api/`, `.calls(method)`
    lists what it received, `.fail(...)`/`.recover()`/`.set_latency(...)` change its behaviour. Clients must use
    the token `SlackMock.TOKEN`."""
    mock = SlackMock().start()
    try:
        yield mock
    finally:
        mock.stop()


from smtp_server import SmtpServer  # noqa: E402


@pytest.fixture()
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd, plain SMTP) on a free loopback port; `.messages` is what it received."""
    yield from SmtpServer().serving()


# -- a real redis-server on a free loopback port (REQUIRE_REDIS=1 turns a missing binary into a failure) --

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    """True once the server accepts commands (a server still loading its AOF answers -LOADING)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process. `kill()` is `kill -9`; `start()` again reuses the same port and data
    directory, so the server replays its append-only file as after a crash."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.dir = directory
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 15.0) -> None:
        if self.running:
            raise RuntimeError("redis-server is already running")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log_file = self.dir / "redis.log"
                log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{log}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Graceful shutdown (SIGTERM)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: no chance to flush anything that was not already fsynced."""
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=15)
        self.proc = None


def _redis_binary() -> str:
    binary = shutil.which("redis-server")
    if binary:
        return binary
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail("redis-server is not on PATH and REQUIRE_REDIS=1")
    pytest.skip("redis-server is not on PATH (set REQUIRE_REDIS=1 to fail instead)")


@pytest.fixture()
def redis_binary() -> str:
    """The redis-server binary on PATH (skips, or fails under REQUIRE_REDIS=1, when there is none)."""
    return _redis_binary()


@pytest.fixture()
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh, empty redis-server for one test; killed afterwards whatever state the test left it in."""
    server = RedisServer(_redis_binary(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.kill()
