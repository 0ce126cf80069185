"""A graceful stop for the long-running commands (`privacy-bot serve`, `privacy-bot slack`) on SIGTERM and SIGINT.

Python's default for SIGTERM ends the process at once: no `finally` runs, so `Services.close()` never stops the
outbox's dispatcher, and a message it is delivering can reach Slack or the mail server without its delivery being
recorded (it is sent again when its lease ends). uvicorn catches SIGTERM while it serves, but once it has shut down
it raises the signal again with the handler it found; with Python's default that ended the process the same way,
just before the clean-up. Inside `stop_on_signals` the handler is ours: the first signal asks the main loop to end
and the clean-up then runs to the end.
"""
from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Iterator

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequests:
    """The handler: the first SIGTERM or SIGINT calls `stop()` (which asks the main loop to end, or raises to end
    it); later ones do not cut the clean-up short (a process manager's SIGKILL still ends the process), except a
    second SIGINT, which raises KeyboardInterrupt (Ctrl-C twice at a terminal)."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self.stop = stop
        self.received: list[int] = []

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if len(self.received) == 1:
            self.stop()
        elif signum == signal.SIGINT:
            raise KeyboardInterrupt
        else:
            log.warning("signal %d while stopping: finishing the clean-up first", signum)


@contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[StopRequests]:
    """Inside, SIGTERM and SIGINT go to a `StopRequests(stop)`; the previous handlers come back on leaving. Put the
    clean-up inside too. Outside the main thread (where signals cannot be handled) nothing is installed."""
    requests = StopRequests(stop)
    if threading.current_thread() is not threading.main_thread():
        yield requests
        return
    previous: dict[int, Any] = {sig: signal.signal(sig, requests) for sig in STOP_SIGNALS}
    try:
        yield requests
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
