"""A manual retry (`privacy-bot tickets notify REF`, `Dispatcher.deliver_now`) holds a lease as a dispatcher's round
does (`OutboxStore.lease_outbox`): it never attempts a message another process may be handing to its channel at that
moment, and no dispatcher claims the message while the retry runs. On a real SQLite file and a real redis-server,
against the local Slack Web API mock on loopback."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from handoff_testkit import BACKENDS, NOW, draft, open_store
from slack_mock import SlackMock
from slack_sdk import WebClient

from handoff.dispatch import Dispatcher
from handoff.notify import SlackTransport
from handoff.outbox import FAILED, PENDING, SENT, Routing
from handoff.store import OutboxBusy, OutboxNotFound, Store

SLACK = Routing(staff=("slack",))
LEASE = 120.0


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = str(tmp_path / "data") if request.param == "sqlite" else request.getfixturevalue("redis_server").url
    s = open_store(request.param, location, outbox_rules=SLACK)
    yield s
    s.close()


def alert_key(store: Store, n: int = 1) -> str:
    ticket = store.create_ticket(draft(n), idempotency_key=f"manual-{n}", now=NOW)
    return f"{ticket.reference}:staff_alert:slack"


def slack(mock: SlackMock) -> SlackTransport:
    client = WebClient(token=SlackMock.TOKEN, base_url=mock.url, timeout=10, retry_handlers=[])
    return SlackTransport(client, "C0STAFF", "https://privacy.example.com")


# -- the store's lease --------------------------------------------------------------------------------------------
def test_a_message_a_round_has_claimed_is_busy_until_its_lease_ends_or_is_recorded(store: Store) -> None:
    key = alert_key(store)
    assert [m.key for m in store.claim_outbox(now=NOW, channels=["slack"], limit=10, lease_seconds=LEASE)] == [key]
    with pytest.raises(OutboxBusy) as busy:
        store.lease_outbox(key, now=NOW + 5, lease_seconds=LEASE)
    assert busy.value.until == NOW + LEASE and busy.value.key == key
    # the lease ended (its process died): the message is free again
    assert store.lease_outbox(key, now=NOW + LEASE + 1, lease_seconds=LEASE).status == PENDING


def test_recording_the_claimed_attempt_ends_its_lease(store: Store) -> None:
    key = alert_key(store)
    store.claim_outbox(now=NOW, channels=["slack"], limit=10, lease_seconds=LEASE)
    store.record_delivery(key, ok=False, now=NOW + 1, error="slack:internal_error", retry_at=NOW + 600)
    leased = store.lease_outbox(key, now=NOW + 2, lease_seconds=LEASE)  # before its backoff ends: a manual retry
    assert (leased.status, leased.next_attempt_at, leased.attempts) == (PENDING, NOW + 2, 1)


def test_a_manual_lease_keeps_rounds_and_other_manual_retries_off_until_it_ends(store: Store) -> None:
    key = alert_key(store)
    store.lease_outbox(key, now=NOW, lease_seconds=LEASE)
    assert store.claim_outbox(now=NOW + 60, channels=["slack"], limit=10, lease_seconds=LEASE) == []
    with pytest.raises(OutboxBusy):
        store.lease_outbox(key, now=NOW + 60, lease_seconds=LEASE)
    # the manual retry's process died mid-attempt: a round takes the message once the lease is over
    assert [m.key for m in store.claim_outbox(now=NOW + LEASE + 1, channels=["slack"], limit=10,
                                              lease_seconds=LEASE)] == [key]


def test_a_failed_message_leased_by_hand_is_pending_and_counted_so(store: Store) -> None:
    key = alert_key(store)
    store.claim_outbox(now=NOW, channels=["slack"], limit=10, lease_seconds=LEASE)
    store.record_delivery(key, ok=False, now=NOW + 1, error="slack:channel_not_found", retry_at=None)
    assert store.get_outbox(key).status == FAILED and store.outbox_counts()["failed"] == 1
    leased = store.lease_outbox(key, now=NOW + 10, lease_seconds=LEASE)
    assert (leased.status, leased.last_error) == (PENDING, "slack:channel_not_found")
    assert store.get_outbox(key) == leased
    assert store.outbox_counts() == {"pending": 1, "sent": 0, "failed": 0}
    assert store.claim_outbox(now=NOW + 11, channels=["slack"], limit=10, lease_seconds=LEASE) == []


def test_a_sent_message_is_returned_as_it_is_and_a_missing_one_is_named(store: Store) -> None:
    key = alert_key(store)
    store.claim_outbox(now=NOW, channels=["slack"], limit=10, lease_seconds=LEASE)
    sent = store.record_delivery(key, ok=True, now=NOW + 1)
    assert store.lease_outbox(key, now=NOW + 2, lease_seconds=LEASE) == sent
    assert store.outbox_counts()["sent"] == 1
    with pytest.raises(OutboxNotFound):
        store.lease_outbox("PRQ-2026-999999:staff_alert:slack", now=NOW, lease_seconds=LEASE)


# -- the dispatcher: a retry by hand while the server's round is sending ---------------------------------------------
def test_a_manual_retry_while_the_server_posts_it_is_refused_and_it_is_posted_once(store: Store,
                                                                                  slack_api: SlackMock) -> None:
    key = alert_key(store)
    slack_api.set_latency(1.5, "chat.postMessage")  # the server's post is on its way to Slack
    server = Dispatcher(store, {"slack": slack(slack_api)}, lease_seconds=LEASE)
    round_ = threading.Thread(target=server.run_once)
    round_.start()
    deadline = time.monotonic() + 10
    while slack_api.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slack_api.in_flight == 1
    by_hand = Dispatcher(store, {"slack": slack(slack_api)}, lease_seconds=LEASE)  # `tickets notify REF`
    with pytest.raises(OutboxBusy) as busy:
        by_hand.deliver_now(key)
    assert busy.value.until > time.time() + LEASE - 30
    round_.join(10)
    assert len(slack_api.messages("C0STAFF")) == 1
    assert store.get_outbox(key).status == SENT
    slack_api.set_latency(0, "chat.postMessage")
    assert by_hand.deliver_now(key).status == SENT, "once recorded, a retry changes nothing"
    assert len(slack_api.messages("C0STAFF")) == 1


def test_two_manual_retries_at_once_post_once(store: Store, slack_api: SlackMock) -> None:
    key = alert_key(store)
    slack_api.set_latency(1.0, "chat.postMessage")
    outcomes: list[str] = []

    def retry() -> None:
        try:
            outcomes.append(Dispatcher(store, {"slack": slack(slack_api)}).deliver_now(key).status)
        except OutboxBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(outcomes) == ["busy", SENT]
    assert len(slack_api.messages("C0STAFF")) == 1
