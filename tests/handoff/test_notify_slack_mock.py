"""The local Slack Web API mock (tests/slack_mock.py) answers like Slack, so later front-end tests can rely on it."""
from __future__ import annotations

import json
import time
import urllib.request

import pytest
from slack_mock import SlackMock
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@pytest.fixture()
def client(slack_api: SlackMock) -> WebClient:
    return WebClient(token=SlackMock.TOKEN, base_url=slack_api.url)


def test_url_is_loopback_and_ends_in_api(slack_api: SlackMock) -> None:
    assert slack_api.url.startswith("http://127.0.0.1:") and slack_api.url.endswith("/api/")


def test_canned_answers(slack_api: SlackMock, client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("U0BOT", "B0BOT", "T0MOCK")
    posted = client.chat_postMessage(channel="C1", text="hello", blocks=[{"type": "divider"}])
    assert posted["channel"] == "C1" and posted["message"]["text"] == "hello"
    assert posted["message"]["blocks"] == [{"type": "divider"}]
    again = client.chat_postMessage(channel="C1", text="again")
    assert float(again["ts"]) > float(posted["ts"])
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="edited")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", posted["ts"], "edited")
    view = {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=view)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "cb"
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert home["type"] == "home" and home["id"]
    user = client.users_info(user="U123")["user"]
    assert (user["id"], user["tz"]) == ("U123", "Asia/Tokyo") and user["name"] and user["real_name"]
    dm = client.conversations_open(users="U123")["channel"]["id"]
    assert dm.startswith("D") and dm == client.conversations_open(users="U123")["channel"]["id"]
    assert [c.method for c in slack_api.calls()] == [
        "auth.test", "chat.postMessage", "chat.postMessage", "chat.postEphemeral", "chat.update", "views.open",
        "views.publish", "users.info", "conversations.open", "conversations.open"]


def test_records_params_and_headers(slack_api: SlackMock, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="日本語 ✓")
    [call] = slack_api.calls("chat.postMessage")
    assert call.params == {"channel": "C1", "text": "日本語 ✓"}
    assert call.headers["authorization"] == f"Bearer {SlackMock.TOKEN}"
    assert call.headers["content-type"].startswith("application/json")
    assert call.status == 200
    client.api_call("users.info", http_verb="POST", data={"user": "U9"})  # form-encoded body
    assert slack_api.calls("users.info")[0].params == {"user": "U9"}


def test_auth_errors_and_unknown_methods(slack_api: SlackMock, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-nope", base_url=slack_api.url).chat_postMessage(channel="C1", text="x")
    assert wrong.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=slack_api.url).chat_postMessage(channel="C1", text="x")
    assert missing.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("does.notExist")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as no_text:
        client.api_call("chat.postMessage", json={"channel": "C1"})  # (chat_postMessage would warn first)
    assert no_text.value.response["error"] == "no_text"


def test_fail_recover_and_times(slack_api: SlackMock, client: WebClient) -> None:
    slack_api.fail("chat.postMessage", error="ratelimited")
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert limited.value.response["error"] == "ratelimited"
    client.auth_test()  # other methods unaffected
    slack_api.recover("chat.postMessage")
    client.chat_postMessage(channel="C1", text="x")

    slack_api.fail("chat.postMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C1", text="x")
        assert failed.value.response.status_code == 500
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in slack_api.calls("chat.postMessage")] == [429, 200, 500, 500, 200]


def test_latency_and_wait_for(slack_api: SlackMock, client: WebClient) -> None:
    slack_api.set_latency(0.3, "auth.test")
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    slack_api.set_latency(0, "auth.test")
    assert len(slack_api.wait_for("auth.test", 1, timeout=0.1)) == 1
    with pytest.raises(AssertionError, match="chat.update"):
        slack_api.wait_for("chat.update", timeout=0.1)


def test_custom_handler_and_reset(slack_api: SlackMock, client: WebClient) -> None:
    slack_api.handle("team.info", lambda params: {"ok": True, "team": {"id": "T0MOCK", "name": "Mock Team"}})
    assert client.team_info()["team"]["name"] == "Mock Team"
    slack_api.reset()
    assert slack_api.calls() == []


