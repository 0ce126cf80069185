"""Families behind the fourth answer review (issue 14), each checked with phrasings of our own.

None of these sentences comes from the review; each is another way to ask the same kind of thing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from intents.catalog import CatalogError, load_catalog
from intents.matcher import Matcher

from tests.intents.test_intents_catalog import make_intent, toml_intents, write_valid_catalog

# (text, decision, article or None for a silent topic, intent or handoff when it matters)
FAMILIES = [
    # Selling wins over third-party provision, outsourcing or purposes in a question (silent topic) ...
    ("提携先に私の情報を売却したりしますか", "answer", None, "silent_selling"),
    ("第三者にデータを有償で提供していますか", "answer", None, "silent_selling"),
    ("委託先に顧客情報を売ったりしてない？", "answer", None, "silent_selling"),
    ("kojin jouhou wo daisansha ni hanbai shite imasu ka", "answer", None, "silent_selling"),
    ("Are my details sold to third parties or partners?", "answer", None, "silent_selling"),
    # ... while a request to stop selling is still a third-party-stop request.
    ("第三者への販売をやめてください", "request", 9, "third_party_stop"),
    ("stop selling my data to third parties", "request", 9, "third_party_stop"),
    # A common romaji word is no misspelt keyword: "arimasu" is not "urimasu" (selling).
    ("gaibu no kaisha ni kanri wo makaseru koto wa arimasu ka", "answer", 4, None),
    # Getting data deleted, erased or removed is Art. 9 (not "get my data", Art. 2) ...
    ("How would I get my data wiped?", "answer", 9, None),
    ("how can I get my information erased", "answer", 9, None),
    ("How do I get my personal information removed?", "answer", 9, None),
    ("how do you get my personal data", "answer", 2, None),
    ("データを削除してもらうには？", "answer", 9, None),
    ("私の個人データを消去してもらうには", "answer", 9, None),
    # ... or Art. 8 when what is to be deleted is untrue.
    ("間違った情報を削除してもらうには？", "answer", 8, None),
    ("How do I get the wrong info about me deleted?", "answer", 8, None),
    # Short contact-detail questions are Art. 14 (the contact block) ...
    ("What's the mailing address?", "answer", 14, None),
    ("where do I send a letter?", "answer", 14, None),
    ("Is there a phone number I can call?", "answer", 14, None),
    ("which email address do I use for privacy questions?", "answer", 14, None),
    ("電話番号は？", "answer", 14, None),
    ("郵送先はどこですか", "answer", 14, None),
    # ... but the user's own phone number or address is not a question about contacting the company.
    ("I never handed over my phone number, how did you get it?", "answer", 2, None),
    ("my address is wrong, please fix it", "request", 8, "correction"),
    # Whether data is used for advertising is answered from Arts. 11 and 12(1) (cited as Art. 11), not Art. 3 or 6.
    ("do my preferences decide which ads I'm shown?", "answer", 11, "advertising"),
    ("is my personal data used for advertising purposes", "answer", 11, "advertising"),
    ("広告目的で個人データを使っていますか", "answer", 11, "advertising"),
    ("広告のためにデータ使ってますか", "answer", 11, "advertising"),
    # ... while an ad-free plan is still no policy question.
    ("Is there an ad-free plan? The banner ads are annoying.", "fallback", None, None),
    # When a new purpose need not be told: Art. 3(2)'s exceptions; declining to notify on request: Art. 6.
    ("could you use my data for another purpose and keep quiet about it?", "answer", 3, "purpose_exceptions"),
    ("Are there situations where a new purpose of use is not announced?", "answer", 3, "purpose_exceptions"),
    ("新たな目的で使うときに知らせない場合はある？", "answer", 3, "purpose_exceptions"),
    ("What do you use my data for?", "answer", 3, "purpose_of_use"),
    ("can you refuse to tell me the purpose of use?", "answer", 6, None),
    ("利用目的を教えてもらえない場合は？", "answer", 6, None),
]


@pytest.mark.parametrize(("text", "decision", "article", "what"), FAMILIES)
def test_family(matcher: Matcher, text: str, decision: str, article: int | None, what: str | None) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == (decision, article), match
    if what is not None:
        assert what in (match.intent, match.handoff), match


def test_outranks_is_only_for_silent_intents(tmp_path: Path) -> None:
    write_valid_catalog(tmp_path)
    (tmp_path / "zz.toml").write_text(toml_intents(make_intent("q_outranks", outranks=["topic_09"])), encoding="utf-8")
    with pytest.raises(CatalogError, match="q_outranks.*outranks.*silent"):
        load_catalog(tmp_path)


def test_outranks_must_name_a_question_intent(tmp_path: Path) -> None:
    write_valid_catalog(tmp_path)
    silent = make_intent("silent_x", "silent", None, outranks=["no_such_topic"])
    (tmp_path / "zz.toml").write_text(toml_intents(silent), encoding="utf-8")
    with pytest.raises(CatalogError, match="silent_x.*no_such_topic"):
        load_catalog(tmp_path)


def test_shipped_selling_topic_outranks_third_party_provision() -> None:
    assert "third_party_info" in load_catalog()["silent_selling"].outranks
