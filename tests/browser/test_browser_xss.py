"""Hostile markup typed into the chat page is shown as text and never runs (issue #7 point 5).

The payloads go through every place user text comes back: the user's own bubble, the bot's answers (template
syntax, quoting) and the request form's summary, which repeats the name and details the user typed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_testkit import Server
from test_browser_admin import chat, page, shot  # noqa: F401  (the page fixture checks for script errors)

PAYLOADS = [
    '<img src=x onerror="alert(\'img\')">',
    "<script>alert('script')</script>",
    '"><svg onload=alert(\'svg\')>',
    "<a href=\"javascript:alert('link')\">click</a>",
    "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}",
]


def test_markup_in_messages_and_forms_never_executes(page: Any, server: Server, tmp_path: Path) -> None:  # noqa: F811
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/")
    for payload in PAYLOADS:
        chat(page, payload)
    # The same payloads as form answers, which the summary shows back.
    chat(page, "Please delete all my data")
    for answer in ["yes", "<img src=x onerror=alert('name')> Doe", "jane@example.com", "1", "2", "4",
                   "<script>alert('scope')</script> everything"]:
        chat(page, answer)
    shot(page, tmp_path, "xss")
    assert dialogs == []
    log = page.locator("#log")
    assert log.locator("img").count() == 0 and log.locator("script").count() == 0
    assert log.locator("svg").count() == 0 and log.locator("a[href^='javascript']").count() == 0
    users = [page.locator("#log li.user").nth(i).inner_text() for i in range(len(PAYLOADS))]
    assert users == PAYLOADS  # shown literally, character for character
    summary = page.locator("#log li.bot").last.inner_text()
    assert "<img src=x onerror=alert('name')> Doe" in summary and "<script>alert('scope')</script>" in summary
    assert "49" not in page.locator("#log li.bot:not(.welcome)").nth(len(PAYLOADS) - 1).inner_text()
