"""`python -m benchmarks`: run every benchmark, print the summary table, write `benchmarks/RESULTS.md`.

    python -m benchmarks                 # everything (about 6 minutes), writes benchmarks/RESULTS.md
    python -m benchmarks --only matcher  # some of them (matcher, http, tickets, memory, slack, fault_load,
                                         # analytics);
                                         # prints, and writes only with --out
    python -m benchmarks --quick --out /tmp/smoke.md   # the few-second smoke run the test suite does
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

from benchmarks import Row, Section, machine, markdown_table

BENCHMARKS = {
    "matcher": "benchmarks.matcher_latency",
    "http": "benchmarks.http_throughput",
    "tickets": "benchmarks.tickets",
    "memory": "benchmarks.memory_startup",
    "slack": "benchmarks.slack_ack",
    "fault_load": "benchmarks.fault_load",
    "capacity": "benchmarks.capacity",
    "analytics": "benchmarks.analytics_page",
}
#: Benchmarks that read earlier sections of the same run (capacity plans from the HTTP benchmark's CPU numbers).
USES_EARLIER = {"capacity"}
RESULTS = Path(__file__).with_name("RESULTS.md")
JST = timezone(timedelta(hours=9))

#: What the profiles showed and what was changed because of them (kept with the results they explain).
PROFILES_AND_FIXES = """\
Profiles were taken with pyinstrument (matcher, in process over the dev set) and `py-spy record` on the running
`privacy-bot serve` worker under the HTTP benchmark's load (32 clients, SQLite and Redis). Every matcher change is
exact: `privacy-bot classify` over `tests/data/*.jsonl` gives byte-identical output before and after (decisions,
articles, intents and confidences).

