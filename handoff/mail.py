"""The outbox's email transport: SMTP with STARTTLS, implicit TLS or none, one connection per message.

What an email says is decided elsewhere: the transport is handed a `compose(message, ticket) -> Email` function
(the composition root's, rendering admin-editable templates through the requester view). The transport only
sends, and maps what SMTP answers to `DeliveryFailed`: 4xx replies and network failures are retried by the
dispatcher, 5xx replies about the message or its recipients are not (an unknown mailbox stays unknown), and
authentication and TLS failures are retried (an admin may fix the settings). Reasons are codes only
(`smtp:550`, `smtp:auth`, `network:timeout`): a server's text may echo the address, so it is never kept.

Every email carries a `Message-ID` derived from the outbox key (the same on every attempt), so a message that had
to be sent again (a process died between the server's OK and recording it) is recognisable as the same message by
mail systems. SMTP has no way to ask a server what it accepted, so that window cannot be closed, only kept short:
`deliver` returns as soon as the server answered 250 to the message, and the session's QUIT runs after the
dispatcher recorded the delivery.
"""
from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Callable

from handoff.outbox import AfterRecord, DeliveryFailed, OutboxMessage
from handoff.tickets import Ticket

SECURITIES = ("starttls", "tls", "none")


@dataclass(frozen=True)
class Email:
    """One rendered email: plain text and HTML alternatives of the same content."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    lang: str = "en"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 20.0

    def __post_init__(self) -> None:
        if self.security not in SECURITIES:
            raise ValueError(f"security must be one of {SECURITIES}, got {self.security!r}")


Compose = Callable[[OutboxMessage, "Ticket | None"], Email]


def message_id(key: str, sender: str) -> str:
    """`<digest@sender's domain>`: stable for an outbox key, reveals nothing of it."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(email: Email, *, key: str, sender: str) -> EmailMessage:
    """The MIME message: multipart/alternative, text first (what simple clients show), then HTML."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(email.to)
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(key, sender)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-replies should not answer
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    msg["Content-Language"] = email.lang  # after the content: setting it clears Content-* headers
    return msg


def _quit(smtp: smtplib.SMTP) -> None:
    """End the session whatever the server answers: once it has accepted the message, a QUIT refused or cut off
    (`with smtp:` raised for a reply other than 221) must not turn a delivered message into a failed attempt,
    which the outbox would send again."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class SmtpTransport:
    """Delivers `email` outbox messages over SMTP."""

    def __init__(self, config: SmtpConfig, compose: Compose, *,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.config, self.compose = config, compose
        self.tls_context = tls_context or ssl.create_default_context()

    def deliver(self, message: OutboxMessage, ticket: Ticket | None) -> AfterRecord:
        """Send `message`; returns the session's QUIT, which the dispatcher runs once the delivery is recorded (the
        server's 250 to the message's data is the last thing waited for before the record)."""
        email = self.compose(message, ticket)
        if not email.to:
            raise DeliveryFailed("email:no_recipient", permanent=True)
        smtp = self._send(build_message(email, key=message.key, sender=self.config.sender))
        return lambda: _quit(smtp)

    def send(self, msg: EmailMessage) -> None:
        """One SMTP session for one message, QUIT included. Raises DeliveryFailed."""
        _quit(self._send(msg))

    def _send(self, msg: EmailMessage) -> smtplib.SMTP:
        """Connect, send `msg` and return the open session once the server accepted it (the caller QUITs it).
        Raises DeliveryFailed, the session closed."""
        c = self.config
        try:
            if c.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=self.tls_context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            try:
                if c.security == "starttls":
                    smtp.starttls(context=self.tls_context)
                if c.user:
                    smtp.login(c.user, c.password or "")
                smtp.send_message(msg)  # recipients refused while others were accepted: sent to those (no retry)
            except BaseException:
                _quit(smtp)
                raise
            return smtp
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({int(code) for code, _ in exc.recipients.values()})
            raise DeliveryFailed(f"smtp:{codes[0] if codes else 550}:recipient",
                                 permanent=all(code >= 500 for code in codes)) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(f"smtp:auth:{exc.smtp_code}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryFailed("smtp:not_supported") from exc  # e.g. no STARTTLS offered: a settings problem
        except smtplib.SMTPResponseException as exc:
            code = int(exc.smtp_code)
            raise DeliveryFailed(f"smtp:{code}", permanent=code >= 500) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryFailed("smtp:disconnected") from exc
        except ssl.SSLError as exc:
            raise DeliveryFailed("smtp:tls") from exc
        except (socket.timeout, TimeoutError) as exc:
            raise DeliveryFailed("network:timeout") from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused connections, unknown hosts, other SMTP errors
            raise DeliveryFailed(f"network:{type(exc).__name__}") from exc
