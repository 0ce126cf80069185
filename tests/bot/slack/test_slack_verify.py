"""Email verification in Slack's request modal (issue 16 point 3), end to end: a real `privacy-bot serve` whose Slack
is the local Web API mock (correctly signed requests) and whose email goes to a real SMTP server (aiosmtpd) on
loopback. The codes are read from the delivered emails."""
from __future__ import annotations

import json
import re
import time
from typing import Any, Iterator

import pytest
from smtp_server import SmtpServer

from bot.slack.verify import RECORD_PREFIX
from handoff.tickets import Requester
from slack_mock import TEAM_ID, SlackMock
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    Posted, SlackServer, block_actions, posts, select, slack_mock, slack_server, text_input, unique,
    view_submission, wait_posts, wait_until,
)

SMTP = SmtpServer()  # its port is fixed now, for the server's settings; started by the fixture below
SLACK_EXTRA_ENV = SMTP.settings()  # PRIVACY_BOT_EMAIL_VERIFICATION: auto, so on


@pytest.fixture(scope="module", autouse=True)
def smtp() -> Iterator[SmtpServer]:
    yield from SMTP.serving()


class Request:
    """One user's request through the modal: its submissions, the code view Slack shows, the mailed codes."""

    def __init__(self, server: SlackServer, user: str | None = None, email: str | None = None) -> None:
        self.server = server
        self.user = user or unique("U0E")
        self.email = email or f"{unique('req').lower()}@example.jp"
        self.view_id = unique("V0")
        self.code_view: dict[str, Any] = {}

    def send_form(self, view_id: str | None = None) -> Posted:
        meta = json.dumps({"t": "disclosure", "l": "en", "s": f"slack:{TEAM_ID}:D0E:{self.user}"})
        values = {"name": text_input("Hanako Yamada"), "email": {"type": "email_text_input", "value": self.email},
                  "on_behalf": select("self"), "scope": text_input("everything"), "delivery": select("electronic")}
        response = self.server.interaction(view_submission(user=self.user, view_id=view_id or self.view_id,
                                                           callback_id="request_form", private_metadata=meta,
                                                           values=values))
        assert response.status == 200 and response.seconds < 3
        if response.body and response.json().get("response_action") == "update":
            self.code_view = response.json()["view"]
        return response

    def codes(self, count: int = 1) -> list[str]:
        """The codes mailed to the address so far (waits for `count`)."""
        mails = wait_until(lambda: len(m := SMTP.to(self.email)) >= count and m, what=f"{count} code emails")
        found = [re.search(r"\b(\d{6})\b", str(m["Subject"])) for m in mails]
        assert all(found)
        return [f[1] for f in found if f]

    def send_code(self, code: Any, *, user: str | None = None) -> Posted:
        value = {"type": "plain_text_input"} if code is None else text_input(code)
        submission = view_submission(user=user or self.user, view_id=self.view_id, callback_id="request_verify",
                                     private_metadata=self.code_view["private_metadata"], values={"code": value})
        response = self.server.interaction(submission)
        assert response.status == 200 and response.seconds < 3
        return response

    def press(self, action_id: str, *, user: str | None = None) -> Posted:
        view = {"id": self.view_id, "hash": "1700000000.h", "callback_id": "request_verify",
                "private_metadata": self.code_view["private_metadata"]}
        click = block_actions(user=user or self.user, channel=None, action_id=action_id, value=action_id,
                              block_id="verify_actions", view=view)
        response = self.server.interaction(click)
        assert response.status == 200 and response.seconds < 3
        return response

    def tickets(self) -> list[Any]:
        with self.server.store() as store:
            return store.list_tickets(requester=Requester("slack", self.user, "x"))

    def record(self) -> dict[str, Any] | None:
        with self.server.store() as store:
            return store.load_session(RECORD_PREFIX + json.loads(self.code_view["private_metadata"])["p"])


def code_error(response: Posted) -> str:
    data = response.json()
    assert data["response_action"] == "errors" and list(data["errors"]) == ["code"]
    return str(data["errors"]["code"])


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def updates(mock: SlackMock, view_id: str) -> list[Any]:
    return [c for c in mock.calls("views.update") if c.params.get("view_id") == view_id]


