"""Synthetic intent catalogs N times the size of the shipped one, for the matcher's scaling benchmark.

Every shipped intent (question, request and smalltalk alike) gets N-1 siblings with their own ids and labels and
the same kind, article, paragraph and request type. A sibling's example phrasings are the original's, each
perturbed the way people vary a sentence: a synonym swapped in, a filler word inserted, a word dropped, two words
swapped, a typo (two letters exchanged), a short context tail added; Japanese phrasings get synonym swaps,
an opening phrase, sentence-final variants and a character-level typo. A sibling's phrasing differs from every
phrasing before it where a few tries allow. Keywords are kept (with a perturbed one added now and then),
so the vocabulary grows realistically and most siblings share words with real messages: the matcher has to
compare with them, which is what makes the benchmark honest. Deterministic for a given seed.
"""
from __future__ import annotations

import random
from dataclasses import replace

from intents.catalog import Catalog, Intent

EN_SYNONYMS = [
    ("data", "information", "details", "info", "records"),
    ("delete", "erase", "remove", "wipe"),
    ("stop", "cease", "quit", "halt"),
    ("send", "give", "provide", "email"),
    ("company", "firm", "business", "service"),
    ("use", "process", "handle"),
    ("tell", "inform", "notify"),
    ("correct", "fix", "update", "amend"),
    ("please", "kindly", "pls"),
    ("partners", "third parties", "other companies", "vendors"),
    ("cookies", "trackers", "tracking cookies"),
    ("ask", "request", "apply for"),
    ("how", "in what way"),
    ("my", "our"),
]
EN_FILLERS = ["actually", "really", "exactly", "currently", "also", "maybe", "still", "just", "honestly", "now"]
EN_TAILS = ["for my account", "on the website", "in the app", "this year", "for our team", "right now",
            "as a customer", "if possible", "in general", "by email"]
JA_SYNONYMS = [
    ("個人情報", "パーソナルデータ", "個人データ", "私の情報"),
    ("削除", "消去", "抹消"),
    ("教えて", "知りたい", "説明して"),
    ("停止", "中止", "ストップ"),
    ("第三者", "他社", "提携先"),
    ("訂正", "修正", "直して"),
    ("ください", "くださいませ", "ほしい"),
]
JA_TAILS = ["について", "の件", "です", "でしょうか", "をお願いします", "。", "？", "（至急）", "と思っています",
            "か確認したいです", "の手続き", "について教えて"]
JA_HEADS = ["あの、", "すみません、", "ちなみに", "念のため", "質問です。", "お世話になっております。", "急ぎですが、",
            "アプリで", "ウェブサイトで", "会員として", "以前から", "家族の"]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def perturb_en(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        if not words:
            break
        action = rng.randrange(6)
        if action == 0:  # synonym
            lowered = [w.lower().strip(".,?!") for w in words]
            options = [(i, group) for i, w in enumerate(lowered) for group in EN_SYNONYMS if w in group]
            if options:
                i, group = rng.choice(options)
                words[i] = rng.choice([g for g in group if g != lowered[i]] or list(group))
        elif action == 1:  # filler
            words.insert(rng.randrange(len(words) + 1), rng.choice(EN_FILLERS))
        elif action == 2 and len(words) > 3:  # drop a word
            del words[rng.randrange(1, len(words))]
        elif action == 3 and len(words) > 2:  # swap neighbours
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif action == 4:  # typo
            i = rng.randrange(len(words))
            words[i] = _typo(words[i], rng)
        else:  # context tail
            words.append(rng.choice(EN_TAILS))
    return " ".join(words) or text


def perturb_ja(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        action = rng.randrange(4)
        if action == 0:
            options = [(w, group) for group in JA_SYNONYMS for w in group if w in text]
            if options:
                word, group = rng.choice(options)
                text = text.replace(word, rng.choice([g for g in group if g != word] or list(group)), 1)
        elif action == 1:
            text = text.rstrip("。？?") + rng.choice(JA_TAILS)
        elif action == 2:
            text = rng.choice(JA_HEADS) + text
        elif len(text) > 4:
            i = rng.randrange(1, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def _distinct(original: str, perturb, rng: random.Random, seen: set[str]) -> str:  # type: ignore[no-untyped-def]
    """A perturbation of `original` not seen before (a few tries), as a sibling catalog would have."""
    text = original
    for _ in range(8):
        text = perturb(original, rng)
        if text not in seen:
            break
    seen.add(text)
    return text


def sibling(intent: Intent, n: int, rng: random.Random, seen: set[str]) -> Intent:
    examples = {
        "en": tuple(_distinct(e, perturb_en, rng, seen) for e in intent.examples.get("en", ())),
        "ja": tuple(_distinct(e, perturb_ja, rng, seen) for e in intent.examples.get("ja", ())),
    }
    keywords = {lang: tuple(words) for lang, words in intent.keywords.items()}
    if keywords.get("en") and rng.random() < 0.3:
        keywords["en"] = keywords["en"] + (perturb_en(rng.choice(keywords["en"]), rng),)
    labels = {lang: f"{label} ({n})" for lang, label in intent.labels.items()}
    return replace(intent, id=f"{intent.id}__s{n:03d}", labels=labels, examples=examples, keywords=keywords)


def synthetic_catalog(base: Catalog, factor: int, seed: int = 6) -> Catalog:
    """`base` plus `factor - 1` perturbed siblings of each of its intents (the originals first)."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    rng = random.Random(seed)
    intents = list(base.intents)
    seen = {e for intent in base.intents for texts in intent.examples.values() for e in texts}
    for n in range(1, factor):
        intents.extend(sibling(intent, n, rng, seen) for intent in base.intents)
    return Catalog(tuple(intents))


def example_count(catalog: Catalog) -> int:
    return sum(len(v) for intent in catalog for v in intent.examples.values())
