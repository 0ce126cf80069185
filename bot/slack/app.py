"""The Slack front end: one Bolt app, served over HTTP at `/slack/events` inside the FastAPI app (`privacy-bot
serve`) or over Socket Mode (`privacy-bot slack`).

Acknowledgements never wait for slow work. Each listener is split in two: an acknowledgement, which runs on the
request's own thread before the HTTP response (`process_before_response` with Bolt's lazy listeners), and the
work (the store, the conversation core, the Web API), which runs afterwards on a thread pool of its own. However
many answers are stuck behind a slow or rate-limited Slack, the next command, click or form still gets its 200 in
milliseconds. The alternative, Bolt's default of running whole listeners on its pool and handing the work to a
second pool (`ACK_DESIGNS`), was measured against it (benchmarks/slack_ack.py, benchmarks/RESULTS.md). Only the
request modals' field validation, which is pure, runs in the acknowledgement, because its errors travel in it
(`response_action: errors`).

Slack's rules kept here: signatures are always verified, first by a thin guard on the raw bytes (`refusal`: a
bad or stale signature, a malformed timestamp or an unparsable unsigned body gets 401 and one log line, never a
traceback) and again by Bolt's `RequestVerification`; there is no setting to turn it off; an event redelivered with `X-Slack-Retry-Num`
is processed once, keyed by its `event_id` in the store (`slack-event:<id>`, an hour); bots, edits, deletions
and the bot's own messages are ignored (people's messages with a file or "also send to channel" are answered).
"""
from __future__ import annotations

import logging
import re
import sys
from http.client import HTTPException
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from fastapi import FastAPI, Request
from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from bot.app import Services
from bot.config import ConfigError, Settings
from bot.slack.blocks import (
    CHOICE_PREFIX, OPEN_REQUEST_FORM, REQUEST_FORM, TALK_TO_PERSON, VERIFY_BACK, VERIFY_FORM, VERIFY_RESEND, metadata,
    ui,
)
from bot.slack.chat import ASK_SHORTCUT, SlackChat, from_a_person
from bot.slack.delivery import interactive_client
from bot.slack.staff import StaffBoard, StaffDirectory
from bot.slack.staff_blocks import REJECT_FORM, STAFF_ACTION
from handoff.store import StoreError

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)

SLASH_COMMAND = "/privacy"
EVENTS_PATH = "/slack/events"
EVENT_MARK_TTL = 3600
#: Threads doing the work after acknowledgements (mostly waiting on Slack's Web API and the store).
WORK_THREADS = 64
#: Threads of Bolt's own pool in the "executors" design (acknowledgements only).
ACK_THREADS = 8


