"""Every shipped template renders in both languages and all formats, cites and quotes its article."""
from __future__ import annotations

import re
from typing import Any

import pytest

from responses.names import TEMPLATE_SPECS
from responses.policy import load_policies
from responses.renderer import JA_NOTICE, JA_NOTICE_LINK, Renderer, make_environment
from responses.samples import sample_choices, sample_context, sample_topics

LANGS = ("en", "ja")
NAMES = sorted(TEMPLATE_SPECS)
ARTICLE_BOUND = [n for n in NAMES if TEMPLATE_SPECS[n].article is not None]
OFFER = {"en": "If you'd like to make this request now, just say so", "ja": "このままお申し出を始めたい場合は"}
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def policies() -> dict[str, Any]:
    return load_policies()


@pytest.fixture(scope="module")
def renderer(policies: dict[str, Any]) -> Renderer:
    return Renderer(env=make_environment(), policies=policies)


def test_shipped_names_are_exactly_the_catalogue(renderer: Renderer) -> None:
    assert renderer.names() == NAMES
    assert renderer.langs() == ["en", "ja"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_renders_in_every_format(renderer: Renderer, name: str, lang: str) -> None:
    out = renderer.render(name, lang, sample_context(name, lang))
    for value in (out.markup, out.text, out.html, out.mrkdwn):
        assert value.strip()
        assert "{{" not in value and "{%" not in value
    assert "**" not in out.text and "**" not in out.html and "**" not in out.mrkdwn
    assert out.html.startswith("<p>")
    assert len(out.text) <= 1200, f"{lang}/{name} is {len(out.text)} characters"
    assert len(out.mrkdwn) <= 3000  # a Slack Block Kit section's text limit


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ARTICLE_BOUND)
def test_article_answers_cite_and_quote_verbatim(renderer: Renderer, policies: dict[str, Any], name: str, lang: str) -> None:
    number = TEMPLATE_SPECS[name].article
    assert number is not None
    article = policies[lang].article(number)
    cite = article.cite(lang)
    out = renderer.render(name, lang, sample_context(name, lang))
    assert cite in out.text and cite in out.html and cite in out.mrkdwn
    quotes = [line[2:] for line in out.markup.split("\n") if line.startswith("> ")]
    assert quotes, "an article answer should quote the article"
    # An answer resting on two articles (advertising: Arts. 11 and 12) quotes each one it cites, and only those.
    cited = [a for a in policies[lang].articles.values() if a.number == number or a.cite(lang) in out.text]
    assert all(any(q in a.text() for a in cited) for q in quotes), "quotes must be verbatim text of a cited article"
    assert "<blockquote>" in out.html


#: What may stand between two quoted lines of one block: whitespace and a paragraph or item number ("2. ", "(1) ").
_ADJACENT_GAP = re.compile(r"\s*(?:\d+\.|\(\d+\))?\s*")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ARTICLE_BOUND)
def test_quoted_lines_of_one_block_are_adjacent_in_the_policy(renderer: Renderer, policies: dict[str, Any], name: str,
                                                              lang: str) -> None:
    """A quote never splices sentences that are apart in the policy: consecutive "> " lines follow each other in the
    article's text (an omission is shown by a separate, labelled quote, never by joining the pieces)."""
    number = TEMPLATE_SPECS[name].article
    assert number is not None
    body = policies[lang].article(number).text()
    lines = renderer.render(name, lang, sample_context(name, lang)).markup.split("\n")
    for previous, line in zip(lines, lines[1:]):
        if previous.startswith("> ") and line.startswith("> "):
            end = body.index(previous[2:]) + len(previous[2:])
            start = body.index(line[2:], end)
            assert _ADJACENT_GAP.fullmatch(body[end:start]), f"{lang}/{name}: {previous[2:40]!r} … {line[2:40]!r}"


@pytest.mark.parametrize("name", ARTICLE_BOUND)
def test_japanese_answers_carry_the_translation_notice_under_the_quote(renderer: Renderer, name: str) -> None:
    ja = renderer.render(name, "ja", sample_context(name, "ja"))
    lines = ja.markup.split("\n")
    article = TEMPLATE_SPECS[name].article
    text = load_policies()["ja"].article(article).text() if article else ""
    last_quote = max(n for n, line in enumerate(lines)
                     if line.startswith("> ") or (line.startswith("- ") and line[2:] in text and len(line) > 12))
    # Right under the quoted article, as its own paragraph: it describes the quote, not the rest of the reply.
    assert lines[last_quote + 1 : last_quote + 3] == ["", JA_NOTICE]
    assert ja.markup.count(JA_NOTICE) == 1
    assert "英語版" in JA_NOTICE and "参考訳" in JA_NOTICE
    # The policy does not say which version prevails, so the notice does not either.
    assert "日本語版プライバシーポリシーの記載が優先" not in ja.text
    assert JA_NOTICE in ja.html and JA_NOTICE in ja.mrkdwn
    assert JA_NOTICE not in renderer.render(name, "en", sample_context(name, "en")).text


