"""Schemathesis derives requests from the app's own OpenAPI spec and checks that none gets a 5xx.

Bounded in examples and time so it runs in the suite (issue #7); every operation of the public API is
exercised, with the store on a real SQLite file.
"""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis

from bot.app import build_services
from bot.config import Settings
from bot.web.app import create_app

_DATA = Path(tempfile.mkdtemp(prefix="privacy-bot-fuzz-"))


def _app():  # type: ignore[no-untyped-def]
    # Rate limits off: otherwise most generated requests would get 429 before reaching the code under test.
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(_DATA), "PRIVACY_BOT_RATE_IP": "0",
                                                 "PRIVACY_BOT_RATE_SESSION": "0"}))
    return create_app(services)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate()


# -- the staff and admin consoles, signed in (issue 11 point 6) --------------------------------------------------
# Their HTML routes are not in the public OpenAPI document, so the test describes them from the app's own routes:
# every path parameter (typed as the route declares it: strings, or integers for ids and version numbers) and,
# for POSTs, an urlencoded form with the fields the pages use. Each case runs signed in as an admin with the
# session's CSRF token, so requests get past sign-in and CSRF into the code under test.
import sys  # noqa: E402

from fastapi.routing import APIRoute  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))
from admin_testkit import add_accounts, sign_in_admin  # noqa: E402

from bot.staff.auth import SESSION_COOKIE  # noqa: E402

FORM_FIELDS = ("status", "ground", "note", "text", "reply", "version", "source", "base_version", "lang", "key",
               "intent", "phrasing", "assignee")
SKIPPED = {"/staff/login", "/admin/login", "/staff/logout", "/admin/logout"}  # keep the session signed in


def _consoles_schema(app):  # type: ignore[no-untyped-def]
    paths: dict[str, dict[str, object]] = {}
    routes = [inner for outer in app.routes  # included routers (FastAPI keeps them apart from the app's own routes)
              for inner in getattr(getattr(outer, "original_router", None), "routes", [outer])]
    for route in routes:
        if not isinstance(route, APIRoute) or not route.path.startswith(("/staff", "/admin")) or route.path in SKIPPED:
            continue
        # Integer ids get an explicit example beyond signed 64 bits (it once was an OverflowError on SQLite).
        parameters = [{"name": p.name, "in": "path", "required": True,
                       "schema": {"type": "integer", "examples": [2**63, -1]} if p.field_info.annotation is int
                       else {"type": "string"}}
                      for p in route.dependant.path_params]
        for method in route.methods:
            operation: dict[str, object] = {"parameters": parameters,
                                            "responses": {"default": {"description": "any page"}}}
            if method == "POST":
                operation["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {f: {"type": "string", "maxLength": 300}
                                                                for f in FORM_FIELDS}}}}}
            paths.setdefault(route.path, {})[method.lower()] = operation
    return {"openapi": "3.0.3", "info": {"title": "consoles", "version": "1"}, "paths": paths}


def _consoles():  # type: ignore[no-untyped-def]
    data = Path(tempfile.mkdtemp(prefix="privacy-bot-fuzz-consoles-"))
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(data), "PRIVACY_BOT_RATE_IP": "0",
                                                 "PRIVACY_BOT_RATE_SESSION": "0"}))
    add_accounts(services.store)
    app = create_app(services)
    client = TestClient(app)
    csrf = sign_in_admin(client)
    return app, client.cookies[SESSION_COOKIE], csrf


_CONSOLE_APP, _SESSION, _CSRF = _consoles()
consoles = schemathesis.openapi.from_dict(_consoles_schema(_CONSOLE_APP))
consoles.app = _CONSOLE_APP


@consoles.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_consoles_signed_in_give_no_server_errors(case: schemathesis.Case) -> None:
    if isinstance(case.body, dict):
        case.body["csrf"] = _CSRF
    response = case.call(cookies={SESSION_COOKIE: _SESSION}, allow_redirects=False)
    assert response.status_code < 500 or response.status_code == 503, (
        f"{case.method} {case.formatted_path}: {response.status_code}")
    assert response.status_code != 401, "the fuzzed request was not signed in"
