"""Normalisation (width, case, punctuation, Slack markup, quotes, length cap) and language detection."""
from __future__ import annotations

import pytest

from intents.language import detect_language
from intents.normalize import MAX_MATCH_CHARS, cap, char_bigrams, clean, fold, normalize


def test_nfkc_full_width_letters_and_ideographic_space() -> None:
    assert normalize("ＤＥＬＥＴＥ　ｍｙ　ｄａｔａ").text == "delete my data"


def test_full_width_digits_and_punctuation() -> None:
    assert normalize("Ａｒｔｉｃｌｅ　１２？！").text == "article 12"
    assert normalize("Ａｒｔｉｃｌｅ　１２？！").has_question_mark


def test_half_width_katakana_becomes_full_width() -> None:
    assert normalize("ｸｯｷｰ").text == "クッキー"
    assert normalize("ﾃﾞｰﾀを消して").text == "データを消して"  # voiced marks combine


def test_case_folding() -> None:
    assert normalize("DeLeTe My DATA").text == "delete my data"
    assert normalize("Straße").text == "strasse"  # casefold, not just lower()


def test_punctuation_removed_and_spaces_collapsed() -> None:
    assert normalize('what?!  (really) -- yes... "ok"; [x]').text == "what really yes ok x"
    assert normalize("  cookies,cookies\n\ncookies  ").text == "cookies cookies cookies"


def test_apostrophes_split_contractions_consistently() -> None:
    assert normalize("don't").text == normalize("don’t").text == "don t"


def test_fold_and_normalize_agree() -> None:
    text = "Ｗhat ARE cookies?"
    assert normalize(text).text == fold(clean(text))


def test_japanese_punctuation_removed() -> None:
    assert normalize("クッキーとは？「設定」、教えて。").text == "クッキーとは 設定 教えて"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@U024BE7LH> what are cookies", "what are cookies"),
        ("<!here> what are cookies", "what are cookies"),
        ("<!channel> <!subteam^S123|@team> cookies", "cookies"),
        ("see <#C123|general> cookies", "see cookies"),
        ("see <https://x.y|label> please", "see label please"),
        ("see <https://example.com/privacy> please", "see please"),
        (":wave: hi :+1: :white_check_mark:", "hi"),
        ("```\nprint('x')\n``` cookies `inline`", "print x cookies inline"),
    ],
)
def test_slack_artefacts_removed(raw: str, expected: str) -> None:
    norm = normalize(raw)
    assert norm.text == expected
    for artefact in ("u024be7lh", "here", "c123", "general", "https", "wave", "`"):
        if artefact not in expected:
            assert artefact not in norm.text.split()


def test_slack_markup_removed_before_folding() -> None:
    cleaned = clean("<@U024BE7LH> hi <!here> <#C123|general> <https://x.y|label> :wave: ```code```")
    assert "<" not in cleaned and ">" not in cleaned and "`" not in cleaned
    assert "U024BE7LH" not in cleaned and ":wave:" not in cleaned
    assert "label" in cleaned and "code" in cleaned


def test_control_and_zero_width_characters_removed() -> None:
    assert normalize("hello\u200bworld").text == "hello world"
    assert normalize("coo\x00kies\x07").text == "coo kies"
    assert normalize("\u202ecookies\u202c\ufeff").text == "cookies"


def test_quoted_lines_separated() -> None:
    norm = normalize("> please erase my account\n> right now\nare we obliged to do that?")
    assert norm.quoted == "please erase my account right now"
    assert norm.unquoted == "are we obliged to do that"
    assert "please erase my account" in norm.text  # the whole text still holds everything
    assert norm.has_question_mark


def test_slack_escaped_quote_lines_separated() -> None:
    """Slack delivers `>` as `&gt;`; those lines are quotes too."""
    norm = normalize("&gt; please erase my account\nare we obliged?")
    assert norm.quoted == "please erase my account"
    assert norm.unquoted == "are we obliged"


def test_slack_escaped_quote_marker_does_not_leak_into_text() -> None:
    """The `&gt;` quote marker is markup, not a word the user wrote: it must not become a "gt" token."""
    norm = normalize("&gt; please erase my account\nare we obliged?")
    assert "gt" not in norm.text.split()


def test_no_quotes_means_empty_quoted() -> None:
    norm = normalize("what are cookies? 5 > 3")
    assert norm.quoted == ""
    assert norm.unquoted == norm.text


def test_short_text_not_truncated() -> None:
    text = "c" * MAX_MATCH_CHARS
    assert cap(text) == (text, False)
    assert normalize(text).truncated is False


def test_cap_keeps_head_and_tail() -> None:
    assert MAX_MATCH_CHARS == 1200
    head, middle, tail = "HEADSTART " * 40, "m" * 5000, " please delete my account TAILEND"
    text = head + middle + tail
    capped, truncated = cap(text)
    assert truncated is True
    assert len(capped) <= MAX_MATCH_CHARS + 1  # plus the joining newline
    assert capped.startswith("HEADSTART HEADSTART")
    assert capped.endswith(tail)
    assert len(capped) < len(text)


def test_normalize_sets_truncated_and_keeps_tail_request() -> None:
    text = "I have been a customer for years. " * 60 + "Anyway: please delete my account."
    assert len(text) > 1200
    norm = normalize(text)
    assert norm.truncated is True
    assert norm.text.startswith("i have been a customer")
    assert norm.text.endswith("anyway please delete my account")
    assert len(norm.text) <= MAX_MATCH_CHARS + 1


def test_char_bigrams_for_japanese() -> None:
    assert char_bigrams("クッキーの利用") == "クッ ッキ キー ーの の利 利用"
    assert char_bigrams("の") == "の"
    # Latin words stay whole; each CJK run is split on its own.
    assert char_bigrams("google クッキー a") == "google クッ ッキ キー a"
    assert char_bigrams("cookies only") == "cookies only"
    assert char_bigrams("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What are cookies used for?", "en"),
        ("クッキーを無効にするとどうなりますか？", "ja"),
        ("個人情報の開示を請求します", "ja"),
        ("ｸｯｷｰ", "ja"),
        ("Google Analyticsの設定について", "ja"),  # Japanese sentence with an English product name
        ("Please tell me how you use cookies on the website 設定", "en"),  # English with one kanji word
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345", "１２３", "!!! ???", "😀🙏"])
def test_detect_language_without_letters_uses_default(text: str) -> None:
    assert detect_language(text) == "en"
    assert detect_language(text, default="ja") == "ja"
    assert detect_language(text, default="en") == "en"


def test_detect_language_ignores_unsupported_default() -> None:
    assert detect_language("123", default="fr") == "en"


def test_detect_language_letters_override_default() -> None:
    assert detect_language("cookies", default="ja") == "en"
    assert detect_language("クッキー", default="en") == "ja"
