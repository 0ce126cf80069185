"""The staff and admin commands (`tickets`, `users`, `purge`), run as real subprocesses on a SQLite store that the
test fills directly. (The Redis fixture lives in tests/handoff/conftest.py and is not reachable from here; the
Redis code paths are the store's, covered by the contract suite; an unreachable REDIS_URL is tested below.)"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from handoff.accounts import UserAccount, hash_password
from handoff.sqlite.store import DB_FILENAME, SQLiteStore
from handoff.tickets import Contact, Requester, Ticket, TicketDraft, TranscriptLine

DAY = 86400.0
PASSWORD = "correct horse battery staple"
NAME, EMAIL, ANSWER, SAID = "Hanako Yamada", "hanako@example.jp", "SECRET-ANSWER-42", "TRANSCRIPT-LINE-7"


def run(tmp_path: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_"))}
    environment["PRIVACY_BOT_DATA_DIR"] = str(tmp_path / "data")
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environment, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """A clean failure: the exit status, a message on stderr naming the problem, and no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.startswith(("privacy-bot ", "privacy-bot:", "usage: privacy-bot")), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def draft(n: int, request_type: str = "disclosure") -> TicketDraft:
    return TicketDraft(request_type=request_type, requester=Requester("web", None, f"session-{n}"),
                       contact=Contact(name=f"{NAME} {n}", email=EMAIL), answers={"details": f"{ANSWER} {n}"},
                       transcript=(TranscriptLine("user", f"{SAID} {n}", time.time()),))


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """The same SQLite file the subprocesses use, with a staff account `alice`."""
    s = SQLiteStore.in_dir(tmp_path / "data")
    s.add_user(UserAccount("alice", hash_password(PASSWORD), "staff", time.time()))
    yield s
    s.close()


def read_store(tmp_path: Path) -> SQLiteStore:
    """A fresh view of the subprocesses' SQLite file (closed at interpreter exit; cheap)."""
    return SQLiteStore.in_dir(tmp_path / "data")


def open_ticket(store: SQLiteStore, n: int, *, age_days: float = 0, request_type: str = "disclosure") -> Ticket:
    return store.create_ticket(draft(n, request_type), idempotency_key=f"k{n}", now=time.time() - age_days * DAY)


