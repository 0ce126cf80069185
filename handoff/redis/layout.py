"""Where the Redis store keeps things: the key names and the two Lua scripts that change tickets.

Ticket data (documents, counters, idempotency keys, index sets) lives under keys that share the hash tag
`{<prefix>}`, so each script touches one cluster slot and declares every key it touches in KEYS. Sessions and
once-markers have no tag and spread over the cluster. Layout, with the default prefix `privacy-bot`:

    privacy-bot:session:<session id>        string, JSON state, native TTL
    {privacy-bot:session:<session id>}:log  sorted set "<n>\t<line JSON>" scored n: the session's transcript lines
                                            (`handoff.session_log`), same TTL; the tag is the whole session key, so
                                            both share a cluster slot and one script writes them
    privacy-bot:once:<key>                  string "1", native TTL (mark_once)
    privacy-bot:users                       hash username -> account JSON
    privacy-bot:health                      string, last health probe (TTL 60 s)
    {privacy-bot}:tickets                   hash reference -> ticket JSON (without the reference itself)
    {privacy-bot}:seq                       hash year -> last number allocated that year
    {privacy-bot}:idem                      hash idempotency key -> reference
    {privacy-bot}:idx:status:<status>       set of references (likewise type:<id>, assignee:<name>)
    {privacy-bot}:idx:req:<requester key>   set of references filed by that requester
    {privacy-bot}:idx:outbox:<requester>    set of that requester's references with undelivered replies
    {privacy-bot}:ob                        hash outbox key -> message JSON (`handoff.outbox`)
    {privacy-bot}:ob:keys                   sorted set of every outbox key, all scored 0 (keys start with the ticket's
                                            reference, so ZRANGEBYLEX finds a ticket's messages)
    {privacy-bot}:ob:due:<channel>          sorted set outbox key -> next attempt (pending messages only)
    {privacy-bot}:ob:st:<status>            set of the outbox keys in that status (pending, sent, failed), kept by
                                            the scripts that write a message, so counting is three SCARDs
    {privacy-bot}:ob:counted                string "1" once the status sets hold every message (older data is
                                            backfilled on the first count)
    {privacy-bot}:idx:t:<tally>             set of the references in that ticket tally (`handoff.analytics`)
    {privacy-bot}:idx:c:<closed tally>      set of the closed references in that closed tally
    {privacy-bot}:tally:names               set of every ticket tally ever used (added before a write uses it)
    {privacy-bot}:tally:closed              set of every closed tally ever used (likewise)
    {privacy-bot}:dec:<week>                hash "kind|article|lang|frontend" -> count, one per Japan-time week
    {privacy-bot}:rate:<key>                hash t (tokens) / ts (last update), PEXPIRE when full again
                                            (take_tokens: one script over several buckets, so they share the tag)

Admin-edited content (`handoff.redis.content`; the same hash tag, so each of its scripts touches one slot):

    {privacy-bot}:content:rev               hash "templates"/"phrasings" -> revision counter (workers poll it)
    {privacy-bot}:tpl:v:<lang>:<name>       list of version JSON documents, oldest first (number = position + 1)
    {privacy-bot}:tpl:edited                set of "<lang>:<name>" ever edited
    {privacy-bot}:phr                       hash phrasing id -> JSON document
    {privacy-bot}:phr:seq                   string, last phrasing id allocated
    {privacy-bot}:phr:uniq                  hash phrasing_key -> id (no duplicate phrasings)
    {privacy-bot}:unans:g:<key>             hash of one group of unanswered messages (text, lang, counts, times)
    {privacy-bot}:unans:seen                sorted set group key -> last seen (newest first; trimmed to the limit)
"""
from __future__ import annotations

import re

from handoff.analytics import TicketTally, closed_key
from handoff.outbox import OUTBOX_STATUSES
from handoff.tickets import Ticket

