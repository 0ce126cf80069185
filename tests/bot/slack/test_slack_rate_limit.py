"""Slack users over the rate limit (issue #7 point 1): a polite private "please wait", the message is not processed,
and Slack still gets its acknowledgement at once.

In process (the Slack chat handlers with a spy on the conversation core, the Web API on the local mock) and end to
end (signed events to a running `privacy-bot serve`, whose store keeps the buckets)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from slack_sdk import WebClient

from handoff import session_log
from bot.app import Services, build_services
from bot.config import Settings
from bot.ratelimit import RateLimiter
from bot.slack.chat import SlackChat, session_id
from slack_mock import BOT_USER_ID, TEAM_ID, SlackMock
from test_rate_limit import spy_on_core
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    SlackServer, block_actions, dm_event, event_callback, mention_event, posted_text, posts, responses, slack_command,
    slack_mock, slack_server, unique, wait_posts, wait_until,
)

#: For the end-to-end server (read by the `slack_server` fixture): 2 messages at once, then one a minute.
SLACK_EXTRA_ENV = {"PRIVACY_BOT_RATE_SESSION": "1", "PRIVACY_BOT_RATE_SESSION_BURST": "2"}
WAIT_EN = "You're sending messages faster than I can answer; please wait 60 seconds and send your message again."
T0 = 1_800_000_000.0


class Clock:
    now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def limited(tmp_path: Path, slack_api: SlackMock,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SlackChat, list[str], Clock]]:
    """A SlackChat on real services whose conversation core records what it is asked to handle."""
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path), **SLACK_EXTRA_ENV})
    services: Services = build_services(settings)
    clock = Clock()
    services.rate_limiter = RateLimiter(services.store, settings, clock=clock)
    handled = spy_on_core(services, monkeypatch)
    chat = SlackChat(services=services, client=WebClient(token=SlackMock.TOKEN, base_url=slack_api.url))
    try:
        yield chat, handled, clock
    finally:
        services.close()


def test_a_slack_user_over_the_limit_is_asked_to_wait_and_not_processed(
        limited: tuple[SlackChat, list[str], Clock], slack_api: SlackMock) -> None:
    chat, handled, clock = limited
    user, channel = "U0FLOOD", "D0FLOOD"
    for n in range(4):
        chat.on_message(dm_event(f"do you use cookies {n}?", user=user, channel=channel), TEAM_ID, BOT_USER_ID)
    assert handled == ["do you use cookies 0?", "do you use cookies 1?"]
    assert len(posts(slack_api, channel)) == 2  # the two answers, nothing for the refused messages
    [notice] = posts(slack_api, channel, "chat.postEphemeral")  # one notice per wait, not one per message
    assert notice.params["user"] == user and notice.params["text"] == WAIT_EN
    # Other users are not affected; a minute later this one is answered again.
    chat.on_message(dm_event("do you use cookies?", user="U0CALM", channel="D0CALM"), TEAM_ID, BOT_USER_ID)
    clock.now += 60
    chat.on_message(dm_event("and now?", user=user, channel=channel), TEAM_ID, BOT_USER_ID)
    assert handled[2:] == ["do you use cookies?", "and now?"]


def test_commands_mentions_and_clicks_share_the_users_bucket(limited: tuple[SlackChat, list[str], Clock],
                                                             slack_api: SlackMock) -> None:
    chat, handled, _ = limited
    user, channel = "U0MIX", "C0MIX"
    url = slack_api.response_url(unique("cmd"))
    chat.on_command(slack_command("do you use cookies?", user=user, channel=channel, response_url=url))
    chat.on_mention(mention_event(f"<@{BOT_USER_ID}> what is personal data?", user=user, channel=channel),
                    TEAM_ID, BOT_USER_ID)
    assert len(handled) == 2
    slack_api.reset()
    chat.on_choice(block_actions(user=user, channel=channel, action_id="choice_1", value="1"))
    chat.on_mention(mention_event(f"<@{BOT_USER_ID}> and cookies?", user=user, channel=channel), TEAM_ID,
                    BOT_USER_ID)
    assert len(handled) == 2 and posts(slack_api, channel) == []
    [notice] = posts(slack_api, channel, "chat.postEphemeral")
    assert notice.params["user"] == user and notice.params["text"] == WAIT_EN and responses(slack_api, url) == []
    # A mention over the limit is answered privately in its thread.
    other = "U0THREAD"
    for n in range(3):
        event = mention_event(f"<@{BOT_USER_ID}> question {n}", user=other, channel=channel)
        chat.on_mention(event, TEAM_ID, BOT_USER_ID)
    [notice] = [c for c in posts(slack_api, channel, "chat.postEphemeral") if c.params["user"] == other]
    assert notice.params["thread_ts"] == event["ts"] and len(handled) == 4


def test_the_notice_is_sent_once_per_wait_and_in_the_users_language(limited: tuple[SlackChat, list[str], Clock],
                                                                    slack_api: SlackMock) -> None:
    chat, handled, clock = limited
    user, channel = "U0JA", "D0JA"
    for text in ("クッキーは使っていますか？", "個人情報とは？", "開示請求したい", "まだですか"):
        chat.on_message(dm_event(text, user=user, channel=channel), TEAM_ID, BOT_USER_ID)
    assert len(handled) == 2
    [notice] = posts(slack_api, channel, "chat.postEphemeral")
    assert notice.params["text"] == "メッセージの送信が速すぎるため、お答えが追いつきません。60秒ほど待ってから、もう一度お送りください。"
    clock.now += 30  # half a token back: still waiting, the notice's 60 s mark has not run out
    chat.on_message(dm_event("もしもし", user=user, channel=channel), TEAM_ID, BOT_USER_ID)
    assert len(posts(slack_api, channel, "chat.postEphemeral")) == 1 and len(handled) == 2


def test_over_the_limit_a_slash_command_answers_privately(limited: tuple[SlackChat, list[str], Clock],
                                                          slack_api: SlackMock) -> None:
    chat, handled, _ = limited
    user, channel = "U0CMD", "C0CMD"
    urls = [slack_api.response_url(unique("cmd")) for _ in range(3)]
    for n, url in enumerate(urls):
        chat.on_command(slack_command(f"cookies {n}", user=user, channel=channel, response_url=url))
    assert handled == ["cookies 0", "cookies 1"]
    assert posts(slack_api, channel, "chat.postEphemeral") == []  # all through the commands' response URLs
    [notice] = responses(slack_api, urls[2])
    assert notice.params["text"] == WAIT_EN and notice.params["response_type"] == "ephemeral"


@pytest.mark.slow
def test_end_to_end_the_flood_is_acknowledged_and_only_the_allowed_messages_are_answered(
        slack_server: SlackServer, slack_mock: SlackMock) -> None:
    user, channel = unique("U0RL"), unique("D0RL")
    texts = ["do you use cookies?", "what is personal data?", "third message", "fourth message"]
    # One at a time (Slack's events are handled on a thread pool, so order is only certain this way) ...
    for count, text in enumerate(texts[:2], 1):
        posted = slack_server.event(event_callback(dm_event(text, user=user, channel=channel)))
        assert posted.status == 200 and posted.seconds < 3
        wait_posts(slack_mock, channel, count)
    # ... then a flood over the limit: still acknowledged at once.
    for text in texts[2:]:
        posted = slack_server.event(event_callback(dm_event(text, user=user, channel=channel)))
        assert posted.status == 200 and posted.seconds < 3
    [notice] = wait_until(lambda: posts(slack_mock, channel, "chat.postEphemeral"), what="the notice")
    assert notice.params["user"] == user and notice.params["text"] == WAIT_EN
    time.sleep(0.5)  # anything else would have been posted by now
    answers = posts(slack_mock, channel)
    assert len(answers) == 2 and len(posts(slack_mock, channel, "chat.postEphemeral")) == 1
    assert "third message" not in "".join(posted_text(a) for a in answers)
    with slack_server.store() as store:  # the refused messages were not stored either
        sid = session_id(TEAM_ID, channel, user)
        state = store.load_session(sid) or {}
        said = [t["text"] for t in session_log.recent(store, sid, state) if t["role"] == "user"]
        assert said == texts[:2]
