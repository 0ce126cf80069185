"""Validation of the raw policy JSON, kept apart from the typed model in `policy.py`.

Every error names the file and, where there is one, the article, because the person fixing a broken data
file needs to know exactly where to look.
"""
from __future__ import annotations

from typing import Any, Callable

ARTICLE_NUMBERS = frozenset(range(1, 15))
CONTACT_KEYS = ("location", "contact_person", "form", "operating_company", "address")

ErrorFactory = Callable[[str], Exception]


def parse_policy(raw: Any, lang: str, where: str, error: ErrorFactory) -> dict[str, Any]:
    """Check the decoded JSON of one policy file and return its fields; raises `error(message)` if invalid."""
    if not isinstance(raw, dict):
        raise error(f"{where}: the top level must be a JSON object")
    if raw.get("lang") != lang:
        raise error(f"{where}: 'lang' must be {lang!r}, got {raw.get('lang')!r}")
    if not isinstance(raw.get("official"), bool):
        raise error(f"{where}: 'official' must be true or false")
    for key in ("company", "title", "preamble"):
        _text(raw.get(key), f"{where}: '{key}'", error)
    articles = raw.get("articles")
    if not isinstance(articles, list):
        raise error(f"{where}: 'articles' must be a list")
    seen: set[int] = set()
    for index, article in enumerate(articles):
        number = _article(article, f"{where}: article #{index + 1} in the list", where, error)
        if number in seen:
            raise error(f"{where}: article {number}: duplicate article number")
        seen.add(number)
    if seen != ARTICLE_NUMBERS:
        missing = sorted(ARTICLE_NUMBERS - seen)
        extra = sorted(seen - ARTICLE_NUMBERS)
        raise error(f"{where}: articles must be exactly 1-14 (missing {missing}, unexpected {extra})")
    contact = raw.get("contact")
    if not isinstance(contact, dict):
        raise error(f"{where}: 'contact' must be an object")
    for key in CONTACT_KEYS:
        _text(contact.get(key), f"{where}: contact '{key}'", error)
    _texts(contact.get("lines"), f"{where}: contact 'lines'", error)
    _texts(raw.get("history"), f"{where}: 'history'", error)
    return {
        "official": raw["official"],
        "company": raw["company"],
        "title": raw["title"],
        "preamble": raw["preamble"],
        "articles": articles,
        "contact": {key: contact[key] for key in (*CONTACT_KEYS, "lines")},
        "history": raw["history"],
    }


def _article(raw: Any, anonymous: str, where: str, error: ErrorFactory) -> int:
    if not isinstance(raw, dict):
        raise error(f"{anonymous}: must be an object")
    number = raw.get("number")
    if not _is_int(number):
        raise error(f"{anonymous}: missing or non-integer 'number'")
    if number not in ARTICLE_NUMBERS:
        raise error(f"{where}: article {number}: number must be 1-14")
    here = f"{where}: article {number}"
    _text(raw.get("title"), f"{here}: 'title'", error)
    paragraphs = raw.get("paragraphs")
    if not isinstance(paragraphs, list) or not paragraphs:
        raise error(f"{here}: 'paragraphs' must be a non-empty list")
    numbers: list[int | None] = []
    for index, paragraph in enumerate(paragraphs):
        numbers.append(_paragraph(paragraph, f"{here}, paragraph #{index + 1}", error))
    numbered = [n for n in numbers if n is not None]
    if len(set(numbered)) != len(numbered):
        raise error(f"{here}: duplicate paragraph numbers {numbered}")
    if numbered and len(numbered) != len(numbers):
        # Mixed numbering would make "paragraph N" ambiguous for quotes.
        raise error(f"{here}: either number every paragraph or none")
    return int(number)


def _paragraph(raw: Any, here: str, error: ErrorFactory) -> int | None:
    if not isinstance(raw, dict):
        raise error(f"{here}: must be an object")
    number = raw.get("number")
    if number is not None and not (_is_int(number) and number >= 1):
        raise error(f"{here}: 'number' must be null or a positive integer")
    _text(raw.get("text"), f"{here}: 'text'", error)
    items = raw.get("items", [])
    if not isinstance(items, list):
        raise error(f"{here}: 'items' must be a list")
    seen: set[int] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not _is_int(item.get("number")) or item["number"] < 1:
            raise error(f"{here}, item #{index + 1}: needs a positive integer 'number'")
        if item["number"] in seen:
            raise error(f"{here}: duplicate item number {item['number']}")
        seen.add(item["number"])
        _text(item.get("text"), f"{here}, item {item['number']}: 'text'", error)
    return number if number is None else int(number)


def _is_int(value: Any) -> bool:
    # bool is an int subclass; `true` is never a valid article or paragraph number.
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any, what: str, error: ErrorFactory) -> None:
    if not isinstance(value, str) or not value.strip():
        raise error(f"{what} must be a non-empty string")


def _texts(value: Any, what: str, error: ErrorFactory) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise error(f"{what} must be a list of non-empty strings")
