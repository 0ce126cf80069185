"""Reading a message's structure (issue 13 point 2): sentences, the ask, quoted words, negation, hypotheticals.

Phrasings are written for these tests (not evaluation items, not catalog examples).
"""
from __future__ import annotations

import pytest

from intents.catalog import Catalog
from intents.matcher import Matcher
from intents.structure import is_statement, read, split_sentences
from intents.thresholds import Thresholds


def test_sentences_split_on_english_and_japanese_ends_and_newlines() -> None:
    assert split_sentences("First one. Second one? Third!\nFourth") == ["First one.", "Second one?", "Third!", "Fourth"]
    assert split_sentences("住所を変えました。新しい住所です！正しいですか？") == ["住所を変えました。", "新しい住所です！", "正しいですか？"]
    # Numbers and abbreviations do not end a sentence.
    assert split_sentences("version 3.5 is out, e.g. today. Next") == ["version 3.5 is out, e.g. today.", "Next"]


def test_the_ask_is_the_question_not_the_context() -> None:
    structure = read("I've used your app since 2019. Your support chat was slow last week. "
                     "Who checks that contractors handle my data properly?")
    assert structure.focused
    assert structure.ask == "Who checks that contractors handle my data properly?"
    assert not read("what do cookies do?").focused  # one sentence: the whole message is the ask


def test_without_a_question_the_last_sentence_is_the_ask() -> None:
    structure = read("Long week. Lots of emails from you. Stuff about campaigns")
    assert structure.ask == "Stuff about campaigns"


def test_quoted_words_and_negated_clauses_are_not_the_users_own() -> None:
    own = read('My friend said to write "please erase every record you hold on me" to you. Does that work?').own
    assert "erase" not in own and "Does that work?" in own
    own = read("I'm not asking for a copy of anything, I only wonder how you secure it.").own
    assert "copy" not in own and "secure" in own
    own = read("「全部消してください」って書けばいいんですか？").own
    assert "消して" not in own
    assert "「佐藤」" in read("名字は「佐藤」です").own  # a short quote is a name, kept


@pytest.mark.parametrize(("sentence", "statement"), [
    ("The phone number you have for me is out of date.", True),
    ("My surname changed to Mori last spring", True),
    ("if the phone number you have is wrong, can you fix it?", False),
    ("say my address is outdated - what happens", False),
    ("is my address wrong in your records?", False),
    ("登録されている電話番号が間違っています。", True),
    ("電話番号が間違っていたら直してもらえますか", False),
])
def test_statements_are_told_from_questions_and_hypotheticals(sentence: str, statement: bool) -> None:
    assert is_statement(sentence) is statement


@pytest.mark.parametrize(("text", "handoff"), [
    ("The phone number on my account is out of date, it's 090-0000-0000 now.", "correction"),
    ("Your records spell my name Sasaky. It should be Sasaki.", "correction"),
    ("登録されているメールアドレスが間違っています。正しくは a@example.jp です。", "correction"),
    ("A copy of every record about me. PDF is fine.", "disclosure"),
])
def test_requests_made_by_stating_facts(matcher: Matcher, text: str, handoff: str) -> None:
    match = matcher.match(text)
    assert (match.decision, match.handoff) == ("request", handoff), (match.decision, match.intent)


@pytest.mark.parametrize("text", [
    "if the phone number you hold were out of date, would you fix it?",
    "say my name is misspelled in your system — do you correct it at once or check first?",
    '"Please erase all my data" — if a customer writes that, what do we have to do under the policy?',
    "I'm not asking you to delete anything. How long do corrections take to investigate?",
    "電話番号が間違っていたら、どうやって直してもらえばいいですか？",
])
def test_hypotheticals_quotes_and_negations_open_no_request(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent)


def test_learned_signal_trains_on_the_catalog_and_scores_topics(catalog: Catalog) -> None:
    on = Matcher(catalog, thresholds=Thresholds(learned_points=15.0))
    assert on._learned is not None and Matcher(catalog)._learned is None  # off by default: no training, no sklearn
    scores = on._learned.scores("do u encrypt my stuf")
    assert scores.shape == (len(catalog),) and scores.max() > 0
    best = catalog.intents[int(scores.argmax())]
    assert best.article == 5, best.id  # typos and no shared whole word: character n-grams still find security
    assert on.match("what are cookies used for?").article == 12


def test_with_ask_weight_a_long_message_is_answered_on_its_ask(catalog: Catalog) -> None:
    text = ("Hi! Quick background: last month I called your support line about my invoice and the agent was "
            "friendly. They mentioned my account details while checking the invoice. Anyway, unrelated to that: "
            "do you use cookies to show me ads?")
    whole = Matcher(catalog, thresholds=Thresholds(ask_weight=0.0)).match(text)
    # Read whole, the invoice chatter would win, but the message names personal data ("my account details", "ads"):
    # chatter beside personal data is context (issue 13 round 4), so the whole reading answers too.
    assert whole.article == 12, whole.intent
    focused = Matcher(catalog, thresholds=Thresholds(ask_weight=0.5)).match(text)
    assert focused.article == 12, focused.intent


# -- no dead ends (issue 13 point 5) -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "article"), [("security?", 5), ("outsorcing??", 4), ("クッキー", 12)])
def test_a_one_topic_word_is_answered_not_a_dead_end(matcher: Matcher, text: str, article: int) -> None:
    match = matcher.match(text)
    assert (match.decision, match.article) == ("answer", article), (match.decision, match.intent)


def test_weak_evidence_for_several_topics_is_a_clarify_with_two_or_three_choices(matcher: Matcher) -> None:
    match = matcher.match("info about personal data")
    assert match.decision == "clarify" and 2 <= len(match.choices) <= 3
    assert all(matcher.catalog[c].article is not None for c in match.choices)


@pytest.mark.parametrize("text", ["lunch at noon?", "the printer on floor 3 is jammed again", "zzqx vvlp"])
def test_no_evidence_is_still_an_honest_fallback(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).decision == "fallback"


@pytest.mark.parametrize("text", [
    "Will you let me know if my account is ever compromised?",
    "ご担当者様\n\nいつもお世話になっております。貴社では個人情報の漏えいを防ぐためにどのような対策をされていますか。",
    "使わなくなったアカウントのデータを消してもらう権利はありますか？",
    "deeta wo keshite moraitai baai, dou sureba ii desu ka",
])
def test_questions_that_look_like_requests_open_none(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.decision != "request", (match.decision, match.intent)


def test_may_not_ask_is_the_whole_pattern_searched() -> None:
    """`may_not_ask` (the romaji conditionals searched only where "ara" occurs) answers as `MAY_NOT_ASK.search`."""
    import json
    import sys
    from pathlib import Path

    from intents.structure import MAY_NOT_ASK, may_not_ask

    data = Path(__file__).resolve().parents[1] / "data"
    texts = [json.loads(line)["text"] for path in sorted(data.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["moshi", "TABETARA", "ikitara?", "Shitara", "nandara", "hashıtara", "aaaa shittara bbb", "ara", "ARA",
              "kawattara ne", "if", "よろしく", "", "tara", "sayonara"]
    for text in texts + [t.upper() for t in texts]:
        assert may_not_ask(text) == (MAY_NOT_ASK.search(text) is not None), text
    # the gate's premise: under IGNORECASE "a" and "r" match only themselves in either case
    import re
    for letter in "ar":
        pattern = re.compile("(?i)" + letter)
        assert [c for c in range(sys.maxunicode + 1) if pattern.fullmatch(chr(c))] == [ord(letter.upper()), ord(letter)]
