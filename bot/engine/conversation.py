"""The conversation core: `Conversation.handle(Message) -> Reply`.

It never imports a web framework, Slack or a database driver: it talks to storage only through the
store it is given, to matching through `intents`, and to wording through `responses` (answers) and the
request desk (`bot.engine.desk`: intake forms, tickets, status, staff replies).
"""
from __future__ import annotations

import copy
import functools
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from rapidfuzz import fuzz

from bot.engine import steps
from bot.engine.desk import TRANSCRIPT_LINES, Desk, DeskReply, LookupGuard, ticket_summary
from bot.engine.messages import Choice, Message, Reply
from bot.engine.verify import EmailCheck
from bot.engine.offers import LABELS, OFFERS, is_confirmation
from bot.engine.romaji import looks_like_romaji
from handoff import session_log
from handoff.intake import IntakeForm
from handoff.session_log import LogWrite
from handoff.store import Store, StoreUnavailable, TurnStart
from intents.catalog import Intent
from intents.language import detect_language
from intents.matcher import Match, Matcher
from intents.normalize import fold
from responses.renderer import Rendered, Renderer

log = logging.getLogger(__name__)

#: The session keeps what a ticket can attach (`TRANSCRIPT_LINES`, user and bot lines) and no more: less personal
#: data held, and a smaller state to encode and write on every message.
TRANSCRIPT_TURNS = TRANSCRIPT_LINES // 2
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "one": 1, "two": 2, "three": 3,
    "一": 1, "二": 2, "三": 3, "1つ目": 1, "2つ目": 2, "3つ目": 3,
}
#: `fold` of a choice's label (catalog and offer labels only, never user text): the same few labels are folded
#: again on every message that may pick one (issue 18).
_folded_label = functools.lru_cache(maxsize=4096)(fold)
#: Formats of form questions remembered (`DeskReply.fixed`: the form's own wording, never an answer), at most this many.
FIXED_FORMATS = 512
_NUMBER_PICK = re.compile(r"^\s*(?:#|no\.?|number|option|choice)?\s*([1-9])\s*(?:番|つ目|番目|\.|\))?\s*$", re.I)


@dataclass(frozen=True)
class Topic:
    """A row of the topic list shown by help and fallback answers."""

    label: str
    article: int


