"""Renderer behaviour: languages, names, overrides, context enrichment, load errors, purity."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

import responses
from responses.policy import load_policies
from responses.renderer import DEFAULT_TEMPLATES_DIR, Rendered, Renderer, TemplateLoadError, make_environment
from responses.samples import sample_context

PACKAGE = Path(responses.__file__).resolve().parent
REPO = Path(__file__).resolve().parents[2]


class DictSource:
    """An in-memory override source, standing in for the store."""

    def __init__(self, overrides: dict[tuple[str, str], str]) -> None:
        self.overrides = overrides
        self.calls: list[tuple[str, str]] = []

    def get(self, name: str, lang: str) -> str | None:
        self.calls.append((name, lang))
        return self.overrides.get((name, lang))


class BrokenSource:
    def get(self, name: str, lang: str) -> str | None:
        raise ConnectionError("store is down")


@pytest.fixture(scope="module")
def policies() -> dict[str, Any]:
    return load_policies()


@pytest.fixture(scope="module")
def renderer(policies: dict[str, Any]) -> Renderer:
    return Renderer(env=make_environment(), policies=policies)


def test_environment_settings() -> None:
    env = make_environment()
    assert isinstance(env, jinja2.sandbox.ImmutableSandboxedEnvironment)
    assert env.undefined is jinja2.StrictUndefined
    assert env.autoescape is False and env.trim_blocks and env.lstrip_blocks
    assert env.keep_trailing_newline is False


def test_unknown_language_falls_back_to_english(renderer: Renderer) -> None:
    out = renderer.render("disclosure_info", "fr", sample_context("disclosure_info", "en"))
    assert out == renderer.render("disclosure_info", "en", sample_context("disclosure_info", "en"))


def test_unknown_name_raises_key_error(renderer: Renderer) -> None:
    with pytest.raises(KeyError):
        renderer.render("no_such_template", "en", {})
    with pytest.raises(KeyError):
        renderer.default_source("no_such_template", "en")


def test_default_source_is_the_shipped_file(renderer: Renderer) -> None:
    expected = (DEFAULT_TEMPLATES_DIR / "ja" / "greeting.j2").read_text(encoding="utf-8")
    assert renderer.default_source("greeting", "ja") == expected


def test_rendered_is_frozen(renderer: Renderer) -> None:
    out = renderer.render("thanks", "en", {"article": None})
    assert isinstance(out, Rendered)
    with pytest.raises(AttributeError):
        out.text = "x"  # type: ignore[misc]


def test_article_bound_template_uses_its_own_article_when_none_is_passed(renderer: Renderer) -> None:
    out = renderer.render("cookies", "en", {"article": None})
    assert "Article 12 (Use of Cookies, etc.)" in out.text
    assert "Article 12 (Use of Cookies, etc.)" in renderer.render("cookies", "en", {}).text


def test_article_must_be_an_int(renderer: Renderer) -> None:
    for bad in ("7", True, 7.0):
        with pytest.raises(TypeError):
            renderer.render("disclosure_info", "en", {"article": bad})


def test_override_is_used_and_sees_the_enriched_context(policies: dict[str, Any]) -> None:
    source = DictSource({
        ("disclosure_info", "en"): "{{ cite }} | {{ lang }} | {{ article.number }} | {{ request_type }} | "
        "{{ paragraph }} | {{ quote(item=3) }}",
    })
    renderer = Renderer(env=make_environment(), policies=policies, source=source)
    context = {"article": 7, "paragraph": None, "request_type": "disclosure", "cite": "FAKE", "lang": "xx"}
    out = renderer.render("disclosure_info", "en", context)
    assert out.text == (
        "Article 7 (Disclosure of Personal Information) | en | 7 | disclosure | None | "
        "In case this causes a violation of a law or statute"
    )
    assert ("disclosure_info", "en") in source.calls
    # Languages without an override keep the shipped default.
    assert "第7条（個人情報の開示）" in renderer.render("disclosure_info", "ja", context).text


def test_compiled_overrides_are_cached_by_source_text(renderer: Renderer) -> None:
    first = renderer.compile_source("Hello {{ lang }}")
    assert renderer.compile_source("Hello {{ lang }}") is first
    assert renderer.compile_source("Hello {{ lang }}!") is not first


def test_broken_override_falls_back_to_the_default(policies: dict[str, Any]) -> None:
    source = DictSource({
        ("thanks", "en"): "{% if %}",  # does not compile
        ("goodbye", "en"): "{{ no_such_key }}",  # StrictUndefined at render time
    })
    renderer = Renderer(env=make_environment(), policies=policies, source=source)
    assert renderer.render("thanks", "en", {}).text.startswith("You're welcome")
    assert renderer.render("goodbye", "en", {}).text.startswith("Thank you for chatting")


def test_failing_source_falls_back_to_the_default(policies: dict[str, Any]) -> None:
    renderer = Renderer(env=make_environment(), policies=policies, source=BrokenSource())
    assert renderer.render("thanks", "en", {}).text.startswith("You're welcome")


def test_preview_reports_errors_instead_of_falling_back(renderer: Renderer) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        renderer.preview("thanks", "en", "{% if %}", {})
    with pytest.raises(jinja2.UndefinedError):
        renderer.preview("help", "en", "{{ choices }}", {"article": None})
    out = renderer.preview("contact", "ja", "**{{ cite }}**", {"article": 14})
    assert out.html.startswith("<p><strong>第14条（お問い合わせ）</strong></p>")


def test_unsafe_environments_are_refused(policies: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="Sandboxed"):
        Renderer(env=jinja2.Environment(undefined=jinja2.StrictUndefined), policies=policies)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="StrictUndefined"):
        Renderer(env=SandboxedEnvironment(), policies=policies)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_template_that_fails_to_compile_is_named(tmp_path: Path, policies: dict[str, Any]) -> None:
    _write(tmp_path / "en" / "good.j2", "fine")
    _write(tmp_path / "en" / "bad.j2", "line one\n{% for x in %}\n")
    with pytest.raises(TemplateLoadError) as info:
        Renderer(env=make_environment(), policies=policies, templates_dir=tmp_path)
    assert str(tmp_path / "en" / "bad.j2") in str(info.value) and "line 2" in str(info.value)


def test_missing_translation_is_named(tmp_path: Path, policies: dict[str, Any]) -> None:
    _write(tmp_path / "en" / "hello.j2", "hi")
    _write(tmp_path / "en" / "bye.j2", "bye")
    _write(tmp_path / "ja" / "hello.j2", "こんにちは")
    with pytest.raises(TemplateLoadError, match=r"ja[/\\]bye\.j2"):
        Renderer(env=make_environment(), policies=policies, templates_dir=tmp_path)


def test_empty_template_directory(tmp_path: Path, policies: dict[str, Any]) -> None:
    with pytest.raises(TemplateLoadError, match="no templates"):
        Renderer(env=make_environment(), policies=policies, templates_dir=tmp_path)


def test_custom_template_directory(tmp_path: Path, policies: dict[str, Any]) -> None:
    _write(tmp_path / "en" / "note.j2", "{{ cite }}: {{ quote() }}")
    renderer = Renderer(env=make_environment(), policies=policies, templates_dir=tmp_path)
    assert renderer.names() == ["note"]
    assert renderer.render("note", "ja", {"article": 13}).text == (
        "Article 13 (Change): Company shall notify Users when revising this privacy policy."
    )


def test_package_is_imported_from_this_repository() -> None:
    # "responses" is also a PyPI test library; an installed namesake must never shadow ours.
    assert PACKAGE == REPO / "responses"


def test_responses_is_pure() -> None:
    forbidden = {"bot", "handoff", "intents"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]} if node.level == 0 else set()
            else:
                continue
            assert not roots & forbidden, f"{path.name} imports {roots & forbidden}"


def test_cached_render_is_the_same_reply_and_follows_an_admin_edit_at_once(policies: dict[str, Any]) -> None:
    source = DictSource({})
    cached = Renderer(env=make_environment(), policies=policies, source=source)
    context = sample_context("disclosure_info", "en")
    first = cached.render("disclosure_info", "en", context, cache_key=("k",))
    assert first == cached.render("disclosure_info", "en", context)  # same as an uncached render
    assert cached.render("disclosure_info", "en", context, cache_key=("k",)) is first  # remembered
    # An edit changes the override text, which is part of the key: the next render uses it, no restart.
    source.overrides[("disclosure_info", "en")] = "Edited answer. {{ cite }}"
    edited = cached.render("disclosure_info", "en", context, cache_key=("k",))
    assert edited.text.startswith("Edited answer.") and "Article 7" in edited.text
    del source.overrides[("disclosure_info", "en")]  # reset to the shipped default
    assert cached.render("disclosure_info", "en", context, cache_key=("k",)) == first


def test_render_cache_is_bounded(policies: dict[str, Any]) -> None:
    small = Renderer(env=make_environment(), policies=policies, cache_size=2)
    for n in range(50):
        small.render("thanks", "en", {"article": None}, cache_key=(n,))
    assert 0 < len(small._rendered) <= 8
