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


#: The keys the email composer (`bot/emails.py`) passes each email template, besides `article` (for `cite`) and
#: `lang`. The first line a template renders is the email's subject; the rest is its body.
EMAIL_VARIABLES: dict[str, frozenset[str]] = {
    "email_receipt": frozenset({"reference", "type", "due", "representative"}),
    "email_status": frozenset({"reference", "type", "status", "due"}),
    "email_outcome": frozenset({"reference", "type", "status", "ground", "explanation"}),
    "email_reply": frozenset({"reference", "type", "text"}),
    "email_staff_alert": frozenset({"reference", "type", "due", "frontend", "link"}),
    "email_verification": frozenset({"code", "minutes"}),
}


def sample_email_contexts(name: str, lang: str) -> list[dict[str, Any]]:
    """Two contexts shaped like the composer's for email template `name`: a short one and a long one."""
    ja = lang == "ja"
    long_text = ("ご本人確認のため、ご登録の住所が分かる書類の写しをお送りください。" if ja else
                 "To confirm your identity, please send us a copy of a document that shows your registered address.")
    base: dict[str, Any] = {
        "reference": "PRQ-2026-000123",
        "type": "保有個人情報の開示（第7条）" if ja else "disclosure of the personal information we hold about you (Article 7)",
        "due": "2026年05月15日" if ja else "15 May 2026", "representative": False,
        "status": "対応中" if ja else "in progress", "ground": "", "explanation": [],
        "text": ["ありがとうございます。" if ja else "Thank you."], "frontend": "web",
        "link": "https://privacy.example.com/staff/tickets/PRQ-2026-000123", "code": "042917", "minutes": 15,
        "article": 7 if name in ("email_receipt", "email_staff_alert") else None,
    }
    longer = {**base, "representative": True, "status": "却下" if ja else "rejected",
              "ground": ("開示により本人または第三者の生命、身体、財産その他の権利利益を害するおそれがある場合" if ja else
                         "Disclosure is likely to harm the life, body, property or other rights of the person or a "
                         "third party"),
              "explanation": [long_text, long_text], "text": [long_text] * 4}
    keep = EMAIL_VARIABLES[name] | {"article"}
    return [{k: v for k, v in context.items() if k in keep} for context in (base, longer)]


def sample_context(name: str, lang: str) -> dict[str, Any]:
    """Every key the engine passes, with values suitable for template `name` in `lang`."""
    spec = spec_for(name)
    if spec.kind == "email":
        return sample_email_contexts(name, lang)[1]
    return {
        "article": spec.article,
        "paragraph": None,
        "topics": sample_topics(lang),
        "choices": sample_choices(lang) if name == "clarify" else [],
        "request_type": spec.request_type,
    }
