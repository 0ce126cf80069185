"""No message text, names, emails or reference numbers in the logs unless LOG_PII=1 (issue #7 point 6).

The whole path runs with logging configured as `privacy-bot serve` configures it, at DEBUG, through the web
API: questions, a full request with contact details, a status lookup, staff notification by log, a store
outage and an unexpected error."""
from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import Services, build_services, configure_logging
from bot.config import Settings
from bot.web.app import create_app

NAME, EMAIL, SECRET_TEXT = "Hanako Yamada", "hanako.yamada@example.jp", "my cat is called Mochi"


@pytest.fixture()
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _session(tmp_path: Path, stream: io.StringIO, log_pii: str) -> tuple[Services, TestClient]:
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "DEBUG",
                                  "LOG_PII": log_pii})
    configure_logging(settings, stream)
    services = build_services(settings)
    return services, TestClient(create_app(services), raise_server_exceptions=False)


def _chat(client: TestClient, text: str, session: str | None = None) -> dict[str, Any]:
    body = {"text": text, **({"session_id": session} if session else {})}
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _run_everything(services: Services, client: TestClient) -> str:
    session = _chat(client, f"{SECRET_TEXT}. Also, what are cookies used for?")["session_id"]
    _chat(client, "Please delete all my data", session)
    for answer in ["yes", NAME, EMAIL, "self", "delete", "4", f"everything, {SECRET_TEXT}"]:
        _chat(client, answer, session)
    reference = _chat(client, "confirm", session)["ticket"]["reference"]
    _chat(client, f"status {reference} {EMAIL}", "another-session-1")
    services.dispatcher.run_once()  # no Slack here: the log notifier announces the ticket
    original = services.store.load_session

    def broken(session_id: str) -> Any:
        raise RuntimeError(f"boom while loading {session_id} for {EMAIL} about {reference}")

    original_turn = services.store.begin_turn

    def broken_turn(session_id: str, *args: Any, **kwargs: Any) -> Any:
        broken(session_id)

    # A chat turn reads its session through `begin_turn` (one store call) or `load_session`: both fail here.
    services.store.load_session = broken  # type: ignore[method-assign]
    services.store.begin_turn = broken_turn  # type: ignore[method-assign]
    try:
        assert client.post("/api/chat", json={"text": SECRET_TEXT, "session_id": session}).status_code == 500
    finally:
        services.store.load_session = original  # type: ignore[method-assign]
        services.store.begin_turn = original_turn  # type: ignore[method-assign]
    return reference


def test_logs_carry_no_personal_data_by_default(tmp_path: Path, captured: io.StringIO) -> None:
    services, client = _session(tmp_path, captured, "0")
    try:
        reference = _run_everything(services, client)
    finally:
        services.close()
    logs = captured.getvalue()
    assert "handoff.notify" in logs and "Traceback" in logs  # the staff alert and the error did log
    # The staff log alert keeps the reference and the link (issue 16: they are not personal data, and staff need
    # them); everywhere else a reference is redacted like personal data.
    [alert] = [line for line in logs.splitlines() if "handoff.notify" in line]
    assert reference in alert and f"/staff/tickets/{reference}" in alert
    others = "\n".join(line for line in logs.splitlines() if line != alert)
    for secret in (NAME, EMAIL, "Mochi", reference, "delete all my data", "cookies used for"):
        assert secret not in others, secret
        assert secret == reference or secret not in alert, secret
    assert "[reference]" in logs and "[email]" in logs


def test_log_pii_1_lets_them_through(tmp_path: Path, captured: io.StringIO) -> None:
    services, client = _session(tmp_path, captured, "1")
    try:
        reference = _run_everything(services, client)
    finally:
        services.close()
    logs = captured.getvalue()
    assert reference in logs and EMAIL in logs
