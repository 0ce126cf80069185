"""A local mock of Slack's Web API for tests: a real HTTP server on a loopback port, in a thread.

Point a client at it with `WebClient(token=SlackMock.TOKEN, base_url=mock.url)` (or `SLACK_API_URL=mock.url`
for a subprocess). Every call is recorded; answers follow the shapes Slack documents for the methods the
project uses, so slack_sdk and slack_bolt parse them as they would Slack's.

    mock = SlackMock().start()
    client = WebClient(token=SlackMock.TOKEN, base_url=mock.url)
    client.chat_postMessage(channel="C0STAFF", text="hi")
    assert mock.calls("chat.postMessage")[0].params["channel"] == "C0STAFF"
    mock.fail("chat.postMessage", error="ratelimited")   # HTTP 429 + Retry-After, until recover()
    mock.fail("chat.postMessage", status=500, times=2)   # two HTTP 500s with a non-JSON body, then normal
    mock.set_latency(0.5, "chat.postMessage")            # slow answers (all methods without a name)
    mock.stop()

Response URLs (`response_url` of slash commands, shortcuts and buttons) are served too: give the app
`mock.response_url("cmd-1")` and read what it sent with `mock.calls(RESPONSE_URL)`; each is recorded with method
`response_url`, its JSON body as `params` and the URL's last part as `params["_hook"]`. Latency and failures set
for `RESPONSE_URL` apply to them like to any method.

Posted messages are kept per conversation, as Slack keeps them: `conversations.history` answers with a channel's
top-level messages, newest first, and `conversations.replies` with a thread (its parent, then the replies, oldest
first), both with `oldest`/`latest`/`inclusive`, `limit` and cursor pagination (`has_more`,
`response_metadata.next_cursor`). A post's `metadata` (`{event_type, event_payload}`, as JSON or a JSON string) is
kept when its event type is letters, digits, `_` and `-` and its payload an object (otherwise the post succeeds with
the warning `invalid_metadata_schema` and no metadata, as Slack does), and is returned only with
`include_all_metadata`. `chat.update` changes the stored message (its metadata only when given). Timestamps are the
wall clock's, unique and increasing. `mock.messages(channel)` lists what a conversation holds; `mock.reset()`
forgets it.

Authentication is checked like Slack does: the token comes from `Authorization: Bearer …` or a `token`
parameter; none at all answers `not_authed`, an unknown one `invalid_auth` (both HTTP 200, `ok: false`).
Methods the mock does not know answer `unknown_method`. Add or override a method with `mock.handle(name, fn)`
where `fn(params) -> dict` returns the JSON body.
"""
from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

Handler = Callable[[dict[str, Any]], dict[str, Any]]

TEAM_ID, BOT_USER_ID, BOT_ID = "T0MOCK", "U0BOT", "B0BOT"
#: The pseudo-method under which posts to a response URL are recorded.
RESPONSE_URL = "response_url"
#: Slack's rule for a metadata event type.
_EVENT_TYPE = re.compile(r"[A-Za-z0-9_-]{1,255}")


