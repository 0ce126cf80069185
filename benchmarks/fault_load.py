"""Fault-and-load script (issue #7, point 7; not part of CI): nothing acknowledged is lost, nothing is duplicated.

N simulated users chat and file formal requests through `POST /api/chat` (the whole intake form, up to the
confirmation that returns a ticket reference) for a bounded time against two `privacy-bot serve` workers that
share one redis-server started here (`appendonly yes`, `appendfsync always`). Each message of a conversation goes
to the next worker in turn, so sessions continue across workers. Meanwhile the script

* kills redis-server with SIGKILL and restarts it (it replays its append-only file), at 25% and again at 70% of
  the run, and
* kills one worker with SIGKILL at 50% and starts it again, and
* breaks the outbound channels (issue 16): the Slack Web API (the tests' local mock) answers 429 with Retry-After
  from 10% to 30% of the run and 500 from 30% to 45%, and the SMTP server (aiosmtpd) is down from 35% to 60%.

Users retry a failed confirmation (connection refused, an error status, or the form still at its summary because
the store was down) with the same session, which is idempotent: the form's id is the ticket's idempotency key.
A form step that fails is sent again; a form that gets out of step is cancelled and started afresh in a new
session. At the end every ticket reference a user was given is reconciled with the tickets in Redis, and the
script prints `acknowledged`, `stored`, `lost` and `duplicated` (a form with more than one ticket, or a
reference given to two forms). Then the outbox is drained (the workers keep delivering for a while; what is still
waiting for its backoff is delivered by one more dispatcher, as a restarted worker would) and every message a stored
ticket promised — the Slack staff alert, the email staff alert and the requester's receipt — is reconciled with what
the Slack mock and the SMTP server received: `queued`, `delivered`, `duplicated` and `lost` messages. It exits 1
unless lost and duplicated tickets and messages are all 0.

    python -m benchmarks.fault_load [--users 16] [--duration 40] [--json]

Everything runs on loopback; every loop is bounded in count and in time.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from benchmarks import LOOPBACK, REPO, UNLIMITED_RATES, RedisServer, ServerProcess, clean_env, free_port

PREFIX = "fault-load"
QUESTIONS = ["What personal information do you collect?", "do you use cookies?", "クッキーを無効にするとどうなりますか？",
             "who do I contact about privacy?", "do you share my data with partners?"]
OPENERS = {
    "disclosure": "Please send me a copy of all the personal data you hold about me.",
    "correction": "My address in your records is wrong, please correct it.",
    "suspension": "Please delete my account and all my data.",
    "inquiry": "get me a real person",
}
#: The form's answers after the opener, up to the summary (the request type's detail steps included).
SCRIPTS = {
    "disclosure": ["1", "{name}", "{email}", "1", "everything", "1"],
    "correction": ["1", "{name}", "{email}", "1", "my address says Tokyo", "Osaka"],
    "suspension": ["1", "{name}", "{email}", "1", "2", "4", "all of it"],
    "inquiry": ["1", "{name}", "{email}", "1", "I'd like to complain about marketing emails"],
}
SUMMARY_CHOICES = ["confirm", "restart", "cancel"]
STAFF_EMAIL = "desk@example.com"
STAFF_CHANNEL = "C0STAFF"
DRAIN_SECONDS = 30.0  # how long the workers get to deliver what the faults held back
_REFERENCE = re.compile(r"PRQ-\d{4}-\d{6,9}")
STEP_RETRIES = 30
CONFIRM_GRACE = 30.0  # seconds a user keeps retrying a confirmation after the load phase ended


# -- reconciliation (pure; unit-tested) ----------------------------------------------------------

@dataclass(frozen=True)
class StoredTicket:
    reference: str
    session_id: str


def reconcile(acknowledged: Mapping[str, Iterable[str]], stored: Iterable[StoredTicket]) -> dict[str, int]:
    """Compare the references users were given (per form, keyed by the form's session id) with the store.

    `acknowledged`: every reference returned to the form (retries may return the same one again). Returns
    `acknowledged` (distinct references given out), `stored` (tickets in the store), `lost` (given out, not
    stored), `duplicated` (extra tickets of one form, plus references given to more than one form or forms given
    more than one reference) and `unacknowledged` (stored tickets of forms that were never told a reference,
    e.g. a user who gave up: not an error, nobody was promised anything)."""
    stored = list(stored)
    by_ref = {t.reference: t for t in stored}
    per_form: dict[str, int] = {}
    for ticket in stored:
        per_form[ticket.session_id] = per_form.get(ticket.session_id, 0) + 1
    given: dict[str, set[str]] = {form: set(refs) for form, refs in acknowledged.items()}
    owners: dict[str, set[str]] = {}
    for form, refs in given.items():
        for ref in refs:
            owners.setdefault(ref, set()).add(form)
    references = set(owners)
    lost = sum(1 for ref in references if ref not in by_ref)
    duplicated = (sum(n - 1 for n in per_form.values() if n > 1)
                  + sum(len(forms) - 1 for forms in owners.values())
                  + sum(len(refs) - 1 for refs in given.values() if len(refs) > 1))
    acked_forms = {form for form, refs in given.items() if refs}
    unacknowledged = sum(1 for t in stored if t.session_id not in acked_forms)
    return {"acknowledged": len(references), "stored": len(stored), "lost": lost, "duplicated": duplicated,
            "unacknowledged": unacknowledged}


def reconcile_messages(stored: Iterable[str], slack_posts: Iterable[str], emails: Iterable[tuple[str, str, str]],
                       queued: int) -> dict[str, int]:
    """Compare the messages stored tickets promised with what arrived.

    Every stored ticket promises three: its Slack staff alert, its email staff alert and the requester's receipt.
    `slack_posts`: the reference of every staff alert Slack accepted; `emails`: (Message-ID, reference, "alert" or
    "receipt") of every email the SMTP server accepted; `queued`: messages in the outbox. Returns `queued`,
    `expected`, `delivered` (promised messages that arrived), `duplicated` (arrivals beyond the first of a message, a
    repeated Message-ID included) and `lost` (promised, never arrived)."""
    expected = {(ref, kind) for ref in stored for kind in ("slack", "alert", "receipt")}
    arrivals: dict[tuple[str, str], int] = {}
    for ref in slack_posts:
        arrivals[(ref, "slack")] = arrivals.get((ref, "slack"), 0) + 1
    ids: dict[str, int] = {}
    for message_id, ref, kind in emails:
        ids[message_id] = ids.get(message_id, 0) + 1
        arrivals[(ref, kind)] = arrivals.get((ref, kind), 0) + 1
    delivered = sum(1 for key in expected if arrivals.get(key))
    duplicated = sum(n - 1 for n in arrivals.values() if n > 1)
    return {"queued": queued, "expected": len(expected), "delivered": delivered, "duplicated": duplicated,
            "lost": len(expected) - delivered}



def repeated_messages(slack_posts: Iterable[str], emails: Iterable[tuple[str, str, str]]) -> list[str]:
    """Which messages arrived more than once, as "<channel> of <reference> (n arrivals)": the channel says where the
    repeat happened (Slack staff alert, email staff alert, receipt), the reference which ticket to look up in the
    workers' logs. References only: no names or addresses."""
    arrivals: dict[tuple[str, str], int] = {}
    for ref in slack_posts:
        arrivals[("Slack staff alert", ref)] = arrivals.get(("Slack staff alert", ref), 0) + 1
    for _message_id, ref, kind in emails:
        key = ("email staff alert" if kind == "alert" else "email receipt", ref)
        arrivals[key] = arrivals.get(key, 0) + 1
    return [f"{channel} of {ref} ({n} arrivals)" for (channel, ref), n in sorted(arrivals.items()) if n > 1]

# -- users ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # form session -> references given
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + n

    def ack(self, form: str, reference: str) -> None:
        with self.lock:
            self.acknowledged.setdefault(form, []).append(reference)


class Workers:
    """The worker ports, handed out in turn; a user that cannot reach one moves on to the next."""

    def __init__(self, ports: Sequence[int]) -> None:
        self.ports = list(ports)
        self._turn = itertools.count()

    def next(self) -> int:
        return self.ports[next(self._turn) % len(self.ports)]


def post_chat(port: int, body: Mapping[str, Any], timeout: float = 10.0) -> tuple[int, dict[str, Any] | None]:
    """(status, JSON reply) or (0, None) when the worker could not be reached or did not answer."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("POST", "/api/chat", body=json.dumps(body), headers={"content-type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None
    except (OSError, http.client.HTTPException):
        return 0, None
    finally:
        conn.close()


class User:
    def __init__(self, number: int, workers: Workers, tally: Tally, stop_at: float, rng: random.Random) -> None:
        self.number = number
        self.workers = workers
        self.tally = tally
        self.stop_at = stop_at
        self.rng = rng
        self.forms = 0

    def say(self, session: str, text: str) -> dict[str, Any] | None:
        """One message; the reply, or None when no worker answered with a usable reply (counted)."""
        status, reply = post_chat(self.workers.next(), {"session_id": session, "text": text})
        if status == 0:
            self.tally.count("connection errors")
            return None
        if status >= 500:
            self.tally.count(f"HTTP {status}")
            return None
        if status != 200 or reply is None:
            self.tally.count(f"HTTP {status}")
            return None
        self.tally.count("answers")
        if "store_unavailable" in reply.get("notices", []):
            self.tally.count("answers while the store was down")
        return reply

    def step(self, session: str, text: str, *, needs_store: bool = True) -> dict[str, Any] | None:
        """Send one form step until a worker answers with the store up (bounded)."""
        for attempt in range(STEP_RETRIES):
            reply = self.say(session, text)
            if reply is not None and not (needs_store and "store_unavailable" in reply.get("notices", [])):
                return reply
            if time.monotonic() > self.stop_at + CONFIRM_GRACE:
                return None
            time.sleep(min(0.1 * (attempt + 1), 1.0))
        return None

    def file_request(self) -> None:
        self.forms += 1
        session = f"fl-u{self.number:03d}-f{self.forms:04d}-{self.rng.randrange(16**6):06x}"
        kind = self.rng.choice(sorted(OPENERS))
        name, email = f"User {self.number} Form {self.forms}", f"user{self.number}.form{self.forms}@example.com"
        self.tally.count("forms started")
        reply = self.step(session, OPENERS[kind])
        if reply is None or reply.get("handoff") != kind:
            self.tally.count("forms abandoned (opener not taken)")
            return
        for answer in SCRIPTS[kind]:
            reply = self.step(session, answer.format(name=name, email=email))
            if reply is None:
                self.tally.count("forms abandoned (step failed)")
                return
        if [c.get("value") for c in reply.get("choices", [])] != SUMMARY_CHOICES:
            self.say(session, "cancel")
            self.tally.count("forms out of step (cancelled, started again)")
            return
        self.confirm(session)

    def confirm(self, session: str) -> None:
        """Confirm; retry with the same session (idempotent) until a reference comes back or time is up."""
        attempts = 0
        while True:
            attempts += 1
            reply = self.say(session, "confirm")
            ticket = (reply or {}).get("ticket")
            if ticket and ticket.get("reference"):
                self.tally.ack(session, ticket["reference"])
                self.tally.count("confirmations acknowledged")
                if attempts > 1:
                    self.tally.count("confirmations that needed a retry")
                return
            self.tally.count("confirmation attempts failed")
            if time.monotonic() > self.stop_at + CONFIRM_GRACE or attempts > 200:
                self.tally.count("confirmations given up")
                return
            time.sleep(min(0.1 * attempts, 1.0))

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            for _ in range(self.rng.randint(0, 2)):
                self.say(f"fl-chat-u{self.number:03d}", self.rng.choice(QUESTIONS))
            self.file_request()


# -- the run -------------------------------------------------------------------------------------

def stored_tickets(redis_url: str) -> list[StoredTicket]:
    from handoff.redis.store import RedisStore

    store = RedisStore.from_url(redis_url, prefix=PREFIX)
    try:
        out: list[StoredTicket] = []
        offset = 0
        while True:
            page = store.list_tickets(limit=500, offset=offset)
            if not page:
                return out
            out.extend(StoredTicket(t.reference, t.requester.session_id) for t in page)
            offset += len(page)
            if offset > 1_000_000:
                raise RuntimeError("too many tickets")
    finally:
        store.close()


def _test_servers() -> tuple[Any, Any]:
    """The tests' local Slack mock and SMTP server classes (tests/slack_mock.py, tests/smtp_server.py)."""
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from slack_mock import SlackMock
    from smtp_server import SmtpServer

    return SlackMock, SmtpServer


def outbound(slack: Any, smtp: Any) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(references of accepted Slack staff alerts, (Message-ID, reference, kind) of accepted emails)."""
    posts = []
    for call in slack.calls("chat.postMessage"):
        found = _REFERENCE.search(str(call.params.get("text", "")))
        if call.status == 200 and call.response and call.response.get("ok") and found:
            posts.append(found.group(0))
    emails = []
    for message, (_, recipients) in zip(list(smtp.messages), list(smtp.envelopes)):
        found = _REFERENCE.search(str(message["Subject"]))
        if found:
            emails.append((str(message["Message-ID"]), found.group(0),
                           "alert" if STAFF_EMAIL in recipients else "receipt"))
    return posts, emails


def drain(env: Mapping[str, str], note: Any) -> dict[str, int]:
    """Deliver what is still due once backoffs elapse, as a restarted worker would (the clock jumps ahead)."""
    from bot.app import build_services
    from bot.config import Settings

    services = build_services(Settings.from_env(env))
    offset = 0.0
    services.dispatcher.clock = lambda: time.time() + offset
    try:
        for _ in range(20):
            counts = services.store.outbox_counts()
            if not counts["pending"]:
                break
            services.dispatcher.run_once()
            offset += 700.0  # past the longest backoff
        counts = services.store.outbox_counts()
        note(f"outbox after the last rounds: {counts}")
        return counts
    finally:
        services.close()


def outbox_pending(redis_url: str) -> int:
    from handoff.redis.store import RedisStore

    store = RedisStore.from_url(redis_url, prefix=PREFIX)
    try:
        return store.outbox_counts()["pending"]
    finally:
        store.close()


def run_fault_load(users: int = 16, duration: float = 40.0, seed: int = 7,
                   log: Any = sys.stderr, *, with_faults: bool = True) -> dict[str, Any]:
    """Run the whole scenario; returns the reconciliation, counters and the fault timeline. Without faults
    (`with_faults=False`) nothing is killed or broken: the two workers simply share the load (the capacity
    benchmark's shared-state run)."""
    def note(what: str) -> None:
        timeline.append(f"{time.monotonic() - t0:6.1f} s  {what}")
        print(timeline[-1], file=log, flush=True)

    timeline: list[str] = []
    SlackMock, SmtpServer = _test_servers()
    with tempfile.TemporaryDirectory(prefix="fault-load-") as tmp:
        workdir = Path(tmp)
        redis = RedisServer(workdir / "redis").start()
        slack, smtp = SlackMock().start(), SmtpServer().start()
        servers: list[ServerProcess] = []
        try:
            env = clean_env({"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": PREFIX,
                             "PRIVACY_BOT_DATA_DIR": str(workdir / "data"), **UNLIMITED_RATES,
                             "SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_API_URL": slack.url,
                             "SLACK_STAFF_CHANNEL": STAFF_CHANNEL, "SMTP_HOST": LOOPBACK, "SMTP_PORT": str(smtp.port),
                             "SMTP_SECURITY": "none", "SMTP_FROM": "privacy@example.com",
                             "PRIVACY_BOT_STAFF_EMAILS": STAFF_EMAIL, "PRIVACY_BOT_EMAIL_VERIFICATION": "0",
                             "PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS": "100"})
            for n in range(2):
                servers.append(ServerProcess.privacy_bot(free_port(), env, workdir, f"worker{n}").start())
            for server in servers:
                server.wait_ready()
            t0 = time.monotonic()
            stop_at = t0 + duration
            tally = Tally()
            workers = Workers([s.port for s in servers])
            rng = random.Random(seed)
            threads = [threading.Thread(target=User(n, workers, tally, stop_at, random.Random(rng.random())).run,
                                        name=f"user-{n}", daemon=True) for n in range(users)]
            note(f"{users} users start against workers on ports {workers.ports}; redis on {redis.port}")
            for thread in threads:
                thread.start()
            faults = [(0.10, "slack 429"), (0.25, "kill redis"), (0.30, "slack 500"), (0.35, "smtp down"),
                      (0.45, "slack ok"), (0.50, "kill worker"), (0.60, "smtp up"), (0.70, "kill redis")]
            plan = faults if with_faults else []
            for at, what in plan:
                time.sleep(max(0.0, t0 + at * duration - time.monotonic()))
                if what == "slack 429":
                    slack.fail("chat.postMessage", error="ratelimited", retry_after=2)
                    note("Slack answers 429 (Retry-After: 2)")
                elif what == "slack 500":
                    slack.recover()
                    slack.fail("chat.postMessage", status=500)
                    note("Slack answers 500")
                elif what == "slack ok":
                    slack.recover()
                    note("Slack recovered")
                elif what == "smtp down":
                    smtp.stop()
                    note("SMTP server down")
                elif what == "smtp up":
                    smtp.start()
                    note("SMTP server back")
                elif what == "kill redis":
                    redis.kill()
                    note("redis-server killed (SIGKILL)")
                    time.sleep(min(3.0, duration * 0.08))
                    redis.start()
                    note("redis-server restarted (append-only file replayed)")
                else:
                    servers[1].kill()
                    note("worker 1 killed (SIGKILL)")
                    time.sleep(min(1.0, duration * 0.03))
                    servers[1].start()
                    servers[1].wait_ready()
                    note("worker 1 restarted")
            for thread in threads:
                thread.join(timeout=max(1.0, stop_at - time.monotonic()) + CONFIRM_GRACE + 15)
            still = sum(t.is_alive() for t in threads)
            note(f"load stopped ({still} users still busy)")
            if not redis.running:
                redis.start()
            stored = stored_tickets(redis.url)
            result = reconcile(tally.acknowledged, stored)
            note("tickets reconciled")
            deadline = time.monotonic() + min(DRAIN_SECONDS, duration)
            while time.monotonic() < deadline and outbox_pending(redis.url):
                time.sleep(0.5)
            note(f"workers delivered for {min(DRAIN_SECONDS, duration):.0f} s; {outbox_pending(redis.url)} pending")
            for server in servers:
                server.stop()
            counts = drain(env, note)
            posts, emails = outbound(slack, smtp)
            messages = reconcile_messages([t.reference for t in stored], posts, emails, sum(counts.values()))
            note("messages reconciled")
            return {"result": result, "messages": messages, "repeated": repeated_messages(posts, emails),
                    "counts": dict(sorted(tally.counts.items())),
                    "timeline": timeline, "users": users, "duration": duration, "users_still_busy": still,
                    "seconds": time.monotonic() - t0}
        finally:
            for server in servers:
                server.kill()
            redis.kill()
            slack.stop()
            smtp.stop()


def run(quick: bool = False) -> Any:
    """The fault-and-load run as a section of `python -m benchmarks` (a tiny one with `quick`)."""
    from benchmarks import Section, markdown_table

    users, duration = (2, 5.0) if quick else (16, 40.0)
    outcome = run_fault_load(users, duration, log=_Quiet())
    result = outcome["result"]
    section = Section("fault_load", "Fault and load (issue #7)")
    section.add(f"lost / duplicated tickets ({users} users, {duration:.0f} s, redis killed twice, a worker killed)",
                f"{result['lost']} / {result['duplicated']} (acknowledged {result['acknowledged']}, "
                f"stored {result['stored']})", "0 / 0", result["lost"] == 0 and result["duplicated"] == 0)
    messages = outcome["messages"]
    section.add("lost / duplicated outbox messages (Slack 429 and 500, SMTP down)",
                f"{messages['lost']} / {messages['duplicated']} (queued {messages['queued']}, delivered "
                f"{messages['delivered']} of {messages['expected']})", "0 / 0",
                messages["lost"] == 0 and messages["duplicated"] == 0)
    errors = sum(v for k, v in outcome["counts"].items() if k.startswith("HTTP 5"))
    section.add("HTTP 5xx answers during the faults", str(errors), "0", errors == 0)
    section.body = (
        "`python -m benchmarks.fault_load`: users chat and file requests through the whole intake form against two "
        "`privacy-bot serve` workers sharing one redis-server (`appendonly yes`, `appendfsync always`) while "
        "redis-server is SIGKILLed and restarted twice and one worker is SIGKILLed and restarted; failed "
        "confirmations are retried with the same session.\n\n"
        + markdown_table(["acknowledged", "stored", "lost", "duplicated", "unacknowledged"],
                         [[result[k] for k in ("acknowledged", "stored", "lost", "duplicated", "unacknowledged")]])
        + "\n\nOutbox messages (each stored ticket promises a Slack staff alert, an email staff alert and the "
        "requester's receipt; Slack answered 429 then 500 and the SMTP server was down for part of the run):\n\n"
        + markdown_table(["queued", "expected", "delivered", "duplicated", "lost"],
                         [[messages[k] for k in ("queued", "expected", "delivered", "duplicated", "lost")]])
        + ("\n\nRepeated: " + "; ".join(outcome["repeated"]) if outcome["repeated"] else "")
        + "\n\nCounters: " + "; ".join(f"{k} {v}" for k, v in outcome["counts"].items())
        + "\n\nTimeline:\n\n```\n" + "\n".join(outcome["timeline"]) + "\n```"
    )
    return section


class _Quiet:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fault_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent users (default 16)")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of load (default 40)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the whole outcome as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 256 or not 2 <= args.duration <= 600:
        parser.error("users must be 1-256 and duration 2-600 seconds")
    outcome = run_fault_load(args.users, args.duration, args.seed)
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        for key in ("acknowledged", "stored", "lost", "duplicated"):
            print(f"{key} {outcome['result'][key]}")
        for key in ("queued", "expected", "delivered", "duplicated", "lost"):
            print(f"messages {key} {outcome['messages'][key]}")
        print(f"(unacknowledged {outcome['result']['unacknowledged']}: stored tickets whose user was never told a "
              "reference)")
        for key, value in outcome["counts"].items():
            print(f"  {key}: {value}")
    bad = [outcome[part][key] for part in ("result", "messages") for key in ("lost", "duplicated")]
    return 0 if not any(bad) else 1


if __name__ == "__main__":
    sys.exit(main())
