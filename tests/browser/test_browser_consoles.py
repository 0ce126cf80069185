"""The staff and admin pages on phones and for everyone (issue 15 points 6, 8 and 9): no horizontal scrolling at
360 and 390 px on the queue, a ticket, the template list and the editor; axe-core finds no serious or critical
violation on the chat page, the queue, a ticket and the editor; the staff reply and note boxes are labelled; the
ticket's history reads "New → In progress"; and a keyboard-only user files a request on the chat page."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_testkit import PASSWORD, Server, running_server
from chat_kit import DESKTOP, NARROW, PHONE, assert_no_horizontal_overflow, expect, opened, ready, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("consoles"), {"PRIVACY_BOT_RATE_IP": "0",
                                                               "PRIVACY_BOT_RATE_SESSION": "0"}) as srv:
        yield srv


def _chat(server: Server, text: str, session: str | None = None, step: str | None = None) -> dict[str, Any]:
    """`step`: the token of the question answered (the previous reply's), as the chat page sends it."""
    body = {"text": text, **({"session_id": session} if session else {}), **({"step": step} if step else {})}
    request = urllib.request.Request(server.base + "/api/chat", data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


@pytest.fixture(scope="module")
def reference(server: Server) -> str:
    """A ticket with a long name and email (the widest values a ticket page shows)."""
    data = _chat(server, "Please send me a copy of all the personal data you hold about me.")
    session = data["session_id"]
    for answer in ("1", "Alexandrina Wilhelmina Montgomery-Fitzgerald",
                   "alexandrina.wilhelmina.montgomery-fitzgerald@subdomain.example.com", "1",
                   "everything, including https://example.com/a/very/long/path/without/any/spaces/in/it", "1", "1"):
        data = _chat(server, answer, session, data.get("step"))
    ref: str = data["ticket"]["reference"]
    return ref


def sign_in(page: Any, who: str = "root") -> None:
    page.goto("/staff/login")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


CONSOLE_PAGES = ["/staff", "/staff/tickets/{ref}", "/admin", "/admin/templates/en/cookies",
                 "/admin/templates/en/cookies/history", "/admin/phrasings", "/admin/unanswered"]


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "360"])
def test_no_console_page_scrolls_sideways_on_a_phone(browser: Any, server: Server, reference: str,
                                                     viewport: dict[str, int], tmp_path: Path) -> None:
    with opened(browser, server.base, viewport) as page:
        sign_in(page)
        for path in CONSOLE_PAGES:
            page.goto(path.format(ref=reference))
            assert_no_horizontal_overflow(page)
            shot(page, tmp_path, path.strip("/").replace("/", "-").format(ref=reference) or "queue")
        # The queue's rows are cards whose cells say what they are.
        page.goto("/staff?status=all")
        row = page.locator("table.queue tbody tr").first
        expect(row.locator("td[data-label='Reference']")).to_contain_text(reference)


def test_the_ticket_page_speaks_words_and_labels_its_boxes(browser: Any, server: Server, reference: str) -> None:
    with opened(browser, server.base, DESKTOP) as page:
        sign_in(page)
        page.goto(f"/staff/tickets/{reference}")
        page.locator("form[action$='/claim'] button").click()
        page.wait_for_load_state()
        history = page.locator("table.events").inner_text()
        assert "New → In progress" in history and "->" not in history and "in_progress" not in history
        assert page.get_by_label("Message to the requester").count() == 1
        assert page.get_by_label("Note for staff").count() == 1


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_axe_finds_no_serious_violation(browser: Any, server: Server, reference: str,
                                        viewport: dict[str, int]) -> None:
    # axe-core is injected as a script: this context lets it run under the pages' Content-Security-Policy.
    context = browser.new_context(base_url=server.base, viewport=viewport, bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        found: dict[str, list[str]] = {}
        ready(page)
        found["chat, first screen"] = _serious(page)
        page.locator("#log li.welcome button").first.click()
        page.locator("#log li.bot").nth(1).wait_for()
        found["chat, answered"] = _serious(page)
        ready(page, "/")  # the restored conversation
        found["chat, restored"] = _serious(page)
        sign_in(page)
        for path in ("/staff", f"/staff/tickets/{reference}", "/admin", "/admin/templates/en/cookies"):
            page.goto(path)
            found[path] = _serious(page)
        assert {where: problems for where, problems in found.items() if problems} == {}
    finally:
        context.close()


def test_a_keyboard_only_user_files_a_request(browser: Any, server: Server, tmp_path: Path) -> None:
    """No mouse: Tab to the first screen's "Make a formal request", Enter, pick the type, then answer every step with
    the keyboard (buttons by Tab and Enter, text typed into the box that keeps the focus)."""
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        keyboard = page.keyboard

        def press_button(label: str) -> None:
            for _ in range(40):
                keyboard.press("Tab")
                focused = page.locator(":focus")
                if focused.count() and focused.evaluate("e => e.tagName") == "BUTTON" and label in focused.inner_text():
                    keyboard.press("Enter")
                    return
            pytest.fail(f"no button {label!r} reachable with Tab")

        def wait_bots(n: int) -> None:
            page.locator("#log li.bot").nth(n - 1).wait_for()

        def type_in(text: str) -> None:
            # Focus reaches the box after a button with Shift+Tab/Tab; after typed text it stays there.
            for _ in range(40):
                if page.locator("#text:focus").count():
                    break
                keyboard.press("Tab")
            keyboard.type(text)
            keyboard.press("Enter")

        press_button("Make a formal request")
        wait_bots(2)
        press_button("A copy of your data")
        wait_bots(3)
        press_button("Yes, continue")
        wait_bots(4)
        type_in("Jane Doe")
        wait_bots(5)
        type_in("jane@example.com")
        wait_bots(6)
        press_button("I am the person concerned")
        wait_bots(7)
        type_in("everything")
        wait_bots(8)
        press_button("Electronically")
        wait_bots(9)
        press_button("Confirm and send")
        wait_bots(10)
        expect(page.locator("#log li.bot").last).to_contain_text("PRQ-")
        shot(page, tmp_path, "keyboard-receipt")
