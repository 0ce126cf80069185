"""The staff queue (`/staff`) through a real TestClient on the real app, a real SQLite store and real accounts:
sign-in, cookies, sessions, CSRF, route-by-route refusal, the queue's filters, the ticket page and its actions."""
from __future__ import annotations

import dataclasses
import re
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bot.app import Services, build_services
from bot.config import Settings
from bot.staff.routes import staff_router
from bot.staff.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, session_key
from bot.web.app import create_app
from handoff.accounts import UserAccount, hash_password
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from handoff.tickets import Contact, Representative, Requester, Ticket, TicketDraft

PASSWORD = "correct horse battery staple"
DAY = 86400.0
REF = "PRQ-2026-000001"
GET_ROUTES = ["/staff", "/staff/tickets/{ref}", "/staff/intake"]
POST_ROUTES = ["/staff/logout", "/staff/tickets/{ref}/claim", "/staff/tickets/{ref}/status",
               "/staff/tickets/{ref}/note", "/staff/tickets/{ref}/reply", "/staff/intake"]
#: A form per POST route that would change the ticket if it were accepted.
FORMS: dict[str, dict[str, str]] = {
    "/staff/logout": {},
    "/staff/tickets/{ref}/claim": {},
    "/staff/tickets/{ref}/status": {"status": "waiting_on_requester", "rejection_ground": "", "reason": "x"},
    "/staff/tickets/{ref}/note": {"note": "a note"},
    "/staff/tickets/{ref}/reply": {"reply": "a reply"},
    "/staff/intake": {"token": "t" * 24, "channel": "mail", "received": "2026-06-01", "request_type": "disclosure",
                      "lang": "en", "name": "Hanako", "details": "everything"},
}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_ERROR = re.compile(r'class="error"[^>]*>([^<]*)<')


class FlakyStore(SQLiteStore):
    """A real SQLite store that can be switched off (`down`), or made to fail with a bug (`buggy`): every
    ticket or account access then raises."""

    down = False
    buggy = False

    def __getattribute__(self, name: str) -> Any:
        if name in {"list_tickets", "get_ticket", "claim", "update_status", "add_note", "add_reply", "get_user",
                    "load_session", "save_session"}:
            if object.__getattribute__(self, "down"):
                raise StoreUnavailable("injected outage")
            if object.__getattribute__(self, "buggy") and name in {"get_ticket", "list_tickets"}:
                raise RuntimeError("secret internals")
        return object.__getattribute__(self, name)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Catalog, matcher and renderer are built once; each test swaps in its own store and settings."""
    data = tmp_path_factory.mktemp("staff-base") / "data"
    s = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(data)}))
    yield s
    s.close()


@pytest.fixture(scope="module")
def password_hash() -> str:
    # A lower scrypt cost than production keeps ~80 sign-ins fast; `root` keeps the default cost.
    return hash_password(PASSWORD, n=2**10)


@pytest.fixture(scope="module")
def default_cost_hash() -> str:
    return hash_password(PASSWORD)


def make_services(base: Services, path: Path, password_hash: str, root_hash: str | None = None,
                  **env: str) -> Services:
    store = FlakyStore(path / f"{uuid.uuid4().hex}.sqlite3")
    for name, role in (("alice", "staff"), ("bob", "staff"), ("root", "admin")):
        store.add_user(UserAccount(name, root_hash if root_hash and name == "root" else password_hash, role,
                                   time.time()))
    settings = Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(path), **env})
    return dataclasses.replace(base, store=store, settings=settings)


@pytest.fixture()
def services(base: Services, tmp_path: Path, password_hash: str, default_cost_hash: str) -> Iterator[Services]:
    s = make_services(base, tmp_path, password_hash, default_cost_hash)
    yield s
    s.store.close()


@pytest.fixture()
def client(services: Services) -> TestClient:
    return TestClient(create_app(services))


def new_ticket(store: Any, *, request_type: str = "disclosure", name: str = "Hanako Yamada",
               now: float | None = None, **extra: Any) -> Ticket:
    draft = TicketDraft(
        request_type=request_type, requester=Requester("web", None, "sess-" + uuid.uuid4().hex),
        contact=Contact(name, "hanako@example.com"), answers=extra.pop("answers", {"scope": "purchase history"}),
        transcript=extra.pop("transcript", [{"role": "user", "text": "send me my data", "at": time.time()}]), **extra)
    ticket: Ticket = store.create_ticket(draft, idempotency_key=uuid.uuid4().hex, now=now or time.time())
    return ticket


def sign_in(client: TestClient, username: str = "alice", password: str = PASSWORD, **extra: str) -> str:
    """Sign in through the form and return the session's CSRF token (read from the sign-out form)."""
    token = _CSRF.search(client.get("/staff/login").text)
    assert token is not None
    response = client.post("/staff/login", data={"csrf": token[1], "username": username, "password": password,
                                                 **extra}, follow_redirects=False)
    assert response.status_code == 303, response.text
    csrf = _CSRF.search(client.get("/staff").text)
    assert csrf is not None
    return csrf[1]


