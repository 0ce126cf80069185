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
    #: Points per unit of BM25 score over the intent's phrasings and keywords (intents.lexical).
    lexical_points: float = 3.0
    #: Typo tolerance: a message word this similar (fuzz.ratio) to a keyword word counts as that word.
    typo_ratio: float = 84.0
    typo_min_length: int = 5
    typo_weight: float = 0.8
    #: Below this combined score for the best topic, nothing matches well: fallback.
    fallback_score: float = 75.0
    #: Without any keyword evidence an example must be this similar to count as a match.
    no_keyword_example_score: float = 72.0
    #: ... or the intent's vocabulary (BM25 points) must be this strong.
    no_keyword_lexical_score: float = 45.0
    #: Points a topic without evidence loses when topics are ranked.
    no_evidence_penalty: float = 20.0
    #: Two topics whose scores are within this margin of each other are "close": clarify.
    clarify_margin: float = 4.0
    #: ... unless the best topic is at least this strong on its own.
    clarify_ceiling: float = 104.0
    #: At most this many choices are offered when clarifying.
    max_choices: int = 3
    #: Request cue balance (request cues minus question cues) from which a message is a request now.
    request_cue: float = 1.0
    #: Cue points per point by which the request intent out-scores its question twin.
    request_lean_weight: float = 0.02
    #: A request about a topic without its own request type goes to the best request intent within this margin.
    request_redirect_margin: float = 30.0
    #: Smalltalk wins when its whole-message similarity reaches this and the best topic has no keyword evidence,
    smalltalk_score: float = 70.0
    #: ... or beats the best topic's example score by this much even when the topic has keywords.
    smalltalk_margin: float = 15.0
    #: Hostile cue points from which a message is refused (no article, no request).
    hostile_cue: float = 3.0
    #: Reaching-a-person cue points that make a message an `inquiry` request, unless question cues
    #: outweigh request cues by more than -person_min_balance.
    person_cue: float = 2.0
    person_min_balance: float = -1.5
    #: Workplace-chatter cue points (invoice, VPN, lunch…) that make a fallback unless the best topic has
    #: at least this much keyword evidence.
    offtopic_cue: float = 2.0
    offtopic_keyword_evidence: float = 2.0
    #: ... and unless the best topic is named by a keyword and one of its examples is at least this similar (the
    #: chatter word is context in a policy question: "if I use a VPN, do you still collect my IP address?").
    offtopic_example_score: float = 90.0
    #: A support topic (out of scope) gives way to a policy or silent topic with evidence scoring within this margin.
    support_margin: float = 25.0
    #: A message at most this long that names a support topic by keyword and no policy or silent topic by any keyword
    #: is support, whatever its frame resembles (「求人ってありますか」), round 9; a longer one is read as before.
    support_only_chars: int = 48
    #: No dead ends: below `fallback_score`, topics scoring at least `clarify_floor` with a keyword (or an example
    #: this similar) are offered as choices; a message of at most `short_message_words` words naming exactly one
    #: topic by keyword ("security?") is answered.
    clarify_floor: float = 55.0
    clarify_example_score: float = 60.0
    short_message_words: int = 3
    #: A message of at most this many words and characters with a phrase that takes it back ("oops, wrong button"),
    #: no personal data named and no request or question, is smalltalk (`never_mind`).
    taken_back_words: int = 8
    taken_back_chars: int = 48
    #: Messages with more vocabulary tokens than this compare examples only of the `prune_keep` intents the
    #: vocabulary and keywords rank best: the long tail of latency.
    prune_tokens: int = 30
    prune_keep: int = 8
    #: Points per unit of the learned signal (intents.learned: a linear model over character n-grams trained on
    #: the catalog at start-up); 0 turns it off (and skips training). Off: the ablation showed no gain (README).
    learned_points: float = 0.0
    #: Weight of the example similarity (rapidfuzz) in the total; for ablations (`privacy-bot eval --set`).
    example_points: float = 1.0
    #: Weight of the ask sentences (questions, request forms, else the last sentence) against the whole message
    #: when a message has context sentences too (intents.structure); 0 reads every message whole. Off: the
    #: ablation (README "Signals and the ablation") showed 0.5 helped the dev set and hurt both round-3 blind
    #: sets ("is IP collection covered by the policy?" — the ask's frame outvoted the topic in the context).
    ask_weight: float = 0.0
    #: A silent topic (one the policy does not address) whose own keywords give at least this evidence wins over
    #: the best article topic when it scores at least `silent_share` of its score (the aspect asked about is silent).
    silent_keyword_evidence: float = 0.9
    silent_share: float = 0.72
    #: A silent topic ranked first without any keyword of its own gives way to an article topic the message names by
    #: keyword, unless the silent topic closely resembles one of its examples (`no_keyword_example_score`) and the
    #: article's keyword evidence is below this (a keyword or two naming the article outweigh a resemblance). 1.5 since
    #: round 15: one term of four kana or kanji (開示請求) names the article over a silent example sharing only the
    #: question's frame (「本人確認ってどうやってするんですか」 against 「開示請求ってどうやってするんですか」).
    silent_yield_evidence: float = 1.5
    #: An article topic with at least `silent_yield_evidence` of keyword evidence, at most this many points behind a
    #: best topic with none, answers instead (round 15: the term named outweighs the frame resembled; 15 points also
    #: overturned two guard-rail items whose frame was right, 8 one).
    named_over_frame_margin: float = 8.0


DEFAULT = Thresholds()
