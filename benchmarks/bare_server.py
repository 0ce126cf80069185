"""The baseline servers for the HTTP benchmark: `privacy-bot serve` exactly as shipped, except that uvicorn is handed
a bare FastAPI app whose `POST /api/chat` returns a constant JSON object, or (`--matcher`) one whose async
`POST /api/chat` validates the same JSON body and only runs the matcher on the message, on the event loop (issue 18's
second baseline: what answering costs when nothing but matching is done).

It goes through `bot.cli.main.main(["serve", ...])` and only swaps the app `serve` is given, so host, port, log
level, access log, server header, event loop, HTTP parser and worker count are whatever `privacy-bot serve`
uses, by construction, and the process carries the same services (store, staff-notification thread) in the
background. Usage: `python -m benchmarks.bare_server --port P [--host 127.0.0.1] [--matcher]`.
"""
from __future__ import annotations

import sys
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

CONSTANT = {"status": "ok"}


def bare_app() -> FastAPI:
    app = FastAPI(title="bare")

    @app.post("/api/chat")
    async def chat() -> dict[str, str]:
        return CONSTANT

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return CONSTANT

    return app


class MatchRequest(BaseModel):
    """The chat endpoint's body (`bot.web.app.ChatRequest`: the same fields and checks)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,128}$")
    text: str
    lang: str | None = None


def matcher_app() -> FastAPI:
    """`POST /api/chat` that only matches the message: the shipped catalog and matcher, nothing stored, nothing
    rendered. Async and on the event loop, so no thread hand-off either: the cheapest a reply can be."""
    import json

    from bot.app import build_matcher

    matcher = build_matcher()
    app = FastAPI(title="matcher only")

    @app.post("/api/chat")
    async def chat(body: MatchRequest) -> Response:
        match = matcher.match(body.text)
        return Response(json.dumps({"decision": match.decision, "intent": match.intent,
                                    "confidence": match.confidence}), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return CONSTANT

    return app


def minimal(argv: list[str]) -> int:
    """`--minimal`: the bare app alone under uvicorn (no services built), the start-up baseline: what any FastAPI
    app costs to start on this machine. Same uvicorn arguments as `privacy-bot serve`."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    uvicorn.run(bare_app(), host=args.host, port=args.port, log_level="warning", access_log=False,
                server_header=False)
    return 0


def main(argv: list[str]) -> int:
    if "--minimal" in argv:
        return minimal([a for a in argv if a != "--minimal"])
    make_app = matcher_app if "--matcher" in argv else bare_app
    argv = [a for a in argv if a != "--matcher"]
    # The swap is made where `privacy-bot serve` gets its app (it imports `create_app` when it runs), not inside
    # uvicorn: serve builds its `uvicorn.Server` itself since the graceful stop (bot/signals.py), and a swap of
    # `uvicorn.run` went unused, so both baselines silently served the full chat app. `start_bare_server` now
    # checks the answer's shape, so a swap that misses again stops the benchmark instead.
    import bot.web.app as web_app

    def create_app(services: Any) -> FastAPI:
        return make_app()  # the services are built and run beside it as in `serve`; only the app differs

    web_app.create_app = create_app  # type: ignore[assignment]
    from bot.cli.main import main as cli_main

    return cli_main(["serve", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
