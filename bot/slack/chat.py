"""Users in Slack: direct messages, mentions (answered in a thread), `/privacy`, buttons, the request modal and
the App Home tab, and the "Ask the privacy assistant" message shortcut. Each handler translates a Slack payload
into a `Message`, lets the conversation core answer, and translates the `Reply` into Block Kit. The Bolt listeners
in `bot.slack.app` call these after the acknowledgement.

Privacy rules kept here: a formal request is only ever collected in a DM or the private modal. In a channel, and
on every ephemeral path (slash command, shortcut, a click on an ephemeral message), a request opens the modal or
offers it, and any chat-style form of that conversation is cancelled, because answers typed in a channel would be
public. Buttons belong to the person they answered: their owner is in the actions block's id; anyone else's click
changes nothing and gets a private note, and a used set of choices is replaced by the choice made.

Session ids are one per user per conversation: `slack:{team}:{channel}:{user}`; the user id is the Slack user
id, so status questions and the App Home find the tickets of that Slack identity only.
"""
from __future__ import annotations

import logging
import re
from http.client import HTTPException
from typing import Any, Callable, Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app import Services
from bot.engine.desk import TRANSCRIPT_LINES
from bot.engine.messages import Message, Reply
from bot.ratelimit import limiter_for, retry_after_seconds, slack_text
from bot.slack.blocks import (
    escape, home_view, metadata, owner_of, reply_message, request_modal, text_sections, ui, used_choice_blocks,
    view_values,
)
from bot.slack.delivery import respond
from bot.slack.outbox import modal_session, receipt_shown
from bot.slack.verify import AckAnswer, ModalVerification, Verified
from handoff import session_log
from handoff.session_log import LogReader
from handoff.store import IdempotencyConflict, StoreError, StoreUnavailable
from handoff.tickets import REQUEST_TYPES
from intents.language import detect_language
from responses.markup import to_mrkdwn, to_plain

log = logging.getLogger(__name__)

_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[,:]?")
_STATUS_COMMAND = re.compile(r"^\s*(?:status|状況|ステータス)\b", re.IGNORECASE)
_SLACK_FAILURES = (SlackApiError, SlackClientError, OSError, HTTPException)
CANCEL = "cancel"  # one of the intake form's cancel words: ends a chat-style form through the public API
ASK_SHORTCUT = "ask_privacy_assistant"  # callback_id of the message shortcut (manifest.yml)
#: Message subtypes that are still a person writing: with a file (a screenshot), or "also send to channel".
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast"})


def session_id(team: str | None, channel: str | None, user: str) -> str:
    return f"slack:{team or '-'}:{channel or '-'}:{user}"


def strip_mentions(text: str, bot_user_id: str | None) -> str:
    """Drop the bot's mentions (`<@U…>`, optionally followed by "," or ":"); without the bot's id, a leading
    mention. Other people's mentions stay: they may be part of the question."""
    if bot_user_id:
        return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>[,:]?", " ", text).strip()
    return _LEADING_MENTION.sub("", text).strip()


