"""Block Kit for the Slack front end: pure functions from replies, forms and tickets to Slack JSON.

Nothing here calls Slack or the store. Limits respected throughout: a section's text is at most 3,000
characters (longer answers are split on paragraph and line boundaries), a button's text 75, a modal title 24,
an option's text 75, `private_metadata` 3,000.
"""
from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from bot.engine.messages import Reply
from handoff.intake import FormField, IntakeForm

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
MAX_BLOCKS = 50
FALLBACK_TEXT_LIMIT = 3000
REQUEST_FORM = "request_form"  # callback_id of the request modal
VERIFY_FORM = "request_verify"  # callback_id of the request modal's second view: the emailed code
VERIFY_RESEND = "verify_resend"  # action ids of its buttons
VERIFY_BACK = "verify_back"
CODE_BLOCK = "code"  # block id (and action id) of its code input
TALK_TO_PERSON = "talk_to_person"
OPEN_REQUEST_FORM = "open_request_form"
CHOICE_PREFIX = "choice_"
#: block_id of a reply's buttons; `reply_actions:U…` names the user they answered (only their clicks act).
REPLY_ACTIONS = "reply_actions"

#: Texts the Slack front end adds around the core's replies (the core's own texts live in its data files).
UI: Mapping[str, Mapping[str, str]] = {
    "talk": {"en": "Talk to a person", "ja": "担当者と話す"},
    "open_form": {"en": "Open the request form", "ja": "請求フォームを開く"},
    "form_title": {"en": "Privacy request", "ja": "個人情報のご請求"},
    "submit": {"en": "Send request", "ja": "送信する"},
    "cancel": {"en": "Cancel", "ja": "キャンセル"},
    "form_intro": {"en": "Request: *{type}*\nYour answers go only to our privacy staff.",
                   "ja": "ご請求：*{type}*\nご回答はプライバシー担当者だけが確認します。"},
    "channel_request": {
        "en": "This sounds like a formal request: *{type}*. To keep your details private, please use the request "
              "form (only you can see it), or send me a direct message.",
        "ja": "正式なご請求のようです：*{type}*。個人情報を守るため、請求フォーム（ご本人にだけ表示されます）を"
              "お使いいただくか、ダイレクトメッセージでお送りください。"},
    "store_failed": {
        "en": "Sorry, your request could not be saved just now, so nothing was filed. Please open the form and "
              "send it again in a few minutes.",
        "ja": "申し訳ありません。現在ご請求を保存できなかったため、受付は完了していません。数分後にもう一度フォーム"
              "から送信してください。"},
    "error": {"en": "Sorry, something went wrong on our side. Please try again.",
              "ja": "申し訳ありません。システムでエラーが発生しました。もう一度お試しください。"},
    "help": {"en": "Ask me about our privacy policy: `/privacy <your question>`, a direct message, or a mention. "
                   "`/privacy status PRQ-…` shows a request's status.",
             "ja": "プライバシーポリシーについてご質問ください：`/privacy 質問`、ダイレクトメッセージ、"
                   "またはメンションでどうぞ。`/privacy status PRQ-…` でご請求の状況を確認できます。"},
    "topics": {"en": "Topics I can answer", "ja": "お答えできるトピック"},
    "requests": {"en": "Your requests", "ja": "あなたのご請求"},
    "home_title": {"en": "Privacy policy assistant", "ja": "プライバシーポリシー案内"},
    "update": {"en": "**Update on your request {reference}**", "ja": "**ご請求 {reference} の状況が更新されました**"},
    "explanation": {"en": "Explanation from our staff:", "ja": "担当者からの説明："},
    "not_yours": {"en": "These buttons answer someone else's question, so nothing was changed. To ask me yourself, "
                        "mention me, send me a direct message or use `/privacy`.",
                  "ja": "このボタンは別の方のご質問へのものなので、何も変更されていません。ご自身でご質問になる場合は、"
                        "メンション、ダイレクトメッセージ、または `/privacy` をお使いください。"},
    "chosen": {"en": "Chosen: *{choice}*", "ja": "選択：*{choice}*"},
    "verify_title": {"en": "Confirm your email", "ja": "メールアドレスの確認"},
    "verify_submit": {"en": "Confirm", "ja": "確認する"},
    "verify_intro": {
        "en": "We sent a 6-digit code to *{email}*. Type it below to confirm that the address is yours: your request "
              "is filed once it is confirmed. The code is valid for {minutes} minutes.",
        "ja": "*{email}* 宛に6桁の確認コードを送りました。このアドレスがご本人のものであることを確認するため、下に"
              "入力してください。確認できた時点でご請求を受け付けます。コードの有効期限は{minutes}分です。"},
    "verify_no_mail": {"en": "No email? Check your spam folder, or send a new code. Closing this window cancels the "
                             "request.",
                       "ja": "メールが届かない場合は迷惑メールフォルダをご確認いただくか、新しいコードを送ってください。"
                             "この画面を閉じるとご請求は取り消されます。"},
    "verify_code": {"en": "6-digit code", "ja": "6桁の確認コード"},
    "verify_resend": {"en": "Send a new code", "ja": "新しいコードを送る"},
    "verify_back": {"en": "Change my answers", "ja": "回答を修正する"},
    "verify_resent": {"en": "A new code was sent to *{email}*. Codes sent before it no longer work.",
                      "ja": "*{email}* 宛に新しいコードを送りました。それ以前のコードは使えません。"},
    "verify_limited": {
        "en": "Too many codes were asked for this address or by you. Please wait about {minutes} minutes, then ask "
              "for a new code.",
        "ja": "このアドレスまたはあなたからのコードの請求が多すぎます。{minutes}分ほど待ってから新しいコードを"
              "請求してください。"},
    "verify_wrong": {"en": "That code is not right. Tries left: {tries}. Type the 6 digits from the email.",
                     "ja": "コードが正しくありません（残り{tries}回）。メールに記載の6桁の数字を入力してください。"},
    "verify_locked": {"en": "That code is not right, and there are no tries left for it. Press “Send a new code” "
                            "for a new one.",
                      "ja": "コードが正しくありません。このコードでの入力回数の上限に達しました。"
                            "「新しいコードを送る」を押してください。"},
    "verify_expired": {"en": "That code has expired. Press “Send a new code” for a new one.",
                       "ja": "コードの有効期限が切れました。「新しいコードを送る」を押してください。"},
    "verify_not_code": {"en": "Please type the 6 digits from the email we sent (for example 042917).",
                        "ja": "お送りしたメールに記載の6桁の数字を入力してください（例：042917）。"},
    "verify_gone": {
        "en": "This request is no longer waiting for a code (it was filed, cancelled or has expired). Close this "
              "window and open the request form again.",
        "ja": "このご請求はコードの入力待ちではありません（受付済み、取り消し、または期限切れ）。この画面を閉じて、"
              "請求フォームをもう一度開いてください。"},
    "verify_unavailable": {
        "en": "Sorry, we could not send or check a code just now, so nothing was filed. Please try again in a few "
              "minutes.",
        "ja": "申し訳ありません。現在コードの送信・確認ができないため、受付は完了していません。数分後にもう一度"
              "お試しください。"},
    "no_text": {"en": "That message has no text I could read, so there is nothing to answer. You can ask me with "
                      "`/privacy <your question>`.",
                "ja": "このメッセージには読み取れる文章がないため、お答えできません。`/privacy 質問` でご質問ください。"},
}


