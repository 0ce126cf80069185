"""Script-based language detection: the reply language follows the message unless overridden."""
from __future__ import annotations

import unicodedata

from intents.normalize import cjk_share

SUPPORTED = ("en", "ja")
#: A message is Japanese when this share of its letters is kana/kanji. Low because Japanese messages
#: often carry English product names ("Google Analytics の設定…").
JA_SHARE = 0.2


def detect_language(text: str, default: str = "en") -> str:
    """'ja' when the text is mostly written in Japanese script, 'en' when it has Latin letters, else `default`."""
    text = unicodedata.normalize("NFKC", text[:2000])  # half-width katakana (ｸｯｷｰ) is Japanese too
    share = cjk_share(text)
    if share >= JA_SHARE:
        return "ja"
    if any(c.isalpha() for c in text):
        return "en"
    return default if default in SUPPORTED else "en"
