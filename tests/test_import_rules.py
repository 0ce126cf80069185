"""The layout's import rules (`.importlinter`, DESIGN.md "Layout") hold, and no module imports itself in a circle."""
from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter.application import use_cases
from importlinter.configuration import configure

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "intents", "responses", "handoff")


def _lint(config: Path) -> bool:
    configure()  # what the lint-imports command does first: register the readers and contract types
    return use_cases.lint_imports(config_filename=str(config), no_logo=True, cache_dir=None)


def test_import_linter_contracts_are_kept(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    kept = _lint(REPO / ".importlinter")
    out = capsys.readouterr().out
    assert kept, out
    assert "7 kept, 0 broken" in out


def test_a_violation_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The checker is not vacuous: a rule the code breaks (the composition root imports the engine) fails."""
    monkeypatch.chdir(REPO)
    config = tmp_path / "broken.ini"
    config.write_text("[importlinter]\nroot_packages =\n    bot\n\n[importlinter:contract:x]\nname = x\n"
                      "type = forbidden\nsource_modules =\n    bot.app\nforbidden_modules =\n    bot.engine\n")
    assert not _lint(config)
    assert "bot.app -> bot.engine" in capsys.readouterr().out


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative enough for this size)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in graph.modules:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert "bot.engine.conversation" in graph.modules
    assert _cycles(graph) == []


def test_no_flat_prefixed_modules_remain() -> None:
    flat = [p.name for p in (REPO / "bot").glob("*.py") if p.name.split("_")[0] in {"admin", "staff", "slack", "cli"}]
    flat += [p.name for p in (REPO / "handoff").glob("*.py") if p.name.split("_")[0] in {"sqlite", "redis"}]
    assert flat == []
