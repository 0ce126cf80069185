"""Fidelity: does the whole answer say what the policy says? (issue 14 point 4)

Accuracy (`evaluation.py`) checks the article the matcher picks. Fidelity checks the reply users read: each item of a
fidelity set (`tests/data/fidelity.jsonl`) is one question written from the policy, with the article that answers it
(or `kind` "silent" for a topic the policy does not address), phrases the reply must contain (`must`: the facts the
policy has, e.g. the postal address for "where are you located?") and phrases it must not contain (`must_not`: claims
the policy does not make, e.g. "Yes." before a fee question). Items keep the eval format (`text`, `lang`, `article`,
`handoff`, `kind`), so the same file also runs through `privacy-bot eval`'s accuracy figures.

Each item is asked in a fresh session of a real `Conversation` (matcher, renderer and a store): the text checked is
exactly what a user would see. Phrases are compared after Unicode NFKC and case folding.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from bot.engine.messages import Message, Reply

#: A record is a fidelity item when it carries either phrase list.
PHRASE_KEYS = ("must", "must_not")


def is_fidelity_item(record: dict[str, Any]) -> bool:
    return any(key in record for key in PHRASE_KEYS)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def check_item(record: dict[str, Any], reply: Reply) -> list[str]:
    """What is wrong with `reply` as an answer to fidelity item `record` (empty: faithful)."""
    problems: list[str] = []
    silent = record.get("kind") == "silent"
    accepted = record.get("articles") or [record.get("article")]
    if silent:
        # An honest silence: an answer that cites no article as *the* answer, names a silent topic, starts nothing.
        if reply.decision != "answer" or reply.article is not None or not (reply.intent or "").startswith("silent_"):
            problems.append(f"expected silent, got {reply.decision}/{reply.intent} article {reply.article}")
    elif reply.article not in accepted:
        problems.append(f"expected article {'/'.join(map(str, accepted))}, got {reply.article} ({reply.decision})")
    expected_handoff = record.get("handoff")
    if reply.handoff != expected_handoff:
        problems.append(f"expected handoff {expected_handoff}, got {reply.handoff}")
    text = _fold(reply.text)
    problems += [f"missing {phrase!r}" for phrase in record.get("must", []) if _fold(phrase) not in text]
    problems += [f"must not say {phrase!r}" for phrase in record.get("must_not", []) if _fold(phrase) in text]
    return problems


@dataclass
class FidelityReport:
    totals: dict[str, int] = field(default_factory=lambda: {"all": 0, "en": 0, "ja": 0})
    faithful: dict[str, int] = field(default_factory=lambda: {"all": 0, "en": 0, "ja": 0})
    silent_total: int = 0
    silent_faithful: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        def share(lang: str) -> float | None:
            return self.faithful[lang] / self.totals[lang] if self.totals[lang] else None

        return {"items": self.totals["all"], "faithful": {lang: share(lang) for lang in ("all", "en", "ja")},
                "faithful_counts": dict(self.faithful), "item_counts": dict(self.totals),
                "silent_items": self.silent_total, "silent_faithful": self.silent_faithful,
                "failures": len(self.failures)}


def evaluate_fidelity(ask: Callable[[Message], Reply], records: Iterable[dict[str, Any]]) -> FidelityReport:
    """Ask every fidelity item in its own session through `ask` (e.g. `Conversation.handle`) and check the reply."""
    report = FidelityReport()
    for number, record in enumerate(r for r in records if is_fidelity_item(r)):
        lang: str = record["lang"] if record.get("lang") in ("en", "ja") else "en"
        reply = ask(Message(text=record["text"], session_id=f"fidelity-{number}", frontend="cli"))
        problems = check_item(record, reply)
        for key in ("all", lang):
            report.totals[key] += 1
            report.faithful[key] += int(not problems)
        if record.get("kind") == "silent":
            report.silent_total += 1
            report.silent_faithful += int(not problems)
        if problems:
            report.failures.append({"id": record.get("id"), "text": record["text"], "problems": problems})
    return report


def format_fidelity(summary: dict[str, Any]) -> str:
    def part(lang: str) -> str:
        share = summary["faithful"][lang]
        pct = "n/a" if share is None else f"{share * 100:.1f}%"
        return f"{pct} ({summary['faithful_counts'][lang]}/{summary['item_counts'][lang]})"

    return (f"whole replies faithful (article or silent, must / must-not phrases) {part('all')}; "
            f"en {part('en')}; ja {part('ja')}; silent topics {summary['silent_faithful']}/{summary['silent_items']}")
