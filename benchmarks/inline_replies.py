"""Issue 18 ("keep replies byte-identical"): `/api/chat`'s replies with chat on the event loop (`PRIVACY_BOT_CHAT_INLINE=on`)
and on chat threads (`off`), over every labelled set (`tests/data/*.jsonl`), in sessions of 20 messages, on SQLite or
on a Redis server given by URL:

    python -m benchmarks.inline_replies [--redis-url redis://127.0.0.1:6379/15] [--limit N]

Prints how many replies differ (apart from the session id, the step token and a ticket's reference and times) and
the first few; exits 1 when any does.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from bot.app import build_services
from bot.config import Settings
from bot.web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                            category=UserWarning)
    from fastapi.testclient import TestClient

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SESSION_TURNS = 20


def labelled_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def replies(texts: list[str], inline: str, redis_url: str | None) -> list[dict[str, Any]]:
    env = {"PRIVACY_BOT_DATA_DIR": tempfile.mkdtemp(prefix="replies-"), "PRIVACY_BOT_CHAT_INLINE": inline,
           "PRIVACY_BOT_RATE_SESSION": "0", "PRIVACY_BOT_RATE_IP": "0"}
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=f"replies-{inline}-{Path(env['PRIVACY_BOT_DATA_DIR']).name}")
    services = build_services(Settings.from_env(env))
    out = []
    try:
        with TestClient(create_app(services)) as client:  # one event loop, as a server has
            for i, text in enumerate(texts):
                body = {"session_id": f"replies-{i // SESSION_TURNS:05d}", "text": text}
                reply = client.post("/api/chat", json=body).json()
                reply.pop("session_id", None)
                reply.pop("step", None)
                if reply.get("ticket"):
                    reply["ticket"] = {k: v for k, v in reply["ticket"].items()
                                       if k not in ("reference", "created_at", "due_at")}
                out.append(reply)
    finally:
        services.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", help="compare on this Redis server (else SQLite)")
    parser.add_argument("--limit", type=int, help="only the first N messages")
    args = parser.parse_args(argv)
    texts = labelled_texts()[: args.limit]
    on, off = replies(texts, "on", args.redis_url), replies(texts, "off", args.redis_url)
    differ = [i for i, (a, b) in enumerate(zip(on, off)) if a != b]
    print(f"{len(texts)} messages, {len(differ)} replies differ")
    for i in differ[:5]:
        print(f"#{i}: on {json.dumps(on[i], ensure_ascii=False)[:200]}\n     off {json.dumps(off[i], ensure_ascii=False)[:200]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
