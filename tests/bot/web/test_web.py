"""The FastAPI front end through a real TestClient: the chat API, validation, limits, pages and headers."""
from __future__ import annotations

import re
import warnings
from typing import Any, Iterator

import pytest

from handoff import session_log
from bot.app import Services, build_services
from bot.config import Settings
from bot.web.app import SESSION_ID_PATTERN, create_app

with warnings.catch_warnings():
    # starlette.testclient warns at import time when it runs on `httpx` instead of `httpx2`; that is about
    # the test tool, not our code, and pytest's filterwarnings=error would otherwise fail collection.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

FIELDS = {"session_id", "decision", "article", "handoff", "intent", "confidence", "choices", "lang", "text", "html",
          "citation", "notices"}
VAGUE = ["data", "my data", "personal data", "my personal data", "information", "my info", "info", "personal info",
         "info about personal data", "personal information", "情報", "個人データ", "私の情報", "データについて", "privacy info"]
#: Articles whose answers carry a request offer (a button that is a choice of its own).
OFFER_ARTICLES = (6, 7, 8, 9, 14)


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One app for the module (building services takes ~0.15 s); tests use their own session ids."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    # The module's tests send well over the per-IP burst (40) from one test client within seconds; which test meets
    # the limit then depends on how the run is split over workers. The per-IP limit has tests of its own
    # (tests/bot/test_rate_limit.py); the per-session limit stays as shipped here.
    s = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(data_dir), "PRIVACY_BOT_RATE_IP": "100000",
                                          "PRIVACY_BOT_RATE_IP_BURST": "100000"}))
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(web_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(web_services), raise_server_exceptions=False) as c:
        yield c


def test_fresh_app_from_the_shared_services_fixture(services: Services) -> None:
    with TestClient(create_app(services)) as fresh:
        data = fresh.post("/api/chat", json={"text": "what are cookies used for?"}).json()
        assert data["article"] == 12
        state = services.store.load_session(data["session_id"])
        assert state is not None and state["lang"] == "en"
        assert fresh.get("/healthz").json()["store"]["backend"] == "sqlite"


