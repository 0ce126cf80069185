"""The one place that reads configuration from the environment.

`Settings.from_env(environ)` takes the mapping as an argument so tests pass a dict; every key is listed in
`SETTINGS_DOC` (rendered into the README's configuration table) and a bad value fails at start-up naming
the key.
"""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Mapping


class ConfigError(ValueError):
    """A setting has an invalid value; the message names the environment variable."""


#: (variable, default, meaning) — the README's configuration table is generated from this list.
SETTINGS_DOC: tuple[tuple[str, str, str], ...] = (
    ("PRIVACY_BOT_DATA_DIR", "./data", "Directory of the embedded SQLite store (created on first run)."),
    ("REDIS_URL", "(unset)", "When set (e.g. `redis://localhost:6379/0`), state lives in Redis instead of SQLite."),
    ("REDIS_KEY_PREFIX", "privacy-bot", "Prefix of every Redis key, so several deployments can share one Redis "
     "(1-64 letters, digits or `._:-`). Ticket keys share the hash tag `{prefix}`, keeping them on one cluster slot."),
    ("PRIVACY_BOT_SLA_DAYS", "14", "Days from a request's arrival to its internal due date; APPI Art. 39 lets the "
     "requester go to court two weeks after a request reaches the company. Overdue tickets are flagged."),
    ("PRIVACY_BOT_DUE_SOON_DAYS", "3", "Open tickets due within this many days are marked \"due soon\" in the staff "
     "queue, the daily digest and `/metrics` (0 turns the mark off)."),
    ("PRIVACY_BOT_DIGEST_HOUR", "9", "Hour of the day (Japan time, 0-23) from which the daily digest of overdue and "
     "due-soon tickets goes to the staff channels (Slack staff channel, staff email, else the log) through the "
     "outbox; `off` sends none. Nothing is sent on a day with nothing due."),
    ("PRIVACY_BOT_METRICS_TOKEN", "(unset)", "When set, `GET /metrics` answers only requests with "
     "`Authorization: Bearer <token>` (Prometheus: `authorization: {credentials: …}`); unset, it is open (it holds "
     "no personal data)."),
    ("PROMETHEUS_MULTIPROC_DIR", "(unset)", "prometheus-client's multiprocess mode: an existing, writable, empty-at-"
     "deploy directory where every process on the machine (each `privacy-bot serve` worker, `privacy-bot slack`) "
     "writes its counters, so any worker's `/metrics` reports their sum. Must be in the environment before start."),
    ("PRIVACY_BOT_PUBLIC_URL", "http://127.0.0.1:8000", "Base URL where staff reach the web app; used in the links to "
     "tickets in staff alerts (Slack, email and the log). `serve` warns at start when it is unset and the port is not "
     "8000."),
    ("PRIVACY_BOT_PURGE_DAYS", "365", "`privacy-bot purge` removes personal fields from tickets closed more than "
     "this many days ago (reference, type, dates and outcome are kept)."),
    ("PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS", "10", "How many times an outbox message (staff alert, email, Slack message) is "
     "tried, with backoff, before it is marked failed for staff to see in the queue."),
    ("PRIVACY_BOT_STAFF_SESSION_TTL", "28800", "Seconds a staff or admin sign-in lasts without activity."),
    ("PRIVACY_BOT_SECURE_COOKIES", "auto", "`1` always marks cookies Secure, `0` never; `auto` does when the request "
     "arrived over HTTPS (including `X-Forwarded-Proto: https` from a trusted proxy)."),
    ("PRIVACY_BOT_SESSION_TTL", "7200", "Seconds a chat session (and an unfinished form) lives after its last message."),
    ("PRIVACY_BOT_MAX_MESSAGE_CHARS", "4000", "Longest message accepted; longer ones are cut (and the user is told)."),
    ("PRIVACY_BOT_MAX_BODY_BYTES", "65536", "Largest HTTP request body accepted; larger ones get 413."),
    ("PRIVACY_BOT_RATE_SESSION", "30", "Messages per minute one chat session (web) or one Slack user may send; "
     "beyond that the web API answers 429 with `Retry-After` and Slack users are asked to wait. `0` turns it off."),
    ("PRIVACY_BOT_RATE_SESSION_BURST", "20", "How many messages a session or Slack user may send at once before "
     "`PRIVACY_BOT_RATE_SESSION` applies (the token bucket's size)."),
    ("PRIVACY_BOT_RATE_IP", "120", "Requests per minute to the chat API (`/api/chat`, `/api/resume`, "
     "`/api/tickets/copy`) from one client IP address, all sessions together. `0` turns it off."),
    ("PRIVACY_BOT_RATE_IP_BURST", "40", "How many chat API requests one IP address may send at once before "
     "`PRIVACY_BOT_RATE_IP` applies."),
    ("PRIVACY_BOT_RATE_LOGIN", "10", "Staff and admin sign-in attempts per 15 minutes for one username from one IP "
     "address (right or wrong); more get 429 without the password being checked. `0` turns it off."),
    ("PRIVACY_BOT_RATE_LOGIN_IP", "30", "Staff and admin sign-in attempts per 15 minutes from one IP address, all "
     "usernames together. `0` turns it off."),
    ("PRIVACY_BOT_RATE_LOOKUP", "5", "Look-ups of one request by reference and email (status or copy asked from "
     "another chat) per hour, right or wrong, from everyone together; beyond that every such look-up gets the same "
     "\"can't find it\" answer, whether or not the reference exists. The requester's own chat or Slack identity is "
     "never limited. `0` turns it off."),
    ("PRIVACY_BOT_RATE_LOOKUP_IP", "20", "Look-ups by reference and email per hour from one client IP address (web) "
     "or Slack user, all references together. `0` turns it off."),
    ("PRIVACY_BOT_TRUST_PROXY", "0", "How many reverse proxies in front of the app add `X-Forwarded-For`. `0`: the "
     "client address is the connection's peer (the header is ignored, since anyone can send it). `1` behind one "
     "proxy (e.g. nginx with `$proxy_add_x_forwarded_for`): the last address in the header, the one the proxy saw. "
     "Behind a proxy, leaving it at `0` puts every client into the proxy's single per-IP bucket."),
    ("PRIVACY_BOT_FORWARDED_ALLOW_IPS", "(unset)", "Addresses or networks of the reverse proxies whose "
     "`X-Forwarded-For` and `X-Forwarded-Proto` the server believes (comma-separated, e.g. `127.0.0.1,10.0.0.0/8`; "
     "uvicorn's `forwarded_allow_ips`). Unset: proxy headers are ignored, and the client is the connection's peer."),
    ("PRIVACY_BOT_CHAT_THREADS", "auto", "Threads one server process answers chat messages on (`/api/chat`, "
     "`/api/resume`, `/api/tickets/copy`); more requests wait their turn. `auto`: 1 with SQLite (the work is CPU-bound "
     "under one interpreter lock, and a second thread only contends for it) and 4 with Redis (threads overlap its "
     "round trips); see benchmarks/RESULTS.md. Scale with processes instead."),
    ("PRIVACY_BOT_CHAT_INLINE", "on", "Whether `/api/chat` answers a message on the server's event loop itself rather "
     "than on a chat thread (`on` or `off`), which saves a fifth to a quarter of a message's CPU (benchmarks/RESULTS.md). "
     "The event loop serves every other request too, so nothing there may wait: with SQLite the store refuses, before "
     "anything is written, a write that would (a lock held by another thread or process, a ticket's disk sync); with "
     "Redis the message's read and session write go to the server asynchronously (`redis.asyncio`) and any other call "
     "is refused (`handoff/waiting.py`). A refused message is answered again from the start on a chat thread, "
     "counted by `privacy_bot_chat_moved_to_thread_total`. `off`: every message goes to a chat thread."),
    ("PRIVACY_BOT_POLICY_URL_JA", "(unset)", "Address (http/https) of the company's official Japanese privacy policy. "
     "When set, the notice under every quoted article in a Japanese answer (the quote is our translation of the English "
     "policy) links to it."),
    ("PRIVACY_BOT_FEE_NOTE_EN", "(unset)", "What the operator states about fees for disclosure and purpose notification "
     "(APPI Art. 38 lets a company charge for those two only), shown at the form's delivery question. The policy says "
     "nothing about fees, so by default the form says nothing either."),
    ("PRIVACY_BOT_FEE_NOTE_JA", "(unset)", "The same statement in Japanese (falls back to the English one when unset)."),
    ("PRIVACY_BOT_RESPONSE_TIME_NOTE_EN", "(unset)", "What the operator states about when requesters can expect an "
     "answer (e.g. \"We answer within two weeks.\"), shown in the receipt. The policy promises no response time, so "
     "by default the receipt promises none; the internal due date (`PRIVACY_BOT_SLA_DAYS`) is for staff only."),
    ("PRIVACY_BOT_RESPONSE_TIME_NOTE_JA", "(unset)", "The same statement in Japanese (falls back to the English one "
     "when unset)."),
    ("PRIVACY_BOT_DEFAULT_LANG", "en", "Reply language when a message has no letters to detect one from (`en` or `ja`)."),
    ("LOG_LEVEL", "INFO", "Python logging level."),
    ("LOG_PII", "0", "`1` lets logs include message text and personal data. Off by default; leave it off in production."),
    ("SMTP_HOST", "(unset)", "SMTP server for email (e.g. `smtp.sendgrid.net`); email is on when it is set: requester "
     "receipts, status changes, staff replies and outcomes, staff alerts to `PRIVACY_BOT_STAFF_EMAILS`, verification "
     "codes."),
    ("SMTP_PORT", "(by security)", "SMTP port: 587 for `starttls`, 465 for `tls`, 25 for `none` unless set."),
    ("SMTP_SECURITY", "starttls", "`starttls` (upgrade the connection, port 587), `tls` (TLS from the first byte, port "
     "465) or `none` (plain text; only for a relay on the same host or network). Certificates are verified."),
    ("SMTP_USER", "(unset)", "User name for SMTP AUTH; no AUTH without it."),
    ("SMTP_PASSWORD", "(unset)", "Password (or API key) for SMTP AUTH."),
    ("SMTP_FROM", "(required with SMTP_HOST)", "Sender address of every email, e.g. `Privacy Desk <privacy@example.com>`."),
    ("PRIVACY_BOT_STAFF_EMAILS", "(unset)", "Comma-separated staff addresses that get an email alert for each new "
     "ticket (reference, type, due date and link; no personal data)."),
    ("PRIVACY_BOT_EMAIL_VERIFICATION", "auto", "`1`: a request becomes a ticket only after the requester types the "
     "6-digit code mailed to the address they gave (15 minutes, 5 tries), in the chat and in Slack's request modal; "
     "`0`: no code, the ticket is marked "
     "\"email not verified\". `auto`: on when email is on. `1` without `SMTP_HOST` is a configuration error."),
    ("SLACK_BOT_TOKEN", "(unset)", "Bot token (`xoxb-…`); with `SLACK_SIGNING_SECRET` it turns the Slack front end on."),
    ("SLACK_SIGNING_SECRET", "(unset)", "Signing secret used to verify every request from Slack."),
    ("SLACK_APP_TOKEN", "(unset)", "App-level token (`xapp-…`) for Socket Mode (`privacy-bot slack`)."),
    ("SLACK_STAFF_CHANNEL", "(unset)", "Channel id where new tickets are posted for staff."),
    ("SLACK_API_URL", "https://slack.com/api/", "Base URL of Slack's Web API (tests point it at a local mock)."),
    ("SLACK_STAFF_USERS", "(unset)", "Slack user ids (comma-separated, e.g. `U012AB3CD,U045EF6GH`) allowed to act on "
     "tickets from the staff channel's buttons."),
    ("SLACK_STAFF_USERGROUP", "(unset)", "A Slack user group id (`S…`) whose members may also act on tickets "
     "(needs the `usergroups:read` scope). With neither staff setting, nobody can act from Slack."),
    ("SLACK_STAFF_SHOW_REQUESTER", "0", "`1` shows a Slack requester as a mention (`@name`) on the ticket's post in "
     "the staff channel, which displays their name to everyone in that channel. Off by default: staff open the ticket "
     "in the web queue (behind sign-in) to see who it is."),
)


