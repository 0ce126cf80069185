"""Users in Slack, end to end: signed Slack payloads of real shapes posted to a running `privacy-bot serve`,
whose Slack Web API is the local mock; we assert what was sent to Slack and what was stored."""
from __future__ import annotations

import json
import time

import pytest

from handoff.tickets import Requester
from slack_mock import BOT_ID, BOT_USER_ID, SlackMock
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    STAFF_CHANNEL, SlackServer, block_actions, buttons, dm, dm_event, event_callback, file_request, home_event,
    mention_event, posted_text, posts, select, signed_headers, slack_command, slack_mock, slack_server,
    clarifying, text_input, unique, view_submission, wait_posts, wait_responses, wait_until,
)

pytestmark = pytest.mark.slow


def test_healthz_says_slack_is_on(slack_server: SlackServer) -> None:
    status, body = slack_server.get("/healthz")
    assert status == 200 and json.loads(body)["slack"] == "on"


def test_dm_question_is_answered_in_block_kit_with_the_article(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0A"), unique("D0A")
    reply = dm(slack_server, slack_mock, "What do you use my personal information for?", user, channel, 1)
    blocks = reply.json_param("blocks")
    assert blocks[0]["type"] == "section" and blocks[0]["text"]["type"] == "mrkdwn"
    [context] = [b for b in blocks if b["type"] == "context"]
    assert context["elements"][0]["text"].startswith("Article 3 (")
    assert "talk_to_person" in buttons(reply)
    assert reply.params.get("thread_ts") is None and reply.token == SlackMock.TOKEN


def test_japanese_message_gets_a_japanese_answer(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0J"), unique("D0J")
    reply = dm(slack_server, slack_mock, "クッキーは使っていますか？", user, channel, 1)
    assert "第12条" in posted_text(reply)
    assert buttons(reply)["talk_to_person"]["text"]["text"] == "担当者と話す"


def test_mention_is_answered_in_a_thread_without_the_mention(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0M"), unique("C0M")
    event = mention_event(f"<@{BOT_USER_ID}> do you use cookies?", user=user, channel=channel)
    assert slack_server.event(event_callback(event)).status == 200
    [reply] = wait_posts(slack_mock, channel)
    assert reply.params["thread_ts"] == event["ts"]
    assert "Article 12 (" in posted_text(reply)


def test_clarification_button_is_handled_as_the_users_message(slack_server: SlackServer,
                                                              slack_mock: SlackMock) -> None:
    user, channel = unique("U0C"), unique("D0C")
    ask = clarifying()
    first = dm(slack_server, slack_mock, ask.text, user, channel, 1)
    offered = buttons(first)
    key = f"choice_{ask.number}"
    value = offered[key]["value"]  # the number and the question's step token (bot/engine/steps.py)
    assert value.startswith(f"{ask.number}:") and offered[key]["text"]["text"].startswith(f"{ask.number}. ")
    click = block_actions(user=user, channel=channel, action_id=key, value=value, message=first)
    response = slack_server.interaction(click)
    assert response.status == 200 and response.seconds < 3
    second = wait_posts(slack_mock, channel, 2)[1]
    assert f"Article {ask.article} (" in posted_text(second)


def test_retried_event_is_processed_once(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0R"), unique("D0R")
    payload = event_callback(dm_event("do you use cookies?", user=user, channel=channel))
    assert slack_server.event(payload).status == 200
    assert slack_server.event(payload, retry=1).status == 200
    assert slack_server.event(payload, retry=2).status == 200
    wait_posts(slack_mock, channel)
    # A later, different message is answered; by then the retries have long been handled.
    dm(slack_server, slack_mock, "thanks", user, channel, 2)
    time.sleep(0.3)
    assert len(posts(slack_mock, channel)) == 2
    with slack_server.store() as store:  # the de-duplication key lives in the store
        assert not store.mark_once(f"slack-event:{payload['event_id']}", 60)


@pytest.mark.parametrize("case", ["bad", "stale", "missing", "other_secret"])
def test_bad_or_stale_signatures_get_401_and_nothing_happens(slack_server: SlackServer, slack_mock: SlackMock,
                                                             case: str) -> None:
    channel = unique("D0S")
    payload = event_callback(dm_event("do you use cookies?", user=unique("U0S"), channel=channel))
    body = json.dumps(payload).encode()
    headers = signed_headers(body)
    if case == "bad":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif case == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 600)
    elif case == "missing":
        del headers["X-Slack-Signature"]
    else:
        headers = signed_headers(body, secret="not-the-secret")
    assert slack_server.post(body, headers).status == 401
    time.sleep(0.3)
    assert posts(slack_mock, channel) == []


def test_bots_edits_and_own_messages_are_ignored(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0I"), unique("D0I")
    ignored = [
        dm_event("do you use cookies?", user=user, channel=channel, subtype="message_changed",
                 message={"type": "message", "user": user, "text": "do you use cookies?", "ts": "1.1"}),
        dm_event("do you use cookies?", user=user, channel=channel, subtype="message_deleted"),
        dm_event("do you use cookies?", user="U0OTHERBOT", channel=channel, bot_id="B0OTHER", subtype="bot_message"),
        dm_event("do you use cookies?", user="U0OTHERBOT", channel=channel, bot_id="B0OTHER"),
        dm_event("do you use cookies?", user=BOT_USER_ID, channel=channel, bot_id=BOT_ID),
    ]
    for event in ignored:
        assert slack_server.event(event_callback(event)).status == 200
    dm(slack_server, slack_mock, "do you use cookies?", user, channel, 1)  # the control message
    time.sleep(0.3)
    assert len(posts(slack_mock, channel)) == 1


def test_url_verification_is_answered(slack_server: SlackServer) -> None:
    response = slack_server.event({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                                   "type": "url_verification"})
    assert response.status == 200 and b"3eZbrw1aBm2rZgRNFdxV" in response.body


def test_slash_command_answers_through_its_response_url(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    """Issue 17 point 6: respond() works in channels the bot is not in, where chat.postEphemeral fails."""
    user, channel = unique("U0P"), unique("C0P")
    slack_mock.handle("chat.postEphemeral", lambda params: {"ok": False, "error": "channel_not_found"})
    try:
        url = slack_mock.response_url(unique("cmd"))
        response = slack_server.command(slack_command("do you use cookies?", user=user, channel=channel,
                                                      response_url=url))
        assert response.status == 200 and response.body == b"" and response.seconds < 3
        [answer] = wait_responses(slack_mock, url)
        assert answer.params["response_type"] == "ephemeral" and "Article 12 (" in posted_text(answer)
        time.sleep(0.3)
        assert posts(slack_mock, channel) == [] and posts(slack_mock, channel, "chat.postEphemeral") == []
    finally:
        slack_mock.handle("chat.postEphemeral", SlackMock()._post_ephemeral)


def test_slash_command_help_lists_topics(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0H"), unique("C0H")
    url = slack_mock.response_url(unique("cmd"))
    assert slack_server.command(slack_command("", user=user, channel=channel, response_url=url)).status == 200
    [answer] = wait_responses(slack_mock, url)
    assert "/privacy status PRQ-" in posted_text(answer) and "Cookies" in posted_text(answer)


def test_full_request_through_the_modal_opens_one_ticket(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0F"), unique("D0F")
    reference, _ = file_request(slack_server, slack_mock, user, channel)
    # The receipt is DMed once (conversations.open, then chat.postMessage in the DM it returned).
    opened = wait_until(lambda: [c for c in slack_mock.calls("conversations.open") if c.params["users"] == user],
                        what="conversations.open")
    dm_channel = opened[0].response["channel"]["id"]
    [receipt] = wait_posts(slack_mock, dm_channel)
    assert reference in posted_text(receipt) and "hanako@example.jp" in posted_text(receipt)
    # Staff hear of it in their channel: reference, type, article, due date; not who it is (issue 17 point 9:
    # SLACK_STAFF_SHOW_REQUESTER is off by default, and a mention would show the name to the whole channel).
    staff = wait_until(lambda: [c for c in posts(slack_mock, STAFF_CHANNEL) if reference in posted_text(c)],
                       what="staff post")
    text = posted_text(staff[0])
    assert user not in text and "Requester" not in text and "Article 7" in text and "Due" in text
    assert "Hanako" not in text and "hanako@example.jp" not in text and "everything" not in text
    assert {"staff_claim", "staff_waiting", "staff_resolve", "staff_reject"} <= set(buttons(staff[0]))
    time.sleep(0.5)
    with slack_server.store() as store:
        tickets = store.list_tickets(requester=Requester("slack", user, "x"))
        assert [t.reference for t in tickets] == [reference]
        ticket = tickets[0]
        assert ticket.contact.email == "hanako@example.jp" and ticket.answers["scope"] == "everything"
        assert ticket.contact.verified_at is None, "without SMTP: email not verified"
        assert ticket.requester.session_id == f"slack:T0MOCK:modal:{user}"  # its receipt is DMed at once
        assert sorted(m.kind for m in store.outbox_for([reference])[reference]) == ["slack_receipt", "staff_alert"]
        assert (store.load_session(f"slackpost:{reference}") or {}).get("channel") == STAFF_CHANNEL
    assert len(posts(slack_mock, dm_channel)) == 1
    # The chat-style form that the request started was closed: the next question is answered as a question.
    follow_up = dm(slack_server, slack_mock, "do you use cookies?", user, channel, 2)
    assert "Article 12 (" in posted_text(follow_up)


def test_modal_validation_errors_come_back_on_the_fields(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user = unique("U0V")
    submission = view_submission(user=user, view_id=unique("V0"), callback_id="request_form",
                                 private_metadata=json.dumps({"t": "disclosure", "l": "en", "s": f"slack:T0MOCK:D1:{user}"}),
                                 values={"name": text_input("Hanako"), "email": {"type": "email_text_input",
                                                                                  "value": "not-an-email"},
                                         "on_behalf": select("representative"), "scope": text_input("everything")})
    response = slack_server.interaction(submission)
    assert response.status == 200
    data = response.json()
    assert data["response_action"] == "errors"
    assert set(data["errors"]) == {"email", "rep_name", "rep_relationship", "delivery"}
    assert "valid email" in data["errors"]["email"]
    time.sleep(0.3)
    with slack_server.store() as store:
        assert store.list_tickets(requester=Requester("slack", user, "x")) == []


def test_chat_style_form_still_works_for_users_who_type(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0T"), unique("D0T")
    first = dm(slack_server, slack_mock, "Send me all the data you hold on me", user, channel, 1)
    assert buttons(first)["choice_1"]["text"]["text"] == "1. Yes, continue"
    # A click on a form choice answers the chat form like typing its number; it does not pop up the modal.
    click = block_actions(user=user, channel=channel, action_id="choice_1", value="1", message_ts=first.response["ts"])
    assert slack_server.interaction(click).status == 200
    asks_name = wait_posts(slack_mock, channel, 2)[1]
    assert "full name" in posted_text(asks_name)
    assert not [c for c in slack_mock.calls("views.open") if c.params["trigger_id"] == click["trigger_id"]]
    answers = ["Taro Suzuki", "taro@example.jp", "1", "everything", "1", "confirm"]
    for n, text in enumerate(answers, start=3):
        last = dm(slack_server, slack_mock, text, user, channel, n)
    with slack_server.store() as store:
        [ticket] = store.list_tickets(requester=Requester("slack", user, "x"))
    assert ticket.reference in posted_text(last) and ticket.contact.name == "Taro Suzuki"
    wait_until(lambda: [c for c in posts(slack_mock, STAFF_CHANNEL) if ticket.reference in posted_text(c)],
               what="staff post")


def test_request_in_a_channel_is_taken_privately(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0Q"), unique("C0Q")
    event = mention_event(f"<@{BOT_USER_ID}> send me all the data you hold on me", user=user, channel=channel)
    assert slack_server.event(event_callback(event)).status == 200
    [reply] = wait_posts(slack_mock, channel)
    assert reply.params["thread_ts"] == event["ts"]
    assert "open_request_form" in buttons(reply) and "choice_1" not in buttons(reply)
    # The chat form did not start in the channel: typing a name there is not taken as an answer.
    with slack_server.store() as store:
        assert "form" not in (store.load_session(f"slack:T0MOCK:{channel}:{user}") or {})


def test_slash_command_request_opens_the_modal_directly(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0D"), unique("C0D")
    fields = slack_command("I want to talk to a real person", user=user, channel=channel)
    assert slack_server.command(fields).status == 200
    opened = wait_until(lambda: [c for c in slack_mock.calls("views.open") if c.params["trigger_id"] == fields["trigger_id"]],
                        what="views.open")
    view = opened[0].json_param("view")
    assert json.loads(view["private_metadata"])["t"] == "inquiry"
    assert "message" in {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


def test_status_command_and_app_home_show_only_the_users_own_requests(slack_server: SlackServer,
                                                                      slack_mock: SlackMock) -> None:
    user, channel = unique("U0W"), unique("D0W")
    reference, _ = file_request(slack_server, slack_mock, user, channel)
    url = slack_mock.response_url(unique("cmd"))
    assert slack_server.command(slack_command(f"status {reference}", user=user, channel=channel,
                                              response_url=url)).status == 200
    [mine] = wait_responses(slack_mock, url)
    assert reference in posted_text(mine) and "received, waiting for staff" in posted_text(mine)
    stranger, elsewhere = unique("U0X"), unique("D0X")
    url = slack_mock.response_url(unique("cmd"))
    assert slack_server.command(slack_command(f"status {reference}", user=stranger, channel=elsewhere,
                                              response_url=url)).status == 200
    [theirs] = wait_responses(slack_mock, url)
    assert reference not in posted_text(theirs) and "can't find" in posted_text(theirs)

    assert slack_server.event(event_callback(home_event(user))).status == 200
    published = wait_until(lambda: [c for c in slack_mock.calls("views.publish") if c.params["user_id"] == user],
                           what="views.publish")
    home = published[0].json_param("view")
    assert home["type"] == "home"
    text = json.dumps(home, ensure_ascii=False)
    assert reference in text and "received, waiting for staff" in text and "Cookies" in text
    assert slack_server.event(event_callback(home_event(stranger))).status == 200
    other = wait_until(lambda: [c for c in slack_mock.calls("views.publish") if c.params["user_id"] == stranger],
                       what="views.publish")
    assert reference not in json.dumps(other[0].json_param("view"))


def test_app_home_follows_the_users_slack_language(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user = unique("U0L")
    slack_mock.users[user] = {"locale": "ja-JP"}
    assert slack_server.event(event_callback(home_event(user))).status == 200
    published = wait_until(lambda: [c for c in slack_mock.calls("views.publish") if c.params["user_id"] == user],
                           what="views.publish")
    assert "あなたのご請求" in json.dumps(published[0].json_param("view"), ensure_ascii=False)


def test_logs_carry_no_message_text(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0G"), unique("D0G")
    secret = "do you use cookies? my code is ZEBRA-4411, mail hanako.secret@example.jp"
    dm(slack_server, slack_mock, secret, user, channel, 1)
    body = json.dumps(event_callback(dm_event(secret, user=user, channel=channel))).encode()
    headers = signed_headers(body)
    headers["X-Slack-Signature"] = "v0=" + "1" * 64
    assert slack_server.post(body, headers).status == 401
    unhandled = {"type": "message_action", "callback_id": "not_ours", "trigger_id": "1.2.3", "token": "t",
                 "team": {"id": "T0MOCK", "domain": "mock"}, "user": {"id": user, "name": "someone"},
                 "channel": {"id": channel, "name": "directmessage"}, "action_ts": "1.2",
                 "message_ts": "1.1", "response_url": "https://hooks.slack.com/x",
                 "message": {"type": "message", "user": user, "ts": "1.1", "text": secret}}
    slack_server.interaction(unhandled)
    time.sleep(0.3)
    log = slack_server.log.read_text(errors="replace")
    assert "ZEBRA-4411" not in log and "hanako.secret" not in log
