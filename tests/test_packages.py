"""The generic top-level package names resolve to this repository, never to an installed namesake."""
from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "intents", "responses", "handoff")


def _outside_repo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def test_packages_import_from_this_repository(tmp_path: Path) -> None:
    code = (
        "import importlib, json, sys\n"
        f"names = {list(PACKAGES)!r}\n"
        "print(json.dumps({'path': sys.path, 'files': {n: importlib.import_module(n).__file__ for n in names}}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_outside_repo_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # The working directory (tmp_path) is what "-c" puts first on sys.path, not the repository.
    assert data["path"][0] in ("", str(tmp_path))
    for name in PACKAGES:
        file = data["files"][name]
        assert file is not None, f"{name} is a namespace package, not this repository's package"
        path = Path(file).resolve()
        assert path.is_relative_to(REPO), f"{name} imported from {path}, not from {REPO}"
        assert path == REPO / name / "__init__.py"


def test_console_script_uses_this_repository(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "privacy-bot"
    if not script.exists():
        pytest.fail(f"console script missing at {script}: install the project (pip install -e .)")
    result = subprocess.run([str(script), "--help"], cwd=tmp_path, env=_outside_repo_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "classify" in result.stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_packages_in_this_process_come_from_the_repository(name: str) -> None:
    module = __import__(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve() == REPO / name / "__init__.py"


def test_pypi_responses_library_is_not_installed() -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("responses")


def test_pypi_responses_library_is_not_installed_in_the_venv_python(tmp_path: Path) -> None:
    code = (
        "import importlib.metadata as m\n"
        "try:\n    m.distribution('responses')\nexcept m.PackageNotFoundError:\n    print('absent')\n"
        "else:\n    print('present')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_outside_repo_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "absent"


def test_project_does_not_depend_on_the_responses_library() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    names = {r.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].split("~")[0].strip().lower()
             for r in requirements}
    assert "responses" not in names