_PREFIX = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Allocation, the ticket, its idempotency mapping and its index entries in one script: Redis runs it
# atomically and writes it to the AOF as one unit, so a crash never leaves a reference without its ticket,
# and a retry with the same key finds the mapping. All reads come before the first write because Redis does
# not roll a script back if it fails part-way. The counter skips numbers already taken, in case the counter
# was ever restored from an older backup than the tickets.
# Outbox messages written by the scripts below, in the same atomic step as the change that causes them. ARGV from
# `first`: the count, then key, document, due time, channel and status per message. A key already present is left
# alone (idempotent). With `ref`, the placeholder reference in keys and documents becomes the allocated one. `ob` is
# the index of the first outbox key in KEYS: the hash, ob:keys, the due sets, the status sets (`RedisKeys.outbox_all`).
_ENQUEUE = """
local function enqueue(first, ref, ob)
  local dues = {slack = KEYS[ob + 2], email = KEYS[ob + 3], log = KEYS[ob + 4]}
  local states = {pending = KEYS[ob + 5], sent = KEYS[ob + 6], failed = KEYS[ob + 7]}
  local n = tonumber(ARGV[first])
  for i = 0, n - 1 do
    local base = first + 1 + 5 * i
    local key, doc = ARGV[base], ARGV[base + 1]
    if ref then
      key = (string.gsub(key, 'PRQ%-0000%-000000', ref))
      doc = (string.gsub(doc, 'PRQ%-0000%-000000', ref))
    end
    if redis.call('HSETNX', KEYS[ob], key, doc) == 1 then
      redis.call('ZADD', dues[ARGV[base + 3]], ARGV[base + 2], key)
      redis.call('ZADD', KEYS[ob + 1], 0, key)
      redis.call('SADD', states[ARGV[base + 4]], key)
    end
  end
end
"""
#: The outbox keys every script that enqueues declares, in this order, right after its own leading keys.
OUTBOX_CHANNELS = ("slack", "email", "log")
#: The outbox statuses with a set each, in this order after the due sets (the scripts name them in this order).
OUTBOX_STATES = OUTBOX_STATUSES
assert OUTBOX_STATES == ("pending", "sent", "failed")

# Allocation, the ticket, its idempotency mapping, its index entries and its outbox messages in one script: Redis
# runs it atomically and writes it to the AOF as one unit, so a crash never leaves a reference without its ticket
# (or a ticket without the staff alert it causes), and a retry with the same key finds the mapping. All reads come
# before the first write because Redis does not roll a script back if it fails part-way. The counter skips numbers
# already taken, in case the counter was ever restored from an older backup than the tickets.
# KEYS: idem, seq, tickets, the outbox keys (8), index sets. ARGV: idempotency key, year, document, then the outbox
# messages.
CREATE_TICKET = _ENQUEUE + """
local ref = redis.call('HGET', KEYS[1], ARGV[1])
if ref then return {0, ref} end
repeat
  local n = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  ref = string.format('PRQ-%04d-%06d', tonumber(ARGV[2]), n)
until redis.call('HEXISTS', KEYS[3], ref) == 0
redis.call('HSET', KEYS[3], ref, ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ref)
for i = 12, #KEYS do redis.call('SADD', KEYS[i], ref) end
enqueue(4, ref, 4)
return {1, ref}
"""

# Compare-and-set of one ticket document plus its index moves. The caller passes the exact document it read;
# if anyone wrote in between, nothing happens and the caller re-reads and re-applies its change.
# KEYS: tickets, the outbox keys (8), index sets to leave, index sets to join. ARGV: reference, the document read, the
# new document, how many sets to leave, then the outbox messages the change causes.
UPDATE_TICKET = _ENQUEUE + """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local leave = tonumber(ARGV[4])
for i = 10, leave + 9 do redis.call('SREM', KEYS[i], ARGV[1]) end
for i = leave + 10, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
enqueue(5, false, 2)
return 1
"""

# Messages no ticket write causes. KEYS: the outbox keys (8). ARGV: the outbox messages.
ENQUEUE = _ENQUEUE + """
enqueue(1, false, 1)
return 1
"""

# The dispatcher's lease: due messages of the given channels, earliest first, each pushed to the lease's end.
# KEYS: ob, then the due sets of the channels asked for. ARGV: now, limit, lease end.
CLAIM_OUTBOX = """
local found = {}
for i = 2, #KEYS do
  local due = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
  for j = 1, #due, 2 do found[#found + 1] = {tonumber(due[j + 1]), due[j], KEYS[i]} end
end
table.sort(found, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
local out = {}
for i = 1, math.min(#found, tonumber(ARGV[2])) do
  redis.call('ZADD', found[i][3], ARGV[3], found[i][2])
  out[#out + 1] = redis.call('HGET', KEYS[1], found[i][2])
end
return out
"""

# Compare-and-set of one outbox message after an attempt, moving it between the status sets in the same step.
# KEYS: ob, its channel's due set, the status set it leaves, the one it joins (the same when the status stays).
# ARGV: key, the document read, the new document, "1" if still pending, its next attempt.
RECORD_DELIVERY = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
"""

# A manual retry's lease (`OutboxStore.lease_outbox`): compare-and-set of the document, refused while a lease runs.
# A claim moves only the message's score in its due set (the document keeps the attempt's schedule), so a lease runs
# exactly while that score is past both the document's time and now; then the score is returned (the lease's end).
# Otherwise the message is pending again, its score the new lease's end. KEYS: ob, its channel's due set, the status
# set it leaves, the pending set. ARGV: key, the document read, the new document, the read document's next attempt,
# now, the lease's end.
LEASE_OUTBOX = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score and tonumber(score) > tonumber(ARGV[4]) and tonumber(score) > tonumber(ARGV[5]) then return score end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
"""

