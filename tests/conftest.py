"""Shared fixtures: real components (catalog, matcher, renderer, SQLite store) on temporary files."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.conversation import Conversation
from handoff.sqlite_store import SQLiteStore
from intents.catalog import Catalog, load_catalog
from intents.matcher import Matcher
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def matcher(catalog: Catalog) -> Matcher:
    return Matcher(catalog)


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(env=make_environment(), policies=load_policies())


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore.in_dir(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture()
def conversation(matcher: Matcher, renderer: Renderer, store: SQLiteStore) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=store)


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")})
    s = build_services(settings)
    yield s
    s.close()


from slack_mock import SlackMock  # noqa: E402  (tests/ is on sys.path: pytest inserts this conftest's directory)


@pytest.fixture()
def slack_api() -> Iterator[SlackMock]:
    """A running local mock of Slack's Web API (see tests/slack_mock.py): `.url` ends in `/api/`, `.calls(method)`
    lists what it received, `.fail(...)`/`.recover()`/`.set_latency(...)` change its behaviour. Clients must use
    the token `SlackMock.TOKEN`."""
    mock = SlackMock().start()
    try:
        yield mock
    finally:
        mock.stop()
