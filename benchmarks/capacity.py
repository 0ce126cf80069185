"""Issue 18, point 6: capacity on paper, and two workers sharing one Redis.

From the HTTP benchmark's numbers of the same run (server CPU per chat message at 32 clients, one worker; the
redis-server's CPU per message in the same window), what one core answers per second and what a deployment needs
for 1,000 chat messages a second: workers (one process is one core at most: the core runs under the interpreter
lock) and Redis shards (redis-server runs commands on one thread). Planned at `UTILISATION` of a core, since a
worker run near 100% queues requests and misses the p99 long before it runs out of CPU.

Then a shared-state run: `benchmarks.fault_load` without faults, users chatting and filing requests through the
whole intake form with every message going to the other of two workers in turn, so every session continues on the
other process; lost sessions would show as forms out of step or abandoned, and the tickets are reconciled with
what users were acknowledged (lost, duplicated).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from benchmarks import Section, markdown_table

TARGET_RATE = 1000.0
#: Share of a core a worker or redis-server is planned to use (headroom for bursts and the p99).
UTILISATION = 0.6


def plan(cpu_ms: float, store_cpu_ms: float | None) -> dict[str, Any]:
    per_core = 1000.0 / cpu_ms if cpu_ms else 0.0
    out: dict[str, Any] = {"cpu_ms": cpu_ms, "per_core": per_core,
                           "workers": math.ceil(TARGET_RATE / (per_core * UTILISATION)) if per_core else 0}
    if store_cpu_ms:
        per_shard = 1000.0 / store_cpu_ms
        out.update(store_cpu_ms=store_cpu_ms, per_shard=per_shard,
                   shards=math.ceil(TARGET_RATE / (per_shard * UTILISATION)))
    return out


def run(quick: bool = False, earlier: Sequence[Section] = ()) -> Section:
    section = Section("capacity", "Capacity and shared state")
    http = next((s for s in earlier if s.name == "http" and s.data.get("results")), None)
    if http is None:
        from benchmarks import http_throughput

        http = http_throughput.run(quick)
    results = http.data["results"]
    plans = {name: plan(results[name]["cpu_ms_per_request"], results[name].get("store_cpu_ms_per_request"))
             for name in ("sqlite", "redis") if name in results}
    rows = []
    for name, p in plans.items():
        rows.append([name, f"{p['cpu_ms']:.3f}", f"{p['per_core']:.0f}", f"{p['per_core'] * UTILISATION:.0f}",
                     str(p["workers"]),
                     f"{p['store_cpu_ms']:.3f}" if "store_cpu_ms" in p else "-",
                     f"{p['per_shard']:.0f}" if "per_shard" in p else "-",
                     str(p["shards"]) if "shards" in p
                     else "not measured" if name == "redis" else "- (one file, one host)"])
        section.add(f"workers for {TARGET_RATE:.0f} chat messages/s ({name})",
                    f"{p['workers']} ({p['per_core']:.0f} messages/s per core at {p['cpu_ms']:.3f} ms CPU each, "
                    f"planned at {UTILISATION:.0%})")
        if "shards" in p:
            section.add(f"Redis shards for {TARGET_RATE:.0f} chat messages/s",
                        f"{p['shards']} ({p['per_shard']:.0f} messages/s per redis-server at "
                        f"{p['store_cpu_ms']:.3f} ms CPU each)")
        elif name == "redis":
            # A plan without its shard count is a failed measurement, not a plan that needs none.
            section.add(f"Redis shards for {TARGET_RATE:.0f} chat messages/s",
                        "not measured: no redis-server CPU time over the load window", "a count", False)

    from benchmarks.fault_load import run_fault_load
    from benchmarks.fault_load import _Quiet

    users, duration = (2, 4.0) if quick else (16, 20.0)
    outcome = run_fault_load(users, duration, log=_Quiet(), with_faults=False)
    result, counts = outcome["result"], outcome["counts"]
    lost_sessions = sum(v for k, v in counts.items() if k.startswith(("forms out of step", "forms abandoned")))
    errors = sum(v for k, v in counts.items() if k.startswith(("HTTP", "connection")))
    ok = result["lost"] == 0 and result["duplicated"] == 0 and lost_sessions == 0 and errors == 0
    section.add(f"two workers on one Redis ({users} users, {duration:.0f} s): lost tickets / duplicated / forms out "
                "of step or abandoned / errors",
                f"{result['lost']} / {result['duplicated']} / {lost_sessions} / {errors} (tickets acknowledged "
                f"{result['acknowledged']}, stored {result['stored']}; answers {counts.get('answers', 0)})",
                "0 / 0 / 0 / 0", ok)
    section.body = (
        f"From this run's HTTP benchmark (32 clients, one worker): server CPU per chat message, and for Redis the "
        f"redis-server's CPU per message over the same window. Messages/s per core = 1000 / CPU ms; workers and "
        f"shards for {TARGET_RATE:.0f} messages/s planned at {UTILISATION:.0%} of a core each (a worker near 100% "
        f"queues requests and misses the p99 first). One worker uses at most one core (the core runs under the "
        f"interpreter lock), so workers = cores for the web tier.\n\n"
        + markdown_table(["store", "server CPU ms / message", "messages/s per core", "planned per worker",
                          f"workers for {TARGET_RATE:.0f}/s", "redis-server CPU ms / message",
                          "messages/s per redis-server", f"Redis shards for {TARGET_RATE:.0f}/s"], rows)
        + "\n\nCaveats, from the key layout (`handoff/redis/layout.py`): rate buckets, tickets, the outbox and "
        "the staff-reply index share the hash tag `{prefix}` (one slot, so each script touches one shard), and "
        "sessions are untagged. In a Redis Cluster only the session reads and writes spread over the shards; "
        "every message's bucket script and staff-reply script go to the shard holding the tag. So the shard "
        "count above is what the CPU asks for if the work spread evenly; with this layout the tagged shard "
        "carries the two scripts of each message's four commands (buckets, staff replies; the session's GET "
        "and SET spread), which bounds one deployment at somewhat less than twice one redis-server's rate. With `appendfsync always` each write also waits "
        "for an fsync; redis-server groups the writes of one event-loop pass into one fsync, so the disk's "
        "fsync latency, not its CPU, is the other bound (not measured here: this machine's disk is shared).\n\n"
        f"Shared state, two workers: `benchmarks.fault_load` without faults, {users} users, {duration:.0f} s, "
        "every message of a conversation sent to the other worker than the one before, through the whole intake "
        "form to the confirmation. Counters: " + "; ".join(f"{k} {v}" for k, v in counts.items())
        + f"\n\nReconciliation: acknowledged {result['acknowledged']}, stored {result['stored']}, lost "
        f"{result['lost']}, duplicated {result['duplicated']}, unacknowledged {result['unacknowledged']}."
        + (f" Staff alerts and receipts (outbox): {outcome['messages']}." if outcome.get("messages") else "")
    )
    section.data = {"plans": plans, "shared": outcome}
    return section
