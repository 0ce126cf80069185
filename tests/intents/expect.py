"""Assertions the request-family tests share: a message is (or is not) a request of a given type, with the matcher's
reading in the failure message so a failing phrasing says why."""
from __future__ import annotations

from intents.matcher import Matcher


def request(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent, match.cues)


def not_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent, match.handoff, match.cues)


def no_article(matcher: Matcher, text: str) -> None:
    """`text` falls back with no article: product support, sales or billing, with the matcher's reading on failure."""
    match = matcher.match(text)
    assert (match.decision, match.article) == ("fallback", None), (match.decision, match.intent, match.cues)


def answers(matcher: Matcher, text: str, article: int) -> None:
    """`text` is answered (no request, no choice) with `article`, with the matcher's reading on failure."""
    match = matcher.match(text)
    assert (match.decision, match.article, match.handoff) == ("answer", article, None), (match.decision, match.intent)


def refused(matcher: Matcher, text: str) -> None:
    """`text` asks for someone else's data (or claims authority over it): the others'-data refusal, never a request."""
    match = matcher.match(text)
    assert (match.intent, match.handoff, "refusal" in match.flags) == ("others_data", None, True), (
        match.decision, match.intent, match.handoff, match.cues)


def hostile(matcher: Matcher, text: str) -> None:
    """`text` is an attack (injection, bulk access): a fallback with no article, flagged hostile."""
    match = matcher.match(text)
    assert (match.decision, match.article, "hostile" in match.flags) == ("fallback", None, True), (
        match.decision, match.intent, match.cues)