# -- one parser per kind of setting; each error names the variable ---------------------------------------
def _raw(environ: Mapping[str, str], key: str) -> str:
    return environ.get(key, "").strip()


def _text(environ: Mapping[str, str], key: str) -> str | None:
    """Any text; unset or blank is None."""
    return _raw(environ, key) or None


def _int(environ: Mapping[str, str], key: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum]; unset is `default`."""
    raw = _raw(environ, key)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{key} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{key} must be at most {maximum}, got {value}")
    return value


def _int_or_none(environ: Mapping[str, str], key: str, word: str, default: int | None, *, minimum: int,
                 maximum: int) -> int | None:
    """`word` (`auto`, `off`) for None, else as `_int`; unset is `default`."""
    if _raw(environ, key).lower() == word:
        return None
    if not _raw(environ, key):
        return default
    return _int(environ, key, minimum, minimum=minimum, maximum=maximum)


def _flag(environ: Mapping[str, str], key: str) -> bool:
    raw = _raw(environ, key).lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{key} must be 0 or 1, got {raw!r}")


def _choice(environ: Mapping[str, str], key: str, allowed: tuple[str, ...], default: str, *,
            fold: Callable[[str], str] = str.lower) -> str:
    """One of `allowed`, compared after `fold` (lower case unless said otherwise); unset is `default`."""
    raw = fold(_raw(environ, key)) or default
    if raw not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


_HTTP = ("http://", "https://")


def _url(environ: Mapping[str, str], key: str, schemes: tuple[str, ...] = _HTTP, *, link: bool = False) -> str | None:
    """A URL starting with one of `schemes`; unset is None. A `link` (put in pages users see) has no white space."""
    value = _text(environ, key)
    if value is not None and (not value.startswith(schemes) or (link and any(c.isspace() for c in value))):
        kinds = "an http(s) URL" if schemes == _HTTP else "a URL starting with " + " or ".join(schemes)
        raise ConfigError(f"{key} must be {kinds}, got {value!r}")
    return value


def _list(environ: Mapping[str, str], key: str, valid: Callable[[str], bool], what: str) -> tuple[str, ...]:
    """Comma- or space-separated values, each `valid`, duplicates dropped; unset is empty."""
    values = tuple(dict.fromkeys(environ.get(key, "").replace(",", " ").split()))
    for value in values:
        if not valid(value):
            raise ConfigError(f"{key} must list {what}, got {value!r}")
    return values


def _note(environ: Mapping[str, str], key: str) -> str | None:
    """An operator's sentence shown to users: one line of plain text, at most 500 characters."""
    value = _text(environ, key)
    if value is not None and (len(value) > 500 or "\n" in value):
        raise ConfigError(f"{key} must be one line of at most 500 characters")
    return value


