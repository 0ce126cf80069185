"""Rate limits on the web API and on staff/admin sign-in (issue #7 point 1), through the real app on real stores.

The limiter's clock is injected (`Services.rate_limiter`), so refill is tested without waiting; the buckets live in
the store, so two app instances over one SQLite file or one redis-server count together."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest
from admin_testkit import PASSWORD, add_accounts, csrf_of
from fastapi.testclient import TestClient
from starlette.requests import Request

from handoff import session_log
from bot.app import Services, build_services
from bot.config import SETTINGS_DOC, ConfigError, Settings
from bot.engine.messages import Message, Reply
from bot.ratelimit import RateLimiter, bucket_key, client_ip
from bot.staff.auth import SESSION_COOKIE
from bot.web.app import create_app
from handoff.accounts import verify_password
from handoff.store import TurnStart

T0 = 1_800_000_000.0
QUESTION = "what are cookies used for?"
OTHER_IP = ("203.0.113.9", 50000)


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_services(data_dir: Path, clock: Clock | None = None, **env: str) -> Services:
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(data_dir), **env})
    services = build_services(settings)
    if clock is not None:
        services.rate_limiter = RateLimiter(services.store, settings, clock=clock)
    return services


@pytest.fixture()
def opened() -> Iterator[list[Services]]:
    """Services a test builds; closed afterwards."""
    built: list[Services] = []
    yield built
    for services in built:
        services.close()


def chat(client: TestClient, session: str | None, text: str = QUESTION) -> Any:
    body = {"text": text, **({"session_id": session} if session else {})}
    return client.post("/api/chat", json=body)


def spy_on_core(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the conversation core is asked to handle from now on (it still handles them)."""
    handled: list[str] = []
    handle = services.conversation.handle

    def spy(message: Message, start: TurnStart | None = None) -> Reply:
        handled.append(message.text)
        return handle(message, start)

    monkeypatch.setattr(services.conversation, "handle", spy)
    return handled


def user_turns(services: Services, session: str) -> list[str]:
    state = services.store.load_session(session) or {}
    return [t["text"] for t in session_log.recent(services.store, session, state) if t["role"] == "user"]


# -- the web API --------------------------------------------------------------------------------------------

