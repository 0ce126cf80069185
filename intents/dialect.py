"""Regional Japanese, and Japanese written in katakana throughout, read as the standard forms the request cues and
the catalog are written in (round 15).

Requests in Tohoku, Nagoya or Kansai speech, and questions in Kyushu speech (「できると？」), end in forms the cues never see in standard Japanese: 「見せでけろ」 (見せて
くれ, with the て voiced), 「教えてちょう」 (教えてちょうだい), 「教えてや」 (教えてください); and the writer names
themselves with a regional pronoun (おら, わし, ワイ, おいら, あたい, わて). These are read as the standard
forms before anything else reads the message, as slipped kana endings are (`intents.kana`). Only these few endings and
pronouns, where they end a phrase or stand before a particle: a word that merely contains the letters is left alone.
"""
from __future__ import annotations

import re
import unicodedata

from intents.kana import hiragana

#: A voiced て before a Tohoku request ending (「見せでけろ」「やめでけろ」): not after ん or い, where で is standard
#: (「読んで」「急いで」).
_VOICED_TE = re.compile(r"(?<=[^\Wんンい\d])で(?=けろ|けれ|けらい|くれ)")
#: Tohoku けろ/けれ/けらい after て or で: くれ (the request ending the cues know).
_KERO = re.compile(r"(?<=[てで])(?:けらい|けろ|けれ)")
#: Nagoya ちょう / ちょーだい / ちょうでゃあ and Kansai や after て, ending a phrase: ください.
_PLEASE = re.compile(r"(?<=て)(?:ちょうでゃあ|ちょうだゃあ|ちょう|ちょー|や)(?=[。、！？!?.,\s〜～ーねよな…]|$)")
#: Regional first-person pronouns before a particle: 私.
_PRONOUN = re.compile(r"(?<![ぁ-んァ-ン])(?:おら|オラ|ワイ|おいら|オイラ|あたい|アタイ|わて|ワテ|わし|ワシ)(?=[のがはをもにへ])")
#: Kyushu (Hakata) questions ending in と after a verb (「やめてもらうことってできると？」「どこに送ればよかと？」): の,
#: the question the cues know (round 16).
_KYUSHU_QUESTION = re.compile(r"(?<=[るいたうくすつぬむぶぐか])と(?=ね?[？?]|ね$|$)", re.MULTILINE)
_TRIGGERS = ("け", "ちょ", "や", "おら", "オラ", "ワイ", "おいら", "オイラ", "あたい", "アタイ", "わて", "ワテ", "わし", "ワシ",
             "と?", "と？", "とね")


def read_dialect(text: str) -> str:
    """`text` with the regional request endings and pronouns above read as the standard ones."""
    if text.isascii() or not any(t in text for t in _TRIGGERS):
        return text
    text = _VOICED_TE.sub("て", text)
    text = _KERO.sub("くれ", text)
    text = _PLEASE.sub("ください", text)
    text = _KYUSHU_QUESTION.sub("の", text)
    return _PRONOUN.sub("私", text)


#: Grammar written in katakana (particles, polite endings, て-forms): a message whose Japanese is all katakana and has
#: some is written in katakana throughout (「ワタシノ コジンジョウホウ ヲ ゼンブ カイジ シテクダサイ」, half-width on old
#: phones), not a run of loanwords (「プライバシーポリシー」「クッキー？」).
_KATAKANA_GRAMMAR = re.compile(
    r"(?:^|[\s　])(?:ノ|ヲ|ハ|ガ|ニ|デ|ト|モ|ッテ)(?=[\s　]|$)|クダサイ|デス|マス|シテ|ッテ|タイ(?=[\s　。？！?!]|$)")
_HIRAGANA_OR_KANJI = re.compile(r"[\u3041-\u309f\u3005\u3400-\u9fff\uf900-\ufaff]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa]")
_HALF_WIDTH = re.compile(r"[\uff66-\uff9f]")


def read_katakana_writing(text: str) -> str:
    """`text` in hiragana (half-width katakana made full width first) when its Japanese is written in katakana
    throughout, grammar included, so the kana reader reads it as it reads hiragana writing (`intents.kana`); otherwise
    `text` as it is."""
    if text.isascii():
        return text
    read = unicodedata.normalize("NFKC", text) if _HALF_WIDTH.search(text) else text
    if _HIRAGANA_OR_KANJI.search(read) or not _KATAKANA.search(read) or not _KATAKANA_GRAMMAR.search(read):
        return text
    return hiragana(read)
