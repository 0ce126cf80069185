"""Linguistic cues (data in `intents/cues.toml`): request-now vs question, reaching a person, hostility."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intents.normalize import cjk_share, fold

CUES_FILE = Path(__file__).parent / "cues.toml"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])")


class CueError(ValueError):
    """cues.toml is malformed; the message names the section and the pattern."""


@dataclass(frozen=True)
class CueSet:
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    def score(self, lines: str) -> float:
        """Sum of the weights of the patterns found in `lines` (one sentence per line; each pattern counts
        once). Patterns are compiled MULTILINE, so ^ and $ anchor at sentence boundaries."""
        return sum(weight for pattern, weight in self.patterns if pattern.search(lines))


@dataclass(frozen=True)
class CueScores:
    request: float
    question: float
    person: float
    hostile: float
    offtopic: float = 0.0

    @property
    def balance(self) -> float:
        return self.request - self.question


@dataclass(frozen=True)
class Cues:
    request_en: CueSet
    request_ja: CueSet
    question_en: CueSet
    question_ja: CueSet
    person_en: CueSet
    person_ja: CueSet
    hostile: CueSet
    offtopic: CueSet

    def score(self, cleaned: str, quoted_removed: str) -> CueScores:
        """Score a message. `cleaned` is the whole NFKC-cleaned text (for hostility, which hides anywhere);
        `quoted_removed` the same without `> ` quoted lines, so someone else's quoted words are not taken
        as the user's own request."""
        raw_sentences = [s.strip() for s in _SENTENCE_END.split(quoted_removed) if s.strip()]
        folded = "\n".join(fold(s) for s in raw_sentences)
        raw = "\n".join(raw_sentences)
        hostile_text = cleaned.casefold() + "\n" + fold(cleaned)
        # Japanese patterns can only match Japanese script: skip them for messages that have none.
        japanese = raw if cjk_share(raw) > 0 else ""
        return CueScores(
            request=self.request_en.score(folded) + self.request_ja.score(japanese),
            question=self.question_en.score(folded) + self.question_ja.score(japanese),
            person=self.person_en.score(folded) + self.person_ja.score(japanese),
            hostile=self.hostile.score(hostile_text),
            # Chatter counts where the message ends: a request at the end of a rant about billing is
            # still a request, "stop sending me calendar invites" is not.
            offtopic=self.offtopic.score(_tail_text(raw_sentences)),
        )


def _tail_text(sentences: list[str]) -> str:
    tail = sentences[-2:]
    return "\n".join(s.casefold() for s in tail) + "\n" + "\n".join(fold(s) for s in tail)


def _cue_set(doc: dict[str, Any], section: str, key: str) -> CueSet:
    entries = doc.get(section, {}).get(key, [])
    compiled = []
    for index, entry in enumerate(entries):
        where = f"{CUES_FILE.name}: [{section}].{key} entry #{index + 1}"
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], (int, float))):
            raise CueError(f"{where}: expected ['regex', weight]")
        try:
            compiled.append((re.compile(entry[0], re.MULTILINE), float(entry[1])))
        except re.error as exc:
            raise CueError(f"{where}: bad regex: {exc}") from exc
    return CueSet(tuple(compiled))


def load_cues(path: Path = CUES_FILE) -> Cues:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CueError(f"{path.name}: not valid TOML: {exc}") from exc
    return Cues(
        request_en=_cue_set(doc, "request", "en"),
        request_ja=_cue_set(doc, "request", "ja"),
        question_en=_cue_set(doc, "question", "en"),
        question_ja=_cue_set(doc, "question", "ja"),
        person_en=_cue_set(doc, "person", "en"),
        person_ja=_cue_set(doc, "person", "ja"),
        hostile=_cue_set(doc, "hostile", "any"),
        offtopic=_cue_set(doc, "offtopic", "any"),
    )