class _NoPayloads(logging.Filter):
    """Bolt and the SDK put request bodies (message text, names) into some log lines; unless LOG_PII=1 the
    part of a line from the first bracket on is replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("As you gave `client` as well"):
            return False  # Bolt reads SLACK_BOT_TOKEN from the environment itself; we hand it the client
        cuts = [i for i in (message.find("("), message.find("{"), message.find("\n")) if i >= 0]
        if cuts:
            record.msg, record.args = message[: min(cuts)].rstrip() + " [details redacted]", ()
        return True


def _bolt_logger(settings: Settings) -> logging.Logger:
    logger = logging.getLogger("bot.slack.app.bolt")
    if not settings.log_pii:
        logger.setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
        if not any(isinstance(f, _NoPayloads) for f in logger.filters):
            logger.addFilter(_NoPayloads())
        # The SDK logs request bodies at DEBUG, and a failed response URL (a short-lived credential) in full at ERROR;
        # `bot.slack.delivery` logs those failures itself, without the URL.
        logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
        logging.getLogger("slack_sdk.webhook").setLevel(logging.CRITICAL)
    return logger


class SlackFrontend:
    """Wires the Bolt listeners to the chat (users) and the board (staff); owns the event de-duplication."""

    def __init__(self, services: Services, client: WebClient) -> None:
        settings = services.settings
        self.store = services.store
        self.chat = SlackChat(services=services, client=client)
        self.directory = StaffDirectory(client, users=settings.slack_staff_users,
                                        usergroup=settings.slack_staff_usergroup)
        self.board = StaffBoard(store=services.store, client=client, desk=services.conversation.desk,
                                directory=self.directory, public_url=settings.public_url,
                                publish_home=self.chat.publish_home, kick=services.dispatcher.kick)
        services.ticket_listeners.append(self.board.on_external_change)
        if not self.directory.configured:
            log.warning("no SLACK_STAFF_USERS or SLACK_STAFF_USERGROUP: nobody can act on tickets from Slack")

    def first_delivery(self, body: Mapping[str, Any]) -> bool:
        """False for an event already processed (Slack redelivers with X-Slack-Retry-Num and the same event_id)."""
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            return True
        try:
            return self.store.mark_once(f"slack-event:{event_id}", EVENT_MARK_TTL)
        except StoreError:
            log.warning("store unavailable: Slack event processed without de-duplication")
            return True

    def listeners(self) -> list[Listener]:
        """Every listener as an acknowledgement (before the response) and its work (after it)."""
        chat, board = self.chat, self.board

        def direct_message(body: dict[str, Any], context: BoltContext) -> None:
            # Every message event lands here (edits and deletions are subtypes); only new DMs from people count.
            event = body["event"]
            if event.get("channel_type") == "im" and from_a_person(event, context.bot_user_id) \
                    and self.first_delivery(body):
                chat.on_message(event, context.team_id, context.bot_user_id)

        def mention(body: dict[str, Any], context: BoltContext) -> None:
            event = body["event"]
            if from_a_person(event, context.bot_user_id) and self.first_delivery(body):
                chat.on_mention(event, context.team_id, context.bot_user_id)

        def home(body: dict[str, Any], context: BoltContext) -> None:
            event = body["event"]
            if event.get("tab") == "home" and event.get("user") and self.first_delivery(body):
                chat.on_home(event, context.team_id)

        def request_submitted(body: dict[str, Any], context: BoltContext) -> None:
            if not chat.request_errors(body["view"]):
                chat.on_request_submit(body, body["view"])

        def reject_submitted(body: dict[str, Any], context: BoltContext) -> None:
            if not board.reject_errors(body["view"]):
                board.on_reject_submit(body, body["view"])

        return [
            Listener("event", "message", direct_message),
            Listener("event", "app_mention", mention),
            Listener("event", "app_home_opened", home),
            Listener("command", SLASH_COMMAND, lambda body, _: chat.on_command(body), name="command"),
            Listener("action", re.compile(rf"^{CHOICE_PREFIX}\d+$"), lambda body, _: chat.on_choice(body),
                     name="choice"),
            Listener("action", OPEN_REQUEST_FORM, lambda body, _: chat.on_open_form(body), name="open_form"),
            Listener("action", TALK_TO_PERSON, lambda body, _: chat.on_talk_to_person(body), name="talk"),
            # A URL button: the browser opens the link; Slack still wants the click acknowledged.
            Listener("action", "open_ticket", None, name="link"),
            Listener("action", STAFF_ACTION, lambda body, _: board.on_action(body), name="staff_action"),
            Listener("message_shortcut", ASK_SHORTCUT, lambda body, _: chat.on_shortcut(body), name="ask_shortcut"),
            # With email verification the request modal's ack answers with the code view, and the code view's ack
            # judges the code (a few store calls; the code email is queued, and sent after the ack).
            Listener("view", REQUEST_FORM, request_submitted, ack=_ack_with_answer(chat.request_ack, "email")),
            Listener("view", VERIFY_FORM, lambda body, _: chat.on_code_submit(body), name="code_submitted",
                     ack=_ack_with_answer(chat.code_ack, "code")),
            Listener("action", VERIFY_RESEND, lambda body, _: chat.on_code_resend(body), name="code_resend"),
            Listener("action", VERIFY_BACK, lambda body, _: chat.on_code_back(body), name="code_back"),
            Listener("view_closed", VERIFY_FORM, lambda body, _: chat.on_code_closed(body), name="code_closed"),
            Listener("view", REJECT_FORM, reject_submitted, ack=_ack_with_errors(board.reject_errors)),
        ]


AckFunction = Callable[[Callable[..., Any], dict[str, Any]], None]
Work = Callable[[dict[str, Any], BoltContext], None]


def _ack(ack: Callable[..., Any], body: dict[str, Any]) -> None:
    ack()


def _ack_with_errors(errors_of: Callable[[Mapping[str, Any]], dict[str, str]]) -> AckFunction:
    """A modal's acknowledgement: its field errors (pure, fast) go back in the ack and keep the modal open."""

    def ack_form(ack: Callable[..., Any], body: dict[str, Any]) -> None:
        errors = errors_of(body["view"])
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return ack_form


def _ack_with_answer(answer_of: Callable[[Mapping[str, Any]], dict[str, Any]], block: str) -> AckFunction:
    """A modal's acknowledgement computed from the submission (errors, a view to update to, or {} to close). If
    computing it fails, the user sees a short error on `block` instead of Slack's generic failure."""

    def ack_form(ack: Callable[..., Any], body: dict[str, Any]) -> None:
        try:
            answer = answer_of(body)
        except Exception as exc:  # the type only: exception texts can carry payloads
            log.error("Slack form acknowledgement failed: %s", type(exc).__name__)
            lang = str(metadata(body.get("view") or {}).get("l") or "en")
            answer = {"response_action": "errors", "errors": {block: ui("error", lang)}}
        ack(**answer)

    return ack_form