def test_plain_http_clients_work_too(slack_api: SlackMock) -> None:
    request = urllib.request.Request(slack_api.url + "auth.test", data=f"token={SlackMock.TOKEN}".encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    assert slack_api.calls("auth.test")[0].token == SlackMock.TOKEN


# -- what the mock keeps: history, threads and message metadata ----------------------------------------------
META = {"event_type": "privacy_bot_outbox", "event_payload": {"outbox_id": "abc"}}


def test_history_keeps_posts_newest_first_with_metadata_only_when_asked(slack_api: SlackMock,
                                                                         client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="one", metadata=META)
    second = client.chat_postMessage(channel="C1", text="two")
    client.chat_postMessage(channel="C2", text="elsewhere")
    assert float(first["ts"]) > 1_600_000_000 and float(second["ts"]) > float(first["ts"])  # the wall clock
    plain = client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["two", "one"] and plain["has_more"] is False
    assert all("metadata" not in m for m in plain["messages"])
    full = client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == META and "metadata" not in full["messages"][0]
    assert full["messages"][1]["ts"] == first["ts"] and full["messages"][1]["bot_id"] == "B0BOT"
    assert client.conversations_history(channel="C9")["messages"] == []
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_history(channel="not-an-id")
    assert unknown.value.response["error"] == "channel_not_found"


def test_history_time_range_limit_and_cursor(slack_api: SlackMock, client: WebClient) -> None:
    posted = [client.chat_postMessage(channel="C1", text=f"m{i}")["ts"] for i in range(5)]
    after = client.conversations_history(channel="C1", oldest=posted[2])
    assert [m["text"] for m in after["messages"]] == ["m4", "m3"]
    inclusive = client.conversations_history(channel="C1", oldest=posted[2], inclusive=True, latest=posted[3])
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2"]
    page = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"] and page["has_more"] is True
    rest = client.conversations_history(channel="C1", limit=2, cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1"]
    last = client.conversations_history(channel="C1", limit=2, cursor=rest["response_metadata"]["next_cursor"])
    assert [m["text"] for m in last["messages"]] == ["m0"] and not last["has_more"]
    assert last["response_metadata"]["next_cursor"] == ""


def test_thread_replies_are_not_in_history_and_replies_answers_the_thread(slack_api: SlackMock,
                                                                           client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="post")["ts"]
    client.chat_postMessage(channel="C1", thread_ts=parent, text="line 1", metadata=META)
    client.chat_postMessage(channel="C1", thread_ts=parent, text="line 2")
    assert [m["text"] for m in client.conversations_history(channel="C1")["messages"]] == ["post"]
    thread = client.conversations_replies(channel="C1", ts=parent, include_all_metadata=True)["messages"]
    assert [m["text"] for m in thread] == ["post", "line 1", "line 2"]
    assert thread[1]["metadata"] == META and thread[1]["thread_ts"] == parent and thread[0]["reply_count"] == 2
    with pytest.raises(SlackApiError) as missing:
        client.conversations_replies(channel="C1", ts="1.000000")
    assert missing.value.response["error"] == "thread_not_found"
    assert [m["text"] for m in slack_api.messages("C1", thread_ts=parent)] == ["line 1", "line 2"]


def test_invalid_metadata_is_dropped_with_a_warning_and_updates_keep_it(slack_api: SlackMock,
                                                                         client: WebClient) -> None:
    bad = client.chat_postMessage(channel="C1", text="x", metadata={"event_type": "has.period", "event_payload": {}})
    assert bad["ok"] and bad["warning"] == "invalid_metadata_schema"
    good = client.chat_postMessage(channel="C1", text="y", metadata=META)
    client.chat_update(channel="C1", ts=good["ts"], text="y edited")
    stored = slack_api.messages("C1")
    assert "metadata" not in stored[0] and stored[1]["metadata"] == META and stored[1]["text"] == "y edited"
    client.api_call("chat.postMessage", http_verb="POST",  # a form body carries the metadata as JSON text
                    data={"channel": "C1", "text": "z", "metadata": json.dumps(META)})
    assert slack_api.messages("C1")[2]["metadata"] == META
    slack_api.reset()
    assert slack_api.messages("C1") == []
