"""The analytics page through the app: numbers of a seeded store, filters, CSV downloads, access and bad input."""
from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Iterator

import pytest
from admin_testkit import admin_services, sign_in_admin, sign_in_staff
from analytics_seed import EXPECTED, PERIOD, seed

from bot.admin.analytics import Filters
from bot.app import Services
from bot.web.app import create_app
from handoff.analytics import day_number

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    s = admin_services(tmp_path / "data")
    seed(s.store)
    yield s
    s.close()


@pytest.fixture()
def admin(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), raise_server_exceptions=False) as c:
        sign_in_admin(c)
        yield c


def rows(html: str, table: str) -> dict[str, list[str]]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        found[cells[0]] = cells[1:]
    return found


def header(html: str, table: str) -> list[str]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r"<th(?: [^>]*)?>(.*?)</th>", body)


def test_numbers_match_the_seeded_store(admin: TestClient) -> None:
    html = admin.get(f"/admin/analytics?{PERIOD}").text
    assert dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html)) == EXPECTED["headline"]
    assert header(html, "questions")[0] == "week"
    columns = header(html, "questions")[1:]
    questions = rows(html, "questions")
    for week, cells in EXPECTED["questions"].items():
        got = dict(zip(columns, questions[week]))
        assert {k: got[k] for k in cells} == cells
        assert sum(int(v) for k, v in got.items() if k != "total") == int(got["total"])
    for name in ("dead_ends", "requests", "resolution", "on_time"):
        got = rows(html, name)
        for key, cells in EXPECTED[name].items():  # type: ignore[union-attr]
            assert got[key] == cells, (name, key)
    assert len(re.findall(r'<svg class="chart" data-chart="(\w+)" role="img"', html)) == 5
    assert "Seed Person" not in html and "@example.com" not in html and "PRQ-" not in html


def test_language_filter(admin: TestClient) -> None:
    html = admin.get(f"/admin/analytics?{PERIOD}&lang=ja").text
    assert dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))["messages"] == "3"
    assert rows(html, "requests")["correction"] == ["0", "0", "1", "1"]
    assert rows(html, "requests")["disclosure"] == ["0", "0", "0", "0"]
    assert dict(zip(header(html, "questions")[1:], rows(html, "questions")["2026-06-01"]))["12"] == "2"


def test_every_table_downloads_as_csv(admin: TestClient) -> None:
    html = admin.get(f"/admin/analytics?{PERIOD}").text
    links = re.findall(r'href="(/admin/analytics/(\w+)\.csv\?[^"]+)"', html)
    assert [name for _, name in links] == ["questions", "dead_ends", "requests", "resolution", "on_time"]
    for link, name in links:
        response = admin.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        table = list(csv.reader(io.StringIO(response.text)))
        assert table[0] == header(html, name)
        assert {r[0]: r[1:] for r in table[1:]} == rows(html, name)
    assert admin.get(f"/admin/analytics/secrets.csv?{PERIOD}").status_code == 404


@pytest.mark.parametrize("query", ["from=garbage&to=2026-13-45", "lang=xx", "weeks=0", "weeks=99999",
                                   "from=2020-01-01&to=2026-06-01", "from=2026-06-28&to=2026-06-01",
                                   "lang=%3Cscript%3E", "weeks=-1"])
def test_bad_filters_fall_back_never_crash(admin: TestClient, query: str) -> None:
    response = admin.get(f"/admin/analytics?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.text


def test_period_filter_parsing() -> None:
    now = 1_780_000_000.0  # 2026-05-28 (a Thursday in Japan)
    f, problems = Filters.parse({"from": "2026-06-03", "to": "2026-06-10"}, now=now)
    assert (str(f.first_date), str(f.last_date), problems) == ("2026-06-01", "2026-06-14", [])
    f, problems = Filters.parse({"weeks": "4"}, now=now)
    assert len(f.weeks) == 4 and f.last_week <= day_number(now) < f.last_week + 7
    f, problems = Filters.parse({"from": "2020-01-01", "to": "2026-06-01"}, now=now)
    assert len(f.weeks) == 104 and problems


def test_admins_only(services: Services) -> None:
    with TestClient(create_app(services)) as anonymous:
        assert anonymous.get("/admin/analytics", follow_redirects=False).status_code == 303
        assert anonymous.get("/admin/analytics/requests.csv", follow_redirects=False).status_code == 303
    with TestClient(create_app(services)) as staff:
        sign_in_staff(staff)
        assert staff.get("/admin/analytics").status_code == 403
        assert staff.get("/admin/analytics/requests.csv").status_code == 403
