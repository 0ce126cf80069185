"""`privacy-bot serve` warns at start when PRIVACY_BOT_PUBLIC_URL is unset and the port is not the default one (links
in staff alerts and emails would point to the wrong place); run as a real subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bot.cli.main import public_url_warning
from bot.config import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_the_warning_only_when_unset_and_not_on_the_default_port() -> None:
    unset = Settings.from_env({})
    warning = public_url_warning(unset, 8123)
    assert warning is not None and "http://127.0.0.1:8000" in warning and "8123" in warning
    assert public_url_warning(unset, 8000) is None
    assert public_url_warning(Settings.from_env({"PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com"}), 8123) is None


def start_output(tmp_path: Path, env: dict[str, str]) -> str:
    """stderr of `serve` up to its "serving on" line; the server is then stopped."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_",
                                                                            "SMTP_"))}
    environment.update({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), **env})
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(free_port())],
                            cwd=tmp_path, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "serving on" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stderr is not None:
            proc.stderr.close()
    return "".join(lines)


def test_serve_warns_about_links_to_the_wrong_port(tmp_path: Path) -> None:
    output = start_output(tmp_path, {})
    assert "serving on" in output and "warning: PRIVACY_BOT_PUBLIC_URL is not set" in output
    quiet = start_output(tmp_path, {"PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com"})
    assert "serving on" in quiet and "warning" not in quiet
