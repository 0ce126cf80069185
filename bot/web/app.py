"""Web front end (FastAPI): translates HTTP JSON to `Message` and `Reply` back. No logic of its own."""
from __future__ import annotations

import asyncio
import copy
import logging
import secrets
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, Literal

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.types import ASGIApp, Message as AsgiMessage, Receive, Scope, Send

from bot.app import Services
from bot.engine.messages import Choice, Message, Reply
from bot.metrics import Metrics
from bot.ratelimit import RateLimited, client_ip, limiter_for, rate_limited_handler
from handoff import waiting
from handoff.store import StoreUnavailable

if TYPE_CHECKING:
    from handoff.redis.turns import AsyncTurns
from bot.admin.routes import admin_router
from bot.staff.routes import staff_router
from bot.web.chat_threads import ChatThreads
from bot.web.loop_queue import LoopQueue
from bot.web.metrics import RequestMetrics, add_metrics_route

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN,
                                   description="Conversation id returned by a previous reply; omit to start one.")
    text: str = Field(description="The user's message. Long messages are cut for matching.")
    lang: Literal["en", "ja"] | None = Field(default=None, description="Reply language; omit to follow the message.")
    step: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description=(
        "The `step` of the reply whose question this message answers (typed text or a button). An answer for an "
        "earlier question is not applied: the reply says so and asks the current question again. Omit it for "
        "plain text; then an exact repeat of the previous message within a few seconds is taken as a retry."))


class ChoiceOut(BaseModel):
    number: int
    intent: str | None = Field(description="Intent offered when clarifying; null for a form's options.")
    label: str
    article: int | None
    value: str | None = Field(default=None, description="A form option's value; sending it or the number picks it.")


class TicketOut(BaseModel):
    reference: str = Field(description="PRQ-YYYY-NNNNNN")
    request_type: str
    article: int
    status: str
    created_at: float
    due_at: float


class ChatResponse(BaseModel):
    session_id: str
    decision: Literal["answer", "clarify", "request", "fallback", "smalltalk"]
    article: int | None
    handoff: str | None
    intent: str | None
    confidence: float
    choices: list[ChoiceOut]
    lang: Literal["en", "ja"]
    text: str
    html: str
    citation: str | None
    notices: list[str]
    ticket: TicketOut | None = Field(default=None, description="The request opened or looked up by this message.")
    step: str | None = Field(default=None, description="Token of the question this reply asks (a form step or "
                             "\"Did you mean…\"); send it back as `step` with the answer. Null when nothing is asked.")


class Problem(BaseModel):
    detail: str = Field(description="What was wrong, in words.")
    errors: list[str] = Field(default_factory=list, description="One line per invalid field.")


#: Error answers every JSON endpoint can give, documented in the OpenAPI spec.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "description": "Body larger than PRIVACY_BOT_MAX_BODY_BYTES."},
    422: {"model": Problem, "description": "Body is not valid JSON or does not match the schema."},
    429: {"model": Problem, "description": "Too many requests from this session or IP address "
          "(PRIVACY_BOT_RATE_SESSION, PRIVACY_BOT_RATE_IP); nothing was processed. Retry after `Retry-After` seconds.",
          "headers": {"Retry-After": {"description": "Seconds to wait before retrying (at least 1).",
                                      "schema": {"type": "integer", "minimum": 1}}}},
}


class ResumeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID_PATTERN, description="The conversation to return to.")
    lang: Literal["en", "ja"] | None = None


class TranscriptLineOut(BaseModel):
    role: Literal["user", "bot"]
    text: str = Field(description="Plain text, as the store keeps it (show it as text, never as HTML).")
    at: float


class ResumeResponse(BaseModel):
    session_id: str
    transcript: list[TranscriptLineOut] = Field(
        default_factory=list, description="This conversation's last lines as the store keeps them (at most 30), "
                                          "oldest first, before the staff replies in `messages`.")
    choices: list[ChoiceOut] = Field(default_factory=list,
                                     description="The choices of the question still open (a form step or "
                                                 "\"Did you mean…\"), to offer again.")
    step: str | None = Field(default=None, description="Token of the question still open: send it back as `step`.")
    messages: list[ChatResponse] = Field(description="Staff replies that arrived while the requester was away.")


class TicketCopyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID_PATTERN, description="The chat session the request was made in.")
    reference: str = Field(pattern=r"^PRQ-\d{4}-\d{6,9}$", description="PRQ-YYYY-NNNNNN")
    email: str | None = Field(default=None, max_length=254,
                              description="The email given on the form, when asking from another session.")


