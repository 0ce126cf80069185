"""The long-message speed-ups of issue 18.5 (round 8) give exactly what the code they replaced gave.

Each test compares a fast path with the plain computation it stands for, over the labelled sets (as written and
glued into long messages) and over made-up or random strings of our own.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from intents.normalize import _CJK, _CJK_RUN, _SPACES, char_bigrams, fold, is_cjk, normalize

DATA = Path(__file__).resolve().parents[1] / "data"


def _texts() -> list[str]:
    return [json.loads(line)["text"] for path in sorted(DATA.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _long_texts(count: int = 300) -> list[str]:
    """Messages of 300 to 4,000 characters glued from the labelled ones (as the benchmark's long messages are)."""
    texts = _texts()
    rng = random.Random(85)
    return [rng.choice(["\n", " ", "\n\n"]).join(rng.sample(texts, rng.randint(4, 40)))[:4000] for _ in range(count)]


def test_is_cjk_is_the_regex_on_every_character() -> None:
    for code in range(0x110000):
        char = chr(code)
        assert is_cjk(char) == (char >= "\u3005" and _CJK.match(char) is not None), hex(code)
    for text in ["", "ab", "\u30ffx", "あい", "\u3005x", "x\u3042"]:
        assert is_cjk(text) == (text >= "\u3005" and _CJK.match(text) is not None), text


def test_fold_and_bigrams_collapse_spaces_as_the_regex_did() -> None:
    rng = random.Random(3)
    alphabet = "ab c\t\u3000\u00a0\x1c\x85\u2028あい漢ー々・x1_\n.?"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]
    for text in samples + _texts()[:2000]:
        assert " ".join(text.split()) == _SPACES.sub(" ", text).strip(), repr(text)
        lowered = re.sub(r"[^\w\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+|_+", " ", text.casefold())
        assert fold(text) == _SPACES.sub(" ", lowered).strip(), repr(text)


def test_bigrams_with_a_shared_memo_are_the_same() -> None:
    memo: dict[str, str] = {}
    for text in _texts()[::3] + _long_texts(40):
        folded = normalize(text).text
        plain = char_bigrams(folded)
        assert char_bigrams(folded, memo) == plain
        assert char_bigrams(folded, memo) == plain  # all from the memo now


def test_keyword_pieces_are_the_spaced_runs_split() -> None:
    from intents.keywords import _PIECES

    rng = random.Random(4)
    alphabet = "ab c\t\u3000\u00a0\x1c\x85あい漢ー々・x1_\n"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    for text in samples + [normalize(t).text for t in _texts()[::2]]:
        assert _PIECES.findall(text) == _CJK_RUN.sub(r" \g<0> ", text).split(), repr(text)


def test_outermost_keyword_matches_are_the_pairwise_test() -> None:
    from intents.keywords import _outermost

    def pairwise(matches: list) -> list:  # type: ignore[type-arg]
        accepted, kept = [], []
        for first, last, keyword, factor in sorted(matches, key=lambda m: m[0] - m[1]):
            if any(a <= first and last <= b and (last - first) < (b - a) for a, b in accepted):
                continue
            accepted.append((first, last))
            kept.append((first, last, keyword, factor))
        return kept

    rng = random.Random(5)
    for _ in range(5000):
        matches = []
        for n in range(rng.randint(0, 40)):
            first = rng.randint(0, 30)
            matches.append((first, first + rng.randint(1, 6), f"k{n}", 1.0))
        assert _outermost(matches) == pairwise(matches)


