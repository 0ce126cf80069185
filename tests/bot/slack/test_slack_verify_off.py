"""With email on but `PRIVACY_BOT_EMAIL_VERIFICATION=0`, Slack's request modal files at once, as before verification
existed: no code, the ticket says "email not verified" (verified_at None), and the receipt still goes by email."""
from __future__ import annotations

import json
import time
from typing import Iterator

import pytest
from smtp_server import SmtpServer

from handoff.tickets import Requester
from slack_mock import TEAM_ID, SlackMock
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    SlackServer, select, slack_mock, slack_server, text_input, unique, view_submission, wait_until,
)

SMTP = SmtpServer()
SLACK_EXTRA_ENV = SMTP.settings(PRIVACY_BOT_EMAIL_VERIFICATION="0")


@pytest.fixture(scope="module", autouse=True)
def smtp() -> Iterator[SmtpServer]:
    yield from SMTP.serving()


def test_without_verification_the_modal_files_at_once_unverified(slack_server: SlackServer,
                                                                 slack_mock: SlackMock) -> None:
    user, email = unique("U0O"), "off.requester@example.jp"
    meta = json.dumps({"t": "disclosure", "l": "en", "s": f"slack:{TEAM_ID}:D0O:{user}"})
    values = {"name": text_input("Hanako Yamada"), "email": {"type": "email_text_input", "value": email},
              "on_behalf": select("self"), "scope": text_input("everything"), "delivery": select("electronic")}
    response = slack_server.interaction(view_submission(user=user, view_id=unique("V0"), callback_id="request_form",
                                                        private_metadata=meta, values=values))
    assert response.status == 200 and response.body == b"", "the modal closes: no code view"
    with slack_server.store() as store:
        [ticket] = wait_until(lambda: store.list_tickets(requester=Requester("slack", user, "x")), what="ticket")
    assert ticket.contact.email == email and ticket.contact.verified_at is None
    [receipt] = wait_until(lambda: SMTP.to(email), what="receipt email")
    assert ticket.reference in str(receipt["Subject"])
    time.sleep(0.5)
    assert len(SMTP.to(email)) == 1, "no verification code was mailed"