# An attempt started (`OutboxStore.start_attempt`): compare-and-set of the document alone; the due set keeps the
# lease's score. KEYS: ob. ARGV: key, the document read, the new document.
START_ATTEMPT = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

# The outbox's size per status: one round trip however many messages there are. Returns false until the status
# sets are known to hold every message (data written before they existed); then the caller backfills them.
# KEYS: ob:counted, the status sets (3).
OUTBOX_COUNTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return {redis.call('SCARD', KEYS[2]), redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[4])}
"""

# Backfill of one message into its status set, for data written before the sets existed. Only when the document
# is still the one read: a script that changed it since has put it in the right set already. Safe to repeat and to
# run beside the writers. KEYS: ob, the status sets (3). ARGV: key, the document read, its status.
BACKFILL_OUTBOX_STATE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local states = {pending = KEYS[2], sent = KEYS[3], failed = KEYS[4]}
for _, set in pairs(states) do redis.call('SREM', set, ARGV[1]) end
redis.call('SADD', states[ARGV[3]], ARGV[1])
return 1
"""


# Token buckets (`RateLimitStore.take_tokens`) read, refilled, taken from and written back in one script, so
# concurrent workers never both spend the same token, and a request checked against several buckets costs one round
# trip. Buckets are taken in order; the first refusal stops the script (later buckets are untouched). A key expires
# when its bucket would be full again: an idle bucket is the same as none. Numbers travel as strings (a Lua number
# returned to Redis is cut to an integer). ARGV: now, longest life, then rate, burst, cost per key.
# Buckets are not durable (issue 18.4; README "What must be durable"): the script's writes are kept out of the
# append-only file and the replicas (`set_repl(REPL_NONE)`), so a chat message's read (this script, the session GET
# and the staff-reply script in one pipeline) no longer waits for `appendfsync always` to sync the AOF: 192 -> 102 us
# of a chat thread's CPU and 3.9 -> 0.46 ms per call on this machine's disk. A restart or a fail-over starts the
# buckets full again (a few extra messages at worst), as losing SQLite's unsynced buckets on a power cut does.
TAKE_TOKENS = """
redis.replicate_commands()
redis.set_repl(redis.REPL_NONE)
local now, life = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS do
  local base = 3 * i
  local rate, burst, cost = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tokens, updated = burst, now
  if state[1] and state[2] then
    tokens, updated = tonumber(state[1]), tonumber(state[2])
    if now > updated then
      tokens = math.min(burst, tokens + (now - updated) * rate)
      updated = now
    end
  end
  local allowed, retry = 0, 0
  if tokens >= cost then
    tokens = tokens - cost
    allowed = 1
  else
    retry = (cost - tokens) / rate
  end
  local ttl = math.ceil(math.min((burst - tokens) / rate, life) * 1000)
  if ttl < 1 then ttl = 1 end
  redis.call('HSET', KEYS[i], 't', string.format('%.17g', tokens), 'ts', string.format('%.17g', updated))
  redis.call('PEXPIRE', KEYS[i], string.format('%d', ttl))
  out[#out + 1] = allowed
  out[#out + 1] = string.format('%.17g', retry)
  out[#out + 1] = string.format('%.17g', tokens)
  if allowed == 0 then break end
end
return out
"""

# A session's state and its transcript lines in one step (`save_session` with a `LogWrite`). KEYS: session, log.
# ARGV: ttl, state, first line number, count n, n lines, then (min, max) score ranges to delete. Lines from the first
# new number up are replaced (a number left by an earlier session of the same id never survives).
SAVE_SESSION_LOG = """
local ttl, first, n = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
for i = 5 + n, #ARGV, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[i], ARGV[i + 1]) end
if n > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], first, '+inf')
  local args = {}
  for i = 1, n do
    args[#args + 1] = first + i - 1
    args[#args + 1] = (first + i - 1) .. '\t' .. ARGV[4 + i]
  end
  redis.call('ZADD', KEYS[2], unpack(args))
end
redis.call('EXPIRE', KEYS[2], ttl)
return 1
"""

# The staff replies waiting for one requester (`pending_replies`) in one step: the references in their outbox set and
# those tickets' documents. Read-only. KEYS: outbox set, tickets hash. Returns reference, document, reference, ….
PENDING_REPLIES = """
local refs = redis.call('SMEMBERS', KEYS[1])
local out = {}
if #refs == 0 then return out end
local docs = redis.call('HMGET', KEYS[2], unpack(refs))
for i = 1, #refs do
  if docs[i] then
    out[#out + 1] = refs[i]
    out[#out + 1] = docs[i]
  end
end
return out
"""