def test_a_session_over_its_limit_gets_429_and_nothing_is_processed(tmp_path: Path, opened: list[Services],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    services = make_services(tmp_path, clock, PRIVACY_BOT_RATE_SESSION="6", PRIVACY_BOT_RATE_SESSION_BURST="3")
    opened.append(services)
    handled = spy_on_core(services, monkeypatch)
    client = TestClient(create_app(services))

    assert [chat(client, "session-aaaa", f"cookies {n}?").status_code for n in range(3)] == [200, 200, 200]
    refused = chat(client, "session-aaaa", "send me all my data")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "10"  # 6 a minute: one token every 10 s
    assert refused.json() == {"detail": "Too many messages: you're sending messages faster than I can answer. "
                                        "Please wait 10 seconds and try again.", "errors": []}
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["x-content-type-options"] == "nosniff"
    # The refused message was neither handled nor stored.
    assert handled == ["cookies 0?", "cookies 1?", "cookies 2?"]
    assert user_turns(services, "session-aaaa") == handled
    # Another session is not affected.
    assert chat(client, "session-bbbb").status_code == 200
    # Refill: half the wait is not enough (and says how long is left), the whole wait is.
    clock.now += 5
    assert chat(client, "session-aaaa").headers["retry-after"] == "5"
    clock.now += 5
    assert chat(client, "session-aaaa", "cookies again?").status_code == 200
    assert chat(client, "session-aaaa").status_code == 429
    assert user_turns(services, "session-aaaa")[-1] == "cookies again?"


def test_the_ip_limit_counts_every_session_and_new_conversations(tmp_path: Path, opened: list[Services]) -> None:
    services = make_services(tmp_path, Clock(), PRIVACY_BOT_RATE_IP="60", PRIVACY_BOT_RATE_IP_BURST="4")
    opened.append(services)
    app = create_app(services)
    client = TestClient(app)
    statuses = [chat(client, f"session-{n:04d}").status_code for n in range(3)] + [chat(client, None).status_code]
    assert statuses == [200, 200, 200, 200]
    refused = chat(client, None)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    assert chat(client, "session-fresh1").status_code == 429
    # Another address has its own bucket.
    assert chat(TestClient(app, client=OTHER_IP), None).status_code == 200


def test_resume_and_ticket_copy_are_limited_like_chat(tmp_path: Path, opened: list[Services]) -> None:
    services = make_services(tmp_path, Clock(), PRIVACY_BOT_RATE_SESSION="6", PRIVACY_BOT_RATE_SESSION_BURST="2")
    opened.append(services)
    client = TestClient(create_app(services))
    assert client.post("/api/resume", json={"session_id": "session-aaaa"}).status_code == 200
    copy = {"session_id": "session-aaaa", "reference": "PRQ-2026-000001"}
    assert client.post("/api/tickets/copy", json=copy).status_code == 404
    for refused in (client.post("/api/resume", json={"session_id": "session-aaaa"}),
                    client.post("/api/tickets/copy", json=copy), chat(client, "session-aaaa")):
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert set(refused.json()) == {"detail", "errors"}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_two_app_instances_on_one_store_share_the_buckets(backend: str, tmp_path: Path, opened: list[Services],
                                                         request: pytest.FixtureRequest) -> None:
    env = {"PRIVACY_BOT_RATE_SESSION": "60", "PRIVACY_BOT_RATE_SESSION_BURST": "2", "PRIVACY_BOT_RATE_IP": "60",
           "PRIVACY_BOT_RATE_IP_BURST": "4"}
    if backend == "redis":
        env.update(REDIS_URL=request.getfixturevalue("redis_server").url, REDIS_KEY_PREFIX="rate-test")
    clock = Clock()
    # Two workers: separate services and store connections (the same SQLite file, or the same Redis).
    a, b = (make_services(tmp_path / "data", clock, **env) for _ in range(2))
    opened.extend([a, b])
    assert a.store is not b.store
    one, two = TestClient(create_app(a)), TestClient(create_app(b))
    assert chat(one, "session-shared").status_code == 200
    assert chat(two, "session-shared").status_code == 200
    assert chat(one, "session-shared").status_code == 429  # the session's 2 were spent across both workers
    assert chat(two, "session-other1").status_code == 200  # the 4th request from this address ...
    refused = chat(one, "session-other2")  # ... and the 5th is over the address's limit on either worker
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    assert chat(two, "session-other3").status_code == 429


@pytest.mark.redis
def test_chat_fails_open_when_the_store_is_down(tmp_path: Path, opened: list[Services],
                                               caplog: pytest.LogCaptureFixture, redis_server: Any) -> None:
    services = make_services(tmp_path, None, REDIS_URL=redis_server.url, REDIS_KEY_PREFIX="rate-test",
                             PRIVACY_BOT_RATE_SESSION="6", PRIVACY_BOT_RATE_SESSION_BURST="1")
    opened.append(services)
    client = TestClient(create_app(services), client=("198.51.100.23", 50000))
    assert chat(client, "session-secret-42").status_code == 200
    assert chat(client, "session-secret-42").status_code == 429
    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="bot.ratelimit")
    answered = chat(client, "session-secret-42", "what are cookies used for? my email is hanako@example.com")
    assert answered.status_code == 200 and answered.json()["article"] == 12  # still answered (Article 12: cookies)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.ratelimit"]
    assert warnings and "store unavailable" in warnings[0]
    for secret in ("198.51.100.23", "session-secret-42", "hanako", "cookies"):
        assert all(secret not in w for w in warnings)
    assert chat(client, "session-secret-42").status_code == 200  # checks paused: no wait on a dead store


def test_limits_can_be_turned_off(tmp_path: Path, opened: list[Services]) -> None:
    services = make_services(tmp_path, Clock(), PRIVACY_BOT_RATE_SESSION="0", PRIVACY_BOT_RATE_IP="0",
                             PRIVACY_BOT_RATE_SESSION_BURST="1", PRIVACY_BOT_RATE_IP_BURST="1")
    opened.append(services)
    client = TestClient(create_app(services))
    assert {chat(client, "session-aaaa", "hi").status_code for _ in range(25)} == {200}
    # The same traffic with the session limit on (burst 1) is refused from the second message.
    limited = make_services(tmp_path / "on", Clock(), PRIVACY_BOT_RATE_SESSION="6", PRIVACY_BOT_RATE_IP="0",
                            PRIVACY_BOT_RATE_SESSION_BURST="1")
    opened.append(limited)
    client = TestClient(create_app(limited))
    assert [chat(client, "session-aaaa", "hi").status_code for _ in range(3)] == [200, 429, 429]


