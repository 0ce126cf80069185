"""`GET /metrics`: what is counted, the labels (route templates, never personal data), the store-backed ticket
gauges, store errors, the optional token, and prometheus-client's multiprocess mode across real processes."""
from __future__ import annotations

import os
import re
import threading
import time
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.engine.decisions import DecisionRecorder, decision_kind
from bot.metrics import Metrics, StoreCollector
from bot.web.app import create_app
from handoff.analytics import DecisionTally, day_number, week_start
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from handoff.tickets import Contact, Requester, TicketDraft

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
DAY = 86400.0
NOW = 1_777_593_600.0


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0.0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        found = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if found and found[1] == name:
            got = ",".join(sorted(p for p in re.findall(r'\w+="[^"]*"', found[2] or "")))
            if got == wanted:
                return float(found[3])
    return 0.0


@pytest.fixture()
def app_services(tmp_path: Path) -> Iterator[Services]:
    s = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_RATE_IP": "0",
                                          "PRIVACY_BOT_RATE_SESSION": "0"}))
    yield s
    s.close()


@pytest.fixture()
def client(app_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(app_services), raise_server_exceptions=False) as c:
        yield c


def _draft(n: int, request_type: str = "disclosure") -> TicketDraft:
    return TicketDraft(request_type=request_type, requester=Requester("web", None, f"secret-session-{n}"),
                       contact=Contact(name=f"Hanako Yamada{n}", email=f"hanako{n}@example.com"),
                       answers={"details": "everything"})


