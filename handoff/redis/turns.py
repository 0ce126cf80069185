"""A chat message's two Redis round trips on the web server's event loop (issue 18: `PRIVACY_BOT_CHAT_INLINE`).

With Redis, a chat message needs the server twice: before it is answered (`begin_turn`: rate buckets, session, staff
replies waiting, one pipeline) and after (the session write, one script). On a chat thread each round trip is a
sleep and a wake-up of that thread, and every wake-up trades the interpreter lock with the event loop; blocking
round trips on the event loop itself would hold every other request (the session write waits for Redis's AOF
fsync; a Redis server that hangs, for the socket timeout). So the front end makes exactly these two round trips
with `redis.asyncio` on the event loop, and answers the message in between on the loop too, inside
`handoff.waiting.without_waiting(deferring=True)`: the store hands the session write back instead of sending it,
and refuses any other call (a ticket, a record of an unanswered question), after which the message is answered
again on a chat thread with the same `TurnStart` (its buckets were taken once, by the first round trip).

The commands are the store's own (`RedisStore.turn_calls`, `turn_start`, `session_write`), sent the same way: the
scripts as EVALSHA, loaded and sent again after a NOSCRIPT. Errors are StoreUnavailable, as from the store.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Sequence

import redis.asyncio as aredis
from redis.exceptions import NoScriptError, RedisError

from handoff.store import Bucket, StoreUnavailable, TurnStart
from handoff.tickets import Requester


class AsyncTurns:
    """`await begin_turn(...)` and `await write(deferred)` for one `RedisStore` (typed `Any` here: the store module
    must not import this one back), with `handoff.redis.store.SessionWrite`s, on whichever event loop calls them (a
    client per loop: redis.asyncio connections belong to the loop that opened them)."""

    def __init__(self, store: Any, url: str, *, socket_timeout: float, connect_timeout: float,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.url = url
        self.socket_timeout = socket_timeout
        self.connect_timeout = connect_timeout
        self.on_error = on_error
        self._clients: dict[asyncio.AbstractEventLoop, aredis.Redis] = {}

    def _client(self) -> aredis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # No command retries, as the store's own client: a script retried after a lost reply could apply twice.
            client = aredis.Redis.from_url(self.url, decode_responses=True, socket_timeout=self.socket_timeout,
                                           socket_connect_timeout=self.connect_timeout, retry_on_timeout=False)
            for other in [lp for lp in self._clients if lp.is_closed()]:
                del self._clients[other]  # a test's finished loop; its connections died with it
            self._clients[loop] = client
        return client

    async def begin_turn(self, session_id: str, requester: Requester, buckets: Sequence[Bucket], *,
                         now: float) -> TurnStart:
        """`RedisStore.begin_turn`, one pipeline on the event loop. Raises StoreUnavailable."""
        calls = self.store.turn_calls(session_id, requester, buckets, now=now)
        try:
            results = await self._pipeline(calls)
        except RedisError as exc:
            self._failed("begin_turn")
            raise StoreUnavailable(f"Redis begin_turn failed: {type(exc).__name__}: {exc}") from exc
        return self.store.turn_start(results, requester, bool(buckets))

    async def write(self, deferred: Sequence[Any]) -> None:
        """Send the writes a message handed back (`RedisStore.save_session` under a deferring attempt), in order,
        in one pipeline. Raises StoreUnavailable: then none or some were applied, as when a write's reply is lost."""
        if not deferred:
            return
        calls: list[tuple[Any, list[Any]]] = []
        for w in deferred:
            if w.script is None:
                calls.append((None, ["SET", w.keys[0], w.args[0], "EX", w.args[1]]))
            else:
                calls.append((w.script, [len(w.keys), *w.keys, *w.args]))
        try:
            await self._pipeline(calls, reads=False)
        except RedisError as exc:
            self._failed("save_session")
            raise StoreUnavailable(f"Redis save_session failed: {type(exc).__name__}: {exc}") from exc

    async def _pipeline(self, calls: Sequence[tuple[Any, list[Any]]], *, reads: bool = True) -> list[Any]:
        """As `RedisStore._pipeline`: (script, [number of keys, keys…, args…]) as EVALSHA, and (None, [key]) as a GET
        (`reads`) or (None, [command…]) as that command; NOSCRIPT: load that script and send only it again."""
        client = self._client()

        async def send(batch: Sequence[tuple[Any, list[Any]]]) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            for script, arguments in batch:
                if script is not None:
                    pipe.evalsha(script.sha, arguments[0], *arguments[1:])
                elif reads:
                    pipe.get(arguments[0])
                else:
                    pipe.execute_command(*arguments)
            return list(await pipe.execute(raise_on_error=False))

        results = await send(calls)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:
            for i in missing:
                calls[i][0].sha = await client.script_load(calls[i][0].script)
            for i, r in zip(missing, await send([calls[i] for i in missing])):
                results[i] = r
        for r in results:
            if isinstance(r, Exception):
                raise r
        return results

    def _failed(self, operation: str) -> None:
        if self.on_error is not None:
            self.on_error(operation)

    async def aclose(self) -> None:
        """Close the calling loop's client (at the web app's shutdown)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