def test_the_notice_follows_quoted_exception_items_too(renderer: Renderer) -> None:
    ja = renderer.render("disclosure_info", "ja", sample_context("disclosure_info", "ja")).markup
    assert ja.index("- 法令に違反することとなる場合") < ja.index(JA_NOTICE) < ja.index("このままお申し出を始めたい場合")


def test_notice_links_the_official_japanese_version_when_configured(policies: dict[str, Any]) -> None:
    url = "https://example.com/ja/privacy"
    linked = Renderer(env=make_environment(), policies=policies, ja_policy_url=url)
    out = linked.render("disclosure_info", "ja", sample_context("disclosure_info", "ja"))
    assert JA_NOTICE + JA_NOTICE_LINK.format(url=url) in out.text
    assert url not in linked.render("disclosure_info", "en", sample_context("disclosure_info", "en")).text
    plain = Renderer(env=make_environment(), policies=policies)
    assert "https://" not in plain.render("disclosure_info", "ja", sample_context("disclosure_info", "ja")).text


@pytest.mark.parametrize("name", ["greeting", "thanks", "help", "goodbye", "fallback", "clarify"])
def test_no_notice_without_an_article(renderer: Renderer, name: str) -> None:
    assert JA_NOTICE not in renderer.render(name, "ja", sample_context(name, "ja")).text


def test_notice_is_not_added_to_clarify_even_when_the_engine_passes_an_article(renderer: Renderer) -> None:
    context = {**sample_context("clarify", "ja"), "article": 8}
    assert JA_NOTICE not in renderer.render("clarify", "ja", context).text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "name", ["purpose_notification_info", "disclosure_info", "correction_info", "suspension_info",
             "third_party_info", "contact"]
)
def test_procedure_questions_offer_to_start_the_request(renderer: Renderer, name: str, lang: str) -> None:
    assert OFFER[lang] in renderer.render(name, lang, sample_context(name, lang)).text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", [n for n in NAMES if TEMPLATE_SPECS[n].kind == "request"])
def test_requests_explain_who_may_ask_and_announce_the_form(renderer: Renderer, name: str, lang: str) -> None:
    text = renderer.render(name, lang, sample_context(name, lang)).text
    if lang == "en":
        assert "A short request form follows" in text
        assert "representative" in text or name == "request_inquiry"
    else:
        assert "短いフォーム" in text
        assert "代理人" in text or name == "request_inquiry"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["help", "fallback"])
def test_topic_lists(renderer: Renderer, name: str, lang: str) -> None:
    out = renderer.render(name, lang, sample_context(name, lang))
    for topic in sample_topics(lang):
        assert topic.label in out.text
    assert out.html.count("<li>") == len(sample_topics(lang))
    assert ("talk to a person" if lang == "en" else "担当者と話したい") in out.text


def test_topics_may_be_dicts_or_objects(renderer: Renderer) -> None:
    topics = [{"label": "Cookies", "article": 12}, {"label": "Talk to a person", "article": None}]
    out = renderer.render("help", "en", {"article": None, "topics": topics})
    assert "- Cookies (Article 12)\n- Talk to a person\n" in out.markup


@pytest.mark.parametrize("lang", LANGS)
def test_clarify_numbers_its_choices(renderer: Renderer, lang: str) -> None:
    out = renderer.render("clarify", lang, sample_context("clarify", lang))
    first, second = sample_choices(lang)
    if lang == "en":
        assert f"1. {first.label} (Article 8)\n2. {second.label} (Article 9)" in out.text
        assert "Did you mean" in out.text
    else:
        assert f"1. {first.label}（第8条）\n2. {second.label}（第9条）" in out.text
    assert "<ol><li>" in out.html


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["help", "fallback", "clarify"])
def test_labels_are_escaped_in_html_and_mrkdwn(renderer: Renderer, name: str, lang: str) -> None:
    context = {
        "article": None,
        "topics": [{"label": XSS, "article": 3}, {"label": '" onmouseover="x', "article": None}],
        "choices": [{"number": 1, "label": XSS, "article": 7}, {"number": 2, "label": "<!channel> & co", "article": 9}],
    }
    out = renderer.render(name, lang, context)
    assert "<script>" not in out.html and "<script>" not in out.mrkdwn
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out.mrkdwn
    assert XSS in out.text  # plain text is not a markup format: shown as typed
    if name == "clarify":
        assert "&lt;!channel&gt; &amp; co" in out.mrkdwn
    else:
        assert "&quot; onmouseover=&quot;x" in out.html


def test_engine_shaped_context_with_paragraph_and_request_type(renderer: Renderer) -> None:
    context = {"article": 9, "paragraph": 2, "topics": [], "choices": [], "request_type": "third_party_stop"}
    out = renderer.render("request_third_party_stop", "en", context)
    assert "Article 9 (Suspension of Use, etc.)" in out.text
    assert re.search(r"^> If Company receives a petition from Users or their representatives to stop", out.markup, re.M)

