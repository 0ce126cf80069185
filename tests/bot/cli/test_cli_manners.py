"""CLI manners (issue 15 point 10): `--version`, quiet exits when the reader of a pipe leaves (`| head`), and the
`all` status filter the staff page has."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Contact, Requester, TicketDraft


def _env(tmp_path: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_"))}
    environment["PRIVACY_BOT_DATA_DIR"] = str(tmp_path / "data")
    environment["PYTHONIOENCODING"] = "utf-8"
    return environment


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "--version"], env=_env(tmp_path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"privacy-bot {version('privacy-bot')}"


@pytest.mark.parametrize("args", [
    ["templates", "list"],
    ["tickets", "list", "--status", "all"],
    ["ask", "what are cookies used for?"],
    ["--help"],
])
def test_a_reader_that_leaves_early_is_not_an_error(tmp_path: Path, args: list[str]) -> None:
    """`privacy-bot … | head -1`: the pipe closes before the command writes; no "Broken pipe", no traceback."""
    store = SQLiteStore.in_dir(tmp_path / "data")
    for n in range(3):
        store.create_ticket(TicketDraft(request_type="disclosure", requester=Requester("web", None, f"s-{n}"),
                                        contact=Contact(name="A", email="a@example.com")),
                            idempotency_key=f"k{n}", now=time.time())
    store.close()
    with subprocess.Popen([sys.executable, "-m", "bot", *args], env=_env(tmp_path), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before anything is written
        errors = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0, errors
    assert errors == ""


def test_tickets_list_status_all_lists_open_and_closed(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path / "data")
    tickets = [store.create_ticket(TicketDraft(request_type="disclosure", requester=Requester("web", None, f"s-{n}"),
                                               contact=Contact(name="A", email="a@example.com")),
                                   idempotency_key=f"k{n}", now=time.time() + n) for n in range(2)]
    store.update_status(tickets[1].reference, "resolved", actor="alice", now=time.time())
    store.close()
    result = subprocess.run([sys.executable, "-m", "bot", "tickets", "list", "--json", "--status", "all"],
                            env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [t["reference"] for t in json.loads(result.stdout)] == [t.reference for t in tickets]
