"""The markup language and its three converters."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from responses.markup import normalize, parse, to_formats, to_html, to_mrkdwn, to_plain

SAMPLE = """Intro with **bold** text.
Second line.

> quoted line one
> quoted line two

Options:
1. first
2. second

- apple
- pear"""


def test_parse_groups_lines_by_kind() -> None:
    sections = parse(SAMPLE)
    kinds = [[block.kind for block in section] for section in sections]
    assert kinds == [["paragraph"], ["quote"], ["paragraph", "numbered"], ["bullets"]]
    assert sections[2][1].numbers == (1, 2)


def test_normalize_trims_whitespace_noise() -> None:
    assert normalize("\n\n a  \n\n\n\nb\t\n\n") == " a\n\nb"
    assert normalize("x\r\ny") == "x\ny"


def test_plain_drops_bold_markers_only() -> None:
    plain = to_plain(SAMPLE)
    assert "Intro with bold text." in plain
    assert "**" not in plain
    assert "> quoted line one" in plain and "1. first" in plain and "- apple" in plain


def test_html_structure() -> None:
    assert to_html(SAMPLE) == (
        "<p>Intro with <strong>bold</strong> text.<br>\nSecond line.</p>\n"
        "<blockquote><p>quoted line one<br>\nquoted line two</p></blockquote>\n"
        "<p>Options:</p>\n"
        "<ol><li>first</li><li>second</li></ol>\n"
        "<ul><li>apple</li><li>pear</li></ul>"
    )


def test_html_ordered_list_keeps_its_start_number() -> None:
    assert to_html("3. c\n4. d") == '<ol start="3"><li>c</li><li>d</li></ol>'


def test_html_escapes_everything_before_adding_tags() -> None:
    out = to_html('<script>alert("x")</script> & \'q\' **<b>hi</b>**\n> <img src=x onerror=y>\n- <a href="j">')
    assert "<script>" not in out and "<img" not in out and "<b>" not in out and "<a " not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;" in out
    assert "<strong>&lt;b&gt;hi&lt;/b&gt;</strong>" in out
    assert "<blockquote><p>&lt;img src=x onerror=y&gt;</p></blockquote>" in out
    # Already-escaped text is escaped again, never decoded into live markup.
    assert to_html("&lt;b&gt;") == "<p>&amp;lt;b&amp;gt;</p>"


def test_mrkdwn_conversion() -> None:
    out = to_mrkdwn(SAMPLE)
    assert "Intro with *bold* text.\nSecond line." in out
    assert "> quoted line one\n> quoted line two" in out
    assert "1. first\n2. second" in out
    assert "• apple\n• pear" in out
    assert "**" not in out


def test_mrkdwn_escapes_slack_control_characters() -> None:
    out = to_mrkdwn("<!channel> & <@U123> <https://evil|click>\n> a > b")
    assert out == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt;\n> a &gt; b"
    assert "<" not in out


def test_mrkdwn_bold_inside_japanese_gets_word_boundaries() -> None:
    out = to_mrkdwn("詳しくは**第7条（個人情報の開示）**をご覧ください。")
    assert out == "詳しくは\u200b*第7条（個人情報の開示）*\u200bをご覧ください。"
    assert to_mrkdwn("See **Article 7**:") == "See *Article 7*:"


def test_bold_does_not_span_lines_or_empty_markers() -> None:
    assert to_html("**a\nb**") == "<p>**a<br>\nb**</p>"
    assert to_plain("** x **") == "** x **"


def test_empty_input() -> None:
    assert to_plain("") == "" and to_html("") == "" and to_mrkdwn("\n\n") == ""


@given(st.lists(st.sampled_from(["", " ", "\n", "\n\n\n", "\r\n", "> ", ">", "- ", "1. ", "12. ", "**", "*", "&", "<",
                                 ">x", "word", "日本語", "**bold**", "\t", "  \n"]), max_size=25).map("".join))
def test_one_pass_formats_equal_the_three_converters(markup: str) -> None:
    # Rendered.of takes all three formats from one parse: each must be exactly what its own converter gives.
    assert to_formats(markup) == (to_plain(markup), to_html(markup), to_mrkdwn(markup))
