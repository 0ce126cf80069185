"""The tiny markup language templates render to, and its three pure converters.

Rules: blocks are separated by blank lines; inside a block, consecutive lines starting with "> " form a
quote, lines starting with "- " a bullet list, lines starting with "1. " (any number) an ordered list,
and any other lines a paragraph (single newlines become line breaks). `**bold**` works inside any line.

Templates never emit HTML or Slack syntax themselves: one markup, three outputs, and every output escapes
the text before adding its own syntax, so neither template text nor user text can inject markup.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["paragraph", "quote", "bullets", "numbered"]

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ZWSP = "\u200b"
_NUMBERED = re.compile(r"(\d{1,3})\. (.*)")


@dataclass(frozen=True)
class Block:
    """A run of lines of one kind; `numbers` holds the list numbers of a numbered block."""

    kind: BlockKind
    lines: tuple[str, ...]
    numbers: tuple[int, ...] = ()


def normalize(markup: str) -> str:
    """Strip trailing spaces, collapse runs of blank lines and trim the ends (template whitespace noise)."""
    lines = [line.rstrip() for line in markup.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


Sections = tuple[tuple[Block, ...], ...]


def parse(markup: str) -> Sections:
    """Split markup into sections (separated by blank lines), each a tuple of same-kind blocks."""
    return _parse_normalized(normalize(markup))


def _parse_normalized(normalized: str) -> Sections:
    sections = []
    for chunk in normalized.split("\n\n"):
        if not chunk:
            continue
        # Runs of same-kind lines are gathered first and each becomes one Block (building a frozen Block per
        # line, each a copy of the last one plus a line, was most of a reply's formatting time: issue 18).
        runs: list[tuple[BlockKind, list[str], list[int]]] = []
        for line in chunk.split("\n"):
            kind, text, number = _classify(line)
            if not runs or runs[-1][0] != kind:
                runs.append((kind, [], []))
            runs[-1][1].append(text)
            if number is not None:
                runs[-1][2].append(number)
        if runs:
            sections.append(tuple(Block(kind, tuple(lines), tuple(numbers)) for kind, lines, numbers in runs))
    return tuple(sections)


def _classify(line: str) -> tuple[BlockKind, str, int | None]:
    if line.startswith("> ") or line == ">":
        return "quote", line[2:], None
    if line.startswith("- "):
        return "bullets", line[2:], None
    match = _NUMBERED.fullmatch(line)
    if match:
        return "numbered", match.group(2), int(match.group(1))
    return "paragraph", line, None


def to_formats(markup: str) -> tuple[str, str, str]:
    """(`to_plain`, `to_html`, `to_mrkdwn`) of `markup`, normalising and parsing it once instead of five times
    (every chat reply needs all three)."""
    normalized = normalize(markup)
    sections = _parse_normalized(normalized)
    return _BOLD.sub(r"\1", normalized), _html(sections), _mrkdwn(sections)


def to_plain(markup: str) -> str:
    """Plain text (CLI, logs of our own wording): the markup minus `**` markers."""
    return _BOLD.sub(r"\1", normalize(markup))


def to_mrkdwn(markup: str) -> str:
    """Slack mrkdwn: escape &, < and > as Slack requires, `**x**` becomes `*x*`, bullets become "•"."""
    return _mrkdwn(parse(markup))


def _mrkdwn(sections: Sections) -> str:
    out_sections = []
    for section in sections:
        out_lines: list[str] = []
        for block in section:
            for index, line in enumerate(block.lines):
                text = _slack_bold(_slack_escape(line))
                if block.kind == "quote":
                    # The "> " prefix is added after escaping, so it stays a real Slack quote marker.
                    out_lines.append(f"> {text}" if text else ">")
                elif block.kind == "bullets":
                    out_lines.append(f"• {text}")
                elif block.kind == "numbered":
                    out_lines.append(f"{block.numbers[index]}. {text}")
                else:
                    out_lines.append(text)
        out_sections.append("\n".join(out_lines))
    return "\n\n".join(out_sections)


def to_html(markup: str) -> str:
    """HTML fragment: everything is escaped first (quote=True), and only then are our own tags added."""
    return _html(parse(markup))


def _html(sections: Sections) -> str:
    parts = []
    for section in sections:
        for block in section:
            lines = [_BOLD.sub(r"<strong>\1</strong>", html.escape(line, quote=True)) for line in block.lines]
            if block.kind == "paragraph":
                parts.append("<p>" + "<br>\n".join(lines) + "</p>")
            elif block.kind == "quote":
                parts.append("<blockquote><p>" + "<br>\n".join(lines) + "</p></blockquote>")
            elif block.kind == "bullets":
                parts.append("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
            else:
                start = block.numbers[0]
                # Keep the user's numbers right ("reply with 2") even if a list does not start at 1.
                opening = "<ol>" if start == 1 else f'<ol start="{start}">'
                parts.append(opening + "".join(f"<li>{line}</li>" for line in lines) + "</ol>")
    return "\n".join(parts)


def _slack_bold(line: str) -> str:
    # Slack only honours *bold* at word boundaries; in Japanese the marker sits between letters
    # ("。*第7条（…）*をご覧"), so a zero-width space is put on any side that touches a letter or digit.
    def replace(match: re.Match[str]) -> str:
        before = line[match.start() - 1 : match.start()]
        after = line[match.end() : match.end() + 1]
        left = _ZWSP if before.isalnum() else ""
        right = _ZWSP if after.isalnum() else ""
        return f"{left}*{match.group(1)}*{right}"

    return _BOLD.sub(replace, line)


def _slack_escape(text: str) -> str:
    # Slack only requires these three; escaping "&" first keeps "&lt;" from being double-escaped wrongly.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
