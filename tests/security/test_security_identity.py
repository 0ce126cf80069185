"""Issue 11 point 2: a ticket is shown by reference + email only for exactly one address equal to the ticket's,
and look-ups by email are limited per reference (all addresses together) and per client, the same way for
existing and missing references. The requester's own chat is never limited."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import Services, build_services
from bot.config import Settings
from bot.web.app import create_app

OPENER = "My address in your records is wrong, please correct it."
FORM = ["yes", "Jane Doe", "jane@example.com", "self", "my address says Tokyo", "Osaka", "confirm"]
MISSING = "PRQ-2026-009999"


def _services(tmp_path: Path, **env: str) -> Services:
    return build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), **env}))


@pytest.fixture()
def web(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    services = _services(tmp_path, PRIVACY_BOT_TRUST_PROXY="1")
    client = TestClient(create_app(services))
    yield (client, *_file(client))
    services.close()


def _file(client: TestClient) -> tuple[str, str]:
    """(session, reference) of a ticket filed through the web chat."""
    session = client.post("/api/chat", json={"text": OPENER}).json()["session_id"]
    data: dict[str, Any] = {}
    for answer in FORM:
        data = client.post("/api/chat", json={"session_id": session, "text": answer}).json()
    return session, data["ticket"]["reference"]


def _status(client: TestClient, text: str, ip: str = "198.51.100.7") -> str:
    reply = client.post("/api/chat", json={"text": text}, headers={"x-forwarded-for": ip}).json()
    return str(reply["text"])


def _copy(client: TestClient, reference: str, email: str, ip: str = "198.51.100.7") -> Any:
    return client.post("/api/tickets/copy", json={"session_id": "someone-else-1", "reference": reference,
                                                  "email": email}, headers={"x-forwarded-for": ip})


def test_only_exactly_one_matching_address_opens_a_ticket(web: tuple[TestClient, str, str]) -> None:
    client, _, reference = web
    several = " ".join(f"guess{i}@example.com" for i in range(3)) + " jane@example.com"
    assert reference not in _status(client, f"status {reference} {several}", ip="198.51.100.1")
    assert _copy(client, reference, "jane@example.com, x@example.com", ip="198.51.100.2").status_code == 404
    assert _copy(client, reference, "jane@example.com x@example.com", ip="198.51.100.3").status_code == 404
    # Exactly the ticket's address, in another case or in full-width forms, works.
    assert reference in _status(client, f"status {reference} JANE@Example.com", ip="198.51.100.4")
    assert _copy(client, reference, "ｊａｎｅ@example.com", ip="198.51.100.5").status_code == 200


def test_wrong_tries_are_limited_per_reference_across_addresses(web: tuple[TestClient, str, str]) -> None:
    client, session, reference = web
    missing_before = _status(client, f"status {MISSING} jane@example.com", ip="203.0.113.99")
    for i in range(5):  # five addresses from five clients: the reference's hourly tries are used up
        assert reference not in _status(client, f"status {reference} guess{i}@example.com", ip=f"203.0.113.{i}")
    # Now even the right address is refused, with the very answer a missing reference gets.
    refused = _status(client, f"status {reference} jane@example.com", ip="203.0.113.50")
    assert reference not in refused
    assert refused.replace(reference, MISSING) == missing_before
    assert _copy(client, reference, "jane@example.com", ip="203.0.113.51").status_code == 404
    # The requester's own chat is not a look-up by email: never limited.
    own = client.post("/api/chat", json={"session_id": session, "text": f"status {reference}"}).json()
    assert reference in own["text"]
    assert _copy(client, reference, "", ip="203.0.113.52").status_code == 404
    assert client.post("/api/tickets/copy", json={"session_id": session, "reference": reference}).status_code == 200


def test_missing_and_existing_references_answer_alike_and_both_use_up_tries(tmp_path: Path) -> None:
    services = _services(tmp_path, PRIVACY_BOT_TRUST_PROXY="1", PRIVACY_BOT_RATE_LOOKUP="2")
    client = TestClient(create_app(services))
    _, reference = _file(client)
    for ip, target in (("192.0.2.1", MISSING), ("192.0.2.2", reference)):
        first = [_copy(client, target, "wrong@example.com", ip=ip) for _ in range(2)]
        assert [r.status_code for r in first] == [404, 404]
        assert first[0].json() == {"detail": "No request with that reference for you.", "errors": []}
    assert _copy(client, reference, "jane@example.com", ip="192.0.2.3").status_code == 404  # used up
    # Tries on the missing reference were counted too (its bucket exists whether or not the ticket does).
    keys = services.store._conn().execute("SELECT COUNT(*) FROM rate_buckets WHERE key LIKE 'lookup-ref:%'")
    assert keys.fetchone()[0] == 2
    services.close()


def test_wrong_tries_are_limited_per_client(tmp_path: Path) -> None:
    services = _services(tmp_path, PRIVACY_BOT_TRUST_PROXY="1", PRIVACY_BOT_RATE_LOOKUP_IP="3")
    client = TestClient(create_app(services))
    _, reference = _file(client)
    for number in range(3):  # three references from one address
        _status(client, f"status PRQ-2026-00{number + 5000} jane@example.com", ip="192.0.2.10")
    assert reference not in _status(client, f"status {reference} jane@example.com", ip="192.0.2.10")
    assert reference in _status(client, f"status {reference} jane@example.com", ip="192.0.2.11")
    services.close()
