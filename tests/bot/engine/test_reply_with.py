"""`conversation._with` gives what `dataclasses.replace` gives for a `Reply` (issue 18: it is on every chat message)."""
from __future__ import annotations

from dataclasses import replace

from bot.engine.conversation import _with
from bot.engine.messages import Choice, Reply


def test_with_equals_replace_and_leaves_the_original_alone() -> None:
    reply = Reply(session_id="s-12345678", decision="clarify", intent=None, article=None, handoff=None,
                  confidence=0.5, lang="ja", text="t", html="h", mrkdwn="m",
                  choices=(Choice(number=1, intent="a", label="A", article=3),), notices=("x",), extra={"markup": "t"})
    for changes in ({"step": "tok"}, {"notices": ("x", "y")}, {"extra": {"offer": "disclosure"}, "step": None}, {}):
        made = _with(reply, **changes)
        assert made == replace(reply, **changes)
        assert type(made) is Reply and made is not reply
        assert made.__dict__ == replace(reply, **changes).__dict__
    assert reply.step is None and reply.notices == ("x",)