def test_requests_counted_by_route_template_and_status(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/staff/tickets/PRQ-2026-000123", follow_redirects=False).status_code == 303
    assert client.get("/no/such/page-hanako@example.com").status_code == 404
    assert client.post("/api/chat", content=b"{").status_code == 422
    assert client.get("/static/chat.js").status_code == 200
    text = client.get("/metrics").text
    assert sample(text, "privacy_bot_http_requests_total", method="GET", route="/healthz", status="200") == 1
    assert sample(text, "privacy_bot_http_requests_total", method="GET", route="/staff/tickets/{ref}",
                  status="303") == 1
    assert sample(text, "privacy_bot_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert sample(text, "privacy_bot_http_requests_total", method="POST", route="/api/chat", status="422") == 1
    assert sample(text, "privacy_bot_http_requests_total", method="GET", route="/static", status="200") == 1
    assert "PRQ-2026-000123" not in text and "hanako" not in text


def test_chat_latency_and_decisions_by_kind(client: TestClient) -> None:
    for text in ("can I get a copy of everything you store about me?", "hello", "zxqv blorp"):
        assert client.post("/api/chat", json={"text": text}).status_code == 200
    metrics = client.get("/metrics").text
    assert sample(metrics, "privacy_bot_chat_seconds_count", frontend="web") == 3
    assert sample(metrics, "privacy_bot_decisions_total", kind="answer", frontend="web", lang="en") == 1
    assert sample(metrics, "privacy_bot_decisions_total", kind="smalltalk", frontend="web", lang="en") == 1
    assert sample(metrics, "privacy_bot_decisions_total", kind="fallback", frontend="web", lang="en") == 1
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")


def test_out_of_scope_is_its_own_kind() -> None:
    # DESIGN: an out-of-scope message is decision `fallback` with `intent` naming its topic.
    assert decision_kind("fallback", "support_billing") == "out_of_scope"
    assert decision_kind("fallback", None) == "fallback"
    assert decision_kind("answer", "disclosure") == "answer"


def test_ticket_gauges_come_from_the_store(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    for n in range(3):
        store.create_ticket(_draft(n), idempotency_key=f"d{n}", now=NOW)
    late = store.create_ticket(_draft(9, "correction"), idempotency_key="c", now=NOW - 20 * DAY)
    soon = store.create_ticket(_draft(8, "inquiry"), idempotency_key="i", now=NOW - 12 * DAY)
    done = store.create_ticket(_draft(7), idempotency_key="r", now=NOW - 30 * DAY)
    store.update_status(done.reference, "resolved", actor="alice", now=NOW - 29 * DAY)
    metrics = Metrics()
    metrics.add_collector(StoreCollector(store, due_soon_days=3, clock=lambda: NOW))
    text = metrics.exposition().decode()
    assert sample(text, "privacy_bot_tickets", request_type="disclosure", status="new") == 3
    assert sample(text, "privacy_bot_tickets", request_type="disclosure", status="resolved") == 1
    assert sample(text, "privacy_bot_tickets", request_type="correction", status="new") == 1
    assert sample(text, "privacy_bot_tickets_overdue", request_type="correction") == 1
    assert sample(text, "privacy_bot_tickets_overdue", request_type="disclosure") == 0
    assert sample(text, "privacy_bot_tickets_due_soon", request_type="inquiry") == 1
    assert sample(text, "privacy_bot_store_up") == 1
    assert sample(text, "privacy_bot_outbox_messages", status="pending") == 6  # one staff alert per new ticket
    assert sample(text, "privacy_bot_outbox_messages", status="failed") == 0
    for secret in ("Hanako", "hanako", "secret-session", late.reference, soon.reference):
        assert secret not in text
    store.close()


def test_outbox_failures_show(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    store.create_ticket(_draft(1), idempotency_key="d1", now=NOW)
    [alert] = store.claim_outbox(now=NOW, channels=["log"], limit=10, lease_seconds=60)
    store.record_delivery(alert.key, ok=False, now=NOW, error="log:down")  # no retry left: failed
    metrics = Metrics()
    metrics.add_collector(StoreCollector(store, clock=lambda: NOW))
    text = metrics.exposition().decode()
    assert sample(text, "privacy_bot_outbox_messages", status="failed") == 1
    assert sample(text, "privacy_bot_outbox_messages", status="pending") == 0
    store.close()


def test_store_errors_are_counted_and_the_scrape_survives(app_services: Services, client: TestClient,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = app_services.store.wrapped  # type: ignore[attr-defined]

    def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("injected")

    monkeypatch.setattr(real, "begin_turn", down)  # the chat's one read before answering (buckets and session)
    monkeypatch.setattr(real, "load_session", down)  # ... and the core's own read when that failed
    monkeypatch.setattr(real, "ticket_tallies", down)
    assert client.post("/api/chat", json={"text": "hello"}).status_code == 200  # answers without a session
    text = client.get("/metrics").text
    assert sample(text, "privacy_bot_store_errors_total", operation="begin_turn") == 1
    assert sample(text, "privacy_bot_store_errors_total", operation="load_session") == 1
    assert sample(text, "privacy_bot_store_up") == 0
    text = client.get("/metrics").text  # the scrape's own failure shows from the next scrape on
    assert sample(text, "privacy_bot_store_errors_total", operation="ticket_tallies") == 1


def test_token_guards_metrics_when_set(tmp_path: Path) -> None:
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), "PRIVACY_BOT_METRICS_TOKEN": "s3cret-token"})
    services = build_services(settings)
    with TestClient(create_app(services)) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401 and "privacy_bot" not in refused.text
        assert c.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert "privacy_bot_http_requests_total" in c.get(
            "/metrics", headers={"authorization": "Bearer s3cret-token"}).text
    services.close()


def test_decisions_are_buffered_then_stored(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    clock = [NOW]
    recorder = DecisionRecorder(store, clock=lambda: clock[0], flush_seconds=5, background=False)
    recorder.record("answer", "disclosure", 7, "en", "web")
    recorder.record("fallback", "support_billing", None, "ja", "slack")
    week = week_start(day_number(NOW))
    assert store.decision_counts(first_week=week, last_week=week) == {}  # not written per message
    clock[0] += 6
    recorder.record("answer", "disclosure", 7, "en", "web")
    assert store.decision_counts(first_week=week, last_week=week) == {
        DecisionTally(week, "answer", 7, "en", "web"): 2, DecisionTally(week, "out_of_scope", None, "ja", "slack"): 1}
    store.close()


def test_decisions_flush_in_the_background_never_on_the_message(tmp_path: Path) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    recorder = DecisionRecorder(store, flush_seconds=0.05)
    writes: list[object] = []
    real = store.add_decisions
    store.add_decisions = lambda counts: (writes.append(threading.current_thread().name), real(counts))[1]  # type: ignore[method-assign]
    recorder.record("answer", "disclosure", 7, "en", "web")
    deadline = time.monotonic() + 5
    while not writes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert writes and set(writes) == {"decision-counts"}  # written by the flusher thread, not the caller
    recorder.close()
    store.close()


def test_decisions_survive_a_store_outage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SQLiteStore.in_dir(tmp_path)
    recorder = DecisionRecorder(store, clock=lambda: NOW, flush_seconds=0, background=False)
    real = store.add_decisions

    def down(counts: object) -> None:
        raise StoreUnavailable("injected")

    monkeypatch.setattr(store, "add_decisions", down)
    recorder.record("clarify", None, 3, "en", "web")  # flush fails: kept
    monkeypatch.setattr(store, "add_decisions", real)
    recorder.flush()
    week = week_start(day_number(NOW))
    assert store.decision_counts(first_week=week, last_week=week) == {DecisionTally(week, "clarify", 3, "en", "web"): 1}
    store.close()


_WORKER = """
import sys
from bot.app import build_services
from bot.config import Settings
from bot.engine.messages import Message
import os
services = build_services(Settings.from_env(os.environ))
services.conversation.handle(Message(text="hello", session_id="worker-" + sys.argv[1], frontend="web"))
services.close()
"""

_SCRAPER = """
import os
from bot.app import build_services
from bot.config import Settings
services = build_services(Settings.from_env(os.environ))
print(services.metrics.exposition().decode())
services.close()
"""


def test_multiprocess_mode_adds_up_every_process(tmp_path: Path) -> None:
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = {**os.environ, "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    for n in (1, 2):
        subprocess.run([sys.executable, "-c", _WORKER, str(n)], env=env, check=True, cwd=REPO, timeout=120)
    out = subprocess.run([sys.executable, "-c", _SCRAPER], env=env, check=True, cwd=REPO, timeout=120,
                         capture_output=True, text=True).stdout
    assert sample(out, "privacy_bot_decisions_total", kind="smalltalk", frontend="web", lang="en") == 2
    assert sample(out, "privacy_bot_chat_seconds_count", frontend="web") == 2
    assert sample(out, "privacy_bot_store_up") == 1  # the store gauges are collected once, not per process
    assert len(list(multiproc.glob("*.db"))) >= 2


def test_multiproc_dir_must_exist(tmp_path: Path) -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR"):
        Settings.from_env({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "missing")})


def test_a_counting_stores_wrappers_are_made_once_and_call_the_store_as_it_is_then(tmp_path: Path) -> None:
    from bot.metrics import CountingStore
    from handoff.sqlite.store import SQLiteStore

    real = SQLiteStore.in_dir(tmp_path)
    try:
        metrics = Metrics()
        counting = CountingStore(real, metrics)  # type: ignore[arg-type]
        first = counting.load_session
        assert counting.load_session is first  # kept on the instance: no `__getattr__` any more
        assert first("nobody") is None

        def down(*args: object, **kwargs: object) -> None:
            raise StoreUnavailable("injected")

        real.load_session = down  # type: ignore[method-assign]  # patched after the wrapper was made
        with pytest.raises(StoreUnavailable):
            counting.load_session("nobody")
        assert sample(metrics.exposition().decode(), "privacy_bot_store_errors_total", operation="load_session") == 1
        assert counting.backend == "sqlite"  # plain attributes as they are
    finally:
        real.close()
