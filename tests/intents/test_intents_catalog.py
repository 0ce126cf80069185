"""The intent catalog: the shipped data is complete, and a broken file fails loudly, naming file and entry."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from intents.catalog import (
    ARTICLE_RANGE,
    MIN_EXAMPLES,
    MIN_EXAMPLES_ARTICLELESS,
    REQUEST_TYPES,
    Catalog,
    CatalogError,
    load_catalog,
)

#: DESIGN.md's fixed table of request types and the article each is tied to.
DESIGN_REQUEST_TYPES = {
    "purpose_notification": 6,
    "disclosure": 7,
    "correction": 8,
    "suspension": 9,
    "third_party_stop": 9,
    "inquiry": 14,
}


# -- the shipped catalog ----------------------------------------------------------------------------


def test_shipped_catalog_loads(catalog: Catalog) -> None:
    assert len(catalog) > 0
    ids = [i.id for i in catalog]
    assert len(ids) == len(set(ids)), "intent ids must be unique"
    for intent in catalog:
        assert intent.id in catalog
        assert catalog[intent.id] is intent
        assert intent.kind in ("question", "request", "smalltalk", "silent", "support")
        if intent.kind in ("silent", "support"):
            assert intent.article is None and intent.request_type is None, intent.id


def test_every_intent_has_enough_examples(catalog: Catalog) -> None:
    assert MIN_EXAMPLES["en"] >= 12 and MIN_EXAMPLES["ja"] >= 6
    assert MIN_EXAMPLES_ARTICLELESS["en"] >= 6 and MIN_EXAMPLES_ARTICLELESS["ja"] >= 4
    for intent in catalog:
        least = MIN_EXAMPLES_ARTICLELESS if intent.kind in ("silent", "support") else MIN_EXAMPLES
        assert len(intent.examples["en"]) >= least["en"], intent.id
        assert len(intent.examples["ja"]) >= least["ja"], intent.id
        for lang in ("en", "ja"):
            assert all(isinstance(e, str) and e.strip() for e in intent.examples[lang]), intent.id
            assert intent.label(lang).strip(), intent.id


def test_every_topic_intent_has_keywords_in_both_languages(catalog: Catalog) -> None:
    topical = [i for i in catalog if i.kind != "smalltalk"]
    assert topical
    for intent in topical:
        assert len(intent.keywords["en"]) >= 1, intent.id
        assert len(intent.keywords["ja"]) >= 1, intent.id
        assert all(k.strip() for lang in ("en", "ja") for k in intent.keywords[lang]), intent.id


def test_every_article_has_a_question_intent(catalog: Catalog) -> None:
    assert list(ARTICLE_RANGE) == list(range(1, 15))
    for article in range(1, 15):
        intent = catalog.question_for_article(article)
        assert intent is not None, f"no question intent for Article {article}"
        assert intent.kind == "question" and intent.article == article
        assert intent.request_type is None


def test_each_design_request_type_has_a_request_intent_on_its_article(catalog: Catalog) -> None:
    assert dict(REQUEST_TYPES) == DESIGN_REQUEST_TYPES
    for request_type, article in DESIGN_REQUEST_TYPES.items():
        intent = catalog.request_for_type(request_type)
        assert intent is not None, request_type
        assert intent.kind == "request"
        assert intent.request_type == request_type
        assert intent.article == article
    # ... and no request intent carries a type outside the table.
    for intent in catalog:
        if intent.kind == "request":
            assert intent.request_type in DESIGN_REQUEST_TYPES


def test_smalltalk_greeting_thanks_help_exist(catalog: Catalog) -> None:
    for intent_id in ("greeting", "thanks", "help"):
        assert intent_id in catalog
        intent = catalog[intent_id]
        assert intent.kind == "smalltalk"
        assert intent.article is None and intent.request_type is None


def test_question_and_request_articles_are_in_range(catalog: Catalog) -> None:
    for intent in catalog:
        if intent.kind in ("smalltalk", "silent", "support"):
            assert intent.article is None
        else:
            assert isinstance(intent.article, int) and not isinstance(intent.article, bool)
            assert 1 <= intent.article <= 14


# -- validation of bad files ------------------------------------------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def toml_intents(*intents: dict[str, Any]) -> str:
    parts = []
    for intent in intents:
        lines = ["[[intent]]"] + [f"{key} = {_value(value)}" for key, value in intent.items()]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def make_intent(
    intent_id: str,
    kind: str = "question",
    article: int | None = 1,
    *,
    request_type: str | None = None,
    en: int = 12,
    ja: int = 6,
    keywords: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": intent_id, "kind": kind}
    if article is not None:
        data["article"] = article
    if request_type is not None:
        data["request_type"] = request_type
    data["label"] = {"en": f"Label of {intent_id}", "ja": f"{intent_id}のラベル"}
    data["examples"] = {
        "en": [f"example {n} about {intent_id}" for n in range(en)],
        "ja": [f"{intent_id}についての例{n}" for n in range(ja)],
    }
    if keywords:
        data["keywords"] = {"en": [f"kw {intent_id}"], "ja": [f"{intent_id}キーワード"]}
    data.update(extra)
    return data


def valid_catalog_intents() -> list[dict[str, Any]]:
    """A small catalog that satisfies every coverage rule (all articles, request types, smalltalk)."""
    intents = [make_intent(f"topic_{a:02d}", "question", a) for a in range(1, 15)]
    intents += [make_intent(f"req_{t}", "request", a, request_type=t) for t, a in DESIGN_REQUEST_TYPES.items()]
    intents += [make_intent(name, "smalltalk", None, keywords=False) for name in ("greeting", "thanks", "help")]
    return intents


def write_valid_catalog(directory: Path) -> None:
    (directory / "base.toml").write_text(toml_intents(*valid_catalog_intents()), encoding="utf-8")


def load_error(tmp_path: Path, filename: str, content: str | bytes, *, base: bool = True) -> str:
    if base:
        write_valid_catalog(tmp_path)
    path = tmp_path / filename
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    return str(info.value)


def test_generated_valid_catalog_loads(tmp_path: Path) -> None:
    """Control for the tests below: the base catalog they extend is itself valid."""
    write_valid_catalog(tmp_path)
    catalog = load_catalog(tmp_path)
    assert len(catalog) == 14 + 6 + 3
    assert catalog["req_disclosure"].article == 7
    assert catalog["topic_12"].examples["ja"][0] == "topic_12についての例0"
    assert catalog["greeting"].keywords == {"en": (), "ja": ()}


def test_invalid_toml_syntax_names_the_file(tmp_path: Path) -> None:
    content = '[[intent]]\nid = "broken_syntax"\nkind = "question\narticle = 3\n'
    message = load_error(tmp_path, "zz_syntax.toml", content)
    assert "zz_syntax.toml" in message
    assert "TOML" in message
    assert "line" in message  # points at the place of the error


def test_undecodable_file_names_the_file(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_binary.toml", b"\xff\xfe\x00[[intent]]\x00\x81")
    assert "zz_binary.toml" in message


def test_missing_id_names_file_and_entry(tmp_path: Path) -> None:
    nameless = make_intent("placeholder")
    del nameless["id"]
    message = load_error(tmp_path, "zz_noid.toml", toml_intents(make_intent("first_ok", article=2), nameless))
    assert "zz_noid.toml" in message
    assert "entry #2" in message
    assert "id" in message


@pytest.mark.parametrize("bad_id", ["has space", "with-dash", "", "1starts_with_digit"])
def test_id_must_be_an_identifier(tmp_path: Path, bad_id: str) -> None:
    message = load_error(tmp_path, "zz_badid.toml", toml_intents(make_intent(bad_id)))
    assert "zz_badid.toml" in message
    assert "entry #1" in message


def test_duplicate_id_across_two_files_names_both(tmp_path: Path) -> None:
    (tmp_path / "aa_first.toml").write_text(toml_intents(make_intent("dup_cookie_topic", article=12)), encoding="utf-8")
    message = load_error(tmp_path, "zz_second.toml", toml_intents(make_intent("dup_cookie_topic", article=12)))
    assert "zz_second.toml" in message
    assert "dup_cookie_topic" in message
    assert "aa_first.toml" in message
    assert "duplicate" in message.lower()


def test_duplicate_id_within_one_file(tmp_path: Path) -> None:
    content = toml_intents(make_intent("twice_here", article=3), make_intent("twice_here", article=4))
    message = load_error(tmp_path, "zz_twice.toml", content)
    assert "zz_twice.toml" in message and "twice_here" in message and "duplicate" in message.lower()


def test_unknown_kind(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_kind.toml", toml_intents(make_intent("faq_entry", "faq", 3)))
    assert "zz_kind.toml" in message
    assert "faq_entry" in message
    assert "kind" in message and "faq" in message


@pytest.mark.parametrize("article", [0, 15, -1, 100, True, False, "3", 3.0, [3]])
def test_article_out_of_range_or_wrong_type(tmp_path: Path, article: Any) -> None:
    message = load_error(tmp_path, "zz_article.toml", toml_intents(make_intent("bad_article_q", article=article)))
    assert "zz_article.toml" in message
    assert "bad_article_q" in message
    assert "article" in message


def test_question_without_article(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_noarticle.toml", toml_intents(make_intent("no_article_q", article=None)))
    assert "zz_noarticle.toml" in message and "no_article_q" in message and "article" in message


def test_smalltalk_with_article(tmp_path: Path) -> None:
    content = toml_intents(make_intent("chatty", "smalltalk", 3, keywords=False))
    message = load_error(tmp_path, "zz_smalltalk.toml", content)
    assert "zz_smalltalk.toml" in message and "chatty" in message and "article" in message


@pytest.mark.parametrize("request_type", ["deletion", "DISCLOSURE", ""])
def test_request_with_unknown_request_type(tmp_path: Path, request_type: str) -> None:
    content = toml_intents(make_intent("req_bad_type", "request", 7, request_type=request_type))
    message = load_error(tmp_path, "zz_reqtype.toml", content)
    assert "zz_reqtype.toml" in message
    assert "req_bad_type" in message
    assert "request_type" in message


def test_request_without_request_type(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_reqnone.toml", toml_intents(make_intent("req_untyped", "request", 7)))
    assert "zz_reqnone.toml" in message and "req_untyped" in message and "request_type" in message


@pytest.mark.parametrize(("request_type", "article"), [("disclosure", 8), ("suspension", 7), ("inquiry", 13),
                                                       ("third_party_stop", 8)])
def test_request_type_article_mismatch(tmp_path: Path, request_type: str, article: int) -> None:
    content = toml_intents(make_intent("req_mismatch", "request", article, request_type=request_type))
    message = load_error(tmp_path, "zz_mismatch.toml", content)
    assert "zz_mismatch.toml" in message
    assert "req_mismatch" in message
    assert request_type in message
    assert str(DESIGN_REQUEST_TYPES[request_type]) in message and str(article) in message


def test_question_with_request_type(tmp_path: Path) -> None:
    content = toml_intents(make_intent("q_typed", "question", 7, request_type="disclosure"))
    message = load_error(tmp_path, "zz_qtyped.toml", content)
    assert "zz_qtyped.toml" in message and "q_typed" in message and "request_type" in message


@pytest.mark.parametrize(("en", "ja", "lang"), [(11, 6, "en"), (0, 6, "en"), (12, 5, "ja"), (12, 0, "ja")])
def test_too_few_examples(tmp_path: Path, en: int, ja: int, lang: str) -> None:
    message = load_error(tmp_path, "zz_few.toml", toml_intents(make_intent("thin_intent", en=en, ja=ja)))
    assert "zz_few.toml" in message
    assert "thin_intent" in message
    assert lang in message and "example" in message


def test_missing_keywords(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_nokw.toml", toml_intents(make_intent("no_keywords_q", keywords=False)))
    assert "zz_nokw.toml" in message
    assert "no_keywords_q" in message
    assert "keyword" in message


def test_keywords_missing_for_one_language(tmp_path: Path) -> None:
    intent = make_intent("half_keywords_q")
    intent["keywords"] = {"en": ["cookie"]}
    message = load_error(tmp_path, "zz_halfkw.toml", toml_intents(intent))
    assert "zz_halfkw.toml" in message and "half_keywords_q" in message and "keyword" in message


def test_unknown_field(tmp_path: Path) -> None:
    intent = make_intent("typo_field_q", answer_text="we use cookies")
    message = load_error(tmp_path, "zz_unknown.toml", toml_intents(intent))
    assert "zz_unknown.toml" in message
    assert "typo_field_q" in message
    assert "answer_text" in message


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_empty_example_string(tmp_path: Path, blank: str) -> None:
    intent = make_intent("blank_example_q")
    intent["examples"]["en"][3] = blank
    message = load_error(tmp_path, "zz_blank.toml", toml_intents(intent))
    assert "zz_blank.toml" in message
    assert "blank_example_q" in message
    assert "examples.en" in message


def test_non_string_example(tmp_path: Path) -> None:
    intent = make_intent("numeric_example_q")
    intent["examples"]["ja"][0] = 42
    message = load_error(tmp_path, "zz_numeric.toml", toml_intents(intent))
    assert "zz_numeric.toml" in message and "numeric_example_q" in message and "examples.ja" in message


@pytest.mark.parametrize("label", [{"en": "Only English"}, {"ja": "日本語だけ"}, {"en": "x", "ja": " "}])
def test_missing_label_language(tmp_path: Path, label: dict[str, str]) -> None:
    intent = make_intent("half_label_q", label=label)
    message = load_error(tmp_path, "zz_label.toml", toml_intents(intent))
    assert "zz_label.toml" in message
    assert "half_label_q" in message
    assert "label" in message


def test_file_without_intents(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zz_empty.toml", "# nothing here\ntitle = \"no intents\"\n")
    assert "zz_empty.toml" in message


def test_directory_without_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_coverage_missing_article_is_reported(tmp_path: Path) -> None:
    intents = [i for i in valid_catalog_intents() if i["id"] != "topic_05"]
    (tmp_path / "partial.toml").write_text(toml_intents(*intents), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert "5" in str(info.value) and "article" in str(info.value)


def test_coverage_missing_request_type_is_reported(tmp_path: Path) -> None:
    intents = [i for i in valid_catalog_intents() if i["id"] != "req_third_party_stop"]
    (tmp_path / "partial.toml").write_text(toml_intents(*intents), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert "third_party_stop" in str(info.value)


@pytest.mark.parametrize("required", ["greeting", "thanks", "help"])
def test_coverage_missing_smalltalk_is_reported(tmp_path: Path, required: str) -> None:
    intents = [i for i in valid_catalog_intents() if i["id"] != required]
    (tmp_path / "partial.toml").write_text(toml_intents(*intents), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert required in str(info.value)
