"""The SMTP transport against a real SMTP server (aiosmtpd) on a loopback port: plain, STARTTLS with AUTH and
implicit TLS; the MIME message (text and HTML, Message-ID from the outbox key); and how failures are classified."""
from __future__ import annotations

from typing import Iterator

import pytest
from smtp_server import SmtpServer, free_port

from handoff.mail import Email, SmtpConfig, SmtpTransport, message_id
from handoff.outbox import DeliveryFailed, OutboxMessage, new_message
from handoff.tickets import Ticket

SENDER = "Privacy Desk <privacy@example.com>"
EMAIL = Email(to=("hanako@example.jp",), subject="ご請求 PRQ-2026-000001 を受け付けました", text="受付番号：PRQ-2026-000001",
              html="<p>受付番号：PRQ-2026-000001</p>", lang="ja")


def compose(message: OutboxMessage, ticket: Ticket | None) -> Email:
    return EMAIL


def transport(server: SmtpServer, security: str = "none", user: str | None = None,
              password: str | None = None) -> SmtpTransport:
    config = SmtpConfig(host="127.0.0.1", port=server.port, security=security, sender=SENDER, user=user,
                        password=password, timeout=5)
    return SmtpTransport(config, compose, tls_context=server.client_context())


def message(key: str = "PRQ-2026-000001:receipt:email") -> OutboxMessage:
    return new_message("email", "receipt", key=key, now=0.0, reference="PRQ-2026-000001")


def send(smtp: SmtpTransport, outbox_message: OutboxMessage | None = None) -> None:
    """Deliver as the dispatcher does: `deliver` returns once the server accepted the message; its QUIT runs after
    the delivery is recorded."""
    finish = smtp.deliver(outbox_message or message(), None)
    finish()


def test_a_message_arrives_with_text_html_and_a_stable_message_id(smtp_server: SmtpServer) -> None:
    send(transport(smtp_server))
    [received] = smtp_server.messages
    assert smtp_server.envelopes == [("privacy@example.com", ["hanako@example.jp"])]
    assert received["Subject"] == EMAIL.subject and received["From"] == SENDER and received["To"] == "hanako@example.jp"
    assert received["Message-ID"] == message_id("PRQ-2026-000001:receipt:email", SENDER)
    assert received["Message-ID"].endswith("@example.com>") and "PRQ" not in received["Message-ID"]
    assert received["Content-Language"] == "ja" and received["Auto-Submitted"] == "auto-generated"
    parts = {part.get_content_type(): part.get_content() for part in received.walk() if not part.is_multipart()}
    assert parts["text/plain"].strip() == EMAIL.text and parts["text/html"].strip() == EMAIL.html
    assert message_id("a", SENDER) != message_id("b", SENDER)


@pytest.fixture()
def starttls_server() -> Iterator[SmtpServer]:
    server = SmtpServer(security="starttls", auth=("desk", "s3cret")).start()
    yield server
    server.stop()


def test_starttls_with_auth(starttls_server: SmtpServer) -> None:
    send(transport(starttls_server, "starttls", "desk", "s3cret"))
    assert len(starttls_server.messages) == 1
    with pytest.raises(DeliveryFailed) as caught:
        send(transport(starttls_server, "starttls", "desk", "wrong"))
    assert caught.value.reason == "smtp:auth:535" and not caught.value.permanent, "an admin can fix the password"


def test_implicit_tls() -> None:
    server = SmtpServer(security="tls").start()
    try:
        send(transport(server, "tls"))
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_starttls_refused_by_a_server_without_tls(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed, match="smtp:not_supported"):
        send(transport(smtp_server, "starttls"))
    assert smtp_server.messages == []


def test_temporary_and_permanent_refusals(smtp_server: SmtpServer) -> None:
    smtp_server.fail_with("451 4.3.0 hanako@example.jp: try again later")
    with pytest.raises(DeliveryFailed) as temporary:
        send(transport(smtp_server))
    assert (temporary.value.reason, temporary.value.permanent) == ("smtp:451", False)
    smtp_server.fail_with("550 5.1.1 no such user")
    with pytest.raises(DeliveryFailed) as permanent:
        send(transport(smtp_server))
    assert (permanent.value.reason, permanent.value.permanent) == ("smtp:550", True)
    assert "@" not in temporary.value.reason  # the server's text (which may echo the address) is not kept


def test_a_server_that_is_down_is_a_retryable_network_failure() -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="none", sender=SENDER, timeout=2)
    with pytest.raises(DeliveryFailed) as caught:
        send(SmtpTransport(config, compose))
    assert caught.value.reason == "network:ConnectionRefusedError" and not caught.value.permanent


def test_a_refused_quit_after_the_message_was_accepted_is_a_delivery(smtp_server: SmtpServer) -> None:
    """The server took the message, then answered QUIT with something other than 221: the message went out, so the
    attempt is a delivery (a failure would have the outbox send it again)."""
    smtp_server.quit_with("421 4.3.2 shutting down")
    send(transport(smtp_server))
    assert len(smtp_server.messages) == 1
    smtp_server.fail_with("451 4.3.0 try again later")
    with pytest.raises(DeliveryFailed) as refused:  # a refusal before acceptance is still a failure
        send(transport(smtp_server))
    assert refused.value.reason == "smtp:451" and len(smtp_server.messages) == 1