# -- what the values of some lists and texts must look like ------------------------------------------------
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def _is_address(value: str) -> bool:
    return _ADDRESS.fullmatch(value) is not None and "." in value.rsplit("@", 1)[1]


def _slack_ids(environ: Mapping[str, str], key: str, prefixes: str) -> tuple[str, ...]:
    """Slack ids starting with one of `prefixes` (U/W for users, S for groups)."""
    return _list(environ, key, lambda v: v[0] in prefixes and 3 <= len(v) <= 32 and v.isascii() and v.isalnum()
                 and v.isupper(), f"Slack ids starting with {' or '.join(prefixes)}")


def _is_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _proxy_addresses(environ: Mapping[str, str], key: str) -> tuple[str, ...]:
    """IP addresses or networks; `*` (any peer) only on its own."""
    if set(environ.get(key, "").replace(",", " ").split()) == {"*"}:
        return ("*",)
    return _list(environ, key, _is_network, "IP addresses or networks (or be `*`)")


def _sender(environ: Mapping[str, str]) -> str | None:
    """`SMTP_FROM`: an address, optionally with a display name (`Privacy Desk <privacy@example.com>`)."""
    raw = _raw(environ, "SMTP_FROM")
    if not raw:
        return None
    name, address = parseaddr(raw)
    if not address or not _ADDRESS.fullmatch(address) or "\n" in raw or "\r" in raw:
        raise ConfigError(f"SMTP_FROM must be an email address (optionally `Name <address>`), got {raw!r}")
    return raw


