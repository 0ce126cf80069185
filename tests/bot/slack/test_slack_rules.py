"""Slack by Slack's rules (issue 17), end to end: signed payloads in the shapes Slack sends (those of bolt-python's
scenario tests and Slack's documented examples) posted to a running `privacy-bot serve` whose Web API and response
URLs are the local mock; what the user sees is read from the recorded calls."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest

from slack_mock import BOT_USER_ID, SlackMock
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    SlackServer, block_actions, buttons, clarifying, dm, dm_event, event_callback, mention_event, message_shortcut, posted_text,
    posts, responses, select, slack_command, slack_mock, slack_server, text_input, unique, view_submission,
    wait_posts, wait_responses, wait_until,
)

pytestmark = pytest.mark.slow


def _session(server: SlackServer, channel: str, user: str) -> dict[str, Any]:
    with server.store() as store:
        return store.load_session(f"slack:T0MOCK:{channel}:{user}") or {}


def _opened(mock: SlackMock, trigger_id: str) -> list[Any]:
    return [c for c in mock.calls("views.open") if c.params.get("trigger_id") == trigger_id]


# -- point 1: acknowledgements never wait ---------------------------------------------------------------
def test_acks_stay_within_slacks_3_seconds_while_40_answers_wait_on_a_slow_slack(
        slack_server: SlackServer, slack_mock: SlackMock) -> None:
    """With every chat.postMessage taking 5 s and 40 DMs waiting on one, a command, a click and a form submission
    are still acknowledged at once (before, they queued behind the answers on one pool and Slack gave up)."""
    slack_mock.set_latency(5.0, "chat.postMessage")
    try:
        channels = [unique("D0BUSY") for _ in range(40)]
        for channel in channels:
            event = event_callback(dm_event("do you use cookies?", user="U" + channel[1:], channel=channel))
            assert slack_server.event(event).status == 200
        time.sleep(0.5)  # every answer is now waiting on the slow Slack
        user, channel = unique("U0ACK"), unique("C0ACK")
        url = slack_mock.response_url(unique("cmd"))
        command = slack_server.command(slack_command("do you use cookies?", user=user, channel=channel,
                                                     response_url=url))
        click = slack_server.interaction(block_actions(user=user, channel=unique("D0ACK"), action_id="choice_1",
                                                       value="1"))
        submission = slack_server.interaction(view_submission(
            user=user, view_id=unique("V0ACK"), callback_id="request_form",
            private_metadata=json.dumps({"t": "inquiry", "l": "en", "s": f"slack:T0MOCK:D0ACK:{user}"}),
            values={"name": text_input("Jiro Tanaka"), "email": {"type": "email_text_input", "value": "j@example.jp"},
                    "on_behalf": select("self"), "message": text_input("Please call me.")}))
        for response in (command, click, submission):
            assert response.status == 200 and response.seconds < 1.5, response
        wait_responses(slack_mock, url)  # the command's answer does not wait for the slow chat.postMessage
        wait_until(lambda: all(posts(slack_mock, c) for c in channels), timeout=40, what="the 40 answers")
    finally:
        slack_mock.set_latency(0, "chat.postMessage")


# -- point 2: retries for interactive replies --------------------------------------------------------------
@pytest.mark.parametrize("failure", [{"error": "ratelimited", "retry_after": 1}, {"status": 500},
                                     {"status": 503}])
def test_an_answer_survives_a_429_or_a_5xx_from_slack(slack_server: SlackServer, slack_mock: SlackMock,
                                                      failure: dict[str, Any]) -> None:
    user, channel = unique("U0RETRY"), unique("D0RETRY")
    slack_mock.fail("chat.postMessage", times=1, only=lambda params: params.get("channel") == channel, **failure)
    try:
        started = time.monotonic()
        assert slack_server.event(event_callback(dm_event("do you use cookies?", user=user, channel=channel))).status \
            == 200
        attempts = wait_until(lambda: [c for c in posts(slack_mock, channel) if c.status == 200] and posts(slack_mock,
                                                                                                         channel),
                              what="the retried answer")
    finally:
        slack_mock.recover("chat.postMessage")
    assert [c.status for c in attempts] == [429 if "error" in failure else failure["status"], 200]
    assert "Article 12 (" in posted_text(attempts[-1])
    if "retry_after" in failure:
        assert attempts[1].at - attempts[0].at >= 1.0 and time.monotonic() - started >= 1.0  # Retry-After honoured


def test_a_command_answer_survives_a_rate_limited_response_url(slack_server: SlackServer,
                                                               slack_mock: SlackMock) -> None:
    url = slack_mock.response_url(unique("cmd"))
    hook = url.rsplit("/", 1)[-1]
    slack_mock.fail("response_url", status=429, retry_after=1, times=1, only=lambda params: params.get("_hook") == hook)
    try:
        assert slack_server.command(slack_command("do you use cookies?", user=unique("U0RL"), channel=unique("C0RL"),
                                                  response_url=url)).status == 200
        answers = wait_until(lambda: [c for c in responses(slack_mock, url) if c.status == 200] and
                             responses(slack_mock, url), what="the retried response")
    finally:
        slack_mock.recover()
    assert [c.status for c in answers] == [429, 200] and "Article 12 (" in posted_text(answers[-1])


# -- point 3: formal requests are never collected in public ---------------------------------------------
def test_a_request_by_slash_command_in_a_channel_only_opens_the_modal(slack_server: SlackServer,
                                                                     slack_mock: SlackMock) -> None:
    user, channel = unique("U0PUB"), unique("C0GENERAL")
    url = slack_mock.response_url(unique("cmd"))
    fields = slack_command("I want my data deleted", user=user, channel=channel, response_url=url)
    assert slack_server.command(fields).status == 200
    [opened] = wait_until(lambda: _opened(slack_mock, fields["trigger_id"]), what="the modal")
    assert json.loads(opened.json_param("view")["private_metadata"])["t"] == "suspension"
    [answer] = wait_responses(slack_mock, url)
    text = posted_text(answer)
    assert answer.params["response_type"] == "ephemeral"
    assert "request form" in text and "open_request_form" in text
    assert "full name" not in text and "Yes, continue" not in text  # no chat form question
    assert "form" not in _session(slack_server, channel, user)  # nothing would take a typed answer in #general
    assert posts(slack_mock, channel) == []


def test_an_ephemeral_path_cancels_a_chat_form_under_way(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0MID"), unique("D0MID")
    first = dm(slack_server, slack_mock, "Send me all the data you hold on me", user, channel, 1)
    assert "Yes, continue" in posted_text(first) and _session(slack_server, channel, user).get("form")
    url = slack_mock.response_url(unique("cmd"))
    assert slack_server.command(slack_command("do you use cookies?", user=user, channel=channel,
                                              response_url=url)).status == 200
    [answer] = wait_responses(slack_mock, url)
    assert "Article 12 (" in posted_text(answer)  # the question was answered, not taken as a form answer
    assert not _session(slack_server, channel, user).get("form")


def test_a_request_in_a_public_thread_click_is_not_collected_there(slack_server: SlackServer,
                                                                    slack_mock: SlackMock) -> None:
    user, channel = unique("U0THR"), unique("C0THR")
    event = mention_event(f"<@{BOT_USER_ID}> I'd like a copy of all my data, please send it", user=user,
                          channel=channel)
    assert slack_server.event(event_callback(event)).status == 200
    [reply] = wait_posts(slack_mock, channel)
    assert reply.params["thread_ts"] == event["ts"] and "open_request_form" in buttons(reply)
    assert not [b for b in buttons(reply) if b.startswith("choice_")]
    assert "form" not in _session(slack_server, channel, user)


# -- point 4: people's messages with a subtype are answered -------------------------------------------------
def test_a_question_with_a_screenshot_or_sent_to_the_channel_is_answered(slack_server: SlackServer,
                                                                        slack_mock: SlackMock) -> None:
    user = unique("U0SUB")
    shared, broadcast = unique("D0FILE"), unique("D0BCAST")
    file = {"id": "F0SHOT", "created": 1700000000, "timestamp": 1700000000, "name": "screenshot.png",
            "title": "screenshot.png", "mimetype": "image/png", "filetype": "png", "user": user, "size": 51234,
            "mode": "hosted", "is_external": False, "is_public": False}
    events = [
        dm_event("do you use cookies? see the screenshot", user=user, channel=shared, subtype="file_share",
                 files=[file], upload=False, display_as_bot=False),
        dm_event("do you use cookies?", user=user, channel=broadcast, subtype="thread_broadcast",
                 thread_ts="1700000000.000100", root={"type": "message", "user": user, "text": "earlier",
                                                      "ts": "1700000000.000100", "thread_ts": "1700000000.000100"}),
    ]
    for event in events:
        assert slack_server.event(event_callback(event)).status == 200
    [with_file] = wait_posts(slack_mock, shared)
    [in_thread] = wait_posts(slack_mock, broadcast)
    assert "Article 12 (" in posted_text(with_file) and "Article 12 (" in posted_text(in_thread)
    assert in_thread.params["thread_ts"] == "1700000000.000100"


def test_system_subtypes_are_still_ignored(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0SYS"), unique("D0SYS")
    for subtype in ("channel_join", "bot_message", "message_changed", "me_message_edited", "file_comment"):
        assert slack_server.event(event_callback(dm_event("do you use cookies?", user=user, channel=channel,
                                                          subtype=subtype))).status == 200
    dm(slack_server, slack_mock, "what is personal data?", user, channel, 1)  # the control message
    time.sleep(0.3)
    assert len(posts(slack_mock, channel)) == 1


# -- point 5: buttons belong to the person who asked ------------------------------------------------------
def test_only_the_asker_can_use_the_choice_buttons_and_a_used_set_is_replaced(slack_server: SlackServer,
                                                                              slack_mock: SlackMock) -> None:
    asker, bystander, channel = unique("U0ASK"), unique("U0BY"), unique("C0PUBLIC")
    ask = clarifying()
    key, value = f"choice_{ask.number}", str(ask.number)
    event = mention_event(f"<@{BOT_USER_ID}> {ask.text}", user=asker, channel=channel)
    assert slack_server.event(event_callback(event)).status == 200
    [offer] = wait_posts(slack_mock, channel)
    assert key in buttons(offer)

    click = block_actions(user=bystander, channel=channel, action_id=key, value=value, message=offer,
                          thread_ts=event["ts"])
    assert slack_server.interaction(click).status == 200
    [note] = wait_until(lambda: [c for c in slack_mock.calls("chat.postEphemeral") if c.params["user"] == bystander],
                        what="the bystander's note")
    assert note.params["channel"] == channel and "someone else's question" in note.params["text"]
    time.sleep(0.3)
    updates = [c for c in slack_mock.calls("chat.update") if c.params["ts"] == offer.response["ts"]]
    assert len(posts(slack_mock, channel)) == 1 and updates == []  # nothing public changed

    label = buttons(offer)[key]["text"]["text"]
    assert slack_server.interaction(block_actions(user=asker, channel=channel, action_id=key, value=value,
                                                  message=offer, thread_ts=event["ts"])).status == 200
    [update] = wait_until(lambda: [c for c in slack_mock.calls("chat.update") if c.params["ts"] == offer.response["ts"]],
                          what="the used buttons replaced")
    assert not [b for b in buttons(update) if b.startswith("choice_")] and label in posted_text(update)
    answer = wait_posts(slack_mock, channel, 2)[1]
    assert answer.params["thread_ts"] == event["ts"] and f"Article {ask.article} (" in posted_text(answer)


def test_a_choice_on_an_ephemeral_answer_is_replaced_through_the_response_url(slack_server: SlackServer,
                                                                              slack_mock: SlackMock) -> None:
    user, channel = unique("U0EPH"), unique("C0EPH")
    ask = clarifying()
    url = slack_mock.response_url(unique("cmd"))
    assert slack_server.command(slack_command(ask.text, user=user, channel=channel, response_url=url)).status == 200
    [offer] = wait_responses(slack_mock, url)
    [actions] = [b for b in offer.params["blocks"] if b["type"] == "actions"]
    assert actions["block_id"] == f"reply_actions:{user}"
    click_url = slack_mock.response_url(unique("click"))
    click = block_actions(user=user, channel=channel, action_id=f"choice_{ask.number}", value=str(ask.number),
                          ephemeral=True, block_id=actions["block_id"], response_url=click_url)
    assert slack_server.interaction(click).status == 200
    chosen, answer = wait_responses(slack_mock, click_url, 2)
    assert chosen.params["replace_original"] is True and "Chosen" in posted_text(chosen)
    assert answer.params["replace_original"] is False and f"Article {ask.article} (" in posted_text(answer)
    assert posts(slack_mock, channel) == []


# -- point 7: App Home follows the user's requests --------------------------------------------------------
def test_app_home_is_republished_when_a_request_is_filed(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    from test_slack_support import file_request

    user = unique("U0HOME")
    reference, _ = file_request(slack_server, slack_mock, user, unique("D0HOME"))
    homes = wait_until(lambda: [c for c in slack_mock.calls("views.publish") if c.params["user_id"] == user],
                       timeout=20, what="App Home")  # once per submission (file_request sends its form twice)
    assert all(reference in json.dumps(home.json_param("view")) for home in homes)


# -- point 8: the message shortcut --------------------------------------------------------------------------
def test_the_message_shortcut_answers_only_the_user_who_used_it(slack_server: SlackServer,
                                                                slack_mock: SlackMock) -> None:
    user, channel = unique("U0SC"), unique("C0SC")
    url = slack_mock.response_url(unique("sc"))
    shortcut = message_shortcut(user=user, channel=channel, author=unique("U0AUTHOR"), response_url=url,
                                text="Do we put cookies on our customers' browsers?")
    response = slack_server.interaction(shortcut)
    assert response.status == 200 and response.body == b""
    [answer] = wait_responses(slack_mock, url)
    assert answer.params["response_type"] == "ephemeral" and "Article 12 (" in posted_text(answer)
    time.sleep(0.3)
    assert posts(slack_mock, channel) == []


def test_the_message_shortcut_on_a_request_offers_the_private_form(slack_server: SlackServer,
                                                                  slack_mock: SlackMock) -> None:
    user, channel = unique("U0SR"), unique("C0SR")
    url = slack_mock.response_url(unique("sc"))
    shortcut = message_shortcut(user=user, channel=channel, author=user, response_url=url,
                                text="please delete all the personal data you have about me")
    assert slack_server.interaction(shortcut).status == 200
    [answer] = wait_responses(slack_mock, url)
    assert "open_request_form" in posted_text(answer) and "full name" not in posted_text(answer)
    assert "form" not in _session(slack_server, channel, user)
    empty_url = slack_mock.response_url(unique("sc"))
    assert slack_server.interaction(message_shortcut(user=user, channel=channel, author=user, text="",
                                                     response_url=empty_url)).status == 200
    [note] = wait_responses(slack_mock, empty_url)
    assert "no text" in posted_text(note)


# -- point 2: what must arrive goes through the durable outbox ----------------------------------------------
def test_a_receipt_survives_a_429_on_conversations_open(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    """Issue 16's story: a 429 on conversations.open while a form was sent lost the receipt. Now the receipt is in
    the outbox with the ticket and arrives, once, after Slack's Retry-After."""
    from test_slack_support import file_request

    user = unique("U0LOST")
    slack_mock.fail("conversations.open", error="ratelimited", retry_after=1, times=1,
                    only=lambda params: params.get("users") == user)
    try:
        reference, _ = file_request(slack_server, slack_mock, user, unique("D0LOST"))
        opened = wait_until(lambda: [c for c in slack_mock.calls("conversations.open")
                                     if c.params["users"] == user and c.status == 200], timeout=30, what="the DM")
    finally:
        slack_mock.recover()
    assert [c.status for c in slack_mock.calls("conversations.open") if c.params["users"] == user][0] == 429
    dm_channel = opened[0].response["channel"]["id"]
    [receipt] = wait_posts(slack_mock, dm_channel)
    assert reference in posted_text(receipt)
    with slack_server.store() as store:
        [message] = [m for m in store.outbox_for([reference])[reference] if m.kind == "slack_receipt"]
        assert message.status == "sent" and message.attempts == 2 and message.payload == {}
    time.sleep(0.5)
    assert len(posts(slack_mock, dm_channel)) == 1