def chat(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


# -- the chat API -----------------------------------------------------------------------------------

def test_chat_returns_every_field(client: TestClient) -> None:
    data = chat(client, text="what are cookies used for?")
    assert FIELDS <= set(data)
    assert data["decision"] == "answer"
    assert data["article"] == 12
    assert data["intent"] == "cookies"
    assert data["handoff"] is None
    assert isinstance(data["confidence"], float) and 0 < data["confidence"] <= 1
    assert data["choices"] == []
    assert data["lang"] == "en"
    assert data["citation"].startswith("Article 12 (")
    assert data["citation"] in data["text"]
    assert data["html"].startswith("<") and "Article 12" in data["html"]
    assert data["notices"] == []
    assert re.fullmatch(SESSION_ID_PATTERN, data["session_id"])


def test_request_via_api(client: TestClient) -> None:
    data = chat(client, text="send me a copy of all the data you hold on me")
    assert data["decision"] == "request"
    assert data["handoff"] == "disclosure"
    assert data["article"] == 7


def test_japanese_via_api(client: TestClient) -> None:
    data = chat(client, text="クッキーを無効にするとどうなりますか？")
    assert data["lang"] == "ja"
    assert data["article"] == 12
    assert data["citation"].startswith("第12条")


def test_explicit_lang_field(client: TestClient) -> None:
    data = chat(client, text="クッキーを無効にするとどうなりますか？", lang="en")
    assert data["lang"] == "en"
    assert data["citation"].startswith("Article 12 (")


def test_new_session_id_generated_when_omitted(client: TestClient) -> None:
    first = chat(client, text="hi")["session_id"]
    second = chat(client, text="hi")["session_id"]
    assert first != second
    for sid in (first, second):
        assert re.fullmatch(SESSION_ID_PATTERN, sid)
        assert len(sid) >= 16


def test_session_id_reused_when_sent(client: TestClient, web_services: Services) -> None:
    sid = "my-session_0123456789"
    assert chat(client, session_id=sid, text="クッキーとは何ですか")["session_id"] == sid
    # The session's language carries over to a message without letters.
    follow_up = chat(client, session_id=sid, text="12345")
    assert follow_up["session_id"] == sid
    assert follow_up["lang"] == "ja"
    state = web_services.store.load_session(sid)
    assert state is not None and len(session_log.recent(web_services.store, sid, state)) == 4


def test_clarify_then_pick_by_number(client: TestClient) -> None:
    # A clarification with a later choice whose answer offers no request, so that the pick's reply has no choices.
    clarify = None
    for text in VAGUE:
        data = chat(client, text=text)
        if data["decision"] == "clarify" and any(c["article"] not in OFFER_ARTICLES for c in data["choices"][1:]):
            clarify = data
            break
    assert clarify is not None, "no vague message produced a clarify reply with a plain later choice"
    choices = clarify["choices"]
    assert 2 <= len(choices) <= 3
    assert [c["number"] for c in choices] == list(range(1, len(choices) + 1))
    for c in choices:
        assert set(c) == {"number", "intent", "label", "article", "value"}
        assert c["value"] is None  # clarification choices are picked by number or label
        assert isinstance(c["label"], str) and c["label"]
        assert c["label"] in clarify["text"]
    assert clarify["article"] == choices[0]["article"]
    # Pick a later choice whose answer offers no request (Arts. 6-9 and 14 answers carry an offer button, which
    # would be a choice of its own): the clarification's choices must be gone after the pick.
    n = next(n for n, c in enumerate(choices[1:], start=2) if c["article"] not in OFFER_ARTICLES)
    picked = chat(client, session_id=clarify["session_id"], text=str(n))
    assert picked["decision"] == "answer"
    assert picked["intent"] == choices[n - 1]["intent"]
    assert picked["article"] == choices[n - 1]["article"]
    assert picked["choices"] == []
    # The pick was consumed: the same number again is no longer a choice.
    again = chat(client, session_id=clarify["session_id"], text=str(n))
    assert again["decision"] == "fallback"


def test_pick_needs_the_same_session(client: TestClient) -> None:
    for text in VAGUE:
        if chat(client, text=text)["decision"] == "clarify":
            break
    else:
        pytest.fail("no vague message produced a clarify reply")
    other = chat(client, session_id="another-session-1", text="2")
    assert other["decision"] == "fallback"
    assert other["article"] is None


def test_long_text_is_truncated_with_notice(client: TestClient, web_services: Services) -> None:
    text = "what are cookies used for? " * ((web_services.settings.max_message_chars // 27) + 10)
    data = chat(client, text=text)
    assert "truncated" in data["notices"]


# -- validation -------------------------------------------------------------------------------------

def _problem(response: Any) -> str:
    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body["detail"], str)
    return str(body["detail"])


def test_missing_text(client: TestClient) -> None:
    detail = _problem(client.post("/api/chat", json={}))
    assert "text" in detail
    assert "required" in detail.lower()


@pytest.mark.parametrize("value", [123, None, ["hi"], {"t": "hi"}, True])
def test_text_not_a_string(client: TestClient, value: Any) -> None:
    detail = _problem(client.post("/api/chat", json={"text": value}))
    assert "text" in detail
    assert "string" in detail.lower()


def test_extra_fields_rejected(client: TestClient) -> None:
    detail = _problem(client.post("/api/chat", json={"text": "hi", "admin": True}))
    assert "admin" in detail


@pytest.mark.parametrize("session_id", ["abc", "has spaces in it", "a" * 200, "semi;colon;id", "ünïcödé-sessión", ""])
def test_bad_session_id(client: TestClient, session_id: str) -> None:
    detail = _problem(client.post("/api/chat", json={"text": "hi", "session_id": session_id}))
    assert "session_id" in detail


@pytest.mark.parametrize("lang", ["fr", "EN", "", 1])
def test_bad_lang(client: TestClient, lang: Any) -> None:
    detail = _problem(client.post("/api/chat", json={"text": "hi", "lang": lang}))
    assert "lang" in detail


def test_body_not_json(client: TestClient) -> None:
    response = client.post("/api/chat", content=b"hello there", headers={"content-type": "application/json"})
    detail = _problem(response)
    assert "body" in detail.lower()
    assert "json" in detail.lower()


def test_json_array_body(client: TestClient) -> None:
    detail = _problem(client.post("/api/chat", json=[{"text": "hi"}]))
    assert "body" in detail.lower()


def test_form_body(client: TestClient) -> None:
    response = client.post("/api/chat", data={"text": "hi"})
    assert response.status_code == 422


@pytest.mark.parametrize("junk", [bytes(range(256)) * 4, b"\xff\xfe\xfd" * 100, b'{"text": "\xff\xfe"}', b"\x00" * 500])
def test_binary_junk_is_a_client_error(client: TestClient, junk: bytes) -> None:
    for content_type in ("application/json", "application/octet-stream"):
        response = client.post("/api/chat", content=junk, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500, (content_type, response.status_code, response.text)


@pytest.mark.parametrize("text", ["\\ud800", "what are cookies \\udfff used for?"])
def test_escaped_lone_surrogate_is_not_a_server_error(client: TestClient, text: str) -> None:
    """`"\\ud800"` is valid JSON for a lone surrogate; no input may crash the server."""
    response = client.post("/api/chat", content=('{"text": "%s"}' % text).encode(),
                           headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text


# -- body size --------------------------------------------------------------------------------------

def test_body_over_limit_with_content_length(client: TestClient, web_services: Services) -> None:
    limit = web_services.settings.max_body_bytes
    response = client.post("/api/chat", json={"text": "x" * (limit + 10)})
    assert response.status_code == 413
    assert "too large" in response.json()["detail"].lower()


def test_body_just_under_limit_is_accepted(client: TestClient, web_services: Services) -> None:
    limit = web_services.settings.max_body_bytes
    text = "what are cookies used for? " + "x" * (limit - 200)
    response = client.post("/api/chat", json={"text": text})
    assert response.status_code == 200
    assert "truncated" in response.json()["notices"]


def test_body_over_limit_chunked_without_content_length(client: TestClient, web_services: Services) -> None:
    limit = web_services.settings.max_body_bytes

    def body() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(limit // 1000 + 5):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/api/chat", content=body(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413, (response.status_code, response.text)


def test_small_chunked_body_is_accepted(client: TestClient) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"text": '
        yield b'"what are cookies used for?"}'

    response = client.post("/api/chat", content=body(), headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["article"] == 12


def test_lying_content_length_is_refused(client: TestClient) -> None:
    response = client.post("/api/chat", content=b'{"text": "hi"}',
                           headers={"content-type": "application/json", "content-length": "999999999"})
    assert response.status_code == 413


# -- escaping ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "<script>alert(1)</script> what are cookies?",
    "what are cookies? <img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "クッキー<script>alert(1)</script>",
])
def test_html_in_user_text_is_escaped(client: TestClient, text: str) -> None:
    data = chat(client, text=text)
    html = data["html"]
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "onerror=" not in html.lower() or "&lt;img" in html
    if "script" in html.lower():  # echoed somewhere: only ever as text
        assert "&lt;script" in html
    for choice in data["choices"]:
        assert "<script" not in choice["label"]


# -- health, pages, headers, docs -------------------------------------------------------------------

def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"]["backend"] == "sqlite"
    assert body["store"]["ok"] is True


def _csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def _assert_security_headers(headers: Any) -> None:
    csp = headers.get("content-security-policy")
    assert csp, "no Content-Security-Policy"
    directives = _csp_directives(csp)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert directives.get("frame-ancestors") == ["'none'"]
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy")


def test_chat_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<form" in page and "textarea" in page
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", page, flags=re.I | re.S)
    assert scripts, "the chat page loads no script"
    for attributes, body in scripts:
        assert re.search(r"\bsrc\s*=", attributes), f"inline script: {attributes!r}"
        assert body.strip() == "", "a <script src> must not carry inline code"
    assert not re.search(r"\son[a-z]+\s*=", page, flags=re.I), "inline event handler attribute"
    assert "javascript:" not in page.lower()
    _assert_security_headers(response.headers)


def test_security_headers_on_api_responses(client: TestClient) -> None:
    response = client.post("/api/chat", json={"text": "hi"})
    _assert_security_headers(response.headers)
    _assert_security_headers(client.post("/api/chat", json={}).headers)


def test_static_files(client: TestClient) -> None:
    js = client.get("/static/chat.js")
    assert js.status_code == 200
    assert "javascript" in js.headers["content-type"]
    assert "/api/chat" in js.text
    css = client.get("/static/chat.css")
    assert css.status_code == 200 and "css" in css.headers["content-type"]
    page = client.get("/").text
    for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page):
        assert client.get(src).status_code == 200, src
    assert client.get("/static/../config.py").status_code == 404


def test_docs_and_openapi(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/chat" in paths
    assert "post" in paths["/api/chat"]
    assert "/healthz" in paths


def test_unknown_route_404(client: TestClient) -> None:
    assert client.get("/nope").status_code == 404
    assert client.get("/api/chat").status_code == 405
