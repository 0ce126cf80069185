"""Template versions, example phrasings and unanswered questions in the Redis store (contracts: `ContentStore` in
`handoff.store`; keys in `handoff.redis.layout`). A mixin of `RedisStore`.

Each change is one Lua script that also bumps the revision counter, so a worker that sees the new revision also
sees the change. Every key a script touches is passed in KEYS and shares the store's hash tag.
"""
from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Callable, cast

from handoff.content import (
    REVISION_KINDS, Phrasing, TemplateVersion, UnansweredGroup, UNANSWERED_DECISIONS, check_phrasing_fields,
    check_template_key, check_unanswered_fields, check_version_fields, phrasing_key, storable_id, unanswered_key,
)
from handoff.store import PhrasingExists, PhrasingNotFound, TemplateConflict, TemplateVersionNotFound

if TYPE_CHECKING:
    import redis

    from handoff.redis.layout import RedisKeys

# KEYS: versions list, edited set, revisions hash. ARGV: "<lang>:<name>", document, expected latest ("" = any).
SAVE_VERSION = """
local n = redis.call('LLEN', KEYS[1])
if ARGV[3] ~= '' and n ~= tonumber(ARGV[3]) then return {0, n} end
n = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'templates', 1)
return {1, n}
"""

# KEYS: documents hash, uniqueness hash, id counter, revisions hash. ARGV: uniqueness key, document.
ADD_PHRASING = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('HINCRBY', KEYS[4], 'phrasings', 1)
return id
"""

# KEYS: documents hash, uniqueness hash, revisions hash. ARGV: id, uniqueness key.
REMOVE_PHRASING = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[2]) end
redis.call('HINCRBY', KEYS[3], 'phrasings', 1)
return 1
"""

# KEYS: group hash, last-seen sorted set. ARGV: group key, text, lang, decision, now. Returns the number of groups.
RECORD_UNANSWERED = """
redis.call('HSETNX', KEYS[1], 'text', ARGV[2])
redis.call('HSETNX', KEYS[1], 'lang', ARGV[3])
redis.call('HSETNX', KEYS[1], 'first_seen', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
local seen = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[5]) >= seen then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
end
return redis.call('ZCARD', KEYS[2])
"""

