"""The chat page as people use it (issue 15 points 1-6, issue 11 point 8), at 1280x900 and 390x844: every new reply
and its buttons in view above the message box, errors in the conversation with the typed text kept, answered
buttons disabled, a first screen with topics, the conversation back after a reload, questions during a form, no
horizontal scrolling and a Japanese page that reads as one. Layout facts, not pixels."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_testkit import Server, running_server
from chat_kit import (NARROW, PHONE, SIZES, assert_in_view, assert_no_horizontal_overflow, assert_reply_in_view, box,
                      click_choice, expect, last_bot, opened, ready, shot, type_message)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WELCOME = json.loads((Path(__file__).parents[2] / "bot" / "web" / "static" / "welcome.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Rate limits off: every test here talks from 127.0.0.1, and the limits have tests of their own."""
    with running_server(tmp_path_factory.mktemp("chat"), {"PRIVACY_BOT_RATE_IP": "0",
                                                           "PRIVACY_BOT_RATE_SESSION": "0"}) as srv:
        yield srv


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_first_screen_greets_with_topics_and_actions(browser: Any, server: Server, size: str,
                                                         tmp_path: Path) -> None:
    with opened(browser, server.base, SIZES[size]) as page:
        ready(page)
        welcome = page.locator("#log li.welcome")
        expect(welcome).to_contain_text("privacy policy")
        buttons = welcome.locator("button")
        labels = [buttons.nth(i).inner_text() for i in range(buttons.count())]
        en = WELCOME["en"]
        assert labels == [t["label"] for t in en["topics"]] + [en["request"]["label"], en["status"]["label"]]
        assert len(en["topics"]) == 6
        for i in range(buttons.count()):
            assert_in_view(page, buttons.nth(i), labels[i])
        assert_no_horizontal_overflow(page)
        shot(page, tmp_path, f"welcome-{size}")

        reply = click_choice(page, "Cookies and IP addresses")
        assert reply.locator("cite.citation").inner_text() == "Article 12 (Use of Cookies, etc.)"
        assert buttons.first.is_disabled()  # the menu was answered


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_request_from_first_screen_to_receipt_keeps_every_reply_in_view(browser: Any, server: Server, size: str,
                                                                          tmp_path: Path) -> None:
    with opened(browser, server.base, SIZES[size]) as page:
        ready(page)
        page.locator("#log li.welcome button").filter(has_text="Make a formal request").click()
        menu = last_bot(page)
        expect(menu).to_contain_text("Which request")
        assert_reply_in_view(page, menu)
        reply = click_choice(page, "A copy of your data")
        assert reply.get_attribute("data-decision") == "request"
        assert reply.locator(".choices.live button").count() == 3
        assert_reply_in_view(page, reply)
        shot(page, tmp_path, f"1-first-step-{size}")

        reply = click_choice(page, "1. Yes, continue")
        old = page.locator("#log li.bot").nth(-2).locator("button")
        assert all(old.nth(i).is_disabled() for i in range(old.count())), "answered buttons stay live"
        assert "chosen" in (old.first.get_attribute("class") or "")
        assert old.nth(1).get_attribute("class") == "choice"  # only the chosen one is marked
        for text in ("Jane Doe", "jane@example.com"):
            reply = type_message(page, text)
            assert_reply_in_view(page, reply)
        reply = click_choice(page, "1. I am the person concerned")
        reply = type_message(page, "everything")
        assert_reply_in_view(page, reply)
        reply = click_choice(page, "1. Electronically")
        summary_buttons = reply.locator(".choices.live button")
        assert [summary_buttons.nth(i).inner_text() for i in range(3)] == [
            "1. Confirm and send", "2. Start over", "3. Cancel"]
        assert_reply_in_view(page, reply)
        shot(page, tmp_path, f"2-summary-{size}")

        # A stale button can no longer be clicked: the first step's "Yes, continue" is disabled.
        assert page.locator("#log li.bot").nth(2).locator("button").first.is_disabled()
        receipt = click_choice(page, "1. Confirm and send")
        expect(receipt).to_contain_text("PRQ-")
        assert_reply_in_view(page, receipt)
        assert_no_horizontal_overflow(page)
        shot(page, tmp_path, f"3-receipt-{size}")


def test_a_question_during_the_form_is_answered_then_the_form_goes_on(browser: Any, server: Server) -> None:
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        type_message(page, "Please send me a copy of all the personal data you hold about me.")
        aside = type_message(page, "tell me about cookies")
        assert aside.locator("cite.citation").inner_text() == "Article 12 (Use of Cookies, etc.)"
        expect(aside).to_contain_text("Is this the request you want to make?")
        assert aside.locator(".choices.live button").count() == 3
        assert_reply_in_view(page, aside)
        expect(click_choice(page, "1. Yes, continue")).to_contain_text("full name")


