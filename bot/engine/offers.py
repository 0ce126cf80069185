"""Follow-ups start what was offered (issue 14 point 5).

An answer about a procedure ends with an offer ("If you'd like to make this request now, just say so"). The offer is
also a button, and a short natural confirmation right after it ("yes please", 「はい、お願いします」, 「うん」) accepts
*that* offer. A short yes/ok with no offer pending is not a question about the policy: it is never sent through topic
matching (「はい」 used to land on Art. 13, 「うん」 on Art. 3, 「お願いします」 on a suspension request); the user is
asked what they mean instead.
"""
from __future__ import annotations

import re
import unicodedata

#: The answer templates that end with an offer, and the request type each offers.
OFFERS: dict[str, str] = {
    "purpose_notification_info": "purpose_notification",
    "disclosure_info": "disclosure",
    "correction_info": "correction",
    "suspension_info": "suspension",
    "third_party_info": "third_party_stop",
    "contact": "inquiry",
}

#: Button labels, by request type and language.
LABELS: dict[str, dict[str, str]] = {
    "purpose_notification": {"en": "Request notification of the purpose of use", "ja": "利用目的の通知を請求する"},
    "disclosure": {"en": "Request disclosure", "ja": "開示を請求する"},
    "correction": {"en": "Request correction", "ja": "訂正等を請求する"},
    "suspension": {"en": "Request suspension of use or deletion", "ja": "利用停止等を請求する"},
    "third_party_stop": {"en": "Request to stop third-party provision", "ja": "第三者提供の停止を請求する"},
    "inquiry": {"en": "Talk to a person", "ja": "担当者に問い合わせる"},
}

_EN_YES = r"(?:yes|yeah|yep|yup|yea|ya|sure|ok|okay|k|alright|all right|y|of course|definitely|absolutely|right)"
_EN_MORE = (r"(?:please|pls|plz|please do|do it|go ahead|go for it|start it|let'?s do it|let'?s go|"
            r"that would be great|sounds good|i would|i'd like that|i do|i want to)")
#: "thanks" only after a yes ("yes thanks"): alone it is a thank-you, answered as small talk.
_EN = re.compile(rf"^(?:{_EN_YES}(?: {_EN_MORE}| thanks| thank you)*|{_EN_MORE}(?: {_EN_MORE})*)$")
_JA_YES = r"(?:はい|はいはい|うん|ええ|そうです|そう|そうして|おk|ok|オッケー|オーケー|了解|りょうかい|もちろん)"
_JA_MORE = (r"(?:お願いします|お願い致します|お願いいたします|おねがいします|お願い|おねがい|よろしくお願いします|よろしく|"
            r"頼みます|たのみます|それでお願いします|それで|進めてください|開始してください|始めてください|はじめてください|"
            r"してください|お願いできますか|ください)")
_JA = re.compile(rf"^(?:{_JA_YES}(?:{_JA_MORE})?|{_JA_MORE})$")


_SEPARATORS = re.compile(r"[\s,、。.!！?？~〜ー…]+")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    folded = _SEPARATORS.sub(" ", folded).strip()
    return folded


def is_confirmation(text: str) -> bool:
    """A short yes / ok / please, in English or Japanese, with nothing else in it."""
    folded = _fold(text)
    if not folded or len(folded) > 40:
        return False
    return bool(_EN.match(folded)) or bool(_JA.match(folded.replace(" ", "")))
