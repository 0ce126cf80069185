"""Admin edits reach every worker within a second, without a restart.

`LiveContent` keeps this process's copy of the template overrides and the matcher built with the admin-added
example phrasings. At most every `interval` seconds (0.5 by default) it asks the store for its revision counters
(one cheap read, `content_revisions()`); only when a counter moved does it reload the overrides, or rebuild the
matcher from `Catalog.with_extra_examples` (about 60 ms, done by one thread while the others keep answering
with the previous matcher). The worker that saved an edit calls `invalidate()` so its own next reply uses it.

On the event loop, where a Redis store refuses any call but the message's own read and write (`handoff.waiting`), a
due check of the revisions is made by a thread of its own and the message is answered with the copy in use; a change
it finds is loaded by the next message, answered on a thread.

If the store cannot be read, the last good copy stays in use (the shipped defaults at start-up) and the check is
repeated at the next interval: an outage never stops answers.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Callable

from handoff import waiting
from handoff.content import Phrasing
from handoff.store import ContentStore
from intents.catalog import Catalog
from intents.matcher import Matcher

log = logging.getLogger(__name__)

REFRESH_INTERVAL = 0.5


def extra_examples(phrasings: list[Phrasing]) -> dict[str, dict[str, list[str]]]:
    """Phrasings as `Catalog.with_extra_examples` takes them: {intent: {lang: [text, ...]}}."""
    extra: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for phrasing in phrasings:
        extra[phrasing.intent][phrasing.lang].append(phrasing.text)
    return {intent: dict(langs) for intent, langs in extra.items()}


class LiveContent:
    """A `TemplateSource` for the renderer and a matcher provider for the conversation, both kept current."""

    def __init__(self, store: ContentStore, catalog: Catalog, matcher: Matcher, *,
                 interval: float = REFRESH_INTERVAL, clock: Callable[[], float] = time.monotonic,
                 build_matcher: Callable[[Catalog], Matcher] = Matcher) -> None:
        self.store = store
        self.catalog = catalog
        self.interval = interval
        self._clock = clock
        self._build_matcher = build_matcher
        self._base_matcher = matcher
        self._matcher = matcher
        self._templates: dict[tuple[str, str], str] = {}
        self._revisions = {"templates": -1, "phrasings": -1}
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._starting = threading.Lock()
        self._checking: threading.Thread | None = None

    # -- what the renderer and the conversation call -------------------------------------------
    def get(self, name: str, lang: str) -> str | None:
        """`TemplateSource.get`: the override in use for `name` in `lang`, or None for the shipped default."""
        self.refresh()
        return self._templates.get((name, lang))

    def matcher(self) -> Matcher:
        """The matcher with every admin-added phrasing (the shipped one when there are none)."""
        self.refresh()
        return self._matcher

    # -- keeping current -----------------------------------------------------------------------
    def invalidate(self) -> None:
        """Check the store at the next use instead of waiting for the interval (after this worker saved)."""
        self._checked = float("-inf")

    def refresh(self, *, force: bool = False) -> None:
        """Reload what changed if the interval has passed (or `force`). Never raises for store failures."""
        if not force and self._clock() - self._checked < self.interval:
            return
        # One thread checks; the others go on with the current copy instead of queueing behind it.
        if not self._lock.acquire(blocking=force):
            return
        checked_before = self._checked
        try:
            self._checked = self._clock()
            revisions = self.store.content_revisions()
            if revisions.get("templates") != self._revisions["templates"]:
                heads = self.store.template_heads()
                self._templates = {key: v.source for key, v in heads.items() if v.source is not None}
                self._revisions["templates"] = revisions.get("templates", 0)
            if revisions.get("phrasings") != self._revisions["phrasings"]:
                phrasings = [p for p in self.store.list_phrasings() if p.intent in self.catalog]
                catalog = self.catalog.with_extra_examples(extra_examples(phrasings)) if phrasings else None
                self._matcher = self._build_matcher(catalog) if catalog is not None else self._base_matcher
                self._revisions["phrasings"] = revisions.get("phrasings", 0)
        except waiting.WouldWait:
            # On the event loop a store that must not wait there refused the check (`handoff.waiting`: Redis). After
            # this worker's own edit (`invalidate`), or once a check found a change, the message is answered again on
            # a thread, which loads it. A periodic check reads the revisions on a thread of its own instead, and this
            # message goes on with the copy in use, as the other threads do while one checks: answering it again
            # for a check that almost never finds a change cost 2 % of Redis chat messages a second answer.
            self._checked = checked_before
            if checked_before == float("-inf"):
                raise
            self._check_in_background()
        except Exception as exc:  # noqa: BLE001 - an outage (StoreError) or a bad row must never stop answers
            log.warning("admin content not refreshed (%s); using the last copy", type(exc).__name__)
        finally:
            self._lock.release()

    def _check_in_background(self) -> None:
        """Start one thread that reads the revisions (none when one is already on its way)."""
        with self._starting:
            if self._checking is not None and self._checking.is_alive():
                return
            self._checking = threading.Thread(target=self._check_revisions, name="privacy-bot-content-check",
                                              daemon=True)
            self._checking.start()

    def _check_revisions(self) -> None:
        """The due check made beside the event loop: only the revision counters. Unchanged (nearly always), the copy
        stays and the next check is an interval away. Changed, the copy is due at once (as after `invalidate`), so
        the next message loads it where it may wait, as before: on the loop it is answered again on a thread that
        does. (Loading here instead, the rebuilt matcher took longer than a second while the loop kept answering.)"""
        try:
            revisions = self.store.content_revisions()
        except Exception as exc:  # noqa: BLE001 - an outage (StoreError) must never stop answers
            log.warning("admin content not refreshed (%s); using the last copy", type(exc).__name__)
            self._checked = self._clock()
            return
        if all(revisions.get(kind, 0) == loaded for kind, loaded in self._revisions.items()):
            self._checked = self._clock()
        else:
            self._checked = float("-inf")

    @property
    def revisions(self) -> dict[str, int]:
        """The revisions this process has loaded (-1 before the first successful check)."""
        return dict(self._revisions)
