"""Ticket tallies and decision counts in the Redis store (contracts: `AnalyticsStore` in `handoff.analytics`).

A ticket's tally is one more index set (`{prefix}:idx:tally:<tally>`, see `RedisKeys.ticket_indexes`), so the ticket
scripts move a ticket between tallies in the same atomic step as every other change. The count of a tally is the
set's size. The registry `{prefix}:tallies` names every tally set; a tally is added to it before the write that
first uses it, so no populated tally is ever missing from it (an empty one left behind counts zero).

Tickets written before tallies existed are added once, on the first read (`_build_tallies`): each only if its
document is still the one read, so a ticket changed meanwhile (and tallied by that change) is not counted twice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, cast

from handoff.analytics import DecisionTally, TicketTally, check_decision_counts
from handoff.tickets import Ticket

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import redis

    from handoff.redis.layout import RedisKeys

# KEYS: tickets hash, registry, tally set. ARGV: reference, the document read, the tally.
_BACKFILL = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
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
        """Name the ticket's tally in the registry; call before the write that puts the ticket in it."""
        with self._guard("register tally"):
            self._r.sadd(self.keys.tallies, TicketTally.of(ticket).key)

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
                tally = TicketTally.of(self._decode(reference, doc)).key
                script(keys=[self.keys.tickets, self.keys.tallies, self.keys.tally(tally)],
                       args=[reference, doc, tally], client=pipe)
            pipe.execute()
            if cursor == 0:
                break
        self._r.set(self.keys.tallies_built, "1")

    def ticket_tallies(self) -> dict[TicketTally, int]:
        with self._guard("ticket_tallies"):
            self._build_tallies()
            names = sorted(_text(m) for m in self._r.smembers(self.keys.tallies))
            pipe = self._r.pipeline(transaction=False)
            for name in names:
                pipe.scard(self.keys.tally(name))
            sizes = pipe.execute()
        return {TicketTally.parse(name): int(n) for name, n in zip(names, sizes) if int(n)}

    def add_decisions(self, counts: Mapping[DecisionTally, int]) -> None:
        check_decision_counts(counts)
        if not counts:
            return
        with self._guard("add_decisions"):
            pipe = self._r.pipeline(transaction=True)  # MULTI/EXEC: all the counts or none
            for tally, n in counts.items():
                pipe.hincrby(self.keys.decisions(tally.day), tally.field, n)
            pipe.execute()

    def decision_counts(self, *, first_day: int, last_day: int) -> dict[DecisionTally, int]:
        days = list(range(first_day, last_day + 1))
        with self._guard("decision_counts"):
            pipe = self._r.pipeline(transaction=False)
            for day in days:
                pipe.hgetall(self.keys.decisions(day))
            found = pipe.execute()
        return {DecisionTally.from_field(day, _text(field)): int(n)
                for day, fields in zip(days, found) for field, n in fields.items()}
