"""The fidelity set (issue 14 point 4): whole replies say what the policy says, in both languages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine.conversation import Conversation
from bot.engine.fidelity import check_item, evaluate_fidelity, is_fidelity_item
from bot.engine.messages import Message
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.renderer import Renderer

FIDELITY = Path(__file__).resolve().parents[2] / "data" / "fidelity.jsonl"



def records() -> list[dict]:
    return [json.loads(line) for line in FIDELITY.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_set_is_big_enough_and_well_formed() -> None:
    items = records()
    assert len(items) >= 80
    assert sum(r["lang"] == "ja" for r in items) >= 30 and sum(r["lang"] == "en" for r in items) >= 30
    assert len({r["id"] for r in items}) == len(items)
    silent = [r for r in items if r["kind"] == "silent"]
    assert len(silent) >= 10 and {r["lang"] for r in silent} == {"en", "ja"}
    assert {r["article"] for r in items if r["kind"] != "silent"} == set(range(1, 15))
    for r in items:
        assert is_fidelity_item(r) and (r["must"] or r["must_not"]), r["id"]
        assert (r["article"] is None) == (r["kind"] == "silent"), r["id"]


@pytest.fixture()
def conversation(matcher: Matcher, renderer: Renderer, store: SQLiteStore) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=store)


def test_every_item_is_answered_faithfully(conversation: Conversation) -> None:
    report = evaluate_fidelity(conversation.handle, records())
    failed = {f["id"]: f["problems"] for f in report.failures}
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    summary = report.summary()
    assert summary["faithful_counts"] == summary["item_counts"]
    assert summary["silent_faithful"] == summary["silent_items"] >= 10


def test_the_check_catches_what_the_issue_found(conversation: Conversation) -> None:
    """The checker itself: the wrong replies the review found fail it."""
    fee = {"text": "What does it cost?", "lang": "en", "article": None, "handoff": None, "kind": "silent",
           "must": [], "must_not": ["Yes."]}
    wrong = conversation.handle(Message(text="Can I get a copy of my data?", session_id="c1"))
    assert wrong.article == 7
    problems = check_item(fee, wrong)
    assert any("expected silent" in p for p in problems)
    yes = check_item({**fee, "kind": "question", "article": 7}, wrong.__class__(**{**wrong.__dict__,
                                                                                     "text": "Yes. You can."}))
    assert yes == ["must not say 'Yes.'"]
    located = {"text": "Where are you located?", "lang": "en", "article": 14, "handoff": None,
               "kind": "question", "must": ["213-0011"], "must_not": []}
    assert check_item(located, wrong) == ["expected article 14, got 7 (answer)", "missing '213-0011'"]
