"""The request intake form, as a pure state machine the conversation drives one message at a time.

The form is front-end neutral: it takes text and returns the next prompt (with choices a front end may show
as buttons). Its state is a JSON-serialisable dict kept in the chat session, so an abandoned form expires with
the session. Texts come from `handoff/data/intake.toml`, loaded and validated once.
"""
from __future__ import annotations

import re
import secrets
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from rapidfuzz import fuzz

from handoff.tickets import REQUEST_TYPES

TEXTS_FILE = Path(__file__).parent / "data" / "intake.toml"
LANGS = ("en", "ja")
MAX_NAME = 100
MAX_TEXT = 2000
CANCEL_WORDS = frozenset({"cancel", "quit", "abort", "exit", "stop", "never mind", "nevermind", "forget it",
                          "キャンセル", "やめる", "やめます", "中止", "取り消し", "取消", "やめて"})
LANGUAGE_WORDS = {"english": "en", "in english": "en", "英語": "en", "日本語": "ja", "japanese": "ja",
                  "in japanese": "ja", "日本語で": "ja"}
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

GROUNDS = {
    "suspension": ("art9_1_no_consent", "art9_1_beyond_purpose", "art9_1_unlawful",
                   "art9_3_not_needed", "art9_3_leak", "art9_3_rights_harmed"),
    "third_party_stop": ("art9_2_no_consent", "art9_2_illegal",
                         "art9_3_not_needed", "art9_3_leak", "art9_3_rights_harmed"),
}
CHOICE_STEPS = frozenset({"on_behalf", "rep_relationship", "delivery", "ground"})
TEXT_STEPS = frozenset({"scope", "wrong_value", "correct_value", "message"})
DETAIL_STEPS: Mapping[str, tuple[str, ...]] = {
    "purpose_notification": ("scope", "delivery"),
    "disclosure": ("scope", "delivery"),
    "correction": ("wrong_value", "correct_value"),
    "suspension": ("ground", "scope"),
    "third_party_stop": ("ground", "scope"),
    "inquiry": ("message",),
}


class IntakeTextError(ValueError):
    """intake.toml is missing a text; the message names the file and the key."""


@dataclass(frozen=True)
class FormChoice:
    value: str
    label: str


@dataclass(frozen=True)
class FormTurn:
    """What the form says next. `state` is None when the form has ended (cancelled or confirmed)."""

    state: dict[str, Any] | None
    text: str
    choices: tuple[FormChoice, ...] = ()
    cancelled: bool = False
    confirmed: bool = False
    error: str | None = None


@dataclass(frozen=True)
class IntakeTexts:
    sections: Mapping[str, Mapping[str, Mapping[str, str]]] = field(repr=False)

    def get(self, section: str, key: str, lang: str, **values: object) -> str:
        text = self.sections[section][key][lang if lang in LANGS else "en"]
        # str.format inserts values as data; they are never parsed as format strings themselves.
        return text.format(**values) if values else text


def load_texts(path: Path = TEXTS_FILE) -> IntakeTexts:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IntakeTextError(f"{path.name}: not valid TOML: {exc}") from exc
    required = {
        "type_label": set(REQUEST_TYPES),
        "prompt": {"confirm_type", "choose_type", "name", "email", "on_behalf", "rep_name", "rep_relationship",
                   "delivery", "wrong_value", "correct_value", "ground_suspension", "ground_third_party", "message",
                   "summary", "cancelled", "store_failed", "form_unavailable"}
        | {f"scope_{t}" for t in ("disclosure", "purpose_notification", "suspension", "third_party_stop")},
        "summary_field": {"type", "name", "email", "on_behalf", "rep_name", "rep_relationship", "scope", "delivery",
                          "wrong_value", "correct_value", "ground", "message"},
        "error": {"choice", "name", "email", "text_empty", "text_long"},
        "desk": {"receipt", "receipt_representative", "status", "status_closed", "status_closed_rejected",
                 "status_unknown", "status_list", "status_none", "staff_reply", "status_unavailable", "store_down"},
        "status_label": {"new", "in_progress", "waiting_on_requester", "resolved", "rejected"},
        "choice": {"yes", "switch", "cancel", "self", "representative", "parent", "guardian", "agent", "electronic",
                   "paper", "confirm", "restart"} | {g for gs in GROUNDS.values() for g in gs},
    }
    for section, keys in required.items():
        for key in sorted(keys):
            entry = doc.get(section, {}).get(key)
            if not isinstance(entry, dict) or not all(isinstance(entry.get(l), str) and entry[l] for l in LANGS):
                raise IntakeTextError(f"{path.name}: [{section}] {key} needs non-empty 'en' and 'ja' texts")
    return IntakeTexts(doc)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().strip().strip(".!?。！？").split())


