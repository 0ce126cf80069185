"""A real worker process (`privacy-bot tickets notify`, one outbox round) is SIGKILLed by the Slack mock the moment
Slack has taken its staff alert, before the answer reaches it and so before the delivery is recorded: the next
dispatcher finds the post in the channel's history (its metadata names the outbox message) and records it instead
of posting it again. On a real SQLite file and a real redis-server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from handoff_testkit import PREFIX, RedisServerLike
from slack_mock import SlackMock

from bot.app import build_services, build_store
from bot.config import Settings
from handoff.outbox import PENDING, SENT
from handoff.tickets import Contact, Requester, TicketDraft

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_worker_sigkilled_after_slack_took_the_post_is_not_posted_again(
        backend: str, tmp_path: Path, slack_api: SlackMock, request: pytest.FixtureRequest) -> None:
    env = {"PRIVACY_BOT_DATA_DIR": str(tmp_path / "data"), "PRIVACY_BOT_PUBLIC_URL": "https://privacy.example.com",
           "SLACK_BOT_TOKEN": SlackMock.TOKEN, "SLACK_SIGNING_SECRET": "s3cr3t", "SLACK_API_URL": slack_api.url,
           "SLACK_STAFF_CHANNEL": "C0STAFF"}
    if backend == "redis":
        server: RedisServerLike = request.getfixturevalue("redis_server")
        env.update({"REDIS_URL": server.url, "REDIS_KEY_PREFIX": PREFIX})
    store = build_store(Settings.from_env(env))
    try:
        ticket = store.create_ticket(TicketDraft(request_type="disclosure", requester=Requester("web", None, "s-1"),
                                                 contact=Contact(name="Requester", email="person@example.com")),
                                     idempotency_key="sigkill-1", now=time.time())
    finally:
        store.close()
    key = f"{ticket.reference}:staff_alert:slack"

    worker: dict[str, subprocess.Popen[str]] = {}
    post = slack_api._post_message

    def post_then_kill(params: dict[str, Any]) -> dict[str, Any]:
        answer = post(params)  # Slack has the message ...
        os.kill(worker["proc"].pid, signal.SIGKILL)  # ... and the worker dies before it hears so
        time.sleep(0.2)
        return answer

    slack_api.handle("chat.postMessage", post_then_kill)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_BOT_", "REDIS_", "SLACK_",
                                                                            "SMTP_"))}
    worker["proc"] = subprocess.Popen([sys.executable, "-m", "bot", "tickets", "notify"], cwd=REPO,
                                      env={**environment, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True)
    try:
        _, errors = worker["proc"].communicate(timeout=60)
    finally:
        if worker["proc"].poll() is None:
            worker["proc"].kill()
            worker["proc"].wait(timeout=15)
    assert worker["proc"].returncode == -signal.SIGKILL, errors
    assert len(slack_api.messages("C0STAFF")) == 1

    slack_api.handle("chat.postMessage", post)
    services = build_services(Settings.from_env(env))
    try:
        message = services.store.get_outbox(key)
        assert (message.status, message.attempts) == (PENDING, 0) and message.attempt_started_at is not None
        services.dispatcher.clock = lambda: time.time() + services.dispatcher.lease_seconds + 1  # the lease ended
        assert services.dispatcher.run_once() >= 1
        message = services.store.get_outbox(key)
        assert message.status == SENT and message.attempt_started_at is None
    finally:
        services.close()
    assert len(slack_api.messages("C0STAFF")) == 1
    assert len(slack_api.calls("conversations.history")) == 1