def error_of(response: Any) -> str:
    found = _ERROR.search(response.text)
    assert found is not None, response.text
    return found[1]


def set_cookies(response: Any) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k == "set-cookie"]


# -- sign-in ----------------------------------------------------------------------------------------

def test_sign_in_then_the_queue_shows_who_is_signed_in(client: TestClient, services: Services) -> None:
    new_ticket(services.store)
    sign_in(client, "root")
    page = client.get("/staff")
    assert page.status_code == 200
    assert "root" in page.text and "admin" in page.text and REF in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("username, password", [("alice", "wrong"), ("nobody", PASSWORD), ("alice", ""),
                                                ("alice", "x" * 5000), ("", "")])
def test_failed_sign_in_gives_one_generic_message(client: TestClient, username: str, password: str) -> None:
    token = _CSRF.search(client.get("/staff/login").text)
    assert token is not None
    response = client.post("/staff/login", data={"csrf": token[1], "username": username, "password": password})
    assert response.status_code == 401
    assert error_of(response) == "Wrong username or password."
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/staff", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("cookie, field", [(None, "same"), ("same", None), ("same", "other")])
def test_sign_in_needs_the_double_submit_token(client: TestClient, cookie: str | None, field: str | None) -> None:
    tokens = {"same": "a" * 43, "other": "b" * 43}
    if cookie:
        client.cookies.set(LOGIN_CSRF_COOKIE, tokens[cookie], path="/staff")
    data = {"username": "alice", "password": PASSWORD}
    if field:
        data["csrf"] = tokens[field]
    response = client.post("/staff/login", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "expired" in error_of(response)
    assert SESSION_COOKIE not in client.cookies


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    first = client.get(f"/staff/tickets/{ticket.reference}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"/staff/login?next=%2Fstaff%2Ftickets%2F{ticket.reference}"
    token = _CSRF.search(client.get(first.headers["location"]).text)
    assert token is not None
    done = client.post("/staff/login", data={"csrf": token[1], "username": "alice", "password": PASSWORD,
                                             "next": f"/staff/tickets/{ticket.reference}"}, follow_redirects=False)
    assert done.headers["location"] == f"/staff/tickets/{ticket.reference}"
    client.cookies.clear()
    for evil in ("https://evil.example/", "//evil.example/staff", "/staff\\..\\x", "/stafff"):
        sign_in_response = client.get("/staff/login?" + f"next={evil}")
        token = _CSRF.search(sign_in_response.text)
        assert token is not None
        done = client.post("/staff/login", data={"csrf": token[1], "username": "alice", "password": PASSWORD,
                                                 "next": evil}, follow_redirects=False)
        assert done.headers["location"] == "/staff"
        client.cookies.clear()


# -- cookies and sessions ---------------------------------------------------------------------------

def _session_cookie_header(client: TestClient, **headers: str) -> str:
    token = _CSRF.search(client.get("/staff/login", headers=headers).text)
    assert token is not None
    # Sent by hand: a Secure cookie never goes back over the test's plain-http hop to the "proxy".
    response = client.post("/staff/login", data={"csrf": token[1], "username": "alice", "password": PASSWORD},
                           headers={**headers, "cookie": f"{LOGIN_CSRF_COOKIE}={token[1]}"}, follow_redirects=False)
    assert response.status_code == 303
    return next(c for c in set_cookies(response) if c.startswith(SESSION_COOKIE + "="))


@pytest.mark.parametrize("mode, base_url, headers, secure", [
    ("auto", "http://testserver", {}, False),
    ("auto", "https://testserver", {}, True),
    ("auto", "http://testserver", {"X-Forwarded-Proto": "https"}, True),
    ("0", "https://testserver", {"X-Forwarded-Proto": "https"}, False),
    ("1", "http://testserver", {}, True),
])
def test_cookie_flags(base: Services, tmp_path: Path, password_hash: str, mode: str, base_url: str,
                      headers: dict[str, str], secure: bool) -> None:
    services = make_services(base, tmp_path, password_hash, PRIVACY_BOT_SECURE_COOKIES=mode)
    client = TestClient(create_app(services), base_url=base_url)
    login_page = client.get("/staff/login", headers=headers)
    login_cookie = next(c for c in set_cookies(login_page) if c.startswith(LOGIN_CSRF_COOKIE + "="))
    cookie = _session_cookie_header(client, **headers)
    for header in (cookie, login_cookie):
        flags = {part.strip().lower() for part in header.split(";")}
        assert "httponly" in flags
        assert {"samesite=lax", "samesite=strict"} & flags
        assert ("secure" in flags) is secure
    assert "samesite=lax" in cookie.lower() and "max-age" not in cookie.lower()
    services.store.close()


def test_the_cookie_holds_only_a_random_token_and_the_store_the_session(client: TestClient,
                                                                      services: Services) -> None:
    sign_in(client)
    token = client.cookies[SESSION_COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    state = services.store.load_session(session_key(token))
    assert state is not None and state["username"] == "alice" and state["role"] == "staff"
    assert session_key(token).startswith("staff:") and token not in session_key(token)
    assert services.store.load_session(token) is None  # a chat session id cannot reach it


def test_sign_out_ends_the_session_on_the_server(client: TestClient, services: Services) -> None:
    csrf = sign_in(client)
    token = client.cookies[SESSION_COOKIE]
    out = client.post("/staff/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/staff/login?done=signed_out"
    assert services.store.load_session(session_key(token)) is None
    replay = TestClient(client.app)
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/staff", follow_redirects=False).headers["location"].startswith("/staff/login")
    assert "signed out" in client.get("/staff/login?done=signed_out").text


def test_a_removed_account_loses_its_session(client: TestClient, services: Services) -> None:
    sign_in(client, "bob")
    services.store.remove_user("bob")
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_signing_in_again_replaces_the_old_session(client: TestClient, services: Services) -> None:
    sign_in(client)
    old = client.cookies[SESSION_COOKIE]
    assert client.get("/staff/login", follow_redirects=False).headers["location"] == "/staff"
    client.cookies.set(LOGIN_CSRF_COOKIE, "a" * 43, path="/staff")  # a sign-in form opened earlier
    again = client.post("/staff/login", data={"csrf": "a" * 43, "username": "bob", "password": PASSWORD},
                        follow_redirects=False)
    assert again.status_code == 303
    assert client.cookies[SESSION_COOKIE] != old
    assert services.store.load_session(session_key(old)) is None


def test_session_expires_after_the_ttl_without_use_and_is_refreshed_by_use(tmp_path: Path,
                                                                           password_hash: str) -> None:
    now = [1_777_593_600.0]
    store = SQLiteStore(tmp_path / "clock.sqlite3", clock=lambda: now[0])
    store.add_user(UserAccount("alice", password_hash, "staff", now[0]))
    settings = Settings.from_env({"PRIVACY_BOT_STAFF_SESSION_TTL": "60"})
    services: Any = type("S", (), {"store": store, "settings": settings})()
    app = FastAPI()
    app.include_router(staff_router(services, clock=lambda: now[0]))
    client = TestClient(app)
    sign_in(client)
    for _ in range(4):  # used every 50 s: each use moves the expiry on
        now[0] += 50
        assert client.get("/staff", follow_redirects=False).status_code == 200
    now[0] += 61
    assert client.get("/staff", follow_redirects=False).status_code == 303
    store.close()


# -- every route is refused without a signed-in staff account ----------------------------------------

def test_the_route_lists_cover_every_staff_route(services: Services) -> None:
    router = staff_router(services)
    routes = {(m, r.path) for r in router.routes if isinstance(r, APIRoute) for m in (r.methods or ()) if m != "HEAD"}
    expected = {("GET", p) for p in GET_ROUTES} | {("POST", p) for p in POST_ROUTES}
    assert routes == expected | {("GET", "/staff/login"), ("POST", "/staff/login")}


@pytest.mark.parametrize("path", GET_ROUTES)
def test_pages_redirect_anonymous_users_to_sign_in(client: TestClient, services: Services, path: str) -> None:
    ticket = new_ticket(services.store)
    response = client.get(path.format(ref=ticket.reference), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login?next=")
    assert "Hanako" not in response.text


@pytest.mark.parametrize("path", POST_ROUTES)
@pytest.mark.parametrize("cookie", [None, "forged"])
def test_posts_are_refused_without_a_session(client: TestClient, services: Services, path: str,
                                             cookie: str | None) -> None:
    ticket = new_ticket(services.store)
    if cookie:
        client.cookies.set(SESSION_COOKIE, "x" * 43)
    response = client.post(path.format(ref=ticket.reference), data={**FORMS[path], "csrf": "anything"},
                           follow_redirects=False)
    assert response.status_code == 401
    assert services.store.get_ticket(ticket.reference) == ticket


@pytest.mark.parametrize("path", POST_ROUTES)
def test_posts_are_refused_without_the_right_csrf_token(client: TestClient, services: Services, path: str) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client)
    url = path.format(ref=ticket.reference)
    attempts: list[dict[str, Any]] = [
        {"data": FORMS[path]}, {"data": {**FORMS[path], "csrf": ""}},
        {"data": {**FORMS[path], "csrf": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}},
        {"data": {**FORMS[path], "csrf": client.cookies[SESSION_COOKIE]}},  # the cookie is not the token
        {"json": {**FORMS[path], "csrf": csrf}},  # only a form body carries the token
    ]
    for body in attempts:
        response = client.post(url, **body)
        assert response.status_code == 403, body
        assert "nothing was changed" in response.text
        assert services.store.get_ticket(ticket.reference) == ticket
    assert client.get("/staff").status_code == 200  # still signed in: a forged sign-out did nothing


# -- the queue --------------------------------------------------------------------------------------

def refs(page: Any) -> list[str]:
    return re.findall(r'<a href="/staff/tickets/(PRQ-\d{4}-\d{6})">', page.text)


def test_queue_filters(client: TestClient, services: Services) -> None:
    store = services.store
    fresh = new_ticket(store)
    claimed = new_ticket(store, request_type="correction")
    store.claim(claimed.reference, actor="alice", now=time.time())
    late = new_ticket(store, request_type="inquiry", now=time.time() - 20 * DAY)
    done = new_ticket(store)
    store.update_status(done.reference, "resolved", actor="bob", now=time.time())
    by_bob = new_ticket(store, request_type="suspension")
    store.claim(by_bob.reference, actor="bob", now=time.time())
    sign_in(client)

    def listed(query: str) -> set[str]:
        page = client.get("/staff" + query)
        assert page.status_code == 200
        return set(refs(page))

    open_refs = {fresh.reference, claimed.reference, late.reference, by_bob.reference}
    assert listed("") == open_refs
    assert listed("?status=all") == open_refs | {done.reference}
    assert listed("?status=resolved") == {done.reference}
    assert listed("?status=new") == {fresh.reference, late.reference}
    assert listed("?type=correction") == {claimed.reference}
    assert listed("?overdue=1") == {late.reference}
    assert listed("?assignee=bob&status=all") == {by_bob.reference}
    assert listed("?mine=1") == {claimed.reference}
    assert listed("?status=new&type=inquiry&overdue=1") == {late.reference}

    page = client.get("/staff")
    row = re.search(rf'<tr class="is-overdue">\s*<td[^>]*><a href="/staff/tickets/{late.reference}"', page.text)
    assert row is not None and page.text.count('class="is-overdue"') == 1
    assert "Overdue" in page.text and "JST" in page.text

    odd = client.get("/staff?status=bogus&type=<script>&page=-3&assignee=" + "x" * 100)
    assert odd.status_code == 200 and "ignored" in error_of(odd)
    assert set(refs(odd)) == open_refs and "<script>" not in odd.text


# -- the ticket page --------------------------------------------------------------------------------

def test_ticket_page_shows_everything_escaped(client: TestClient, services: Services) -> None:
    evil = "<script>alert(1)</script>"
    ticket = new_ticket(services.store, name=evil, answers={"scope": f"my orders {evil}"},
                        transcript=[{"role": "user", "text": f"please {evil}", "at": time.time()},
                                    {"role": "bot", "text": "Understood.", "at": time.time()}],
                        representative=Representative(on_behalf_of="Taro <b>Yamada</b>", relationship="parent"))
    services.store.add_note(ticket.reference, actor="bob", text=f"note {evil}", now=time.time())
    services.store.add_reply(ticket.reference, actor="bob", text="We are on it.", now=time.time())
    sign_in(client)
    page = client.get(f"/staff/tickets/{ticket.reference}")
    assert page.status_code == 200
    assert evil not in page.text and "<b>Yamada" not in page.text
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4  # name, answer, transcript, note
    for shown in ("Disclosure", "Article 7", "hanako@example.com", "purchase history" if False else "my orders",
                  "Understood.", "We are on it.", "not delivered yet", "Taro &lt;b&gt;Yamada&lt;/b&gt; (parent)",
                  "Created", "Note", "Reply", "pending", ticket.requester.session_id[:6] + "…"):
        assert shown in page.text, shown
    assert ticket.requester.session_id not in page.text  # the requester's chat session id is a secret
    assert "art7_1" in page.text and "identity_not_confirmed" in page.text and "art6_1" not in page.text


def test_unknown_and_malformed_references_are_404(client: TestClient, services: Services) -> None:
    csrf = sign_in(client)
    for ref in ("PRQ-2026-999999", "PRQ-2026-1", "prq-2026-000001", "PRQ-2026-000001x", "%3Cb%3E"):
        page = client.get(f"/staff/tickets/{ref}")
        assert page.status_code == 404, ref
        assert "No such ticket" in page.text and ref not in page.text
        for path in (p for p in POST_ROUTES[1:] if "{ref}" in p):
            assert client.post(path.format(ref=ref), data={**FORMS[path], "csrf": csrf}).status_code == 404


# -- actions ----------------------------------------------------------------------------------------

def post(client: TestClient, csrf: str, ticket: Ticket, action: str, **form: str) -> Any:
    return client.post(f"/staff/tickets/{ticket.reference}/{action}", data={"csrf": csrf, **form},
                       follow_redirects=False)


def test_claim(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client)
    response = post(client, csrf, ticket, "claim")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/tickets/{ticket.reference}?done=claimed"
    after = services.store.get_ticket(ticket.reference)
    assert after.assignee == "alice" and after.status == "in_progress"
    assert [(e.actor, e.action) for e in after.events[1:]] == [("alice", "claimed"), ("alice", "status")]
    page = client.get(response.headers["location"])
    assert "You are now the assignee" in page.text and "You hold this ticket" in page.text


def test_status_change_and_illegal_transition(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client)
    response = post(client, csrf, ticket, "status", status="waiting_on_requester", rejection_ground="",
                    reason="asked for ID")
    assert response.status_code == 303
    after = services.store.get_ticket(ticket.reference)
    assert after.status == "waiting_on_requester"
    assert (after.events[-1].actor, after.events[-1].detail, after.events[-1].text) == (
        "alice", "new -> waiting_on_requester", "asked for ID")
    assert post(client, csrf, ticket, "status", status="resolved").status_code == 303
    closed = services.store.get_ticket(ticket.reference)
    refused = post(client, csrf, ticket, "status", status="in_progress", reason="reopen")
    assert refused.status_code == 409
    assert "cannot move" in error_of(refused)
    assert services.store.get_ticket(ticket.reference) == closed
    assert post(client, csrf, ticket, "claim").status_code == 400  # closed: nothing to claim
    assert post(client, csrf, ticket, "status", status="bogus").status_code == 400
    assert services.store.get_ticket(ticket.reference) == closed


@pytest.mark.parametrize("ground, reason, problem", [
    ("", "Not ours to decide.", "ground"),
    ("art7_1", "Not ours to decide.", "ground"),  # a disclosure ground on a correction request
    ("bogus", "Not ours to decide.", "ground"),
    ("art8_content_true", "   ", "explanation"),
    ("art8_content_true", "x" * 5001, "too long"),
])
def test_rejection_needs_a_ground_of_the_type_and_an_explanation(client: TestClient, services: Services,
                                                                 ground: str, reason: str, problem: str) -> None:
    ticket = new_ticket(services.store, request_type="correction")
    csrf = sign_in(client)
    refused = post(client, csrf, ticket, "status", status="rejected", rejection_ground=ground, reason=reason)
    assert refused.status_code == 400
    assert problem in error_of(refused)
    assert services.store.get_ticket(ticket.reference) == ticket


def test_rejection_with_ground_and_explanation(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store, request_type="correction")
    csrf = sign_in(client)
    done = post(client, csrf, ticket, "status", status="rejected", rejection_ground="art8_content_true",
                reason="We checked: the address is right.")
    assert done.status_code == 303
    after = services.store.get_ticket(ticket.reference)
    assert after.status == "rejected" and after.rejection is not None
    assert (after.rejection.ground, after.rejection.text) == ("art8_content_true", "We checked: the address is right.")
    assert after.events[-1].actor == "alice"
    page = client.get(f"/staff/tickets/{ticket.reference}")
    assert "the investigation found the content to be true" in page.text and "Change status" not in page.text


def test_note(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client, "root")
    assert post(client, csrf, ticket, "note", note="  called the requester\nno answer ").status_code == 303
    after = services.store.get_ticket(ticket.reference)
    assert (after.events[-1].actor, after.events[-1].action, after.events[-1].text) == (
        "root", "note", "called the requester\nno answer")
    assert services.store.pending_replies(ticket.requester) == []  # a note never reaches the requester
    for text, problem in (("   ", "Write something"), ("x" * 5001, "too long")):
        refused = post(client, csrf, ticket, "note", note=text)
        assert refused.status_code == 400 and problem in error_of(refused)
    assert services.store.get_ticket(ticket.reference) == after


def test_reply_reaches_the_requesters_outbox(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client)
    response = post(client, csrf, ticket, "reply", reply="Your data is on its way.")
    assert response.status_code == 303 and response.headers["location"].endswith("?done=reply")
    pending = services.store.pending_replies(ticket.requester)
    assert [(p.reference, p.reply.actor, p.reply.text) for p in pending] == [
        (ticket.reference, "alice", "Your data is on its way.")]
    assert post(client, csrf, ticket, "reply", reply="x" * 5001).status_code == 400
    assert len(services.store.pending_replies(ticket.requester)) == 1


# -- store outages ----------------------------------------------------------------------------------

def test_store_outage_gives_a_503_page_and_loses_nothing(client: TestClient, services: Services) -> None:
    ticket = new_ticket(services.store)
    csrf = sign_in(client)
    store: Any = services.store
    store.down = True
    try:
        for response in (client.get("/staff"), client.get(f"/staff/tickets/{ticket.reference}"),
                         post(client, csrf, ticket, "claim"), post(client, csrf, ticket, "note", note="hi"),
                         client.get("/staff/login"),
                         client.post("/staff/login", data={"csrf": "x", "username": "alice", "password": "x"})):
            assert response.status_code in (503, 403), response.text
            if response.status_code == 503:
                assert "Try again shortly" in response.text and "Nothing was lost" in response.text
                assert "Traceback" not in response.text and "injected" not in response.text
    finally:
        store.down = False
    assert services.store.get_ticket(ticket.reference) == ticket
    assert client.get(f"/staff/tickets/{ticket.reference}").status_code == 200


def test_a_bug_gives_a_plain_500_page_without_details(client: TestClient, services: Services,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    ticket = new_ticket(services.store)
    sign_in(client)
    store: Any = services.store
    store.buggy = True
    try:
        for response in (client.get("/staff"), client.get(f"/staff/tickets/{ticket.reference}")):
            assert response.status_code == 500
            assert "Something went wrong" in response.text
            assert "secret internals" not in response.text and "Traceback" not in response.text
    finally:
        store.buggy = False
    assert "staff page failed" in caplog.text


# -- delivery state -----------------------------------------------------------------------------------

def test_queue_and_ticket_page_show_the_true_delivery_state(client: TestClient, services: Services) -> None:
    from bot.staff.views import jst

    ticket = new_ticket(services.store)
    key = f"{ticket.reference}:staff_alert:log"
    sign_in(client)

    def states() -> tuple[str, str]:
        row = client.get("/staff").text.split(ticket.reference, 1)[1].split("</tr>", 1)[0]
        page = client.get(f"/staff/tickets/{ticket.reference}").text
        return row, page.split("Messages sent about this ticket", 1)[1].split("</table>", 1)[0]

    row, deliveries = states()
    assert "Server log: <span class=\"muted\">pending</span>" in row and "sent" not in row
    assert "Staff alert" in deliveries and "pending" in deliveries
    retry_at = time.time() + 120
    services.store.record_delivery(key, ok=False, now=time.time(), error="network:timeout", retry_at=retry_at)
    row, deliveries = states()
    expected = f"failed — retrying at {jst(retry_at)} (network:timeout)"
    assert expected in row and expected in deliveries and "sent" not in row
    services.store.record_delivery(key, ok=True, now=time.time())
    row, deliveries = states()
    assert "Server log: <span class=\"ok\">sent " in row and ">1<" not in deliveries and ">2<" in deliveries


def test_the_ticket_page_says_whether_the_email_was_verified(client: TestClient, services: Services) -> None:
    unverified = new_ticket(services.store)
    draft = TicketDraft("disclosure", Requester("web", None, "sess-verified"),
                        Contact("Hanako Yamada", "hanako@example.com", verified_at=time.time()))
    verified = services.store.create_ticket(draft, idempotency_key="verified", now=time.time())
    sign_in(client)
    assert "email not verified" in client.get(f"/staff/tickets/{unverified.reference}").text
    page = client.get(f"/staff/tickets/{verified.reference}").text
    assert "email not verified" not in page and "verified 20" in page
