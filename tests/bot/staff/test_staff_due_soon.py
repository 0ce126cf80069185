"""The queue's two clocks: overdue tickets highlighted and filterable, and a "due soon" mark and filter for open
tickets due within PRIVACY_BOT_DUE_SOON_DAYS (default 3); the ticket page shows the same mark."""
from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

from admin_testkit import admin_services, sign_in_staff

from bot.web.app import create_app
from handoff.tickets import Contact, Requester, TicketDraft

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

DAY = 86400.0


def _draft(n: int) -> TicketDraft:
    return TicketDraft(request_type="disclosure", requester=Requester("web", None, f"s-{n}"),
                       contact=Contact(name=f"Person {n}", email=f"p{n}@example.com"))


def rows(html: str) -> dict[str, str]:
    """Reference -> the row's class attribute ('' for none)."""
    found = re.findall(r'<tr( class="[^"]*")?>\s*<td data-label="Reference"><a href="/staff/tickets/([^"]+)"', html)
    return {ref: cls.strip() for cls, ref in found}


def test_due_soon_and_overdue_marks_and_filters(tmp_path: Path) -> None:
    services = admin_services(tmp_path / "data", PRIVACY_BOT_DUE_SOON_DAYS="3")
    now = time.time()
    store = services.store
    late = store.create_ticket(_draft(1), idempotency_key="late", now=now - 16 * DAY).reference  # 2 days overdue
    soon = store.create_ticket(_draft(2), idempotency_key="soon", now=now - 12 * DAY).reference  # due in 2 days
    later = store.create_ticket(_draft(3), idempotency_key="later", now=now - 5 * DAY).reference  # due in 9 days
    with TestClient(create_app(services)) as client:
        sign_in_staff(client)
        page = client.get("/staff").text
        assert rows(page) == {late: 'class="is-overdue"', soon: 'class="is-due-soon"', later: ""}
        assert page.count(">Overdue</span>") == 1 and page.count(">Due soon</span>") == 1
        assert "Due soon (within 3 days)" in page
        assert set(rows(client.get("/staff?due_soon=1").text)) == {soon}
        assert set(rows(client.get("/staff?overdue=1").text)) == {late}
        assert set(rows(client.get("/staff?overdue=1&due_soon=1").text)) == {late, soon}
        assert 'name="due_soon" value="1" checked' in client.get("/staff?due_soon=1").text
    services.close()


def marks(html: str) -> list[str]:
    """The due-date marks on a page, in order."""
    return re.findall(r'<span class="(?:overdue|due-soon)"[^>]*>([^<]+)</span>', html)


def test_ticket_page_shows_the_queues_mark(tmp_path: Path) -> None:
    services = admin_services(tmp_path / "data", PRIVACY_BOT_DUE_SOON_DAYS="3")
    now = time.time()
    store = services.store
    late = store.create_ticket(_draft(1), idempotency_key="late", now=now - 16 * DAY).reference
    soon = store.create_ticket(_draft(2), idempotency_key="soon", now=now - 12 * DAY).reference
    later = store.create_ticket(_draft(3), idempotency_key="later", now=now - 5 * DAY).reference
    closed = store.create_ticket(_draft(4), idempotency_key="closed", now=now - 12 * DAY).reference
    store.update_status(closed, "resolved", actor="ann", now=now)  # closed: no clock runs any more
    with TestClient(create_app(services)) as client:
        sign_in_staff(client)
        pages = {ref: client.get(f"/staff/tickets/{ref}").text for ref in (late, soon, later, closed)}
        # In the heading and by the due date, as in the queue's row.
        assert marks(pages[late]) == ["Overdue", "Overdue"]
        assert marks(pages[soon]) == ["Due soon", "Due soon"]
        assert marks(pages[later]) == [] and marks(pages[closed]) == []
        h1 = re.search(r"<h1>(.*?)</h1>", pages[soon], re.S)
        assert h1 is not None and "Due soon" in h1.group(1)
        queue = client.get("/staff").text
        assert rows(queue)[soon] == 'class="is-due-soon"' and rows(queue)[late] == 'class="is-overdue"'
    services.close()


def test_due_soon_mark_can_be_turned_off(tmp_path: Path) -> None:
    services = admin_services(tmp_path / "data", PRIVACY_BOT_DUE_SOON_DAYS="0")
    soon = services.store.create_ticket(_draft(2), idempotency_key="soon", now=time.time() - 12 * DAY).reference
    with TestClient(create_app(services)) as client:
        sign_in_staff(client)
        page = client.get("/staff").text
        assert "Due soon" not in page and "is-due-soon" not in page
        assert marks(client.get(f"/staff/tickets/{soon}").text) == []
    services.close()
