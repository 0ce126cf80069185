"""Latin letters inside Japanese: loanwords read as katakana, keywords that mix the two scripts are found."""
from __future__ import annotations

import pytest

from intents.catalog import Catalog
from intents.keywords import KeywordIndex
from intents.loanwords import load_loanwords, to_katakana
from intents.matcher import Matcher
from intents.normalize import fold


def test_listed_latin_words_in_japanese_text_become_katakana() -> None:
    assert to_katakana(fold("Cookieでどんな情報を")) == "クッキーでどんな情報を"
    # Neighbouring loanwords make one katakana compound; unlisted words stay as they are.
    assert to_katakana(fold("Google Analyticsの設定")) == "グーグルアナリティクスの設定"
    assert to_katakana(fold("IPアドレスとcookie")) == "ipアドレスとクッキー"
    # Text with no Japanese script is not touched: English keeps its English words.
    assert to_katakana(fold("Do you use cookies?")) == "do you use cookies"


def test_the_table_is_lower_case_single_words_into_katakana() -> None:
    table = load_loanwords()
    assert table["cookie"] == "クッキー"
    for latin, kana in table.items():
        assert latin == latin.casefold() and latin.isascii() and latin.isalpha(), latin
        assert all("\u30a0" <= c <= "\u30ff" for c in kana), kana


@pytest.mark.parametrize("latin", sorted(load_loanwords()))
def test_every_loanword_scores_like_its_katakana(matcher: Matcher, latin: str) -> None:
    """The family, not one word: for every listed loanword, a Japanese question that writes it in Latin letters
    (glued to the Japanese or spaced) gets exactly the scores the katakana spelling gets."""
    kana = load_loanwords()[latin]
    for glue in ("", " "):
        written = [matcher.score(f"{word}{glue}について教えてください", "ja")[2][:3]
                   for word in (kana, latin, latin.capitalize(), latin.upper())]
        assert all(ranked == written[0] for ranked in written), (latin, glue)


def test_a_latin_word_in_japanese_is_answered_like_the_katakana(matcher: Matcher) -> None:
    for latin_text, kana_text in [("Cookieでどんな情報を集めていますか", "クッキーでどんな情報を集めていますか"),
                                  ("Google Analyticsを無効にできますか", "グーグルアナリティクスを無効にできますか")]:
        latin, kana = matcher.match(latin_text), matcher.match(kana_text)
        assert (latin.decision, latin.intent, latin.article) == (kana.decision, kana.intent, kana.article)
    assert matcher.match("Cookieでどんな情報を集めていますか").article == 12


def test_keywords_mixing_latin_and_japanese_are_found(catalog: Catalog, matcher: Matcher) -> None:
    """A Japanese keyword that starts with Latin letters ("IPアドレス") is matched as a string, glued or spaced,
    and never inside a longer Latin word."""
    index = KeywordIndex(catalog.intents, {n: n for n in range(len(catalog.intents))}, typo_ratio=84.0,
                         typo_min_length=5, typo_weight=0.8)
    cookies = [n for n, intent in enumerate(catalog.intents) if intent.id == "cookies"][0]
    for text in ("IPアドレスを集めていますか", "IP アドレスを集めていますか"):
        assert index.evidence(fold(text))[cookies] >= 1.0, text
    assert index.evidence(fold("shipアドレスを集めていますか"))[cookies] == 0.0
    assert matcher.match("IPアドレスを集めていますか").article == 12
