"""The garbage collector in a long-running server: objects built at start-up are set aside before serving.

The catalog, the matcher's indexes, templates and the imported modules (uvicorn, FastAPI, pydantic…) are tens of
thousands of objects that live as long as the process. CPython's full (generation 2) collection walks every tracked
object each time it runs: measured in a `privacy-bot serve` process under the chat benchmark's load, one took
68-80 ms, during which no request is answered, so each one lands on all 32 requests then in flight (the p99 of
issue 18). `gc.freeze()` moves what exists now into a permanent generation the collector never scans; what
requests allocate later is collected as before. Frozen objects are still freed by reference counting when dropped
(a rebuilt matcher, say); only a reference cycle among them would stay until exit.
"""
from __future__ import annotations

import gc


def settle() -> int:
    """Collect what start-up left as garbage, then freeze the survivors. Call once, when the app is built and
    before serving. Returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
