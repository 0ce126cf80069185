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
                          "キャンセル", "やめる", "やめます", "中止", "取り消し", "取消", "やめて", "やめておきます",
                          "キャンセルします", "中止します", "取り消します", "やめときます"})
#: How people answer in Japanese around the word that matters: 「代理人です」, 「郵送でお願いします」,
#: 「はい、送信してください」, 「やっぱりやめます」. Stripped before an answer is compared with the choices.
_JA_LEAD = re.compile(r"^(?:はい|ええ|うん|いえ|やっぱり|やはり|では|じゃあ|それでは|えっと|あの)[、,\s]*")
_JA_TAIL = re.compile(r"(?:でお願いいたします|でお願いします|でおねがいします|でお願い|にしてください|にします|でございます|"
                      r"してください|して下さい|します|です|ください|下さい|お願いします|お願いいたします|で)$")
#: Family members who may ask for someone: a parent of a minor is a legal representative (親権者); for an adult,
#: a family member needs a power of attorney (任意代理人). The form asks which applies.
FAMILY = {"母": "母", "母親": "母", "お母さん": "母", "父": "父", "父親": "父", "お父さん": "父", "親": "親",
          "両親": "親", "娘": "娘", "息子": "息子", "夫": "夫", "妻": "妻", "家族": "家族", "祖母": "祖母", "祖父": "祖父",
          "mother": "mother", "mom": "mother", "mum": "mother", "father": "father", "dad": "father",
          "parent": "parent", "son": "son", "daughter": "daughter", "husband": "husband", "wife": "wife",
          "family": "family"}
_KANA = re.compile(r"^[\u30a0-\u30ff\u3040-\u309f\s・ー]+$")
_POSTAL_CODE = re.compile(r"^〒?\s*(\d{3})-?(\d{4})$")
_PHONE = re.compile(r"^\+?[\d\-\s()]{9,20}$")
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
CHOICE_STEPS = frozenset({"on_behalf", "rep_relationship", "delivery", "ground", "action"})
TEXT_STEPS = frozenset({"scope", "wrong_value", "correct_value", "message", "address"})
#: Answers about who is asking: kept when the request type is switched mid-form.
IDENTITY_KEYS = ("name", "name_kana", "email", "on_behalf", "rep_name", "rep_name_kana", "rep_relationship")
#: Asked only when the answer is to be sent on paper (by post).
POSTAL_STEPS = ("postal_code", "address", "phone")
DETAIL_STEPS: Mapping[str, tuple[str, ...]] = {
    "purpose_notification": ("scope", "delivery"),
    "disclosure": ("scope", "delivery"),
    "correction": ("wrong_value", "correct_value"),
    "suspension": ("action", "ground", "scope"),
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
    #: The text is made of the form's own wording only (a question, an error, a fixed label), none of the requester's
    #: answers: a front end may remember what it made of it (issue 18). The summary, which repeats the answers, is not.
    fixed: bool = False


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
                   "name_representative", "rep_relationship_family", "name_kana", "rep_name_kana", "postal_code",
                   "address", "phone", "action",
                   "delivery", "wrong_value", "correct_value", "ground_suspension", "ground_third_party", "message",
                   "summary", "cancelled", "store_failed", "form_unavailable"}
        | {f"scope_{t}" for t in ("disclosure", "purpose_notification", "suspension", "third_party_stop")},
        "summary_field": {"type", "name", "email", "on_behalf", "rep_name", "rep_relationship", "scope", "delivery",
                          "wrong_value", "correct_value", "ground", "message", "name_kana", "rep_name_kana",
                          "postal_code", "address", "phone", "action", "name_representative"},
        "error": {"choice", "name", "email", "text_empty", "text_long", "full_name", "kana", "postal_code", "phone"},
        "desk": {"receipt", "receipt_representative", "status", "status_closed", "status_closed_rejected",
                 "status_unknown", "status_list", "status_none", "staff_reply", "status_unavailable", "store_down",
                 "stale_step"},
        "status_label": {"new", "in_progress", "waiting_on_requester", "resolved", "rejected"},
        "choice": {"yes", "switch", "cancel", "self", "representative", "parent", "guardian", "agent", "electronic",
                   "paper", "confirm", "restart", "stop_use", "delete"} | {g for gs in GROUNDS.values() for g in gs},
    }
    for section, keys in required.items():
        for key in sorted(keys):
            entry = doc.get(section, {}).get(key)
            if not isinstance(entry, dict) or not all(isinstance(entry.get(l), str) and entry[l] for l in LANGS):
                raise IntakeTextError(f"{path.name}: [{section}] {key} needs non-empty 'en' and 'ja' texts")
    return IntakeTexts(doc)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().strip().strip(".!?。！？").split())


