"""How admin edits reach a worker (`bot.live_content`), how unanswered messages are redacted and recorded
(`bot.engine.unanswered`), and the two hooks the conversation core gives them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.engine.conversation import Conversation
from bot.live_content import LiveContent
from bot.engine.messages import Message
from bot.engine.unanswered import UnansweredRecorder, redact
from handoff.sqlite.store import SQLiteStore
from handoff.store import StoreUnavailable
from intents.catalog import Catalog
from intents.matcher import Matcher
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

NOVEL = "zorbly flimflam wibble"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def live(store: SQLiteStore, catalog: Catalog, matcher: Matcher, clock: Clock) -> LiveContent:
    return LiveContent(store, catalog, matcher, clock=clock)


def test_overrides_are_picked_up_after_the_interval(live: LiveContent, store: SQLiteStore, clock: Clock) -> None:
    assert live.get("cookies", "en") is None
    store.save_template_version("cookies", "en", "New {{ cite }}", author="root", note="", now=1.0)
    clock.now += 0.2
    assert live.get("cookies", "en") is None  # within the interval: no store read
    clock.now += 0.4
    assert live.get("cookies", "en") == "New {{ cite }}"
    store.save_template_version("cookies", "en", None, author="root", note="", now=2.0, action="reset")
    live.invalidate()  # the worker that saved does not wait
    assert live.get("cookies", "en") is None
    assert live.revisions == {"templates": 2, "phrasings": 0}


def test_reads_only_the_revisions_while_nothing_changes(live: LiveContent, store: SQLiteStore, clock: Clock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    live.refresh(force=True)
    calls: list[str] = []
    def counted(name: str) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return {} if name == "template_heads" else []

        return read

    monkeypatch.setattr(store, "template_heads", counted("template_heads"))
    monkeypatch.setattr(store, "list_phrasings", counted("list_phrasings"))
    for _ in range(5):
        clock.now += 1
        live.get("help", "en")
        live.matcher()
    assert calls == []


def test_phrasings_rebuild_the_matcher_and_removal_restores_it(live: LiveContent, store: SQLiteStore,
                                                                matcher: Matcher, clock: Clock) -> None:
    assert live.matcher() is matcher and live.matcher().match(NOVEL).decision == "fallback"
    added = store.add_phrasing("cookies", "en", NOVEL, author="root", now=1.0)
    store.add_phrasing("no_longer_in_catalog", "en", "ignored phrasing", author="root", now=1.0)
    clock.now += 1
    rebuilt = live.matcher()
    assert rebuilt is not matcher and rebuilt.match(NOVEL).intent == "cookies"
    assert live.matcher() is rebuilt  # built once per change
    store.remove_phrasing(added.id)
    clock.now += 1
    assert live.matcher().match(NOVEL).decision == "fallback"


def test_a_store_outage_keeps_the_last_copy(live: LiveContent, store: SQLiteStore, clock: Clock,
                                            monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    store.save_template_version("cookies", "en", "Kept {{ cite }}", author="root", note="", now=1.0)
    assert live.get("cookies", "en") == "Kept {{ cite }}"

    def down() -> Any:
        raise StoreUnavailable("injected")

    monkeypatch.setattr(store, "content_revisions", down)
    clock.now += 1
    assert live.get("cookies", "en") == "Kept {{ cite }}"
    assert "admin content not refreshed (StoreUnavailable)" in caplog.text


def test_the_renderer_uses_the_live_source(live: LiveContent, store: SQLiteStore) -> None:
    renderer = Renderer(env=make_environment(), policies=load_policies(), source=live)
    store.save_template_version("cookies", "en", "Live **{{ cite }}**", author="root", note="", now=1.0)
    live.invalidate()
    out = renderer.render("cookies", "en", {"article": 12, "topics": []})
    assert out.text == "Live Article 12 (Use of Cookies, etc.)" and "<strong>" in out.html


@pytest.mark.parametrize("text,expected", [
    ("mail taro.yamada+x@example.co.jp please", "mail [email] please"),
    ("call 090-1234-5678 or +81 3 1234 5678", "call [phone] or [phone]"),
    ("電話は０９０１２３４５６７８です", "電話は[phone]です"),
    ("status of PRQ-2026-000123?", "status of [reference]?"),
    ("prq 2026 123 please", "[reference] please"),
    ("member no 12345678, year 2024, article 7", "member no [number], year 2024, article 7"),
    ("〒150-0002 東京都", "〒[number] 東京都"),
    ("card 4111 1111 1111 1111", "card [phone]"),
    ("from 192.168.10.1", "from [ip]"),
    ("<@U024BE7LH> hi <!here>", "[user] hi [user]"),
    ("see https://x.example/?token=abc123", "see https://x.example/?[secret]"),
    ("bell\x07 and \x1b[31m escape", "bell and [31m escape"),
])
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redaction_caps_the_length() -> None:
    assert len(redact("word " * 200)) == 300 and redact("word " * 200).endswith("…")


def test_conversation_records_fallback_and_clarify_redacted(catalog: Catalog, matcher: Matcher, renderer: Renderer,
                                                            store: SQLiteStore) -> None:
    recorded: list[tuple[str, str, str]] = []
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store,
                                record_unanswered=lambda *args: recorded.append(args))
    answers = {}
    for n, text in enumerate(["what are cookies used for?", "is the canteen open, mail me at a@b.example",
                              "personal data", "情報", "hello", "send me all my data", "   "]):
        answers[text] = conversation.handle(Message(text=text, session_id=f"record-{n}")).decision
    expected = [(t, d) for t, d in answers.items() if d in ("fallback", "clarify") and t.strip()]
    assert [(t, d) for t, d, _ in recorded] == expected and len(expected) >= 2
    assert {lang for *_, lang in recorded} <= {"en", "ja"}

    real = Conversation(matcher=matcher, renderer=renderer, store=store, record_unanswered=UnansweredRecorder(store))
    real.handle(Message(text="is the canteen open, mail me at a@b.example", session_id="record-real"))
    assert [g.text for g in store.list_unanswered()] == ["is the canteen open, mail me at [email]"]


def test_a_failing_recorder_store_never_breaks_the_reply(matcher: Matcher, renderer: Renderer, store: SQLiteStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise StoreUnavailable("injected")

    monkeypatch.setattr(store, "record_unanswered", down)
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store,
                                record_unanswered=UnansweredRecorder(store))
    assert conversation.handle(Message(text="is the canteen open", session_id="rec-down")).decision == "fallback"


def test_status_questions_with_references_are_not_recorded(matcher: Matcher, renderer: Renderer,
                                                           store: SQLiteStore) -> None:
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store,
                                record_unanswered=UnansweredRecorder(store))
    conversation.handle(Message(text="status PRQ-2026-000123", session_id="rec-status"))
    assert store.list_unanswered() == []


def test_the_matcher_provider_is_asked_on_every_message(matcher: Matcher, renderer: Renderer, store: SQLiteStore,
                                                        catalog: Catalog) -> None:
    taught = Matcher(catalog.with_extra_examples({"cookies": {"en": [NOVEL]}}))
    current = [matcher]
    conversation = Conversation(matcher=matcher, renderer=renderer, store=store, matcher_provider=lambda: current[0])
    assert conversation.handle(Message(text=NOVEL, session_id="prov-1")).decision == "fallback"
    current[0] = taught
    reply = conversation.handle(Message(text=NOVEL, session_id="prov-2"))
    assert (reply.decision, reply.intent) == ("answer", "cookies")


def test_services_wire_the_live_content(tmp_path: Path) -> None:
    from bot.app import build_services
    from bot.config import Settings

    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": str(tmp_path)}))
    try:
        assert services.content is not None
        services.store.save_template_version("thanks", "en", "Cheers!", author="root", note="", now=1.0)
        services.store.add_phrasing("cookies", "en", NOVEL, author="root", now=1.0)
        services.content.invalidate()
        assert services.conversation.handle(Message(text="thanks!", session_id="wire-1")).text == "Cheers!"
        assert services.conversation.handle(Message(text=NOVEL, session_id="wire-2")).intent == "cookies"
    finally:
        services.close()