def clean_answer(text: str) -> str:
    """Strip control characters and surrounding space from a free-text answer."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()


def valid_email(text: str) -> bool:
    return len(text) <= 254 and ".." not in text and bool(_EMAIL.match(text))


@dataclass(frozen=True)
class FormField:
    """One field of a request type's form, for front ends that show the whole form at once (Slack modals)."""

    key: str
    label: str
    kind: str  # "text", "email", "choice"
    choices: tuple[FormChoice, ...] = ()
    required: bool = True
    max_length: int = MAX_TEXT
    multiline: bool = False


class IntakeForm:
    """Runs the form. `start` opens one; `handle` consumes the user's next message."""

    def __init__(self, texts: IntakeTexts | None = None,
                 notes: Mapping[str, Mapping[str, str]] | None = None) -> None:
        """`notes` are the operator's own statements ("fee", "response_time") by language. The policy says nothing
        about fees or response times, so without them the form and receipt claim nothing about either."""
        self.texts = texts or load_texts()
        self.notes = {kind: dict(by_lang) for kind, by_lang in (notes or {}).items()}

    def note(self, kind: str, lang: str) -> str:
        """The operator's statement of `kind` in `lang` (English when that language has none), or ""."""
        by_lang = self.notes.get(kind, {})
        return by_lang.get(lang) or by_lang.get("en", "")

    # -- public ------------------------------------------------------------------------------
    def start(self, request_type: str, lang: str) -> FormTurn:
        if request_type not in REQUEST_TYPES:
            raise ValueError(f"unknown request type {request_type!r}")
        state = {"id": secrets.token_hex(8), "type": request_type, "lang": lang, "step": "confirm_type",
                 "answers": {}}
        return self._ask(state)

    def handle(self, state: Mapping[str, Any], text: str, lang: str | None = None) -> FormTurn:
        """Consume one message. `lang` (an explicit switch) changes the form's language from now on."""
        state = {**state, "answers": dict(state.get("answers", {}))}
        if lang in LANGS:
            state["lang"] = lang
        folded = _fold(text)
        if folded in CANCEL_WORDS:
            return FormTurn(None, self.texts.get("prompt", "cancelled", state["lang"]), cancelled=True)
        if folded in LANGUAGE_WORDS:
            state["lang"] = LANGUAGE_WORDS[folded]
            return self._ask(state)
        step = state["step"]
        if step in CHOICE_STEPS:
            return self._store_choice(state, text, step)
        if step in TEXT_STEPS:
            return self._store_text(state, text, step)
        handler = {"confirm_type": self._on_confirm_type, "choose_type": self._on_choose_type,
                   "name": self._on_name, "rep_name": self._on_name, "email": self._on_email,
                   "summary": self._on_summary}.get(step)
        if handler is None:  # an unknown step (older state shape): start the questions again
            state["step"] = "confirm_type"
            return self._ask(state)
        return handler(state, text)

    def fields(self, request_type: str, lang: str) -> list[FormField]:
        """Every field of the form for `request_type`, in order. Representative fields are optional: they are
        required only when `on_behalf` is "representative" (see `validate`)."""
        state = {"type": request_type, "lang": lang, "answers": {"on_behalf": "representative"}, "step": ""}
        fields = []
        for step in self._steps(state):
            if step in ("confirm_type", "summary"):
                continue
            state["step"] = step
            label = self.texts.get("summary_field", step, lang)
            if step == "email":
                fields.append(FormField(step, label, "email", max_length=254))
            elif step in ("name", "rep_name"):
                fields.append(FormField(step, label, "text", required=step == "name", max_length=MAX_NAME))
            elif step in CHOICE_STEPS:
                fields.append(FormField(step, label, "choice", self._choices(state, step),
                                        required=step != "rep_relationship"))
            else:
                fields.append(FormField(step, label, "text", multiline=True))
        return fields

    def validate(self, request_type: str, answers: Mapping[str, str], lang: str) -> tuple[dict[str, str], dict[str, str]]:
        """Check a whole form at once. Returns (clean answers, errors by field key); no errors means complete.
        Uses the same rules, and the same error texts, as the step-by-step chat form."""
        clean: dict[str, str] = {}
        errors: dict[str, str] = {}
        for spec in self.fields(request_type, lang):
            raw = answers.get(spec.key)
            value = clean_answer(raw) if isinstance(raw, str) else ""
            needed = spec.required or (spec.key in ("rep_name", "rep_relationship")
                                        and answers.get("on_behalf") == "representative")
            if not value:
                if needed:
                    errors[spec.key] = self.texts.get("error", "choice" if spec.kind == "choice" else "text_empty", lang)
                continue
            if spec.kind == "email":
                value = unicodedata.normalize("NFKC", value)
                if not valid_email(value):
                    errors[spec.key] = self.texts.get("error", "email", lang)
                    continue
            elif spec.kind == "choice":
                if value not in {c.value for c in spec.choices}:
                    errors[spec.key] = self.texts.get("error", "choice", lang)
                    continue
            elif spec.key in ("name", "rep_name"):
                if not any(c.isalpha() for c in value) or len(value) > MAX_NAME or "@" in value:
                    errors[spec.key] = self.texts.get("error", "name", lang)
                    continue
            elif len(value) > spec.max_length:
                errors[spec.key] = self.texts.get("error", "text_long", lang, limit=spec.max_length)
                continue
            clean[spec.key] = value
        if clean.get("on_behalf") != "representative":
            clean.pop("rep_name", None)
            clean.pop("rep_relationship", None)
        return clean, errors

    def prompt(self, state: Mapping[str, Any]) -> FormTurn:
        """The current step's question again (after an interruption such as a failed save)."""
        return self._ask({**state, "answers": dict(state.get("answers", {}))})

    def summary_lines(self, state: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(label, value) pairs of the answers, in the form's language."""
        lang = state["lang"]
        answers = state["answers"]
        lines = [(self.texts.get("summary_field", "type", lang), self.texts.get("type_label", state["type"], lang))]
        for key in self._steps(state):
            if key in ("confirm_type",) or key not in answers:
                continue
            value = answers[key]
            if key in ("on_behalf", "rep_relationship", "delivery", "ground"):
                value = self.texts.get("choice", value, lang)
            lines.append((self.texts.get("summary_field", key, lang), value))
        return lines

    # -- steps -------------------------------------------------------------------------------
    def _steps(self, state: Mapping[str, Any]) -> list[str]:
        steps = ["confirm_type", "name", "email", "on_behalf"]
        if state["answers"].get("on_behalf") == "representative":
            steps += ["rep_name", "rep_relationship"]
        return steps + list(DETAIL_STEPS[state["type"]]) + ["summary"]

    def _advance(self, state: dict[str, Any]) -> FormTurn:
        steps = self._steps(state)
        current = steps.index(state["step"]) if state["step"] in steps else -1
        state["step"] = steps[current + 1]
        return self._ask(state)

    def _choices(self, state: Mapping[str, Any], step: str) -> tuple[FormChoice, ...]:
        lang = state["lang"]
        values: tuple[str, ...] = {
            "confirm_type": ("yes", "switch", "cancel"),
            "on_behalf": ("self", "representative"),
            "rep_relationship": ("parent", "guardian", "agent"),
            "delivery": ("electronic", "paper"),
            "ground": GROUNDS.get(state["type"], ()),
            "summary": ("confirm", "restart", "cancel"),
        }.get(step, ())
        if step == "choose_type":
            return tuple(FormChoice(t, self.texts.get("type_label", t, lang)) for t in REQUEST_TYPES)
        return tuple(FormChoice(v, self.texts.get("choice", v, lang)) for v in values)

    def _ask(self, state: dict[str, Any], error: str | None = None) -> FormTurn:
        lang, step = state["lang"], state["step"]
        if step == "confirm_type":
            prompt = self.texts.get("prompt", "confirm_type", lang, type=self.texts.get("type_label", state["type"], lang))
        elif step == "summary":
            summary = "\n".join(f"- {label}: {value}" for label, value in self.summary_lines(state))
            prompt = self.texts.get("prompt", "summary", lang, summary=summary)
        elif step == "scope":
            prompt = self.texts.get("prompt", f"scope_{state['type']}", lang)
        elif step == "ground":
            key = "ground_suspension" if state["type"] == "suspension" else "ground_third_party"
            prompt = self.texts.get("prompt", key, lang)
        else:
            prompt = self.texts.get("prompt", step, lang)
        if step == "delivery" and self.note("fee", lang):
            prompt = f"{prompt}\n\n{self.note('fee', lang)}"
        if error:
            prompt = f"{error}\n\n{prompt}"
        return FormTurn(state, prompt, self._choices(state, step), error=error)

    def _pick(self, state: dict[str, Any], text: str) -> str | None:
        """The value of the choice `text` names: by number, by label, or by the value itself."""
        choices = self._choices(state, state["step"])
        folded = _fold(text)
        digits = folded.rstrip(".)番")
        if digits.isdigit() and 1 <= int(digits) <= len(choices):
            return choices[int(digits) - 1].value
        synonyms = {"yes": ("yes", "y", "ok", "okay", "sure", "correct", "right", "はい", "うん", "ええ", "お願いします"),
                    "confirm": ("confirm", "yes", "send", "submit", "ok", "はい", "確定", "送信", "送って"),
                    "self": ("myself", "me", "self", "for me", "本人", "自分"),
                    "representative": ("representative", "agent", "on behalf", "代理", "代理人"),
                    "electronic": ("electronic", "electronically", "email", "e-mail", "pdf", "download", "電子", "メール"),
                    "paper": ("paper", "post", "mail", "letter", "書面", "郵送", "紙"),
                    "switch": ("no", "different", "other", "いいえ", "違う", "別")}
        for choice in choices:
            if folded in synonyms.get(choice.value, ()) or folded == choice.value:
                return choice.value
        best = max(choices, key=lambda c: fuzz.WRatio(folded, _fold(c.label)), default=None)
        if best is not None and fuzz.WRatio(folded, _fold(best.label)) >= 88:
            return best.value
        return None

    def _choice_step(self, state: dict[str, Any], text: str) -> str | FormTurn:
        value = self._pick(state, text)
        if value is None:
            return self._ask(state, self.texts.get("error", "choice", state["lang"]))
        return value

    def _on_confirm_type(self, state: dict[str, Any], text: str) -> FormTurn:
        value = self._choice_step(state, text)
        if isinstance(value, FormTurn):
            return value
        if value == "cancel":
            return FormTurn(None, self.texts.get("prompt", "cancelled", state["lang"]), cancelled=True)
        if value == "switch":
            state["step"] = "choose_type"
            return self._ask(state)
        return self._advance(state)

    def _on_choose_type(self, state: dict[str, Any], text: str) -> FormTurn:
        value = self._choice_step(state, text)
        if isinstance(value, FormTurn):
            return value
        state["type"] = value
        # Details belong to the old type; the identity answers stay.
        state["answers"] = {k: v for k, v in state["answers"].items() if k in ("name", "email", "on_behalf",
                                                                                "rep_name", "rep_relationship")}
        state["step"] = "confirm_type"
        return self._advance(state)

    def _on_name(self, state: dict[str, Any], text: str) -> FormTurn:
        """Full name of the requester (step `name`) or of the person represented (step `rep_name`)."""
        name = clean_answer(text)
        letters = [c for c in name if c.isalpha()]
        if not letters or len(name) > MAX_NAME or "@" in name or "?" in name or "？" in name or len(name.split()) > 8:
            return self._ask(state, self.texts.get("error", "name", state["lang"]))
        state["answers"][state["step"]] = name
        return self._advance(state)

    def _on_email(self, state: dict[str, Any], text: str) -> FormTurn:
        email = unicodedata.normalize("NFKC", text).strip().strip("<>").removeprefix("mailto:")
        if not valid_email(email):
            return self._ask(state, self.texts.get("error", "email", state["lang"]))
        state["answers"]["email"] = email
        return self._advance(state)

    def _store_choice(self, state: dict[str, Any], text: str, key: str) -> FormTurn:
        value = self._choice_step(state, text)
        if isinstance(value, FormTurn):
            return value
        state["answers"][key] = value
        if key == "on_behalf" and value == "self":
            state["answers"].pop("rep_name", None)
            state["answers"].pop("rep_relationship", None)
        return self._advance(state)

    def _store_text(self, state: dict[str, Any], text: str, key: str) -> FormTurn:
        answer = clean_answer(text)
        if not answer:
            return self._ask(state, self.texts.get("error", "text_empty", state["lang"]))
        if len(answer) > MAX_TEXT:
            return self._ask(state, self.texts.get("error", "text_long", state["lang"], limit=MAX_TEXT))
        state["answers"][key] = answer
        return self._advance(state)

    def _on_summary(self, state: dict[str, Any], text: str) -> FormTurn:
        value = self._choice_step(state, text)
        if isinstance(value, FormTurn):
            return value
        if value == "cancel":
            return FormTurn(None, self.texts.get("prompt", "cancelled", state["lang"]), cancelled=True)
        if value == "restart":
            state["answers"] = {}
            state["step"] = "confirm_type"
            return self._ask(state)
        return FormTurn(state, "", confirmed=True)
