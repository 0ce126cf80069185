"""The shipped template names, what kind of reply each is and the article it is bound to.

The renderer uses this to fill in a template's own article when the caller passes none, and to decide
which Japanese replies carry the translation notice (those explaining an article, not greetings or menus).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Mapping

TemplateKind = Literal["question", "request", "silent", "smalltalk", "system", "email"]


@dataclass(frozen=True)
class TemplateSpec:
    """One shipped template: its kind, its article (None for smalltalk/system) and request type."""

    name: str
    kind: TemplateKind
    article: int | None = None
    request_type: str | None = None

    @property
    def article_bound(self) -> bool:
        """True for replies that explain an article (question and request templates)."""
        return self.article is not None


_SPECS = (
    TemplateSpec("application", "question", 1),
    TemplateSpec("acquisition", "question", 2),
    TemplateSpec("purpose_of_use", "question", 3),
    # When a new purpose need not be indicated, notified or announced: Art. 3(2)'s four exceptions, quoted.
    TemplateSpec("purpose_exceptions", "question", 3),
    TemplateSpec("outsourcing", "question", 4),
    TemplateSpec("security", "question", 5),
    TemplateSpec("purpose_notification_info", "question", 6),
    TemplateSpec("disclosure_info", "question", 7),
    TemplateSpec("correction_info", "question", 8),
    TemplateSpec("suspension_info", "question", 9),
    TemplateSpec("third_party_info", "question", 9),
    TemplateSpec("external_links", "question", 10),
    TemplateSpec("analytics", "question", 11),
    # "Do you use my data for ads?": Art. 12(1) (Usage Information collected to deliver advertisements) and Art. 11
    # (cookies and identifiers for advertisement delivery), answered directly.
    TemplateSpec("advertising", "question", 11),
    TemplateSpec("cookies", "question", 12),
    TemplateSpec("policy_changes", "question", 13),
    TemplateSpec("contact", "question", 14),
    TemplateSpec("request_purpose_notification", "request", 6, "purpose_notification"),
    TemplateSpec("request_disclosure", "request", 7, "disclosure"),
    TemplateSpec("request_correction", "request", 8, "correction"),
    TemplateSpec("request_suspension", "request", 9, "suspension"),
    TemplateSpec("request_third_party_stop", "request", 9, "third_party_stop"),
    TemplateSpec("request_inquiry", "request", 14, "inquiry"),
    # Honest silences: topics the policy does not address, each bound to the article quoted as "what the
    # policy says nearby" (the reply itself has no article: see README "Honest silences").
    TemplateSpec("silent_selling", "silent", 3),
    TemplateSpec("silent_law_enforcement", "silent", 3),
    TemplateSpec("silent_transfer_abroad", "silent", 4),
    TemplateSpec("silent_retention", "silent", 9),
    TemplateSpec("silent_fees", "silent", 7),
    TemplateSpec("silent_response_time", "silent", 7),
    TemplateSpec("silent_identity_check", "silent", 7),
    TemplateSpec("silent_breach_notification", "silent", 9),
    TemplateSpec("silent_children", "silent", 7),
    TemplateSpec("silent_ai_training", "silent", 3),
    TemplateSpec("silent_foreign_law", "silent", 2),
    TemplateSpec("silent_compensation", "silent", 5),
    TemplateSpec("silent_do_not_track", "silent", 12),
    # round 6 (issue 13, roles): a deceased user's data; the company bought, merged or closed
    TemplateSpec("silent_deceased", "silent", 7),
    TemplateSpec("silent_business_transfer", "silent", 3),
    # round 9 (issue 13): certifications and outside audits; sensitive categories of personal information
    TemplateSpec("silent_certification", "silent", 5),
    TemplateSpec("silent_sensitive_data", "silent", 2),
    TemplateSpec("others_data", "silent", 7),
    TemplateSpec("greeting", "smalltalk"),
    TemplateSpec("thanks", "smalltalk"),
    TemplateSpec("help", "smalltalk"),
    TemplateSpec("goodbye", "smalltalk"),
    TemplateSpec("never_mind", "smalltalk"),  # sent by mistake, taken back (round 8)
    TemplateSpec("courtesy", "smalltalk"),  # 「よろしくお願いします」 alone (round 18)
    TemplateSpec("fallback", "system"),
    TemplateSpec("clarify", "system"),
    # A bare "yes" / 「はい」 with no offer pending: ask what the user means (never topic matching).
    TemplateSpec("unclear_yes", "system"),
    TemplateSpec("out_of_scope", "system"),
    # Emails (first line: the subject): to the requester, from their ticket's requester view, and to staff.
    TemplateSpec("email_receipt", "email"),
    TemplateSpec("email_status", "email"),
    TemplateSpec("email_outcome", "email"),
    TemplateSpec("email_reply", "email"),
    TemplateSpec("email_staff_alert", "email"),
    TemplateSpec("email_verification", "email"),
)

#: Read-only view: name -> spec for every shipped template.
TEMPLATE_SPECS: Mapping[str, TemplateSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})


def spec_for(name: str) -> TemplateSpec:
    """The spec of `name`; a template without one (e.g. in a test directory) counts as a system reply."""
    return TEMPLATE_SPECS.get(name) or TemplateSpec(name, "system")
