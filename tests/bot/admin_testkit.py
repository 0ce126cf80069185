"""Helpers for the admin tests: real services on a temporary SQLite store with an admin and a staff account."""
from __future__ import annotations

import re
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import Services, build_services
from bot.config import Settings
from handoff.accounts import UserAccount, hash_password
from handoff.store import Store

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
#: A lower scrypt cost than production keeps the many sign-ins fast (the cost is stored in the hash).
FAST_HASH = hash_password(PASSWORD, n=2**10)


def add_accounts(store: Store) -> None:
    for name, role in (("root", "admin"), ("alice", "staff")):
        store.add_user(UserAccount(name, FAST_HASH, role, time.time()))


def admin_services(data_dir: Path, **env: str) -> Services:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(data_dir), **env}))
    add_accounts(services.store)
    return services


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found[1]


def sign_in_admin(client: TestClient, username: str = "root", password: str = PASSWORD) -> str:
    """Sign in on /admin/login; returns the session's CSRF token (from the template list page)."""
    token = csrf_of(client.get("/admin/login").text)
    response = client.post("/admin/login", data={"csrf": token, "username": username, "password": password,
                                                 "next": "/admin"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/admin").text)


def sign_in_staff(client: TestClient, username: str = "alice") -> str:
    token = csrf_of(client.get("/staff/login").text)
    response = client.post("/staff/login", data={"csrf": token, "username": username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/staff").text)
