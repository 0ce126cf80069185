"""Admin pages for what the matcher learns: example phrasings (validated, used at once) and the unanswered
questions page (redacted, grouped, counted, newest first; attached to an intent in one click)."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from admin_testkit import admin_services, sign_in_admin
from fastapi.testclient import TestClient

from bot.app import Services
from bot.web.app import create_app

NOVEL = "zorbly flimflam wibble"  # matches nothing until an admin teaches it


@pytest.fixture()
def services(tmp_path: Path) -> Iterator[Services]:
    s = admin_services(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture()
def client(services: Services) -> TestClient:
    return TestClient(create_app(services))


def ask(client: TestClient, text: str) -> dict[str, Any]:
    data: dict[str, Any] = client.post("/api/chat", json={"text": text}).json()
    return data


def rows(page: str) -> list[str]:
    body = page.split('<table class="unanswered">')[1].split("</table>")[0]
    return [html.unescape(t).strip() for t in re.findall(r'<td[^>]* class="text">(.*?)</td>', body, re.S)]


def test_an_added_phrasing_is_used_by_the_matcher_without_a_restart(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    assert ask(client, NOVEL)["decision"] == "fallback"
    response = client.post("/admin/phrasings/cookies", data={"csrf": csrf, "lang": "en", "text": NOVEL},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/phrasings/cookies?done=added"
    answer = ask(client, NOVEL)
    assert (answer["decision"], answer["intent"], answer["article"]) == ("answer", "cookies", 12)
    page = client.get("/admin/phrasings/cookies?done=added").text
    assert "Example phrasing added." in page and NOVEL in page and "root" in page
    listed = client.get("/admin/phrasings").text
    assert re.search(r"cookies</code></a></td>.*?<td[^>]*>1</td>", listed, re.S)
    tried = client.get("/admin/phrasings/cookies", params={"try": NOVEL}).text
    assert "Decision <strong>answer</strong>: <code>cookies</code>" in tried

    phrasing = services.store.list_phrasings("cookies")[0]
    client.post(f"/admin/phrasings/cookies/{phrasing.id}/remove", data={"csrf": csrf})
    assert services.store.list_phrasings() == []
    assert ask(client, NOVEL)["decision"] == "fallback"


@pytest.mark.parametrize("lang,text,reason", [
    ("en", "   ", "Write the phrasing first."),
    ("en", "ok", "too short"),
    ("en", "12345", "too short"),
    ("en", "x" * 301, "too long"),
    ("en", "クッキーについて教えて", "reads as Japanese, not English"),
    ("ja", "tell me about cookies", "reads as English, not Japanese"),
    ("fr", "parlez-moi des cookies", "Choose English or Japanese."),
    ("en", "line one\nline two", "one line"),
    ("en", "What cookies do you use?", "already has this example"),
])
def test_phrasings_are_validated_and_nothing_is_added(client: TestClient, services: Services, lang: str, text: str,
                                                      reason: str) -> None:
    from intents.catalog import load_catalog

    if reason.startswith("already"):
        text = load_catalog()["cookies"].examples["en"][0].upper()
    csrf = sign_in_admin(client)
    response = client.post("/admin/phrasings/cookies", data={"csrf": csrf, "lang": lang, "text": text})
    assert response.status_code == 400
    assert "Not added." in response.text and reason in html.unescape(response.text)
    assert services.store.list_phrasings() == []


def test_a_duplicate_added_phrasing_is_refused(client: TestClient) -> None:
    csrf = sign_in_admin(client)
    form = {"csrf": csrf, "lang": "en", "text": NOVEL}
    assert client.post("/admin/phrasings/cookies", data=form, follow_redirects=False).status_code == 303
    again = client.post("/admin/phrasings/cookies", data={**form, "text": NOVEL.upper()})
    assert again.status_code == 400 and "already has this example phrasing" in again.text


def test_unanswered_questions_are_redacted_grouped_counted_and_newest_first(client: TestClient,
                                                                             services: Services) -> None:
    csrf = sign_in_admin(client)
    # (A message with a ticket reference is a status question, never unanswered: see test_admin_live.)
    personal = "is the canteen open? mail taro.yamada@example.com or call 090-1234-5678, member 12345678"
    assert ask(client, personal)["decision"] == "fallback"
    assert ask(client, "Is the   CANTEEN open? mail someone@example.org or call 03-9876-5432, "
                       "member 87654321")["decision"] == "fallback"
    assert ask(client, "<script>alert(1)</script> where is the parking lot")["decision"] == "fallback"
    vague = next((t for t in ("personal data", "my personal data", "info about personal data", "情報")
                  if ask(client, t)["decision"] == "clarify"), None)
    assert vague is not None, "no vague message produced a clarify reply"
    assert ask(client, "what are cookies used for?")["decision"] == "answer"  # answered: not listed

    page = client.get("/admin/unanswered").text
    texts = rows(page)
    assert texts[0] == vague
    assert texts[1] == "<script>alert(1)</script> where is the parking lot"
    assert "<script>alert(1)</script>" not in page  # shown escaped
    assert texts[2] == "is the canteen open? mail [email] or call [phone], member [number]"
    assert len(texts) == 3
    for secret in ("taro.yamada", "example.com", "090-1234", "12345678", "87654321", "5432"):
        assert secret not in page
    stored = services.store.list_unanswered()
    assert [g.count for g in stored] == [1, 1, 2]
    assert dict(stored[2].decisions) == {"fallback": 2} and dict(stored[0].decisions) == {"clarify": 1}
    assert "fallback 2" in page and "clarify 1" in page
    assert csrf


def test_attach_in_one_click_adds_the_phrasing_with_the_best_guess_preselected(client: TestClient,
                                                                              services: Services) -> None:
    from bot.admin.content import best_guess

    csrf = sign_in_admin(client)
    guessed, chosen = "do you bake zorbly biscuits into my browser", "tiny files on my laptop"
    services.store.record_unanswered(guessed, lang="en", decision="fallback", now=1.0)
    assert ask(client, chosen)["decision"] == "fallback"
    page = client.get("/admin/unanswered").text
    for text in (guessed, chosen):
        group = next(g for g in services.store.list_unanswered() if g.text == text)
        form = page.split(f'action="/admin/unanswered/{group.key}/attach"')[1].split("</form>")[0]
        selected = re.search(r'<option value="([a-z_]+)" selected>', form)
        assert selected is not None and selected[1] == best_guess(services.conversation.matcher, text, "en")
    assert re.search(r'<option value="cookies" selected>', page.split(guessed)[1])  # the matcher's pick
    # The admin disagrees with the guess for the other message: one click on Attach after choosing cookies.
    key = next(g.key for g in services.store.list_unanswered() if g.text == chosen)
    response = client.post(f"/admin/unanswered/{key}/attach", data={"csrf": csrf, "intent": "cookies"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/unanswered?done=attached"
    assert [(p.intent, p.lang, p.text) for p in services.store.list_phrasings()] == [("cookies", "en", chosen)]
    assert [g.text for g in services.store.list_unanswered()] == [guessed]
    assert "Attached" in client.get("/admin/unanswered?done=attached").text
    answer = ask(client, chosen)
    assert (answer["decision"], answer["intent"]) == ("answer", "cookies")


def test_attach_refused_keeps_the_question_and_dismiss_forgets_it(client: TestClient, services: Services) -> None:
    csrf = sign_in_admin(client)
    assert ask(client, "where is the parking lot")["decision"] == "fallback"
    key = services.store.list_unanswered()[0].key
    refused = client.post(f"/admin/unanswered/{key}/attach", data={"csrf": csrf, "intent": "no_such_intent"})
    assert refused.status_code == 400 and "Unknown intent." in refused.text
    assert len(services.store.list_unanswered()) == 1
    assert client.post(f"/admin/unanswered/{key}/dismiss", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    assert services.store.list_unanswered() == []
    for bad in (key, "../../etc", "0" * 32):
        assert client.post(f"/admin/unanswered/{bad}/dismiss", data={"csrf": csrf}).status_code == 404
