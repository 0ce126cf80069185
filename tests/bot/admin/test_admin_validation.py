"""The template validator on its own: every shipped template passes; each rule refuses with its line and reason."""
from __future__ import annotations

import pytest

from bot.admin.validation import SLACK_SECTION_LIMIT, SLACK_TEXT_LIMIT, TemplateValidator
from bot.engine.conversation import Topic
from intents.catalog import Catalog
from responses.renderer import Renderer


@pytest.fixture(scope="module")
def validator(renderer: Renderer, catalog: Catalog) -> TemplateValidator:
    return TemplateValidator(renderer, catalog=catalog, topics=lambda lang: _topics(catalog, lang))


def _topics(catalog: Catalog, lang: str) -> list[Topic]:
    """The full topic list, as the conversation passes it to help and fallback."""
    return [Topic(i.label(lang), i.article) for i in catalog if i.kind == "question" and i.article is not None]


def reasons(validator: TemplateValidator, source: str, name: str = "cookies", lang: str = "en") -> list[str]:
    return [str(p) for p in validator.validate(name, lang, source).problems]


def test_every_shipped_template_passes(validator: TemplateValidator, renderer: Renderer) -> None:
    for name in renderer.names():
        for lang in renderer.langs():
            result = validator.validate(name, lang, renderer.default_source(name, lang))
            assert result.ok, (lang, name, result.problems)
            assert result.preview is not None and result.preview.text


@pytest.mark.parametrize("source,expected", [
    ("{{ ''.__class__ }}", "line 1: Attribute “__class__” is not allowed"),
    ("ok\n{{ cite.__globals__ }}", "line 2: Attribute “__globals__” is not allowed"),
    ("{{ topics.__class__.__base__.__subclasses__() }}", "line 1: Attribute “__subclasses__” is not allowed"),
    ("{{ config }}", "line 1: “config” is not available"),
    ("{{ os }}", "line 1: “os” is not available"),
    ("{{ cycler.__init__.__globals__ }}", "line 1: “cycler” is not available"),
    ("{{ self._TemplateReference__context }}", "line 1: Attribute “_TemplateReference__context” is not allowed"),
    ("{{ self }}", "line 1: “self” is not available"),
    ("{{ lipsum() }}", "line 1: “lipsum” is not available"),
    ("{% set n = namespace() %}", "line 1: “namespace” is not available"),
    ("{{ range(5) | list }}", "line 1: “range” is not available"),
    ("{{ cite | attr('upper') }}", "line 1: The “attr” filter is not allowed"),
    ("{{ cite['__class__'] }}", "line 1: The string “__class__” looks like a Python internal name"),
    ("{% include 'other.j2' %}", "line 1: include, import and extends are not allowed"),
    ("{% extends 'base' %}", "line 1: include, import and extends are not allowed"),
    ("{{ 9 ** 9 }}", "line 1: The ** operator is not allowed."),
    ("{{ cite * 100000 }}", "line 1: Numbers above 10,000 are not allowed."),
    ("{% for a in topics %}{% for b in topics %}{% for c in topics %}{% for d in topics %}x{% endfor %}{% endfor %}"
     "{% endfor %}{% endfor %}", "line 1: Loops may be nested at most 3 deep."),
    ("{{ cite }}\n{{ topics.append(1) }}", "line 2: Forbidden by the sandbox"),
    ("{{ cite }}\n\n{{ 1 / 0 }}", "line 3: Cannot render: ZeroDivisionError"),
    ("{{ cite }}\n{{ nope }}", "line 2: Undefined variable “nope”"),
    ("{{ cite }}\n{% if %}", "line 2: Does not compile"),
    ("{{ cite }}\n\n{{ cite | nosuchfilter }}", "line 3: Does not compile: No filter named 'nosuchfilter'"),
])
def test_refusals_name_the_line(validator: TemplateValidator, source: str, expected: str) -> None:
    found = reasons(validator, source)
    assert any(p.startswith(expected) for p in found), found


def test_sandbox_refusals_never_reach_a_render(validator: TemplateValidator) -> None:
    # Statically refused templates are not rendered at all: there is no preview.
    result = validator.validate("cookies", "en", "{{ cite }} {{ cycler.__init__.__globals__.os.popen('id').read() }}")
    assert not result.ok and result.preview is None


def test_undefined_variables_are_judged_with_the_engines_context(validator: TemplateValidator) -> None:
    assert reasons(validator, "{{ cite }}", name="help") == [
        "line 1: Undefined variable: 'cite' is undefined (in the context the bot passes this template)"]
    assert any("choices" in p for p in reasons(validator, "{{ choices | length }}", name="fallback"))
    assert reasons(validator, "{% for c in choices %}{{ c.number }}. {{ c.label }}\n{% endfor %}", name="clarify") == []
    assert reasons(validator, "{{ choices[2].label }}", name="clarify")  # only two choices in one sample
    assert reasons(validator, "{{ topics | length }} topics; {{ cite }}; type {{ request_type }}",
                   name="request_disclosure") == []


def test_article_templates_must_keep_the_citation(validator: TemplateValidator) -> None:
    assert reasons(validator, "We use cookies.") == [
        "The answer no longer cites the article: it must contain “Article 12 (Use of Cookies, etc.)” "
        "(keep {{ cite }} in the template)."]
    assert reasons(validator, "See Article 12 (Use of Cookies, etc.).") == []  # written out counts too
    assert reasons(validator, "クッキー", lang="ja")[0].startswith("The answer no longer cites the article: it must "
                                                                "contain “第12条（Cookie等の利用）”")
    assert reasons(validator, "Hello!", name="greeting") == []  # small talk cites nothing


def test_slack_limits(validator: TemplateValidator) -> None:
    long_paragraph = "{{ cite }}\n\n" + "word " * (SLACK_SECTION_LIMIT // 5 + 10)
    found = reasons(validator, long_paragraph)
    assert len(found) == 1 and found[0].startswith("line 3: Paragraph 2 of the reply renders to")
    assert "Slack section allows at most 3,000" in found[0]
    ok_sections = "{{ cite }}\n\n" + "\n\n".join(["x" * 2500] * 3)
    assert reasons(validator, ok_sections) == []
    too_long = "{{ cite }}\n{% for t in topics %}{% for u in topics %}\n\n" + "z" * 200 + "{% endfor %}{% endfor %}"
    assert any(f"a Slack message allows at most {SLACK_TEXT_LIMIT:,}" in p for p in reasons(validator, too_long))


def test_empty_and_oversized_sources(validator: TemplateValidator) -> None:
    assert reasons(validator, "  \n") == ["The template is empty."]
    assert reasons(validator, "{{ cite }}" + "x" * 20000)[0].startswith("The template is 20,010 characters long")
    assert reasons(validator, "{% if false %}{{ cite }}{% endif %}") == ["The template renders to nothing."]


def test_unknown_template_names_raise_key_error(validator: TemplateValidator) -> None:
    with pytest.raises(KeyError):
        validator.validate("no_such_template", "en", "hello")
