"""Decision counts for the analytics page: how many replies of each kind, per week, article, language and front end.

Nothing of the message is kept, only the decision, the cited article and the reply's language. Counts are buffered
and added to the store in one write every `flush_seconds` by a background thread (and on `flush()` at shutdown), so a
chat message costs a dictionary update, never a store write or round trip of its own; a crash loses at most that
many seconds of counts, and a store outage keeps them buffered (up to `MAX_BUFFERED` cells) for the next flush.
`background=False` flushes on the recording thread instead, when `flush_seconds` have passed (one-shot tools, tests).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from handoff.analytics import AnalyticsStore, DecisionTally, day_number, decision_tally, week_start

log = logging.getLogger(__name__)
MAX_BUFFERED = 10_000


def decision_kind(decision: str, intent: str | None) -> str:
    """`out_of_scope` for a fallback on a support topic (it names its intent); otherwise the decision itself."""
    return "out_of_scope" if decision == "fallback" and intent else decision


class DecisionRecorder:
    """`record(...)` after every reply; never raises (counting must not break answering)."""

    def __init__(self, store: AnalyticsStore, *, clock: Callable[[], float] = time.time,
                 flush_seconds: float = 5.0, background: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.flush_seconds = flush_seconds
        self.background = background
        self._lock = threading.Lock()
        self._buffer: dict[DecisionTally, int] = {}
        self._last_flush = clock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _flusher(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def close(self) -> None:
        """Stop the background flusher and write what is buffered."""
        self._stop.set()
        self.flush()

    def record(self, decision: str, intent: str | None, article: int | None, lang: str, frontend: str) -> None:
        try:
            now = self.clock()
            # The remembered cell (`decision_tally`): the same few cells every week, validated once each.
            tally = decision_tally(week_start(day_number(now)), decision_kind(decision, intent), article, lang,
                                   frontend)
        except ValueError as exc:
            log.warning("decision not counted (%s)", exc)
            return
        with self._lock:
            if tally in self._buffer or len(self._buffer) < MAX_BUFFERED:
                self._buffer[tally] = self._buffer.get(tally, 0) + 1
            due = not self.background and now - self._last_flush >= self.flush_seconds
            if self.background and self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._flusher, name="decision-counts", daemon=True)
                self._thread.start()
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered; on failure keep it for the next try."""
        with self._lock:
            batch, self._buffer = self._buffer, {}
            self._last_flush = self.clock()
        if not batch:
            return
        try:
            self.store.add_decisions(batch)
        except Exception as exc:  # noqa: BLE001 - counts wait for the next flush; the reply has gone out already
            log.warning("decision counts not written yet (%s); kept for the next flush", type(exc).__name__)
            with self._lock:
                for tally, n in batch.items():
                    if tally in self._buffer or len(self._buffer) < MAX_BUFFERED:
                        self._buffer[tally] = self._buffer.get(tally, 0) + n
