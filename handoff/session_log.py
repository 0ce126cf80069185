"""A chat session's transcript, kept beside its state rather than inside it (issue 18).

The state every chat message reads and writes whole used to carry the transcript (the last 30 lines, bot replies in
full) and, while a request form was open, the form's own copy of the lines that led to it: 15-27 kB of JSON parsed
and rewritten on every message, although the lines are only read when a page is reloaded, when a ticket is filed or
in a Slack modal. Now each line is numbered and written once, by the same store call (one transaction, one Redis
script) that writes the state; the state keeps only the number of the last line (`COUNT_KEY`), the time and text of
the last user message (`LAST_USER_KEY`, for the retry check) and, while a form is open, the numbers of the lines its
ticket will attach (`FORM_KEY`) instead of a copy.

What is kept is what the state kept before: the last `LINES` lines, plus an open form's lines. A write tells the
store which numbers to keep (`LogWrite.keep`); every other line of the session is deleted in the same step, so no
more personal data is held than before. A state written before this change (a `transcript` list, perhaps a
`form_transcript`) is read as it is and its lines move to the log at its next write.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

#: Lines a session keeps (user and bot lines): what a ticket can attach, and no more (`bot.engine.desk`).
LINES = 30
#: State keys: the number of the session's last line; the last user message (`{"text", "at"}`); an open form's lines.
COUNT_KEY = "log"
LAST_USER_KEY = "last_user"
FORM_KEY = "form_log"
#: The state keys written before the log (read, then moved to the log at the next write).
LEGACY_KEY = "transcript"
LEGACY_FORM_KEY = "form_transcript"


@dataclass(frozen=True)
class LogWrite:
    """Lines to append to a session's log, numbered from `first`, written with its state (`save_session(log=…)`);
    afterwards only lines whose numbers fall in one of the `keep` ranges (inclusive, ascending, disjoint, new lines
    included) remain."""

    first: int
    lines: tuple[Mapping[str, Any], ...]
    keep: tuple[tuple[int, int], ...]

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1

    def gaps(self) -> list[tuple[int | None, int | None]]:
        """The numbers to delete, as inclusive ranges (None: no bound): below the first kept range, between kept
        ranges, and above the last one (a line left by an earlier session of the same id, never shown)."""
        out: list[tuple[int | None, int | None]] = [(None, self.keep[0][0] - 1)]
        for (_, hi), (lo, _) in zip(self.keep, self.keep[1:]):
            if lo > hi + 1:
                out.append((hi + 1, lo - 1))
        out.append((self.keep[-1][1] + 1, None))
        return out


class LogReader(Protocol):
    def load_log(self, session_id: str, first: int, last: int) -> list[dict[str, Any]]: ...


def last_number(state: Mapping[str, Any]) -> int:
    """The number of the session's last line (0: none yet). A state from before the log counts its list's lines,
    which are numbered from 1 when they move."""
    count = state.get(COUNT_KEY)
    if isinstance(count, int):
        return count
    legacy = state.get(LEGACY_KEY)
    return len(legacy) if isinstance(legacy, list) else 0


def append(state: dict[str, Any], lines: Sequence[Mapping[str, Any]]) -> LogWrite:
    """Number `lines` after the session's last one, record the new count in `state`, and say what the session keeps
    afterwards. A state from before the log gives up its list here: its lines go first."""
    new = list(lines)
    legacy = state.pop(LEGACY_KEY, None) if COUNT_KEY not in state else None
    if isinstance(legacy, list):
        new = [line for line in legacy if isinstance(line, Mapping)] + new
        first = 1
    else:
        first = last_number(state) + 1
    last = first + len(new) - 1
    state[COUNT_KEY] = last
    keep = [(max(1, last - LINES + 1), last)]
    window = form_window(state)
    if window is not None:
        lo, hi = window
        if hi < keep[0][0] - 1:
            keep.insert(0, (lo, hi))
        else:
            keep[0] = (min(lo, keep[0][0]), last)
    return LogWrite(first, tuple(new), tuple(keep))


def form_window(state: Mapping[str, Any]) -> tuple[int, int] | None:
    window = state.get(FORM_KEY)
    if isinstance(window, list) and len(window) == 2 and all(isinstance(n, int) for n in window):
        return window[0], window[1]
    return None


def open_form(state: dict[str, Any]) -> None:
    """A form starts with this message: its ticket will attach the lines up to this message's own (the next line
    written), at most `LINES` of them."""
    state.pop(LEGACY_FORM_KEY, None)
    opener = last_number(state) + 1
    state[FORM_KEY] = [max(1, opener - LINES + 1), opener]


def close_form(state: dict[str, Any]) -> None:
    state.pop(FORM_KEY, None)
    state.pop(LEGACY_FORM_KEY, None)


def recent(store: LogReader, session_id: str, state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The session's last `LINES` lines, oldest first. Raises StoreUnavailable."""
    legacy = state.get(LEGACY_KEY)
    if COUNT_KEY not in state:
        return [dict(x) for x in legacy if isinstance(x, Mapping)] if isinstance(legacy, list) else []
    last = last_number(state)
    return store.load_log(session_id, max(1, last - LINES + 1), last) if last > 0 else []


def form_lines(store: LogReader, session_id: str, state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines an open form's ticket attaches: the conversation up to the message that asked for it. Raises
    StoreUnavailable."""
    legacy = state.get(LEGACY_FORM_KEY)
    if isinstance(legacy, list):
        return [dict(x) for x in legacy if isinstance(x, Mapping)]
    window = form_window(state)
    if window is None:
        return []
    return store.load_log(session_id, *window)


def last_user(state: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The session's previous user message (`text`, `at`), or None."""
    line = state.get(LAST_USER_KEY)
    if isinstance(line, Mapping):
        return line
    for line in reversed(state.get(LEGACY_KEY) or []):
        if isinstance(line, Mapping) and line.get("role") == "user":
            return line
    return None
