"""Issue 11 point 6: integers in paths that no store can hold (beyond signed 64 bits) are "not found" on both
stores and 404 on the admin pages, never an OverflowError (500) or a Redis error (503)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import build_services
from bot.config import Settings
from bot.web.app import create_app
from handoff.store import PhrasingNotFound, Store, TemplateVersionNotFound

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))  # admin_testkit, also when run alone
from admin_testkit import add_accounts, sign_in_admin  # noqa: E402

HUGE = [2**63, 2**63 - 1, 2**64 + 1, 10**30, -(2**63) - 1]


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data")}
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_server").url
        env["REDIS_KEY_PREFIX"] = f"pp{tmp_path.name[-8:].replace('_', '')}"
    return env


@pytest.fixture()
def store(env: dict[str, str]) -> Iterator[Store]:
    services = build_services(Settings.from_env(env))
    yield services.store
    services.close()


def test_stores_say_not_found_for_unstorable_numbers(store: Store) -> None:
    for number in HUGE:
        with pytest.raises(TemplateVersionNotFound):
            store.get_template_version("fallback", "en", number)
        with pytest.raises(PhrasingNotFound):
            store.remove_phrasing(number)


def test_admin_pages_answer_404_for_huge_path_integers(env: dict[str, str]) -> None:
    services = build_services(Settings.from_env(env))
    add_accounts(services.store)
    client = TestClient(create_app(services), raise_server_exceptions=False)
    csrf = sign_in_admin(client)
    for number in HUGE:
        page = client.get(f"/admin/templates/en/fallback/versions/{number}")
        assert page.status_code == 404, (number, page.status_code)
        removed = client.post(f"/admin/phrasings/purpose_of_use/{number}/remove", data={"csrf": csrf})
        assert removed.status_code == 404, (number, removed.status_code)
    assert client.get("/admin/templates/en/fallback/versions/9223372036854775808").status_code == 404
    services.close()
