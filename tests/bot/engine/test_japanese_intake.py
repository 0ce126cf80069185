"""The Japanese intake as Japanese users expect it (issue 14 point 6)."""
from __future__ import annotations

import pytest

from bot.engine.conversation import Conversation
from bot.engine.desk import format_date
from bot.engine.messages import Message, Reply
from bot.engine.romaji import looks_like_romaji
from handoff.sqlite.store import SQLiteStore
from intents.matcher import Matcher
from responses.renderer import Renderer


@pytest.fixture()
def chat(matcher: Matcher, renderer: Renderer, store: SQLiteStore) -> Conversation:
    return Conversation(matcher=matcher, renderer=renderer, store=store, clock=lambda: 1_796_356_800.0)


def say(chat: Conversation, text: str, sid: str = "ja") -> Reply:
    step = chat.open_step(Message(text="", session_id=sid))  # answers the open question, as the web page does
    return chat.handle(Message(text=text, session_id=sid, step=step))


def test_a_mother_asking_for_her_child_by_post(chat: Conversation, store: SQLiteStore) -> None:
    assert say(chat, "私の個人情報を開示してください").handoff == "disclosure"
    who = say(chat, "はい")
    assert "ご本人ですか" in who.text and [c.label for c in who.choices] == ["本人です", "代理人です"]  # before names
    follow_up = say(chat, "母です")
    assert "母としてのご請求ですね" in follow_up.text and "未成年" in follow_up.text
    assert [c.value for c in follow_up.choices] == ["parent", "guardian", "agent"]
    assert "ご本人（代理される方）のお名前" in say(chat, "1").text
    assert "姓と名のフルネーム" in say(chat, "山田").text  # a surname alone
    assert "フリガナ" in say(chat, "山田 花子").text
    assert "代理人であるあなたご自身のお名前" in say(chat, "やまだ はなこ").text  # hiragana is accepted
    assert "フリガナ" in say(chat, "山田 洋子").text
    say(chat, "ヤマダ ヨウコ")
    say(chat, "yoko@example.jp")
    assert "受け取り方法" in say(chat, "すべて").text
    assert "郵便番号" in say(chat, "郵送でお願いします").text
    assert "7桁" in say(chat, "12345").text
    assert "ご住所" in say(chat, "〒213-0011").text
    assert "電話番号" in say(chat, "神奈川県川崎市高津区久本1-6-8").text
    summary = say(chat, "044-123-4567")
    for shown in ("ヤマダ ハナコ", "ヤマダ ヨウコ", "213-0011", "044-123-4567", "未成年者の親権者", "代理人のお名前: 山田 洋子"):
        assert shown in summary.text
    receipt = say(chat, "はい、送信してください")
    assert receipt.ticket is not None
    assert receipt.text.startswith("ご請求いただき、ありがとうございます。")
    assert "今後ともどうぞよろしくお願いいたします。" in receipt.text
    assert "本人確認書類はこのチャットには送らないでください" in receipt.text
    reference = receipt.ticket["reference"]
    assert f"「状況 {reference}」" in receipt.text
    ticket = store.get_ticket(reference)
    assert ticket.representative is not None and ticket.representative.on_behalf_of == "山田 花子"
    assert ticket.contact.name == "山田 洋子"
    assert ticket.answers["rep_name_kana"] == "ヤマダ ハナコ" and ticket.answers["postal_code"] == "213-0011"
    for asked in (f"状況 {reference}", f"{reference}の状況を教えてください"):
        status = say(chat, asked)
        assert status.lang == "ja" and "受付日：2026年12月4日" in status.text, status.text


def test_natural_answers(chat: Conversation) -> None:
    say(chat, "データを消去してください", "n1")
    say(chat, "はい", "n1")
    assert "どの立場での代理か" in say(chat, "代理人です", "n1").text
    assert say(chat, "やっぱりやめます", "n1").handoff is None
    say(chat, "データを消去してください", "n2")
    say(chat, "はい", "n2")
    say(chat, "本人です", "n2")
    say(chat, "佐藤 健", "n2")
    say(chat, "サトウ ケン", "n2")
    action = say(chat, "ken@example.jp", "n2")
    assert "利用の停止と消去のどちら" in action.text and [c.label for c in action.choices] == ["利用停止", "消去"]
    assert "理由" in say(chat, "消去でお願いします", "n2").text


def test_a_surname_typed_twice_is_kept(chat: Conversation) -> None:
    for text in ("Please send me a copy of all my personal data.", "1"):
        say(chat, text, "e1")
    assert "full name" in say(chat, "Madonna", "e1").text
    assert "email" in say(chat, "Madonna", "e1").text.lower()


def test_dates_in_japanese_are_not_zero_padded() -> None:
    assert format_date(1_796_356_800.0, "ja") == "2026年12月4日"
    assert format_date(1_796_356_800.0, "en") == "4 December 2026"


@pytest.mark.parametrize("text", ["kojin jouhou wa dou yatte shutoku shiteru no", "cookie wa tsukatte imasu ka",
                                  "toiawase saki wa doko desu ka"])
def test_romaji_questions_are_answered_in_japanese(chat: Conversation, text: str) -> None:
    reply = say(chat, text, f"r-{text}")
    assert reply.lang == "ja" and reply.decision == "answer" and "第" in reply.text


@pytest.mark.parametrize("text", ["Do you sell my data?", "is my data kept in Japan?", "Kenji Sato", "hello"])
def test_english_is_not_romaji(text: str) -> None:
    assert not looks_like_romaji(text)