# -- help and errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(("command", "words"), [
    (["tickets"], ["list", "show", "claim", "status", "note", "export"]),
    (["tickets", "list"], ["--status", "--type", "--overdue", "--assignee", "--limit", "--json"]),
    (["tickets", "status"], ["NEW_STATUS", "--as", "--note", "--ground", "--reason"]),
    (["tickets", "export"], ["--format", "csv", "jsonl", "--output"]),
    (["users"], ["add", "remove", "list"]),
    (["users", "add"], ["--role", "--password-stdin", "12"]),
    (["purge"], ["--days", "--dry-run", "365"]),
])
def test_help(tmp_path: Path, command: list[str], words: list[str]) -> None:
    result = run(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"privacy-bot {' '.join(command)}" in result.stdout
    for word in words:
        assert word in result.stdout, word
    assert not (tmp_path / "data").exists(), "--help must not create the data directory"


def test_top_level_help_lists_staff_commands(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    for command in ("tickets", "users", "purge", "serve", "ask"):
        assert command in result.stdout


def test_store_down_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["tickets", "list"], ["users", "list"], ["purge"], ["tickets", "show", "PRQ-2026-000001"]):
        result = run(tmp_path, *args, env={"REDIS_URL": "redis://127.0.0.1:1/0"})
        refused(result, 2, "store is unavailable")
        assert len(result.stderr.strip().splitlines()) == 1


def test_bad_configuration_is_reported(tmp_path: Path) -> None:
    refused(run(tmp_path, "purge", env={"PRIVACY_BOT_PURGE_DAYS": "soon"}), 2, "PRIVACY_BOT_PURGE_DAYS")


# -- users -----------------------------------------------------------------------------------------
def test_users_add_list_remove(tmp_path: Path) -> None:
    added = run(tmp_path, "users", "add", "bob", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    run(tmp_path, "users", "add", "carol", "--password-stdin", stdin=PASSWORD + "\n")
    listed = run(tmp_path, "users", "list")
    assert listed.returncode == 0
    assert [line.split()[:2] for line in listed.stdout.splitlines()] == [["bob", "admin"], ["carol", "staff"]]
    as_json = json.loads(run(tmp_path, "users", "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in as_json] == [("bob", "admin"), ("carol", "staff")]
    assert set(as_json[0]) == {"username", "role", "created_at"}

    account = read_store(tmp_path).get_user("bob")
    assert account is not None and account.password_hash.startswith("scrypt$")
    everything = "".join(r.stdout + r.stderr for r in (added, listed))
    assert PASSWORD not in everything and account.password_hash not in everything and "scrypt" not in everything

    assert run(tmp_path, "users", "remove", "carol").returncode == 0
    assert "carol" not in run(tmp_path, "users", "list").stdout




def test_users_add_refuses_weak_or_duplicate_or_missing_passwords(tmp_path: Path) -> None:
    refused(run(tmp_path, "users", "add", "bob", "--password-stdin", stdin="short\n"), 1, "at least 12")
    refused(run(tmp_path, "users", "add", "bob", "--password-stdin", stdin="\n"), 1, "at least 12")
    refused(run(tmp_path, "users", "add", "bob", stdin=""), 2, "--password-stdin")  # no terminal to ask on
    refused(run(tmp_path, "users", "add", "bad name!", "--password-stdin", stdin=PASSWORD), 1, "username")
    assert run(tmp_path, "users", "add", "bob", "--password-stdin", stdin=PASSWORD).returncode == 0
    refused(run(tmp_path, "users", "add", "bob", "--password-stdin", stdin=PASSWORD), 1, "already exists")
    refused(run(tmp_path, "users", "remove", "nobody"), 1, "nobody")
    refused(run(tmp_path, "users", "add", "eve", "--role", "root", "--password-stdin", stdin=PASSWORD), 2, "role")


# -- tickets ---------------------------------------------------------------------------------------
def test_tickets_list_and_filters(tmp_path: Path, store: SQLiteStore) -> None:
    a = open_ticket(store, 1, age_days=20)  # overdue
    b = open_ticket(store, 2, request_type="correction")
    c = open_ticket(store, 3)
    store.claim(b.reference, actor="alice", now=time.time())
    store.update_status(c.reference, "resolved", actor="alice", now=time.time())

    listed = run(tmp_path, "tickets", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:4] == ["REFERENCE", "TYPE", "ART", "STATUS"]
    assert [line.split()[0] for line in lines[1:]] == [a.reference, b.reference, c.reference]
    assert "OVERDUE" in lines[1] and "OVERDUE" not in lines[2]
    assert NAME not in listed.stdout and EMAIL not in listed.stdout, "lists carry no personal data"

    def refs(*args: str) -> list[str]:
        result = run(tmp_path, "tickets", "list", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [t["reference"] for t in json.loads(result.stdout)]

    assert refs("--status", "open") == [a.reference, b.reference]
    assert refs("--status", "resolved,in_progress") == [b.reference, c.reference]
    assert refs("--type", "correction") == [b.reference]
    assert refs("--overdue") == [a.reference]
    assert refs("--assignee", "alice") == [b.reference]
    assert refs("--limit", "1", "--offset", "1") == [b.reference]
    summary = json.loads(run(tmp_path, "tickets", "list", "--json", "--overdue").stdout)[0]
    assert summary["overdue"] is True and summary["article"] == 7 and summary["created_at"].endswith("+09:00")
    refused(run(tmp_path, "tickets", "list", "--status", "lost"), 2, "unknown status")
    assert run(tmp_path, "tickets", "list", "--type", "inquiry").stdout.strip() == "no matching tickets"


def test_tickets_show(tmp_path: Path, store: SQLiteStore) -> None:
    ticket = open_ticket(store, 1)
    store.add_note(ticket.reference, actor="alice", text="called back \x1b[31mred\x1b[0m", now=time.time())
    shown = run(tmp_path, "tickets", "show", ticket.reference.lower())
    assert shown.returncode == 0, shown.stderr
    for expected in (ticket.reference, "Disclosure", "Article 7", f"{NAME} 1", EMAIL, f"{ANSWER} 1", f"{SAID} 1",
                     "created", "note", "called back"):
        assert expected in shown.stdout, expected
    assert "\x1b" not in shown.stdout, "control characters from free text are escaped on the terminal"
    assert "session-1" not in shown.stdout
    data = json.loads(run(tmp_path, "tickets", "show", ticket.reference, "--json").stdout)
    assert Ticket.from_dict(data) == store.get_ticket(ticket.reference)
    assert data["overdue"] is False
    refused(run(tmp_path, "tickets", "show", "PRQ-2020-000999"), 1, "no ticket PRQ-2020-000999")
    refused(run(tmp_path, "tickets", "show", "nonsense"), 1, "not a ticket reference")


def test_tickets_claim_status_note(tmp_path: Path, store: SQLiteStore) -> None:
    ticket = open_ticket(store, 1)
    ref = ticket.reference
    claimed = run(tmp_path, "tickets", "claim", ref, "--as", "alice")
    assert claimed.returncode == 0, claimed.stderr
    assert "alice" in claimed.stdout and "in_progress" in claimed.stdout
    moved = run(tmp_path, "tickets", "status", ref, "waiting", "--as", "alice", "--note", "asked for ID")
    assert moved.returncode == 0, moved.stderr
    assert "in_progress -> waiting_on_requester" in moved.stdout
    noted = run(tmp_path, "tickets", "note", ref, "ID received by post", "--as", "alice")
    assert noted.returncode == 0, noted.stderr
    assert run(tmp_path, "tickets", "note", ref, "-", "--as", "alice", stdin="from stdin\n").returncode == 0
    resolved = run(tmp_path, "tickets", "status", ref, "resolved", "--as", "alice")
    assert resolved.returncode == 0, resolved.stderr

    final = store.get_ticket(ref)
    assert (final.status, final.assignee) == ("resolved", "alice") and final.closed_at is not None
    assert [(e.actor, e.action) for e in final.events][1:] == [
        ("alice", "claimed"), ("alice", "status"), ("alice", "status"), ("alice", "note"), ("alice", "note"),
        ("alice", "status")]
    assert [e.text for e in final.events if e.action == "note"] == ["ID received by post", "from stdin"]

    refused(run(tmp_path, "tickets", "status", ref, "in_progress", "--as", "alice"), 1,
            "cannot move", "resolved", "in_progress")
    refused(run(tmp_path, "tickets", "claim", ref, "--as", "mallory"), 1, "no staff account 'mallory'")
    refused(run(tmp_path, "tickets", "claim", "PRQ-2020-000999", "--as", "alice"), 1, "no ticket")
    refused(run(tmp_path, "tickets", "note", ref, "   ", "--as", "alice"), 1)
    refused(run(tmp_path, "tickets", "status", ref, "done", "--as", "alice"), 2, "unknown status")
    assert run(tmp_path, "tickets", "claim", ref).returncode == 2  # --as is required
    assert store.get_ticket(ref).version == final.version, "refused commands change nothing"


def test_reject_needs_ground_and_reason(tmp_path: Path, store: SQLiteStore) -> None:
    ref = open_ticket(store, 1).reference
    missing = run(tmp_path, "tickets", "status", ref, "rejected", "--as", "alice")
    refused(missing, 1, "--ground", "--reason", "art7_1", "art7_3", "identity_not_confirmed")
    wrong = run(tmp_path, "tickets", "status", ref, "rejected", "--as", "alice", "--ground", "art8_content_true",
                "--reason", "x")
    refused(wrong, 1, "'art8_content_true' is not a ground", "art7_2")
    refused(run(tmp_path, "tickets", "status", ref, "rejected", "--as", "alice", "--ground", "art7_3"), 1, "--reason")
    refused(run(tmp_path, "tickets", "status", ref, "resolved", "--as", "alice", "--ground", "art7_3"), 2,
            "only with status rejected")
    assert store.get_ticket(ref).status == "new"

    done = run(tmp_path, "tickets", "status", ref, "rejected", "--as", "alice", "--ground", "art7_3",
               "--reason", "Disclosure would violate a statute.")
    assert done.returncode == 0, done.stderr
    rejected = store.get_ticket(ref)
    assert rejected.status == "rejected" and rejected.rejection is not None
    assert (rejected.rejection.ground, rejected.rejection.text) == ("art7_3", "Disclosure would violate a statute.")


def test_export_csv_and_jsonl(tmp_path: Path, store: SQLiteStore) -> None:
    a = open_ticket(store, 1, age_days=20)
    b = open_ticket(store, 2, request_type="inquiry")
    store.claim(b.reference, actor="alice", now=time.time())
    store.update_status(b.reference, "rejected", actor="alice", now=time.time(), note="not about the policy",
                        rejection_ground="out_of_scope")

    result = run(tmp_path, "tickets", "export")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["reference", "request_type", "article", "status", "assignee", "created_at", "updated_at",
                             "due_at", "closed_at", "overdue", "rejection_ground", "notified", "purged_at"]
    assert [(r["reference"], r["request_type"], r["article"], r["status"], r["overdue"]) for r in rows] == [
        (a.reference, "disclosure", "7", "new", "true"), (b.reference, "inquiry", "14", "rejected", "false")]
    assert (rows[1]["assignee"], rows[1]["rejection_ground"]) == ("alice", "out_of_scope")
    assert rows[0]["closed_at"] == "" and rows[1]["closed_at"].endswith("+09:00")
    for column in ("created_at", "updated_at", "due_at"):
        assert rows[0][column][:4].isdigit() and "T" in rows[0][column]
    assert NAME not in result.stdout and "not about the policy" not in result.stdout

    out = tmp_path / "export.jsonl"
    jsonl = run(tmp_path, "tickets", "export", "--format", "jsonl", "--output", str(out), "--status", "rejected")
    assert jsonl.returncode == 0, jsonl.stderr
    assert "exported 1 ticket" in jsonl.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Ticket.from_dict(r) for r in records] == [store.get_ticket(b.reference)]
    assert records[0]["contact"]["name"] == f"{NAME} 2"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "exports with personal data are private to their owner"
    assert run(tmp_path, "tickets", "export", "--type", "correction").stdout.splitlines()[1:] == []
    refused(run(tmp_path, "tickets", "export", "--output", str(tmp_path / "missing" / "x.csv")), 2, "x.csv")


# -- purge -----------------------------------------------------------------------------------------
def test_purge_removes_personal_fields_of_old_closed_tickets(tmp_path: Path, store: SQLiteStore) -> None:
    past = time.time() - 400 * DAY
    old = open_ticket(store, 1, age_days=400)
    store.add_note(old.reference, actor="alice", text="spoke to Hanako", now=past + 10)
    store.update_status(old.reference, "resolved", actor="alice", now=past + 20, note="sent the data")
    old_rejected = open_ticket(store, 2, age_days=400, request_type="correction")
    store.update_status(old_rejected.reference, "rejected", actor="alice", now=past + 30,
                        rejection_ground="art8_content_true", note="Hanako's address is correct")
    old_open = open_ticket(store, 3, age_days=400)
    recent = open_ticket(store, 4, age_days=30)
    store.update_status(recent.reference, "resolved", actor="alice", now=time.time() - 30 * DAY)
    expired_sessions = SQLiteStore.in_dir(tmp_path / "data", clock=lambda: time.time() - 10_000)
    expired_sessions.save_session("old-chat", {"lang": "en"}, 60)
    expired_sessions.close()
    before = {t.reference: store.get_ticket(t.reference) for t in (old, old_rejected, old_open, recent)}

    dry = run(tmp_path, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would purge 2" in dry.stdout and old.reference in dry.stdout and recent.reference not in dry.stdout
    assert store.get_ticket(old.reference) == before[old.reference], "a dry run changes nothing"

    result = run(tmp_path, "purge")
    assert result.returncode == 0, result.stderr
    assert "purged personal data from 2 ticket(s)" in result.stdout
    for ref in (old.reference, old_rejected.reference):
        kept, was = store.get_ticket(ref), before[ref]
        assert kept.purged_at is not None
        assert (kept.reference, kept.request_type, kept.status, kept.created_at, kept.due_at, kept.closed_at) == (
            was.reference, was.request_type, was.status, was.created_at, was.due_at, was.closed_at)
        assert kept.contact == Contact() and kept.answers == {} and kept.transcript == ()
        assert all(e.text == "" for e in kept.events)
        dump = json.dumps(kept.to_dict(), ensure_ascii=False)
        assert NAME not in dump and EMAIL not in dump and ANSWER not in dump and "Hanako" not in dump
    rejection = store.get_ticket(old_rejected.reference).rejection
    assert rejection is not None and (rejection.ground, rejection.text) == ("art8_content_true", "")
    assert store.get_ticket(old_open.reference) == before[old_open.reference], "open tickets are never purged"
    assert store.get_ticket(recent.reference) == before[recent.reference]
    with sqlite3.connect(tmp_path / "data" / DB_FILENAME) as db:
        assert db.execute("SELECT count(*) FROM sessions WHERE id = 'old-chat'").fetchone() == (0,)

    assert "from 1 ticket(s)" in run(tmp_path, "purge", "--days", "20").stdout  # the recent one, 30 days closed
    assert "from 0 ticket(s)" in run(tmp_path, "purge", "--days", "0").stdout
    refused(run(tmp_path, "purge", "--days", "-1"), 2, "negative")