@dataclass(frozen=True)
class Call:
    """One request the mock received. `params` merges the query string and the form or JSON body, with JSON
    strings in form fields (`blocks`, `view`, …) left as sent; `headers` has lower-case names."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    status: int
    response: dict[str, Any] | None
    at: float

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else self.params.get("token")

    def json_param(self, name: str) -> Any:
        """A parameter that may arrive as JSON text in a form body (e.g. `blocks`, `view`), decoded."""
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass
class _Failure:
    error: str | None
    status: int
    times: int | None  # None: until recover()
    retry_after: int | None
    # Only calls whose params this accepts fail (None: every call). Tests sharing one mock use it so a delivery left
    # over from an earlier test cannot use up a failure meant for theirs.
    only: Callable[[dict[str, Any]], bool] | None = None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, _Failure] = field(default_factory=dict)
    latency: dict[str | None, float] = field(default_factory=dict)
    # channel -> its top-level messages, oldest first; (channel, thread ts) -> the thread's replies, oldest first.
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


class SlackMock:
    """The mock server. Thread-safe; `start()` returns self so it can be chained."""

    TOKEN = "xoxb-test-token"

    def __init__(self, *, tokens: tuple[str, ...] = (TOKEN,)) -> None:
        self.tokens = set(tokens)
        self.users: dict[str, dict[str, Any]] = {}  # user id -> overrides for users.info
        self._state = _State()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._last_ts = 0.0
        self._in_flight = 0
        #: The most requests the mock was answering at once since `start()` or the last `reset_peak()`.
        self.peak_in_flight = 0
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
        }
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "SlackMock":
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]  # clients that leave
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="slack-mock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the mock is not running"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for `WebClient(base_url=...)` / SLACK_API_URL; ends in `/api/`."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A response URL served by the mock (Slack's look like https://hooks.slack.com/commands/T…/…/…)."""
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    # -- inspection ------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, oldest first; only `method`'s when given."""
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `method` was called at least `count` times; return its calls. Raises AssertionError
        on timeout (for front ends that answer Slack first and call the Web API afterwards)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while sum(c.method == method for c in self._state.calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._state.calls]
                    raise AssertionError(f"{method} called fewer than {count} times in {timeout}s; calls: {seen}")
                self._cond.wait(left)
            return [c for c in self._state.calls if c.method == method]

    def messages(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """What `channel` holds, oldest first (the replies of `thread_ts` when given), metadata included."""
        with self._lock:
            held = self._state.threads.get((channel, thread_ts), []) if thread_ts else \
                self._state.channels.get(channel, [])
            return [dict(m) for m in held]

    @property
    def in_flight(self) -> int:
        """Requests received and not yet answered (e.g. held by `set_latency`)."""
        with self._lock:
            return self._in_flight

    def reset_peak(self) -> None:
        with self._lock:
            self.peak_in_flight = self._in_flight

    def reset(self) -> None:
        """Forget recorded calls, failures and latency."""
        with self._lock:
            self._state = _State()

    # -- behaviour switches ----------------------------------------------------------------
    def fail(self, method: str, *, error: str | None = None, status: int | None = None, times: int | None = None,
             retry_after: int | None = None, only: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Make `method` fail, `times` times or until `recover()`; with `only`, just the calls whose params it accepts.

        `error="ratelimited"` answers HTTP 429 with `Retry-After` (default 1) like Slack; another `error`
        answers HTTP 200 `{"ok": false, "error": ...}`; `status=500` (or any non-200 without `error`) answers
        that status with a non-JSON body, like a proxy in front of Slack would.
        """
        if error is None and status is None:
            raise ValueError("give an error code, an HTTP status or both")
        if status is None:
            status = 429 if error == "ratelimited" else 200
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._state.failures[method] = _Failure(error, status, times, retry_after, only)

    def recover(self, method: str | None = None) -> None:
        """Undo `fail` for `method`, or for every method."""
        with self._lock:
            if method is None:
                self._state.failures.clear()
            else:
                self._state.failures.pop(method, None)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers to `method` (or to every method) by `seconds`; 0 removes the delay."""
        with self._lock:
            self._state.latency[method] = seconds

    def handle(self, method: str, handler: Handler) -> None:
        """Answer `method` with `handler(params)` (add a method, or replace a canned answer)."""
        self._handlers[method] = handler

    # -- dispatch (called on server threads) -----------------------------------------------
    def _dispatch(self, method: str, params: dict[str, Any], headers: dict[str, str],
                  body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            delay = self._state.latency.get(method, self._state.latency.get(None, 0.0))
            failure = self._state.failures.get(method)
            if failure is not None and failure.only is not None and not failure.only(params):
                failure = None
            if failure is not None and failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self._state.failures[method]
        if delay:
            time.sleep(delay)
        extra: dict[str, str] = {}
        payload: dict[str, Any] | None
        token = _token(headers, params)
        if failure is not None:
            status = failure.status
            payload = {"ok": False, "error": failure.error} if failure.error else None
            if failure.retry_after is not None:
                extra["Retry-After"] = str(failure.retry_after)
        elif method == RESPONSE_URL:
            status, payload = 200, {"ok": True}  # Slack answers a response URL with the text "ok"
        elif token is None:
            status, payload = 200, {"ok": False, "error": "not_authed"}
        elif token not in self.tokens:
            status, payload = 200, {"ok": False, "error": "invalid_auth"}
        elif method not in self._handlers:
            status, payload = 200, {"ok": False, "error": "unknown_method", "req_method": method}
        else:
            status, payload = 200, self._handlers[method](params)
        call = Call(method, params, headers, body, status, payload, time.time())
        with self._cond:
            self._in_flight -= 1
            self._state.calls.append(call)
            self._cond.notify_all()
        if payload is None:
            return status, {"Content-Type": "text/plain", **extra}, b"upstream error"
        data = json.dumps(payload).encode("utf-8")
        return status, {"Content-Type": "application/json; charset=utf-8", **extra}, data

    # -- canned answers --------------------------------------------------------------------
    def _next_ts(self) -> str:
        """The wall clock, as Slack's ts: unique and increasing."""
        with self._lock:
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            return f"{self._last_ts:.6f}"

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://mock-team.slack.com/", "team": "Mock Team", "user": "privacy-bot",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _message(self, params: Mapping[str, Any], ts: str) -> dict[str, Any]:
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "team": TEAM_ID, "ts": ts,
                   "text": params.get("text", "")}
        blocks = _decoded(params.get("blocks"))
        if blocks:
            message["blocks"] = blocks
        return message

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        channel, thread = str(params["channel"]), params.get("thread_ts")
        message = self._message(params, ts)
        answer: dict[str, Any] = {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}
        metadata, valid = _metadata(params.get("metadata"))
        if valid is False:
            answer["warning"] = "invalid_metadata_schema"
            answer["response_metadata"] = {"warnings": ["invalid_metadata_schema"]}
        elif metadata is not None:
            message["metadata"] = metadata
        if thread:
            message["thread_ts"] = answer["message"]["thread_ts"] = str(thread)
        with self._lock:
            if thread:
                self._state.threads.setdefault((channel, str(thread)), []).append(message)
                for parent in self._state.channels.get(channel, []):
                    if parent["ts"] == str(thread):
                        parent["thread_ts"] = parent["ts"]
                        parent["reply_count"] = parent.get("reply_count", 0) + 1
            else:
                self._state.channels.setdefault(channel, []).append(message)
        return answer

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel") or not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        metadata, valid = _metadata(params.get("metadata"))
        with self._lock:
            for stored in self._state.channels.get(str(params["channel"]), []):
                if stored["ts"] == str(params["ts"]):
                    stored["text"] = params.get("text", "")
                    blocks = _decoded(params.get("blocks"))
                    if blocks:
                        stored["blocks"] = blocks
                    if valid and metadata is not None:
                        stored["metadata"] = metadata
                    stored["edited"] = {"user": BOT_USER_ID, "ts": f"{time.time():.6f}"}
        return {"ok": True, "channel": params["channel"], "ts": params["ts"], "text": params.get("text", ""),
                "message": self._message(params, str(params["ts"]))}

    def _view(self, view: Any, view_type: str) -> dict[str, Any]:
        spec = _decoded(view) or {}
        return {"id": f"V{next(self._ts):08d}", "team_id": TEAM_ID, "type": spec.get("type", view_type),
                "title": spec.get("title"), "blocks": spec.get("blocks", []),
                "private_metadata": spec.get("private_metadata", ""), "callback_id": spec.get("callback_id", ""),
                "external_id": spec.get("external_id", ""), "state": {"values": {}}, "hash": "1700000000.mockhash",
                "clear_on_close": False, "notify_on_close": False, "root_view_id": None, "previous_view_id": None,
                "app_id": "A0MOCK", "bot_id": BOT_ID}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        if not params.get("view"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(params["view"], "modal")}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not (params.get("view_id") or params.get("external_id")) or not params.get("view"):
            return {"ok": False, "error": "invalid_arguments"}
        view = self._view(params["view"], "modal")
        view["id"] = params.get("view_id") or view["id"]  # an update keeps the view's id
        return {"ok": True, "view": view}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user_id") or not params.get("view"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(params["view"], "home")}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user", ""))
        if not user_id.startswith(("U", "W")):
            return {"ok": False, "error": "user_not_found"}
        user = {"id": user_id, "team_id": TEAM_ID, "name": f"user-{user_id.lower()}", "real_name": "Test User",
                "tz": "Asia/Tokyo", "tz_label": "Japan Standard Time", "tz_offset": 32400, "is_bot": False,
                "deleted": False, "locale": "en-US",
                "profile": {"real_name": "Test User", "display_name": "test", "email": None}}
        user.update(self.users.get(user_id, {}))
        return {"ok": True, "user": user}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", "")).strip()
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = f"D{zlib.crc32(users.encode()):010d}"
        return {"ok": True, "channel": {"id": channel_id}, "no_op": False, "already_open": False}


    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not channel.startswith(("C", "D", "G")):
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            held = [dict(m) for m in self._state.channels.get(channel, [])]
        return _page(list(reversed(held)), params, default_limit=100)

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        if not channel.startswith(("C", "D", "G")):
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            parent = [dict(m) for m in self._state.channels.get(channel, []) if m["ts"] == ts]
            replies = [dict(m) for m in self._state.threads.get((channel, ts), [])]
        if not parent and not replies:
            return {"ok": False, "error": "thread_not_found"}
        return _page(parent + replies, params, default_limit=1000)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _metadata(value: Any) -> tuple[dict[str, Any] | None, bool | None]:
    """(the metadata to keep, whether it was valid); (None, None) when none was sent."""
    if value is None or value == "":
        return None, None
    data = _decoded(value)
    if not isinstance(data, dict) or not isinstance(data.get("event_type"), str) \
            or not _EVENT_TYPE.fullmatch(data["event_type"]) or not isinstance(data.get("event_payload"), dict):
        return None, False
    return {"event_type": data["event_type"], "event_payload": data["event_payload"]}, True