| profile evidence | fix |
|---|---|
| pyinstrument, matcher over the dev set: `Cues.score` 26% of `Matcher.match`; most cue patterns start with `\\b(?:word\\|…)`, which `re` cannot scan by first character, so every pattern was tried at every position | `intents/cues.py`: each pattern gets a prefilter, a plain alternation of the literal strings every match of it must contain (derived from the parsed pattern); a pattern whose strings are absent is not run. Cue scoring about halved |
| pyinstrument: `_example_scores` 24%, of which `np.unique` (candidate set) and `np.maximum.at` (best example per intent) a third; the list comprehension picking candidate texts | `intents/matcher.py`: candidate set via a boolean mask, per-intent maxima via `np.maximum.reduceat` over runs of equal owners, texts picked from an object array; token-set comparisons on pre-sorted distinct tokens (same score, less work per comparison) |
| pyinstrument: `KeywordIndex.evidence` 15% (a `process.extractOne` typo look-up per unknown word, a scan of all 309 Japanese keywords per message) and `LexicalIndex.lookup` 5% | `intents/keywords.py`, `intents/lexical.py`: memoised typo look-ups and stems (bounded dicts); Japanese keywords indexed by first character; BM25 sums with one `np.bincount` (same summation order, bit-identical) |
| pyinstrument at 100x: `cdist` 93% of matching | `intents/matcher.py`: batches of ≥ 2,000 comparisons run transposed (texts as rows) with `workers=-1`, since cdist parallelises over rows; small batches stay single-threaded (threads cost more than they save there) |
| py-spy on the worker: `BaseHTTPMiddleware` (the `@app.middleware("http")` security-headers hook: extra task, memory streams, anyio task group) about 10% of a chat request | `bot/web/app.py`: the same headers from a plain ASGI middleware (`SecurityHeaders`) |
| py-spy: FastAPI re-validating the returned `ChatResponse` and encoding it with `json` (`serialize_response`, `JSONEncoder`) about 5–8% | `bot/web/app.py` chat endpoint: `Response(model.model_dump_json())`; the schema stays documented by `response_model` |
| py-spy `--idle` (SQLite): 22% of all thread samples waiting in `_Transaction.__enter__` (BEGIN IMMEDIATE) from `RateLimiter.take_token` and `save_session`: threads of one worker contending for SQLite's write lock, sleeping in its busy handler (1, 2, 5, 10 … ms between retries) | `handoff/sqlite/store.py`: a process-wide lock around write transactions (bounded by the busy timeout, so a file locked by another process still ends in "store unavailable"); threads queue instead of sleeping. SQLite chat: p99 839 → 164 ms, 375 → 511 rps |
| `/proc` CPU time of the worker: 1.9 ms of CPU per chat message although the core costs 0.65 ms in process; py-spy `--gil`: the interpreter lock held only about half the time while the process used more than a core, i.e. the rest went to 32 request threads handing the lock and the CPU around (Starlette runs sync endpoints on a pool of 40 threads) | `bot/web/app.py`: the chat endpoints are `async` and run the core on a pool of their own, `PRIVACY_BOT_CHAT_THREADS`. Measured pool sizes 1, 2, 4, 8, 40 with each store: with SQLite one thread was best (about 1,040 rps, p99 40 ms, 0.94 ms of CPU per message, against 1.2 ms with 2 threads and 1.6 ms with 4), with Redis 4 (its round trips overlap; 1 thread left the CPU a third idle). Default `auto` picks 1 or 4 by store |
| the same: running the core directly on the event loop (no thread at all) cost only 1.1 ms per message and met p99 with SQLite | not adopted: a store that waits (a SQLite file locked by another process waits up to the 5 s busy timeout, a hung Redis up to its socket timeout) would then stall every request of the worker, health checks included; with Redis it was slower anyway (round trips no longer overlap) |
| pyinstrument of `Conversation.handle` in process: rendering (Jinja2) 16% and converting the same markup to HTML, mrkdwn and text twice (in the renderer and again for the reply) another 14% | `responses/renderer.py`: finished renders are remembered per (template, language, override text, context key), so an admin's edit applies at once; `bot/engine/conversation.py` reuses their three formats. Core 0.65 → 0.52 ms per message; replies byte-identical over all labelled sets |
| py-spy `--gil`: `json.dumps` of the session state 7% of interpreter time (the state carried 40 transcript lines although a ticket attaches at most 30) | `bot/engine/conversation.py`: sessions keep the 30 lines a ticket can use (less personal data held, too) |
| Redis `INFO commandstats`: 5 round trips per message, 2 of them rate-limit scripts | `handoff/store.py` `take_tokens`: all of a request's buckets in one SQLite transaction or one Redis script (bucket keys now share the hash tag) |
| tried, not kept: two server processes (uvicorn workers) for both the bare and the chat server | on this 2-core machine, shared with the load generator: SQLite 928 rps but p99 160 ms (the two processes meet on SQLite's file lock, whose busy handler sleeps), Redis 809 rps, p99 78 ms; the bare endpoint gains as much |
| tried, not kept: the cue gates as an inverted index (words → patterns) instead of asking each gate | 93 vs 94 µs per message: the time is in the regular expressions that do run, not in the gates |
| py-spy `--gil` (Redis): redis-py's pure-Python RESP parsing ~6%; uvicorn's pure-Python h11 parser and asyncio loop in the event-loop thread | dependencies `uvicorn[standard]` (uvloop, httptools) and `redis[hiredis]`; they speed up the bare endpoint as much as the chat endpoint, so the ratio does not improve, the latency does |
| issue 18, Redis `INFO commandstats` / `total_reads_processed`: 4.1 round trips per chat message: the bucket script, `GET` session, `SMEMBERS` of the requester's staff-reply index (and `HMGET` when it is not empty), `SET` session | `handoff/store.py` `TurnStore.begin_turn`: buckets, session and staff replies waiting in one call; Redis sends the bucket script, the `GET` and a read-only staff-reply script (`SMEMBERS` + `HMGET` inside) as one pipeline of `EVALSHA`s (redis-py's own script pipeline asks `SCRIPT EXISTS` first, a trip more; `NOSCRIPT` reloads and re-sends only that script). 2.0 round trips per plain answer: one read, one write |
| issue 18, SQLite: before answering, a bucket transaction, then a session read and a staff-reply read, each its own statement outside it | the same `begin_turn`: the reads run inside the buckets' transaction (without buckets, reads only and no write lock) |
| issue 18, py-spy `--gil` (SQLite worker, 32 clients): `json.dumps` of the session state 5.2% and `json.loads` 1.4% of interpreter time (a session with 30 transcript lines is about 14 kB) | `handoff/state_json.py`: orjson for sessions in both stores (same compact UTF-8 JSON, about ten times faster; what orjson refuses goes through the standard library as before) |
| issue 18, tried, not kept: `loop.run_in_executor` on a plain thread pool instead of `anyio.to_thread.run_sync` with a capacity limiter for the chat thread | a micro-benchmark under uvloop: 38–42 µs of CPU per hand-off against 48–58 µs, about 1% of a chat message; not worth leaving Starlette's threading |
| issue 18, cProfile of `Matcher.match` on long messages (benchmark's long-message row): Japanese messages of 1,200+ characters ~30 ms of CPU, English ~10 ms (p50 at 300 characters 4.7 ms); `_signals` runs twice (the whole message and the ask, issue 13.2), `cdist` 4 calls per message with ~690 character-bigram tokens in a Japanese query (16–18 ms), the rest cue regexes, keyword evidence and lexical tokens over the 1,200 characters | not changed here: `intents/` is being changed for issue 13 (accuracy), and any cut (a shorter cap for the fuzzy comparison, scoring the ask alone on long messages) changes which intent long messages get; left to that work, with these numbers |
| issue 18 (second round), `gc.callbacks` timing collections inside a `privacy-bot serve` worker under the chat load: one full (generation 2) collection took 68–80 ms (tens of thousands of start-up objects: catalog, matcher indexes, uvicorn, FastAPI, pydantic), stalling all 32 requests in flight; in process over 3,000 messages the core itself made no full collection | `bot/heap.py`, `bot/cli/main.py`: `serve` collects and `gc.freeze()`s the start-up heap before serving; the benchmark's bare and matcher-only servers do the same after building their app, so the baselines stay comparable |
| issue 18 (second round), timing 4,000 session writes (`save_session`, 14 kB of state) on a SQLite file: 19–23 commits over 5 ms, max 19–24 ms (p50 0.03 ms): SQLite's automatic WAL checkpoint runs inside whichever commit passes 1,000 pages and syncs two files; with one chat thread every request in flight waits for it | `handoff/sqlite/checkpoint.py`: connections turn the automatic checkpoint off and a thread of the store runs a PASSIVE checkpoint once a second (never blocks readers or writers; durability unchanged). Same 4,000 writes: 1–6 over 5 ms, max 6–8 ms |
| issue 18 (second round), cProfile of `RateLimiter.begin_chat` + `Conversation.handle` with Redis in process (`time.process_time`): `check_rate_args` tested each character of each bucket key with a Python generator, about a tenth of `begin_turn`; `Rendered.of` normalised each reply's markup five times and parsed it twice (about a tenth of the core on both stores) | `handoff/store.py`: one compiled pattern for the key check (same keys accepted); `responses/markup.py` `to_formats`: plain, HTML and mrkdwn from one parse (a property test holds them equal to the three converters) |
| issue 18 (second round), the rest of the Redis chat path in process: `begin_turn` about 0.3 ms and the session `SET` about 0.2 ms of CPU per message against 0.14 and 0.14 ms with SQLite; micro-benchmarks: a 3-command pipeline 43 µs of CPU, `SET` of 8 kB 115–180 µs whether through `set(ex=)` or `execute_command`, a pool checkout 6 µs | not changed: what remains is mostly system time (the client polls before each send and receive on a socket with a timeout, and wakes a thread per reply) and redis-py's per-argument encoding; round trips stay at two. Thread counts 1, 2, 4, 8 for Redis measured in process and under load: CPU per message varied ±25% between identical runs on the shared machine, so `auto` (4) was left |
| issue 18 (second round), cue patterns over long messages (1,200+ characters): `Cues.score` 2.2 of 7.4 ms of CPU; the hostility set and the authority set each split the same text into words; word-gated patterns such as `\\b(?:release\\|give me…)\\b.{0,30}\\b(?:user…)` pass their gates on a long text (it has the words) and each search then costs 100–180 µs | `intents/cues.py`: the two sets share one word view (exact). Not done: rewriting the searches (candidate windows around gate words, merged alternations) could not be shown exact in the time; decisions are byte-identical over the labelled sets |
| issue 18 (third round), pyinstrument of `Matcher.match` over the dev set: `Cues.score` 38%, of which asking each pattern's gate (`_Gate.allows`, `TextView.has_any`, two `isdisjoint` per pattern, about 150 patterns a message) about half; on long Japanese messages `_Choices.sharing` set a mask once per shared token (about 470 fancy-index assignments) and `char_bigrams` of the message was made three times | `intents/cues.py`: each set indexes its word gates once (word or word beginning -> patterns), a text's words are intersected with that index once per set and only the patterns allowed run, in pattern order (same sums); `intents/matcher.py`: one mask assignment over the concatenated postings, the message's bigrams made once per reading. Exact (replies, `classify`, and every score array bit for bit over the labelled sets, r5a and 3,700 long and recombined messages) |
| issue 18 (third round), thread CPU time of each `cdist` call on long Japanese messages (1,200+ characters): one call of about 100 token-set comparisons took 2.4–3.5 ms, about 30 µs a comparison, because rapidfuzz prepares the query's joined leftover tokens (some 470 bigrams, 1,400 characters) for every text; the score it then returns is almost always the shared-tokens ratio, which needs only lengths | `intents/tokenset.py`: the two ratios that need only lengths are computed for all texts at once from token counts (rapidfuzz's formula, rounded as `cdist` rounds), and where the Indel ratio's bound (length difference) cannot beat them that is the score; the others still go to rapidfuzz. Exact (tests against rapidfuzz on random and labelled token sets; every dump identical). On the same messages that call now takes 0.5–0.7 ms |
| issue 18 (third round), thread CPU time of each cue pattern over the long messages (each pattern run alone over the texts the cue sets read): the word gates of the hostility and authority patterns pass on nearly every long English text (they start with "for", "of", "my", "other", "data"…), and each search then tries a 10–50-word alternation at every one of 1,200–2,400 positions (30–200 µs; the SQL/base64 pattern, which had no gate, 300–600 µs) | `intents/cue_needs.py`, used by `CueSet.score` for texts of 300+ characters: a pattern whose matches start with known words at a word start (121 of 142 English patterns) is tried with `pattern.match` only where those words occur (the same answer as `search`); and every clause a match needs (one of "user"/"customer" AND one of "release"/"give me"; a run `[a-z0-9+/]{20}`) is tested on the text's words or as substrings before running it. Cue scoring of long English messages about a quarter less CPU, Japanese about a seventh; exact (a test scores 3,000+ long texts both ways; dumps identical) |
| issue 18 (third round), the 14:57 UTC run of `--only matcher http`: the bare endpoint answered 9,636 requests/s before the chat servers and 4,504/s after them, so the chat servers and the baselines they were divided by ran under different loads (SQLite 2.46x that run; earlier runs 1.40–1.80x) | `benchmarks/http_throughput.py`: the four servers are started once and kept up, and 5 short rounds (forward, reverse, forward…; 1 s warm-up, 4 s measured) load them in turn; each round's chat CPU is divided by that round's matcher-only CPU and the median of the 5 ratios is reported with their range; every round is listed with the load average after it |
| issue 18 (third round), where a chat message's CPU goes beyond matching, in process (per-function thread CPU over `RateLimiter.begin_chat` + `Conversation.handle` on SQLite, the benchmark's messages and sessions; load 3–4): matching 1.15 ms; the rest 0.84 ms: session write 0.15, `begin_turn` 0.12, bucket keys and checks 0.06, session JSON 0.08, the intake form's step 0.09, reply formats 0.08, `handle` itself 0.075, metrics and decision counts 0.04. 74% of the benchmark's messages are turns of an open intake form (a dev-set request starts a form; the next questions are its asides: form step, matching, answer and the prompt again) | see the next rows |
| issue 18 (third round), cProfile of `Rendered.of` on form turns: `markup._parse_normalized` built a frozen `Block` per line, each a copy of the last one plus a line (quadratic in a block's lines; most of the formats' time on long replies) | `responses/markup.py`: lines gathered per run, one `Block` per run (same blocks); 102 → 57 µs on a 30-line reply. Replies byte-identical |
| issue 18 (third round), cProfile: the intake form's choice step (`IntakeForm._pick`) scored the best label with `fuzz.WRatio` a second time after `max` had scored them all | `handoff/intake.py`: every label scored once, the first best kept as `max` did |
| issue 18 (third round), micro-benchmarks: prometheus-client `labels()` validates and locks on every call (2.2 µs; three per chat message), a decision count built and validated its cell each time (3.4 µs) | `bot/metrics.py` `Metrics.child`: children remembered per label set (fixed vocabularies, bounded); `bot/engine/decisions.py`: the remembered `decision_tally`. About 10 µs per message |
| issue 18 (third round), the HTTP side in process (raw ASGI calls, the core stubbed to a fixed reply, medians of 5 interleaved rounds): chat endpoint 217 µs per request, matcher-only 63 µs, bare 40 µs; the chat endpoint without its thread hand-off 106 µs. Under 32 concurrent requests (a micro-benchmark with 1.7 ms of work per request and the event loop parsing the next ones) the hand-off cost 200–250 µs of CPU per message, whatever the switch interval (0.5, 5, 50 ms) and whether through anyio or `loop.run_in_executor`; over HTTP at 32 clients (SQLite, two A/B runs of 3 rounds, load 4–5) the core on the event loop gave 1.61x and 1.57x the matcher-only CPU against 1.78x and 1.79x on the chat thread | not changed: it is the largest single cut left (about a tenth of a chat message), but it is the design choice the earlier round made on purpose (a SQLite file locked by another process, or a hung Redis, would stall the whole event loop: static files, docs, metrics and staff pages, not only chat); with SQLite's one chat thread the chat itself waits either way. Left to the lead, with these numbers |
| issue 18 (third round), SQLite `execute` calls: 12 per chat message (9 in `begin_turn`: BEGIN, clean-up, a read and an upsert per bucket, session, staff replies, COMMIT; 3 for the session write) | tried, not kept: one read of all buckets, one multi-row upsert and session + staff replies in one `UNION ALL` (6 in `begin_turn`) gave no measurable gain (`begin_turn` + `save_session` 130 µs against 109–121 µs, within the noise); alone each statement costs 4–7 µs, the 10 kB session upsert and commit 20–34 µs |
| issue 18 (third round), the same breakdown on Redis: `begin_turn` 0.50 ms and `save_session` 0.43 ms of thread CPU per message (load 4–5) against 0.12 and 0.15 ms on SQLite | not changed (as in the second round): redis-py's per-command work and the socket's system calls with a timeout set; two round trips per message stay |
| issue 18 (third round), `_chat_response` + `model_dump_json`: 9 µs for an answer, 39 µs for a reply with choices and a ticket (pydantic validates the reply models it is handed) | not changed: small beside the above; `model_construct` would skip the checks the schema promises |
| issue 18 (fourth round), per-function thread CPU of `Matcher.match` over the dev set (wrappers, and line_profiler of `Cues.score`/`CueSet.score`): cue scoring about a third of matching (~14 sets a message); in `CueSet.score` making every beginning (up to 24 characters) of every word of each text it reads (`TextView.prefixes`, ~8 texts a message) and intersecting them with the set's index was a third; `data_object`/`purpose_list` and `work_object`/`offtopic` each split the same text into words twice | `intents/cues.py`: on texts under 300 characters each word of the text is looked up in a memo per set (word -> the patterns its gates let run: the same sets, bounded at 20,000 words), no beginnings made; long texts keep the intersections (their needs read the beginnings anyway; the memo there made long messages ~15% dearer); the two shared texts split once. `Cues.score` over the dev set's calls, min of 12–15 repetitions: 333 → 278 µs per message (main bdf9731 against 1565dd5, load 7–8.5); 260 → 205 µs on the tree before round 6 (load 6–7). Exact: replies, `classify` output and every score array identical over tests/data/*.jsonl; a test scores 50,000+ short texts against plain searching |
| issue 18 (fourth round), the same profile: `structure.read` ran the case-insensitive negated-clause pattern (no first-character scan) and the set-aside scan twice over the same text when the message has no quotes (`own` and `unnegated`); `normalize` folded the cleaned text twice without quote lines; `detect_language` and the cues' Japanese test counted every letter of English texts | `intents/structure.py`: without quotes `unnegated` is the `own` already computed (same steps, same text); `intents/normalize.py`: one fold when there is no quote line; `cjk_share` returns 0.0 before counting letters when no Japanese character occurs. Min of 12 repetitions over the dev set's calls: `normalize` 17.5 → 11.6 µs, `structure.read` 28 → 19.5 µs, `detect_language` 2.9 → 1.6 µs. Exact (same dumps) |
| issue 18 (fourth round), tried, not kept | the regex gates of a set merged into one alternation (longest first) searched again from each match's start + 1 (exact: the other strings at a position are beginnings of the longest): `request_en`'s 17 gates 11.7 → 8.8 µs, `question_en`'s 2 gates 1.9 → 2.9 µs, about 5 µs a message in all, not worth the code; the long-text needs tested on short texts too: `Cues.score` 280 → 300–330 µs (the needs read word beginnings); keyword look-up by first word and length instead of comparing each keyword: 26 → 25 µs (line_profiler had shown that loop as 40% of `KeywordIndex.evidence`; measured without it, it is not); the memo on long texts too (above) |
| issue 18 (fourth round), evaluated, not changed: `process.cdist` with `token_set_ratio` about a fifth of matching a short message (dev set: ~103 examples a message sharing a token, 1.8 µs each, ~185 µs), plus `token_sort_ratio` on the whole-text group (~70 examples, 0.5 µs each) | only the per-intent best example score is used, but for short queries token counts decide 7% of the comparisons (`intents/tokenset.py`), and skipping an example whose upper bound (the length bound of the Indel ratio) cannot beat its intent's best would skip at most 15% even in the best order (counted over the dev set); a tighter exact bound (character counts of the leftover tokens) was not attempted in the time. What remains of cue scoring: ~45 pattern searches a message, the SQL/base64 pattern that no gate covers ~16 µs (its `\\b` alternatives 11 µs of that), and the glue around the sets (sentence splits, folds, whose-data reading: `OthersReader.asks_for_others`' English trigger search alone ~27 µs a message on the dev set, which it finds in 28 of 522 messages; none of its three alternatives gets a word gate as written). Also left: the top five `Candidate` records ~19 µs a message (frozen dataclass construction; reading their scores out of the arrays in one step saved 2 µs, not kept) |
| issue 18 (fourth round, chat hand-off), py-spy `--gil` on the running SQLite worker (32 clients) and on the same app called in process without sockets (32 tasks on uvloop): the event loop's side of `anyio.to_thread.run_sync` with a one-token `CapacityLimiter` 6.5% and 12% of interpreter samples (`CapacityLimiter.acquire`/`release`, `current_async_library`, `RunVar.get`, `current_token`, `CancelScope`), the worker's `WorkerThread.run` 2–3% more; each of 32 queued requests waits on an event of its own and is woken as a task when its turn comes | `bot/web/chat_threads.py` `ChatThreads`: one `SimpleQueue` put per message, N threads take it in order, one `call_soon_threadsafe` back; same guarantees (at most N at once, never on the loop, context variables, cancellation before and while running, idle exit; `tests/bot/web/test_chat_threads.py`). Interleaved HTTP A/B, old and new worker beside the matcher-only endpoint: CPU per message new/old 0.84 SQLite and 0.885 Redis (6 rounds, load 7.7–9.7; ratios 1.76x → 1.52x and 2.17x → 1.90x; SQLite p99 206 → 122 ms), 0.79 and 0.77 (4 rounds, load 6.6–9.5); `--only http` after landing (19:09 UTC, load 6.4–9.8): SQLite 1.46x, Redis 1.86x the matcher-only CPU (both targets met as medians of 5 rounds). Raw `/api/chat` bodies and headers identical over every labelled set and 1,500 dev-set turns, both stores |
| issue 18 (fourth round, chat hand-off), tried, not kept: with the new pool, the core on the event loop (no thread) | 0.93 of the pool's CPU per message (4 rounds, load 7.6–8.2, rounds 0.88–1.13): too little left to trade the loop's responsiveness for |
| issue 18 (fourth round, chat hand-off), measured, not changed: Redis with 1, 2 and 4 chat threads on the new pool | 2.17x, 2.05x, 2.17x the matcher-only CPU (4 rounds, load 5.4–6.3), within noise; one thread halves the throughput (each session `SET` waits for `appendfsync always`); `auto` stays at 4 |
| issue 18 (fourth round, chat hand-off), thread CPU per part in process after the change (SQLite, load about 7): matching 1.16 ms; `begin_chat` 0.22 (`begin_turn` 0.15); session write 0.18, of which its commit 55 µs (19 µs in a tight loop: matching has cooled the caches); reply formats 0.09; form step 0.08 (its `WRatio` label scores 15 µs); metrics and decision counts 0.03; `_chat_response` + `model_dump_json` 8 µs (the 5.7% py-spy `--gil` gave it on the loop was the loop holding the interpreter lock while descheduled on the loaded machine: `--gil` samples overstate the loop's work). Redis: `begin_turn` 0.37, session write 0.29 ms; a `SET` that waits for the fsync costs 128 µs of thread CPU, a `GET` 36 µs (the thread sleeps and pays its wake-up) | not changed: the rest is spread thin; for Redis the next cut is structural (`redis.asyncio` for the turn's read and the session write on the event loop, with the core handing back the session it would save). FastAPI's per-request telemetry check (`NativeTelemetry.enabled`: three OpenTelemetry provider look-ups reading `os.environ`, about 2% of samples) is paid by the matcher-only endpoint too and left on |
| issue 18 (fifth round), `sys.setprofile` timing of every regular-expression call inside `Matcher.match` over the dev set (main 037e725): the whose-data English trigger (`OthersReader.asks_for_others`, one alternation of 25 entries with no gate) 27–37 µs a message, the SQL/base64 hostility pattern (no gate) 16–22 µs; 63 of the cue sets' gates were regex searches (~0.6 µs each) because a string after a literal space (`(?:the\\|a) (?:employee\\|…)`) was not known to start a word | `intents/cues.py`: after a literal character that is not a word character, a string starting with a word character is a word start, so those patterns get word gates (63 → 47 regex gates; the whose-data trigger's 11 → 3); on a short text an ungated pattern runs only when its needs hold (`intents/cue_needs.py`, a single given character now a need; word beginnings found without making every beginning of the text); the trigger is a cue set of its entries, `CueSet.finds` (stops at the first found; needs tested on short texts too). `Cues.score` over the dev set's calls 272 → 220 µs a message (min of 12, 3 alternating runs, load 8–10), `asks_for_others` 35 → 23 µs. Exact: replies (one session per item and 1,500 dev turns in sessions of 20), `Match` reprs and cue scores byte-identical over tests/data/*.jsonl and the round-7 diagnosis sets (`/work/tools/replies_dump.py`, PYTHONHASHSEED=0); tests: `finds` and the trigger against plain searching over 5,000+ texts |
| issue 18 (fifth round), the same timing after the first row: `MAY_NOT_ASK` (whether any sentence may be a hypothetical or a formula, searched over every message) 8–10 µs a message on the dev set, almost all in its romaji alternative `[a-z]*(?:shitara\\|ttara…)`, which `re` tries and backtracks at every word boundary; `process.cdist` with `token_sort_ratio` (the whole-text group, ~70 English and ~40 Japanese examples on every message, and all 558 topic examples for a short English query, 89 of the dev set's 522) re-splits and sorts every example on every call | `intents/structure.py` `may_not_ask`: the same pattern in two parts, the romaji one searched only where "ara" occurs (every ending ends in it; under IGNORECASE `a` and `r` match only themselves and their capitals, a test checks it): 8.5–10.3 → 4.5 µs a message (min of 15, dev set). `intents/matcher.py`: `token_sort_ratio(q, t)` is `ratio` of the texts' sorted forms, so the examples are sorted once at build (`_Choices.distinct_sorted`) and the query once per comparison batch; rapidfuzz splits on fewer kinds of whitespace than `str.split` (not U+00A0, U+0085, U+2004…; 53 of 20,000 random pairs differ), so a query or a group with such whitespace keeps `token_sort_ratio` (folded text has none). Whole-group comparison of an English dev message 15.1 → 6.5 µs; `_example_scores` 235–249 → 227–229 µs a message (2 alternating runs at a load of 11–13). Exact: same dumps (replies, `Match` reprs) over tests/data/*.jsonl and the round-7 diagnosis sets; tests against `MAY_NOT_ASK.search` and `token_sort_ratio` |
"""


def run(names: Sequence[str], quick: bool) -> list[Section]:
    sections = []
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        print(f"== {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            section: Section = module.run(quick, sections) if name in USES_EARLIER else module.run(quick)
        except Exception as exc:  # a broken benchmark is reported, and the others still run
            section = Section(name, name)
            section.add("benchmark ran", f"failed: {type(exc).__name__}: {exc}", "runs", False)
            section.body = "```\n" + traceback.format_exc()[-3000:] + "\n```"
        section.seconds = time.perf_counter() - started
        # The machine is shared: what else ran shows in the load average, recorded with each section's results.
        section.load_after = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
        for row in section.rows:
            print(f"   {row.metric}: {row.value}  [{row.target}] {row.verdict}", file=sys.stderr, flush=True)
        sections.append(section)
    return sections


def summary_rows(sections: Sequence[Section]) -> list[Row]:
    return [row for section in sections for row in section.rows]


def render(sections: Sequence[Section], *, quick: bool, command: str, seconds: float) -> str:
    now = datetime.now(JST).strftime("%Y-%m-%d %H:%M JST")
    rows = summary_rows(sections)
    missed = [r for r in rows if r.ok is False]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {now} ({seconds:.0f} s){' — QUICK SMOKE RUN, not results' if quick else ''}. "
        "Do not edit by hand: run the command again. Machines here are shared and noisy; targets on timing are "
        "judged against baselines measured in the same run where the issue allows it, and absolute numbers are "
        "for orientation.",
        "",
        "## Machine",
        "",
        markdown_table(["", ""], machine().items()),
        "",
        "## Summary",
        "",
        markdown_table(["benchmark", "measured", "value", "target", "verdict"],
                       [[r.benchmark, r.metric, r.value, r.target, r.verdict] for r in rows]),
        "",
        "## Missed targets",
        "",
    ]
    if not missed:
        lines.append("None: every target was met in this run.")
    else:
        for r in missed:
            lines.append(f"- **{r.benchmark} — {r.metric}**: {r.value}; target {r.target}.")
        lines.append("")
        lines.append("Why:")
        lines.append("")
        for section in sections:
            for reason in section.why:
                lines.append(f"- *{section.title}*: {reason}")
    lines += ["", "## Details", ""]
    for section in sections:
        load = section.load_after
        lines += [f"### {section.title}", "",
                  f"({section.seconds:.0f} s{f'; load average (1/5/15 min) when it ended: {load}' if load else ''})", "",
                  section.body, ""]
    lines += ["## Profiles and fixes", "", PROFILES_AND_FIXES]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the performance benchmarks.")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--quick", action="store_true", help="a few seconds each: a smoke run, not results")
    parser.add_argument("--out", type=Path, help="write the report here (default: benchmarks/RESULTS.md for a "
                                                 "full run; nothing for --only or --quick)")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    started = time.perf_counter()
    sections = run(names, args.quick)
    seconds = time.perf_counter() - started
    command = "python -m benchmarks" + (" --quick" if args.quick else "") + (
        f" --only {' '.join(args.only)}" if args.only else "")
    report = render(sections, quick=args.quick, command=command, seconds=seconds)
    out = args.out or (RESULTS if not args.only and not args.quick else None)
    rows = summary_rows(sections)
    print(markdown_table(["benchmark", "measured", "value", "target", "verdict"],
                         [[r.benchmark, r.metric, r.value, r.target, r.verdict] for r in rows]))
    if out is not None:
        out.write_text(report, encoding="utf-8")
        print(f"\nwritten to {out}")
    failed = [r for r in rows if r.ok is False and r.metric == "benchmark ran"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
