"""The Slack app's modes and limits: acknowledgement within 3 s over a deliberately slow store and a slow Slack,
Socket Mode (offline: the handler's websocket cannot be reached, so requests are fed to it directly), the app
manifest, the settings, and the Block Kit limits."""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
import uvicorn
import yaml
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.app import build_routing, build_services
from bot.config import ConfigError, Settings
from bot.engine.messages import Choice, Reply
from bot.slack.app import build_slack_app, run_socket_mode, socket_mode_handler
from bot.slack.blocks import SECTION_LIMIT, reply_blocks, split_mrkdwn
from bot.slack.chat import ASK_SHORTCUT
from bot.web.app import create_app
from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Contact, Requester, Ticket, TicketDraft
from slack_mock import SlackMock
from test_slack_support import (
    SECRET, SlackEndpoint, dm_event, event_callback, free_port, posts, responses, select, slack_command, slack_env,
    text_input, unique, view_submission, wait_until,
)

REPO = Path(__file__).resolve().parents[3]
SLOW = 3.5  # seconds per store write: more than Slack's 3-second budget on its own


class SlowStore(SQLiteStore):
    """A store whose every write the Slack front end makes takes longer than Slack waits for an answer."""

    def save_session(self, session_id: str, state: Mapping[str, Any], ttl_seconds: int, log: Any = None) -> None:
        time.sleep(SLOW)
        super().save_session(session_id, state, ttl_seconds, log)

    def mark_once(self, key: str, ttl_seconds: int) -> bool:
        time.sleep(SLOW)
        return super().mark_once(key, ttl_seconds)

    def create_ticket(self, draft: TicketDraft, *, idempotency_key: str, now: float) -> Ticket:
        time.sleep(SLOW)
        return super().create_ticket(draft, idempotency_key=idempotency_key, now=now)