class Conversation:
    """Turns messages into replies, keeping per-session state in the store."""

    def __init__(
        self,
        *,
        matcher: Matcher,
        renderer: Renderer,
        store: Store,
        form: IntakeForm | None = None,
        session_ttl: int = 7200,
        max_message_chars: int = 4000,
        default_lang: str = "en",
        clock: Callable[[], float] = time.time,
        matcher_provider: Callable[[], Matcher] | None = None,
        record_unanswered: Callable[[str, str, str], None] | None = None,
        lookup_guard: LookupGuard | None = None,
        email_verification: bool = False,
    ) -> None:
        # `matcher_provider` (when given) returns the current matcher on every use, so example phrasings added by
        # admins take effect without a restart; `record_unanswered(text, decision, lang)` is told of every fallback
        # and clarify reply (it redacts and stores; it must not raise).
        self._matcher = matcher
        self._matcher_provider = matcher_provider
        self.record_unanswered = record_unanswered
        self.renderer = renderer
        self.store = store
        self.session_ttl = session_ttl
        self.max_message_chars = max_message_chars
        self.default_lang = default_lang
        self.clock = clock
        # `email_verification`: a request is filed only after the requester types back a code mailed to them.
        self.desk = Desk(store=store, form=form or IntakeForm(), citation=renderer.citation, clock=clock,
                         lookup_guard=lookup_guard, email_check=EmailCheck(store, clock) if email_verification else None)
        # A form's questions in their three formats (`_reply`): the same few texts on every form turn, and converting
        # them was about a tenth of such a turn outside matching (issue 18). Keyed by the text itself, which is the
        # form's own wording only (`DeskReply.fixed`), so no answer of a requester is held here.
        self._fixed_formats: dict[str, Rendered] = {}
        catalog = matcher.catalog
        self._topics = {
            lang: [Topic(i.label(lang), i.article) for i in sorted(catalog, key=lambda i: (i.article or 0, i.paragraph or 0))
                   if i.kind == "question" and i.article is not None]
            for lang in ("en", "ja")
        }

    @property
    def matcher(self) -> Matcher:
        return self._matcher_provider() if self._matcher_provider is not None else self._matcher

    # -- public ------------------------------------------------------------------------------
    def handle(self, message: Message, start: TurnStart | None = None) -> Reply:
        """The reply to `message`. `start`: the session and staff replies already read for it (a front end that
        checked its rate limits with `Store.begin_turn` passes what that returned, so the message costs one store
        call before the answer instead of three); None: read them here."""
        notices: list[str] = []
        text = message.text if isinstance(message.text, str) else ""
        # Lone surrogates (possible from JSON "\ud800") cannot be stored or encoded: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
        if len(text) > self.max_message_chars:
            text = text[: self.max_message_chars]
            notices.append("truncated")
        state = self._load(message.session_id, notices) if start is None else (start.state or {})
        stateless = "store_unavailable" in notices
        form = state.get("form")
        lang = message.lang if message.lang in ("en", "ja") else (
            form["lang"] if form else self._language(text, state))

        staff_messages, mark_delivered = ("", _nothing) if stateless else self.desk.deliver_replies(
            message, lang, pending=None if start is None else start.pending)
        asked = steps.current(state)  # the token of the question this message may answer
        check = None if stateless else steps.verdict(state, message.step, text, self.clock())
        again = self._ask_again(message, state, check, lang, notices) if check else None
        if again is not None:
            reply = again
        elif form and not stateless:
            form = copy.deepcopy(form)  # the question asked before this message, should the answer not be kept
            reply = self._form_turn(message, text, state, form, lang, notices)
        elif self.desk.is_status_query(text):
            reply = self._from_desk(message, self.desk.status(message, text, lang), lang, notices, decision="smalltalk")
        elif (confirmation := is_confirmation(text)) and state.get("offer"):
            reply = self._confirmed(message, state, lang, notices, stateless)  # "yes please" takes up the offer
        else:
            repeated = None if stateless else self.desk.repeat_receipt(state, text, lang)
            if repeated is not None:
                reply = self._from_desk(message, repeated, lang, notices)
            elif confirmation:  # read once above (NFKC, case fold and two patterns over the whole message)
                reply = self._confirmed(message, state, lang, notices, stateless)  # a yes to nothing: ask
            else:
                match = self._pick_choice(text, state, lang) or self.matcher.match(text)
                reply = self._answer(message, match, lang, notices, state, stateless)
                if self.record_unanswered is not None and match.decision in ("fallback", "clarify") and text.strip():
                    self.record_unanswered(text, match.decision, reply.lang)
        if staff_messages:
            reply = _prepend(reply, staff_messages)

        state["lang"] = reply.lang
        state["pending_choices"] = [c.intent for c in reply.choices if c.intent] if "form" not in state else []
        state["offer"] = reply.extra.get("offer") if "form" not in state else None
        token = asked if again is not None else steps.new_token() if "form" in state or reply.choices else None
        state[steps.STATE_KEY] = token
        state[steps.RECEIPT_KEY] = bool(reply.ticket) and reply.decision == "request"  # this reply is a receipt
        state[steps.APPLIED_KEY] = "store_unavailable" not in reply.notices  # else "try again" was the answer
        # The transcript lines go to the session's log, written with the state (`handoff.session_log`); the state
        # keeps the last user message for the retry check.
        said = {"role": "user", "text": text, "at": self.clock()}
        state[session_log.LAST_USER_KEY] = {"text": text, "at": said["at"]}
        lines = session_log.append(state, (said, {"role": "bot", "text": reply.text, "intent": reply.intent,
                                                  "at": self.clock()}))
        if self._save(message.session_id, state, notices, lines):
            reply = _with(reply, step=token)
        elif not stateless:
            reply = _with(self._not_saved(message, reply, form if isinstance(form, dict) else None, notices),
                            step=asked)  # nothing was kept: the question asked before is still the open one
        mark_delivered()
        if notices != list(reply.notices):
            reply = _with(reply, notices=tuple(dict.fromkeys(list(reply.notices) + notices)))
        return reply

    def staff_messages(self, message: Message) -> Reply | None:
        """Staff replies waiting for this requester, without a user message (a returning web visitor).
        Returns None when there are none; marks them delivered once the reply is built."""
        try:
            state = self.store.load_session(message.session_id) or {}
        except StoreUnavailable:
            return None
        lang = message.lang if message.lang in ("en", "ja") else state.get("lang", self.default_lang)
        markup, mark_delivered = self.desk.deliver_replies(message, lang)
        if not markup:
            return None
        reply = self._reply(message.session_id, markup, lang, decision="smalltalk", intent=None, article=None,
                            handoff=None, confidence=1.0, choices=(), notices=("staff_reply",), ticket=None)
        # Into the transcript too, so a later reload shows the replies where they arrived.
        lines = session_log.append(state, ({"role": "bot", "text": reply.text, "intent": None, "at": self.clock()},))
        try:
            self.store.save_session(message.session_id, state, self.session_ttl, lines)
        except StoreUnavailable:
            log.warning("session store unavailable; staff replies shown but not added to the transcript")
        mark_delivered()
        return reply

    def history(self, message: Message) -> tuple[list[dict[str, Any]], tuple[Choice, ...]]:
        """This session's transcript as the store keeps it (its last `TRANSCRIPT_LINES` lines: role, plain text,
        time) and the choices of the question still open (a form step, or "Did you mean…"), for a page that was
        reloaded. Only `message.session_id`'s own lines; nothing when the store cannot be read."""
        try:
            state = self.store.load_session(message.session_id) or {}
            stored = session_log.recent(self.store, message.session_id, state)
        except StoreUnavailable:
            return [], ()
        lines = [{"role": "user" if line.get("role") == "user" else "bot", "text": str(line.get("text", "")),
                  "at": float(line.get("at", 0.0))} for line in stored if isinstance(line, dict)]
        lang: str = state["lang"] if state.get("lang") in ("en", "ja") else self.default_lang
        if state.get("form"):
            return lines, Desk.form_choices(self.desk.prompt(state["form"]))
        catalog = self.matcher.catalog
        pending = [i for i in state.get("pending_choices", []) if i in catalog]
        return lines, tuple(Choice(number=n, intent=i, label=catalog[i].label(lang), article=catalog[i].article)
                            for n, i in enumerate(pending, start=1))

    def open_step(self, message: Message) -> str | None:
        """The token of the question open in this session (for a page that was reloaded), or None."""
        try:
            return steps.current(self.store.load_session(message.session_id) or {})
        except StoreUnavailable:
            return None

    def topics(self, lang: str) -> list[Topic]:
        return list(self._topics.get(lang, self._topics["en"]))

    # -- state -------------------------------------------------------------------------------
    def _load(self, session_id: str, notices: list[str]) -> dict[str, Any]:
        try:
            return self.store.load_session(session_id) or {}
        except StoreUnavailable:
            # Policy answers need no state: keep answering, tell the front end memory is off.
            log.warning("session store unavailable; answering without session state")
            notices.append("store_unavailable")
            return {}

    def _save(self, session_id: str, state: Mapping[str, Any], notices: list[str], lines: LogWrite) -> bool:
        """Write the session and its new transcript lines; False when it could not be written (the notice says
        so)."""
        if "store_unavailable" in notices:
            return False
        try:
            self.store.save_session(session_id, state, self.session_ttl, lines)
        except StoreUnavailable:
            log.warning("session store unavailable; session state not saved")
            notices.append("store_unavailable")
            return False
        return True

    def _ask_again(self, message: Message, state: dict[str, Any], check: str, lang: str,
                   notices: list[str]) -> Reply | None:
        """The open question again, for an answer meant for an earlier question (`steps.STALE`: said so first) or
        for a client's retry (`steps.RETRY`: the same reply as before). The message is not applied. None when a
        retry has nothing to repeat: it is then handled as any message."""
        stale = check == steps.STALE
        notice = "stale_step" if stale else "retry"
        prefix = self.desk.texts.get("desk", "stale_step", lang) if stale else ""
        form = state.get("form")
        if form:
            turn = self.desk.form.prompt(form)
            text = prefix + "\n\n" + turn.text if prefix else turn.text
            return self._from_desk(message, DeskReply(text, Desk.form_choices(turn), request_type=form["type"],
                                                      lang=form["lang"], notices=(notice,)), lang, notices)
        pending = tuple(i for i in state.get("pending_choices", []) if i in self.matcher.catalog)
        if steps.current(state) and pending:
            clarify = Match(decision="clarify", intent=None, article=None, handoff=None, confidence=1.0, lang=lang,
                            choices=pending)
            reply = self._answer(message, clarify, lang, notices, state, stateless=False)
            return _prefixed(reply, prefix, notice) if prefix else _with(reply, notices=reply.notices + (notice,))
        if not stale:
            # A retried confirmation whose receipt was the last reply: the same receipt (never a second ticket).
            if state.get(steps.RECEIPT_KEY):
                repeated = self.desk.repeat_receipt(state, "confirm", lang)
                if repeated is not None:
                    return self._from_desk(message, replace(repeated, notices=(notice,)), lang, notices)
            return None
        return self._reply(message.session_id, prefix, lang, decision="smalltalk", intent=None, article=None,
                           handoff=None, confidence=1.0, choices=(), notices=tuple(notices) + (notice,), ticket=None)

    def _not_saved(self, message: Message, reply: Reply, form: dict[str, Any] | None, notices: list[str]) -> Reply:
        """The session was read but could not be written: what this message changed is lost. Say so plainly; in a
        form, ask the same question again rather than the next one (the answer was not kept). A ticket that was
        opened stays opened, and its receipt is shown."""
        down = self.desk.texts.get("desk", "store_down", reply.lang)
        if form is None or reply.ticket is not None:
            return _prefixed(reply, down, "store_unavailable")
        turn = self.desk.prompt(form)
        return self._from_desk(message, DeskReply(down + "\n\n" + turn.text, Desk.form_choices(turn),
                                                  request_type=form["type"], lang=form["lang"]), reply.lang, notices)

    # -- questions during a form ---------------------------------------------------------------
    def _form_turn(self, message: Message, text: str, state: dict[str, Any], form: dict[str, Any], lang: str,
                   notices: list[str]) -> Reply:
        """The form's next step; or, when the message is a question about the policy rather than an answer
        ("tell me about cookies" at "choose 1, 2 or 3"), the answer to it followed by the same question again,
        with the answers so far kept."""
        desk = self.desk.continue_form(state, message, text)
        match = self._aside(text, form["step"], desk) if "form" in state else None  # None: the form ended
        if match is None:
            return self._from_desk(message, desk, lang, notices)
        state["form"] = form  # a name step may have taken the question as a name: not an answer, so undone
        answer = self._answer(message, match, lang, notices, state, stateless=False)
        turn = self.desk.prompt(form)
        return self._reply(message.session_id, str(answer.extra["markup"]) + "\n\n" + turn.text, lang,
                           decision=answer.decision, intent=answer.intent, article=answer.article, handoff=None,
                           confidence=answer.confidence, choices=Desk.form_choices(turn), notices=answer.notices,
                           ticket=None)

    def _aside(self, text: str, step: str, desk: DeskReply) -> Match | None:
        """The match of a message that asks something instead of answering the form, else None. Only when the
        form refused it as an answer, or at a name step (which takes most words as a name) when it reads as a
        sentence: a confident answer on an article, three words or more (or a long unspaced Japanese phrase)."""
        if not text.strip():
            return None
        if desk.refused:
            refused = self.matcher.match(text)
            return refused if refused.decision in ("answer", "smalltalk") and refused.intent else None
        words = text.split()
        if step in ("name", "rep_name") and (len(words) >= 3 or (len(words) == 1 and len(text.strip()) > 8)):
            sentence = self.matcher.match(text)
            if sentence.decision == "answer" and sentence.confidence >= 0.9:
                return sentence
        return None

    def _language(self, text: str, state: Mapping[str, Any]) -> str:
        previous: str = state["lang"] if state.get("lang") in ("en", "ja") else self.default_lang
        detected = detect_language(text, default=previous)
        # Romaji ("deeta wo keshite hoshii") is a Japanese speaker: answer in Japanese.
        return "ja" if detected == "en" and looks_like_romaji(text) else detected

    # -- clarification -----------------------------------------------------------------------
    def _pick_choice(self, text: str, state: Mapping[str, Any], lang: str) -> Match | None:
        """If the previous reply offered choices and this message picks one, answer that choice."""
        pending = [i for i in state.get("pending_choices", []) if i in self.matcher.catalog]
        if not pending:
            return None
        picked = _picked_number(text)
        if picked is None:
            picked = self._picked_label(text, pending, lang)
        if picked is None or not 1 <= picked <= len(pending):
            return None
        intent = self.matcher.catalog[pending[picked - 1]]
        decision = "request" if intent.kind == "request" else "answer"
        return Match(decision=decision, intent=intent.id, article=intent.article, handoff=intent.request_type,
                     confidence=1.0, lang=lang, flags=frozenset({"choice"}))

    def _picked_label(self, text: str, pending: list[str], lang: str) -> int | None:
        folded = fold(text)
        if not folded or len(folded) > 120:
            return None
        best, best_score = None, 0.0
        for n, intent_id in enumerate(pending, start=1):
            intent = self.matcher.catalog[intent_id]
            offered = LABELS.get(intent.request_type or "", {})  # an offer's button label, typed
            for label in {intent.label(lang), intent.label("en"), intent.label("ja"), *offered.values()}:
                score = fuzz.ratio(folded, _folded_label(label))
                if score > best_score:
                    best, best_score = n, score
        return best if best_score >= 80 else None

    # -- offers ------------------------------------------------------------------------------
    def _confirmed(self, message: Message, state: dict[str, Any], lang: str, notices: list[str],
                   stateless: bool) -> Reply:
        """A short yes / ok: start the request the previous answer offered, or ask what the user means."""
        offered = state.get("offer")
        request = self.matcher.catalog.request_for_type(offered) if isinstance(offered, str) else None
        if request is not None:
            match = Match(decision="request", intent=request.id, article=request.article, handoff=offered,
                          confidence=1.0, lang=lang, flags=frozenset({"offer"}))
            return self._answer(message, match, lang, notices, state, stateless)
        rendered = self.renderer.render("unclear_yes", lang, {"article": None}, cache_key=("unclear_yes",))
        return self._reply(message.session_id, rendered.markup, lang, decision="smalltalk", intent=None, article=None,
                           handoff=None, confidence=1.0, choices=(), notices=tuple(notices), ticket=None,
                           rendered=rendered)

    def _offer(self, name: str, lang: str) -> tuple[str, Choice] | None:
        """(request type, button) when answer template `name` ends with an offer to start that request."""
        request_type = OFFERS.get(name)
        request = self.matcher.catalog.request_for_type(request_type) if request_type else None
        if request_type is None or request is None:
            return None
        label = LABELS[request_type].get(lang, LABELS[request_type]["en"])
        return request_type, Choice(number=1, intent=request.id, label=label, article=request.article)

    # -- replies -----------------------------------------------------------------------------
    def _answer(self, message: Message, match: Match, lang: str, notices: list[str], state: dict[str, Any],
                stateless: bool) -> Reply:
        catalog = self.matcher.catalog
        intent: Intent | None = catalog[match.intent] if match.intent else None
        context: dict[str, Any] = {"article": None, "paragraph": None, "topics": self.topics(lang)}
        choices: tuple[Choice, ...] = ()
        if match.decision == "clarify":
            choices = tuple(
                Choice(number=n, intent=i, label=catalog[i].label(lang), article=catalog[i].article)
                for n, i in enumerate(match.choices, start=1)
            )
            name = "clarify"
            context["choices"] = choices
        elif match.decision == "fallback" and intent is not None and intent.kind == "support":
            name = "out_of_scope"  # a support topic: this assistant covers the policy; support covers that
        elif match.decision == "fallback" or intent is None:
            name = "fallback"
        else:
            name = intent.id
            context.update(article=intent.article, paragraph=intent.paragraph, request_type=intent.request_type)
        # The context above is fixed by these values (topics come from the catalog): no user text in the key.
        rendered = self.renderer.render(name, lang, context, cache_key=(
            context["article"], context["paragraph"], context.get("request_type"), choices))
        markup = rendered.markup
        if match.decision == "answer" and match.also:
            # Another silent topic named in the same message: its first paragraph says plainly that the policy does
            # not address it either (the nearby quote and the way to a person are already in the answer above).
            firsts = [self.renderer.render(other, lang, {"article": None, "paragraph": None},
                                           cache_key=(None, None, None, ())).markup.split("\n\n")[0]
                      for other in match.also]
            if intent is not None and intent.kind != "silent":
                # An article's answer ("is AI training one of the listed purposes?": Article 3): the silence follows
                # the article's first quote (and the translation notice under it), where the list has been read.
                blocks = markup.split("\n\n")
                at = next((n + 1 for n, block in enumerate(blocks) if block.startswith("> ")), 1)
                # … after the quote's own list too (Art. 3(2)'s exceptions), so the silence does not split the quote
                while at < len(blocks) and blocks[at].startswith(("※", "- ")):
                    at += 1
                markup = "\n\n".join(blocks[:at] + firsts + blocks[at:])
            else:
                head, _, rest = markup.partition("\n\n")
                markup = "\n\n".join([head, *firsts] + ([rest] if rest else []))
        if stateless and match.decision in ("fallback", "smalltalk"):
            # Probably the next answer of a form or a pick from a list that we cannot see now: say so
            # plainly instead of pretending not to understand.
            markup = self.desk.texts.get("desk", "store_down", lang) + "\n\n" + markup
        ticket = None
        if match.decision == "request" and match.handoff:
            if stateless:
                markup += "\n\n" + self.desk.texts.get("prompt", "form_unavailable", lang)
            else:
                form_reply = self.desk.start_form(state, match.handoff, lang, message.text)
                try:
                    # Only promise a form the store can keep: otherwise the next answer would be lost.
                    self.store.save_session(message.session_id, state, self.session_ttl)
                except StoreUnavailable:
                    state.pop("form", None)
                    session_log.close_form(state)
                    notices.append("store_unavailable")
                    markup += "\n\n" + self.desk.texts.get("prompt", "form_unavailable", lang)
                else:
                    markup += "\n\n" + form_reply.text
                    choices = form_reply.choices
        article = match.article if match.decision != "fallback" else None
        extra = ("truncated_for_matching",) if "truncated" in match.flags else ()
        offer = self._offer(name, lang) if match.decision == "answer" else None
        if offer is not None:
            choices = (offer[1],)  # the offer as a button; "1", its label or "yes please" accept it
        reply = self._reply(message.session_id, markup, lang, decision=match.decision,
                           intent=match.intent if match.decision != "fallback" or name == "out_of_scope" else None,
                           article=article,
                           handoff=match.handoff if match.decision == "request" else None,
                           confidence=match.confidence, choices=choices, notices=tuple(notices) + extra,
                           ticket=ticket, rendered=rendered)
        return _with(reply, extra={**reply.extra, "offer": offer[0]}) if offer is not None else reply

    def _from_desk(self, message: Message, desk: DeskReply, lang: str, notices: list[str],
                   decision: str = "request") -> Reply:
        request = self.matcher.catalog.request_for_type(desk.request_type) if desk.request_type else None
        lang = desk.lang or lang
        if desk.request_type is None and decision == "request":
            decision = "smalltalk"  # the form ended (cancelled): nothing is being requested any more
        return self._reply(
            message.session_id, desk.text, lang, decision=decision,
            intent=request.id if request and decision == "request" else None,
            article=request.article if request and decision == "request" else None,
            handoff=desk.request_type if decision == "request" else None, confidence=1.0,
            choices=desk.choices, notices=tuple(notices) + desk.notices,
            ticket=ticket_summary(desk.ticket) if desk.ticket else None, fixed=desk.fixed,
        )

    def _reply(self, session_id: str, markup: str, lang: str, *, decision: str, intent: str | None,
               article: int | None, handoff: str | None, confidence: float, choices: tuple[Choice, ...],
               notices: tuple[str, ...], ticket: dict[str, Any] | None, rendered: Rendered | None = None,
               fixed: bool = False) -> Reply:
        """`fixed`: `markup` is a form's own wording (`DeskReply.fixed`), whose formats are remembered."""
        if rendered is None or rendered.markup != markup:
            rendered = self._fixed_formats.get(markup) if fixed else None
            if rendered is None:
                rendered = Rendered.of(markup)
                if fixed:
                    if len(self._fixed_formats) >= FIXED_FORMATS:
                        self._fixed_formats.clear()
                    self._fixed_formats[markup] = rendered
        return Reply(
            session_id=session_id, decision=decision, intent=intent, article=article, handoff=handoff,
            confidence=confidence, lang=lang, text=rendered.text, html=rendered.html, mrkdwn=rendered.mrkdwn,
            # A clarification offers several articles; only a chosen answer or request cites one.
            citation=self.renderer.citation(article, lang) if article and decision in ("answer", "request") else None,
            choices=choices, notices=tuple(dict.fromkeys(notices)), ticket=ticket, extra={"markup": markup},
        )


