"""The admin pages (`/admin`) on the real app, a real SQLite store and real accounts: who may use them, CSRF,
the template list, the editor's preview, save, history, diff, rollback and reset, and that the chat answers
with the new text at once."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from admin_testkit import PASSWORD, admin_services, csrf_of, sign_in_admin, sign_in_staff
from fastapi.testclient import TestClient

from bot.app import Services
from bot.staff.auth import SESSION_COOKIE
from bot.web.app import create_app
from handoff.store import StoreUnavailable

NEW_COOKIES = "Cookies help us run the site. You can turn them off in your browser. See **{{ cite }}**.\n"
GET_ROUTES = ["/admin", "/admin/templates/en/cookies", "/admin/templates/en/cookies/history",
              "/admin/templates/en/cookies/versions/0", "/admin/templates/en/cookies/diff?a=0",
              "/admin/phrasings", "/admin/phrasings/cookies", "/admin/unanswered"]
POST_ROUTES: dict[str, dict[str, str]] = {
    "/admin/templates/en/cookies": {"source": NEW_COOKIES, "note": "x", "base_version": "0"},
    "/admin/templates/en/cookies/preview": {"source": NEW_COOKIES},
    "/admin/templates/en/cookies/preview.json": {"source": NEW_COOKIES},
    "/admin/templates/en/cookies/reset": {},
    "/admin/templates/en/cookies/rollback": {"version": "0"},
    "/admin/phrasings/cookies": {"lang": "en", "text": "tell me about the biscuits in my browser"},
    "/admin/logout": {},
}
INJECTIONS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cite }} {{ article.__class__ }}",
    "{{ cite }} {{ quote.__globals__ }}",
    "{{ cite }} {{ topics.__class__.__base__.__subclasses__() }}",
    "{{ cite }} {{ config }}",
    "{{ cite }} {{ config.items() }}",
    "{{ cite }} {{ os.popen('id').read() }}",
    "{{ cite }} {{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ cite }} {{ joiner.__init__.__globals__ }}",
    "{{ cite }} {{ self._TemplateReference__context }}",
    "{{ cite }} {{ self.__dict__ }}",
    "{{ cite }} {{ lipsum.__globals__['os'] }}",
    "{{ cite }} {% set ns = namespace(x=1) %}{{ ns }}",
    "{{ cite }} {{ cite|attr('__class__') }}",
    "{{ cite }} {{ cite['__class__'] }}",
    "{{ cite }} {{ topics|map(attribute='__class__')|list }}",
    "{{ cite }} {% include 'x' %}",
    "{{ cite }} {% import 'x' as y %}",
    "{{ cite }} {{ range(10**9)|list }}",
    "{{ cite }} {{ topics.append(1) }}",
]


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    s = admin_services(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture()
def client(services: Services) -> TestClient:
    return TestClient(create_app(services))


def ask(client: TestClient, text: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/chat", json={"text": text, **extra})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def save(client: TestClient, csrf: str, source: str, *, name: str = "cookies", lang: str = "en", note: str = "",
         base: str = "") -> Any:
    return client.post(f"/admin/templates/{lang}/{name}", data={"csrf": csrf, "source": source, "note": note,
                                                                "base_version": base}, follow_redirects=False)


def problems(page: str) -> list[str]:
    found = re.search(r'<ul id="problems">(.*?)</ul>', page, re.S)
    assert found is not None
    items = re.findall(r"<li>(.*?)</li>", found[1], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


# -- who may use the admin pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", GET_ROUTES)
def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=%2Fadmin")


@pytest.mark.parametrize("path", list(POST_ROUTES))
def test_anonymous_posts_are_refused(client: TestClient, services: Services, path: str) -> None:
    response = client.post(path, data={"csrf": "x" * 43, **POST_ROUTES[path]}, follow_redirects=False)
    assert response.status_code == 401
    assert services.store.template_history("cookies", "en") == [] and services.store.list_phrasings() == []


def test_staff_accounts_are_refused_everywhere(client: TestClient, services: Services) -> None:
    csrf = sign_in_staff(client)
    for path in GET_ROUTES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert "Admins only" in response.text and "staff account" in response.text
    for path, form in POST_ROUTES.items():
        if path == "/admin/logout":
            continue
        assert client.post(path, data={"csrf": csrf, **form}, follow_redirects=False).status_code == 403, path
    assert services.store.template_history("cookies", "en") == [] and services.store.list_phrasings() == []
    assert client.get("/staff").status_code == 200  # still signed in to the queue


def test_staff_cannot_sign_in_on_the_admin_form(client: TestClient) -> None:
    token = csrf_of(client.get("/admin/login").text)
    response = client.post("/admin/login", data={"csrf": token, "username": "alice", "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "not an administrator" in response.text
    assert SESSION_COOKIE not in client.cookies


def test_admin_sign_in_wrong_password_and_forged_form(client: TestClient) -> None:
    token = csrf_of(client.get("/admin/login").text)
    wrong = client.post("/admin/login", data={"csrf": token, "username": "root", "password": "nope"})
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    client.cookies.clear()
    forged = client.post("/admin/login", data={"csrf": token, "username": "root", "password": PASSWORD})
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_sign_in_only_redirects_within_admin(client: TestClient) -> None:
    for target, expected in (("https://evil.example/", "/admin"), ("//evil.example", "/admin"),
                             ("/admin/unanswered", "/admin/unanswered"), ("/staff", "/admin")):
        client.cookies.clear()
        token = csrf_of(client.get("/admin/login").text)
        response = client.post("/admin/login", data={"csrf": token, "username": "root", "password": PASSWORD,
                                                     "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


def test_an_admin_signed_in_on_the_staff_queue_can_use_admin_and_sign_out(client: TestClient) -> None:
    sign_in_staff(client, "root")
    page = client.get("/admin")
    assert page.status_code == 200
    response = client.post("/admin/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert response.headers["location"] == "/admin/login?done=signed_out"
    assert client.get("/admin", follow_redirects=False).status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303  # one session for both


@pytest.mark.parametrize("path", [p for p in POST_ROUTES if p != "/admin/logout"])
def test_every_form_needs_the_csrf_token(client: TestClient, services: Services, path: str) -> None:
    sign_in_admin(client)
    for token in ("", "x" * 43):
        response = client.post(path, data={"csrf": token, **POST_ROUTES[path]}, follow_redirects=False)
        assert response.status_code == 403, path
    assert services.store.template_history("cookies", "en") == [] and services.store.list_phrasings() == []


# -- the editor ------------------------------------------------------------------------------------------------

def test_the_list_shows_every_template_and_which_are_edited(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    page = client.get("/admin").text
    for name in services.renderer.names():
        for lang in ("en", "ja"):
            assert f'data-template="{lang}/{name}"' in page
    assert "Edited · v" not in page
    assert save(client, csrf, NEW_COOKIES, note="simpler").status_code == 303
    page = client.get("/admin").text
    row = re.search(r'<tr class="is-overridden" data-template="en/cookies">(.*?)</tr>', page, re.S)
    assert row is not None and "Edited · v1" in row[1] and "root" in row[1]
    assert page.count('class="is-overridden"') == 1


def test_preview_shows_html_mrkdwn_and_plain_text_without_saving(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    source = "**Cookies** <b>& more</b>\n\n> quoted\n\n- one\n- two\n\nSee {{ cite }}.\n"
    response = client.post("/admin/templates/en/cookies/preview", data={"csrf": csrf, "source": source})
    assert response.status_code == 200
    page = response.text
    assert "<strong>Cookies</strong> &lt;b&gt;&amp; more&lt;/b&gt;" in page  # HTML preview: escaped, then tagged
    assert "<blockquote><p>quoted</p></blockquote>" in page and "<li>one</li>" in page
    mrkdwn = re.search(r'<pre id="preview-mrkdwn">(.*?)</pre>', page, re.S)
    assert mrkdwn is not None and html.unescape(mrkdwn[1]).startswith("*Cookies* &lt;b&gt;&amp; more&lt;/b&gt;")
    plain = re.search(r'<pre id="preview-text">(.*?)</pre>', page, re.S)
    assert plain is not None and "See Article 12 (Use of Cookies, etc.)." in html.unescape(plain[1])
    assert "<b>" not in page.split('id="preview-html"')[1].split("</div>")[0]
    assert html.escape(source, quote=False).split("\n")[0] in page  # the textarea keeps the text, escaped
    assert services.store.template_history("cookies", "en") == []


def test_live_preview_endpoint_returns_the_three_formats(client: TestClient) -> None:
    csrf = sign_in_admin(client)
    data = client.post("/admin/templates/ja/cookies/preview.json",
                       data={"csrf": csrf, "source": "クッキーは**無効**にできます。{{ cite }}"}).json()
    assert data["ok"] is True and data["problems"] == []
    assert "<strong>無効</strong>" in data["html"] and "第12条" in data["text"] and "*無効*" in data["mrkdwn"]
    bad = client.post("/admin/templates/ja/cookies/preview.json",
                      data={"csrf": csrf, "source": "x\n{{ nope }}"}).json()
    assert bad["ok"] is False and bad["html"] is None
    assert bad["problems"][0]["line"] == 2 and "nope" in bad["problems"][0]["reason"]


def test_save_with_note_is_used_by_the_chat_at_once_and_kept_in_history(client: TestClient,
                                                                          services: Services) -> None:
    csrf = sign_in_admin(client)
    before = ask(client, "what are cookies used for?")
    assert before["intent"] == "cookies" and "Cookies help us run the site" not in before["text"]
    response = save(client, csrf, NEW_COOKIES, note="Plain wording from Legal", base="0")
    assert response.status_code == 303 and response.headers["location"] == "/admin/templates/en/cookies?done=saved"
    after = ask(client, "what are cookies used for?")
    assert after["text"].startswith("Cookies help us run the site.")
    assert after["citation"] == "Article 12 (Use of Cookies, etc.)"
    assert ask(client, "クッキーとは何ですか")["text"] == before_ja(services)  # the other language is untouched
    history = client.get("/admin/templates/en/cookies/history").text
    assert "Plain wording from Legal" in history and "root" in history and "v1" in history
    editor = client.get("/admin/templates/en/cookies?done=saved").text
    assert "Saved." in editor and "Edited · v1" in editor


def before_ja(services: Services) -> str:
    from bot.engine.messages import Message

    return services.conversation.handle(Message(text="クッキーとは何ですか", session_id="ja-check-1")).text


@pytest.mark.parametrize("payload", INJECTIONS)
def test_template_injection_is_refused_and_nothing_is_saved(client: TestClient, services: Services,
                                                            payload: str) -> None:
    csrf = sign_in_admin(client)
    response = save(client, csrf, payload, note="evil")
    assert response.status_code == 400
    assert "Not saved." in response.text
    found = problems(response.text)
    assert found and all(p.startswith("Line 1:") for p in found), found
    assert services.store.template_history("cookies", "en") == []
    assert "uid=" not in response.text and "subclasses" not in ask(client, "what are cookies?")["text"]


def test_refusals_name_the_line_and_reason(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    cases = {
        "See {{ cite }}.\n\n{{ no_such_thing }}\n": ("Line 3:", "no_such_thing"),
        "See {{ cite }}.\n{% if %}\n": ("Line 2:", "Does not compile"),
        "We use cookies.\n": (None, "Article 12 (Use of Cookies, etc.)"),
        "{{ cite }}\n\n" + "x" * 3100 + "\n": ("Line 3:", "3,000"),
        "See {{ cite }}\n{{ cite | nosuchfilter }}\n": ("Line 2:", "nosuchfilter"),
    }
    for source, (line, reason) in cases.items():
        response = save(client, csrf, source)
        assert response.status_code == 400, source
        found = problems(response.text)
        assert any(reason in p and (line is None or p.startswith(line)) for p in found), (source, found)
        assert source.split("\n")[0] in html.unescape(response.text)  # the text is kept for fixing
    assert services.store.template_history("cookies", "en") == []


def test_fallback_cannot_use_variables_the_engine_does_not_pass_it(client: TestClient) -> None:
    csrf = sign_in_admin(client)
    response = save(client, csrf, "Sorry.\n{% for c in choices %}{{ c.label }}{% endfor %}\n", name="fallback")
    assert response.status_code == 400 and any("Line 2:" in p and "choices" in p for p in problems(response.text))


def test_a_stale_editor_is_refused_with_409_and_keeps_the_text(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    assert save(client, csrf, NEW_COOKIES, base="0").status_code == 303
    mine = "My cookie text. {{ cite }}\n"
    response = save(client, csrf, mine, base="0")
    assert response.status_code == 409 and "someone saved version 1" in response.text
    assert 'name="base_version" value="1"' in response.text and "My cookie text." in response.text
    assert save(client, csrf, mine, base="1").status_code == 303
    assert [v.number for v in services.store.template_history("cookies", "en")] == [2, 1]


def test_saving_the_same_text_again_is_refused(client: TestClient) -> None:
    csrf = sign_in_admin(client)
    assert save(client, csrf, NEW_COOKIES).status_code == 303
    response = save(client, csrf, NEW_COOKIES.replace("\n", "\r\n"))
    assert response.status_code == 400 and "Nothing changed" in response.text


def test_history_diff_rollback_and_reset(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    default_answer = ask(client, "what are cookies used for?")["text"]
    assert save(client, csrf, NEW_COOKIES, note="first").status_code == 303
    second = "Second <i>version</i> & text. {{ cite }}\n"
    assert save(client, csrf, second, note="second").status_code == 303

    diff = client.get("/admin/templates/en/cookies/diff?a=1&b=2").text
    assert '<span class="del">-Cookies help us run the site.' in diff
    assert '<span class="add">+Second &lt;i&gt;version&lt;/i&gt; &amp; text. {{ cite }}</span>' in diff
    assert "<i>version</i>" not in diff
    assert "(shipped default)" in client.get("/admin/templates/en/cookies/diff?a=0&b=1").text

    version = client.get("/admin/templates/en/cookies/versions/1").text
    assert "Cookies help us run the site." in version and "first" in version

    response = client.post("/admin/templates/en/cookies/rollback", data={"csrf": csrf, "version": "1", "note": "oops"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert ask(client, "what are cookies used for?")["text"].startswith("Cookies help us run the site.")
    head = services.store.template_history("cookies", "en")[0]
    assert (head.number, head.action, head.restored_from, head.note) == (3, "rollback", 1, "oops")

    response = client.post("/admin/templates/en/cookies/reset", data={"csrf": csrf, "note": "back to shipped"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert ask(client, "what are cookies used for?")["text"] == default_answer
    assert "Shipped default" in client.get("/admin").text.split('data-template="en/cookies"')[1].split("</tr>")[0]
    again = client.post("/admin/templates/en/cookies/reset", data={"csrf": csrf})
    assert again.status_code == 400 and "already in use" in again.text
    history = client.get("/admin/templates/en/cookies/history").text
    assert "Reset to default" in history and "Rollback to v1" in history and "back to shipped" in history


def test_unknown_templates_versions_and_languages_are_404(client: TestClient) -> None:
    csrf = sign_in_admin(client)
    for path in ("/admin/templates/en/nope", "/admin/templates/fr/cookies", "/admin/templates/en/cookies/versions/3",
                 "/admin/templates/en/__init__", "/admin/phrasings/nope"):
        response = client.get(path)
        assert response.status_code == 404 and "Not found" in response.text, path
    assert client.post("/admin/templates/en/cookies/rollback", data={"csrf": csrf, "version": "7"}).status_code == 404


def test_store_outage_gives_503_and_changes_nothing(client: TestClient, services: Services,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    csrf = sign_in_admin(client)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailable("injected outage")

    monkeypatch.setattr(services.store, "save_template_version", down)
    monkeypatch.setattr(services.store, "template_heads", down)
    response = save(client, csrf, NEW_COOKIES)
    assert response.status_code == 503 and "Nothing was changed" in response.text
    assert client.get("/admin").status_code == 503
    assert ask(client, "what are cookies used for?")["intent"] == "cookies"  # answers go on with the defaults


def test_pages_are_not_cached_and_carry_the_csp(client: TestClient) -> None:
    sign_in_admin(client)
    response = client.get("/admin/templates/en/cookies")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert '<script src="/static/admin.js" defer></script>' in response.text
    assert "<script>" not in response.text  # no inline script: the page works without JavaScript
    assert client.get("/static/admin.js").status_code == 200 and client.get("/static/admin.css").status_code == 200
