"""Shared by the browser tests and their fixtures (a module of its own: `conftest` is an ambiguous import name)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from server_kit import stop, wait_healthy

from handoff.accounts import UserAccount, hash_password
from handoff.sqlite.store import SQLiteStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple"
FAST_HASH = hash_password(PASSWORD, n=2**10)  # a low scrypt cost keeps sign-ins fast; stored in the hash
STARTUP_TIMEOUT = 60.0  # a deadline only (ready servers answer at once); generous for a loaded machine


class Server:
    """A running `privacy-bot serve`: its base URL, data directory, process and log file."""

    def __init__(self, base: str, data_dir: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base = base
        self.data_dir = data_dir
        self.process = process
        self.log = log


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(root: Path, env_extra: dict[str, str] | None = None) -> Iterator[Server]:
    """A `privacy-bot serve` process on a fresh SQLite store under `root` (unless `env_extra` sets REDIS_URL), with
    the accounts root (admin) and alice (staff); stopped when the block ends."""
    data_dir = root / "data"
    store = SQLiteStore.in_dir(data_dir)
    for name, role in (("root", "admin"), ("alice", "staff")):
        store.add_user(UserAccount(name, FAST_HASH, role, time.time()))
    store.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_"))}
    env["PRIVACY_BOT_DATA_DIR"] = str(data_dir)
    env.update(env_extra or {})
    log = root / "server.log"
    script = Path(sys.executable).parent / "privacy-bot"
    with open(log, "wb") as log_file:
        process = subprocess.Popen([str(script), "serve", "--port", str(port)], cwd=root, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    srv = Server(f"http://127.0.0.1:{port}", data_dir, process, log)
    try:
        wait_healthy(process, srv.base, log, STARTUP_TIMEOUT, step=0.05)
        yield srv
    finally:
        stop(process)
