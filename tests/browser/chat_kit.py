"""Helpers for the chat page's browser tests: pages at a given size and locale that record script errors, and the
layout facts the tests assert (inside the conversation area, no horizontal overflow) rather than pixels."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@contextmanager
def opened(browser: Any, base: str, viewport: dict[str, int], locale: str = "en-US") -> Iterator[Any]:
    """A fresh browser context (no stored session) and page; fails on script errors, CSP violations and 404s."""
    context = browser.new_context(base_url=base, viewport=viewport, locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status == 404 and not r.url.endswith("/favicon.ico") else None)
    try:
        yield page
    finally:
        context.close()
    assert errors == [], errors


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def ready(page: Any, path: str = "/") -> None:
    page.goto(path)
    page.locator("body[data-ready='1']").wait_for()


def last_bot(page: Any) -> Any:
    return page.locator("#log li.bot").last


def type_message(page: Any, text: str) -> Any:
    """Type and send a message; return the bot's reply to it."""
    before = page.locator("#log li.bot").count()
    page.fill("#text", text)
    page.click("#send")
    reply = page.locator("#log li.bot").nth(before)
    reply.wait_for()
    return reply


def click_choice(page: Any, label_start: str) -> Any:
    """Click a live button of the newest reply by the start of its label; return the reply it brings."""
    before = page.locator("#log li.bot").count()
    page.locator("#log .choices.live button").filter(has_text=label_start).first.click()
    reply = page.locator("#log li.bot").nth(before)
    reply.wait_for()
    return reply


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, "element is not rendered"
    return dict(found)


def assert_in_view(page: Any, locator: Any, what: str) -> None:
    """Wholly inside the conversation area: above the message box, below the header, within the page's width."""
    area = box(page.locator("#conversation"))
    b = box(locator)
    viewport = page.viewport_size
    assert b["y"] >= area["y"] - 1, f"{what} starts above the conversation area: {b} vs {area}"
    assert b["y"] + b["height"] <= area["y"] + area["height"] + 1, f"{what} ends under the message box: {b} vs {area}"
    assert b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"] + 1, f"{what} is outside the page's width: {b}"


def assert_reply_in_view(page: Any, reply: Any) -> None:
    """A reply that fits is wholly in view; a longer one shows its start. Either way its live buttons are in view."""
    area = box(page.locator("#conversation"))
    b = box(reply)
    if b["height"] <= area["height"]:
        assert_in_view(page, reply, "the reply")
    else:
        assert abs(b["y"] - area["y"]) <= 2, f"a long reply should show its start: {b} vs {area}"
    buttons = reply.locator(".choices.live button")
    for i in range(buttons.count()):
        assert_in_view(page, buttons.nth(i), f"button {buttons.nth(i).inner_text()!r}")


def assert_no_horizontal_overflow(page: Any) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide in a {width} px viewport"


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 3_000, f"empty screenshot {path}"
    return path
