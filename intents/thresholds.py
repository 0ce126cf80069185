"""Every number that turns scores into a decision lives here, so tuning happens in one place.

Scores are on rapidfuzz's 0–100 scale plus keyword evidence; see `intents.matcher` for how they combine.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    #: Points added per unit of keyword evidence (a specific keyword found counts 1.0; a keyword shared
    #: by several articles counts less), and the cap on that evidence.
    keyword_points: float = 14.0
    keyword_cap: float = 3.0
    #: Typo tolerance: a message word this similar (fuzz.ratio) to a keyword word counts as that word.
    typo_ratio: float = 84.0
    typo_min_length: int = 5
    typo_weight: float = 0.8
    #: Below this combined score for the best topic, nothing matches well: fallback.
    fallback_score: float = 62.0
    #: Without any keyword evidence an example must be this similar to count as a match.
    no_keyword_example_score: float = 86.0
    #: Two topics whose scores are within this margin of each other are "close": clarify.
    clarify_margin: float = 4.0
    #: ... unless the best topic is at least this strong on its own.
    clarify_ceiling: float = 104.0
    #: At most this many choices are offered when clarifying.
    max_choices: int = 3
    #: Request cue balance (request cues minus question cues) from which a message is a request now.
    request_cue: float = 1.0
    #: Smalltalk wins when its example score beats this and no topic has keyword evidence.
    smalltalk_score: float = 70.0


DEFAULT = Thresholds()
