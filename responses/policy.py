"""The policy knowledge base: the 14 articles as typed, immutable records.

`data/policy.en.json` is the project's verbatim copy of the official English policy; `data/policy.ja.json`
is our own explanatory Japanese translation with the same paragraph and item numbering, so that a template
can quote "paragraph 2, item 3" in either language. Loading validates everything and raises `PolicyError`
naming the file and the article, so a broken data file fails at start-up rather than mid-conversation.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from responses._policy_parse import parse_policy

DATA_DIR = Path(__file__).parent / "data"
LANGS: tuple[str, ...] = ("en", "ja")
ARTICLE_NUMBERS: tuple[int, ...] = tuple(range(1, 15))

_OPENERS = "(（「“"
_CLOSERS = ")）」”"


class PolicyError(ValueError):
    """A policy data file is missing or malformed; the message names the file and the article."""


@dataclass(frozen=True)
class Item:
    """A numbered item of a paragraph, e.g. the exceptions "(1)".."(4)"."""

    number: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `number` is None for articles whose paragraphs are not numbered."""

    number: int | None
    text: str
    items: tuple[Item, ...] = ()

    def item(self, number: int) -> Item:
        """The item numbered `number`; raises KeyError if there is none."""
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"paragraph {self.number} has no item {number}")

    def sentences(self) -> tuple[str, ...]:
        """The paragraph text split into sentences; each is an exact substring of `text`."""
        return _split_sentences(self.text)


@dataclass(frozen=True)
class Article:
    """One article of the policy, in the language of the policy it came from."""

    number: int
    title: str
    paragraphs: tuple[Paragraph, ...]

    def cite(self, lang: str = "en") -> str:
        """The citation users see: "Article 7 (Disclosure of ...)" or "第7条（個人情報の開示）".

        `lang` picks the citation pattern; pass the language of the policy this article came from so the
        title and the pattern agree.
        """
        if lang == "ja":
            return f"第{self.number}条（{self.title}）"
        return f"Article {self.number} ({self.title})"

    def paragraph(self, number: int) -> Paragraph:
        """Paragraph `number`: by its own number, or by 1-based position when paragraphs are unnumbered."""
        if any(p.number is not None for p in self.paragraphs):
            for paragraph in self.paragraphs:
                if paragraph.number == number:
                    return paragraph
        elif 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        raise KeyError(f"article {self.number} has no paragraph {number}")

    def quote(self, paragraph: int | None = None, item: int | None = None, sentence: int | None = None) -> str:
        """Verbatim text of a paragraph, one of its items, or one 1-based sentence of the paragraph.

        Without `paragraph`, an item is looked up in the one paragraph that has items (articles 6 and 7)
        and a paragraph quote means the first paragraph. Raises KeyError if the reference does not exist,
        which makes a wrong quote in a template fail loudly in tests instead of quoting the wrong text.
        """
        if paragraph is not None:
            chosen = self.paragraph(paragraph)
        elif item is not None:
            with_items = [p for p in self.paragraphs if p.items]
            if len(with_items) != 1:
                raise KeyError(f"article {self.number}: say which paragraph item {item} belongs to")
            chosen = with_items[0]
        else:
            chosen = self.paragraphs[0]
        if item is not None:
            return chosen.item(item).text
        if sentence is not None:
            sentences = chosen.sentences()
            if not 1 <= sentence <= len(sentences):
                raise KeyError(f"article {self.number}: no sentence {sentence}")
            return sentences[sentence - 1]
        return chosen.text

    def text(self) -> str:
        """The whole article body as plain text: paragraphs separated by blank lines, items one a line."""
        blocks = []
        for paragraph in self.paragraphs:
            lines = [paragraph.text if paragraph.number is None else f"{paragraph.number}. {paragraph.text}"]
            # Items of a numbered paragraph read "(1) ..." in the source; the items of an unnumbered
            # paragraph (articles 6 and 7) read "1. ...".
            for item in paragraph.items:
                label = f"({item.number})" if paragraph.number is not None else f"{item.number}."
                lines.append(f"{label} {item.text}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)


@dataclass(frozen=True)
class Contact:
    """The inquiry block printed after Article 14."""

    location: str
    contact_person: str
    form: str
    operating_company: str
    address: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """The whole policy in one language; `official` is False for our explanatory translation."""

    lang: str
    official: bool
    company: str
    title: str
    preamble: str
    articles: Mapping[int, Article]
    contact: Contact
    history: tuple[str, ...]

    def article(self, number: int) -> Article:
        """Article `number` (1-14); raises KeyError for any other number."""
        try:
            return self.articles[number]
        except KeyError:
            raise KeyError(f"the policy has no article {number!r}") from None


def load_policy(lang: str, data_dir: Path = DATA_DIR) -> Policy:
    """Load and validate `policy.{lang}.json` from `data_dir`; raises PolicyError naming file and article."""
    path = data_dir / f"policy.{lang}.json"
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read policy: {exc}") from None
    fields = parse_policy(raw, lang, str(path), PolicyError)
    articles = {
        a["number"]: Article(
            number=a["number"],
            title=a["title"],
            paragraphs=tuple(
                Paragraph(p["number"], p["text"], tuple(Item(i["number"], i["text"]) for i in p.get("items", [])))
                for p in a["paragraphs"]
            ),
        )
        for a in fields["articles"]
    }
    return Policy(
        lang=lang,
        official=fields["official"],
        company=fields["company"],
        title=fields["title"],
        preamble=fields["preamble"],
        articles=MappingProxyType(dict(sorted(articles.items()))),
        contact=Contact(**{**fields["contact"], "lines": tuple(fields["contact"]["lines"])}),
        history=tuple(fields["history"]),
    )


def load_policies(data_dir: Path = DATA_DIR) -> dict[str, Policy]:
    """Load every language and check each translation numbers its paragraphs and items like English.

    The shared numbering is what lets one template quote the same paragraph or item in both languages.
    """
    policies = {lang: load_policy(lang, data_dir) for lang in LANGS}
    reference = policies["en"]
    for lang, policy in policies.items():
        for number, article in policy.articles.items():
            if _shape(article) != _shape(reference.article(number)):
                raise PolicyError(
                    f"{data_dir / f'policy.{lang}.json'}: article {number}: paragraph/item numbering "
                    f"differs from the English policy"
                )
    return policies


def _shape(article: Article) -> tuple[tuple[int | None, tuple[int, ...]], ...]:
    return tuple((p.number, tuple(i.number for i in p.items)) for p in article.paragraphs)


def _split_sentences(text: str) -> tuple[str, ...]:
    # Only break outside brackets and quotes: "(No. 57 Act, 2003. Hereinafter, ...)" and
    # 「（平成15年法律第57号。以下「法」といいます。）」 are one sentence with their surroundings.
    # An English sentence ends at "." + space + capital or "(", so "etc. owned" does not split.
    sentences: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and char == "。":
            sentences.append(text[start : index + 1])
            start = index + 1
        elif depth == 0 and char == "." and text[index + 1 : index + 2] == " ":
            following = text[index + 2 : index + 3]
            if following.isupper() or following == "(":
                sentences.append(text[start : index + 1])
                start = index + 2
    sentences.append(text[start:])
    return tuple(s.strip() for s in sentences if s.strip())
