"""Session state to and from JSON, for both stores: every chat message reads and writes its session (up to 30
transcript lines, about 14 kB), and the standard library's encoder was 5% of a chat message's interpreter time
(benchmarks/RESULTS.md, "Profiles and fixes"). orjson gives the same JSON (compact, UTF-8, no ASCII escaping) about
ten times faster; what it refuses (integers beyond 64 bits, non-string keys, lone surrogates) goes through the
standard library as before, so nothing that was storable stops being storable."""
from __future__ import annotations

import json
from typing import Any, Mapping

import orjson


def dumps(state: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(state).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def encoded(state: Mapping[str, Any]) -> bytes | str:
    """`dumps(state)` as the UTF-8 bytes a network client would send anyway (the Redis store): orjson's own output,
    without decoding it to a string for the client to encode again (twice over 15-30 kB on every chat message).
    What orjson refuses comes back as `dumps` gives it (a string), for the client to encode as before."""
    try:
        return orjson.dumps(state)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def loads(raw: str | bytes) -> dict[str, Any]:
    state: dict[str, Any] = orjson.loads(raw)
    return state
