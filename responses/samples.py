"""Realistic sample contexts for every template, shaped like the ones the conversation engine passes.

Used by the test suite and available to the admin editor for previews, so an edited template is tried
against the same keys the engine will give it (`article`, `paragraph`, `topics`, `choices`, `request_type`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from responses.names import spec_for


@dataclass(frozen=True)
class SampleTopic:
    """A topic as the engine lists it for help/fallback."""

    label: str
    article: int | None


@dataclass(frozen=True)
class SampleChoice:
    """A "Did you mean…" choice as the engine offers it for clarify."""

    number: int
    label: str
    article: int | None


def sample_topics(lang: str) -> list[SampleTopic]:
    """A short topic list in `lang` (the engine passes the full catalog)."""
    if lang == "ja":
        labels = ["個人情報の利用目的", "個人情報の開示", "利用停止・削除", "Cookieの利用", "お問い合わせ"]
    else:
        labels = ["What we use your data for", "Getting a copy of your data", "Stopping use or deletion",
                  "Cookies", "Contacting us"]
    return [SampleTopic(label, article) for label, article in zip(labels, (3, 7, 9, 12, 14))]


def sample_choices(lang: str) -> list[SampleChoice]:
    """Two close candidates, as offered when the matcher cannot decide."""
    if lang == "ja":
        labels = ["個人情報の訂正", "利用停止・削除"]
    else:
        labels = ["Correcting your data", "Stopping use or deletion"]
    return [SampleChoice(1, labels[0], 8), SampleChoice(2, labels[1], 9)]


def sample_context(name: str, lang: str) -> dict[str, Any]:
    """Every key the engine passes, with values suitable for template `name` in `lang`."""
    spec = spec_for(name)
    return {
        "article": spec.article,
        "paragraph": None,
        "topics": sample_topics(lang),
        "choices": sample_choices(lang) if name == "clarify" else [],
        "request_type": spec.request_type,
    }
