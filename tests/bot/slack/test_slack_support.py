"""Shared pieces of the Slack tests (no tests here): a real `privacy-bot serve` process whose Slack Web API is
the local mock (tests/slack_mock.py), correctly signed requests, and payloads in the shapes Slack sends.

Test modules import the fixtures: `from test_slack_support import slack_mock, slack_server  # noqa: F401`.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pytest
from server_kit import stop, wait_healthy

from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Requester
from slack_mock import BOT_USER_ID, RESPONSE_URL, TEAM_ID, SlackMock

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
STAFF_CHANNEL = "C0STAFF"
STAFF_USER = "U0STAFF"
STARTUP_TIMEOUT = 60.0  # a deadline only (ready servers answer at once); generous for a loaded machine
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh id (event ids, user ids, view ids) so tests sharing one server never see each other's state."""
    return f"{prefix}{next(_ids):06d}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed_headers(body: bytes, *, secret: str = SECRET, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Posted:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class SlackEndpoint:
    """Posts signed requests to a running server's /slack/events."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.url = base + "/slack/events"

    def post(self, body: bytes, headers: Mapping[str, str]) -> Posted:
        request = urllib.request.Request(self.url, data=body, method="POST", headers=dict(headers))
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Posted(response.status, response.read(), time.monotonic() - started)
        except urllib.error.HTTPError as exc:
            return Posted(exc.code, exc.read(), time.monotonic() - started)

    def event(self, payload: Mapping[str, Any], *, retry: int | None = None, **signing: Any) -> Posted:
        body = json.dumps(payload).encode()
        headers = signed_headers(body, **signing)
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return self.post(body, headers)

    def interaction(self, payload: Mapping[str, Any]) -> Posted:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    def command(self, fields: Mapping[str, str]) -> Posted:
        body = urllib.parse.urlencode(fields).encode()
        return self.post(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


class SlackServer(SlackEndpoint):
    def __init__(self, base: str, data_dir: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        super().__init__(base)
        self.data_dir, self.process, self.log = data_dir, process, log

    @contextlib.contextmanager
    def store(self) -> Iterator[SQLiteStore]:
        """The server's SQLite store, opened from the test process (the file is safe for several processes)."""
        store = SQLiteStore.in_dir(self.data_dir)
        try:
            yield store
        finally:
            store.close()