def _page(messages: list[dict[str, Any]], params: Mapping[str, Any], *, default_limit: int) -> dict[str, Any]:
    """One page of `messages` (already in answer order) after Slack's time range, limit and cursor."""
    inclusive = _truthy(params.get("inclusive"))
    try:
        oldest = float(params["oldest"]) if params.get("oldest") not in (None, "") else None
        latest = float(params["latest"]) if params.get("latest") not in (None, "") else None
        limit = int(params.get("limit") or default_limit)
    except (TypeError, ValueError):
        return {"ok": False, "error": "invalid_arguments"}
    limit = max(1, min(limit, 999))

    def within(message: Mapping[str, Any]) -> bool:
        ts = float(message["ts"])
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)

    selected = [m for m in messages if within(m)]
    start = 0
    if params.get("cursor"):
        try:
            start = int(base64.b64decode(str(params["cursor"])).decode().removeprefix("offset:"))
        except (ValueError, UnicodeDecodeError):
            return {"ok": False, "error": "invalid_cursor"}
    page = selected[start:start + limit]
    if not _truthy(params.get("include_all_metadata")):
        for message in page:
            message.pop("metadata", None)
    more = start + limit < len(selected)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return {"ok": True, "messages": page, "has_more": more, "pin_count": 0,
            "response_metadata": {"next_cursor": cursor}}


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _token(headers: Mapping[str, str], params: Mapping[str, Any]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.startswith("Bearer ") and auth[7:]:
        return auth[7:]
    token = params.get("token")
    return str(token) if token else None


def _parse(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        data = json.loads(body.decode("utf-8"))
        if isinstance(data, dict):
            params.update(data)
    elif kind == "application/x-www-form-urlencoded" and body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def _make_handler(mock: SlackMock) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            hook = url.path.startswith("/hooks/")
            if not url.path.startswith("/api/") and not hook:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            try:
                params = _parse(headers.get("content-type", ""), body, url.query)
            except ValueError:
                self._send(200, {"Content-Type": "application/json"}, b'{"ok": false, "error": "invalid_json"}')
                return
            if hook:
                params["_hook"] = url.path.rsplit("/", 1)[-1]
                status, out_headers, data = mock._dispatch(RESPONSE_URL, params, headers, body)
                if status == 200:
                    out_headers, data = {"Content-Type": "text/html"}, b"ok"
            else:
                status, out_headers, data = mock._dispatch(url.path[len("/api/"):], params, headers, body)
            self._send(status, out_headers, data)

        def _send(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Slack-Req-Id", "mock")
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return _Handler