class BodySizeLimit:
    """Refuses bodies over `limit` bytes with 413, whether or not the client sent Content-Length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None  # the last Content-Length sent, as the dict built here before took it
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                declared = value
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit, send)
            return
        received = 0
        refused = False

        async def limited_receive() -> AsgiMessage:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Answer 413 now and hand the app an empty, final body: whatever it answers is dropped.
                    refused = True
                    await _too_large(self.limit, send)
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: AsgiMessage) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


#: Over HTTPS (directly or through a trusted proxy's X-Forwarded-Proto) browsers are told to stay on HTTPS.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
#: JSON API answers echo names, emails and conversation text: never kept by a browser or shared cache.
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every HTTP response that does not set them itself (/docs included: its Swagger UI
    runs from files, without inline script), `Cache-Control: no-store` under /api/, and HSTS over HTTPS.
    `SecureApp` puts it outside everything, so 413s, 500s and every other error page get them too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]
        # The four combinations (under /api/ or not, HTTPS or not), made once rather than on every request.
        self._extra = {(api, https): self.headers + ([NO_STORE] if api else []) + ([HSTS] if https else [])
                       for api in (False, True) for https in (False, True)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra = self._extra[path.startswith("/api/"), scope.get("scheme") == "https"]

        async def send_with_headers(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(name).lower() for name, _ in headers}
                headers.extend((n, v) for n, v in extra if n not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecureApp(FastAPI):
    """FastAPI with `SecurityHeaders` outside its whole middleware stack, Starlette's error middleware included
    (`add_middleware` would put it inside that, and the 500 page and the 413 would go out without headers)."""

    #: Counts every response (`bot.web.metrics.RequestMetrics`) when set: also outside the error handling.
    request_metrics: Metrics | None = None

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        if self.request_metrics is not None:
            mounts = (route.path for route in self.routes if isinstance(route, Mount))
            inner = RequestMetrics(inner, self.request_metrics, mounts=mounts)
        return SecurityHeaders(inner)


async def _too_large(limit: int, send: Send) -> None:
    body = b'{"detail":"Request body too large (limit %d bytes)."}' % limit
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _choice_out(choice: Choice) -> ChoiceOut:
    return ChoiceOut(number=choice.number, intent=choice.intent, label=choice.label, article=choice.article,
                     value=choice.value)


def _chat_response(reply: Reply) -> ChatResponse:
    return ChatResponse(
        session_id=reply.session_id,
        decision=reply.decision,  # type: ignore[arg-type]
        article=reply.article,
        handoff=reply.handoff,
        intent=reply.intent,
        confidence=reply.confidence,
        choices=[_choice_out(c) for c in reply.choices],
        lang=reply.lang,  # type: ignore[arg-type]
        text=reply.text,
        html=reply.html,
        citation=reply.citation,
        notices=list(reply.notices),
        ticket=TicketOut(**reply.ticket) if reply.ticket else None,
        step=reply.step,
    )


_DECISIONS = frozenset({"answer", "clarify", "request", "fallback", "smalltalk"})
_LANGS = frozenset({"en", "ja"})
_TICKET_FIELDS = ("reference", "request_type", "article", "status", "created_at", "due_at")


def _plain(value: Any, kind: type) -> bool:
    return type(value) is kind


def _optional(value: Any, kind: type) -> bool:
    return value is None or type(value) is kind


def chat_json(reply: Reply) -> bytes:
    """`_chat_response(reply).model_dump_json()`, byte for byte, without building and validating the five pydantic
    models on every message (about a fiftieth of a chat message's CPU beyond matching; issue 18). orjson writes
    the same JSON as pydantic for these types (compact, UTF-8 unescaped, the same shortest float forms and string
    escapes: `tests/bot/web/test_chat_json.py` compares them). Whenever a value is not of the exact type the
    schema declares (an int confidence, a decision outside the schema, a ticket missing a field, a lone surrogate),
    the models are built as before, so what the schema checks is still checked and the output is still theirs."""
    try:
        if not (_plain(reply.session_id, str) and reply.decision in _DECISIONS and reply.lang in _LANGS
                and _optional(reply.article, int) and _optional(reply.handoff, str) and _optional(reply.intent, str)
                and _plain(reply.confidence, float) and _plain(reply.text, str) and _plain(reply.html, str)
                and _optional(reply.citation, str) and _optional(reply.step, str)
                and all(_plain(n, str) for n in reply.notices)):
            raise TypeError
        choices = []
        for c in reply.choices:
            if not (_plain(c.number, int) and _optional(c.intent, str) and _plain(c.label, str)
                    and _optional(c.article, int) and _optional(c.value, str)):
                raise TypeError
            choices.append({"number": c.number, "intent": c.intent, "label": c.label, "article": c.article,
                            "value": c.value})
        ticket = None
        if reply.ticket:
            t = reply.ticket
            ticket = {name: t[name] for name in _TICKET_FIELDS}
            if not (_plain(ticket["reference"], str) and _plain(ticket["request_type"], str)
                    and _plain(ticket["article"], int) and _plain(ticket["status"], str)
                    and _plain(ticket["created_at"], float) and _plain(ticket["due_at"], float)):
                raise TypeError
        return orjson.dumps({
            "session_id": reply.session_id, "decision": reply.decision, "article": reply.article,
            "handoff": reply.handoff, "intent": reply.intent, "confidence": reply.confidence, "choices": choices,
            "lang": reply.lang, "text": reply.text, "html": reply.html, "citation": reply.citation,
            "notices": list(reply.notices), "ticket": ticket, "step": reply.step,
        })
    except (TypeError, KeyError, orjson.JSONEncodeError):
        return _chat_response(reply).model_dump_json().encode("utf-8")


def add_offline_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with no network and no inline script: Swagger UI's files come from the `fastapi-offline`
    package (Swagger UI 5, which reads OpenAPI 3.1), started by /static/docs.js, all under the site's one CSP."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html")


def create_app(services: Services) -> FastAPI:
    settings = services.settings
    metrics = services.metrics
    inline = settings.chat_inline_enabled
    # With Redis, a chat message's two round trips on the event loop (`handoff.redis.turns`); None: SQLite, or off.
    turns: AsyncTurns | None = None
    connection = getattr(services.store, "connection_settings", None) if inline and settings.redis_url else None
    if connection is not None and connection() is not None:
        from handoff.redis.turns import AsyncTurns  # only Redis deployments load redis.asyncio

        url, socket_timeout, connect_timeout = connection()
        turns = AsyncTurns(getattr(services.store, "wrapped", services.store), url, socket_timeout=socket_timeout,
                           connect_timeout=connect_timeout,
                           on_error=lambda operation: metrics.child(metrics.store_errors, operation).inc())

    # The event loops whose app lifespan is running: only there may `turns` open connections, since only there are
    # they closed again (at shutdown). A request on any other loop (a test client without its context) uses a thread.
    served_loops: set[asyncio.AbstractEventLoop] = set()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        served_loops.add(loop)
        try:
            yield
        finally:
            served_loops.discard(loop)
            if turns is not None:
                await turns.aclose()  # this event loop's Redis connections

    app = SecureApp(
        title="Privacy-policy assistant",
        description="Answers questions about the privacy policy and opens tickets for formal requests.",
        version="0.1.0",
        # FastAPI's own /docs and /redoc load Swagger UI and ReDoc from a CDN with an inline script: blank offline
        # and refused by the CSP. `add_offline_docs` serves Swagger UI from an installed package instead.
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.request_metrics = services.metrics
    conversation = services.conversation
    limiter = limiter_for(services)
    app.add_exception_handler(RateLimited, rate_limited_handler)  # 429 with Retry-After; nothing was processed

    # Security headers: a plain ASGI wrapper (see `SecureApp`) rather than `@app.middleware("http")`: that one
    # (BaseHTTPMiddleware) runs every request through an extra task and memory streams, about a tenth of a chat
    # request's time (benchmarks/RESULTS.md).

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ())]
            field_path = ".".join(loc[1:] if loc[:1] == ["body"] else loc)
            if error.get("type") == "json_invalid":
                problems.append("body: not valid JSON")
            elif not field_path or field_path.isdigit():
                problems.append(f"body: {error.get('msg', 'invalid')}")
            else:
                problems.append(f"{field_path}: {error.get('msg', 'invalid')}")
        return JSONResponse(status_code=422, content={"detail": "Invalid request: " + "; ".join(problems),
                                                      "errors": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # Bytes that are not UTF-8 JSON at all: the same 422 as any other malformed body.
            return JSONResponse(status_code=422, content={"detail": "Invalid request: body: not valid JSON",
                                                          "errors": ["body: not valid JSON"]})
        return JSONResponse(status_code=exc.status_code, content={"detail": str(exc.detail), "errors": []},
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "Something went wrong on our side. Please try again."})

    # The chat endpoints run the (synchronous) core on threads of their own instead of Starlette's shared pool of
    # 40: the work is CPU-bound under the interpreter lock, and 32 busy threads spent more time handing the lock
    # around than answering (benchmarks/RESULTS.md). With SQLite one thread is fastest; with Redis a few overlap
    # its round trips. Other pages keep Starlette's pool, so a busy chat never queues a staff page.
    # `ChatThreads` rather than anyio's `to_thread.run_sync` with a capacity limiter: the same guarantees at a
    # fraction of the event loop's work per message (bot/web/chat_threads.py). A chat message is first answered on
    # the event loop itself (`answer` and `answer_with_redis`, below), and comes here only when the store would wait
    # there (or with PRIVACY_BOT_CHAT_INLINE=off).
    chat_threads = ChatThreads(settings.chat_thread_count)
    on_chat_thread = chat_threads.run
    loop_queue = LoopQueue()  # chat on the event loop, in turn (bot/web/loop_queue.py)

    async def answer(work: Callable[[], Reply]) -> Reply:
        """A chat message answered on the event loop (no thread hand-off: about a fifth of a message's CPU,
        benchmarks/RESULTS.md), its session write handed back by the store and made after it: on the loop when
        SQLite's write lock is free, else on a chat thread (a write, not the message). When the store refuses
        anything else that would wait on the loop (`handoff.waiting`: before anything was written), or that write
        fails, the message is answered from the start on a chat thread; its counts are made by the run that
        stands."""
        if inline:
            reply = await on_loop(work, write_each)
            if reply is not None:
                return reply
        return await on_chat_thread(work)

    async def on_loop(run: Callable[[], Reply], write: Callable[[list[Any]], Awaitable[None]]) -> Reply | None:
        """`run()` on the event loop in a deferring attempt, then `write(deferred)`: the reply, or None when the
        message must be answered again on a chat thread (counted by reason)."""
        def attempt_run() -> tuple[waiting.NoWait, Reply]:
            with waiting.without_waiting(deferring=True) as attempt:
                return attempt, run()

        try:
            attempt, reply = await loop_queue.run(attempt_run)  # in arrival order, 5 ms of chat per pass of the loop
            await write(attempt.deferred)
        except waiting.WouldWait as refused:
            reason = refused.reason
        except StoreUnavailable:
            reason = "write_failed"
        else:
            stands(attempt)
            return reply
        metrics.child(metrics.chat_rerun, reason).inc()
        return None

    async def write_each(deferred: list[Any]) -> None:
        for write in deferred:
            await write_soon(write)

    background: set[asyncio.Task[None]] = set()

    def stands(attempt: waiting.NoWait) -> None:
        """An attempt's message stands: its counts now, its `later` writes beside the next requests."""
        for count in attempt.after:
            count()
        for write in attempt.later:
            task = asyncio.ensure_future(write_later(write))
            background.add(task)  # a reference until it is done (the loop keeps only weak ones)
            task.add_done_callback(background.discard)

    async def write_later(write: Callable[[], None]) -> None:
        try:
            await write_soon(write)
        except StoreUnavailable:
            pass  # a `later` write never raises (it logs its own failure); this is belt and braces

    async def write_soon(write: Callable[[], None]) -> None:
        """`write()` on the event loop if it need not wait there, else on a chat thread. Raises StoreUnavailable."""
        try:
            with waiting.without_waiting():
                write()
                return
        except waiting.WouldWait as refused:
            metrics.child(metrics.chat_writes_on_thread, refused.reason).inc()
        await asyncio.shield(on_chat_thread(write))  # made even if the request is cancelled meanwhile

    async def answer_with_redis(message: Message, request: Request, session_id: str | None) -> Reply:
        """The message's read and its session write on the event loop (`handoff.redis.turns`: one round trip each,
        as on a thread), and the message answered there in between, its session write handed back by the store.
        Anything else the message needs from Redis (a ticket, an unanswered question's record), or a session
        write that fails, and it is answered again on a chat thread with the same start: its rate-limit take was
        made once, by the read. Its counts are made once, by whichever run stands."""
        assert turns is not None
        start = await limiter.begin_chat_async(turns, request, session_id, message)

        async def write(deferred: list[Any]) -> None:
            # Shielded: a request cancelled now still gets its session written.
            await asyncio.shield(turns.write(deferred))

        # The core changes the state it is given as it answers; a second run must start from the state as read.
        pristine = start if start is None else replace(start, state=copy.deepcopy(start.state))
        reply = await on_loop(lambda: conversation.handle(message, start), write)
        return reply if reply is not None else await on_chat_thread(lambda: conversation.handle(message, pristine))

    @app.post("/api/chat", response_model=ChatResponse, responses=ERROR_RESPONSES,
              summary="Send a message, get the assistant's reply")
    async def chat(body: ChatRequest, request: Request) -> Response:
        message = Message(text=body.text, session_id=body.session_id or secrets.token_urlsafe(18), frontend="web",
                          lang=body.lang, origin=client_ip(request, settings.trust_proxy), step=body.step)

        def work() -> Reply:
            # Per IP, then per session (raises RateLimited: 429), with the session and the staff replies waiting
            # read in the same store call; the take is written with the session (SQLite), else by `end_chat`.
            start = limiter.begin_chat(request, body.session_id, message)
            try:
                return conversation.handle(message, start)
            finally:
                limiter.end_chat()

        if turns is not None and asyncio.get_running_loop() in served_loops:
            reply = await answer_with_redis(message, request, body.session_id)
        else:
            reply = await answer(work)
        if reply.ticket or "email_code_sent" in reply.notices:
            services.dispatcher.kick()  # deliver the staff alert, receipt or code now rather than at the next poll
        # Serialised in one step (`chat_json`: the pydantic models' own JSON, without building them for every
        # message): FastAPI would validate the model again and encode it with the json module (a twentieth of a
        # chat request's time). The schema stays documented through `response_model`.
        return Response(chat_json(reply), media_type="application/json")

    @app.post("/api/resume", response_model=ResumeResponse, responses=ERROR_RESPONSES,
              summary="Return to a conversation: its transcript and the staff replies waiting")
    async def resume(body: ResumeRequest, request: Request) -> Response:
        message = Message(text="", session_id=body.session_id, frontend="web", lang=body.lang)

        def work() -> tuple[list[dict[str, Any]], tuple[Choice, ...], str | None, Reply | None]:
            limiter.check_chat(request, body.session_id)
            # The session id is the key: only this conversation's own lines come back.
            lines, choices = conversation.history(message)
            return lines, choices, conversation.open_step(message), conversation.staff_messages(message)

        lines, choices, step, reply = await on_chat_thread(work)
        resumed = ResumeResponse(
            session_id=body.session_id, transcript=[TranscriptLineOut(**line) for line in lines],
            choices=[_choice_out(c) for c in choices], step=step,
            messages=[_chat_response(reply)] if reply else [])
        # Replies echo names and emails typed into forms: never cached.
        return Response(resumed.model_dump_json(), media_type="application/json", headers={"cache-control": "no-store"})

    @app.post("/api/tickets/copy", responses={**ERROR_RESPONSES, 404: {"model": Problem}, 503: {"model": Problem}},
              summary="A requester's copy of everything stored about their request")
    async def ticket_copy(body: TicketCopyRequest, request: Request) -> JSONResponse:
        return await on_chat_thread(lambda: _ticket_copy(body, request))

    def _ticket_copy(body: TicketCopyRequest, request: Request) -> JSONResponse:
        limiter.check_chat(request, body.session_id)
        message = Message(text="", session_id=body.session_id, frontend="web",
                          origin=client_ip(request, settings.trust_proxy))
        try:
            copy = conversation.desk.copy_for_requester(message, body.reference, body.email or "")
        except StoreUnavailable:
            return JSONResponse(status_code=503, content={"detail": "Storage is unavailable; nothing was lost. "
                                                                    "Please try again shortly.", "errors": []})
        if copy is None:
            # Same answer whether the reference does not exist or belongs to someone else.
            return JSONResponse(status_code=404, content={"detail": "No request with that reference for you.",
                                                          "errors": []})
        return JSONResponse(content=copy, headers={"cache-control": "no-store"})

    @app.get("/healthz", summary="Store health")
    def healthz() -> JSONResponse:
        health = services.store.health()
        return JSONResponse(
            status_code=200 if health.ok else 503,
            content={"status": "ok" if health.ok else "degraded",
                     "store": {"backend": health.backend, "ok": health.ok, **dict(health.detail)},
                     "slack": "on" if settings.slack_enabled else "off"},
        )

    add_metrics_route(app, services)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    if settings.slack_enabled:
        from bot.slack.app import build_slack_app, mount_slack  # only Slack deployments load Bolt

        mount_slack(app, build_slack_app(services), settings.slack_signing_secret or "")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_offline_docs(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.include_router(staff_router(services))
    app.include_router(admin_router(services))
    return app