def ui(key: str, lang: str, **values: object) -> str:
    text = UI[key]["ja" if lang == "ja" else "en"]
    return text.format(**values) if values else text


def escape(text: str) -> str:
    """Escape text for mrkdwn (Slack requires &, < and > escaped; everything else is literal)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = BUTTON_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": False}


def split_mrkdwn(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters, preferring paragraph, then line, then word
    boundaries (a chunk never ends inside an `&amp;`-style entity)."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut >= limit // 2:
                break
        else:
            cut = limit
            amp = window.rfind("&", limit - 8)
            if amp != -1 and ";" not in window[amp:]:
                cut = amp
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def text_sections(mrkdwn: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in split_mrkdwn(mrkdwn)]


def form_button_value(request_type: str, lang: str) -> str:
    return json.dumps({"t": request_type, "l": lang}, separators=(",", ":"))


def reply_blocks(reply: Reply, *, request_type: str | None = None, talk_button: bool = False,
                 text: str | None = None, owner: str | None = None) -> list[dict[str, Any]]:
    """The answer (mrkdwn sections), a context line citing the article, and buttons: one per clarification or
    form choice (value = the choice's number), "Open the request form" when `request_type` is given, and
    "Talk to a person" when `talk_button`. `text` replaces the reply's own text (mrkdwn). `owner`, the Slack user
    the reply answers, goes into the buttons' block id (see `owner_of`)."""
    blocks = text_sections(reply.mrkdwn if text is None else text)
    if reply.citation:
        blocks.append({"type": "context", "block_id": "citation",
                       "elements": [{"type": "mrkdwn", "text": escape(reply.citation)}]})
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": f"{CHOICE_PREFIX}{c.number}", "text": plain(f"{c.number}. {c.label}"),
         "value": f"{c.number}:{reply.step}" if reply.step else str(c.number)}  # the step token goes back
        for c in reply.choices[:20]
    ] if text is None else []
    if request_type:
        buttons.append({"type": "button", "action_id": OPEN_REQUEST_FORM, "style": "primary",
                        "text": plain(ui("open_form", reply.lang)),
                        "value": form_button_value(request_type, reply.lang)})
    if talk_button:
        buttons.append({"type": "button", "action_id": TALK_TO_PERSON, "text": plain(ui("talk", reply.lang)),
                        "value": reply.lang})
    if buttons:
        block_id = f"{REPLY_ACTIONS}:{owner}" if owner else REPLY_ACTIONS
        blocks.append({"type": "actions", "block_id": block_id, "elements": buttons})
    return blocks[:MAX_BLOCKS]


