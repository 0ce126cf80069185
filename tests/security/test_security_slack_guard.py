"""Issue 11 point 4: every Slack request that fails verification gets 401 and one log line, whatever its body or
timestamp; the guard runs before Bolt parses anything. Signed requests still reach Bolt."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import build_services
from bot.config import Settings
from bot.web.app import create_app

SECRET = "guard-test-signing-secret"
UGLY_BODIES = [b"{", b"not json", b"[]", b"null", b"\xff\xfe\xfa", b"payload=", b"payload=%7B",
               b"payload=not-json", b"payload=%FF%FE", b""]


def _signature(body: bytes, ts: str, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()


@pytest.fixture()
def client(tmp_path: Path, slack_api: Any) -> Iterator[TestClient]:
    from slack_mock import SlackMock

    services = build_services(Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_api.url}))
    yield TestClient(create_app(services), raise_server_exceptions=False)
    services.close()


def _post(client: TestClient, body: bytes, headers: dict[str, str]) -> Any:
    return client.post("/slack/events", content=body, headers=headers)


def _refused_once(caplog: pytest.LogCaptureFixture, response: Any) -> None:
    assert response.status_code == 401, (response.status_code, response.text)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1 and records[0].getMessage().startswith("Slack request refused (401)"), \
        [r.getMessage() for r in records]
    assert records[0].exc_info is None and "\n" not in records[0].getMessage()
    caplog.clear()


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_unsigned_ugly_bodies_get_401_and_one_log_line(client: TestClient, caplog: pytest.LogCaptureFixture,
                                                       content_type: str) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    now = str(int(time.time()))
    for body in UGLY_BODIES:
        for signature in (None, "v0=" + "0" * 64, _signature(body, now, secret="another-secret")):
            headers = {"content-type": content_type, "x-slack-request-timestamp": now}
            if signature:
                headers["x-slack-signature"] = signature
            _refused_once(caplog, _post(client, body, headers))


def test_bad_timestamps_get_401_and_one_log_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    stale = str(int(time.time()) - 3600)
    for ts in ("abc", "1e3", "", " ", "-5", "+5", "0x10", "9" * 40, stale):
        headers = {"content-type": "application/json", "x-slack-signature": _signature(body, ts)}
        if ts:
            headers["x-slack-request-timestamp"] = ts
        _refused_once(caplog, _post(client, body, headers))
    _refused_once(caplog, _post(client, body, {"content-type": "application/json"}))


def test_signed_requests_still_reach_bolt(client: TestClient) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "guard-challenge"}).encode()
    now = str(int(time.time()))
    response = _post(client, body, {"content-type": "application/json", "x-slack-request-timestamp": now,
                                    "x-slack-signature": _signature(body, now)})
    assert response.status_code == 200 and "guard-challenge" in response.text
    for ugly in (b"{", b"\xff\xfe", b"payload=%7B"):  # signed with the real secret: never a 500
        signed = _post(client, ugly, {"content-type": "application/json", "x-slack-request-timestamp": now,
                                      "x-slack-signature": _signature(ugly, now)})
        assert signed.status_code in (400, 401, 404), (ugly, signed.status_code)