def slack_env(mock: SlackMock, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_URL", "SLACK_", "LOG_"))}
    env.update({"PRIVACY_BOT_DATA_DIR": str(data_dir), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
                "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": mock.url, "SLACK_STAFF_CHANNEL": STAFF_CHANNEL,
                "SLACK_STAFF_USERS": STAFF_USER, "PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com"})
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def slack_mock() -> Iterator[SlackMock]:
    """One mock for the module's server (the server's SLACK_API_URL is fixed when it starts)."""
    mock = SlackMock().start()
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture(scope="module")
def slack_server(slack_mock: SlackMock, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Iterator[SlackServer]:
    """The installed `privacy-bot serve` as a real process, with Slack on (the mock) and one staff user; a test
    module may add settings in a module-level `SLACK_EXTRA_ENV` dict."""
    root = tmp_path_factory.mktemp("slack")
    port = free_port()
    script = Path(sys.executable).parent / "privacy-bot"
    log = root / "server.log"
    env = slack_env(slack_mock, root / "data", **getattr(request.module, "SLACK_EXTRA_ENV", {}))
    with open(log, "wb") as log_file:
        process = subprocess.Popen([str(script), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=root,
                                   env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = SlackServer(f"http://127.0.0.1:{port}", root / "data", process, log)
    try:
        wait_healthy(process, server.base, log, STARTUP_TIMEOUT)
        yield server
    finally:
        stop(process)


# -- payloads in Slack's shapes ------------------------------------------------------------------
def event_callback(event: Mapping[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": "A0MOCK", "event": dict(event),
            "type": "event_callback", "event_id": event_id or unique("Ev"), "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ"}


def _ts() -> str:
    return f"{time.time():.6f}"


def dm_event(text: str, *, user: str, channel: str, **extra: Any) -> dict[str, Any]:
    ts = _ts()
    event = {"client_msg_id": unique("m-"), "type": "message", "text": text, "user": user, "ts": ts, "team": TEAM_ID,
             "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
                 {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
             "channel": channel, "event_ts": ts, "channel_type": "im"}
    event.update(extra)
    return event


def mention_event(text: str, *, user: str, channel: str, **extra: Any) -> dict[str, Any]:
    ts = _ts()
    event = {"client_msg_id": unique("m-"), "type": "app_mention", "text": text, "user": user, "ts": ts,
             "team": TEAM_ID, "channel": channel, "event_ts": ts}
    event.update(extra)
    return event


def home_event(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home", "event_ts": _ts()}


def block_actions(*, user: str, channel: str | None, action_id: str, value: str, message_ts: str | None = None,
                  thread_ts: str | None = None, ephemeral: bool = False, block_id: str | None = None,
                  view: Mapping[str, Any] | None = None, message: Any = None,
                  response_url: str = "https://hooks.slack.com/actions/T0MOCK/1/x") -> dict[str, Any]:
    """A click on a button. `message`, a recorded chat.* call, is the message clicked (Slack sends its blocks, and
    the button's block id and text come from it); else `block_id` defaults to the reply buttons of `user`."""
    button: dict[str, Any] = {}
    blocks: list[dict[str, Any]] = []
    if message is not None:
        blocks = message.json_param("blocks") or []
        for block in blocks:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if element.get("action_id") == action_id:
                    button, block_id = element, block_id or block["block_id"]
        message_ts = message_ts or (message.response or {}).get("ts")
    block_id = block_id or f"reply_actions:{user}"
    text = button.get("text") or {"type": "plain_text", "text": "x", "emoji": False}
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
        "api_app_id": "A0MOCK", "token": "legacy-verification-token", "trigger_id": unique("1337.42.") + "abcd",
        "team": {"id": TEAM_ID, "domain": "mock"}, "enterprise": None, "is_enterprise_install": False,
        "response_url": response_url,
        "actions": [{"type": "button", "block_id": block_id, "action_id": action_id, "value": value,
                     "text": text, "action_ts": _ts()}],
        "state": {"values": {}},
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0HOME")}
        payload["view"] = dict(view)
    else:
        ts = message_ts or _ts()
        container: dict[str, Any] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                     "is_ephemeral": ephemeral}
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload["container"] = container
        payload["channel"] = {"id": channel, "name": "directmessage" if str(channel).startswith("D") else "general"}
        if not ephemeral:  # Slack sends no message with a click on an ephemeral one
            payload["message"] = {"type": "message", "user": BOT_USER_ID, "ts": ts, "text": "x",
                                  **({"blocks": blocks} if blocks else {}), **({"thread_ts": thread_ts} if thread_ts else {})}
    return payload


def view_submission(*, user: str, view_id: str, callback_id: str, private_metadata: str,
                    values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`values` maps block id -> the element state Slack sends, e.g. {"type": "plain_text_input", "value": "x"}."""
    return {
        "type": "view_submission", "team": {"id": TEAM_ID, "domain": "mock"},
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
        "api_app_id": "A0MOCK", "token": "legacy-verification-token", "trigger_id": unique("1337.43.") + "efgh",
        "view": {"id": view_id, "team_id": TEAM_ID, "type": "modal", "callback_id": callback_id,
                 "private_metadata": private_metadata, "blocks": [], "hash": "1700000000.abc",
                 "state": {"values": {block: {block: dict(state)} for block, state in values.items()}},
                 "title": {"type": "plain_text", "text": "x"}, "root_view_id": view_id, "app_id": "A0MOCK",
                 "bot_id": "B0BOT", "previous_view_id": None, "external_id": ""},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def select(value: str, kind: str = "radio_buttons") -> dict[str, Any]:
    return {"type": kind, "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}


def slack_command(text: str, *, user: str, channel: str,
                  response_url: str = "https://hooks.slack.com/commands/T0MOCK/1/x") -> dict[str, str]:
    """A slash command's form fields; give `response_url=mock.response_url(...)` to read its answer."""
    return {"token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "mock", "channel_id": channel,
            "channel_name": "directmessage", "user_id": user, "user_name": "someone", "command": "/privacy",
            "text": text, "api_app_id": "A0MOCK", "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": unique("1337.44.") + "ijkl"}


def posted_text(call: Any) -> str:
    """Everything a chat.* call would show: its fallback text plus the text of its blocks."""
    parts = [str(call.params.get("text", ""))]
    blocks = call.json_param("blocks") or []
    parts += [json.dumps(b, ensure_ascii=False) for b in blocks]
    return "\n".join(parts)


def message_shortcut(*, user: str, channel: str, text: str, author: str, response_url: str) -> dict[str, Any]:
    """The "Ask the privacy assistant" message shortcut used on someone's message (Slack's `message_action`)."""
    ts = _ts()
    return {"type": "message_action", "token": "legacy-verification-token", "action_ts": _ts(),
            "team": {"id": TEAM_ID, "domain": "mock"}, "user": {"id": user, "username": "someone", "team_id": TEAM_ID,
                                                                 "name": "someone"},
            "channel": {"id": channel, "name": "general"}, "is_enterprise_install": False, "enterprise": None,
            "callback_id": "ask_privacy_assistant", "trigger_id": unique("1337.45.") + "mnop",
            "response_url": response_url, "message_ts": ts,
            "message": {"client_msg_id": unique("m-"), "type": "message", "text": text, "user": author, "ts": ts,
                        "team": TEAM_ID}}


def responses(mock: SlackMock, url: str) -> list[Any]:
    """What the app posted to one response URL (`mock.response_url(...)`)."""
    hook = url.rsplit("/", 1)[-1]
    return [c for c in mock.calls(RESPONSE_URL) if c.params.get("_hook") == hook]


def wait_responses(mock: SlackMock, url: str, count: int = 1) -> list[Any]:
    found: list[Any] = wait_until(lambda: (r := responses(mock, url)) and len(r) >= count and r,
                                  what=f"{count} posts to the response URL")
    return found


@dataclass(frozen=True)
class Clarifying:
    """A question the shipped catalog answers with "Did you mean…" and its last choice (number and article)."""

    text: str
    number: int
    article: int


_CLARIFY_CANDIDATES = ("personal data", "yo what do u do w my info")


@functools.lru_cache(maxsize=1)
def clarifying() -> Clarifying:
    """Found with the matcher itself (the catalog keeps improving, so no fixed text stays ambiguous): a known
    candidate, else the first clarification in the dev set."""
    from bot.app import build_matcher
    from bot.engine.evaluation import classify

    matcher = build_matcher()
    dev = Path(__file__).resolve().parents[2] / "data" / "dev.jsonl"
    texts = list(_CLARIFY_CANDIDATES) + [json.loads(line)["text"] for line in dev.read_text("utf-8").splitlines()
                                         if line.strip() and json.loads(line).get("lang") == "en"]
    for text in texts:
        result = classify(matcher, text)
        if result["decision"] == "clarify" and len(result["choices"]) >= 2 and "\n" not in text:
            return Clarifying(text, len(result["choices"]), int(result["choices"][-1]))
    raise AssertionError("no English text in the dev set clarifies any more")


# -- conversations with the running server ----------------------------------------------------
def posts(mock: SlackMock, channel: str, method: str = "chat.postMessage") -> list[Any]:
    return [c for c in mock.calls(method) if c.params.get("channel") == channel]


def wait_posts(mock: SlackMock, channel: str, count: int = 1, method: str = "chat.postMessage") -> list[Any]:
    found: list[Any] = wait_until(lambda: (p := posts(mock, channel, method)) and len(p) >= count and p,
                                  what=f"{count} {method} to {channel}")
    return found


def buttons(call: Any) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in call.json_param("blocks") or [] if b["type"] == "actions" for e in b["elements"]}


def dm(server: SlackServer, mock: SlackMock, text: str, user: str, channel: str, count: int) -> Any:
    assert server.event(event_callback(dm_event(text, user=user, channel=channel))).status == 200
    return wait_posts(mock, channel, count)[count - 1]


def file_request(server: SlackServer, mock: SlackMock, user: str, channel: str) -> tuple[str, str]:
    """A disclosure request made in a DM and sent through the modal; returns (reference, view id)."""
    request = dm(server, mock, "Send me all the data you hold on me", user, channel, 1)
    button = buttons(request)["open_request_form"]
    assert json.loads(button["value"]) == {"t": "disclosure", "l": "en"}
    opened_before = len(mock.calls("views.open"))
    click = block_actions(user=user, channel=channel, action_id="open_request_form", value=button["value"])
    assert server.interaction(click).status == 200
    opened = wait_until(lambda: len(mock.calls("views.open")) > opened_before and mock.calls("views.open")[-1],
                        what="views.open")
    assert opened.params["trigger_id"] == click["trigger_id"]
    view = opened.json_param("view")
    assert view["callback_id"] == "request_form"
    inputs = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["name"] == "plain_text_input" and inputs["email"] == "email_text_input"
    assert inputs["on_behalf"] == "radio_buttons" and {"scope", "delivery"} <= set(inputs)
    view_id = unique("V0")
    submission = view_submission(user=user, view_id=view_id, callback_id="request_form",
                                 private_metadata=view["private_metadata"], values={
                                     "name": text_input("Hanako Yamada"),
                                     "email": {"type": "email_text_input", "value": "hanako@example.jp"},
                                     "on_behalf": select("self"), "scope": text_input("everything"),
                                     "delivery": select("electronic")})
    response = server.interaction(submission)
    assert response.status == 200 and response.body == b"" and response.seconds < 3  # closes the modal
    with server.store() as store:
        [ticket] = wait_until(lambda: store.list_tickets(requester=Requester("slack", user, "x")), what="ticket")
    # Submitting the same view again (a retry) opens nothing new.
    assert server.interaction(submission).status == 200
    return ticket.reference, view_id
