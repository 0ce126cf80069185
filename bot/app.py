"""Composition root: builds settings, catalog, matcher, renderer, store, outbox transports and engine, in that order.

Everything the front ends need is created here once at start-up; data files are loaded and validated
now, so a broken catalog or template stops the process with an error naming the file and entry.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Callable, cast

from slack_sdk import WebClient

from bot.config import Settings
from bot.engine.conversation import Conversation
from bot.engine.desk import Desk
from bot.live_content import LiveContent
from bot.metrics import CountingStore, MeasuredConversation, Metrics, StoreCollector
from bot.ratelimit import RateLimiter
from bot.redaction import redact
from bot.engine.decisions import DecisionRecorder
from bot.engine.unanswered import UnansweredRecorder
from handoff.notify import NO_PERSONAL_DATA, LogTransport, SlackTransport
from handoff.digest import DigestLogTransport, add_slack_digest, with_digest_email
from handoff.dispatch import Dispatcher
from handoff.intake import load_texts
from handoff.mail import SmtpConfig, SmtpTransport
from handoff.outbox import Routing, Rule, Transport
from handoff.intake import IntakeForm
from handoff.sqlite.store import SQLiteStore
from handoff.tickets import Ticket
from handoff.store import Store
from intents.catalog import Catalog, load_catalog
from intents.matcher import Matcher
from responses.policy import load_policies
from responses.renderer import Renderer, TemplateSource, make_environment


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    matcher: Matcher
    renderer: Renderer
    store: Store
    conversation: Conversation
    #: The outbox's transports by channel ("slack", "email", "log").
    transports: dict[str, Transport]
    #: Delivers the outbox (staff alerts, emails, Slack messages). Not started here: `serve` starts its thread and
    #: calls `kick()` after a change enqueued messages; one-shot front ends (CLI) call `run_once()` instead.
    dispatcher: Dispatcher
    #: Admin edits (template overrides, example phrasings) as this process currently sees them; the admin pages
    #: call `content.invalidate()` after saving. None when services were assembled without a store-backed copy.
    content: LiveContent | None = None
    #: Called with (before, after) when staff change a ticket outside Slack (the web queue), so front ends
    #: can follow: the Slack front end updates the staff post and DMs the requester.
    ticket_listeners: list[Callable[[Ticket, Ticket], None]] = field(default_factory=list)
    #: Rate limits for the front ends (`bot.ratelimit.RateLimiter`); None: one over `store` with `settings` (tests
    #: pass their own to control its clock). The buckets live in the store, so every limiter over it counts together.
    rate_limiter: "RateLimiter | None" = None
    #: Prometheus counters of this process (`GET /metrics`, see bot/metrics.py).
    metrics: Metrics = field(default_factory=Metrics)
    #: Buffers decision counts for the analytics page; flushed on `close()`.
    decisions: DecisionRecorder | None = None

    def ticket_changed(self, before: Ticket, after: Ticket) -> None:
        """Tell every listener; a failing listener is logged and never undoes or blocks the change. The change's
        outbox messages are already stored with it: the dispatcher is only asked to deliver them now."""
        self.dispatcher.kick()
        for listener in self.ticket_listeners:
            try:
                listener(before, after)
            except Exception:  # a front end's failure must not turn a saved change into an error page
                logging.getLogger(__name__).exception("ticket listener failed")

    def close(self) -> None:
        self.dispatcher.stop()
        if self.decisions is not None:
            self.decisions.close()
        self.store.close()


def build_routing(settings: Settings) -> Routing:
    """Which outbox messages ticket changes cause, from the settings: staff alerts to Slack when a staff channel is
    configured and by email when staff addresses are, else to the log; requester emails when email is on; with the
    Slack front end, its requesters' receipts and status DMs and the staff post's updates
    (`bot.slack.outbox.slack_rule`)."""
    staff: tuple[str, ...] = ("slack",) if settings.slack_bot_token and settings.slack_staff_channel else ()
    if settings.email_enabled and settings.staff_emails:
        staff += ("email",)
    extra: tuple[Rule, ...] = ()
    if settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token):
        from bot.slack.outbox import slack_rule  # the Slack wing's durable messages

        extra = (slack_rule(staff_posts=bool(settings.slack_staff_channel)),)
    return Routing(staff=staff or ("log",), requester_email=settings.email_enabled, extra=extra)


def build_store(settings: Settings) -> Store:
    """SQLite in the data directory by default; Redis when REDIS_URL is set. Every process built from the same
    settings (server, workers, CLI) writes the same outbox messages for the same change."""
    rules = build_routing(settings)
    if settings.redis_url:
        from handoff.redis.store import RedisStore  # imported lazily: only Redis deployments need it

        return RedisStore.from_url(settings.redis_url, prefix=settings.redis_key_prefix, sla_days=settings.sla_days,
                                   outbox_rules=rules)
    return SQLiteStore.in_dir(settings.data_dir, sla_days=settings.sla_days, outbox_rules=rules)


def build_slack_client(settings: Settings) -> WebClient | None:
    """The outbox's Web API client for SLACK_BOT_TOKEN at SLACK_API_URL, or None without a token. No retry
    handlers (slack_sdk's default resends a request whose connection was reset, which may post a message twice):
    the dispatcher retries, and asks Slack first when an attempt may have arrived (`SlackTransport.find_delivered`)."""
    if not settings.slack_bot_token:
        return None
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[])


def build_transports(settings: Settings, store: Store | None = None, renderer: Renderer | None = None,
                     desk: Desk | None = None) -> dict[str, Transport]:
    """One transport per channel this deployment delivers on. Slack with a bot token (when the Slack front end is
    configured and a store can remember the post: staff alerts with buttons, and with `desk` its requesters' DMs and
    the post's updates); email over SMTP when SMTP_HOST is set (its content is rendered with `renderer`); the log
    always."""
    transports: dict[str, Transport] = {"log": DigestLogTransport(settings.public_url)}  # staff alerts and digests
    if settings.email_enabled and renderer is not None:
        transports["email"] = build_email_transport(settings, renderer)
    client = build_slack_client(settings)
    if client is not None:
        channel = settings.slack_staff_channel
        if store is not None and (settings.slack_signing_secret or settings.slack_app_token):
            from bot.slack.staff import staff_transport  # its buttons are handled by the Slack front end

            transports["slack"] = staff_transport(client, channel, settings.public_url, store, desk=desk,
                                                  show_requester=settings.slack_staff_show_requester)
        else:
            transports["slack"] = SlackTransport(client, channel, settings.public_url)
        if isinstance(transports["slack"], SlackTransport):
            add_slack_digest(transports["slack"])  # the daily digest goes to the staff channel
    return transports


def build_email_transport(settings: Settings, renderer: Renderer) -> SmtpTransport:
    from bot.emails import EmailComposer

    assert settings.smtp_host and settings.smtp_from  # Settings.from_env refuses SMTP_HOST without SMTP_FROM
    config = SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, security=settings.smtp_security,
                        sender=settings.smtp_from, user=settings.smtp_user, password=settings.smtp_password)
    composer = EmailComposer(renderer, load_texts(), public_url=settings.public_url,
                             staff_emails=settings.staff_emails)
    return SmtpTransport(config, with_digest_email(composer, settings.staff_emails, settings.public_url))


def build_dispatcher(settings: Settings, store: Store, transports: dict[str, Transport]) -> Dispatcher:
    return Dispatcher(store, transports, max_attempts=settings.notify_max_attempts)


def build_matcher(catalog: Catalog | None = None) -> Matcher:
    return Matcher(catalog or load_catalog())


def build_renderer(source: TemplateSource | None = None, settings: Settings | None = None) -> Renderer:
    """The renderer; `source` supplies admin overrides (the store, through `LiveContent`)."""
    return Renderer(env=make_environment(), policies=load_policies(), source=source,
                    ja_policy_url=settings.policy_url_ja if settings is not None else None)


def build_services(settings: Settings | None = None, *, store: Store | None = None) -> Services:
    settings = settings or Settings.from_env(os.environ)
    catalog = load_catalog()
    matcher = build_matcher(catalog)
    metrics = Metrics(multiproc_dir=settings.metrics_multiproc_dir)
    # Every store call that fails is counted (privacy_bot_store_errors); the store itself is unchanged.
    store = cast(Store, CountingStore(store or build_store(settings), metrics))
    metrics.add_collector(StoreCollector(store, due_soon_days=settings.due_soon_days))
    decisions = DecisionRecorder(store)
    # Admin edits live in the store; every worker polls its revision counters (see bot/live_content.py).
    content = LiveContent(store, catalog, matcher)
    content.refresh()
    renderer = build_renderer(source=content, settings=settings)
    # Look-ups of a ticket by reference + email are limited per client and per reference (issue 11.2).
    lookups = RateLimiter(store, settings)
    conversation = MeasuredConversation(
        metrics=metrics,
        decisions=decisions,
        matcher=matcher,
        renderer=renderer,
        store=store,
        # The form states fees or response times only where the operator set them (the policy has neither).
        form=IntakeForm(notes=settings.operator_notes()),
        session_ttl=settings.session_ttl,
        max_message_chars=settings.max_message_chars,
        default_lang=settings.default_lang,
        matcher_provider=content.matcher,
        record_unanswered=UnansweredRecorder(store),
        lookup_guard=lookups.allow_lookup,
        email_verification=settings.email_verification,
    )
    transports = build_transports(settings, store, renderer, conversation.desk)
    dispatcher = build_dispatcher(settings, store, transports)
    return Services(settings, catalog, matcher, renderer, store, conversation, transports=transports,
                    dispatcher=dispatcher, content=content, metrics=metrics, decisions=decisions)


class PiiFilter(logging.Filter):
    """Unless LOG_PII=1, every log line (and traceback) goes out with emails, phone numbers, reference numbers
    and long numbers redacted: a second line of defence behind code that never logs message text or names."""

    def __init__(self, allow: bool) -> None:
        super().__init__()
        self.allow = allow

    def filter(self, record: logging.LogRecord) -> bool:
        if self.allow or getattr(record, NO_PERSONAL_DATA, False):
            return True  # the staff log alert is built from reference, type, due date and link only
        record.msg = redact(record.getMessage(), limit=None)
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), limit=None)
            record.exc_info = None
        return True


def configure_logging(settings: Settings, stream: Any = None) -> None:
    """One handler on the root logger, with PII redaction unless LOG_PII=1."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiFilter(settings.log_pii))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)