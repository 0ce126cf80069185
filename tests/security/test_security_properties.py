"""Property-based tests: arbitrary Unicode never crashes the matcher, the renderer or the conversation
engine, is never executed as a template, and never reaches HTML unescaped."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.conversation import Conversation, Topic
from bot.engine.messages import Choice, Message
from handoff.sqlite.store import SQLiteStore
from intents.matcher import DECISIONS, Matcher
from responses.limits import RenderLimits
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text plus the characters that matter most here: markup, template syntax, Slack escapes, controls.
NASTY = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list("<>&\"'{}%#`*_~>\n\x00\u202e")), max_size=400)


@SETTINGS
@given(text=NASTY)
def test_matcher_decides_anything(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision in DECISIONS
    assert 0.0 <= match.confidence <= 1.0
    if match.decision in ("fallback", "smalltalk"):
        assert match.article is None and match.handoff is None


#: A tag a value could smuggle into the HTML: `<` and a letter (or `/` and a letter).
TAG = re.compile(r"</?([a-z][a-z0-9]*)", re.IGNORECASE)
#: The only tags the markup converter makes from text (responses/markup.py): lines, quotes, lists and bold.
MARKUP_TAGS = {"p", "br", "blockquote", "ul", "ol", "li", "strong"}


@pytest.fixture(scope="module")
def patient_renderer() -> Renderer:
    """The shipped renderer with the render *time* limit lifted: this module checks escaping, and a 2 s wall-clock
    budget can run out on a loaded CI machine (the limits themselves are tested in tests/responses)."""
    return Renderer(env=make_environment(RenderLimits(max_seconds=600.0)), policies=load_policies())


def _contexts(label: str, other: str) -> list[tuple[str, dict[str, object]]]:
    topics = [Topic(label=label, article=3), Topic(label=other, article=12)]
    choices = (Choice(number=1, intent="cookies", label=label, article=12),
               Choice(number=2, intent="analytics", label=other, article=11))
    return [("help", {"topics": topics}), ("fallback", {"topics": topics}),
            ("clarify", {"choices": choices, "topics": topics})]


@SETTINGS
@given(label=NASTY, other=NASTY)
def test_renderer_escapes_values_and_never_compiles_them(patient_renderer: Renderer, label: str, other: str) -> None:
    renderer = patient_renderer
    for (name, context), (_, plain) in zip(_contexts(label, other), _contexts("Cookies", "Analytics")):
        for lang in ("en", "ja"):
            out = renderer.render(name, lang, context)
            assert "<script" not in out.html.lower()
            # Every tag in the HTML is one the template makes with harmless labels or the markup's own formatting
            # (a newline in a label is a <br>): no tag a value spells out (<img, <a, <iframe …) gets through.
            allowed = MARKUP_TAGS | {t.lower() for t in TAG.findall(renderer.render(name, lang, plain).html)}
            assert {t.lower() for t in TAG.findall(out.html)} <= allowed, (name, lang, out.html)
            # Template syntax in a value comes out literally in the plain text.
            if "{{" in label and "\n" not in label and label.strip():
                assert label.strip().replace("**", "") in out.text or "*" in label or "`" in label or ">" in label


@SETTINGS
@given(text=NASTY)
def test_conversation_answers_anything(matcher: Matcher, patient_renderer: Renderer, tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    store = SQLiteStore(Path(tmp_path_factory.mktemp("prop")) / "s.sqlite3")
    try:
        engine = Conversation(matcher=matcher, renderer=patient_renderer, store=store)
        reply = engine.handle(Message(text=text, session_id="property-session"))
        assert reply.decision in DECISIONS
        assert reply.text is not None and reply.html is not None
        lowered = reply.html.lower()
        assert "<script" not in lowered and "<img" not in lowered and "onerror=" not in lowered.replace("&quot;", "")
        if "{{" in text and "}}" in text:
            assert "{{" in reply.text or reply.decision == "fallback"
    finally:
        store.close()