def _with(reply: Reply, **changes: Any) -> Reply:
    """`dataclasses.replace(reply, **changes)` for a `Reply` (a frozen dataclass with no `__post_init__`): the same
    new value, made by copying its fields instead of calling `__init__` through `replace`'s field inspection
    (1.5 against 9 µs; once or twice on every chat message, issue 18)."""
    new = object.__new__(type(reply))
    fields = new.__dict__
    fields.update(reply.__dict__)
    fields.update(changes)
    return new


def _nothing() -> None:
    """No staff replies to mark delivered."""


def _prepend(reply: Reply, markup: str) -> Reply:
    """Put staff messages above the answer."""
    return _prefixed(reply, markup, "staff_reply")


def _prefixed(reply: Reply, markup: str, notice: str) -> Reply:
    combined = markup + "\n\n" + str(reply.extra.get("markup", ""))
    formats = Rendered.of(combined)
    return _with(reply, text=formats.text, html=formats.html, mrkdwn=formats.mrkdwn,
                   extra={**reply.extra, "markup": combined}, notices=tuple(dict.fromkeys(reply.notices + (notice,))))


def _picked_number(text: str) -> int | None:
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().rstrip(".!。")
    if cleaned in _ORDINALS:
        return _ORDINALS[cleaned]
    for word, number in _ORDINALS.items():
        if cleaned in (f"the {word}", f"the {word} one", f"{word} one"):
            return number
    found = _NUMBER_PICK.match(cleaned)
    return int(found.group(1)) if found else None
