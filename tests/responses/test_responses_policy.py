"""The policy knowledge base: complete, verbatim, consistently numbered, and validated at load."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from responses.policy import DATA_DIR, PolicyError, load_policies, load_policy

#: The company's policy text as shipped to us, kept with the tests as the oracle for the knowledge base.
SOURCE = Path(__file__).resolve().parents[1] / "data/privacy-policy.en.txt"
#: Where it came from (beside the repository on the team's machines; absent in a bare clone).
UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared/policy/privacy-policy.en.txt"

EN_TITLES = {
    1: "Application",
    2: "Acquisition of Personal Information",
    3: "Purpose of Use and Scope of Personal Information",
    4: "Outsourcing of Information Management",
    5: "Management of Personal Information, etc.",
    6: "Notification of Purpose of Use",
    7: "Disclosure of Personal Information",
    8: "Correction of Personal Information, etc.",
    9: "Suspension of Use, etc.",
    10: "Links to External Sites, etc.",
    11: "Collection and Analysis on Access Logs",
    12: "Use of Cookies, etc.",
    13: "Change",
    14: "Inquiries",
}

# (paragraph number, item numbers) per article; articles not listed have one unnumbered paragraph.
SHAPES: dict[int, list[tuple[int | None, list[int]]]] = {
    3: [(1, []), (2, [1, 2, 3, 4])],
    6: [(None, [1, 2, 3, 4])],
    7: [(None, [1, 2, 3])],
    9: [(1, []), (2, []), (3, [1, 2, 3])],
    11: [(None, []), (None, []), (None, [])],
    12: [(1, []), (2, []), (3, [])],
}

# Distinctive wording, odd phrasing and typos included, that must survive verbatim.
VERBATIM = [
    "(hereinafter referred to as the “Company”) recognizes the importance of protecting",
    "Company shall handle the acquired information by lawful and fair means.",
    "(No. 57 Act, 2003. Hereinafter, referred to as “Act”)",
    "refers to “Personal Data” determined under Article 2, paragraph 6 of the Act",
    "including with the outsources, and ensure that the management of user information",
    "and otherwise safely manage the personal information, of employees and contractors, and the like.",
    "When the purpose of using the personal information, etc. is unclear",
    "and where such matters may be impeded by notifying the user of the purpose of use or publicly "
    "announcing it may impede the execution of such affairs.",
    "If there is a risk of significant hindrance to how Company’s business is carried out",
    "the Company shall conduct an investigation, and as a result, if the contents of the request are found",
    "The User his or herself, or their representatives, in the event that the following situations occur",
    "Other cases in which the handling of held personal data is likely to harm the rights",
    "Company uses the “Google Analytics” access analysis tool from Google.",
    "If you would prefer to opt out of the use of cookies and advertisement serving identifiers, "
    "please refer to the following.",
    "(“Usage Information”). (hereinafter, “Usage Information”) to achieve the purposes described in Article 3.",
    "Company shall notify Users when revising this privacy policy.",
    "Please contact Company using the Inquiries page if you have any inquiries related to this privacy policy.",
]


@pytest.fixture(scope="module")
def policies() -> dict[str, Any]:
    return load_policies()


def _shape(policy: Any, number: int) -> list[tuple[int | None, list[int]]]:
    return [(p.number, [i.number for i in p.items]) for p in policy.article(number).paragraphs]


def test_both_languages_load_with_their_status(policies: dict[str, Any]) -> None:
    assert set(policies) == {"en", "ja"}
    assert policies["en"].official is True and policies["ja"].official is False
    assert policies["en"].company == "WEBMO, Inc."
    assert policies["en"].lang == "en" and policies["ja"].lang == "ja"


@pytest.mark.parametrize("number", range(1, 15))
def test_every_article_present_with_its_title(policies: dict[str, Any], number: int) -> None:
    assert policies["en"].article(number).title == EN_TITLES[number]
    assert policies["ja"].article(number).title.strip()
    assert list(policies["en"].articles) == list(range(1, 15))


@pytest.mark.parametrize("number", range(1, 15))
def test_paragraph_and_item_numbering(policies: dict[str, Any], number: int) -> None:
    expected = SHAPES.get(number, [(None, [])])
    assert _shape(policies["en"], number) == expected
    # The translation must number everything the same way, so quotes line up across languages.
    assert _shape(policies["ja"], number) == expected


@pytest.mark.parametrize("fragment", VERBATIM)
def test_distinctive_wording_is_verbatim(policies: dict[str, Any], fragment: str) -> None:
    en = policies["en"]
    corpus = "\n".join([en.preamble, *(a.text() for a in en.articles.values())])
    assert fragment in corpus


def test_curly_quotes_and_apostrophes_kept(policies: dict[str, Any]) -> None:
    text = policies["en"].article(7).quote(item=2)
    assert "Company\u2019s" in text and "'" not in text


def test_contact_block_and_history(policies: dict[str, Any]) -> None:
    contact = policies["en"].contact
    assert contact.contact_person == "Akiko Goto"
    assert contact.operating_company == "Webmo Inc."
    assert "Kawasaki-shi, Kanagawa-ken 213-0011" in contact.address
    assert contact.lines[0] == "Living in JAPAN"
    assert policies["en"].history == ("Enacted May 1, 2008", "Revised December 1, 2018", "Revised December 1, 2022")
    assert len(policies["ja"].history) == 3


def test_citations(policies: dict[str, Any]) -> None:
    assert policies["en"].article(7).cite("en") == "Article 7 (Disclosure of Personal Information)"
    assert policies["ja"].article(7).cite("ja") == "第7条（個人情報の開示）"


def test_quote_references(policies: dict[str, Any]) -> None:
    art9 = policies["en"].article(9)
    assert art9.quote(paragraph=3, item=2) == "When a leak of the held personal data has occurred"
    assert policies["en"].article(7).quote(item=3) == "In case this causes a violation of a law or statute"
    assert policies["en"].article(11).quote(paragraph=3).startswith("Cookies and identifiers")
    first = "Company shall handle the acquired information by lawful and fair means."
    assert policies["en"].article(2).quote(sentence=1) == first
    assert policies["ja"].article(2).quote(sentence=1) == "当社は、取得した情報を適法かつ公正な手段によって取り扱います。"
    for bad in ({"paragraph": 4}, {"paragraph": 3, "item": 9}, {"sentence": 99}):
        with pytest.raises(KeyError):
            art9.quote(**bad)
    assert art9.quote(item=1) == art9.quote(paragraph=3, item=1)  # the only paragraph with items
    with pytest.raises(KeyError):
        policies["en"].article(1).quote(item=1)
    with pytest.raises(KeyError):
        policies["en"].article(15)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sentences_are_exact_substrings(policies: dict[str, Any], lang: str) -> None:
    for article in policies[lang].articles.values():
        for paragraph in article.paragraphs:
            sentences = paragraph.sentences()
            assert sentences and all(s in paragraph.text for s in sentences)


def test_whole_article_text(policies: dict[str, Any]) -> None:
    text = policies["en"].article(3).text()
    assert text.startswith("1. Company shall use the Personal Information")
    assert "\n(4) When the purpose of use is clear from the acquisition situation" in text
    assert "\n3. In case this causes a violation of a law or statute" in policies["en"].article(7).text()


def test_the_test_copy_of_the_policy_is_the_upstream_text() -> None:
    if not UPSTREAM.is_file():
        pytest.skip(f"upstream policy text not available at {UPSTREAM}")
    assert SOURCE.read_bytes() == UPSTREAM.read_bytes()


def test_every_text_occurs_verbatim_in_the_source(policies: dict[str, Any]) -> None:
    source = SOURCE.read_text(encoding="utf-8")
    lines = set(source.split("\n"))
    en = policies["en"]
    accounted = set()
    for article in en.articles.values():
        heading = f"Article {article.number} ({article.title})"
        assert heading in lines
        accounted.add(heading)
        for paragraph in article.paragraphs:
            line = paragraph.text if paragraph.number is None else f"  {paragraph.number}. {paragraph.text}"
            assert line in lines, f"article {article.number} paragraph {paragraph.number} is not verbatim"
            accounted.add(line)
            for item in paragraph.items:
                label = f"    ({item.number})" if paragraph.number is not None else f"  {item.number}."
                assert f"{label} {item.text}" in lines, f"article {article.number} item {item.number}"
                accounted.add(f"{label} {item.text}")
    # Nothing between Article 1 and the contact block was left out.
    body = source.split("\n")
    start, end = body.index("Article 1 (Application)"), body.index("Living in JAPAN")
    assert {line for line in body[start:end] if line.strip()} == accounted
    assert en.preamble in lines
    assert set(en.contact.lines) <= lines and set(en.history) <= lines


# --- validation -------------------------------------------------------------------------------

def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((DATA_DIR / "policy.en.json").read_text(encoding="utf-8"))
    return raw


def _article(raw: dict[str, Any], number: int) -> dict[str, Any]:
    return next(a for a in raw["articles"] if a["number"] == number)


def _drop_article_5(raw: dict[str, Any]) -> None:
    raw["articles"] = [a for a in raw["articles"] if a["number"] != 5]


def _duplicate_article_3(raw: dict[str, Any]) -> None:
    raw["articles"].append(copy.deepcopy(_article(raw, 3)))


def _untitled_article_4(raw: dict[str, Any]) -> None:
    del _article(raw, 4)["title"]


def _unnumbered_second_article(raw: dict[str, Any]) -> None:
    del raw["articles"][1]["number"]


def _article_15(raw: dict[str, Any]) -> None:
    _article(raw, 14)["number"] = 15


def _duplicate_paragraph_numbers(raw: dict[str, Any]) -> None:
    _article(raw, 12)["paragraphs"][1]["number"] = 1


def _boolean_item_number(raw: dict[str, Any]) -> None:
    _article(raw, 7)["paragraphs"][0]["items"][0]["number"] = True


def _empty_paragraph_text(raw: dict[str, Any]) -> None:
    _article(raw, 8)["paragraphs"][0]["text"] = "  "


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_drop_article_5, "missing [5]"),
        (_duplicate_article_3, "article 3: duplicate"),
        (_untitled_article_4, "article 4: 'title'"),
        (_unnumbered_second_article, "article #2"),
        (_article_15, "article 15"),
        (_duplicate_paragraph_numbers, "article 12: duplicate paragraph"),
        (_boolean_item_number, "article 7"),
        (_empty_paragraph_text, "article 8"),
    ],
)
def test_malformed_policy_raises_naming_file_and_article(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    raw = _raw()
    mutate(raw)
    path = tmp_path / "policy.en.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy("en", tmp_path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_unreadable_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy("en", tmp_path)
    (tmp_path / "policy.en.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyError, match="policy.en.json"):
        load_policy("en", tmp_path)


def test_wrong_language_tag(tmp_path: Path) -> None:
    (tmp_path / "policy.ja.json").write_text(json.dumps(_raw()), encoding="utf-8")
    with pytest.raises(PolicyError, match="'lang' must be 'ja'"):
        load_policy("ja", tmp_path)


def test_translation_with_different_numbering_is_rejected(tmp_path: Path) -> None:
    en = _raw()
    ja = json.loads((DATA_DIR / "policy.ja.json").read_text(encoding="utf-8"))
    _article(ja, 6)["paragraphs"][0]["items"].pop()
    (tmp_path / "policy.en.json").write_text(json.dumps(en), encoding="utf-8")
    (tmp_path / "policy.ja.json").write_text(json.dumps(ja), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.ja\.json: article 6"):
        load_policies(tmp_path)
