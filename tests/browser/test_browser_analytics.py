"""The analytics page in a real browser (Chromium under the app's CSP): an admin signs in, sees the five charts drawn,
the numbers of a seeded store in the headline and the tables, filters by language, and downloads a table as CSV."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_testkit import PASSWORD, Server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))  # the seed is shared with the TestClient tests
from analytics_seed import EXPECTED, PERIOD, seed  # noqa: E402

from handoff.sqlite.store import SQLiteStore  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(server: Server) -> Server:
    store = SQLiteStore.in_dir(server.data_dir)  # the server's own file: SQLite is shared between processes
    seed(store)
    store.close()
    return server


@pytest.fixture()
def page(browser: Any, seeded: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=seeded.base, viewport={"width": 1280, "height": 900}, locale="en-US",
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}")
           if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    yield tab
    context.close()
    assert errors == [], errors  # no CSP violation, no missing stylesheet


def sign_in(page: Any) -> None:
    page.goto(f"/admin/analytics?{PERIOD}")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def cells(page: Any, table: str) -> dict[str, list[str]]:
    rows = page.locator(f'table[data-table="{table}"] tbody tr')
    found = {}
    for i in range(rows.count()):
        texts = [t.strip() for t in rows.nth(i).locator("th, td").all_text_contents()]
        found[texts[0]] = texts[1:]
    return found


def test_charts_and_numbers_of_a_seeded_store(page: Any, seeded: Server, tmp_path: Path) -> None:
    sign_in(page)
    assert page.url == f"{seeded.base}/admin/analytics?{PERIOD}"
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 5
    for i in range(5):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100  # drawn, styled, visible
    # Marks are drawn for the data: shaded cells, bar segments, line points.
    assert page.locator('svg[data-chart="questions"] rect.cell[fill-opacity="1.00"]').count() == 1  # the busiest
    assert page.locator('svg[data-chart="requests"] rect.bar').count() == 3
    assert page.locator('svg[data-chart="resolution"] rect.bar').count() == 4
    assert page.locator('svg[data-chart="on_time"] circle.dot').count() == 3
    for name, value in EXPECTED["headline"].items():
        assert page.locator(f'[data-figure="{name}"]').inner_text() == value
    for name in ("dead_ends", "requests", "resolution", "on_time"):
        got = cells(page, name)
        for key, row in EXPECTED[name].items():  # type: ignore[union-attr]
            assert got.get(key) == row, (name, key, got)
    # The stylesheet applies under the CSP (colours come from classes, not inline styles).
    fill = page.locator('svg[data-chart="requests"] rect.bar').first.evaluate("e => getComputedStyle(e).fill")
    assert fill.startswith("rgb(") and fill != "rgb(0, 0, 0)"
    page.screenshot(path=str(tmp_path / "analytics.png"), full_page=True)


def test_language_filter_and_csv_download(page: Any, tmp_path: Path) -> None:
    sign_in(page)
    page.select_option("select[name=lang]", "ja")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "lang=ja" in page.url
    assert page.locator('[data-figure="messages"]').inner_text() == "3"
    assert cells(page, "requests")["correction"] == ["0", "0", "1", "1"]
    with page.expect_download() as info:
        page.click("#requests a.csv")
    path = tmp_path / "requests.csv"
    info.value.save_as(str(path))
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert table[0] == ["request_type", "open", "resolved", "rejected", "total"]
    assert {r[0]: r[1:] for r in table[1:]} == cells(page, "requests")
    assert info.value.suggested_filename == "analytics-requests-2026-06-01-2026-06-28-ja.csv"
