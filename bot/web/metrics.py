"""`GET /metrics` and the HTTP request counter (see `bot.metrics` for what is measured and why)."""
from __future__ import annotations

import hmac
from typing import Iterable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message as AsgiMessage, Receive, Scope, Send

from bot.app import Services
from bot.metrics import CONTENT_TYPE, Metrics

#: The route label of requests no route matched (404s for made-up paths): never the path itself.
UNMATCHED = "unmatched"


class RequestMetrics:
    """Counts every HTTP response by method, route template and status. A plain ASGI wrapper put outside the
    app's error handling (`SecureApp`), so 500s and 413s are counted with their real status."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, mounts: Iterable[str] = ()) -> None:
        self.app = app
        self.requests = metrics.requests
        self.metrics = metrics
        #: Mounted apps (static files, Slack): the router does not leave them in the scope, so matched by prefix.
        self.mounts = tuple(sorted(mounts, key=len, reverse=True))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app fails before it answers

        async def send_status(message: AsgiMessage) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope.get("method", "GET")
            route = route_label(scope)
            if route == UNMATCHED:
                path = str(scope.get("path", ""))
                route = next((m for m in self.mounts if path == m or path.startswith(m + "/")), UNMATCHED)
            self.metrics.child(self.requests, method if method in _METHODS else "other", route, str(status)).inc()


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The template of the route that handled the request (`/staff/tickets/{ref}`), or `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) and path else UNMATCHED


def add_metrics_route(app: FastAPI, services: Services) -> None:
    metrics, token = services.metrics, services.settings.metrics_token

    @app.get("/metrics", summary="Prometheus metrics (text format; no personal data)",
             response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}, 401: {}})
    def prometheus(request: Request) -> Response:
        if token is not None:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return Response("Unauthorized\n", status_code=401, media_type="text/plain",
                                headers={"www-authenticate": 'Bearer realm="metrics"'})
        return Response(metrics.exposition(), media_type=CONTENT_TYPE, headers={"cache-control": "no-store"})