@dataclass(frozen=True)
class Listener:
    """What Bolt routes to (`kind` is the App method: event, command, action, view, view_closed,
    message_shortcut), the acknowledgement, and the work done after it (None: acknowledge only)."""

    kind: str
    matcher: Any
    work: Work | None
    name: str = ""
    ack: AckFunction = _ack

    @property
    def label(self) -> str:
        return self.name or (self.work.__name__ if self.work else "listener")


def _guarded(name: str, work: Work) -> Work:
    """Work that logs its failure (the type only: exception texts can carry payloads) instead of losing it."""

    def run(body: dict[str, Any], context: BoltContext) -> None:
        try:
            work(body, context)
        except Exception as exc:
            log.error("Slack listener %s failed: %s", name, type(exc).__name__, exc_info=exc)

    return run


def wire(app: App, listeners: list[Listener], design: str, work_executor: Executor) -> None:
    """Register `listeners` so that acknowledgements never queue behind work (see the module's docstring).

    "lazy": the app runs with `process_before_response`; the acknowledgement is the listener's ack function, run on
    the request's thread, and the work is a lazy listener that Bolt starts on `work_executor` (the app's listener
    executor). "executors": Bolt's default; the whole listener runs on Bolt's executor, acknowledges and hands the
    work to `work_executor`, a second pool, so the first only ever holds acknowledgements. "shared": the whole
    listener, acknowledgement then work, on one pool (the baseline: acks queue behind slow work)."""
    for listener in listeners:
        route = getattr(app, listener.kind)(listener.matcher)
        work = _guarded(listener.label, listener.work) if listener.work else None
        if design == "lazy":
            lazy = [_named(f"{listener.label}_work", _lazy(work))] if work else []
            route(ack=_named(listener.label, _acknowledge(listener.ack)), lazy=lazy)
        elif design == "executors":
            route(_named(listener.label, _hand_off(listener.ack, work, work_executor)))
        else:  # "shared": the design before issue 17, kept as the benchmark's baseline
            route(_named(listener.label, _inline(listener.ack, work)))

    @app.error
    def failed(error: Exception) -> None:
        log.error("Slack listener failed: %s", type(error).__name__, exc_info=error)


# Bolt passes listener arguments by parameter name, so these wrappers spell out `ack`, `body` and `context`.
def _acknowledge(ack_fn: AckFunction) -> Callable[..., None]:
    def acknowledge(ack: Callable[..., Any], body: dict[str, Any]) -> None:
        ack_fn(ack, body)

    return acknowledge


def _lazy(work: Work) -> Callable[..., None]:
    def later(body: dict[str, Any], context: BoltContext) -> None:
        work(body, context)

    return later


def _hand_off(ack_fn: AckFunction, work: Work | None, executor: Executor) -> Callable[..., None]:
    def both(ack: Callable[..., Any], body: dict[str, Any], context: BoltContext) -> None:
        ack_fn(ack, body)
        if work is not None:
            executor.submit(work, body, context)

    return both


def _inline(ack_fn: AckFunction, work: Work | None) -> Callable[..., None]:
    def whole(ack: Callable[..., Any], body: dict[str, Any], context: BoltContext) -> None:
        ack_fn(ack, body)
        if work is not None:
            work(body, context)

    return whole


def _named(name: str, function: Callable[..., None]) -> Callable[..., None]:
    function.__name__ = function.__qualname__ = name  # Bolt names lazy listeners (and our tests find them) by it
    return function


#: The designs measured by benchmarks/slack_ack.py; `ACK_DESIGN` is the one in use (see RESULTS.md). "shared" is the
#: design before issue 17 (acknowledgement and work in one listener on one pool), kept only as the baseline.
ACK_DESIGNS = ("lazy", "executors", "shared")
ACK_DESIGN = "lazy"


def build_slack_app(services: Services, *, client: WebClient | None = None, design: str | None = None) -> App:
    """The one Bolt app for HTTP and Socket Mode. Raises ConfigError without SLACK_BOT_TOKEN."""
    settings = services.settings
    design = design or ACK_DESIGN
    if design not in ACK_DESIGNS:
        raise ValueError(f"unknown acknowledgement design {design!r}")
    client = client or interactive_client(settings)
    if client is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set; the Slack front end needs a bot token (xoxb-…)")
    # "shared" keeps the pool it had before issue 17 (32 threads for acknowledgements and work together).
    work = ThreadPoolExecutor(max_workers=WORK_THREADS if design != "shared" else 32, thread_name_prefix="slack-work")
    # With "executors", Bolt's own pool only runs acknowledgements and hand-offs, which take microseconds.
    bolt_pool = ThreadPoolExecutor(max_workers=ACK_THREADS, thread_name_prefix="slack-ack") \
        if design == "executors" else work

    def new_app(verify_token: bool) -> App:
        return App(
            client=client,
            # HTTP mode is mounted only when a signing secret is set (Settings.slack_enabled); Socket Mode has no
            # signatures to check. "" rather than None keeps Bolt from reading the environment behind our back.
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=True,
            token_verification_enabled=verify_token,
            process_before_response=design == "lazy",
            logger=_bolt_logger(settings),
            listener_executor=bolt_pool,
            name="privacy-bot",
        )

    try:
        # auth.test now, so the first request from Slack is not slowed down by it (it runs before ack()).
        app = new_app(True)
    except (BoltError, SlackClientError, OSError, HTTPException) as exc:
        # The web app must start even while Slack is unreachable; Bolt then calls auth.test on the first request.
        log.warning("Slack auth.test failed at start-up (%s); retrying on the first request", _failure(exc))
        app = new_app(False)
    frontend = SlackFrontend(services, client)
    wire(app, frontend.listeners(), design, work)
    return app


