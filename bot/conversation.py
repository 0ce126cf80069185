"""The conversation core: `Conversation.handle(Message) -> Reply`.

It never imports a web framework, Slack or a database driver: it talks to storage only through the
store it is given, to matching through `intents`, and to wording through `responses`.
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from rapidfuzz import fuzz

from bot.messages import Choice, Message, Reply
from handoff.store import SessionStore, StoreUnavailable
from intents.catalog import Intent
from intents.language import detect_language
from intents.matcher import Match, Matcher
from intents.normalize import fold
from responses.renderer import Renderer

log = logging.getLogger(__name__)

TRANSCRIPT_TURNS = 20
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "one": 1, "two": 2, "three": 3,
    "一": 1, "二": 2, "三": 3, "1つ目": 1, "2つ目": 2, "3つ目": 3,
}
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
        store: SessionStore,
        session_ttl: int = 7200,
        max_message_chars: int = 4000,
        default_lang: str = "en",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.matcher = matcher
        self.renderer = renderer
        self.store = store
        self.session_ttl = session_ttl
        self.max_message_chars = max_message_chars
        self.default_lang = default_lang
        self.clock = clock
        catalog = matcher.catalog
        self._topics = {
            lang: [Topic(i.label(lang), i.article) for i in sorted(catalog, key=lambda i: (i.article or 0, i.paragraph or 0))
                   if i.kind == "question" and i.article is not None]
            for lang in ("en", "ja")
        }

    # -- public ------------------------------------------------------------------------------
    def handle(self, message: Message) -> Reply:
        notices: list[str] = []
        text = message.text if isinstance(message.text, str) else ""
        # Lone surrogates (possible from JSON "\ud800") cannot be stored or encoded: replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
        if len(text) > self.max_message_chars:
            text = text[: self.max_message_chars]
            notices.append("truncated")
        state = self._load(message.session_id, notices)
        lang = self._language(message, text, state)

        match = self._pick_choice(text, state, lang)
        if match is None:
            # Match in the message's own language; `lang` (which may be an explicit switch) is the reply's.
            match = self.matcher.match(text)
        reply = self._reply(message.session_id, match, lang, notices)

        state["lang"] = lang
        state["pending_choices"] = [c.intent for c in reply.choices]
        transcript = state.setdefault("transcript", [])
        transcript.append({"role": "user", "text": text, "at": self.clock()})
        transcript.append({"role": "bot", "text": reply.text, "intent": reply.intent, "at": self.clock()})
        del transcript[:-TRANSCRIPT_TURNS * 2]
        self._save(message.session_id, state, notices)
        if "store_unavailable" in notices and "store_unavailable" not in reply.notices:
            reply = _with_notices(reply, notices)
        return reply

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

    def _save(self, session_id: str, state: Mapping[str, Any], notices: list[str]) -> None:
        if "store_unavailable" in notices:
            return
        try:
            self.store.save_session(session_id, state, self.session_ttl)
        except StoreUnavailable:
            log.warning("session store unavailable; session state not saved")
            notices.append("store_unavailable")

    def _language(self, message: Message, text: str, state: Mapping[str, Any]) -> str:
        if message.lang in ("en", "ja"):
            return message.lang
        previous = state.get("lang") if state.get("lang") in ("en", "ja") else self.default_lang
        return detect_language(text, default=previous)

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
            for label in {intent.label(lang), intent.label("en"), intent.label("ja")}:
                score = fuzz.ratio(folded, fold(label))
                if score > best_score:
                    best, best_score = n, score
        return best if best_score >= 80 else None

    # -- rendering ---------------------------------------------------------------------------
    def _reply(self, session_id: str, match: Match, lang: str, notices: list[str]) -> Reply:
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
        elif match.decision == "fallback" or intent is None:
            name = "fallback"
        else:
            name = intent.id
            context.update(article=intent.article, paragraph=intent.paragraph, request_type=intent.request_type)
        rendered = self.renderer.render(name, lang, context)
        article = match.article if match.decision != "fallback" else None
        return Reply(
            session_id=session_id,
            decision=match.decision,
            intent=match.intent if match.decision != "fallback" else None,
            article=article,
            handoff=match.handoff if match.decision == "request" else None,
            confidence=match.confidence,
            lang=lang,
            text=rendered.text,
            html=rendered.html,
            mrkdwn=rendered.mrkdwn,
            citation=self.renderer.citation(article, lang) if article else None,
            choices=choices,
            notices=tuple(notices) + (("truncated_for_matching",) if "truncated" in match.flags else ()),
        )


def _picked_number(text: str) -> int | None:
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().rstrip(".!。")
    if cleaned in _ORDINALS:
        return _ORDINALS[cleaned]
    for word, number in _ORDINALS.items():
        if cleaned in (f"the {word}", f"the {word} one", f"{word} one"):
            return number
    found = _NUMBER_PICK.match(cleaned)
    return int(found.group(1)) if found else None


def _with_notices(reply: Reply, notices: list[str]) -> Reply:
    from dataclasses import replace

    return replace(reply, notices=tuple(dict.fromkeys(tuple(reply.notices) + tuple(notices))))
