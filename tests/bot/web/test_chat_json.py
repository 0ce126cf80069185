"""`bot.web.app.chat_json` writes exactly what the pydantic response models wrote (issue 18: the models are no longer
built for every chat message), and falls back to them whenever a value is not of the type the schema declares."""
from __future__ import annotations

import random
import struct

import pytest
from pydantic_core import PydanticSerializationError

from bot.engine.messages import Choice, Reply
from bot.web.app import _chat_response, chat_json


def _reply(**changes: object) -> Reply:
    fields: dict[str, object] = dict(
        session_id="sess-abcdefgh", decision="answer", intent="cookies_use", article=9, handoff=None,
        confidence=0.8125, lang="en", text="We use cookies.\n\n> quoted", html="<p>We use cookies.</p>",
        mrkdwn="We use cookies.", citation="Article 9", choices=(), notices=("truncated",), ticket=None,
        extra={"markup": "x"}, step="tok-1")
    fields.update(changes)
    return Reply(**fields)  # type: ignore[arg-type]


def _models(reply: Reply) -> bytes:
    return _chat_response(reply).model_dump_json().encode("utf-8")


TICKET = {"reference": "PRQ-2026-000042", "request_type": "disclosure", "article": 10, "status": "received",
          "created_at": 1796427248.346025, "due_at": 1797636848.346025, "contact": "never in the reply"}
CHOICES = (Choice(number=1, intent="cookies_use", label="Cookies", article=9),
           Choice(number=2, intent=None, label="メール", article=None, value="email"))


@pytest.mark.parametrize("reply", [
    _reply(),
    _reply(decision="clarify", intent=None, article=None, citation=None, choices=CHOICES, step=None),
    _reply(decision="request", handoff="disclosure", ticket=TICKET, notices=()),
    _reply(lang="ja", text="個人情報の開示について\u3000「第10条」\t\x01\x1f\x7f\u2028 \U0001F600", html="<p>&amp;\"'\\/</p>"),
    _reply(confidence=0.0), _reply(confidence=1.0), _reply(confidence=1e-7), _reply(confidence=123456789.125),
])
def test_the_same_bytes_as_the_models(reply: Reply) -> None:
    assert chat_json(reply) == _models(reply)


def test_floats_and_strings_written_as_the_models_write_them() -> None:
    rnd = random.Random(18)
    for _ in range(3000):
        bits = struct.unpack("d", rnd.getrandbits(64).to_bytes(8, "little"))[0]
        value = bits if bits == bits and abs(bits) != float("inf") else rnd.random()
        text = "".join(chr(rnd.choice([rnd.randint(0, 0x7F), rnd.randint(0x80, 0xD7FF), rnd.randint(0x10000, 0x10FFFF)]))
                       for _ in range(rnd.randint(0, 10)))
        reply = _reply(confidence=value, text=text, ticket={**TICKET, "created_at": abs(value)})
        assert chat_json(reply) == _models(reply)


@pytest.mark.parametrize("reply", [
    _reply(confidence=1),  # an int: the model makes it 1.0
    _reply(article=True),  # a bool where an int is declared: the model decides
    _reply(ticket={k: v for k, v in TICKET.items() if k != "due_at"}),  # incomplete: the model raises
])
def test_values_of_another_type_go_through_the_models(reply: Reply) -> None:
    try:
        expected = _models(reply)
    except Exception as exc:  # noqa: BLE001 - whatever the models raise, chat_json raises too
        with pytest.raises(type(exc)):
            chat_json(reply)
    else:
        assert chat_json(reply) == expected


def test_a_lone_surrogate_fails_as_it_did() -> None:
    with pytest.raises(PydanticSerializationError):
        chat_json(_reply(text="bad \ud800 text"))
