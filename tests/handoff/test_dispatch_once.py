"""Once per message across a worker's death (handoff/dispatch.py, handoff/notify.py): every attempt is recorded as
started before it is sent, every Slack post carries its outbox id in message metadata, and a message whose earlier
attempt has no recorded outcome is looked up in Slack (conversations.history) before it is posted again. On a real
SQLite file and a real redis-server, against the local Slack Web API mock (a real HTTP server on loopback) and a
real SMTP server.

A worker "killed" here raises a BaseException the dispatcher does not catch, at the moment named (after Slack's ok
and before the record, or after the start was recorded and before the post): nothing after that point runs, as
with SIGKILL. tests/handoff/test_dispatch_sigkill.py does the same with a real process and a real SIGKILL."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from handoff_testkit import NOW, draft, open_store
from slack_mock import SlackMock
from slack_sdk import WebClient
from smtp_server import SmtpServer

from handoff.dispatch import Dispatcher
from handoff.mail import Email, SmtpConfig, SmtpTransport, message_id
from handoff.notify import OUTBOX_EVENT, SlackTransport, outbox_id
from handoff.outbox import PENDING, SENT, OutboxMessage, Routing, new_message
from handoff.store import OutboxBusy, Store
from handoff.tickets import Ticket

SLACK = Routing(staff=("slack",))
PUBLIC_URL = "https://privacy.example.com"
LEASE = 120.0


class Killed(BaseException):
    """The worker dies here (nothing after this point runs; the dispatcher does not catch BaseException)."""


class DiesAt:
    """A real store; the worker dies right after `start_attempt` (`after_start`) or right before the record of a
    delivery the channel confirmed (`before_record`)."""

    def __init__(self, inner: Store, *, after_start: bool = False, before_record: bool = False) -> None:
        self.inner, self.after_start, self.before_record = inner, after_start, before_record

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def start_attempt(self, key: str, **kwargs: Any) -> OutboxMessage:
        started = self.inner.start_attempt(key, **kwargs)
        if self.after_start:
            raise Killed
        return started

    def record_delivery(self, key: str, **kwargs: Any) -> OutboxMessage:
        if self.before_record and kwargs.get("ok"):
            raise Killed
        return self.inner.record_delivery(key, **kwargs)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = str(tmp_path / "data") if request.param == "sqlite" else request.getfixturevalue("redis_server").url
    s = open_store(request.param, location, outbox_rules=SLACK)
    yield s
    s.close()


class Posts:
    """The Slack transport of one worker, and where it was told the alert went (`on_posted`)."""

    def __init__(self, mock: SlackMock, *, timeout: int = 10) -> None:
        client = WebClient(token=SlackMock.TOKEN, base_url=mock.url, timeout=timeout, retry_handlers=[])
        self.located: list[tuple[str, str, str]] = []
        self.transport = SlackTransport(client, "C0STAFF", PUBLIC_URL,
                                        on_posted=lambda t, ch, ts: self.located.append((t.reference, ch, ts)))


def open_ticket(store: Store) -> tuple[Ticket, str]:
    ticket = store.create_ticket(draft(1), idempotency_key="once-1", now=NOW)
    return ticket, f"{ticket.reference}:staff_alert:slack"


def later(seconds: float = LEASE + 1) -> Any:
    """A dispatcher clock `seconds` ahead: the dead worker's lease has ended."""
    return lambda: time.time() + seconds


def killed_after_slack_took_it(store: Store, mock: SlackMock) -> tuple[Ticket, str]:
    ticket, key = open_ticket(store)
    with pytest.raises(Killed):
        Dispatcher(DiesAt(store, before_record=True), {"slack": Posts(mock).transport}).run_once()
    assert len(mock.messages("C0STAFF")) == 1
    message = store.get_outbox(key)
    assert (message.status, message.attempts) == (PENDING, 0) and message.attempt_started_at is not None
    return ticket, key


# -- Slack: found, not posted again ---------------------------------------------------------------------------
def test_a_post_slack_took_before_the_worker_died_is_found_and_not_posted_again(store: Store,
                                                                                slack_api: SlackMock) -> None:
    ticket, key = killed_after_slack_took_it(store, slack_api)
    [posted] = slack_api.messages("C0STAFF")
    assert posted["metadata"] == {"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": outbox_id(key)}}
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}).run_once() == 0, "still leased"

    next_worker = Posts(slack_api)
    dispatcher = Dispatcher(store, {"slack": next_worker.transport}, clock=later(), lease_seconds=LEASE)
    assert dispatcher.run_once() == 1
    message = store.get_outbox(key)
    assert (message.status, message.attempts, message.attempt_started_at) == (SENT, 1, None)
    assert message.sent_at == float(posted["ts"])  # when Slack took it, as Slack's history says
    assert len(slack_api.calls("chat.postMessage")) == 1 and len(slack_api.messages("C0STAFF")) == 1
    [lookup] = slack_api.calls("conversations.history")
    assert lookup.params["channel"] == "C0STAFF" and lookup.params["include_all_metadata"] in ("1", "true", True)
    assert next_worker.located == [(ticket.reference, "C0STAFF", posted["ts"])]  # its updates can find the post
    assert dispatcher.run_once() == 0