def reply_message(reply: Reply, **options: Any) -> dict[str, Any]:
    """`chat.postMessage` / `chat.postEphemeral` arguments (without channel) for a reply."""
    text = options.get("text")
    fallback = reply.text if text is None else text
    return {"text": clip(fallback, FALLBACK_TEXT_LIMIT), "blocks": reply_blocks(reply, **options),
            "unfurl_links": False, "unfurl_media": False}


def owner_of(action: Mapping[str, Any]) -> str | None:
    """The user a clicked reply button belongs to (from its block id), or None for buttons without one. The block
    id comes back in Slack's signed payload as the app posted it, so it cannot be chosen by the clicker."""
    prefix, _, owner = str(action.get("block_id") or "").partition(":")
    return owner if prefix == REPLY_ACTIONS and owner else None


def used_choice_blocks(blocks: Sequence[Mapping[str, Any]], block_id: str, chosen: str) -> list[dict[str, Any]]:
    """A posted reply's blocks with its used buttons (`block_id`) replaced by a line saying what was chosen."""
    kept: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("type") == "actions" and block.get("block_id") == block_id:
            kept.append({"type": "context", "block_id": "chosen", "elements": [{"type": "mrkdwn", "text": chosen}]})
        else:
            kept.append(dict(block))
    if not any(b.get("block_id") == "chosen" for b in kept):
        kept.append({"type": "context", "block_id": "chosen", "elements": [{"type": "mrkdwn", "text": chosen}]})
    return kept[:MAX_BLOCKS]


# -- the request modal ---------------------------------------------------------------------------
def _element(spec: FormField, initial: str | None = None) -> dict[str, Any]:
    """The input of one field; `initial`, an earlier answer, is filled in (when it is still a valid choice)."""
    element: dict[str, Any]
    if spec.kind == "choice":
        options = [{"text": plain(c.label, OPTION_LIMIT), "value": c.value} for c in spec.choices]
        kind = "radio_buttons" if len(options) <= 4 else "static_select"
        element = {"type": kind, "action_id": spec.key, "options": options}
        chosen = [o for o in options if o["value"] == initial]
        if chosen:
            element["initial_option"] = chosen[0]
        return element
    if spec.kind == "email":
        element = {"type": "email_text_input", "action_id": spec.key}
    else:
        element = {"type": "plain_text_input", "action_id": spec.key, "multiline": spec.multiline,
                   "max_length": min(spec.max_length, 3000)}
    if initial:
        element["initial_value"] = initial[:3000]
    return element


def _hint(form: IntakeForm, request_type: str, key: str, lang: str) -> str | None:
    prompt_key = {"scope": f"scope_{request_type}",
                  "ground": "ground_suspension" if request_type == "suspension" else "ground_third_party"}.get(key, key)
    try:
        return form.texts.get("prompt", prompt_key, lang).replace("**", "")
    except KeyError:
        return None


