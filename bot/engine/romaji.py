"""Japanese typed in Latin letters (romaji): 「deeta wo keshite hoshii」 is a Japanese speaker, answered in Japanese.

The matcher already understands romaji phrasings; this only decides the reply language. A message reads as romaji
when most of its words are Japanese particles, verb endings or common romaji words and none is a common English
function word, so English with a Japanese loanword ("is my data kept in Japan?") stays English.
"""
from __future__ import annotations

import re

_PARTICLES = frozenset("""wa wo o ga no ni de to mo ka ne yo na e kara made dake shika toka tte""".split())
_WORDS = frozenset("""desu masu imasu arimasu shimasu dekimasu kudasai onegai onegaishimasu hoshii shitai tai nai
    naru suru shite shiteru shiteiru shitemasu iru aru dou doko nani nan itsu dare ikura dono donna kore sore are
    kojin jouhou jōhō joho deeta dēta keshite kesu keshi sakujo teisei kaiji riyou riyō mokuteki teishi sousa
    keisatsu toiawase renrakusaki tsukatte tsukau tsukai tsukaimasu oshiete oshiete kudasai yamete tomete
    watashi boku atashi anata kaisha kukki kukkii hozon kikan daisansha teikyou shutoku kanri hoshii desuka""".split())
_ENGLISH = frozenset("""the a an is are am was were my your you i me we our do does did can could would should will
    what how why when where who which please data and or not of in on for with this that it have has""".split())
_ENDINGS = ("masu", "masen", "mashita", "desu", "deshita", "shii", "tai", "nai", "te", "kudasai")
_WORD = re.compile(r"[a-zāīūēō]+")


def looks_like_romaji(text: str) -> bool:
    if not text.isascii() and not any(c in text for c in "āīūēō"):
        return False
    words = _WORD.findall(text.lower())
    if len(words) < 2 or any(w in _ENGLISH for w in words):
        return False
    japanese = sum(w in _PARTICLES or w in _WORDS or (len(w) > 4 and w.endswith(_ENDINGS)) for w in words)
    return japanese * 2 >= len(words) and any(w in _PARTICLES or w in _WORDS for w in words)
