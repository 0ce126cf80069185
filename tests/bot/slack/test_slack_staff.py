"""Staff in Slack, end to end: the ticket's post in the staff channel, its buttons, the reject modal, who may act.
A running `privacy-bot serve` (Slack Web API = the local mock) receives signed payloads of real shapes."""
from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest

from slack_mock import SlackMock
from test_slack_support import (  # noqa: F401  (slack_mock, slack_server: fixtures)
    STAFF_CHANNEL, STAFF_USER, SlackServer, block_actions, buttons, file_request, posted_text, posts, select,
    slack_mock, slack_server, text_input, unique, view_submission, wait_until,
)

pytestmark = pytest.mark.slow

GROUP_MEMBER = "U0GROUPIE"
#: Besides SLACK_STAFF_USERS=U0STAFF, members of this user group are staff (read with usergroups.users.list).
SLACK_EXTRA_ENV = {"SLACK_STAFF_USERGROUP": "S0PRIVACY"}


@pytest.fixture(scope="module", autouse=True)
def usergroup(slack_mock: SlackMock) -> Iterator[None]:
    slack_mock.handle("usergroups.users.list", lambda params: {"ok": True, "users": [GROUP_MEMBER]}
                      if params.get("usergroup") == "S0PRIVACY" else {"ok": False, "error": "no_such_subteam"})
    yield


def _staff_post(mock: SlackMock, reference: str) -> Any:
    return wait_until(lambda: [c for c in posts(mock, STAFF_CHANNEL) if reference in posted_text(c)],
                      what="staff post")[0]


def _click(server: SlackServer, mock: SlackMock, post: Any, action_id: str, reference: str, user: str) -> dict[str, Any]:
    click = block_actions(user=user, channel=STAFF_CHANNEL, action_id=action_id, value=reference,
                          message_ts=post.response["ts"], block_id="ticket_actions")
    response = server.interaction(click)
    assert response.status == 200 and response.body == b"" and response.seconds < 3
    return click


def _updates(mock: SlackMock, post: Any) -> list[Any]:
    return [c for c in mock.calls("chat.update") if c.params["ts"] == post.response["ts"]]


def _thread(mock: SlackMock, post: Any) -> list[Any]:
    return [c for c in posts(mock, STAFF_CHANNEL) if c.params.get("thread_ts") == post.response["ts"]]


def _requester_dms(mock: SlackMock, user: str) -> list[Any]:
    channels = {c.response["channel"]["id"] for c in mock.calls("conversations.open")
                if c.params["users"] == user}
    return [c for c in mock.calls("chat.postMessage") if c.params.get("channel") in channels]


def _ticket(server: SlackServer, reference: str) -> Any:
    with server.store() as store:
        return store.get_ticket(reference)


@pytest.fixture()
def filed(slack_server: SlackServer, slack_mock: SlackMock) -> tuple[str, str, Any]:
    """A fresh disclosure request from a Slack user: (reference, requester, its staff post)."""
    user = unique("U0REQ")
    reference, _ = file_request(slack_server, slack_mock, user, unique("D0REQ"))
    post = _staff_post(slack_mock, reference)
    wait_until(lambda: _requester_dms(slack_mock, user), what="receipt")
    return reference, user, post


