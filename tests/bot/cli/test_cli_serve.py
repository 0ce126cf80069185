"""`privacy-bot serve` warns at start when PRIVACY_BOT_PUBLIC_URL is unset and the port is not the default one (links
in staff alerts and emails would point to the wrong place), and stops gracefully on SIGTERM (the outbox records what it
is sending); run as a real subprocess."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from slack_mock import SlackMock

from bot.app import build_store
from bot.cli.main import public_url_warning
from bot.config import Settings
from handoff.outbox import SENT
from handoff.tickets import Contact, Requester, TicketDraft


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


def test_sigterm_lets_the_outbox_record_the_message_it_is_sending(tmp_path: Path, slack_api: SlackMock) -> None:
    """SIGTERM while the staff alert is on its way to Slack: the server stops serving, the dispatcher waits for
    Slack's answer and records the delivery, and the process exits 0. (Before, uvicorn raised SIGTERM again after
    its shutdown and the process died at once: the alert was posted but still pending, to be posted again.)"""
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com",
           "SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_API_URL": slack_api.url, "SLACK_STAFF_CHANNEL": "C0STAFF"}
    store = build_store(Settings.from_env(env))
    try:
        ticket = store.create_ticket(TicketDraft(request_type="disclosure", requester=Requester("web", None, "s-1"),
                                                 contact=Contact(name="Requester", email="person@example.com")),
                                     idempotency_key="sigterm-1", now=time.time())
    finally:
        store.close()
    key = f"{ticket.reference}:staff_alert:slack"
    slack_api.set_latency(2.0, "chat.postMessage")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_",
                                                                            "SMTP_"))}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(free_port())],
                            cwd=tmp_path, env={**environment, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while slack_api.in_flight == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert slack_api.in_flight == 1, "the dispatcher did not start posting the alert"
        proc.send_signal(signal.SIGTERM)
        _, errors = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=15)
    assert proc.returncode == 0, errors
    store = build_store(Settings.from_env(env))
    try:
        message = store.get_outbox(key)
    finally:
        store.close()
    assert (message.status, message.attempts) == (SENT, 1)
    assert len(slack_api.calls("chat.postMessage")) == 1
