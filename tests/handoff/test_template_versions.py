"""Template versions under concurrency, on both backends: numbers are never reused or skipped, and of several
admins saving from the same version exactly one wins."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest
from handoff_testkit import NOW, PREFIX, RedisServerLike

from handoff.redis.store import RedisStore
from handoff.sqlite.store import SQLiteStore
from handoff.store import Store, TemplateConflict

WORKERS = 6


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []

    def factory() -> Store:
        if request.param == "sqlite":
            store: Store = SQLiteStore.in_dir(tmp_path / "data")
        else:
            server: RedisServerLike = request.getfixturevalue("redis_server")
            store = RedisStore.from_url(server.url, prefix=PREFIX)
        opened.append(store)
        return store

    if request.param == "redis":
        request.getfixturevalue("redis_server")
    yield factory
    for store in opened:
        store.close()


def _in_threads(work: Callable[[int], None]) -> None:
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_concurrent_saves_get_distinct_consecutive_numbers(open_store: Callable[[], Store]) -> None:
    stores = [open_store() for _ in range(WORKERS)]

    def work(n: int) -> None:
        for i in range(8):
            stores[n].save_template_version("cookies", "en", f"w{n} e{i} {{{{ cite }}}}", author=f"admin{n}", note="",
                                            now=NOW + i)

    _in_threads(work)
    history = stores[0].template_history("cookies", "en")
    assert [v.number for v in history] == list(range(WORKERS * 8, 0, -1))
    assert len({v.source for v in history}) == WORKERS * 8
    assert stores[0].content_revisions()["templates"] == WORKERS * 8


def test_of_several_admins_editing_the_same_version_one_wins(open_store: Callable[[], Store]) -> None:
    stores = [open_store() for _ in range(WORKERS)]
    stores[0].save_template_version("cookies", "en", "base {{ cite }}", author="root", note="", now=NOW)
    won: list[int] = []
    lost: list[int] = []

    def work(n: int) -> None:
        try:
            stores[n].save_template_version("cookies", "en", f"edit {n} {{{{ cite }}}}", author=f"admin{n}", note="",
                                            now=NOW + 1, base_version=1)
            won.append(n)
        except TemplateConflict as exc:
            assert exc.latest == 2
            lost.append(n)

    _in_threads(work)
    assert len(won) == 1 and len(lost) == WORKERS - 1
    history = stores[0].template_history("cookies", "en")
    assert [v.number for v in history] == [2, 1] and history[0].author == f"admin{won[0]}"


def test_concurrent_phrasings_and_unanswered_counts_lose_nothing(open_store: Callable[[], Store]) -> None:
    stores = [open_store() for _ in range(WORKERS)]

    def work(n: int) -> None:
        for i in range(5):
            stores[n].add_phrasing("cookies", "en", f"phrasing {n}-{i}", author="root", now=NOW)
            stores[n].record_unanswered("the same question", lang="en", decision="fallback", now=NOW + i)

    _in_threads(work)
    assert len({p.id for p in stores[0].list_phrasings()}) == WORKERS * 5
    assert stores[0].content_revisions()["phrasings"] == WORKERS * 5
    (group,) = stores[0].list_unanswered()
    assert group.count == WORKERS * 5 and dict(group.decisions) == {"fallback": WORKERS * 5}