def _settings(mock: SlackMock, tmp_path: Path, **extra: str) -> Settings:
    env = slack_env(mock, tmp_path / "data", **extra)
    return Settings.from_env({k: v for k, v in env.items() if k.startswith(("PRIVACY_BOT_", "SLACK_"))})


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[str]:
    """uvicorn on a free loopback port in a thread (the app and its store live in this process)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=10, what="uvicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.slow
def test_every_request_is_acknowledged_within_3s_with_a_slow_store_and_a_slow_slack(tmp_path: Path,
                                                                                    slack_api: SlackMock) -> None:
    settings = _settings(slack_api, tmp_path)
    services = build_services(settings, store=SlowStore.in_dir(settings.data_dir, outbox_rules=build_routing(settings)))
    services.dispatcher.start()  # as `privacy-bot serve` does: the receipt DM goes through the outbox
    slack_api.set_latency(SLOW, "response_url")
    user, channel = unique("U0SLOW"), unique("D0SLOW")
    try:
        with _serving(create_app(services)) as base:
            slack = SlackEndpoint(base)
            dm = slack.event(event_callback(dm_event("do you use cookies?", user=user, channel=channel)))
            url = slack_api.response_url(unique("cmd"))
            command = slack.command(slack_command("do you use cookies?", user=user, channel=channel, response_url=url))
            submission = slack.interaction(view_submission(
                user=user, view_id=unique("V0SLOW"), callback_id="request_form",
                private_metadata=json.dumps({"t": "inquiry", "l": "en", "s": f"slack:T0MOCK:{channel}:{user}"}),
                values={"name": text_input("Jiro Tanaka"), "email": {"type": "email_text_input", "value": "j@example.jp"},
                        "on_behalf": select("self"), "message": text_input("Please call me.")}))
            for response in (dm, command, submission):
                assert response.status == 200 and response.seconds < 3.0, response
            # The work was done after the acknowledgements, not dropped.
            [answer] = wait_until(lambda: posts(slack_api, channel), timeout=20, what="DM answer")
            assert "Article 12 (" in str(answer.params.get("blocks"))
            wait_until(lambda: responses(slack_api, url), timeout=20, what="the command's answer")
            [opened] = wait_until(lambda: [c for c in slack_api.calls("conversations.open")
                                           if c.params["users"] == user], timeout=20, what="receipt DM")
            [receipt] = wait_until(lambda: posts(slack_api, opened.response["channel"]["id"]), what="receipt")
            [ticket] = services.store.list_tickets(requester=Requester("slack", user, "x"))
            assert ticket.reference in str(receipt.params["text"])
    finally:
        services.close()


def test_without_slack_settings_the_web_app_has_no_slack_endpoint(tmp_path: Path) -> None:
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"),
                                                 "SLACK_BOT_TOKEN": "xoxb-only-a-token"}))
    try:
        assert not services.settings.slack_enabled
        assert "/slack/events" not in {getattr(r, "path", "") for r in create_app(services).routes}
    finally:
        services.close()


def test_privacy_bot_slack_refuses_to_start_without_an_app_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "SLACK_", "REDIS_URL"))}
    env.update({"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": SECRET})
    script = Path(sys.executable).parent / "privacy-bot"
    done = subprocess.run([str(script), "slack"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in done.stderr and "privacy-bot serve" in done.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


def test_socket_mode_runs_the_same_app_offline(tmp_path: Path, slack_api: SlackMock) -> None:
    """A real websocket to Slack is impossible offline; the handler is fed Socket Mode requests directly."""
    settings = _settings(slack_api, tmp_path, SLACK_APP_TOKEN="xapp-1-A0MOCK-1-secret", SLACK_SIGNING_SECRET="")
    services = build_services(settings)
    try:
        app = build_slack_app(services)
        handler = socket_mode_handler(app, settings)
        try:
            assert handler.app is app and handler.client.web_client is app.client
            assert handler.client.web_client.base_url == slack_api.url
            sent: list[SocketModeResponse] = []
            handler.client.send_socket_mode_response = sent.append  # type: ignore[method-assign,assignment]
            channel = unique("D0SOCK")
            payload = event_callback(dm_event("do you use cookies?", user=unique("U0SOCK"), channel=channel))
            handler.handle(handler.client, SocketModeRequest(type="events_api", envelope_id="env-1", payload=payload))
            handler.handle(handler.client, SocketModeRequest(type="events_api", envelope_id="env-2", payload=payload,
                                                             retry_attempt=1, retry_reason="timeout"))
            assert [r.envelope_id for r in sent] == ["env-1", "env-2"]  # both acknowledged
            [answer] = wait_until(lambda: posts(slack_api, channel), what="answer over Socket Mode")
            assert "Article 12 (" in str(answer.params.get("blocks"))
            time.sleep(0.3)
            assert len(posts(slack_api, channel)) == 1  # the redelivery was processed once
        finally:
            handler.client.close()
    finally:
        services.close()


def test_run_socket_mode_builds_the_app_and_starts_the_handler(tmp_path: Path, slack_api: SlackMock,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    started: list[SocketModeHandler] = []
    monkeypatch.setattr(SocketModeHandler, "start", lambda self: started.append(self))
    monkeypatch.setattr("bot.app.configure_logging", lambda settings: None)
    settings = _settings(slack_api, tmp_path, SLACK_APP_TOKEN="xapp-1-A0MOCK-1-secret")
    assert run_socket_mode(settings) == 0
    [handler] = started
    assert handler.app_token == "xapp-1-A0MOCK-1-secret"
    assert {"direct_message", "request_submitted", "staff_action"} <= {
        listener.ack_function.__name__ for listener in handler.app._listeners}  # the same listeners as HTTP
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        run_socket_mode(_settings(slack_api, tmp_path))


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_sigterm_ends_socket_mode_after_its_clean_up(tmp_path: Path, slack_api: SlackMock,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A process manager's SIGTERM while connected: the handler is closed and the services (the outbox's dispatcher,
    then the store) are closed before `privacy-bot slack` returns 0; Python's default would have ended the process
    with none of it. The signal handlers are as before afterwards."""
    import signal

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import Services

    closed: list[str] = []

    def start(self: SocketModeHandler) -> None:
        signal.raise_signal(signal.SIGTERM)
        time.sleep(10)
        raise AssertionError("SIGTERM did not end the handler's start()")

    close_services = Services.close
    monkeypatch.setattr(SocketModeHandler, "start", start)
    monkeypatch.setattr(SocketModeHandler, "close", lambda self: closed.append("handler"))
    monkeypatch.setattr(Services, "close", lambda self: (closed.append("services"), close_services(self)))
    monkeypatch.setattr("bot.app.configure_logging", lambda settings: None)
    before = signal.getsignal(signal.SIGTERM)
    assert run_socket_mode(_settings(slack_api, tmp_path, SLACK_APP_TOKEN="xapp-1-A0MOCK-1-secret")) == 0
    assert closed == ["handler", "services"]
    assert signal.getsignal(signal.SIGTERM) == before