def test_a_worker_dead_before_its_post_left_leaves_it_to_be_posted_once(store: Store, slack_api: SlackMock) -> None:
    _, key = open_ticket(store)
    with pytest.raises(Killed):
        Dispatcher(DiesAt(store, after_start=True), {"slack": Posts(slack_api).transport}).run_once()
    assert slack_api.calls("chat.postMessage") == [] and store.get_outbox(key).attempt_started_at is not None
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later()).run_once() == 1
    assert len(slack_api.calls("conversations.history")) == 1  # asked: nothing there
    assert len(slack_api.messages("C0STAFF")) == 1 and store.get_outbox(key).status == SENT


def test_a_delivery_recorded_normally_needs_no_lookup(store: Store, slack_api: SlackMock) -> None:
    _, key = open_ticket(store)
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}).run_once() == 1
    assert slack_api.calls("conversations.history") == [] and store.get_outbox(key).attempt_started_at is None


@pytest.mark.parametrize("failure", [{"error": "ratelimited", "retry_after": 30}, {"status": 500}],
                         ids=["429", "500"])
def test_a_lookup_that_fails_waits_and_asks_again_rather_than_post(store: Store, slack_api: SlackMock,
                                                                   failure: dict[str, Any]) -> None:
    """Slack's history answering 429 or 500 says nothing about the post: the message is not posted (that could be
    the second copy the lookup is there to prevent) but kept pending, its earlier attempt still in doubt, and asked
    about again after the usual backoff (never sooner than Retry-After). When Slack answers, it is found."""
    _, key = killed_after_slack_took_it(store, slack_api)
    slack_api.fail("conversations.history", **failure)
    clock = later()
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=clock).run_once() == 0
    message = store.get_outbox(key)
    assert (message.status, message.attempts) == (PENDING, 1) and message.attempt_started_at is not None
    expected = "lookup:slack:http_429:ratelimited" if "error" in failure else "lookup:slack:http_500"
    assert message.last_error == expected
    assert message.next_attempt_at >= clock() + (29 if "error" in failure else 4)
    assert len(slack_api.calls("chat.postMessage")) == 1

    slack_api.recover()
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later(2000)).run_once() == 1
    assert store.get_outbox(key).status == SENT and len(slack_api.messages("C0STAFF")) == 1


def test_the_last_attempt_allowed_posts_even_when_the_lookup_keeps_failing(store: Store, slack_api: SlackMock,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    """A lookup Slack refuses attempt after attempt must not end in a loss: the last attempt posts (logged)."""
    _, key = killed_after_slack_took_it(store, slack_api)
    slack_api.fail("conversations.history", error="ratelimited", retry_after=1)
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later(), max_attempts=2).run_once() == 0
    assert store.get_outbox(key).attempts == 1
    with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
        assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later(2000),
                          max_attempts=2).run_once() == 1
    assert "could not be asked (lookup:slack:http_429:ratelimited) in 2 attempts; sending it again" in caplog.text
    assert len(slack_api.messages("C0STAFF")) == 2 and store.get_outbox(key).status == SENT


def test_slack_unable_to_answer_at_all_posts_again_and_says_so(store: Store, slack_api: SlackMock,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """Without the history scope Slack can never answer: waiting would turn a possible second copy into a certain
    loss, so the message is posted again (the one case left where a kill can repeat a Slack post), with a warning."""
    _, key = killed_after_slack_took_it(store, slack_api)
    slack_api.fail("conversations.history", error="missing_scope")
    with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
        assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later()).run_once() == 1
    assert "cannot be asked (slack:missing_scope); sending it again" in caplog.text
    assert len(slack_api.messages("C0STAFF")) == 2 and store.get_outbox(key).status == SENT


def test_a_timeout_after_the_post_left_is_looked_up_before_the_next_attempt(store: Store,
                                                                            slack_api: SlackMock) -> None:
    """Slack took the post but its answer came after the client gave up (1 s): a failed attempt, but one that may
    have arrived, so the next attempt asks first and finds it."""
    _, key = open_ticket(store)
    slack_api.set_latency(2.0, "chat.postMessage")
    assert Dispatcher(store, {"slack": Posts(slack_api, timeout=1).transport}).run_once() == 0
    message = store.get_outbox(key)
    assert (message.status, message.last_error) == (PENDING, "network:timeout")
    assert message.attempt_started_at is not None
    slack_api.wait_for("chat.postMessage", timeout=10)
    slack_api.set_latency(0, "chat.postMessage")
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later(60)).run_once() == 1
    assert len(slack_api.calls("chat.postMessage")) == 1 and store.get_outbox(key).status == SENT


