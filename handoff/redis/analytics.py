"""Ticket tallies and decision counts in the Redis store (contracts: `AnalyticsStore` in `handoff.analytics`).

A ticket's tallies are two more index sets (`{prefix}:idx:t:<tally>`, and `{prefix}:idx:c:<closed tally>` once closed;
see `RedisKeys.ticket_indexes`), so the ticket scripts move a ticket between tallies in the same atomic step as every
other change. The count of a tally is the set's size. The registries `{prefix}:tally:names` and `{prefix}:tally:closed`
name every tally set; a tally is added before the write that first uses it, so no populated tally is ever missing
from them (an empty one left behind counts zero).

Tickets written before tallies existed are added once, on the first read (`_build_tallies`): each only if its
document is still the one read, so a ticket changed meanwhile (and tallied by that change) is not counted twice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, cast

from handoff.analytics import (
    ClosedTally, DecisionTally, TicketTally, check_decision_counts, closed_key, week_start,
)
from handoff.tickets import Ticket

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import redis

    from handoff.redis.layout import RedisKeys

# KEYS: tickets hash, then pairs of (registry, tally set). ARGV: reference, the document read, then each tally.
_BACKFILL = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
for i = 2, #KEYS, 2 do
  redis.call('SADD', KEYS[i], ARGV[3 + (i - 2) / 2])
  redis.call('SADD', KEYS[i + 1], ARGV[1])
end
return 1
"""


# KEYS: a registry. ARGV: the prefix of its sets' names. Returns name, size, name, size … for the non-empty sets: one
# round trip instead of thousands of SCARDs (the sets share the registry's hash tag, so they are on its cluster slot).
_SIZES = """
local out = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local n = redis.call('SCARD', ARGV[1] .. name)
  if n > 0 then
    out[#out + 1] = name
    out[#out + 1] = n
  end
end
return out
"""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisAnalytics:
    """The `AnalyticsStore` part of `RedisStore`."""

    if TYPE_CHECKING:
        keys: RedisKeys
        _r: redis.Redis

        def _guard(self, what: str) -> AbstractContextManager[None]: ...

        def _decode(self, reference: str, raw: str) -> Ticket: ...

    def _register_tally(self, ticket: Ticket) -> None:
        """Name the ticket's tallies in the registries; call before the write that puts the ticket in them."""
        closed = closed_key(ticket)
        with self._guard("register tally"):
            if closed is None:
                self._r.sadd(self.keys.tallies, TicketTally.of(ticket).key)
            else:
                pipe = self._r.pipeline(transaction=False)
                pipe.sadd(self.keys.tallies, TicketTally.of(ticket).key)
                pipe.sadd(self.keys.closed_tallies, closed)
                pipe.execute()

    def _build_tallies(self) -> None:
        if self._r.exists(self.keys.tallies_built):
            return
        script: Callable[..., Any] = self._r.register_script(_BACKFILL)
        cursor = 0
        while True:
            cursor, page = self._r.hscan(self.keys.tickets, cursor, count=1000)
            pipe = self._r.pipeline(transaction=False)
            for ref, raw in cast("dict[bytes | str, bytes | str]", page).items():
                reference, doc = _text(ref), _text(raw)
                ticket = self._decode(reference, doc)
                tally, closed = TicketTally.of(ticket).key, closed_key(ticket)
                keys = [self.keys.tickets, self.keys.tallies, self.keys.tally(tally)]
                args = [reference, doc, tally]
                if closed is not None:
                    keys += [self.keys.closed_tallies, self.keys.closed_tally(closed)]
                    args.append(closed)
                script(keys=keys, args=args, client=pipe)
            pipe.execute()
            if cursor == 0:
                break
        self._r.set(self.keys.tallies_built, "1")

    def _sizes(self, registry: str, set_name: Callable[[str], str]) -> list[tuple[str, int]]:
        scripts: dict[str, Any] = self.__dict__.setdefault("_analytics_scripts", {})
        if "sizes" not in scripts:
            scripts["sizes"] = self._r.register_script(_SIZES)
        with self._guard("read tallies"):
            self._build_tallies()
            flat = scripts["sizes"](keys=[registry], args=[set_name("")])
        return [(_text(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]

    def ticket_tallies(self) -> dict[TicketTally, int]:
        return {TicketTally.parse(name): n for name, n in self._sizes(self.keys.tallies, self.keys.tally)}

    def closed_tallies(self) -> dict[ClosedTally, int]:
        return {ClosedTally.parse(name): n for name, n in self._sizes(self.keys.closed_tallies, self.keys.closed_tally)}

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        check_decision_counts(counts)
        if not counts:
            return
        with self._guard("add_decisions"):
            pipe = self._r.pipeline(transaction=True)  # MULTI/EXEC: all the counts or none
            for tally, n in counts.items():
                pipe.hincrby(self.keys.decisions(tally.week), tally.field, n)
            pipe.execute()

    def decision_counts(self, *, first_week: int, last_week: int) -> dict[DecisionTally, int]:
        weeks = list(range(week_start(first_week), last_week + 1, 7))
        with self._guard("decision_counts"):
            pipe = self._r.pipeline(transaction=False)
            for week in weeks:
                pipe.hgetall(self.keys.decisions(week))
            found = pipe.execute()
        return {DecisionTally.from_field(week, _text(field)): int(n)
                for week, fields in zip(weeks, found) for field, n in fields.items()}
