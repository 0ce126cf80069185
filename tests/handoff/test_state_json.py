"""`state_json.encoded`: the bytes of `dumps` without a decode and re-encode (issue 18: the Redis session write)."""
from __future__ import annotations

from handoff import state_json


def test_encoded_is_dumps_in_utf8_and_what_orjson_refuses_stays_a_string() -> None:
    state = {"lang": "ja", "transcript": [{"role": "user", "text": "住所を直して\n\"quoted\" \x01", "at": 1.5}],
             "form": {"step": "name", "answers": {"n": 10**12}}, "offer": None}
    assert state_json.encoded(state) == state_json.dumps(state).encode("utf-8")
    assert state_json.loads(state_json.encoded(state)) == state
    big = {"n": 2**70, "text": "é"}  # beyond 64 bits: orjson refuses, the standard library writes it
    assert state_json.encoded(big) == state_json.dumps(big) == '{"n":1180591620717411303424,"text":"é"}'
