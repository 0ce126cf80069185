"""Starting and stopping a real `privacy-bot serve` process for tests: one health wait and one shutdown for the
Slack, browser and end-to-end suites."""
from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def wait_healthy(process: subprocess.Popen[bytes], base: str, log: Path, timeout: float, step: float = 0.1) -> None:
    """Return once `base/healthz` answers 200; fail the test with the server's log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while the store comes up
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"server not healthy within {timeout}s:\n{log.read_text(errors='replace')}")
        time.sleep(step)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it does not exit within ten seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