def test_a_modal_request_is_filed_only_with_the_mailed_code(slack_server: SlackServer,
                                                            slack_mock: SlackMock) -> None:
    request = Request(slack_server)
    response = request.send_form()
    view = response.json()["view"]
    shown = json.dumps(view, ensure_ascii=False)
    assert view["callback_id"] == "request_verify" and "6-digit code" in shown
    local, domain = request.email.split("@")
    assert f"{local[0]}•••@{domain}" in shown and request.email not in shown, "the address is masked"
    assert set(json.loads(view["private_metadata"])) == {"p", "l"}, "the metadata holds an opaque id only"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["code"]
    actions = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["verify_resend", "verify_back"]
    [code] = request.codes()
    assert request.tickets() == []
    record = request.record()
    assert record is not None and code not in json.dumps(record), "the store keeps a keyed hash, never the code"

    assert "Tries left: 4" in code_error(request.send_code(other_than(code)))
    assert request.tickets() == []
    done = request.send_code(f"{code[:3]} {code[3:]}")
    assert done.body == b"", "the right code closes the modal"
    [ticket] = wait_until(request.tickets, what="ticket")
    assert ticket.contact.email == request.email and ticket.contact.verified_at is not None
    assert abs(ticket.contact.verified_at - time.time()) < 60
    # The receipt is DMed once, through the outbox, as for a modal without verification.
    opened = wait_until(lambda: [c for c in slack_mock.calls("conversations.open") if c.params["users"] == request.user],
                        what="conversations.open")
    dm_channel = opened[0].response["channel"]["id"]
    [receipt] = wait_posts(slack_mock, dm_channel)
    assert ticket.reference in json.dumps(receipt.json_param("blocks"))
    receipts = wait_until(lambda: [m for m in SMTP.to(request.email) if ticket.reference in str(m["Subject"])],
                          what="receipt email")
    # The same right code again (a retry) files nothing new; the waiting request is gone once filed.
    assert request.send_code(code).status == 200
    time.sleep(1.0)
    assert [t.reference for t in request.tickets()] == [ticket.reference]
    assert len(posts(slack_mock, dm_channel)) == 1 and len(receipts) == 1
    assert request.record() is None
    with slack_server.store() as store:
        assert sorted(m.kind for m in store.outbox_for([ticket.reference])[ticket.reference]) == [
            "receipt", "slack_receipt", "staff_alert"]
    log = slack_server.log.read_text(errors="replace")
    assert code not in log and request.email not in log and local not in log


@pytest.mark.parametrize("ugly", [None, "", "   ", "abcdef", "12345", "1234567", "9" * 5000, "{{ 7*7 }}",
                                  "{code}", "${jndi:ldap://x}", "<script>alert(1)</script>", "\x00\u202e\ufeff", "١٢٣"])
def test_ugly_input_in_the_code_field_is_a_clear_error(slack_server: SlackServer, ugly: str | None) -> None:
    request = Request(slack_server)
    request.send_form()
    error = code_error(request.send_code(ugly))
    assert "Please type the 6 digits" in error and "49" not in error
    [code] = request.codes()
    # None of it used a try; the right code still files the request.
    assert "Tries left: 4" in code_error(request.send_code(other_than(code)))
    assert request.send_code(code).body == b""
    wait_until(request.tickets, what="ticket")
    log = slack_server.log.read_text(errors="replace")
    assert "Traceback" not in log and "acknowledgement failed" not in log and "listener" not in log


def test_five_wrong_tries_void_the_code_and_a_new_one_can_be_sent(slack_server: SlackServer,
                                                                  slack_mock: SlackMock) -> None:
    request = Request(slack_server)
    request.send_form()
    [first] = request.codes()
    errors = [code_error(request.send_code(other_than(first))) for _ in range(5)]
    assert "Tries left: 1" in errors[3] and "no tries left" in errors[4]
    assert "no tries left" in code_error(request.send_code(first)), "the right code no longer counts"
    assert request.tickets() == []
    assert request.press("verify_resend").body == b""
    [update] = wait_until(lambda: updates(slack_mock, request.view_id), what="views.update")
    assert update.params["hash"] == "1700000000.h"
    new_view = update.json_param("view")
    assert new_view["callback_id"] == "request_verify" and "A new code was sent" in json.dumps(new_view)
    assert new_view["private_metadata"] == request.code_view["private_metadata"]
    first_again, second = request.codes(2)
    assert first_again == first
    if second != first:
        assert "Tries left: 4" in code_error(request.send_code(first)), "codes sent before no longer work"
    assert request.send_code(second).body == b""
    [ticket] = wait_until(request.tickets, what="ticket")
    assert ticket.contact.verified_at is not None