def _failure(exc: Exception) -> str:
    """A short reason without payloads: Bolt's auth error text embeds the whole API response."""
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(error) if isinstance(error, str) else type(exc).__name__


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def refusal(verifier: SignatureVerifier, body: bytes, timestamp: str | None, signature: str | None) -> str | None:
    """Why a request fails Slack's signature check (a short reason for the log), or None when it passes.

    Checked on the raw bytes before anything parses them: Bolt parses the body first and then verifies, so a
    malformed unsigned body or timestamp (`{`, invalid UTF-8, `1e3`) used to raise inside Bolt (500 and a
    traceback) instead of being refused."""
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        return "missing or malformed timestamp"
    if not signature or not _SIGNATURE.fullmatch(signature):
        return "missing or malformed signature"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if not verifier.is_valid(text, timestamp, signature):
        return "bad signature or stale timestamp"
    return None


def mount_slack(web: FastAPI, app: App, signing_secret: str) -> None:
    """Serve `app` at POST /slack/events (events, interactivity, slash commands, options). A thin guard verifies
    the signature first: anything that fails gets 401 and one log line, and never reaches Bolt. Bolt's Starlette
    adapter then translates requests; `dispatch` runs on the threadpool so it never blocks the event loop."""
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        why = refusal(verifier, body, request.headers.get("x-slack-request-timestamp"),
                      request.headers.get("x-slack-signature"))
        if why is not None:
            log.warning("Slack request refused (401): %s", why)
            return Response(status_code=401, content="invalid request")
        try:
            bolt_request = to_bolt_request(request, body)
        except Exception as exc:  # signed but unparsable: only someone holding the secret can send it
            log.warning("signed Slack request with an unparsable body refused (400): %s", type(exc).__name__)
            return Response(status_code=400, content="unparsable body")
        response = await run_in_threadpool(app.dispatch, bolt_request)
        return to_starlette_response(response)

    web.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)


def _app_token(settings: Settings) -> str:
    if not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set; Socket Mode needs an app-level token (xapp-…) with the "
                          "connections:write scope. For HTTP mode run `privacy-bot serve` instead.")
    return settings.slack_app_token


def socket_mode_handler(app: App, settings: Settings) -> "SocketModeHandler":
    """Socket Mode around the same app. Raises ConfigError without SLACK_APP_TOKEN."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # only Socket Mode deployments need it

    return SocketModeHandler(app, _app_token(settings))


def run_socket_mode(settings: Settings) -> int:
    """`privacy-bot slack`: connect over Socket Mode and run until interrupted, with staff notifications."""
    from bot.app import build_services, configure_logging
    from bot.signals import stop_on_signals

    _app_token(settings)
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set; the Slack front end needs a bot token (xoxb-…)")
    configure_logging(settings)
    services = build_services(settings)

    def interrupt() -> None:
        raise KeyboardInterrupt  # ends handler.start() (or the start-up) in the main thread; the clean-up runs

    # SIGTERM as Ctrl-C: the connection is closed, then the outbox's round finishes the message in hand and
    # records it (Python's default for SIGTERM would end the process before any of it; see bot/signals.py).
    with stop_on_signals(interrupt):
        try:
            return _serve_socket_mode(services, settings)
        except KeyboardInterrupt:
            return 0
        finally:
            services.close()


def _serve_socket_mode(services: Services, settings: Settings) -> int:
    app = build_slack_app(services)
    try:
        app.client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack: {exc.response.get('error')}") from None
    handler = socket_mode_handler(app, settings)
    services.dispatcher.start()
    print(f"privacy-bot: Slack Socket Mode starting (store: {services.store.health().backend})",
          file=sys.stderr, flush=True)
    try:
        handler.start()  # type: ignore[no-untyped-call]  # blocks until interrupted
    finally:
        handler.close()  # type: ignore[no-untyped-call]
    return 0
