"""Requests received by mail or phone, recorded by staff at /staff/intake: marked with their channel, the same
lifecycle and due date (from the day received), the staff alert, and the receipt by email through the outbox."""
from __future__ import annotations

import html
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest
from admin_testkit import admin_services, csrf_of, sign_in_staff

from bot.app import Services
from bot.web.app import create_app
from handoff.references import REFERENCE_TZ

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

DAY = 86400.0


def today() -> str:
    return datetime.now(REFERENCE_TZ).date().isoformat()


def make(tmp_path: Path, **env: str) -> Services:
    return admin_services(tmp_path / "data", **env)


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    s = make(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT="2525", SMTP_FROM="privacy@example.com")
    yield s
    s.close()


@pytest.fixture()
def staff(services: Services) -> Iterator[tuple[TestClient, str]]:
    with TestClient(create_app(services), raise_server_exceptions=False) as c:
        csrf = sign_in_staff(c)
        yield c, csrf


def intake_form(client: TestClient) -> dict[str, str]:
    page = client.get("/staff/intake").text
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    return {"csrf": csrf_of(page), "token": token[1], "channel": "mail", "received": today(),
            "request_type": "disclosure", "lang": "ja", "name": "山田 花子", "email": "hanako@example.com",
            "details": "保有個人データの開示", "delivery": "paper", "contact_note": "東京都千代田区1-1",
            "rep_name": "", "rep_relationship": "", "note": "envelope scanned"}


def test_a_letter_becomes_a_ticket_with_a_receipt(staff: tuple[TestClient, str], services: Services) -> None:
    client, _ = staff
    form = intake_form(client)
    response = client.post("/staff/intake", data=form, follow_redirects=False)
    assert response.status_code == 303
    ref = response.headers["location"].split("/staff/tickets/")[1].split("?")[0]
    assert response.headers["location"].endswith("done=recorded")
    ticket = services.store.get_ticket(ref)
    assert ticket.requester.frontend == "mail" and ticket.status == "new" and ticket.lang == "ja"
    assert ticket.contact.email == "hanako@example.com" and ticket.answers["delivery"] == "paper"
    assert ticket.answers["received_by"] == "Letter (post)"
    assert ticket.due_at == ticket.created_at + 14 * DAY
    notes = [e for e in ticket.events if e.action == "note"]
    assert notes[0].actor == "alice" and "envelope scanned" in notes[0].text
    kinds = {m.kind: m.channel for m in services.store.outbox_for([ref])[ref]}
    assert kinds == {"staff_alert": "log", "receipt": "email"}
    page = client.get(response.headers["location"]).text
    assert "Request recorded" in page and "via mail" in page
    queue = client.get("/staff").text
    assert ref in queue and '<span class="badge via">Letter</span>' in queue
    # Same lifecycle as any ticket.
    assert services.store.claim(ref, actor="alice", now=ticket.created_at + 60).status == "in_progress"
    assert services.store.update_status(ref, "resolved", actor="alice", now=ticket.created_at + 120).is_open is False


def test_the_due_date_counts_from_the_day_received(staff: tuple[TestClient, str], services: Services) -> None:
    client, _ = staff
    form = {**intake_form(client), "channel": "phone", "email": "", "received": "2000-01-01"}
    assert client.post("/staff/intake", data=form).status_code == 400  # too long ago
    day = datetime.fromtimestamp(datetime.now(REFERENCE_TZ).timestamp() - 3 * DAY, REFERENCE_TZ).date()
    response = client.post("/staff/intake", data={**form, "received": day.isoformat()}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("done=recorded_no_address")
    ref = response.headers["location"].split("/staff/tickets/")[1].split("?")[0]
    ticket = services.store.get_ticket(ref)
    received = datetime.combine(day, datetime.min.time(), REFERENCE_TZ).timestamp() + 12 * 3600
    assert ticket.created_at == received and ticket.due_at == received + 14 * DAY
    assert ticket.requester.frontend == "phone"
    assert [m.kind for m in services.store.outbox_for([ref])[ref]] == ["staff_alert"]  # no address: no receipt


def test_a_double_submit_records_one_ticket(staff: tuple[TestClient, str], services: Services) -> None:
    client, _ = staff
    form = intake_form(client)
    first = client.post("/staff/intake", data=form, follow_redirects=False).headers["location"]
    second = client.post("/staff/intake", data=form, follow_redirects=False).headers["location"]
    assert first.split("?")[0] == second.split("?")[0]
    assert len(services.store.list_tickets(limit=10)) == 1
    ticket = services.store.get_ticket(first.split("/staff/tickets/")[1].split("?")[0])
    assert len([e for e in ticket.events if e.action == "note"]) == 1


@pytest.mark.parametrize("change, problem", [
    ({"name": ""}, "requester's name"), ({"email": "not an address"}, "email address"),
    ({"details": "  "}, "what the requester asks for"), ({"channel": "fax"}, "how the request arrived"),
    ({"request_type": "everything"}, "request type"), ({"received": "2999-01-01"}, "received date"),
    ({"received": "yesterday"}, "YYYY-MM-DD"), ({"rep_name": "Taro"}, "representative"),
    ({"token": "short"}, "incomplete"), ({"name": "<script>alert(1)</script>", "email": "x"}, "email address"),
])
def test_bad_forms_are_refused_and_record_nothing(staff: tuple[TestClient, str], services: Services,
                                                  change: dict[str, str], problem: str) -> None:
    client, _ = staff
    response = client.post("/staff/intake", data={**intake_form(client), **change})
    assert response.status_code == 400 and problem in html.unescape(response.text)
    assert "<script>alert" not in response.text
    assert services.store.list_tickets(limit=10) == []


def test_without_email_no_receipt_is_promised(tmp_path: Path) -> None:
    services = make(tmp_path)
    with TestClient(create_app(services)) as client:
        sign_in_staff(client)
        assert "email is\noff here" in client.get("/staff/intake").text
        response = client.post("/staff/intake", data=intake_form(client), follow_redirects=False)
        assert response.headers["location"].endswith("done=recorded_no_email")
        ref = response.headers["location"].split("/staff/tickets/")[1].split("?")[0]
        assert [m.kind for m in services.store.outbox_for([ref])[ref]] == ["staff_alert"]
    services.close()