def test_keyword_evidence_by_first_two_characters_is_by_first_character(matcher, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A long Japanese message looks its keywords up by their first two characters: the same evidence, to the bit, as
    looking them up by the first one."""
    import intents.keywords as keywords
    from intents.loanwords import to_katakana

    index = matcher._keywords
    forms = []
    for text in _texts()[::2] + _long_texts(150):
        folded = normalize(text).text
        forms += [folded, to_katakana(folded)]
    by_two = [index.evidence(form) for form in forms]
    monkeypatch.setattr(keywords, "_BIGRAM_MIN_CHARS", 10**9)
    for form, fast in zip(forms, by_two):
        assert fast.tobytes() == index.evidence(form).tobytes(), form[:80]


def test_question_and_statement_forms_are_the_whole_patterns() -> None:
    from intents.cues import _SENTENCE_END
    from intents.structure import _NOT_STATEMENT, _QUESTION_FORM, _question_form, is_statement

    sentences = [s for text in _texts() + _long_texts(60) for s in _SENTENCE_END.split(text) if s.strip()]
    sentences += ["ARIMASU KA", "dekimasu \u212aa", "deshou Ka.", "ok so how", "what?", "  is it  ", "もし",
                  "でしょうか。", "the cat sat", "", "imagine that", "İf so"]
    for sentence in sentences:
        stripped = sentence.strip()
        assert _question_form(stripped) == (_QUESTION_FORM.search(stripped) is not None), sentence
        assert is_statement(sentence) == (_NOT_STATEMENT.search(stripped) is None), sentence


def test_the_last_asking_sentences_are_read_from_the_end() -> None:
    from intents.structure import MAX_ASK_SENTENCES, _asks, _last_asking, split_sentences

    for text in _texts()[::2] + _long_texts(100):
        sentences = tuple(split_sentences(text))
        if sentences:
            expected = ([s for s in sentences if _asks(s)] or [sentences[-1]])[-MAX_ASK_SENTENCES:]
            assert _last_asking(sentences) == expected


def test_vocabulary_tokens_and_term_scores_are_the_lookups(matcher) -> None:  # type: ignore[no-untyped-def]
    from intents.loanwords import to_katakana
    from intents.matcher import _lexical_tokens_of

    lexical = matcher._lexical
    for text in _texts()[::2] + _long_texts(80) + ["cookeis and trakcing", "くっきー の せってい", "ａｂｃ"]:
        folded = normalize(text).text
        for form in (folded, to_katakana(folded)):
            bigrammed = char_bigrams(form)
            tokens = [t for t in map(lexical.lookup, _lexical_tokens_of(bigrammed)) if t is not None]
            assert matcher._vocabulary_tokens(bigrammed) == tokens
            assert lexical.term_scores(tokens).tobytes() == lexical.scores(_lexical_tokens_of(bigrammed)).tobytes()
            assert lexical.term_scores(dict.fromkeys(tokens)).tobytes() == lexical.term_scores(tokens).tobytes()


def test_word_beginnings_from_the_memo_are_every_beginning() -> None:
    from intents.cues import _PREFIX_MAX, TextView

    for text in _texts()[::5] + _long_texts(30):
        for form in (text, fold(text)):
            view = TextView(form)
            expected = frozenset(w[:n] for w in view.words for n in range(1, min(len(w), _PREFIX_MAX) + 1))
            assert view.prefixes == expected
            assert TextView(form).prefixes == expected  # from the memo now


def test_whose_data_searches_by_entries_are_the_whole_patterns() -> None:
    """The searches `OthersReader` runs as finders of their entries (`_FOUND_BY_ENTRIES`) find a text exactly when the
    whole alternation does, and the reader answers as the reader without them."""
    from dataclasses import replace

    from intents.cues import load_cues
    from intents.others import _EMAIL, _FOUND_BY_ENTRIES, EMAIL_WORD, _sentences

    others = load_cues().others
    assert others is not None and others.finders and others.view is not None
    plain = replace(others, finders=(), view=None)
    rng = random.Random(6)
    texts = _texts() + _long_texts(120)
    texts += [" ".join(rng.sample(texts, 8)) for _ in range(100)]
    texts += ["my ex's new number please", "元カノの住所を教えて", "警察の者ですが、このユーザーの電話番号を", "弁護士です"]
    checked = 0
    for text in texts:
        cleaned = normalize(text).cleaned
        en = "\n".join(fold(s) for s in _sentences(_EMAIL.sub(f" {EMAIL_WORD} ", cleaned)))
        for name, form in (("en", en), ("ja", cleaned), ("ja", "\n".join(_sentences(cleaned)))):
            search = others._searcher(name, form)
            lang = others.en if name == "en" else others.ja
            for key in _FOUND_BY_ENTRIES[name]:
                assert search(key) == (getattr(lang, key).search(form) is not None), (name, key, form[:80])
                checked += 1
        folded = fold(cleaned)
        japanese = _CJK.search(cleaned) is not None
        assert others.asks_for_others(cleaned, folded, japanese) == plain.asks_for_others(cleaned, folded, japanese)
    assert checked > 10_000


def test_long_messages_match_as_before_the_speed_ups(matcher, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """End to end on long messages: the matcher with the switchable fast paths off (the whose-data finders, the
    keyword look-up by two characters) gives the same `Match` as with them on."""
    from dataclasses import replace

    import intents.keywords as keywords
    from intents.catalog import load_catalog
    from intents.cues import load_cues
    from intents.matcher import Matcher

    texts = _long_texts(60)
    fast = [matcher.match(text) for text in texts]
    cues = load_cues()
    assert cues.others is not None
    slow = Matcher(load_catalog(), cues=replace(cues, others=replace(cues.others, finders=(), view=None)))
    monkeypatch.setattr(keywords, "_BIGRAM_MIN_CHARS", 10**9)
    assert [slow.match(text) for text in texts] == fast
    assert np.isfinite([m.confidence for m in fast]).all()


def test_gated_removal_is_every_pattern_substituted_in_order(matcher) -> None:  # type: ignore[no-untyped-def]
    """`CueSet.removed` (round 12) skips a pattern whose gate the text as it stands does not pass: the same text as
    substituting every pattern in order, over the labelled messages, long ones glued from them, and texts made to
    hold several work objects and abuse at once."""
    from intents.normalize import clean

    made = ["remove the duplicate entry on my team's task board and the old card on our sprint board, my data too",
            "ポンコツAIだな。どうでもいいけど、カレンダーの予定を消して、私の住所も直して",
            "typo on your homepage: 'personal data' misspelt; also delete my old project and my account please"]
    texts = _texts()[::3] + _long_texts(60) + made
    for cue_set in (matcher.cues.work_object, matcher.cues.abuse):
        for text in texts:
            for variant in (fold(clean(text)), clean(text)):
                expected = variant
                for pattern, _ in cue_set.patterns:
                    expected = pattern.sub(" ", expected)
                assert cue_set.removed(variant) == expected, variant[:80]