def test_a_failed_message_shows_in_the_conversation_and_keeps_the_text(browser: Any, server: Server) -> None:
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        for n in range(4):  # a long conversation: the old status line ended up off screen
            type_message(page, f"what are cookies used for? ({n})")
        page.route("**/api/chat", lambda route: route.abort())
        page.fill("#text", "where is my request PRQ-2026-000001?")
        page.click("#send")
        error = page.locator("#log li.error").last
        expect(error).to_be_visible()
        assert error.get_attribute("role") == "alert"
        assert_in_view(page, error, "the error")
        assert page.input_value("#text") == "where is my request PRQ-2026-000001?"
        page.unroute("**/api/chat")

        # A refusal with a detail (here a 429, as a rate limit answers) is shown the same way.
        page.route("**/api/chat", lambda route: route.fulfill(
            status=429, headers={"retry-after": "5"}, content_type="application/json",
            body=json.dumps({"detail": "Too many messages: please wait 5 seconds.", "errors": []})))
        page.click("#send")
        expect(page.locator("#log li.error").last).to_contain_text("please wait 5 seconds")
        assert page.input_value("#text") == "where is my request PRQ-2026-000001?"
        page.unroute("**/api/chat")
        reply = type_message(page, page.input_value("#text"))
        assert_reply_in_view(page, reply)


def test_a_failed_click_leaves_the_buttons_live(browser: Any, server: Server) -> None:
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        type_message(page, "Please send me a copy of all the personal data you hold about me.")
        page.route("**/api/chat", lambda route: route.abort())
        page.locator("#log .choices.live button").first.click()
        expect(page.locator("#log li.error")).to_be_visible()
        assert not last_bot(page).locator("button").first.is_disabled()
        page.unroute("**/api/chat")
        expect(click_choice(page, "1. Yes, continue")).to_contain_text("full name")


def test_a_reload_brings_the_conversation_back(browser: Any, server: Server, tmp_path: Path) -> None:
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        first = type_message(page, "what are cookies used for?")
        first_text = first.locator(".answer").inner_text()
        type_message(page, "Please send me a copy of all the personal data you hold about me.")
        click_choice(page, "1. Yes, continue")
        type_message(page, "Jane Doe")
        page.reload()
        page.locator("body[data-ready='1']").wait_for()
        assert page.locator("#log li.welcome").count() == 0
        users = page.locator("#log li.user")
        assert [users.nth(i).inner_text() for i in range(users.count())] == [
            "what are cookies used for?", "Please send me a copy of all the personal data you hold about me.",
            "1", "Jane Doe"]
        bots = page.locator("#log li.bot")
        assert bots.count() == 4
        assert bots.first.inner_text().split()[:6] == first_text.split()[:6]
        expect(bots.last).to_contain_text("email address")
        assert_in_view(page, bots.last, "the last restored reply")
        shot(page, tmp_path, "restored")
        # The form goes on where it was.
        reply = type_message(page, "jane@example.com")
        assert reply.locator(".choices.live button").count() == 2
        # "New conversation" starts over with the first screen; a reload then stays there.
        page.click("#new-conversation")
        expect(page.locator("#log li.welcome")).to_be_visible()
        page.reload()
        page.locator("body[data-ready='1']").wait_for()
        assert page.locator("#log li.user").count() == 0


