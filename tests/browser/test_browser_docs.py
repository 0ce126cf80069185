"""/docs works offline and under the site's Content-Security-Policy (issue 15 point 7): Swagger UI's files come
from an installed package, nothing is fetched from another host, and no script or style is refused."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_testkit import Server
from chat_kit import DESKTOP, expect, opened, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_docs_render_offline_with_the_csp(browser: Any, server: Server, tmp_path: Path) -> None:
    with opened(browser, server.base, DESKTOP) as page:
        elsewhere: list[str] = []

        def offline(route: Any) -> None:
            if route.request.url.startswith(server.base):
                route.continue_()
            else:  # no network: anything from a CDN fails, and is recorded
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", offline)
        refused: list[str] = []
        page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
        response = page.goto("/docs")
        assert response is not None and response.status == 200
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Privacy-policy assistant")
        chat = page.locator(".opblock-post").filter(has_text="/api/chat").first
        expect(chat).to_be_visible()
        chat.locator(".opblock-summary").click()
        expect(chat.locator(".opblock-body")).to_contain_text("session_id")
        shot(page, tmp_path, "docs")
        assert elsewhere == [] and refused == []
