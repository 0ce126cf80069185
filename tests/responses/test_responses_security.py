"""User text is data, never template source; templates cannot reach Python internals."""
from __future__ import annotations

import inspect
from typing import Any

import jinja2
import pytest
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

PAYLOADS = [
    "{{ 7*7 }}",
    "{% for x in range(10) %}{{ x }}{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{#",
    "{% raw %}",
]

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ article.__class__.__init__.__globals__ }}",
    "{{ quote.__globals__ }}",
    "{{ quote.__self__.__class__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ topics.__class__.__base__.__subclasses__() }}",
    "{{ topics.append(1) }}",
]


class RecordingEnvironment(ImmutableSandboxedEnvironment):
    """Records every source string compiled, to prove context values never reach the compiler."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compiled: list[str] = []

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        self.compiled.append(str(source))
        return super().from_string(source, globals, template_class)


class AdminSource:
    """An admin override that prints the user's text: the riskiest legitimate template."""

    def get(self, name: str, lang: str) -> str | None:
        return "You said: {{ user_text }}" if name == "fallback" else None


@pytest.fixture(scope="module")
def policies() -> dict[str, Any]:
    return load_policies()


@pytest.fixture(scope="module")
def renderer(policies: dict[str, Any]) -> Renderer:
    return Renderer(env=make_environment(), policies=policies)


def test_render_takes_no_template_source() -> None:
    # Nothing a caller passes can become template source: only the name picks a template; the cache key is a
    # keyword-only hashable used for look-up, never compiled.
    assert list(inspect.signature(Renderer.render).parameters) == ["self", "name", "lang", "context", "cache_key"]
    assert inspect.signature(Renderer.render).parameters["cache_key"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("payload", PAYLOADS)
def test_context_values_come_out_literally(renderer: Renderer, payload: str) -> None:
    context = {
        "article": None,
        "topics": [{"label": payload, "article": 3}],
        "choices": [{"number": 1, "label": payload, "article": 7}],
        "user_text": payload,
    }
    for name in ("help", "fallback", "clarify"):
        out = renderer.render(name, "en", context)
        assert payload in out.text
        assert "49" not in out.text and "0123456789" not in out.text
        assert "subclass" not in out.text.replace(payload, "")


def test_user_text_shown_by_an_admin_template_is_never_compiled(policies: dict[str, Any]) -> None:
    env = RecordingEnvironment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    renderer = Renderer(env=env, policies=policies, source=AdminSource())
    env.compiled.clear()
    for payload in PAYLOADS:
        out = renderer.render("fallback", "en", {"article": None, "topics": [], "user_text": payload})
        assert out.text == f"You said: {payload}"
    assert env.compiled == ["You said: {{ user_text }}"]  # compiled once, then cached
    assert not any(p in source for source in env.compiled for p in PAYLOADS)


@pytest.mark.parametrize("template", ESCAPES)
def test_sandbox_blocks_reaching_python_internals(renderer: Renderer, template: str) -> None:
    context = {"article": 7, "topics": [], "choices": []}
    with pytest.raises(SecurityError):
        renderer.preview("disclosure_info", "en", template, context)
    with pytest.raises(SecurityError):
        renderer.compile_source(template).render(topics=[], article=None, quote=lambda **kwargs: "")


@pytest.mark.parametrize("template", ESCAPES)
def test_malicious_override_never_executes_in_render(policies: dict[str, Any], template: str) -> None:
    class Evil:
        def get(self, name: str, lang: str) -> str | None:
            return template

    renderer = Renderer(env=make_environment(), policies=policies, source=Evil())
    out = renderer.render("disclosure_info", "en", {"article": 7, "topics": [], "choices": []})
    # The shipped default answers instead; nothing from the payload leaks into the reply.
    assert out.text.startswith("You, or your representative")
    assert "globals" not in out.text and "subclasses" not in out.text