# KEYS: last-seen sorted set, then one group hash per group to drop. ARGV: the group keys, then their scores as
# read: a group seen again since then keeps its place.
TRIM_UNANSWERED = """
local n = #KEYS - 1
for i = 1, n do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[n + i]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('DEL', KEYS[i + 1])
  end
end
return 1
"""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class RedisContent:
    """The `ContentStore` half of `RedisStore`."""

    if TYPE_CHECKING:
        keys: RedisKeys
        _r: redis.Redis

        def _guard(self, what: str) -> AbstractContextManager[None]: ...

    def _script(self, name: str, body: str) -> Callable[..., Any]:
        # Registered on first use (EVALSHA, reloaded by redis-py after a server restart).
        scripts: dict[str, Any] = self.__dict__.setdefault("_content_scripts", {})
        if name not in scripts:
            scripts[name] = self._r.register_script(body)
        return scripts[name]  # type: ignore[no-any-return]

    def content_revisions(self) -> dict[str, int]:
        with self._guard("content_revisions"):
            values = self._r.hmget(self.keys.revisions, list(REVISION_KINDS))
        return {kind: int(_text(v)) if v is not None else 0 for kind, v in zip(REVISION_KINDS, values)}

    # -- templates ---------------------------------------------------------------------------
    def save_template_version(self, name: str, lang: str, source: str | None, *, author: str, note: str, now: float,
                              action: str = "edit", restored_from: int | None = None,
                              base_version: int | None = None) -> TemplateVersion:
        check_version_fields(name, lang, source, author, note, action, restored_from)
        doc = {"name": name, "lang": lang, "source": source, "author": author, "note": note, "created_at": now,
               "action": action, "restored_from": restored_from}
        k = self.keys
        with self._guard("save_template_version"):
            saved, number = self._script("save_version", SAVE_VERSION)(
                keys=[k.template_versions(name, lang), k.templates_edited, k.revisions],
                args=[f"{lang}:{name}", _dumps(doc), "" if base_version is None else str(base_version)])
        if not saved:
            raise TemplateConflict(f"{lang}/{name} is at version {number} now, not {base_version}", int(number))
        return TemplateVersion.from_dict(doc, number=int(number))

    def template_history(self, name: str, lang: str) -> list[TemplateVersion]:
        check_template_key(name, lang)
        with self._guard("template_history"):
            docs = self._r.lrange(self.keys.template_versions(name, lang), 0, -1)
        versions = [TemplateVersion.from_dict(json.loads(_text(d)), number=n) for n, d in enumerate(docs, start=1)]
        return versions[::-1]

    def get_template_version(self, name: str, lang: str, number: int) -> TemplateVersion:
        check_template_key(name, lang)
        doc = None
        if storable_id(number):
            with self._guard("get_template_version"):
                doc = self._r.lindex(self.keys.template_versions(name, lang), number - 1)
        if doc is None:
            raise TemplateVersionNotFound(f"{lang}/{name} has no version {number}")
        return TemplateVersion.from_dict(json.loads(_text(doc)), number=number)

    def template_heads(self) -> dict[tuple[str, str], TemplateVersion]:
        with self._guard("template_heads"):
            edited = sorted(_text(m) for m in self._r.smembers(self.keys.templates_edited))
            pipe = self._r.pipeline(transaction=False)
            for member in edited:
                lang, name = member.split(":", 1)
                key = self.keys.template_versions(name, lang)
                pipe.llen(key)
                pipe.lindex(key, -1)
            found = pipe.execute()
        heads = {}
        for i, member in enumerate(edited):
            count, doc = found[2 * i], found[2 * i + 1]
            if doc is not None:
                version = TemplateVersion.from_dict(json.loads(_text(doc)), number=int(count))
                heads[(version.name, version.lang)] = version
        return heads

    # -- phrasings ---------------------------------------------------------------------------
    def add_phrasing(self, intent: str, lang: str, text: str, *, author: str, now: float) -> Phrasing:
        check_phrasing_fields(intent, lang, text, author)
        text = text.strip()
        doc = {"intent": intent, "lang": lang, "text": text, "author": author, "created_at": now}
        k = self.keys
        with self._guard("add_phrasing"):
            new_id = self._script("add_phrasing", ADD_PHRASING)(
                keys=[k.phrasings, k.phrasing_uniq, k.phrasing_seq, k.revisions],
                args=[phrasing_key(intent, lang, text), _dumps(doc)])
        if not new_id:
            raise PhrasingExists(f"{intent} already has the {lang} phrasing {text!r}")
        return Phrasing.from_dict(doc, id=int(new_id))

    def list_phrasings(self, intent: str | None = None) -> list[Phrasing]:
        with self._guard("list_phrasings"):
            raw = self._r.hgetall(self.keys.phrasings)
        found = sorted((Phrasing.from_dict(json.loads(_text(doc)), id=int(_text(pid))) for pid, doc in raw.items()),
                       key=lambda p: p.id)
        return [p for p in found if intent is None or p.intent == intent]

    def remove_phrasing(self, phrasing_id: int) -> Phrasing:
        if not storable_id(phrasing_id):
            raise PhrasingNotFound(f"no phrasing {phrasing_id}")
        k = self.keys
        with self._guard("remove_phrasing"):
            doc = self._r.hget(k.phrasings, str(phrasing_id))
        if doc is None:
            raise PhrasingNotFound(f"no phrasing {phrasing_id}")
        phrasing = Phrasing.from_dict(json.loads(_text(doc)), id=phrasing_id)
        with self._guard("remove_phrasing"):
            removed = self._script("remove_phrasing", REMOVE_PHRASING)(
                keys=[k.phrasings, k.phrasing_uniq, k.revisions],
                args=[str(phrasing_id), phrasing_key(phrasing.intent, phrasing.lang, phrasing.text)])
        if not removed:
            raise PhrasingNotFound(f"no phrasing {phrasing_id}")
        return phrasing

    # -- unanswered questions ----------------------------------------------------------------
    def record_unanswered(self, text: str, *, lang: str, decision: str, now: float, keep: int = 500) -> None:
        check_unanswered_fields(text, lang, decision, keep)
        key = unanswered_key(lang, text)
        k = self.keys
        with self._guard("record_unanswered"):
            groups = int(self._script("record_unanswered", RECORD_UNANSWERED)(
                keys=[k.unanswered(key), k.unanswered_seen], args=[key, text, lang, decision, repr(float(now))]))
            if groups <= keep:
                return
            oldest = cast(list[tuple[Any, float]],
                          self._r.zrange(k.unanswered_seen, 0, groups - keep - 1, withscores=True))
            if oldest:
                members = [_text(m) for m, _ in oldest]
                self._script("trim_unanswered", TRIM_UNANSWERED)(
                    keys=[k.unanswered_seen, *(k.unanswered(m) for m in members)],
                    args=[*members, *(repr(float(score)) for _, score in oldest)])

    def _groups(self, keys: list[str]) -> list[UnansweredGroup]:
        if not keys:
            return []
        with self._guard("read unanswered"):
            pipe = self._r.pipeline(transaction=False)
            for key in keys:
                pipe.hgetall(self.keys.unanswered(key))
            found = pipe.execute()
        groups = []
        for key, raw in zip(keys, found):
            fields = {_text(f): _text(v) for f, v in raw.items()}
            if "text" not in fields:
                continue  # trimmed between the two reads
            decisions = {d: int(fields[d]) for d in UNANSWERED_DECISIONS if d in fields}
            groups.append(UnansweredGroup(key=key, text=fields["text"], lang=fields["lang"],
                                          count=int(fields.get("count", 0)), first_seen=float(fields["first_seen"]),
                                          last_seen=float(fields.get("last_seen", fields["first_seen"])),
                                          decisions=decisions))
        return groups

    def list_unanswered(self, *, limit: int = 100, offset: int = 0) -> list[UnansweredGroup]:
        if limit <= 0:
            return []
        offset = max(0, offset)
        with self._guard("list_unanswered"):
            # Ties on last_seen are broken by key, as in SQLite; ZREVRANGE would order them by reversed key.
            ranked = cast(list[tuple[Any, float]], self._r.zrevrange(self.keys.unanswered_seen, 0, -1, withscores=True))
        ordered = sorted(((-float(score), _text(m)) for m, score in ranked))
        return self._groups([m for _, m in ordered[offset:offset + limit]])

    def get_unanswered(self, key: str) -> UnansweredGroup | None:
        found = self._groups([key])
        return found[0] if found else None

    def dismiss_unanswered(self, key: str) -> None:
        with self._guard("dismiss_unanswered"):
            pipe = self._r.pipeline(transaction=True)
            pipe.zrem(self.keys.unanswered_seen, key)
            pipe.delete(self.keys.unanswered(key))
            pipe.execute()