def from_a_person(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    """A new message typed by a person (also with a file, or sent to the channel from a thread): not a bot, not the
    bot itself, not an edit, a deletion, a join or any other system subtype."""
    user = event.get("user")
    subtype = event.get("subtype")
    return ((not subtype or subtype in PERSON_SUBTYPES) and not event.get("bot_id") and not event.get("bot_profile")
            and isinstance(user, str) and bool(user) and user != bot_user_id and isinstance(event.get("text"), str))


def _is_dm(channel: str | None) -> bool:
    return bool(channel) and str(channel).startswith("D")


class SlackChat:
    def __init__(self, *, services: Services, client: WebClient) -> None:
        self.services = services
        self.conversation = services.conversation
        self.desk = services.conversation.desk
        self.store = services.store
        self.client = client
        self.limiter = limiter_for(services)
        #: With email verification on (`PRIVACY_BOT_EMAIL_VERIFICATION`), the modal asks for the mailed code too.
        check = self.desk.email_check
        self.verification = ModalVerification(check, self.desk.form) if check is not None else None

    # -- events ----------------------------------------------------------------------------------
    def on_message(self, event: Mapping[str, Any], team: str | None, bot_user_id: str | None) -> None:
        """A direct message (`message.im`); messages elsewhere, edits and bots are ignored by the caller."""
        self._converse(event, team, bot_user_id, thread_ts=event.get("thread_ts"))

    def on_mention(self, event: Mapping[str, Any], team: str | None, bot_user_id: str | None) -> None:
        """An `app_mention` in a channel: answered in a thread under the message."""
        self._converse(event, team, bot_user_id, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_home(self, event: Mapping[str, Any], team: str | None) -> None:
        self.publish_home(str(event["user"]), team)

    def publish_home(self, user: str, team: str | None = None) -> None:
        """(Re)publish the user's App Home: how to ask, the topics, and their own requests with their status.
        Called when they open it and whenever one of their requests is filed or changes status."""
        lang = self._user_lang(user)
        message = Message(text="status", session_id=session_id(team, "home", user), frontend="slack", user_id=user)
        requests = self.desk.status(message, "status", lang)
        topics = [(t.article, t.label) for t in self.conversation.topics(lang)]
        view = home_view(lang=lang, topics=topics, requests_mrkdwn=to_mrkdwn(requests.text))
        self._call("views.publish", self.client.views_publish, user_id=user, view=view)

    # -- slash command and message shortcut ---------------------------------------------------------
    def on_command(self, command: Mapping[str, Any]) -> None:
        """`/privacy …`: answered only to the user, through the command's response URL (it works in channels the
        bot is not a member of). A formal request opens the modal; no chat form runs on an ephemeral path."""
        user, channel, team = command["user_id"], command.get("channel_id"), command.get("team_id")
        text = str(command.get("text") or "").strip()
        sid = session_id(team, channel, user)
        url = command.get("response_url")
        if not text or text.lower() in ("help", "ヘルプ", "?"):
            lang = self.services.settings.default_lang if not text else detect_language(text)
            topics = "\n".join(f"• {escape(t.label)}" for t in self.conversation.topics(lang))
            body = ui("help", lang) + f"\n\n*{ui('topics', lang)}*\n" + topics
            self._private(url, channel, user, text=to_plain(body), blocks=text_sections(body))
            return
        if self._over_limit(team, user, channel, text, url):
            return
        message = Message(text=text, session_id=sid, frontend="slack", user_id=user)
        if _STATUS_COMMAND.match(text):
            lang = detect_language(text, default=self.services.settings.default_lang)
            status = self.desk.status(message, text, lang)
            self._private(url, channel, user, text=to_plain(status.text), blocks=text_sections(to_mrkdwn(status.text)))
            return
        reply = self._answer_privately(sid, user, text)
        if _wants_form(reply):
            self._open_form(command.get("trigger_id"), reply.handoff or "", reply.lang, sid)
        self._private(url, channel, user, **self._message_for(reply, private=False, owner=user))

    def on_shortcut(self, body: Mapping[str, Any]) -> None:
        """The message shortcut "Ask the privacy assistant": the message's text is the question, answered only to
        the user who used it (response URL, else a DM). A request is offered the modal, never collected here."""
        user, team = body["user"]["id"], _team(body)
        channel = (body.get("channel") or {}).get("id")
        text = strip_mentions(str((body.get("message") or {}).get("text") or ""), None)
        url = body.get("response_url")
        if self._over_limit(team, user, channel, text, url):
            return
        if not text:
            self._private(url, None, user, text=ui("no_text", self.services.settings.default_lang))
            return
        reply = self._answer_privately(session_id(team, channel, user), user, text)
        self._private(url, None, user, **self._message_for(reply, private=False, owner=user))

    # -- buttons ---------------------------------------------------------------------------------
    def on_choice(self, body: Mapping[str, Any]) -> None:
        """A clarification or form choice: handled as a message from that user in that conversation. Only the
        user the buttons answered may use them; the used set is replaced by the choice made."""
        action = body["actions"][0]
        value, _, step = str(action.get("value", "")).partition(":")  # "number:step token" (bot.engine.steps)
        if not value.isdigit():
            return
        user, team = body["user"]["id"], _team(body)
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        ephemeral = bool(container.get("is_ephemeral"))
        thread_ts = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
        url = body.get("response_url")
        owner = owner_of(action)
        if owner != user and not (owner is None and _is_dm(channel)):
            # Someone else's buttons (or, in a channel, buttons posted before they named their owner).
            extra = {"thread_ts": thread_ts} if thread_ts else {}
            label = str((action.get("text") or {}).get("text") or "")
            lang = detect_language(label, default=self.services.settings.default_lang) if label else \
                self.services.settings.default_lang
            self._ephemeral(channel, user, text=ui("not_yours", lang), **extra)
            return
        sid = session_id(team, channel, user)
        if self._over_limit(team, user, channel, "", url if ephemeral else None, thread_ts=thread_ts):
            return
        self._mark_used(body, action, channel, ephemeral)
        if ephemeral:
            reply = self._answer_privately(sid, user, value, step or None)
            if _wants_form(reply):
                self._open_form(body.get("trigger_id"), reply.handoff or "", reply.lang, sid)
            self._private(url, channel, user, **self._message_for(reply, private=False, owner=user))
            return
        answering_form = self._form_pending(sid)  # then the click answers the chat form: no modal pops up
        reply = self._handle(sid, user, value, step or None)
        if _wants_form(reply) and not answering_form:
            self._open_form(body.get("trigger_id"), reply.handoff or "", reply.lang, sid)
        self._reply_in(channel, sid, reply, thread_ts)

    def on_open_form(self, body: Mapping[str, Any]) -> None:
        """The "Open the request form" button (message events carry no trigger id; a click does)."""
        try:
            value = metadata({"private_metadata": body["actions"][0].get("value", "")})
        except (KeyError, IndexError):
            return
        request_type, lang = value.get("t"), value.get("l")
        if request_type in REQUEST_TYPES:
            self._open_form(body.get("trigger_id"), str(request_type), lang if lang in ("en", "ja") else "en",
                            self._click_session(body))

    def on_talk_to_person(self, body: Mapping[str, Any]) -> None:
        lang = str(body["actions"][0].get("value", ""))
        self._open_form(body.get("trigger_id"), "inquiry", lang if lang in ("en", "ja") else "en",
                        self._click_session(body))

    # -- the request modal -----------------------------------------------------------------------
    def request_errors(self, view: Mapping[str, Any]) -> dict[str, str]:
        """Field errors of a submitted request modal, checked before `ack` so they show on the fields."""
        meta = metadata(view)
        request_type, lang = meta.get("t"), meta.get("l")
        if request_type not in REQUEST_TYPES or lang not in ("en", "ja"):
            return {}  # not a form we built: `on_request_submit` ignores it
        _, errors = self.desk.form.validate(str(request_type), view_values(view), str(lang))
        return errors

    def request_ack(self, body: Mapping[str, Any]) -> AckAnswer:
        """The acknowledgement of a submitted request modal: field errors keep it open; with email verification
        on, a complete form with an address is answered with the code view (a code is queued, never sent here);
        otherwise {} closes it and the work after the acknowledgement files the ticket."""
        view = body["view"]
        errors = self.request_errors(view)
        if errors:
            return {"response_action": "errors", "errors": errors}
        meta = metadata(view)
        request_type, lang = meta.get("t"), meta.get("l")
        if self.verification is None or request_type not in REQUEST_TYPES or lang not in ("en", "ja") \
                or not view.get("id"):
            return {}
        user = str(body["user"]["id"])
        answer = self.verification.begin(user=user, team=_team(body), view_id=str(view["id"]),
                                         request_type=str(request_type), lang=str(lang),
                                         session=self._form_session(meta, body), values=view_values(view))
        return answer if answer is not None else {}

    def on_request_submit(self, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        """Open the ticket (once per view id) and end any chat-style form. The receipt DM and the staff alert were
        stored with the ticket (the outbox, `bot.slack.outbox`); the dispatcher is asked to send them now. With
        email verification, a form with an address was answered with the code view instead: only its code email
        is sent now, and the ticket is filed when the code is (`on_code_submit`)."""
        meta = metadata(view)
        request_type, lang, user = meta.get("t"), meta.get("l"), body["user"]["id"]
        if request_type not in REQUEST_TYPES or lang not in ("en", "ja") or not view.get("id"):
            return
        values = view_values(view)
        if self.verification is not None and self.verification.needed(str(request_type), str(lang), values):
            self.services.dispatcher.kick()  # the code email, queued by the acknowledgement
            return
        self._file(body, str(request_type), str(lang), self._form_session(meta, body), values, str(view["id"]))

    # -- the request modal's code view (email verification) ---------------------------------------------------
    def code_ack(self, body: Mapping[str, Any]) -> AckAnswer:
        """The acknowledgement of the code view: {} closes it (right code), else errors on the code input."""
        if self.verification is None:  # verification was turned off while the view was open
            return {"response_action": "errors", "errors": {"code": ui("verify_gone", "en")}}
        return self.verification.submit_code(body)

    def on_code_submit(self, body: Mapping[str, Any]) -> None:
        """After a right code: file the ticket as the modal would have, with the address marked verified."""
        verification = self.verification
        verified: Verified | None = verification.verified(body) if verification is not None else None
        if verification is None or verified is None:
            return
        if self._file(body, verified.request_type, verified.lang, verified.session, verified.values,
                      verified.view_id, verified=(verified.email, verified.verified_at)):
            verification.done(verified)

    def on_code_resend(self, body: Mapping[str, Any]) -> None:
        """"Send a new code" in the code view."""
        if self.verification is not None:
            self._update_view(body, self.verification.resend(body))
            self.services.dispatcher.kick()

    def on_code_back(self, body: Mapping[str, Any]) -> None:
        """"Change my answers" in the code view: the request form again, filled in."""
        if self.verification is not None:
            self._update_view(body, self.verification.back(body))

    def on_code_closed(self, body: Mapping[str, Any]) -> None:
        if self.verification is not None:
            self.verification.closed(body)

    def _update_view(self, body: Mapping[str, Any], view: Mapping[str, Any]) -> None:
        current = body.get("view") or {}
        if current.get("id"):
            arguments = {"view_id": current["id"], "view": dict(view)}
            if current.get("hash"):
                arguments["hash"] = current["hash"]  # Slack refuses the update if the view changed meanwhile
            self._call("views.update", self.client.views_update, **arguments)

    def _form_session(self, meta: Mapping[str, Any], body: Mapping[str, Any]) -> str:
        """The conversation the form was opened from (its transcript goes along), if it is the sender's."""
        user = str(body["user"]["id"])
        sid = str(meta.get("s") or "")
        if not (sid.startswith("slack:") and sid.endswith(f":{user}")):
            sid = session_id(_team(body), "modal", user)
        return sid

    def _file(self, body: Mapping[str, Any], request_type: str, lang: str, sid: str, values: Mapping[str, str],
              view_id: str, verified: tuple[str, float] | None = None) -> bool:
        """File a modal's request (once per view id); True when its ticket exists."""
        user = str(body["user"]["id"])
        message = Message(text="", session_id=modal_session(_team(body), user), frontend="slack", user_id=user,
                          lang=lang)
        state = self._session(sid)
        try:
            ticket, errors = self.desk.submit(message, request_type, values, lang, idempotency_key=view_id,
                                              transcript=_transcript(self.store, sid, state), verified=verified)
        except StoreUnavailable:
            log.warning("ticket store unavailable; a Slack request form was not filed (the user is told)")
            self._dm(user, ui("store_failed", lang))
            return False
        except IdempotencyConflict:
            log.error("a Slack view id was reused by another requester; nothing was filed")
            return False
        if ticket is None or errors:
            return False
        self.services.dispatcher.kick()
        if state.get("form"):
            self._cancel(sid, user)
        self.publish_home(user, _team(body))
        return True

    # -- internals -------------------------------------------------------------------------------
    def _converse(self, event: Mapping[str, Any], team: str | None, bot_user_id: str | None,
                  thread_ts: str | None) -> None:
        user, channel = str(event["user"]), str(event.get("channel") or "")
        team = event.get("team") or team
        sid = session_id(team, channel, user)
        text = strip_mentions(str(event.get("text") or ""), bot_user_id)
        if self._over_limit(team, user, channel, text, None, thread_ts=thread_ts):
            return
        self._reply_in(channel, sid, self._handle(sid, user, text), thread_ts)

    def _handle(self, sid: str, user: str, text: str, step: str | None = None) -> Reply:
        """`step`: the token a clicked button carried (see bot/engine/steps.py); None for typed text."""
        reply = self.conversation.handle(Message(text=text, session_id=sid, frontend="slack", user_id=user,
                                                 step=step))
        if reply.ticket:
            self.services.dispatcher.kick()  # tell staff now rather than at the next poll
        return reply

    def _answer_privately(self, sid: str, user: str, text: str, step: str | None = None) -> Reply:
        """An ephemeral path's answer: any chat-style form of the conversation is cancelled first (its next answer
        could not be typed privately there), and a request that starts one is cancelled again at once; the
        caller opens or offers the modal instead."""
        if self._form_pending(sid):
            self._cancel(sid, user)
            step = None  # the question the button answered was the form's, which is gone now
        reply = self._handle(sid, user, text, step)
        if _wants_form(reply):
            self._cancel(sid, user)
        return reply

    def _cancel(self, sid: str, user: str) -> None:
        self.conversation.handle(Message(text=CANCEL, session_id=sid, frontend="slack", user_id=user))

    def _over_limit(self, team: str | None, user: str, channel: str | None, text: str, response_url: Any,
                    thread_ts: str | None = None) -> bool:
        """True when this Slack user is over the rate limit (`PRIVACY_BOT_RATE_SESSION`): the message is then not
        processed, and the user is asked privately to wait (once per wait, however many messages they send)."""
        refused = self.limiter.check_slack_user(team, user)
        if refused is None:
            return False
        try:
            first = self.store.mark_once(self.limiter.notice_key("slack", f"{team or '-'}:{user}"),
                                         retry_after_seconds(refused))
        except StoreError:
            first = True
        if first:
            default = self.services.settings.default_lang
            notice = slack_text(refused, detect_language(text, default=default) if text else default)
            if response_url:  # a command, shortcut or ephemeral click: its response URL, else a DM
                self._private(response_url, None, user, text=notice)
            elif not self._ephemeral(channel, user, text=notice, **({"thread_ts": thread_ts} if thread_ts else {})):
                self._dm(user, notice)
        return True

    def _reply_in(self, channel: str | None, sid: str, reply: Reply, thread_ts: str | None) -> None:
        """Post a reply in a conversation. In channels a formal request is not taken in the open: the chat
        form is ended and the user is offered the private modal (or a DM) instead."""
        if not channel:
            return
        private = _is_dm(channel)
        user = sid.rsplit(":", 1)[-1]
        if not private and _wants_form(reply) and "store_unavailable" not in reply.notices:
            self._cancel(sid, user)
        arguments = self._message_for(reply, private=private, owner=user)
        posted = self._call("chat.postMessage", self.client.chat_postMessage, channel=channel, thread_ts=thread_ts,
                            **arguments)
        if posted is not None and reply.ticket is not None:
            receipt_shown(self.store, str(reply.ticket["reference"]))  # its outbox receipt DM is not needed

    def _message_for(self, reply: Reply, *, private: bool, owner: str) -> dict[str, Any]:
        if _wants_form(reply):
            if private:
                return reply_message(reply, request_type=reply.handoff, owner=owner)
            label = self.desk.texts.get("type_label", reply.handoff or "", reply.lang)
            return reply_message(reply, request_type=reply.handoff, owner=owner,
                                 text=ui("channel_request", reply.lang, type=escape(label)))
        return reply_message(reply, talk_button=reply.decision in ("answer", "clarify", "fallback"), owner=owner)

    def _mark_used(self, body: Mapping[str, Any], action: Mapping[str, Any], channel: str | None,
                   ephemeral: bool) -> None:
        """Replace a used set of choices by the choice made, so it cannot be clicked twice (nor by anyone else)."""
        label = str((action.get("text") or {}).get("text") or action.get("value") or "")
        chosen = ui("chosen", detect_language(label, default=self.services.settings.default_lang),
                    choice=escape(label))
        if ephemeral:
            self._private(body.get("response_url"), None, str(body["user"]["id"]), replace_original=True,
                          text=to_plain(chosen), blocks=text_sections(chosen), fallback=False)
            return
        message = body.get("message") or {}
        ts = (body.get("container") or {}).get("message_ts") or message.get("ts")
        if channel and ts and message.get("blocks"):  # without the message's blocks, an update would erase it
            blocks = used_choice_blocks(message["blocks"], str(action.get("block_id") or ""), chosen)
            self._call("chat.update", self.client.chat_update, channel=channel, ts=ts, blocks=blocks,
                       text=str(message.get("text") or to_plain(chosen)))

    def _open_form(self, trigger_id: str | None, request_type: str, lang: str, sid: str) -> None:
        if not trigger_id:
            return
        view = request_modal(self.desk.form, request_type, lang, {"t": request_type, "l": lang, "s": sid})
        # A trigger id lives 3 seconds; if it has expired the reply's "Open the request form" button remains.
        self._call("views.open", self.client.views_open, trigger_id=trigger_id, view=view)

    def _click_session(self, body: Mapping[str, Any]) -> str:
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or "home"
        return session_id(_team(body), channel, body["user"]["id"])

    def _form_pending(self, sid: str) -> bool:
        """A chat-style form is under way in this conversation (its state is the session's `form`)."""
        return bool(self._session(sid).get("form"))

    def _session(self, sid: str) -> dict[str, Any]:
        try:
            return self.store.load_session(sid) or {}
        except StoreError:
            return {}

    def _user_lang(self, user: str) -> str:
        try:
            info = self.client.users_info(user=user, include_locale=True)
            locale = str((info.get("user") or {}).get("locale") or "")
        except _SLACK_FAILURES:
            locale = ""
        return "ja" if locale.startswith("ja") else "en" if locale else self.services.settings.default_lang

    def _dm(self, user: str, markup: str) -> None:
        self._dm_message(user, text=to_plain(markup), blocks=text_sections(to_mrkdwn(markup)))

    def _dm_message(self, user: str, **message: Any) -> None:
        opened = self._call("conversations.open", self.client.conversations_open, users=user)
        if opened is None:
            return
        self._call("chat.postMessage", self.client.chat_postMessage, channel=opened["channel"]["id"],
                   unfurl_links=False, unfurl_media=False, **message)

    def _ephemeral(self, channel: str | None, user: str, **message: Any) -> bool:
        """chat.postEphemeral (only in channels the bot is in); True when Slack took it."""
        return bool(channel) and self._call("chat.postEphemeral", self.client.chat_postEphemeral, channel=channel,
                                            user=user, **message) is not None

    def _private(self, response_url: Any, channel: str | None, user: str, *, fallback: bool = True,
                 replace_original: bool = False, **message: Any) -> None:
        """Answer only `user`: through the response URL of their command, shortcut or click (it works in channels
        the bot is not in); if that fails, `chat.postEphemeral` in `channel`, else a DM (unless not `fallback`)."""
        content = {k: v for k, v in message.items() if k in ("text", "blocks")}
        if respond(response_url, response_type="ephemeral", replace_original=replace_original, **content):
            return
        if not fallback or self._ephemeral(channel, user, **content):
            return
        self._dm_message(user, **content)

    @staticmethod
    def _call(name: str, method: Callable[..., Any], **arguments: Any) -> Any:
        try:
            return method(**arguments)
        except _SLACK_FAILURES as exc:
            detail = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("Slack %s failed: %s", name, detail)
            return None


def _wants_form(reply: Reply) -> bool:
    """A formal request is being made (the chat form is running) and no ticket was opened yet."""
    return bool(reply.handoff) and reply.ticket is None and reply.decision == "request"


def _team(body: Mapping[str, Any]) -> str | None:
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team) if team else None


def _transcript(store: LogReader, sid: str, state: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The conversation that led to the request, for the ticket (what the chat form would attach): an open chat
    form's lines, else the session's last lines (`handoff.session_log`); none when they cannot be read (as when
    the session cannot: the request is filed all the same)."""
    try:
        lines = session_log.form_lines(store, sid, state) or session_log.recent(store, sid, state)
    except StoreError:
        return ()
    return tuple({"role": str(x["role"]), "text": str(x["text"]), "at": float(x["at"])}
                 for x in lines[-TRANSCRIPT_LINES:] if isinstance(x, Mapping) and {"role", "text", "at"} <= set(x))