#: A bucket that refills so slowly is forgotten after a year anyway (the SQLite store keeps the same cap).
MAX_BUCKET_LIFE = 366 * 86400


class KeyFamily:
    """Keys of one kind that differ only by their last part: `family(part)` is the stem followed by the part."""

    __slots__ = ("stem",)

    def __init__(self, stem: str) -> None:
        self.stem = stem

    def __call__(self, part: str | int) -> str:
        return f"{self.stem}{part}"

    def __repr__(self) -> str:
        return f"KeyFamily({self.stem!r})"


class RedisKeys:
    """Key names for one prefix (see the layout above). Raises ValueError for a prefix that could break the hash
    tag. Single keys are strings; a kind of key with one per session, status, channel… is a `KeyFamily`, called
    with that part (`keys.status("new")`)."""

    def __init__(self, prefix: str) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"Redis key prefix must be 1-64 letters, digits or ._:- , got {prefix!r}")
        self.prefix = prefix
        tag = "{" + prefix + "}"
        index = f"{tag}:idx:"
        self._tag = tag
        self.tickets = f"{tag}:tickets"
        self.seq = f"{tag}:seq"
        self.idem = f"{tag}:idem"
        self.users = f"{prefix}:users"
        self.health = f"{prefix}:health"
        self.revisions = f"{tag}:content:rev"
        self.templates_edited = f"{tag}:tpl:edited"
        self.phrasings = f"{tag}:phr"
        self.phrasing_seq = f"{tag}:phr:seq"
        self.phrasing_uniq = f"{tag}:phr:uniq"
        self.unanswered_seen = f"{tag}:unans:seen"
        self.outbox_hash = f"{tag}:ob"
        self.outbox_keys = f"{tag}:ob:keys"
        self.outbox_counted = f"{tag}:ob:counted"
        self.tallies = f"{tag}:tally:names"
        self.closed_tallies = f"{tag}:tally:closed"
        self.tallies_built = f"{tag}:tally:built"
        # Untagged: sessions and once-markers spread over a cluster.
        self.session = KeyFamily(f"{prefix}:session:")
        self.once = KeyFamily(f"{prefix}:once:")
        self.rate = KeyFamily(f"{tag}:rate:")
        self.outbox_due = KeyFamily(f"{tag}:ob:due:")  # per channel
        self.outbox_state = KeyFamily(f"{tag}:ob:st:")  # per outbox status
        self.unanswered = KeyFamily(f"{tag}:unans:g:")
        self.decisions = KeyFamily(f"{tag}:dec:")  # per week
        # Ticket index sets.
        self.status = KeyFamily(f"{index}status:")
        self.request_type = KeyFamily(f"{index}type:")
        self.assignee = KeyFamily(f"{index}assignee:")
        self.requester = KeyFamily(f"{index}req:")
        self.outbox = KeyFamily(f"{index}outbox:")  # per requester: their tickets with undelivered replies
        self.tally = KeyFamily(f"{index}t:")
        self.closed_tally = KeyFamily(f"{index}c:")

    def session_log(self, session_id: str) -> str:
        """The transcript lines of a session: tagged with the whole session key (which has no tag of its own), so
        they live on the session's cluster slot. A session key with a brace of its own keeps its own tag."""
        key = self.session(session_id)
        return key + ":log" if "{" in key else "{" + key + "}:log"

    @property
    def outbox_states(self) -> list[str]:
        return [self.outbox_state(s) for s in OUTBOX_STATES]

    @property
    def outbox_all(self) -> list[str]:
        """The outbox keys the enqueueing scripts declare: the hash, the key index, every channel's due set and every
        status set."""
        return [self.outbox_hash, self.outbox_keys, *(self.outbox_due(c) for c in OUTBOX_CHANNELS), *self.outbox_states]

    def template_versions(self, name: str, lang: str) -> str:
        return f"{self._tag}:tpl:v:{lang}:{name}"

    def ticket_indexes(self, ticket: Ticket) -> frozenset[str]:
        """Every index set the ticket belongs in; an update leaves the old ones it no longer fits."""
        keys = {self.status(ticket.status), self.request_type(ticket.request_type),
                self.requester(ticket.requester.key), self.tally(TicketTally.of(ticket).key)}
        closed = closed_key(ticket)
        if closed is not None:
            keys.add(self.closed_tally(closed))
        if ticket.assignee:
            keys.add(self.assignee(ticket.assignee))
        if ticket.pending_replies:
            keys.add(self.outbox(ticket.requester.key))
        return frozenset(keys)