def test_an_expired_code_says_so_and_a_new_one_works(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    request = Request(slack_server)
    request.send_form()
    [code] = request.codes()
    key = RECORD_PREFIX + json.loads(request.code_view["private_metadata"])["p"]
    with slack_server.store() as store:  # 15 minutes later, as far as the code is concerned
        record = store.load_session(key)
        assert record is not None
        record["verify"]["expires_at"] = time.time() - 1
        store.save_session(key, record, 3600)
    assert "expired" in code_error(request.send_code(code))
    request.press("verify_resend")
    _, fresh = request.codes(2)
    assert request.send_code(fresh).body == b""
    wait_until(request.tickets, what="ticket")


def test_another_user_cannot_complete_resend_or_reopen_someone_elses_request(slack_server: SlackServer,
                                                                             slack_mock: SlackMock) -> None:
    owner = Request(slack_server)
    owner.send_form()
    [code] = owner.codes()
    intruder = unique("U0X")
    # The owner's view id, metadata and even the right code, sent by someone else: nothing is filed.
    assert "no longer waiting" in code_error(owner.send_code(code, user=intruder))
    owner.press("verify_resend", user=intruder)
    owner.press("verify_back", user=intruder)
    shown = wait_until(lambda: len(u := updates(slack_mock, owner.view_id)) >= 2 and u, what="views.update")
    for update in shown:
        text = json.dumps(update.json_param("view"), ensure_ascii=False)
        assert "no longer waiting" in text and "Hanako" not in text and owner.email.split("@")[0][1:] not in text
    time.sleep(1.0)
    assert len(SMTP.to(owner.email)) == 1, "no code was sent for someone else's request"
    with slack_server.store() as store:
        assert store.list_tickets(requester=Requester("slack", intruder, "x")) == []
    assert owner.tickets() == []
    # The owner's code still works, with every try left.
    assert owner.send_code(code).body == b""
    [ticket] = wait_until(owner.tickets, what="ticket")
    assert ticket.requester.user_id == owner.user


def test_change_my_answers_and_closing_the_view(slack_server: SlackServer, slack_mock: SlackMock) -> None:
    request = Request(slack_server)
    request.send_form()
    request.codes()
    request.press("verify_back")
    [update] = wait_until(lambda: updates(slack_mock, request.view_id), what="views.update")
    form = update.json_param("view")
    assert form["callback_id"] == "request_form"
    initial = {b["block_id"]: b["element"].get("initial_value") or (b["element"].get("initial_option") or {}).get("value")
               for b in form["blocks"] if b["type"] == "input"}
    assert initial["email"] == request.email and initial["name"] == "Hanako Yamada" and initial["on_behalf"] == "self"
    assert request.record() is None, "going back forgets the waiting request"
    # Sending the form again asks for a new code; closing the code view cancels the request.
    request.send_form()
    request.codes(2)
    assert request.record() is not None
    closed = {"type": "view_closed", "team": {"id": TEAM_ID, "domain": "mock"}, "is_cleared": False,
              "user": {"id": request.user, "username": "someone", "name": "someone", "team_id": TEAM_ID},
              "api_app_id": "A0MOCK", "token": "legacy-verification-token",
              "view": {"id": request.view_id, "type": "modal", "callback_id": "request_verify", "team_id": TEAM_ID,
                       "private_metadata": request.code_view["private_metadata"], "blocks": [],
                       "state": {"values": {}}, "hash": "1700000000.h"}}
    assert slack_server.interaction(closed).status == 200
    wait_until(lambda: request.record() is None, what="the waiting request forgotten")
    assert "no longer waiting" in code_error(request.send_code("123456"))
    assert request.tickets() == []


def test_codes_for_one_address_are_rate_limited(slack_server: SlackServer) -> None:
    request = Request(slack_server)
    for _ in range(3):  # the address's burst
        assert request.send_form(unique("V0")).json()["response_action"] == "update"
    refused = request.send_form(unique("V0")).json()
    assert refused["response_action"] == "errors" and "Too many codes" in refused["errors"]["email"]
    time.sleep(0.5)
    assert len(request.codes(3)) == 3 and request.tickets() == []