def test_claim_and_resolve_update_the_post_log_in_its_thread_and_dm_the_requester(
        slack_server: SlackServer, slack_mock: SlackMock, filed: tuple[str, str, Any]) -> None:
    reference, requester, post = filed
    _click(slack_server, slack_mock, post, "staff_claim", reference, STAFF_USER)
    [update] = wait_until(lambda: _updates(slack_mock, post), what="chat.update")
    assert update.params["channel"] == STAFF_CHANNEL
    text = posted_text(update)
    assert "In progress" in text and f"<@{STAFF_USER}>" in text and "staff_resolve" in text
    [note] = wait_until(lambda: _thread(slack_mock, post), what="thread note")
    assert f"<@{STAFF_USER}> claimed {reference}" in note.params["text"]
    dms = wait_until(lambda: len(_requester_dms(slack_mock, requester)) >= 2 and _requester_dms(slack_mock, requester),
                     what="status DM")
    assert reference in posted_text(dms[-1]) and "in progress" in posted_text(dms[-1])
    # The requester's App Home follows (issue 17 point 7): republished with the new status.
    homes = wait_until(lambda: [c for c in slack_mock.calls("views.publish") if c.params["user_id"] == requester
                                and "in progress" in json.dumps(c.json_param("view"))], what="App Home")
    assert reference in json.dumps(homes[-1].json_param("view"))
    ticket = _ticket(slack_server, reference)
    assert ticket.status == "in_progress" and ticket.assignee == f"slack:{STAFF_USER}"

    _click(slack_server, slack_mock, post, "staff_waiting", reference, STAFF_USER)
    wait_until(lambda: len(_updates(slack_mock, post)) >= 2, what="second chat.update")
    assert "Waiting on requester" in posted_text(_updates(slack_mock, post)[-1])
    wait_until(lambda: len(_requester_dms(slack_mock, requester)) >= 3, what="waiting DM")
    assert "waiting for information from you" in posted_text(_requester_dms(slack_mock, requester)[-1])

    _click(slack_server, slack_mock, post, "staff_resolve", reference, STAFF_USER)
    wait_until(lambda: len(_updates(slack_mock, post)) >= 3, what="third chat.update")
    final = _updates(slack_mock, post)[-1]
    assert "Resolved" in posted_text(final)
    assert set(buttons(final)) == {"open_ticket"}  # a closed ticket has no actions left
    wait_until(lambda: len(_thread(slack_mock, post)) >= 3, what="thread notes")
    assert "In progress → Waiting on requester" in _thread(slack_mock, post)[1].params["text"]
    assert "Waiting on requester → Resolved" in _thread(slack_mock, post)[2].params["text"]
    wait_until(lambda: len(_requester_dms(slack_mock, requester)) >= 4, what="resolved DM")
    assert "resolved" in posted_text(_requester_dms(slack_mock, requester)[-1])
    assert _ticket(slack_server, reference).status == "resolved"

    # Resolving again changes nothing and says so, privately.
    _click(slack_server, slack_mock, post, "staff_resolve", reference, STAFF_USER)
    refusal = wait_until(lambda: [c for c in slack_mock.calls("chat.postEphemeral")
                                  if c.params["user"] == STAFF_USER and reference in c.params["text"]], what="ephemeral")
    assert "Nothing was changed" in refusal[0].params["text"]
    assert len(_updates(slack_mock, post)) == 3


def test_reject_opens_a_modal_with_the_articles_grounds_and_records_the_choice(
        slack_server: SlackServer, slack_mock: SlackMock, filed: tuple[str, str, Any]) -> None:
    reference, requester, post = filed
    click = _click(slack_server, slack_mock, post, "staff_reject", reference, STAFF_USER)
    opened = wait_until(lambda: [c for c in slack_mock.calls("views.open")
                                 if c.params["trigger_id"] == click["trigger_id"]], what="reject modal")
    view = opened[0].json_param("view")
    assert view["callback_id"] == "reject_ticket"
    [ground_block] = [b for b in view["blocks"] if b.get("block_id") == "ground"]
    grounds = [o["value"] for o in ground_block["element"]["options"]]
    assert grounds[:3] == ["art7_1", "art7_2", "art7_3"] and "identity_not_confirmed" in grounds

    def submit(values: dict[str, Any]) -> Any:
        return slack_server.interaction(view_submission(user=STAFF_USER, view_id=unique("V0R"), callback_id="reject_ticket",
                                                        private_metadata=view["private_metadata"], values=values))

    missing = submit({"ground": select("art7_2", "static_select"), "reason": text_input("  ")}).json()
    assert missing["response_action"] == "errors" and set(missing["errors"]) == {"reason"}
    wrong = submit({"ground": select("art9_3_not_applicable", "static_select"),
                    "reason": text_input("x")}).json()  # a ground of another article
    assert set(wrong["errors"]) == {"ground"}
    assert _ticket(slack_server, reference).status == "new"

    response = submit({"ground": select("art7_2", "static_select"),
                       "reason": text_input("Disclosing this would seriously interfere with our business.")})
    assert response.status == 200 and response.body == b""
    wait_until(lambda: _ticket(slack_server, reference).status == "rejected", what="rejection")
    ticket = _ticket(slack_server, reference)
    assert ticket.rejection.ground == "art7_2" and ticket.assignee is None
    [update] = wait_until(lambda: _updates(slack_mock, post), what="chat.update")
    assert "Rejected" in posted_text(update) and "art7_2" in posted_text(update)
    assert "seriously interfere" not in posted_text(update)  # free text stays out of the channel
    [note] = wait_until(lambda: _thread(slack_mock, post), what="thread note")
    assert "New → Rejected" in note.params["text"] and "art7_2" in note.params["text"]
    assert "seriously interfere" not in note.params["text"]
    dm = wait_until(lambda: len(_requester_dms(slack_mock, requester)) >= 2 and _requester_dms(slack_mock, requester),
                    what="rejection DM")[-1]
    assert "seriously interfere" in posted_text(dm) and "Article 7 item 2" in posted_text(dm)


