"""Composition root: builds settings, catalog, matcher, renderer, store and engine, in that order.

Everything the front ends need is created here once at start-up; data files are loaded and validated
now, so a broken catalog or template stops the process with an error naming the file and entry.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

from bot.config import Settings
from bot.conversation import Conversation
from handoff.sqlite_store import SQLiteStore
from handoff.store import Store
from intents.catalog import Catalog, load_catalog
from intents.matcher import Matcher
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    matcher: Matcher
    renderer: Renderer
    store: Store
    conversation: Conversation

    def close(self) -> None:
        self.store.close()


def build_store(settings: Settings) -> Store:
    """SQLite in the data directory by default; Redis when REDIS_URL is set."""
    if settings.redis_url:
        from handoff.redis_store import RedisStore  # imported lazily: only Redis deployments need it

        return RedisStore.from_url(settings.redis_url, prefix=settings.redis_key_prefix, sla_days=settings.sla_days)
    return SQLiteStore.in_dir(settings.data_dir, sla_days=settings.sla_days)


def build_matcher(catalog: Catalog | None = None) -> Matcher:
    return Matcher(catalog or load_catalog())


def build_renderer() -> Renderer:
    return Renderer(env=make_environment(), policies=load_policies())


def build_services(settings: Settings | None = None, *, store: Store | None = None) -> Services:
    settings = settings or Settings.from_env(os.environ)
    catalog = load_catalog()
    matcher = build_matcher(catalog)
    renderer = build_renderer()
    store = store or build_store(settings)
    conversation = Conversation(
        matcher=matcher,
        renderer=renderer,
        store=store,
        session_ttl=settings.session_ttl,
        max_message_chars=settings.max_message_chars,
        default_lang=settings.default_lang,
    )
    return Services(settings, catalog, matcher, renderer, store, conversation)


class _PiiFilter(logging.Filter):
    """Drops the `text` extra from log records unless LOG_PII=1, as a second line of defence."""

    def __init__(self, allow: bool) -> None:
        super().__init__()
        self.allow = allow

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.allow and hasattr(record, "user_text"):
            record.user_text = "[redacted]"
        return True


def configure_logging(settings: Settings, environ: Mapping[str, str] | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_PiiFilter(settings.log_pii))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
