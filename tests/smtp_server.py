"""A real SMTP server for tests (aiosmtpd) on a free loopback port, in a thread, that keeps what it receives.

    server = SmtpServer().start()                      # plain SMTP; SmtpServer(security="starttls"|"tls") with TLS
    ...send to 127.0.0.1:server.port...
    server.messages                                     # email.message.EmailMessage objects, in arrival order
    server.fail_with("451 4.3.0 try again later")       # every DATA answered so, until recover()
    server.stop(); server.start()                       # down and back up on the same port (an outage)

TLS uses a throw-away certificate authority (trustme): `server.client_context()` trusts it. With `auth=(user,
password)` the server offers AUTH (only over TLS) and refuses wrong credentials with 535.
"""
from __future__ import annotations

import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Iterator

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Handler:
    def __init__(self, owner: "SmtpServer") -> None:
        self.owner = owner

    async def handle_QUIT(self, server: Any, session: Session, envelope: Envelope) -> str:
        with self.owner.lock:
            self.owner.quits += 1
            return self.owner.quit_reply

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        with self.owner.lock:
            if self.owner.failure:
                return self.owner.failure
            raw = envelope.original_content or envelope.content or b""
            parsed = message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.owner.messages.append(parsed)
            self.owner.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, *, security: str = "none", auth: tuple[str, str] | None = None) -> None:
        self.security, self.auth = security, auth
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.failure: str | None = None
        #: What QUIT is answered with (`quit_with`), and how many QUITs came.
        self.quit_reply = "221 Bye"
        self.quits = 0
        self.lock = threading.Lock()
        self._ca = trustme.CA() if security != "none" else None
        self._controller: Controller | None = None

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self._ca is not None:
            self._ca.configure_trust(context)
        return context

    def _server_context(self) -> ssl.SSLContext:
        assert self._ca is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    def _authenticate(self, server: Any, session: Session, envelope: Envelope, mechanism: str,
                      data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.auth is not None and (
            data.login.decode(), data.password.decode()) == self.auth
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpServer":
        kwargs: dict[str, Any] = {}
        if self.security == "starttls":
            kwargs.update(tls_context=self._server_context(), require_starttls=True)
        elif self.security == "tls":
            kwargs.update(ssl_context=self._server_context())
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=self.security != "none")
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def serving(self) -> Iterator["SmtpServer"]:
        """Started for as long as the caller's fixture lasts: `yield from server.serving()`."""
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def settings(self, **extra: str) -> dict[str, str]:
        """The environment a `privacy-bot serve` needs to send its email here."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_SECURITY": self.security,
                "SMTP_FROM": "desk@example.com", **extra}

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def fail_with(self, reply: str) -> None:
        with self.lock:
            self.failure = reply

    def quit_with(self, reply: str) -> None:
        """Answer QUIT with `reply` (a server that refuses to end the session politely)."""
        with self.lock:
            self.quit_reply = reply

    def recover(self) -> None:
        with self.lock:
            self.failure = None
            self.quit_reply = "221 Bye"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope went to `address`."""
        with self.lock:
            return [m for m, (_, rcpts) in zip(self.messages, self.envelopes) if address in rcpts]
