"""bot/signals.py: the first SIGTERM or SIGINT asks the main loop to end; later ones do not cut the clean-up short
(but a second Ctrl-C does); the previous handlers come back afterwards. Real signals, sent to this process."""
from __future__ import annotations

import logging
import signal

import pytest

from bot.signals import StopRequests, stop_on_signals


def test_the_first_signal_asks_to_stop_and_a_later_sigterm_does_not_interrupt(caplog: pytest.LogCaptureFixture) -> None:
    stops: list[str] = []
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    with caplog.at_level(logging.WARNING, logger="bot.signals"):
        with stop_on_signals(lambda: stops.append("stop")) as requests:
            assert signal.getsignal(signal.SIGTERM) is requests
            signal.raise_signal(signal.SIGTERM)
            assert stops == ["stop"]
            signal.raise_signal(signal.SIGTERM)  # the process manager again: the clean-up goes on
            assert stops == ["stop"] and requests.received == [signal.SIGTERM, signal.SIGTERM]
    assert "finishing the clean-up first" in caplog.text
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_a_second_ctrl_c_interrupts_the_clean_up() -> None:
    requests = StopRequests(lambda: None)
    requests(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        requests(signal.SIGINT, None)


def test_stop_may_raise_to_end_a_blocking_call() -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with stop_on_signals(interrupt):
            signal.raise_signal(signal.SIGTERM)
