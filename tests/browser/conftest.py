"""Browser tests: Playwright's Python package driving Debian's Chromium (/usr/bin/chromium; never a downloaded
browser) against a real `privacy-bot serve` process on a temporary SQLite store.

They skip, saying why, only when /usr/bin/chromium is missing and REQUIRE_BROWSER is not "1" (.ci/run installs
Chromium and sets REQUIRE_BROWSER=1, so there a missing browser fails the tests instead)."""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest
from browser_testkit import CHROMIUM, CHROMIUM_ARGS, Server, running_server


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1 (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser "
                "tests; set REQUIRE_BROWSER=1 to fail instead of skipping")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`privacy-bot serve` with an admin (root) and a staff account (alice) in a fresh SQLite store."""
    require_chromium()  # no server either when the browser tests are skipped
    with running_server(tmp_path_factory.mktemp("browser")) as srv:
        yield srv
