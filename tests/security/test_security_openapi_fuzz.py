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