#: The bot scope each Web API method the code calls needs (https://api.slack.com/methods); None: no scope. A method
#: missing here fails the test below, so a new call cannot slip in without its scope being decided.
METHOD_SCOPES: dict[str, str | tuple[str, ...] | None] = {
    "auth_test": None, "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write", "conversations_open": "im:write", "users_info": "users:read",
    "usergroups_users_list": "usergroups:read", "views_open": None, "views_publish": None,
    "views_update": None,
    # The outbox's lookups: the private staff channel (and its post's thread) and the requesters' DMs.
    "conversations_history": ("groups:history", "im:history"), "conversations_replies": "groups:history",
}
#: The bot scope each subscribed event or feature needs.
EVENT_SCOPES = {"message.im": "im:history", "app_mention": "app_mentions:read", "app_home_opened": None}
FEATURE_SCOPES = {"slash_commands": "commands", "shortcuts": "commands"}


def _called_methods() -> set[str]:
    """Every Web API method called on a slack_sdk client anywhere in the bot (`client.chat_postMessage(…)`, …)."""
    pattern = re.compile(r"\bclient\.((?:auth|chat|conversations|users|usergroups|views|reactions|files|im|team|"
                         r"channels|groups|apps|bots|emoji|pins|reminders|search|stars|dnd|admin)_[A-Za-z_]+)\b")
    found: set[str] = set()
    for root in ("bot", "handoff"):
        for path in (REPO / root).rglob("*.py"):
            found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def _scope_mismatch(manifest: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(missing, superfluous) bot scopes of `manifest` against the calls, events and features the app uses."""
    methods = _called_methods()
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"decide the scope of {sorted(unknown)} in METHOD_SCOPES"
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    needed: set[str | None] = {EVENT_SCOPES[e] for e in events}
    for method in methods:
        scopes = METHOD_SCOPES[method]
        needed |= set(scopes) if isinstance(scopes, tuple) else {scopes}
    needed |= {FEATURE_SCOPES[f] for f in FEATURE_SCOPES if manifest["features"].get(f)}
    declared = set(manifest["oauth_config"]["scopes"]["bot"])
    return {s for s in needed if s} - declared, declared - {s for s in needed if s}


def _manifest(text: str | None = None) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text or (REPO / "bot" / "slack" / "manifest.yml").read_text("utf-8"))
    return loaded


def test_manifest_asks_for_exactly_the_scopes_the_code_uses() -> None:
    """Issue 17 point 10: a missing scope breaks a call, a superfluous one (im:read was) asks workspaces for access
    the app never uses; both fail here."""
    manifest = _manifest()
    assert {"chat_postMessage", "conversations_open", "views_publish"} <= _called_methods()  # the scan finds calls
    assert _scope_mismatch(manifest) == (set(), set())
    assert "im:read" not in manifest["oauth_config"]["scopes"]["bot"]
    # ... and the check can fail both ways.
    text = (REPO / "bot" / "slack" / "manifest.yml").read_text(encoding="utf-8")
    assert _scope_mismatch(_manifest(text.replace("      - im:write", "      - im:read\n      - im:write"))) \
        == (set(), {"im:read"})
    assert _scope_mismatch(_manifest(text.replace("      - chat:write ", "      - ")))[0] == {"chat:write"}

    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_mention", "app_home_opened"}
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/privacy"
    [shortcut] = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == ASK_SHORTCUT
    assert len(shortcut["name"]) <= 24 and len(shortcut["description"]) <= 150
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"], command["url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]


def test_staff_settings_are_validated() -> None:
    settings = Settings.from_env({"SLACK_STAFF_USERS": "U012AB3CD, W045EF6GH U012AB3CD",
                                  "SLACK_STAFF_USERGROUP": "S0PRIVACY"})
    assert settings.slack_staff_users == ("U012AB3CD", "W045EF6GH") and settings.slack_staff_usergroup == "S0PRIVACY"
    assert Settings.from_env({}).slack_staff_users == () and Settings.from_env({}).slack_staff_usergroup is None
    for key, value in (("SLACK_STAFF_USERS", "alice"), ("SLACK_STAFF_USERS", "U012<script>"),
                       ("SLACK_STAFF_USERGROUP", "U012AB3CD"), ("SLACK_STAFF_USERGROUP", "S0ONE S0TWO")):
        with pytest.raises(ConfigError, match=key):
            Settings.from_env({key: value})


def _reply(mrkdwn: str, choices: tuple[Choice, ...] = ()) -> Reply:
    return Reply(session_id="s", decision="clarify" if choices else "answer", intent=None, article=7, handoff=None,
                 confidence=1.0, lang="en", text=mrkdwn, html="", mrkdwn=mrkdwn,
                 citation="Article 7 (Disclosure of Personal Information)", choices=choices)


def test_long_answers_are_split_into_sections_within_slacks_limit() -> None:
    paragraphs = [("word " * 150).strip() + f" &amp; end {n}." for n in range(8)]
    text = "\n\n".join(paragraphs)
    chunks = split_mrkdwn(text)
    assert len(chunks) > 1 and all(len(c) <= SECTION_LIMIT for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())
    unbroken = "x" * 7000 + "&amp;" + "y" * 10
    assert all(len(c) <= SECTION_LIMIT for c in split_mrkdwn(unbroken)) and "".join(split_mrkdwn(unbroken)) == unbroken
    blocks = reply_blocks(_reply(text, (Choice(1, "a", "A label " * 20, 7),)), talk_button=True)
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == len(chunks) and blocks[len(sections)]["type"] == "context"
    actions = blocks[-1]["elements"]
    assert [a["action_id"] for a in actions] == ["choice_1", "talk_to_person"]
    assert actions[0]["value"] == "1" and len(actions[0]["text"]["text"]) <= 75


def test_the_staff_post_mentions_the_requester_only_when_the_setting_says_so(tmp_path: Path) -> None:
    """Issue 17 point 9: a mention shows the requester's name to the whole staff channel; off by default."""
    from bot.slack.staff_blocks import staff_ticket_message

    store = SQLiteStore.in_dir(tmp_path)
    try:
        ticket = store.create_ticket(TicketDraft(request_type="disclosure",
                                                 requester=Requester("slack", "U0WHO", "slack:T0:modal:U0WHO"),
                                                 contact=Contact("Hanako", "h@example.jp")),
                                     idempotency_key="k1", now=time.time())
    finally:
        store.close()
    assert not Settings.from_env({}).slack_staff_show_requester
    assert Settings.from_env({"SLACK_STAFF_SHOW_REQUESTER": "1"}).slack_staff_show_requester
    with pytest.raises(ConfigError, match="SLACK_STAFF_SHOW_REQUESTER"):
        Settings.from_env({"SLACK_STAFF_SHOW_REQUESTER": "maybe"})
    hidden = json.dumps(staff_ticket_message(ticket, "https://x.example"))
    shown = json.dumps(staff_ticket_message(ticket, "https://x.example", show_requester=True))
    assert "U0WHO" not in hidden and "<@U0WHO>" in shown