def request_modal(form: IntakeForm, request_type: str, lang: str, metadata: Mapping[str, Any],
                  values: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The whole intake form of `request_type` as a modal; block ids and action ids are the field keys, so
    `IntakeForm.validate`'s errors map onto the fields as they are. `values`: answers to fill in (going back from
    the code view)."""
    values = values or {}
    label = escape(form.texts.get("type_label", request_type, lang))
    blocks: list[dict[str, Any]] = [{"type": "section", "block_id": "intro",
                                     "text": {"type": "mrkdwn", "text": ui("form_intro", lang, type=label)}}]
    for spec in form.fields(request_type, lang):
        block: dict[str, Any] = {"type": "input", "block_id": spec.key, "label": plain(spec.label, 2000),
                                 "element": _element(spec, values.get(spec.key)), "optional": not spec.required}
        hint = _hint(form, request_type, spec.key, lang)
        if hint and hint != spec.label:
            block["hint"] = plain(hint, 2000)
        blocks.append(block)
    return {"type": "modal", "callback_id": REQUEST_FORM, "title": plain(ui("form_title", lang), 24),
            "submit": plain(ui("submit", lang), 24), "close": plain(ui("cancel", lang), 24),
            "private_metadata": json.dumps(dict(metadata), separators=(",", ":"))[:3000], "blocks": blocks}


def mask_email(email: str) -> str:
    """An address as the code view shows it: the first character of the mailbox and the whole domain
    (`h•••@example.jp`), enough for its owner to spot a typo, not for an onlooker to read it."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"


def verify_modal(lang: str, masked_email: str, metadata: Mapping[str, Any], *, minutes: int,
                 notice: str | None = None) -> dict[str, Any]:
    """The request modal's second view: where the code was sent (masked), the code input, and buttons to send a new
    code or go back to the answers. `notice` (mrkdwn) replaces the first paragraph: a new code was sent, or the
    rate limit refused one. Closing it (the modal's own Cancel) cancels the request."""
    intro = notice or ui("verify_intro", lang, email=escape(masked_email), minutes=minutes)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "verify_intro", "text": {"type": "mrkdwn", "text": intro}},
        {"type": "input", "block_id": CODE_BLOCK, "label": plain(ui("verify_code", lang), 2000), "optional": False,
         "element": {"type": "plain_text_input", "action_id": CODE_BLOCK, "max_length": 40,
                     "placeholder": plain("123456", 150)}},
        {"type": "context", "block_id": "verify_help",
         "elements": [{"type": "mrkdwn", "text": ui("verify_no_mail", lang)}]},
        {"type": "actions", "block_id": "verify_actions", "elements": [
            {"type": "button", "action_id": VERIFY_RESEND, "text": plain(ui("verify_resend", lang)), "value": "resend"},
            {"type": "button", "action_id": VERIFY_BACK, "text": plain(ui("verify_back", lang)), "value": "back"}]},
    ]
    return {"type": "modal", "callback_id": VERIFY_FORM, "title": plain(ui("verify_title", lang), 24),
            "submit": plain(ui("verify_submit", lang), 24), "close": plain(ui("cancel", lang), 24),
            "notify_on_close": True, "private_metadata": json.dumps(dict(metadata), separators=(",", ":"))[:3000],
            "blocks": blocks}


def view_values(view: Mapping[str, Any]) -> dict[str, str]:
    """The submitted values of a modal by block id: text inputs' `value`, selects' and radios' chosen value."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        for action in actions.values():
            if not isinstance(action, Mapping):
                continue
            selected = action.get("selected_option")
            value = selected.get("value") if isinstance(selected, Mapping) else action.get("value")
            if isinstance(value, str):
                values[block_id] = value
    return values


def metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    """A view's `private_metadata` as a dict ({} when absent or not ours)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- App Home ------------------------------------------------------------------------------------
def home_view(*, lang: str, topics: Sequence[tuple[int, str]], requests_mrkdwn: str) -> dict[str, Any]:
    """The App Home tab: how to ask, the topics (article and label), the user's own requests."""
    topic_lines = "\n".join(f"• Art. {article}: {escape(label)}" if lang != "ja" else f"• 第{article}条：{escape(label)}"
                            for article, label in topics)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(ui("home_title", lang), 150)},
        {"type": "section", "text": {"type": "mrkdwn", "text": ui("help", lang)}},
        {"type": "divider"},
        {"type": "header", "text": plain(ui("topics", lang), 150)},
        *text_sections(topic_lines),
        {"type": "divider"},
        {"type": "header", "text": plain(ui("requests", lang), 150)},
        *text_sections(requests_mrkdwn),
        {"type": "actions", "block_id": "home_actions", "elements": [
            {"type": "button", "action_id": TALK_TO_PERSON, "text": plain(ui("talk", lang)), "value": lang}]},
    ]
    return {"type": "home", "blocks": blocks[:100]}


def notice_modal(lang: str, mrkdwn: str) -> dict[str, Any]:
    """A modal that only says something (no input, no submit): e.g. a request that no longer waits for a code."""
    return {"type": "modal", "callback_id": "notice", "title": plain(ui("form_title", lang), 24),
            "close": plain(ui("cancel", lang), 24), "blocks": text_sections(mrkdwn)}
