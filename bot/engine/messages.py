"""Values that cross the boundary between front ends and the conversation core."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FRONTENDS = ("web", "cli", "slack")


@dataclass(frozen=True)
class Message:
    """One user message as every front end hands it to the core."""

    text: str
    session_id: str
    frontend: str = "web"
    #: Stable user identity where the front end has one (Slack user id); None for anonymous web/CLI.
    user_id: str | None = None
    #: Explicit language choice ("en"/"ja") from a language switch; None means detect from the text.
    lang: str | None = None
    #: Who sent it, for per-client limits on ticket look-ups: the client IP address (web) or the Slack user.
    #: Never stored or logged; None where there is no such client (CLI).
    origin: str | None = None
    #: The step token of the question this message answers (`Reply.step` sent back; see `bot.engine.steps`), or
    #: None for plain text (CLI, API clients, typed Slack messages).
    step: str | None = None


@dataclass(frozen=True)
class Choice:
    """A clarification or form option: the user can click it or type its number or label."""

    number: int
    intent: str | None
    label: str
    article: int | None
    #: For form questions: the option's value (front ends may send it instead of the number).
    value: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the core answers. Front ends only translate it to their wire format."""

    session_id: str
    decision: str
    intent: str | None
    article: int | None
    handoff: str | None
    confidence: float
    lang: str
    text: str
    html: str
    mrkdwn: str
    citation: str | None = None
    choices: tuple[Choice, ...] = ()
    #: Short machine-readable notes for the front end, e.g. "truncated", "store_unavailable".
    notices: tuple[str, ...] = ()
    ticket: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The token of the question this reply asks (a form step, "Did you mean…"); None when it asks nothing.
    #: Front ends send it back with the answer (`Message.step`).
    step: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = [asdict(c) for c in self.choices]
        data["notices"] = list(self.notices)
        return data
