"""`bot.heap.settle`: what start-up built is frozen out of the collector's way before `serve` starts serving, and
what is allocated afterwards is still collected."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot import heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_live_objects_are_frozen_garbage_is_collected_first() -> None:
    kept = Node()
    dropped = Node()
    dropped_ref = weakref.ref(dropped)
    del dropped
    frozen = heap.settle()
    assert dropped_ref() is None  # start-up garbage was collected, not frozen
    assert frozen > 0 and gc.get_freeze_count() > 0  # (other threads may drop frozen objects meanwhile)
    assert not any(o is kept for o in gc.get_objects())
    later = Node()
    later_ref = weakref.ref(later)
    del later
    gc.collect()
    assert later_ref() is None  # … while cycles made after start-up are still collected


def test_serve_settles_the_heap_after_building_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from bot.cli.main import main

    seen: dict[str, Any] = {}

    def run(server: uvicorn.Server, *args: Any, **kwargs: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["app_frozen"] = not any(o is server.config.app for o in gc.get_objects())
        server.started = True  # as a server that served and stopped

    # Nothing is bound or served: `serve` hands its app to uvicorn's Server, whose run is this stand-in.
    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("PRIVACY_BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["serve", "--host", "127.0.0.1", "--port", "8000"]) == 0
    assert seen["frozen"] > 10_000 and seen["app_frozen"]