def test_non_staff_clicks_are_refused_ephemerally_and_change_nothing(
        slack_server: SlackServer, slack_mock: SlackMock, filed: tuple[str, str, Any]) -> None:
    reference, requester, post = filed
    stranger = unique("U0NOPE")
    before = _ticket(slack_server, reference)
    dms_before = len(_requester_dms(slack_mock, requester))
    clicks = [_click(slack_server, slack_mock, post, action, reference, stranger)
              for action in ("staff_claim", "staff_waiting", "staff_resolve", "staff_reject")]
    refusals = wait_until(lambda: len(r := [c for c in slack_mock.calls("chat.postEphemeral")
                                            if c.params["user"] == stranger]) >= 4 and r, what="refusals")
    assert all(c.params["channel"] == STAFF_CHANNEL and "Only privacy staff" in c.params["text"] for c in refusals)
    # A forged reject submission from a non-member is refused too.
    meta = json.dumps({"r": reference, "t": "disclosure", "c": STAFF_CHANNEL, "ts": post.response["ts"]})
    slack_server.interaction(view_submission(user=stranger, view_id=unique("V0F"), callback_id="reject_ticket",
                                             private_metadata=meta, values={"ground": select("art7_1", "static_select"),
                                                                            "reason": text_input("no")}))
    wait_until(lambda: len([c for c in slack_mock.calls("chat.postEphemeral") if c.params["user"] == stranger]) >= 5,
               what="fifth refusal")
    time.sleep(0.3)
    assert _ticket(slack_server, reference) == before
    assert _updates(slack_mock, post) == [] and _thread(slack_mock, post) == []
    assert len(_requester_dms(slack_mock, requester)) == dms_before
    triggers = {c["trigger_id"] for c in clicks}
    assert not [c for c in slack_mock.calls("views.open") if c.params.get("trigger_id") in triggers]


def test_members_of_the_staff_user_group_may_act(slack_server: SlackServer, slack_mock: SlackMock,
                                                 filed: tuple[str, str, Any]) -> None:
    reference, _, post = filed
    _click(slack_server, slack_mock, post, "staff_claim", reference, GROUP_MEMBER)
    wait_until(lambda: _ticket(slack_server, reference).assignee == f"slack:{GROUP_MEMBER}", what="claim")
    [update] = wait_until(lambda: _updates(slack_mock, post), what="chat.update")
    assert f"<@{GROUP_MEMBER}>" in posted_text(update)
    assert any(c.params.get("usergroup") == "S0PRIVACY" for c in slack_mock.calls("usergroups.users.list"))


def test_the_staff_post_is_remembered_for_later_updates(slack_server: SlackServer, slack_mock: SlackMock,
                                                        filed: tuple[str, str, Any]) -> None:
    reference, _, post = filed
    with slack_server.store() as store:
        assert store.load_session(f"slackpost:{reference}") == {"channel": STAFF_CHANNEL, "ts": post.response["ts"]}
    # The reject modal's metadata carries no location here: the remembered post is updated.
    meta = json.dumps({"r": reference, "t": "disclosure"})
    response = slack_server.interaction(view_submission(
        user=STAFF_USER, view_id=unique("V0M"), callback_id="reject_ticket", private_metadata=meta,
        values={"ground": select("identity_not_confirmed", "static_select"), "reason": text_input("We could not "
                                                                                                 "confirm it was you.")}))
    assert response.status == 200
    [update] = wait_until(lambda: _updates(slack_mock, post), what="chat.update")
    assert update.params["channel"] == STAFF_CHANNEL and "Rejected" in posted_text(update)