def test_a_refused_connection_is_not_in_doubt(store: Store, slack_api: SlackMock) -> None:
    _, key = open_ticket(store)
    client = WebClient(token=SlackMock.TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2, retry_handlers=[])
    assert Dispatcher(store, {"slack": SlackTransport(client, "C0STAFF", PUBLIC_URL)}).run_once() == 0
    message = store.get_outbox(key)
    assert message.last_error == "network:URLError" and message.attempt_started_at is None


def test_a_manual_retry_waits_for_the_dead_workers_lease_then_looks_up_first(store: Store,
                                                                             slack_api: SlackMock) -> None:
    _, key = killed_after_slack_took_it(store, slack_api)
    with pytest.raises(OutboxBusy):  # nobody can tell a dead worker from one still posting: its lease says when
        Dispatcher(store, {"slack": Posts(slack_api).transport}).deliver_now(key)
    by_hand = Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later(), lease_seconds=LEASE)
    assert by_hand.deliver_now(key).status == SENT
    assert len(slack_api.messages("C0STAFF")) == 1


# -- SMTP: no way to ask; the same Message-ID; QUIT after the record ------------------------------------------
def _email_transport(server: SmtpServer) -> SmtpTransport:
    email = Email(to=("hanako@example.jp",), subject="Receipt", text="t", html="<p>t</p>")
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", sender="desk@example.com", timeout=5)
    return SmtpTransport(config, lambda message, ticket: email)


def test_an_email_the_server_took_before_the_worker_died_is_sent_again_with_the_same_message_id(
        store: Store, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    """What is left: a mail server cannot be asked what it accepted, so the second worker sends it again, saying
    so in the log; both copies carry the one Message-ID derived from the outbox key (receiving systems can drop the
    second)."""
    [message] = store.enqueue([new_message("email", "verification", key="verify:once", now=NOW)])
    with pytest.raises(Killed):
        Dispatcher(DiesAt(store, before_record=True), {"email": _email_transport(smtp_server)}).run_once()
    with caplog.at_level(logging.WARNING, logger="handoff.dispatch"):
        assert Dispatcher(store, {"email": _email_transport(smtp_server)}, clock=later()).run_once() == 1
    assert "channel email cannot be asked whether it arrived; sending it again" in caplog.text
    first, second = smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == message_id("verify:once", "desk@example.com")
    assert store.get_outbox(message.key).status == SENT


def test_the_smtp_session_ends_after_the_delivery_is_recorded(store: Store, smtp_server: SmtpServer) -> None:
    """Between the server's 250 and the record nothing else is waited for: QUIT (a round trip, up to the timeout
    with a slow server) comes after."""
    store.enqueue([new_message("email", "verification", key="verify:quit", now=NOW)])
    quits_at_record: list[int] = []

    class Watch:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def record_delivery(self, key: str, **kwargs: Any) -> OutboxMessage:
            quits_at_record.append(smtp_server.quits)
            return store.record_delivery(key, **kwargs)

    assert Dispatcher(Watch(), {"email": _email_transport(smtp_server)}).run_once() == 1
    assert quits_at_record == [0] and len(smtp_server.messages) == 1
    deadline = time.monotonic() + 5
    while smtp_server.quits < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert smtp_server.quits == 1


def test_a_post_in_a_busy_channel_is_found_before_the_later_messages(store: Store, slack_api: SlackMock,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """conversations.history answers newest first: read from the end of the window, the later messages of a busy
    channel used up the pages a lookup may read, so it gave up ('slack:lookup_too_long') and posted the alert again
    (the fault benchmark's repeated staff alert). A window of more than a page is now read up to a little after the
    attempt started first. Here pages of 5, 4 pages in all, 30 later posts (scaled down from 200 x 10, ~2,000)."""
    import handoff.notify as notify

    monkeypatch.setattr(notify, "LOOKUP_PAGE", 5)
    monkeypatch.setattr(notify, "LOOKUP_PAGES", 4)
    monkeypatch.setattr(notify, "LOOKUP_NEAR", 0.8)
    _, key = killed_after_slack_took_it(store, slack_api)
    time.sleep(1.0)
    client = WebClient(token=SlackMock.TOKEN, base_url=slack_api.url, retry_handlers=[])
    for n in range(30):
        client.chat_postMessage(channel="C0STAFF", text=f"other {n}")
    assert Dispatcher(store, {"slack": Posts(slack_api).transport}, clock=later()).run_once() == 1
    assert store.get_outbox(key).status == SENT
    assert len(slack_api.messages("C0STAFF")) == 31, "posted again"