def test_the_openapi_spec_documents_429_with_retry_after(tmp_path: Path, opened: list[Services]) -> None:
    services = make_services(tmp_path)
    opened.append(services)
    spec = TestClient(create_app(services)).get("/openapi.json").json()
    for path in ("/api/chat", "/api/resume", "/api/tickets/copy"):
        documented = spec["paths"][path]["post"]["responses"]["429"]
        assert documented["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert documented["headers"]["Retry-After"]["schema"]["type"] == "integer"


# -- the client address -------------------------------------------------------------------------------------

def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 1234)})


def test_client_ip_ignores_x_forwarded_for_unless_told_how_many_proxies_add_it() -> None:
    assert client_ip(_request("192.0.2.1", "203.0.113.5"), 0) == "192.0.2.1"  # anyone can send the header
    assert client_ip(_request("10.0.0.2", "203.0.113.5"), 1) == "203.0.113.5"
    # A client's own header is kept by the proxy, which appends the address it saw: only that one is trusted.
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 2.2.2.2", "203.0.113.5"), 1) == "203.0.113.5"
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.1"), 2) == "203.0.113.5"
    assert client_ip(_request("10.0.0.2"), 1) == "10.0.0.2"  # no header: the peer


def test_spoofed_forwarded_for_does_not_escape_the_ip_limit(tmp_path: Path, opened: list[Services]) -> None:
    services = make_services(tmp_path, Clock(), PRIVACY_BOT_RATE_IP="60", PRIVACY_BOT_RATE_IP_BURST="2")
    opened.append(services)
    client = TestClient(create_app(services))
    statuses = [client.post("/api/chat", json={"text": "hi"}, headers={"x-forwarded-for": f"198.51.100.{n}"})
                .status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    behind_proxy = make_services(tmp_path / "proxied", Clock(), PRIVACY_BOT_RATE_IP="60",
                                 PRIVACY_BOT_RATE_IP_BURST="2", PRIVACY_BOT_TRUST_PROXY="1")
    opened.append(behind_proxy)
    proxied = TestClient(create_app(behind_proxy))
    spoof = [proxied.post("/api/chat", json={"text": "hi"}, headers={"x-forwarded-for": f"10.9.9.{n}, 198.51.100.1"})
             .status_code for n in range(3)]
    assert spoof == [200, 200, 429]
    assert proxied.post("/api/chat", json={"text": "hi"},
                        headers={"x-forwarded-for": "198.51.100.2"}).status_code == 200


def test_bucket_keys_hold_no_personal_data(tmp_path: Path, opened: list[Services]) -> None:
    key = bucket_key("login-user", "alice\x00198.51.100.7", salt="privacy-bot")
    assert key.startswith("login-user:") and "alice" not in key and "198.51" not in key
    assert key != bucket_key("login-user", "alice\x00198.51.100.7", salt="other-deployment")
    services = make_services(tmp_path, Clock(), PRIVACY_BOT_RATE_SESSION_BURST="5")
    opened.append(services)
    chat(TestClient(create_app(services), client=("198.51.100.7", 1)), "session-secret-99")
    path = services.store.path  # type: ignore[attr-defined]
    keys = [row[0] for row in sqlite3.connect(path).execute("SELECT key FROM rate_buckets")]
    assert sorted(k.split(":")[0] for k in keys) == ["chat-ip", "chat-session"]
    assert not any("198.51" in k or "secret" in k for k in keys)


# -- settings -----------------------------------------------------------------------------------------------

def test_rate_settings_defaults_are_the_documented_ones() -> None:
    s = Settings.from_env({})
    documented = {key: default for key, default, _ in SETTINGS_DOC}
    for key, value in (("PRIVACY_BOT_RATE_SESSION", s.rate_session),
                       ("PRIVACY_BOT_RATE_SESSION_BURST", s.rate_session_burst), ("PRIVACY_BOT_RATE_IP", s.rate_ip),
                       ("PRIVACY_BOT_RATE_IP_BURST", s.rate_ip_burst), ("PRIVACY_BOT_RATE_LOGIN", s.rate_login),
                       ("PRIVACY_BOT_RATE_LOGIN_IP", s.rate_login_ip), ("PRIVACY_BOT_TRUST_PROXY", s.trust_proxy)):
        assert int(documented[key]) == value, key
    assert (s.rate_session, s.rate_ip, s.rate_login, s.trust_proxy) == (30, 120, 10, 0)


@pytest.mark.parametrize(("key", "value"), [
    ("PRIVACY_BOT_RATE_SESSION", "lots"), ("PRIVACY_BOT_RATE_SESSION", "-1"), ("PRIVACY_BOT_RATE_SESSION", "2.5"),
    ("PRIVACY_BOT_RATE_SESSION", "1000000"), ("PRIVACY_BOT_RATE_SESSION_BURST", "0"),
    ("PRIVACY_BOT_RATE_IP", "-5"), ("PRIVACY_BOT_RATE_IP_BURST", "none"), ("PRIVACY_BOT_RATE_LOGIN", "-1"),
    ("PRIVACY_BOT_RATE_LOGIN", "20000"), ("PRIVACY_BOT_RATE_LOGIN_IP", "x"), ("PRIVACY_BOT_TRUST_PROXY", "yes"),
    ("PRIVACY_BOT_TRUST_PROXY", "11"), ("PRIVACY_BOT_TRUST_PROXY", "-1"),
])
def test_bad_rate_settings_name_the_variable(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        Settings.from_env({key: value})


# -- staff and admin sign-in ----------------------------------------------------------------------------------

LOGIN_ENV = {"PRIVACY_BOT_RATE_LOGIN": "3", "PRIVACY_BOT_RATE_LOGIN_IP": "5"}


@pytest.fixture()
def login_app(tmp_path: Path, opened: list[Services]) -> Any:
    services = make_services(tmp_path, Clock(), **LOGIN_ENV)
    add_accounts(services.store)  # root (admin) and alice (staff), password PASSWORD
    opened.append(services)
    return create_app(services)


@pytest.fixture()
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the sign-in code checks (the real check still runs)."""
    checked: list[str] = []

    def spy(password: str, stored: str) -> bool:
        checked.append(password)
        return verify_password(password, stored)

    monkeypatch.setattr("bot.staff.auth.verify_password", spy)
    return checked


def attempt(client: TestClient, username: str, password: str, where: str = "/staff") -> Any:
    token = csrf_of(client.get(f"{where}/login").text)
    return client.post(f"{where}/login", data={"csrf": token, "username": username, "password": password},
                       follow_redirects=False)


def test_staff_sign_in_is_limited_per_username_and_address(login_app: Any, password_checks: list[str]) -> None:
    client = TestClient(login_app)
    for n in range(3):
        wrong = attempt(client, "alice", f"guess number {n}")
        assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    assert len(password_checks) == 3
    limited = attempt(client, "alice", PASSWORD)  # the right password, too late
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "300"  # 3 per 15 minutes: one every 5 minutes
    assert "Too many sign-in attempts" in limited.text and "5 minutes" in limited.text
    assert len(password_checks) == 3  # the password was not even looked at
    assert SESSION_COOKIE not in limited.cookies and SESSION_COOKIE not in client.cookies
    # Another username from the same address, and the same username from another address, still sign in ...
    assert attempt(TestClient(login_app), "root", PASSWORD).status_code == 303
    assert attempt(TestClient(login_app, client=OTHER_IP), "alice", PASSWORD).status_code == 303
    # ... and those successes reset nobody's bucket.
    assert attempt(client, "alice", PASSWORD).status_code == 429


def test_sign_in_is_limited_per_address_across_usernames(login_app: Any, password_checks: list[str]) -> None:
    client = TestClient(login_app)
    for name in ("amy", "ben", "cat", "dan", "eve"):
        assert attempt(client, name, "hunter2 hunter2").status_code == 401
    checked = len(password_checks)
    limited = attempt(client, "root", PASSWORD)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "180"  # 5 per 15 minutes
    assert len(password_checks) == checked
    assert attempt(TestClient(login_app, client=OTHER_IP), "root", PASSWORD).status_code == 303


def test_admin_sign_in_is_limited_and_shares_the_staff_buckets(login_app: Any, password_checks: list[str]) -> None:
    client = TestClient(login_app)
    for n in range(3):
        wrong = attempt(client, "root", f"guess number {n}", "/admin")
        assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    limited = attempt(client, "root", PASSWORD, "/admin")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "300"
    assert "Too many sign-in attempts" in limited.text
    # The staff form checks the same accounts, so it is no way around the limit.
    assert attempt(client, "root", PASSWORD, "/staff").status_code == 429
    assert len(password_checks) == 3
    other = TestClient(login_app, client=OTHER_IP)
    assert attempt(other, "root", PASSWORD, "/admin").status_code == 303
    assert other.get("/admin", follow_redirects=False).status_code == 200
