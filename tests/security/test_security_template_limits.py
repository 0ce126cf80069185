"""Issue 11 point 5: template work is bounded (`responses.limits`). Validation refuses templates that do too much
(quickly, never a 14-second preview), and an installed override that still overruns at render time falls back
to the shipped default with a logged error instead of hanging the worker."""
from __future__ import annotations

import logging
import time

import pytest

from bot.admin.validation import TemplateValidator
from responses.limits import RenderLimits
from responses.policy import load_policies
from responses.renderer import Renderer, make_environment

HEAVY = {
    "three nested loops over 10,000 characters":
        "{% set s = 'x' * 10000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}",
    "a 100 MB string": "{{ 'x' * 10000 * 10000 }}",
    "a 1000x1000x200 loop":
        "{% set a = 'x' * 1000 %}{% set c = 'x' * 200 %}"
        "{% for i in a %}{% for j in a %}{% for k in c %}.{% endfor %}{% endfor %}{% endfor %}",
    "doubling with ~": "{% set a = 'x' * 10000 %}" + "{% set a = a ~ a %}" * 30 + "{{ a | length }}",
    "a replace filter": "{% set a = 'x' * 10000 %}{{ a | replace('x', a) }}",
    "a replace method": "{% set a = 'x' * 10000 %}{{ a.replace('x', a) }}",
    "a join": "{% set a = 'x' * 10000 %}{{ a | list | join(a) }}",
    "a format width": "{{ '%999999999s' | format('x') }}",
    "a str.format width": "{{ '{:>999999999}'.format('x') }}",
    "macro recursion": "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('xx') }}",
    "a computed width": "{{ 'x' | center(10000 * 1000) }}",
    "a long reply": "{% set a = 'x' * 9000 %}{% for i in a %}{{ a }}{% endfor %}",
}


class Override:
    def __init__(self, text: str) -> None:
        self.text = text

    def get(self, name: str, lang: str) -> str | None:
        return self.text if name == "fallback" else None


@pytest.mark.parametrize("what", sorted(HEAVY))
def test_validation_refuses_heavy_templates_quickly(renderer: Renderer, what: str) -> None:
    source = "Sorry, nothing matched.\n\n" + HEAVY[what]
    started = time.monotonic()
    result = TemplateValidator(renderer).validate("fallback", "en", source)
    assert time.monotonic() - started < 5.0
    assert not result.ok, f"{what} was accepted"
    assert any("too much work" in p.reason.lower() or "does not compile" in p.reason.lower()
               or "not allowed" in p.reason.lower() for p in result.problems), result.problems


def test_recursive_loops_are_refused(renderer: Renderer) -> None:
    source = "Topics:\n{% for t in topics recursive %}{{ loop(topics) }}{% endfor %}"
    result = TemplateValidator(renderer).validate("fallback", "en", source)
    assert not result.ok and "recursive loops are not allowed" in str(result.problems[0])


@pytest.mark.parametrize("what", ["three nested loops over 10,000 characters", "a 100 MB string",
                                  "doubling with ~", "macro recursion"])
def test_an_overrunning_override_falls_back_to_the_default(what: str, caplog: pytest.LogCaptureFixture) -> None:
    renderer = Renderer(env=make_environment(), policies=load_policies(), source=Override(HEAVY[what]))
    default = Renderer(env=make_environment(), policies=load_policies()).render("fallback", "en", {
        "article": None, "paragraph": None, "topics": []})
    with caplog.at_level(logging.ERROR, logger="responses.renderer"):
        started = time.monotonic()
        reply = renderer.render("fallback", "en", {"article": None, "paragraph": None, "topics": []})
    assert time.monotonic() - started < 5.0
    assert reply == default
    assert any(r.levelno == logging.ERROR and "exceeded the render limits" in r.getMessage() for r in caplog.records)


def test_render_time_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    """With generous iteration counts, the clock still stops a slow render."""
    limits = RenderLimits(max_iterations=10**9, max_seconds=0.2)
    renderer = Renderer(env=make_environment(limits), policies=load_policies(),
                        source=Override(HEAVY["a 1000x1000x200 loop"].replace(".", "")))
    with caplog.at_level(logging.ERROR, logger="responses.renderer"):
        started = time.monotonic()
        reply = renderer.render("fallback", "en", {"article": None, "paragraph": None, "topics": []})
    assert time.monotonic() - started < 3.0
    assert "Sorry" in reply.text and any("longer than 0.2 s" in r.getMessage() for r in caplog.records)
