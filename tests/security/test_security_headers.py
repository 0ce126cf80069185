"""Issue 11 point 9: the security headers are on every response, errors included (413, 404, 405, 422, 429, 500);
`Cache-Control: no-store` on everything under /api/; HSTS when served over HTTPS, never over plain HTTP."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typing import Any

from bot.app import build_services
from bot.config import Settings
from bot.web.app import SECURITY_HEADERS, create_app


@pytest.fixture()
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"),
                                                 "PRIVACY_BOT_MAX_BODY_BYTES": "2048", "PRIVACY_BOT_RATE_IP": "1",
                                                 "PRIVACY_BOT_RATE_IP_BURST": "3"}))
    web = create_app(services)

    def boom() -> None:
        raise RuntimeError("an unexpected failure")

    web.add_api_route("/api/boom", boom, methods=["GET"])
    web.add_api_route("/boom", boom, methods=["GET"])
    yield web
    services.close()


def _has_security_headers(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{response.status_code} {response.request.url}: no {name}"


def test_error_responses_carry_the_security_headers(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, raise_server_exceptions=False)
    responses = [
        client.post("/api/chat", content=b'{"text": "' + b"x" * 4000 + b'"}',
                    headers={"content-type": "application/json"}),  # 413
        client.get("/boom"), client.get("/api/boom"),  # 500
        client.get("/no-such-page"), client.get("/static/nothing.js"),  # 404
        client.get("/api/chat"),  # 405
        client.post("/api/chat", json={"text": 5}),  # 422
    ]
    responses += [client.post("/api/chat", json={"text": "hello"}) for _ in range(4)]  # the last is 429
    assert [r.status_code for r in responses[:7]] == [413, 500, 500, 404, 404, 405, 422]
    assert responses[-1].status_code == 429
    for response in responses:
        _has_security_headers(response)


def test_api_answers_are_never_cached(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, raise_server_exceptions=False)
    chat = client.post("/api/chat", json={"text": "what are cookies used for?"})
    resume = client.post("/api/resume", json={"session_id": chat.json()["session_id"]})
    invalid = client.post("/api/chat", json={})
    large = client.post("/api/chat", content=b"x" * 4096, headers={"content-type": "application/json"})
    for response, status in ((chat, 200), (resume, 200), (invalid, 422), (large, 413), (client.get("/api/boom"), 500)):
        assert response.status_code == status
        assert response.headers["cache-control"] == "no-store", response.request.url
    assert "no-store" not in client.get("/static/chat.js").headers.get("cache-control", "")


def test_hsts_only_over_https(app) -> None:  # type: ignore[no-untyped-def]
    secure = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    for response in (secure.get("/"), secure.get("/healthz"), secure.get("/boom"),
                     secure.post("/api/chat", content=b"x" * 4096, headers={"content-type": "application/json"})):
        assert response.headers["strict-transport-security"].startswith("max-age="), response.request.url
    plain = TestClient(app, raise_server_exceptions=False)
    assert "strict-transport-security" not in plain.get("/").headers
