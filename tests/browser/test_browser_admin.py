"""What people see in a real browser: a user chats on / and picks a clarification choice; an admin signs in,
edits a template, sees the preview, saves, and the chat then answers with the new text; a staff account is
refused on /admin. Each page is saved as a screenshot under the test's temporary folder."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_testkit import PASSWORD, Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VAGUE = ["personal data", "my personal data", "info about personal data", "data", "my data", "情報"]
NEW_TEXT = "Cookies keep you signed in and remember your language. Switch them off any time in your browser."


@pytest.fixture()
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(base_url=server.base, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # Resource failures are checked by URL below (browsers ask for /favicon.ico, which the app does not have).
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}")
           if r.status == 404 and not r.url.endswith("/favicon.ico") else None)
    yield tab
    context.close()
    assert errors == [], errors  # no script errors, no CSP violations, no missing files


def expect(locator: Any) -> Any:
    """Playwright's auto-waiting assertions (string predicates would need 'unsafe-eval', which the CSP forbids)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000, f"empty screenshot {path}"
    return path


def vague_question(server: Server) -> str:
    """A message this build answers with "Did you mean…" (found through the API, so the test follows tuning)."""
    for text in VAGUE:
        request = urllib.request.Request(server.base + "/api/chat", data=json.dumps({"text": text}).encode(),
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            if json.loads(response.read())["decision"] == "clarify":
                return text
    pytest.fail("no vague message produced a clarify reply")


def chat(page: Any, text: str) -> Any:
    """Type a message on the chat page and return the bot's reply element."""
    page.locator("body[data-ready='1']").wait_for()  # the first screen (a greeting) is in place
    before = page.locator("#log li.bot").count()
    page.fill("#text", text)
    page.click("#send")
    reply = page.locator("#log li.bot").nth(before)
    reply.wait_for()
    return reply


def sign_in(page: Any, path: str, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert path


def test_a_user_chats_and_clicks_a_clarification_choice(page: Any, server: Server, tmp_path: Path) -> None:
    text = vague_question(server)
    page.goto("/")
    assert page.title() == "Privacy policy assistant"
    reply = chat(page, text)
    choices = reply.locator("button.choice")
    assert 2 <= choices.count() <= 3
    assert reply.get_attribute("data-decision") == "clarify"
    labels = [choices.nth(i).inner_text() for i in range(choices.count())]
    assert labels[0].startswith("1. ") and labels[1].startswith("2. ")
    shot(page, tmp_path, "1-clarify")

    before = page.locator("#log li.bot").count()
    choices.nth(1).click()
    answer = page.locator("#log li.bot").nth(before)
    answer.wait_for()
    shot(page, tmp_path, "2-choice-answered")
    assert answer.get_attribute("data-decision") in ("answer", "request")
    assert page.locator("#log li.user").nth(1).inner_text() == labels[1][3:]  # the picked label is shown
    citation = answer.locator("cite.citation")
    assert citation.inner_text().startswith(("Article ", "第"))


def test_an_admin_edits_a_template_and_the_chat_shows_the_new_answer(page: Any, server: Server,
                                                                     tmp_path: Path) -> None:
    page.goto("/admin")
    assert page.url.startswith(server.base + "/admin/login")
    assert page.locator("h1").inner_text() == "Admin sign-in"
    shot(page, tmp_path, "1-admin-sign-in")
    sign_in(page, "/admin", "root")
    assert page.url == server.base + "/admin"
    assert page.locator("h1").inner_text() == "Response templates"
    row = page.locator('tr[data-template="en/cookies"]')
    assert "Shipped default" in row.inner_text()
    shot(page, tmp_path, "2-template-list")

    row.locator("a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/templates/en/cookies")
    assert "Article 12 (Use of Cookies, etc.)" in page.locator("#preview-text").inner_text()

    # Live preview while typing (admin.js), then the Preview button (works without JavaScript too).
    source = page.locator("#source")
    source.fill(f"**{NEW_TEXT}**\n\nSee {{{{ cite }}}}.")
    expect(page.locator("#preview-html")).to_contain_text("Switch them off")  # no click: admin.js
    assert page.locator("#preview-html strong").inner_text() == NEW_TEXT
    assert page.locator("#preview-mrkdwn").inner_text().startswith(f"*{NEW_TEXT}*")
    assert page.locator("#preview-text").inner_text() == f"{NEW_TEXT}\n\nSee Article 12 (Use of Cookies, etc.)."
    source.fill(f"{NEW_TEXT}\n\n{{{{ config }}}}")
    expect(page.locator("#problems")).to_contain_text("config")
    assert "line 3" in page.locator("#problems").inner_text()
    shot(page, tmp_path, "3-live-preview-refusal")

    source.fill(f"**{NEW_TEXT}**\n\nSee {{{{ cite }}}}.")
    page.click("#preview-button")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/templates/en/cookies/preview")
    assert page.locator("#preview-html strong").inner_text() == NEW_TEXT
    assert page.locator("#preview-mrkdwn").inner_text().startswith(f"*{NEW_TEXT}*")
    shot(page, tmp_path, "4-preview")

    page.fill("input[name=note]", "Plainer wording (browser test)")
    page.click("#save-button")
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text().startswith("Saved.")
    assert "Edited · v1" in page.locator("h1").inner_text()
    shot(page, tmp_path, "5-saved")

    page.goto("/admin/templates/en/cookies/history")
    assert "Plainer wording (browser test)" in page.locator("table.history").inner_text()
    shot(page, tmp_path, "6-history")

    page.goto("/")
    reply = chat(page, "what are cookies used for?")
    assert reply.locator(".answer strong").inner_text() == NEW_TEXT
    assert reply.locator("cite.citation").inner_text() == "Article 12 (Use of Cookies, etc.)"
    shot(page, tmp_path, "7-chat-shows-new-answer")


def test_a_staff_account_is_refused_on_admin(page: Any, server: Server, tmp_path: Path) -> None:
    page.goto("/staff/login")
    sign_in(page, "/staff", "alice")
    assert page.url.startswith(server.base + "/staff")
    response = page.goto("/admin")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Admins only"
    assert "staff account" in page.locator(".problem-message").inner_text()
    assert page.locator("#source").count() == 0
    shot(page, tmp_path, "1-staff-refused")

    response = page.goto("/admin/templates/en/cookies")
    assert response is not None and response.status == 403 and page.locator("textarea").count() == 0

    page.context.clear_cookies()
    page.goto("/admin/login")
    sign_in(page, "/admin", "alice")
    assert "not an administrator" in page.locator(".error").inner_text()
    shot(page, tmp_path, "2-staff-sign-in-refused")
