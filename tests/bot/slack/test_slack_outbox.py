"""The Slack wing's durable messages (issue 17 point 2): which ticket changes store which Slack messages, and how a
chat-form ticket's receipt is not sent twice. In process, on a real SQLite store and the local Web API mock."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.slack.outbox import RECEIPT, RECEIPT_GRACE, receipt_shown, slack_rule
from handoff.tickets import Contact, Requester, TicketDraft
from slack_mock import SlackMock


@pytest.fixture()
def services(tmp_path: Path, slack_api: SlackMock) -> Iterator[Services]:
    built = build_services(Settings.from_env({
        "PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "SLACK_BOT_TOKEN": SlackMock.TOKEN,
        "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_API_URL": slack_api.url, "SLACK_STAFF_CHANNEL": "C0STAFF"}))
    yield built
    built.close()


def _draft(session: str, user: str = "U0REQ") -> TicketDraft:
    return TicketDraft(request_type="disclosure", requester=Requester("slack", user, session),
                       contact=Contact("Hanako", "h@example.jp"))


def _dms(mock: SlackMock) -> list[str]:
    return [str(c.params.get("text")) for c in mock.calls("chat.postMessage") if str(c.params["channel"]).startswith("D")]


def test_a_modal_receipt_is_due_at_once_and_a_chat_form_receipt_waits_for_the_conversation(
        services: Services) -> None:
    now = time.time()
    modal = services.store.create_ticket(_draft("slack:T0:modal:U0REQ"), idempotency_key=uuid.uuid4().hex, now=now)
    chat = services.store.create_ticket(_draft("slack:T0:D0REQ:U0REQ"), idempotency_key=uuid.uuid4().hex, now=now)
    web = services.store.create_ticket(
        TicketDraft(request_type="disclosure", requester=Requester("web", None, "s1"), contact=Contact("A", "a@x.jp")),
        idempotency_key=uuid.uuid4().hex, now=now)
    found = services.store.outbox_for([modal.reference, chat.reference, web.reference])
    [modal_receipt] = [m for m in found[modal.reference] if m.kind == RECEIPT]
    [chat_receipt] = [m for m in found[chat.reference] if m.kind == RECEIPT]
    assert modal_receipt.next_attempt_at == pytest.approx(now, abs=1)
    assert chat_receipt.next_attempt_at == pytest.approx(now + RECEIPT_GRACE, abs=1)
    assert [m.kind for m in found[web.reference]] == ["staff_alert"]  # no Slack DM for a web requester


def test_a_receipt_the_conversation_showed_is_not_dmed_again(services: Services, slack_api: SlackMock) -> None:
    shown = services.store.create_ticket(_draft("slack:T0:modal:U0A", "U0A"), idempotency_key=uuid.uuid4().hex,
                                         now=time.time())
    unseen = services.store.create_ticket(_draft("slack:T0:modal:U0B", "U0B"), idempotency_key=uuid.uuid4().hex,
                                          now=time.time())
    receipt_shown(services.store, shown.reference)
    services.dispatcher.run_once()
    texts = _dms(slack_api)
    assert len(texts) == 1 and unseen.reference in texts[0]
    found = services.store.outbox_for([shown.reference])[shown.reference]
    assert [m.status for m in found if m.kind == RECEIPT] == ["sent"]  # done: nothing left to retry


def test_status_changes_store_a_dm_and_the_posts_update_with_the_change(services: Services) -> None:
    ticket = services.store.create_ticket(_draft("slack:T0:modal:U0C", "U0C"), idempotency_key=uuid.uuid4().hex,
                                          now=time.time())
    claimed = services.store.update_status(ticket.reference, "in_progress", actor="slack:U0STAFF", now=time.time())
    kinds = sorted(m.kind for m in services.store.outbox_for([ticket.reference])[ticket.reference])
    assert kinds == ["slack_post_log", "slack_post_update", "slack_receipt", "slack_status", "staff_alert"]
    rule = slack_rule(staff_posts=False)
    assert [m.kind for m in rule(ticket, claimed)] == ["slack_status"]  # no staff channel: no post to update
    assert rule(claimed, claimed) == []