def test_status_dms_and_post_updates_survive_a_slack_outage(slack_server: SlackServer,
                                                            slack_mock: SlackMock) -> None:
    from test_slack_support import STAFF_CHANNEL, STAFF_USER, file_request

    user = unique("U0OUT")
    reference, _ = file_request(slack_server, slack_mock, user, unique("D0OUT"))
    [post] = wait_until(lambda: [c for c in posts(slack_mock, STAFF_CHANNEL) if reference in posted_text(c)],
                        what="staff post")
    dm_channel = wait_until(lambda: [c.response["channel"]["id"] for c in slack_mock.calls("conversations.open")
                                     if c.params["users"] == user and c.status == 200], what="receipt DM")[0]
    wait_posts(slack_mock, dm_channel)
    # the dispatcher backs off 5 s, then 10 s
    slack_mock.fail("chat.update", status=503, times=2, only=lambda params: params.get("ts") == post.response["ts"])
    slack_mock.fail("conversations.open", status=500, times=2, only=lambda params: params.get("users") == user)
    try:
        click = block_actions(user=STAFF_USER, channel=STAFF_CHANNEL, action_id="staff_claim", value=reference,
                              message_ts=post.response["ts"], block_id="ticket_actions")
        assert slack_server.interaction(click).status == 200
        [status_dm] = wait_until(lambda: len(p := posts(slack_mock, dm_channel)) >= 2 and p, timeout=40,
                                 what="the status DM")[1:]
        updates = wait_until(lambda: [c for c in slack_mock.calls("chat.update")
                                      if c.params["ts"] == post.response["ts"] and c.status == 200], timeout=40,
                             what="the post's update")
    finally:
        slack_mock.recover()
    assert reference in posted_text(status_dm) and "in progress" in posted_text(status_dm)
    assert "In progress" in posted_text(updates[0])
