"""Runs the daily digest (`handoff.digest`) beside the server: a thread that, every few minutes, enqueues today's
digest once it is past `PRIVACY_BOT_DIGEST_HOUR` (Japan time) and asks the dispatcher to deliver it. Enqueueing is
idempotent per day and channel, so several workers (or a cron job running `privacy-bot tickets digest`) still send
one digest a day."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from bot.app import Services, build_routing
from handoff.digest import enqueue_digest
from handoff.outbox import OutboxMessage

log = logging.getLogger(__name__)
CHECK_SECONDS = 300.0


def digest_now(services: Services, *, now: float | None = None, hour: int | None = None) -> list[OutboxMessage]:
    """Enqueue today's digest for the staff channels (`hour`: the setting's, unless given) and kick the dispatcher."""
    settings = services.settings
    hour = settings.digest_hour if hour is None else hour
    if hour is None:
        return []
    messages = enqueue_digest(services.store, now=time.time() if now is None else now,
                              due_soon_days=settings.due_soon_days, channels=build_routing(settings).staff, hour=hour)
    if messages:
        services.dispatcher.kick()
    return messages


class DigestScheduler:
    """`start()` / `stop()`; a failure (store down) is logged and tried again at the next check."""

    def __init__(self, services: Services, *, every: float = CHECK_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.services, self.every, self.clock = services, every, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.services.settings.digest_hour is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="digest", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                digest_now(self.services, now=self.clock())
            except Exception as exc:  # noqa: BLE001 - the next check tries again; the server goes on
                log.warning("daily digest not enqueued (%s)", type(exc).__name__)
            self._stop.wait(self.every)
