"""Shared by the browser tests and their fixtures (a module of its own: `conftest` is an ambiguous import name)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from handoff.accounts import hash_password

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple"
FAST_HASH = hash_password(PASSWORD, n=2**10)  # a low scrypt cost keeps sign-ins fast; stored in the hash


class Server:
    """A running `privacy-bot serve`: its base URL, data directory, process and log file."""

    def __init__(self, base: str, data_dir: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base = base
        self.data_dir = data_dir
        self.process = process
        self.log = log