def _multiproc_dir(environ: Mapping[str, str]) -> str | None:
    raw = _text(environ, "PROMETHEUS_MULTIPROC_DIR") or _text(environ, "prometheus_multiproc_dir")
    if raw is not None and not (Path(raw).is_dir() and os.access(raw, os.W_OK)):
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR must be an existing writable directory, got {raw!r}")
    return raw


def _usergroup(environ: Mapping[str, str]) -> str | None:
    groups = _slack_ids(environ, "SLACK_STAFF_USERGROUP", "S")
    if len(groups) > 1:
        raise ConfigError(f"SLACK_STAFF_USERGROUP takes one user group id, got {len(groups)}")
    return groups[0] if groups else None


def _redis_prefix(environ: Mapping[str, str]) -> str:
    prefix = _raw(environ, "REDIS_KEY_PREFIX") or "privacy-bot"
    if len(prefix) > 64 or not all(c.isascii() and (c.isalnum() or c in "._:-") for c in prefix):
        raise ConfigError(f"REDIS_KEY_PREFIX must be 1-64 letters, digits or ._:- , got {prefix!r}")
    return prefix


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    redis_url: str | None = None
    redis_key_prefix: str = "privacy-bot"
    sla_days: int = 14
    due_soon_days: int = 3
    #: None: no daily digest.
    digest_hour: int | None = 9
    metrics_token: str | None = None
    metrics_multiproc_dir: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    purge_days: int = 365
    notify_max_attempts: int = 10
    staff_session_ttl: int = 28800
    secure_cookies: str = "auto"
    session_ttl: int = 7200
    max_message_chars: int = 4000
    max_body_bytes: int = 65536
    default_lang: str = "en"
    #: Rate limits (see bot/ratelimit.py); 0 turns one off.
    rate_session: int = 30
    rate_session_burst: int = 20
    rate_ip: int = 120
    rate_ip_burst: int = 40
    rate_login: int = 10
    rate_login_ip: int = 30
    rate_lookup: int = 5
    rate_lookup_ip: int = 20
    trust_proxy: int = 0
    #: Proxies whose forwarded headers uvicorn applies; empty: none (proxy headers off).
    forwarded_allow_ips: tuple[str, ...] = ()
    #: None: chosen by store (see `chat_thread_count`).
    chat_threads: int | None = None
    #: "on" or "off" (see `chat_inline_enabled`).
    chat_inline: str = "on"
    log_level: str = "INFO"
    log_pii: bool = False
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_staff_channel: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_staff_users: tuple[str, ...] = ()
    slack_staff_usergroup: str | None = None
    slack_staff_show_requester: bool = False
    #: Whether PRIVACY_BOT_PUBLIC_URL was set (serve warns when it was not and the port is not the default).
    public_url_set: bool = False
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    staff_emails: tuple[str, ...] = ()
    email_verification: bool = False
    #: Operator statements shown to requesters (None: nothing is claimed); see `operator_notes`.
    policy_url_ja: str | None = None
    fee_note_en: str | None = None
    fee_note_ja: str | None = None
    response_time_note_en: str | None = None
    response_time_note_ja: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        smtp_host = _text(environ, "SMTP_HOST")
        security = _choice(environ, "SMTP_SECURITY", ("starttls", "tls", "none"), "starttls")
        sender = _sender(environ)
        if smtp_host and not sender:
            raise ConfigError("SMTP_FROM must be set when SMTP_HOST is (the sender address of every email)")
        verification = _choice(environ, "PRIVACY_BOT_EMAIL_VERIFICATION", ("auto", "0", "1"), "auto")
        if verification == "1" and not smtp_host:
            raise ConfigError("PRIVACY_BOT_EMAIL_VERIFICATION=1 needs email: set SMTP_HOST (and SMTP_FROM)")
        api_url = _url(environ, "SLACK_API_URL") or "https://slack.com/api/"
        public_url = _url(environ, "PRIVACY_BOT_PUBLIC_URL")
        return cls(
            public_url_set=public_url is not None,
            smtp_host=smtp_host,
            smtp_port=_int(environ, "SMTP_PORT", {"starttls": 587, "tls": 465, "none": 25}[security], maximum=65535),
            smtp_security=security,
            smtp_user=_text(environ, "SMTP_USER"),
            smtp_password=_text(environ, "SMTP_PASSWORD"),
            smtp_from=sender,
            staff_emails=_list(environ, "PRIVACY_BOT_STAFF_EMAILS", _is_address, "email addresses"),
            email_verification=bool(smtp_host) and verification != "0",
            data_dir=Path(_raw(environ, "PRIVACY_BOT_DATA_DIR") or "data"),
            redis_url=_url(environ, "REDIS_URL", ("redis://", "rediss://", "unix://")),
            redis_key_prefix=_redis_prefix(environ),
            sla_days=_int(environ, "PRIVACY_BOT_SLA_DAYS", 14),
            due_soon_days=_int(environ, "PRIVACY_BOT_DUE_SOON_DAYS", 3, minimum=0, maximum=365),
            digest_hour=_int_or_none(environ, "PRIVACY_BOT_DIGEST_HOUR", "off", 9, minimum=0, maximum=23),
            metrics_token=_text(environ, "PRIVACY_BOT_METRICS_TOKEN"),
            metrics_multiproc_dir=_multiproc_dir(environ),
            public_url=(public_url or "http://127.0.0.1:8000").rstrip("/"),
            purge_days=_int(environ, "PRIVACY_BOT_PURGE_DAYS", 365),
            notify_max_attempts=_int(environ, "PRIVACY_BOT_NOTIFY_MAX_ATTEMPTS", 10),
            staff_session_ttl=_int(environ, "PRIVACY_BOT_STAFF_SESSION_TTL", 28800, minimum=60),
            secure_cookies=_choice(environ, "PRIVACY_BOT_SECURE_COOKIES", ("auto", "0", "1"), "auto"),
            session_ttl=_int(environ, "PRIVACY_BOT_SESSION_TTL", 7200, minimum=60),
            max_message_chars=_int(environ, "PRIVACY_BOT_MAX_MESSAGE_CHARS", 4000, minimum=100),
            max_body_bytes=_int(environ, "PRIVACY_BOT_MAX_BODY_BYTES", 65536, minimum=1024),
            default_lang=_choice(environ, "PRIVACY_BOT_DEFAULT_LANG", ("en", "ja"), "en", fold=str),
            rate_session=_int(environ, "PRIVACY_BOT_RATE_SESSION", 30, minimum=0, maximum=100_000),
            rate_session_burst=_int(environ, "PRIVACY_BOT_RATE_SESSION_BURST", 20, maximum=100_000),
            rate_ip=_int(environ, "PRIVACY_BOT_RATE_IP", 120, minimum=0, maximum=100_000),
            rate_ip_burst=_int(environ, "PRIVACY_BOT_RATE_IP_BURST", 40, maximum=100_000),
            rate_login=_int(environ, "PRIVACY_BOT_RATE_LOGIN", 10, minimum=0, maximum=10_000),
            rate_login_ip=_int(environ, "PRIVACY_BOT_RATE_LOGIN_IP", 30, minimum=0, maximum=10_000),
            rate_lookup=_int(environ, "PRIVACY_BOT_RATE_LOOKUP", 5, minimum=0, maximum=10_000),
            rate_lookup_ip=_int(environ, "PRIVACY_BOT_RATE_LOOKUP_IP", 20, minimum=0, maximum=10_000),
            trust_proxy=_int(environ, "PRIVACY_BOT_TRUST_PROXY", 0, minimum=0, maximum=10),
            forwarded_allow_ips=_proxy_addresses(environ, "PRIVACY_BOT_FORWARDED_ALLOW_IPS"),
            chat_threads=_int_or_none(environ, "PRIVACY_BOT_CHAT_THREADS", "auto", None, minimum=1, maximum=256),
            chat_inline=_choice(environ, "PRIVACY_BOT_CHAT_INLINE", ("on", "off"), "on"),
            log_level=_choice(environ, "LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO",
                              fold=str.upper),
            log_pii=_flag(environ, "LOG_PII"),
            slack_bot_token=_text(environ, "SLACK_BOT_TOKEN"),
            slack_signing_secret=_text(environ, "SLACK_SIGNING_SECRET"),
            slack_app_token=_text(environ, "SLACK_APP_TOKEN"),
            slack_staff_channel=_text(environ, "SLACK_STAFF_CHANNEL"),
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            slack_staff_users=_slack_ids(environ, "SLACK_STAFF_USERS", "UW"),
            slack_staff_usergroup=_usergroup(environ),
            slack_staff_show_requester=_flag(environ, "SLACK_STAFF_SHOW_REQUESTER"),
            policy_url_ja=_url(environ, "PRIVACY_BOT_POLICY_URL_JA", link=True),
            fee_note_en=_note(environ, "PRIVACY_BOT_FEE_NOTE_EN"),
            fee_note_ja=_note(environ, "PRIVACY_BOT_FEE_NOTE_JA"),
            response_time_note_en=_note(environ, "PRIVACY_BOT_RESPONSE_TIME_NOTE_EN"),
            response_time_note_ja=_note(environ, "PRIVACY_BOT_RESPONSE_TIME_NOTE_JA"),
        )

    def operator_notes(self) -> dict[str, dict[str, str]]:
        """The operator's own statements by kind ("fee", "response_time") and language, for the intake form. A
        language left unset uses the English statement; a kind left unset is absent (the form claims nothing)."""
        notes: dict[str, dict[str, str]] = {}
        for kind, en, ja in (("fee", self.fee_note_en, self.fee_note_ja),
                             ("response_time", self.response_time_note_en, self.response_time_note_ja)):
            if en or ja:
                notes[kind] = {"en": en or ja or "", "ja": ja or en or ""}
        return notes

    @property
    def chat_thread_count(self) -> int:
        """`chat_threads`, or for `auto` what measured best for the store: 1 with SQLite, 4 with Redis."""
        return self.chat_threads or (4 if self.redis_url else 1)

    @property
    def chat_inline_enabled(self) -> bool:
        """Whether `/api/chat` first answers on the event loop (`bot.web.app`)."""
        return self.chat_inline == "on"

    @property
    def email_enabled(self) -> bool:
        """Email is on when SMTP_HOST is set."""
        return self.smtp_host is not None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)
