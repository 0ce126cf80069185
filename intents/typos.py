"""Misspelt request verbs ("delet my data", "sned me my info", "pleas remove it") read as the verbs they are.

The request cues (`intents/cues.toml`) are regular expressions over exact words, so one slipped key turned a demand
into a question about the article. Topic words already tolerate typos (`intents.keywords`, `intents.lexical`); this
does the same for the few verbs a request is made with, before the request cues read a sentence:
* a word of at least five letters one edit (insertion, deletion, substitution or swap of neighbours) from one of
  `VERBS` is read as that verb, unless it is an inflection of it ("deleted", "removing") or a real word that
  happens to be that close (`REAL_WORDS`: "remote", "lease", "cancer"…);
* a four-letter word is read as a four-letter verb only when it is that verb with two neighbours swapped ("sned",
  "stpo"): other one-letter changes of short verbs are mostly real words ("sent", "step", "give" → "live").
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

VERBS = ("delete", "erase", "remove", "correct", "update", "change", "disclose", "provide", "export", "cancel",
         "notify", "please", "unsubscribe", "rectify", "forward", "sharing", "selling")
SHORT_VERBS = ("send", "stop", "give", "show", "wipe", "quit", "tell", "want")
#: Pronouns a verb is glued to when typed fast ("sendit", "deleteit", "giveme"): read as two words (round 12).
GLUED = ("it", "me", "them", "all")
#: Real words one edit from a verb.
REAL_WORDS = frozenset({
    "ease", "lease", "leases", "pleat", "pleas", "remote", "expert", "experts", "cancer", "chance", "charge",
    "deplete", "enclose", "proved", "export", "forward", "correct", "delta",
    "shaping", "sparing", "staring", "shading", "shaving", "sailing", "ceiling", "spelling", "smelling", "swelling",
    "telling", "falling", "filling", "killing", "yelling", "willing", "sealing", "searing", "scaring", "snaring",
    "sharking", "shoring", "shearing", "sharding", "charing", "felling", "belling", "jelling", "welling",
})
_WORDS = re.compile(r"[a-z]{4,12}")


def _inflects(word: str, verb: str) -> bool:
    return word.startswith(verb) or (len(word) > len(verb) and word.startswith(verb[:-1]))


@lru_cache(maxsize=8192)
def _verb_for(word: str) -> str | None:
    if word in REAL_WORDS or word in VERBS or word in SHORT_VERBS:
        return None
    for pronoun in GLUED:
        verb = word[:-len(pronoun)]
        if word.endswith(pronoun) and (verb in VERBS or verb in SHORT_VERBS) and verb != "please":
            return f"{verb} {pronoun}"
    if len(word) == 4:
        for verb in SHORT_VERBS:
            if sorted(word) == sorted(verb) and OSA.distance(word, verb) == 1:
                return verb
        return None
    if len(word) < 5:
        return None
    found = extractOne(word, VERBS, scorer=OSA.distance, score_cutoff=1)
    if found is None or _inflects(word, found[0]):
        return None
    return str(found[0])


#: Chat spellings of request verbs with their vowels dropped ("pls snd me wat u hav on me"), round 15: too short for
#: the one-edit reading above, and never real words themselves.
CHAT_VERBS = {"snd": "send", "shw": "show", "dlt": "delete", "rmv": "remove", "updt": "update", "chng": "change",
              "hav": "have", "giv": "give"}
_CHAT = re.compile(r"\b(?:" + "|".join(CHAT_VERBS) + r")\b")


def fix_verbs(folded: str) -> str:
    """`folded` (lower case, punctuation removed) with misspelt request verbs replaced by the verbs."""
    folded = _WORDS.sub(lambda m: _verb_for(m.group()) or m.group(), folded)
    return _CHAT.sub(lambda m: CHAT_VERBS[m.group()], folded)


#: Second-language English (round 15): mass nouns given a plural ("all the informations", "my personal datas") and a
#: determiner doubled ("receive the my data"). The catalog's examples and keywords are written in the standard forms,
#: so the topic is read with these forms standardised; the request cues already accept them.
_LEARNER = re.compile(r"\b(?:(datas|informations|infos|personal infos)|(?:the|a|an) (my|our|your))\b")
_MASS = {"datas": "data", "informations": "information", "infos": "info", "personal infos": "personal info"}
#: South Asian English (round 16): "kindly share all my personal details which are available in your records" asks for
#: them to be sent to the writer (an imperative, no one else named to receive them; not "do you share my data?"), "revert back with" is "reply with", and
#: "utilised"/"utilized" is "used", the catalog's word.
_SHARE_TO_ME = re.compile(
    r"(?:^|(?<=\n)|(?<=\bkindly )|(?<=\bplease )|(?<=\bpls )|(?<=\bplz ))share(?: with me| to me)? (?=(?:(?:all|of|the|complete|full|entire|whole|every)\s)*(?:my|me my)\s(?:\w+\s){0,3}?"
    r"(?:details|data|info|information|records|profile|file)\b(?!.*\b(?:with|to) (?!me\b|us\b|you\b|u\b)))")
_UTILISE = re.compile(r"\b(?:utili[sz](?:e|ed|es|ing|ation)|revert(?: back)? with)\b")
#: "ask for stopping of usage of personal data": stopping the use, said as nouns (round 16)
_STOP_USAGE = re.compile(r"\b(?:stop|stopping|stoppage|cessation)(?: of)?(?: the)? usage of\b")
#: "using" misspelt (round 19: "how do i get u to stop useing my data"): the second word of a phrase ("stop using") has
#: no typo reading of its own (`KeywordIndex._phrase_typos` reads the first).
#: (Every form holds "us", the gate `fix_learner_forms` checks first.)
_USING_TYPO = re.compile(r"\b(?:useing|usinng|usign|usng|ussing|usung)\b")
_UTILISE_AS = {"utilise": "use", "utilised": "used", "utilises": "uses", "utilising": "using", "utilisation": "use"}


#: A question opened without its "do" ("Where you get my information from?", "why you need my birthday"), round 17: the
#: catalog asks "where do you get…"; read at the start of the text or of a line only (inside a sentence, "tell me
#: where you get it" is right as written).
_NO_DO = re.compile(r"(?m)^(?:(?:hi|hello|hey|so|and|but|also|ok|okay|sorry|please|pls|sir|madam) )*(where|why|how|when) (?:u|you) "
                    r"(?=(?:get|got|obtain|obtained|take|took|find|found|buy|bought|collect|keep|store|protect|share|"
                    r"send|sell|need|use|check)\b)")


def fix_learner_forms(folded: str) -> str:
    """`folded` with a second-language plural of a mass noun ("datas", "informations"), a doubled determiner
    ("the my"), a South Asian English form ("share my details" asked of the company, "utilised") or a question opened
    without its "do" ("where you get…") read as the standard form."""
    folded = _LEARNER.sub(lambda m: _MASS[m.group(1)] if m.group(1) else m.group(2), folded)
    if "share" in folded:
        folded = _SHARE_TO_ME.sub("send me ", folded)
    if "usage of" in folded:
        folded = _STOP_USAGE.sub("stop using", folded)
    if " you " in folded or " u " in folded:
        folded = _NO_DO.sub(lambda m: m.group().replace(f"{m.group(1)} ", f"{m.group(1)} do ", 1), folded)
    if "us" in folded:
        folded = _USING_TYPO.sub("using", folded)
    if "utili" in folded or "revert" in folded:
        folded = _UTILISE.sub(lambda m: "reply with" if m.group().startswith("revert")
                              else _UTILISE_AS[m.group().replace("z", "s")], folded)
    return folded
