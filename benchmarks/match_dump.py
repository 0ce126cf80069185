"""Dump what the matcher decides and what the chat answers, one JSON line per message, to diff two trees.

For every item of tests/data/*.jsonl (and any further .jsonl files given), the benchmark's long messages and 3,600
long messages glued from the labelled items: every field of `Matcher.match` (decision, intent, article, handoff,
confidence, choices, candidates, cue scores, flags) and the chat reply (`Conversation.handle`, one session per
message: decision, intent, handoff, confidence, text, choice labels, notices). A speed-up of the matcher is exact when
the dumps of the tree before and after it are byte-identical:

    cd <tree> && PYTHONHASHSEED=0 python -m benchmarks.match_dump /tmp/after.jsonl [more.jsonl …]
    cmp /tmp/before.jsonl /tmp/after.jsonl
"""
from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import REPO, dev_texts
from benchmarks.matcher_latency import long_messages


def items(extra: list[str]) -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO / "tests" / "data").glob("*.jsonl")) + [Path(p) for p in extra]:
        with open(path, encoding="utf-8") as stream:
            for n, line in enumerate(stream):
                if line.strip():
                    item = json.loads(line)
                    out.append((f"{path.name}:{item.get('id', n)}", item["text"]))
    for n, (length, text) in enumerate(long_messages(dev_texts())):
        out.append((f"long:{length}:{n}", text))
    labelled = [text for _, text in out if not _.startswith("long:")]
    for n in range(0, len(labelled) - 6, 3):  # asks at the end, in the middle, capped at both ends
        out.append((f"glued:{n}", "\n".join(labelled[n:n + 6])))
        out.append((f"glued2:{n}", " ".join(labelled[n:n + 12])[:4000]))
    return out


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    from bot.app import build_services
    from bot.config import Settings
    from bot.engine.messages import Message
    from intents.catalog import load_catalog
    from intents.matcher import Matcher

    matcher = Matcher(load_catalog())
    services = build_services(Settings.from_env({"PRIVACY_BOT_DATA_DIR": tempfile.mkdtemp()}))
    count = 0
    try:
        with open(argv[0], "w", encoding="utf-8") as out:
            for n, (key, text) in enumerate(items(argv[1:])):
                reply = services.conversation.handle(Message(text=text, session_id=f"dump{n:06d}", frontend="web"))
                record = {"key": key, "match": plain(matcher.match(text)),
                          "reply": [reply.decision, reply.intent, reply.handoff, reply.confidence, reply.text,
                                    [c.label for c in reply.choices], list(reply.notices)]}
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
    finally:
        services.close()
    print(f"{count} messages -> {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