def test_a_reload_offers_the_open_questions_buttons_again(browser: Any, server: Server) -> None:
    with opened(browser, server.base, PHONE) as page:
        ready(page)
        type_message(page, "Please send me a copy of all the personal data you hold about me.")
        page.reload()
        page.locator("body[data-ready='1']").wait_for()
        live = last_bot(page).locator(".choices.live button")
        assert live.count() == 3
        assert_in_view(page, live.first, "the restored question's first button")
        expect(click_choice(page, "1. Yes, continue")).to_contain_text("full name")


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "360"])
def test_the_japanese_page_reads_as_one_on_a_phone(browser: Any, server: Server, viewport: dict[str, int],
                                                   tmp_path: Path) -> None:
    with opened(browser, server.base, viewport, locale="ja-JP") as page:
        ready(page)
        assert page.locator("html").get_attribute("lang") == "ja"
        assert page.title() == "プライバシーポリシー アシスタント"
        assert page.locator("#title").inner_text() == "プライバシーポリシー アシスタント"
        assert page.locator("#new-conversation").inner_text() == "新しい会話"
        assert page.locator("#send").inner_text() == "送信"
        assert page.locator("#lang-label").inner_text() == "言語"
        assert page.locator("#lang-auto").inner_text() == "自動"
        assert page.locator("#text-label").inner_text() == "メッセージ"
        assert "パスワード" in page.locator("#footer-note").inner_text()
        welcome = page.locator("#log li.welcome")
        assert [welcome.locator("button").nth(i).inner_text() for i in range(8)] == (
            [t["label"] for t in WELCOME["ja"]["topics"]] + [WELCOME["ja"]["request"]["label"],
                                                            WELCOME["ja"]["status"]["label"]])
        # No one-character-per-line wraps: every control is at least three characters wide and one line high,
        # the title at most two lines.
        for selector in ("#new-conversation", "#send", "#lang-label", "#log li.welcome button"):
            items = page.locator(selector)
            for i in range(items.count()):
                b = box(items.nth(i))
                size = float(items.nth(i).evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
                assert b["width"] >= 1.9 * size, (selector, i, b)
                assert b["height"] <= 2.6 * size, (selector, i, b)  # one line (with padding)
        title = box(page.locator("#title"))
        assert title["height"] <= 2 * 1.6 * 19.2 and title["width"] >= 8 * 19.2, title
        assert_no_horizontal_overflow(page)
        reply = click_choice(page, "クッキー・IPアドレス")
        assert reply.locator("cite.citation").inner_text().startswith("第12条")
        assert_reply_in_view(page, reply)
        assert_no_horizontal_overflow(page)
        shot(page, tmp_path, f"japanese-{viewport['width']}")


def test_when_the_store_cannot_be_written_the_page_says_so_and_keeps_the_text(browser: Any, server: Server,
                                                                               tmp_path: Path) -> None:
    """Issue 11 point 8: the SQLite file locked by another process (reads work, writes wait and then fail)."""
    import sqlite3

    from handoff.sqlite.store import DB_FILENAME

    with opened(browser, server.base, PHONE) as page:
        ready(page)
        type_message(page, "Please send me a copy of all the personal data you hold about me.")
        click_choice(page, "1. Yes, continue")
        locker = sqlite3.connect(server.data_dir / DB_FILENAME, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            page.fill("#text", "Jane Doe")
            page.click("#send")
            alert = page.locator("#log li.bot p.notice.alert")
            alert.wait_for(timeout=20_000)  # the server waits for the lock (busy timeout) before giving up
            assert alert.get_attribute("role") == "alert"
            expect(alert).to_contain_text("not saved")
            reply = last_bot(page)
            expect(reply).to_contain_text("full name")  # the same question again, not the next one
            assert_reply_in_view(page, reply)
            assert_in_view(page, alert, "the outage notice")
            assert page.input_value("#text") == "Jane Doe"
            shot(page, tmp_path, "store-unavailable")
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        reply = type_message(page, page.input_value("#text"))
        expect(reply).to_contain_text("email address")


def test_the_page_sends_each_answer_with_its_questions_step_token(browser: Any, server: Server) -> None:
    """Issue 11 point 7 through the page: buttons carry their reply's step token, typed text the newest question's,
    and restored buttons the token /api/resume gives."""
    with opened(browser, server.base, PHONE) as page:
        def exchange(action: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            """What the page sent to /api/chat and what it got back, for one action."""
            with page.expect_request("**/api/chat") as request, page.expect_response("**/api/chat") as response:
                action()
            sent: dict[str, Any] = json.loads(request.value.post_data or "{}")
            got: dict[str, Any] = response.value.json()
            return sent, got

        def restored_step() -> str:
            with page.expect_response("**/api/resume") as response:
                page.reload()
            page.locator("body[data-ready='1']").wait_for()
            step: str = response.value.json()["step"]
            return step

        ready(page)
        sent, got = exchange(lambda: type_message(page, "Please send me a copy of all the personal data you hold about me."))
        assert "step" not in sent and got["step"]  # nothing was asked before; now a question is open
        sent, next_got = exchange(lambda: click_choice(page, "1. Yes, continue"))
        assert sent["step"] == got["step"]
        sent, last = exchange(lambda: type_message(page, "Jane Doe"))
        assert sent["step"] == next_got["step"] != got["step"]
        step = restored_step()
        assert step == last["step"]
        sent, got = exchange(lambda: type_message(page, "jane@example.com"))
        assert sent["step"] == step
        step = restored_step()
        assert step == got["step"]
        sent, _ = exchange(lambda: click_choice(page, "1. I am the person concerned"))  # a restored button
        assert sent["step"] == step


def test_a_stale_button_in_another_tab_never_answers_a_later_question(browser: Any, server: Server) -> None:
    """Two tabs of one conversation: the summary is reached in one; the other's old "1. Yes, continue" is clicked.
    It must not confirm the request: the page is told it answered an earlier question and sees the current one."""
    context = browser.new_context(base_url=server.base, viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        first, second = context.new_page(), context.new_page()
        ready(first)
        type_message(first, "Please send me a copy of all the personal data you hold about me.")
        ready(second)  # the same session (one browser), restored at the first question
        stale = last_bot(second).locator(".choices.live button").first
        expect(stale).to_contain_text("1. Yes, continue")
        click_choice(first, "1. Yes, continue")
        for answer in ("Jane Doe", "jane@example.com"):
            type_message(first, answer)
        click_choice(first, "1. I am the person concerned")
        type_message(first, "everything")
        summary = click_choice(first, "1. Electronically")
        expect(summary).to_contain_text("Confirm and send")
        before = second.locator("#log li.bot").count()
        stale.click()
        reply = second.locator("#log li.bot").nth(before)
        reply.wait_for()
        assert "PRQ-" not in reply.inner_text()
        expect(reply.locator(".choices.live button").first).to_contain_text("Confirm and send")
    finally:
        context.close()