def _core(folded: str) -> str:
    """The word that matters in a natural Japanese answer (「郵送でお願いします」 -> 「郵送」); English is unchanged."""
    core = _JA_LEAD.sub("", folded).strip()
    for _ in range(3):
        shorter = _JA_TAIL.sub("", core)
        if shorter == core or not shorter:
            break
        core = shorter
    return core.strip() or folded


def _family(folded: str) -> str | None:
    """The family member named in an answer such as 「母です」 or "I'm her mother", if any."""
    core = _core(folded)
    if core in FAMILY:
        return FAMILY[core]
    words = re.findall(r"[a-z]+", folded)
    return next((FAMILY[w] for w in words if w in FAMILY), None)


def clean_answer(text: str) -> str:
    """Strip control characters and surrounding space from a free-text answer."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _surname_only(name: str) -> bool:
    """One word only: Latin letters without a space ("Smith"), or two CJK characters or fewer (「山田」)."""
    if len(name.split()) > 1 or "・" in name:
        return False
    if all(c.isascii() for c in name):
        return True
    return len(name) <= 2


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
        if folded in CANCEL_WORDS or _core(folded) in CANCEL_WORDS or _core(folded) + "ます" in CANCEL_WORDS:
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
                   "name_kana": self._on_kana, "rep_name_kana": self._on_kana, "postal_code": self._on_postal_code,
                   "phone": self._on_phone, "summary": self._on_summary}.get(step)
        if handler is None:  # an unknown step (older state shape): start the questions again
            state["step"] = "confirm_type"
            return self._ask(state)
        return handler(state, text)

    def fields(self, request_type: str, lang: str) -> list[FormField]:
        """Every field of the form for `request_type`, in order. Representative fields are optional: they are
        required only when `on_behalf` is "representative" (see `validate`)."""
        state = {"type": request_type, "lang": lang, "answers": {"on_behalf": "representative", "delivery": "paper"},
                 "step": ""}
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
            elif step in ("name_kana", "rep_name_kana", "postal_code", "phone"):
                fields.append(FormField(step, label, "text", required=False, max_length=MAX_NAME))
            elif step == "address":
                fields.append(FormField(step, label, "text", required=False, max_length=500, multiline=True))
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
                                        and answers.get("on_behalf") == "representative") or (
                spec.key in POSTAL_STEPS and answers.get("delivery") == "paper")
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
            for key in ("rep_name", "rep_name_kana", "rep_relationship"):
                clean.pop(key, None)
        if clean.get("delivery") != "paper":
            for key in POSTAL_STEPS:
                clean.pop(key, None)
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
            if key in ("on_behalf", "rep_relationship", "delivery", "ground", "action"):
                value = self.texts.get("choice", value, lang)
            label_key = "name_representative" if key == "name" and answers.get("on_behalf") == "representative" \
                else key
            lines.append((self.texts.get("summary_field", label_key, lang), value))
        return lines

    # -- steps -------------------------------------------------------------------------------
    def _steps(self, state: Mapping[str, Any]) -> list[str]:
        # Japanese forms ask who is asking first, so names are asked for the right people: the person concerned
        # (ご本人) and, for a representative, the representative's own name, each with its reading (フリガナ).
        # English forms keep their order (name, email, then who is asking), which front ends and tests rely on.
        representative = state["answers"].get("on_behalf") == "representative"
        if state["lang"] == "ja":
            steps = ["confirm_type", "on_behalf"]
            if representative:
                steps += ["rep_relationship", "rep_name", "rep_name_kana"]
            steps += ["name", "name_kana", "email"]
        else:
            steps = ["confirm_type", "name", "email", "on_behalf"]
            if representative:
                steps += ["rep_name", "rep_relationship"]
        details = list(DETAIL_STEPS[state["type"]])
        if "delivery" in details and state["answers"].get("delivery") == "paper":
            details += list(POSTAL_STEPS)
        return steps + details + ["summary"]

    def _advance(self, state: dict[str, Any]) -> FormTurn:
        # The first question not answered yet: the order differs by language (see `_steps`), so after a switch of
        # language or of request type nothing answered is asked again and nothing unanswered is skipped.
        steps = self._steps(state)
        state["step"] = next(s for s in steps[1:] if s == "summary" or s not in state["answers"])
        return self._ask(state)

    def _choices(self, state: Mapping[str, Any], step: str) -> tuple[FormChoice, ...]:
        lang = state["lang"]
        values: tuple[str, ...] = {
            "confirm_type": ("yes", "switch", "cancel"),
            "on_behalf": ("self", "representative"),
            "rep_relationship": ("parent", "guardian", "agent"),
            "delivery": ("electronic", "paper"),
            "action": ("stop_use", "delete"),
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
        elif step == "name" and state["answers"].get("on_behalf") == "representative":
            prompt = self.texts.get("prompt", "name_representative", lang)
        elif step == "rep_relationship" and state["answers"].get("rep_family"):
            prompt = self.texts.get("prompt", "rep_relationship_family", lang, who=state["answers"]["rep_family"])
        else:
            prompt = self.texts.get("prompt", step, lang)
        if step == "delivery" and self.note("fee", lang):
            prompt = f"{prompt}\n\n{self.note('fee', lang)}"
        if error:
            prompt = f"{error}\n\n{prompt}"
        # Only the summary quotes answers; `rep_relationship_family`'s `who` is a word of `FAMILY`, not the answer.
        return FormTurn(state, prompt, self._choices(state, step), error=error, fixed=step != "summary")

    def _pick(self, state: dict[str, Any], text: str) -> str | None:
        """The value of the choice `text` names: by number, by label, or by the value itself."""
        choices = self._choices(state, state["step"])
        folded = _fold(text)
        digits = folded.rstrip(".)番")
        if digits.isdigit() and 1 <= int(digits) <= len(choices):
            return choices[int(digits) - 1].value
        synonyms = {"yes": ("yes", "y", "ok", "okay", "sure", "correct", "right", "はい", "うん", "ええ", "お願いします",
                            "それで", "はいそれで", "続ける", "進める"),
                    "confirm": ("confirm", "yes", "send", "submit", "ok", "はい", "確定", "送信", "送って", "送信して",
                                "はい送信", "お願いします", "これで", "この内容で", "送る"),
                    "self": ("myself", "me", "self", "for me", "本人", "自分", "私", "わたし", "本人として", "自分のこと",
                             "本人からの請求"),
                    "representative": ("representative", "agent", "on behalf", "代理", "代理人", "代理人として",
                                       "代理で"),
                    "parent": ("parent", "親権者", "親", "法定代理人", "未成年"),
                    "guardian": ("guardian", "後見人", "成年後見人"),
                    "agent": ("agent", "power of attorney", "委任状", "任意代理人", "委任"),
                    "electronic": ("electronic", "electronically", "email", "e-mail", "pdf", "download", "電子", "メール",
                                   "電磁的方法", "データ", "ダウンロード"),
                    "paper": ("paper", "post", "mail", "letter", "by post", "書面", "郵送", "紙", "郵便"),
                    "stop_use": ("stop", "stop using", "suspend", "suspension", "利用停止", "停止", "止めて", "利用の停止"),
                    "delete": ("delete", "deletion", "erase", "消去", "削除", "消して"),
                    "switch": ("no", "different", "other", "いいえ", "違う", "別")}
        core = _core(folded)
        for choice in choices:
            if folded in synonyms.get(choice.value, ()) or folded == choice.value or core in synonyms.get(choice.value, ()):
                return choice.value
        # Each label scored once; the first of the best, as `max` picked it (issue 18: the score was computed again).
        scores = [fuzz.WRatio(folded, _fold(c.label)) for c in choices]
        if scores and max(scores) >= 88:
            return choices[scores.index(max(scores))].value
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
        state["answers"] = {k: v for k, v in state["answers"].items() if k in IDENTITY_KEYS}
        state["step"] = "confirm_type"
        return self._advance(state)

    def _on_name(self, state: dict[str, Any], text: str) -> FormTurn:
        """Full name of the requester (step `name`) or of the person represented (step `rep_name`)."""
        name = clean_answer(text)
        letters = [c for c in name if c.isalpha()]
        if not letters or len(name) > MAX_NAME or "@" in name or "?" in name or "？" in name or len(name.split()) > 8:
            return self._ask(state, self.texts.get("error", "name", state["lang"]))
        # A surname alone (「山田」, "Smith") is asked once more for the full name; typed again, it is kept.
        if _surname_only(name) and state.get("short_name") != name:
            state["short_name"] = name
            return self._ask(state, self.texts.get("error", "full_name", state["lang"]))
        state.pop("short_name", None)
        state["answers"][state["step"]] = name
        return self._advance(state)

    def _on_kana(self, state: dict[str, Any], text: str) -> FormTurn:
        """The reading of a name in katakana (hiragana is converted)."""
        kana = unicodedata.normalize("NFKC", clean_answer(text))
        if not kana or len(kana) > MAX_NAME or not _KANA.match(kana):
            return self._ask(state, self.texts.get("error", "kana", state["lang"]))
        state["answers"][state["step"]] = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
        return self._advance(state)

    def _on_postal_code(self, state: dict[str, Any], text: str) -> FormTurn:
        found = _POSTAL_CODE.match(unicodedata.normalize("NFKC", clean_answer(text)).replace(" ", ""))
        if found is None:
            return self._ask(state, self.texts.get("error", "postal_code", state["lang"]))
        state["answers"]["postal_code"] = f"{found.group(1)}-{found.group(2)}"
        return self._advance(state)

    def _on_phone(self, state: dict[str, Any], text: str) -> FormTurn:
        phone = unicodedata.normalize("NFKC", clean_answer(text))
        if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 9:
            return self._ask(state, self.texts.get("error", "phone", state["lang"]))
        state["answers"]["phone"] = phone
        return self._advance(state)

    def _on_email(self, state: dict[str, Any], text: str) -> FormTurn:
        email = unicodedata.normalize("NFKC", text).strip().strip("<>").removeprefix("mailto:")
        if not valid_email(email):
            return self._ask(state, self.texts.get("error", "email", state["lang"]))
        state["answers"]["email"] = email
        return self._advance(state)

    def _store_choice(self, state: dict[str, Any], text: str, key: str) -> FormTurn:
        family = _family(_fold(text)) if key == "on_behalf" else None
        if family is not None:
            # 「母です」: acting for someone; whether as a parent (legal representative) or with a power of
            # attorney depends on the person's age, so the next question asks, naming who they are.
            state["answers"]["on_behalf"] = "representative"
            state["answers"]["rep_family"] = family
            return self._advance(state)
        value = self._choice_step(state, text)
        if isinstance(value, FormTurn):
            return value
        state["answers"][key] = value
        if key == "on_behalf":
            state["answers"].pop("rep_family", None)
        if key == "on_behalf" and value == "self":
            for stale in ("rep_name", "rep_name_kana", "rep_relationship"):
                state["answers"].pop(stale, None)
        if key == "delivery" and value != "paper":
            for stale in POSTAL_STEPS:
                state["answers"].pop(stale, None)
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
