"""The intent catalog: typed `Intent` records loaded once from the TOML files in `intents/data/`.

Loading validates every entry; a bad entry raises `CatalogError` naming the file and the entry so a
broken deploy fails at start-up instead of answering wrongly.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

DATA_DIR = Path(__file__).parent / "data"

LANGS: tuple[str, ...] = ("en", "ja")
KINDS: tuple[str, ...] = ("question", "request", "smalltalk", "silent", "support")
#: Kinds that answer without an article: `silent` topics the policy does not address (answered honestly, decision
#: `answer`, article null) and `support` topics outside the policy (decision `fallback`, intent naming the topic).
ARTICLELESS_KINDS: tuple[str, ...] = ("smalltalk", "silent", "support")

#: The request types fixed by DESIGN.md, each tied to its article.
REQUEST_TYPES: Mapping[str, int] = {
    "purpose_notification": 6,
    "disclosure": 7,
    "correction": 8,
    "suspension": 9,
    "third_party_stop": 9,
    "inquiry": 14,
}

MIN_EXAMPLES: Mapping[str, int] = {"en": 12, "ja": 6}
#: Silent and support topics lean on their keywords (everyday vocabulary) more than on whole phrasings.
MIN_EXAMPLES_ARTICLELESS: Mapping[str, int] = {"en": 6, "ja": 4}
ARTICLE_RANGE = range(1, 15)


class CatalogError(ValueError):
    """A catalog file or entry is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Intent:
    id: str
    kind: str
    article: int | None
    request_type: str | None
    labels: Mapping[str, str]
    examples: Mapping[str, tuple[str, ...]]
    keywords: Mapping[str, tuple[str, ...]]
    #: Optional pointer to the paragraph the answer focuses on (e.g. Article 9 paragraph 2).
    paragraph: int | None = None
    #: For a question intent whose article has no request of its own: the request type a demand on
    #: this topic amounts to ("tell me what you use my data for" on Article 3 is a purpose notification).
    request_as: str | None = None
    #: For a silent intent: question topics its own keywords win over in a question, whatever the scores. Selling
    #: data to a third party is still selling, which the policy does not address: 「第三者に販売していますか」 must
    #: not get the Art. 9(2) stop-provision procedure. A request made now is decided before this.
    outranks: tuple[str, ...] = ()
    #: For a silent intent: a use of data the purpose list of Article 3(1) does not name (AI training, selling). Asked
    #: against that list ("or is that not one of the uses you list?"), the answer is Article 3's, saying the list
    #: does not name it (README "Honest silences").
    unlisted_use: bool = False
    #: For a silent intent: question topics it gives way to when the message names them by keyword. Who may make a
    #: request is in the policy (Art. 7: the user or their representative): a parent asking whether they may request
    #: disclosure of a minor's data asks about that request, not about rules for children (round 6, roles).
    yields_to: tuple[str, ...] = ()
    #: For a silent intent with `yields_to`: the article's answer it gives way to still says, in the silence's first
    #: paragraph, what the policy does not address ("is there a right to erasure under the GDPR?" is Art. 9, and the
    #: policy names no foreign law; round 7). Off where the silence's keywords are generic ("will I be told…").
    noted_when_yielding: bool = False

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Catalog:
    intents: tuple[Intent, ...]
    by_id: Mapping[str, Intent] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {i.id: i for i in self.intents})

    def __getitem__(self, intent_id: str) -> Intent:
        return self.by_id[intent_id]

    def __contains__(self, intent_id: object) -> bool:
        return intent_id in self.by_id

    def __iter__(self) -> Any:
        return iter(self.intents)

    def __len__(self) -> int:
        return len(self.intents)

    def question_for_article(self, article: int, paragraph: int | None = None) -> Intent | None:
        """The question intent that answers about `article` (preferring a matching paragraph)."""
        found = [i for i in self.intents if i.kind == "question" and i.article == article]
        for intent in found:
            if paragraph is not None and intent.paragraph == paragraph:
                return intent
        return found[0] if found else None

    def request_for_type(self, request_type: str) -> Intent | None:
        for intent in self.intents:
            if intent.kind == "request" and intent.request_type == request_type:
                return intent
        return None

    def with_extra_examples(self, extra: Mapping[str, Mapping[str, Iterable[str]]]) -> "Catalog":
        """A copy with admin-added example phrasings merged in ({intent_id: {lang: [text, ...]}})."""
        intents = []
        for intent in self.intents:
            more = extra.get(intent.id)
            if not more:
                intents.append(intent)
                continue
            examples = {lang: tuple(intent.examples.get(lang, ())) + tuple(more.get(lang, ())) for lang in LANGS}
            intents.append(replace(intent, examples=examples))
        return Catalog(tuple(intents))


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _parse_intent(raw: Mapping[str, Any], where: str) -> Intent:
    known = {"id", "kind", "article", "paragraph", "request_type", "request_as", "outranks", "unlisted_use", "yields_to",
             "noted_when_yielding", "label",
             "examples",
             "keywords"}
    unknown = set(raw) - known
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{where}: 'kind' must be one of {list(KINDS)}, got {kind!r}")
    article = raw.get("article")
    if kind in ARTICLELESS_KINDS:
        if article is not None:
            raise CatalogError(f"{where}: {kind} intents have no 'article'")
    elif not isinstance(article, int) or isinstance(article, bool) or article not in ARTICLE_RANGE:
        raise CatalogError(f"{where}: 'article' must be an integer 1-14, got {article!r}")
    paragraph = raw.get("paragraph")
    if paragraph is not None and (not isinstance(paragraph, int) or isinstance(paragraph, bool) or paragraph < 1):
        raise CatalogError(f"{where}: 'paragraph' must be a positive integer")
    request_type: str | None = raw.get("request_type")
    if kind == "request":
        if request_type is None or request_type not in REQUEST_TYPES:
            raise CatalogError(f"{where}: 'request_type' must be one of {list(REQUEST_TYPES)}, got {request_type!r}")
        if REQUEST_TYPES[request_type] != article:
            raise CatalogError(
                f"{where}: request type {request_type!r} belongs to article {REQUEST_TYPES[request_type]}, not {article}"
            )
    elif request_type is not None:
        raise CatalogError(f"{where}: only request intents have a 'request_type'")

    request_as = raw.get("request_as")
    if request_as is not None and (kind != "question" or request_as not in REQUEST_TYPES):
        raise CatalogError(f"{where}: 'request_as' is for question intents and must be one of {list(REQUEST_TYPES)}")

    outranks = _strings(raw.get("outranks", []), where, "outranks")
    if outranks and kind != "silent":
        raise CatalogError(f"{where}: 'outranks' is for silent intents")
    yields_to = _strings(raw.get("yields_to", []), where, "yields_to")
    if yields_to and kind != "silent":
        raise CatalogError(f"{where}: 'yields_to' is for silent intents")
    unlisted_use = raw.get("unlisted_use", False)
    if not isinstance(unlisted_use, bool) or (unlisted_use and kind != "silent"):
        raise CatalogError(f"{where}: 'unlisted_use' is true or false, and only for silent intents")
    noted_when_yielding = raw.get("noted_when_yielding", False)
    if not isinstance(noted_when_yielding, bool) or (noted_when_yielding and not yields_to):
        raise CatalogError(f"{where}: 'noted_when_yielding' is true or false, and only with 'yields_to'")

    labels = raw.get("label")
    if not isinstance(labels, dict) or not all(isinstance(labels.get(lang), str) and labels[lang].strip() for lang in LANGS):
        raise CatalogError(f"{where}: 'label' must give a non-empty label for each of {list(LANGS)}")
    examples_raw = raw.get("examples")
    keywords_raw = raw.get("keywords", {})
    if not isinstance(examples_raw, dict):
        raise CatalogError(f"{where}: 'examples' must be a table with one list per language")
    if not isinstance(keywords_raw, dict):
        raise CatalogError(f"{where}: 'keywords' must be a table with one list per language")
    examples: dict[str, tuple[str, ...]] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        examples[lang] = _strings(examples_raw.get(lang, []), where, f"examples.{lang}")
        least = (MIN_EXAMPLES_ARTICLELESS if kind in ("silent", "support") else MIN_EXAMPLES)[lang]
        if len(examples[lang]) < least:
            raise CatalogError(f"{where}: needs at least {least} '{lang}' examples, has {len(examples[lang])}")
        keywords[lang] = _strings(keywords_raw.get(lang, []), where, f"keywords.{lang}")
    if kind != "smalltalk" and not all(keywords[lang] for lang in LANGS):
        raise CatalogError(f"{where}: {kind} intents need keywords in each of {list(LANGS)}")
    return Intent(
        id=raw["id"],
        kind=kind,
        article=article,
        request_type=request_type,
        labels={lang: labels[lang].strip() for lang in LANGS},
        examples=examples,
        keywords=keywords,
        paragraph=paragraph,
        request_as=request_as,
        outranks=outranks,
        unlisted_use=unlisted_use,
        yields_to=yields_to,
        noted_when_yielding=noted_when_yielding,
    )


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Load and validate every `*.toml` file in `data_dir` (each holds `[[intent]]` tables)."""
    files = sorted(Path(data_dir).glob("*.toml"))
    if not files:
        raise CatalogError(f"{data_dir}: no intent files (*.toml) found")
    intents: list[Intent] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path.name}: not valid TOML: {exc}") from exc
        entries = doc.get("intent")
        if not isinstance(entries, list) or not entries:
            raise CatalogError(f"{path.name}: expected one or more [[intent]] tables")
        for index, raw in enumerate(entries):
            intent_id = raw.get("id") if isinstance(raw, dict) else None
            if not isinstance(intent_id, str) or not intent_id.isidentifier():
                raise CatalogError(f"{path.name}: entry #{index + 1} needs an 'id' made of letters, digits and _")
            where = f"{path.name}: intent '{intent_id}'"
            if intent_id in seen:
                raise CatalogError(f"{where}: duplicate id (also in {seen[intent_id]})")
            seen[intent_id] = path.name
            intents.append(_parse_intent(raw, where))
    catalog = Catalog(tuple(intents))
    for intent in catalog:
        for field_name in ("outranks", "yields_to"):
            unknown_topics = [t for t in getattr(intent, field_name) if t not in catalog or catalog[t].kind != "question"]
            if unknown_topics:
                raise CatalogError(f"intent '{intent.id}': '{field_name}' names no question intent: {unknown_topics}")
    _check_coverage(catalog, data_dir)
    return catalog


def _check_coverage(catalog: Catalog, data_dir: Path) -> None:
    """The product promises an answer for every article and a form for every request type."""
    missing_articles = [a for a in ARTICLE_RANGE if catalog.question_for_article(a) is None]
    if missing_articles:
        raise CatalogError(f"{data_dir}: no question intent for article(s) {missing_articles}")
    missing_types = [t for t in REQUEST_TYPES if catalog.request_for_type(t) is None]
    if missing_types:
        raise CatalogError(f"{data_dir}: no request intent for request type(s) {missing_types}")
    for required in ("greeting", "thanks", "help"):
        if required not in catalog:
            raise CatalogError(f"{data_dir}: missing smalltalk intent '{required}'")
