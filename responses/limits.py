"""Bounded rendering: the work one template render may do, enforced by the sandbox while it runs.

The immutable sandbox keeps templates away from Python internals but not from doing a lot of work: three nested
loops over a 10,000-character string, `'x' * 10000 * 10000` (a 100 MB string) or a chain of `~` doublings each
fit in a short template. `BoundedSandbox` counts and checks, per render (`render_bounded`):

* loop iterations, all loops together (`for` loops are compiled to iterate through `environment.bounded_iter`);
* calls (macros, methods, `loop(...)`), and the size of the strings and lists passed to them;
* the size of every string or list built by `*`, `+`, `~`, `%` and by filters and string methods, checked before
  it is built where it can be predicted (`*`, `+`, `~`, `replace`, `join`, `center`, `indent`, format widths), so
  no huge value is ever allocated; numbers computed at run time are bounded too;
* the output's length, and the render's wall time (checked at every iteration, call and output chunk).

Anything over a limit raises `RenderLimitExceeded`. The admin validation renders a candidate with the same
environment and refuses it; the renderer falls back to the shipped default (logged as an error) if an installed
override still overruns, so a template can never hang or exhaust a worker.
"""
from __future__ import annotations

import contextvars
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment


@dataclass(frozen=True)
class RenderLimits:
    """The most one render may do. Shipped templates need a few dozen iterations and a few kB."""

    max_iterations: int = 10_000
    max_calls: int = 10_000
    max_string: int = 100_000
    max_output: int = 100_000
    max_number: int = 1_000_000
    max_seconds: float = 2.0


class RenderLimitExceeded(jinja2.TemplateRuntimeError):
    """A render did more work than `RenderLimits` allows; nothing of it is used."""


class _Budget:
    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.iterations = 0
        self.calls = 0

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(f"the template took longer than {self.limits.max_seconds:g} s to render")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("render_budget", default=None)
#: Format specifications with a width or precision of six digits or more ("%999999s", "{:>999999}").
_WIDE_FORMAT = re.compile(r"%[-#0 +]*\*|%[-#0 +]*\d{6,}|\.\d{6,}|\{[^{}]*?\d{6,}[^{}]*\}")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict, set, frozenset)) else 0


class _BoundedLoops(CodeGenerator):
    """Compiles `{% for x in items %}` as a loop over `environment.bounded_iter(items)`, and `a ~ b` through
    `environment.bounded_concat`; recursive loops are refused (their inner iterations could not be counted)."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if node.recursive:
            self.fail("recursive loops are not allowed", node.lineno)
        wrapped = nodes.Call(nodes.EnvironmentAttribute("bounded_iter", lineno=node.lineno), [node.iter], [], None,
                             None, lineno=node.lineno)
        bounded = nodes.For(node.target, wrapped, node.body, node.else_, node.test, node.recursive,
                            lineno=node.lineno)
        super().visit_For(bounded, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the work of each render bounded by `limits` (see the module docstring).
    Templates must be rendered through `render_bounded`; outside it nothing is counted."""

    code_generator_class = _BoundedLoops
    intercepted_binops = frozenset({"*", "+", "%", "**", "//", "-", "/"})

    def __init__(self, *, limits: RenderLimits = RenderLimits(), **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}

    # -- counting ----------------------------------------------------------------------------------------------
    def _budget(self) -> _Budget | None:
        return _BUDGET.get()

    def _check_size(self, value: Any, what: str) -> Any:
        if _size(value) > self.limits.max_string:
            raise RenderLimitExceeded(f"{what} would be longer than {self.limits.max_string:,} characters or items")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > self.limits.max_number:
            raise RenderLimitExceeded(f"{what} gives a number above {self.limits.max_number:,}")
        return value

    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = self._budget()
        for item in iterable:
            if budget is not None:
                budget.iterations += 1
                if budget.iterations > self.limits.max_iterations:
                    raise RenderLimitExceeded(f"the template's loops ran more than {self.limits.max_iterations:,} "
                                              "iterations")
                budget.clock()
            yield item

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        strings = [str(p) for p in parts]
        if sum(len(s) for s in strings) > self.limits.max_string:
            raise RenderLimitExceeded(f"a ~ b would be longer than {self.limits.max_string:,} characters")
        return "".join(strings)

    # -- the sandbox's hooks -------------------------------------------------------------------------------------
    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        limit = self.limits.max_string
        if operator == "*":
            sequence, times = (left, right) if _size(left) or isinstance(left, str) else (right, left)
            if isinstance(times, int) and isinstance(sequence, (str, list, tuple)) and len(sequence) * times > limit:
                raise RenderLimitExceeded(f"a repeated string or list would be longer than {limit:,}")
        elif operator == "+" and _size(left) + _size(right) > limit:
            raise RenderLimitExceeded(f"a + b would be longer than {limit:,}")
        elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise RenderLimitExceeded("format widths of six digits or more are not allowed")
        elif operator == "**":
            raise RenderLimitExceeded("the ** operator is not allowed")
        return self._check_size(super().call_binop(context, operator, left, right), f"a {operator} b")

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = __self._budget()
        if budget is not None:
            budget.calls += 1
            if budget.calls > __self.limits.max_calls:
                raise RenderLimitExceeded(f"the template made more than {__self.limits.max_calls:,} calls")
            budget.clock()
        for value in list(args) + list(kwargs.values()):
            __self._check_size(value, "a value passed to a call")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            __self._precheck_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        return __self._check_size(super().call(__context, __obj, *args, **kwargs), "a call's result")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map` in templates (the sandbox wraps them when they are looked up)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and _WIDE_FORMAT.search(str(value.__self__)):
            raise RenderLimitExceeded("format widths of six digits or more are not allowed")
        return wrapped

    # -- what a value will grow to, checked before it is built ---------------------------------------------------
    def _precheck_str_method(self, text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        limit = self.limits.max_string
        if name == "replace" and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            count = len(text) + 1 if not old else text.count(old)
            if len(text) + count * max(0, len(new) - len(old)) > limit:
                raise RenderLimitExceeded(f"replace would give more than {limit:,} characters")
        elif name == "join" and args:
            items = list(args[0]) if not isinstance(args[0], str) else list(args[0])
            if sum(len(str(i)) for i in items) + len(text) * max(0, len(items) - 1) > limit:
                raise RenderLimitExceeded(f"join would give more than {limit:,} characters")
        elif name in ("format", "format_map") and _WIDE_FORMAT.search(text):
            raise RenderLimitExceeded("format widths of six digits or more are not allowed")
        elif name == "expandtabs" and args and isinstance(args[0], int) and text.count("\t") * args[0] > limit:
            raise RenderLimitExceeded(f"expandtabs would give more than {limit:,} characters")

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        pass_arg = getattr(function, "jinja_pass_arg", None)

        def bounded(*args: Any, **kwargs: Any) -> Any:
            value_at = 1 if pass_arg is not None else 0
            values = list(args[value_at:]) + list(kwargs.values())
            for value in values:
                self._check_size(value, f"a value given to the {name} filter")
            if args[value_at:]:
                self._precheck_filter(name, args[value_at], args[value_at + 1:], kwargs)
            return self._check_size(function(*args, **kwargs), f"the {name} filter")

        if pass_arg is not None:
            bounded.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
        bounded.__name__ = getattr(function, "__name__", name)
        return bounded

    def _precheck_filter(self, name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        limit = self.limits.max_string
        text = value if isinstance(value, str) else None
        if name == "replace" and text is not None and len(args) >= 2:
            self._precheck_str_method(text, "replace", (str(args[0]), str(args[1])), {})
        elif name == "join":
            separator = str(args[0]) if args else str(kwargs.get("d", ""))
            items = list(value) if isinstance(value, (list, tuple, str)) else []
            if sum(len(str(i)) for i in items) + len(separator) * max(0, len(items) - 1) > limit:
                raise RenderLimitExceeded(f"join would give more than {limit:,} characters")
        elif name in ("center", "indent"):
            width = args[0] if args else kwargs.get("width", 80 if name == "center" else 4)
            width = len(width) if isinstance(width, str) else width
            lines = (text or "").count("\n") + 1
            if isinstance(width, int) and (width > limit or lines * width + len(text or "") > limit):
                raise RenderLimitExceeded(f"{name} would give more than {limit:,} characters")
        elif name == "wordwrap":
            wrapstring = str(args[2] if len(args) > 2 else kwargs.get("wrapstring") or "\n")
            if len(text or "") * (1 + len(wrapstring)) > limit and len(wrapstring) > 1:
                raise RenderLimitExceeded(f"wordwrap would give more than {limit:,} characters")
        elif name == "format" and text is not None and _WIDE_FORMAT.search(text):
            raise RenderLimitExceeded("format widths of six digits or more are not allowed")


def render_bounded(template: jinja2.Template, variables: dict[str, Any], limits: RenderLimits) -> str:
    """Render `template` with a fresh budget of `limits`: output built chunk by chunk, its length and the clock
    checked as it goes. Raises RenderLimitExceeded (and whatever the template raises)."""
    budget = _Budget(limits)
    token = _BUDGET.set(budget)
    try:
        parts: list[str] = []
        length = 0
        for chunk in template.generate(variables):
            length += len(chunk)
            if length > limits.max_output:
                raise RenderLimitExceeded(f"the reply would be longer than {limits.max_output:,} characters")
            budget.clock()
            parts.append(chunk)
        return "".join(parts)
    finally:
        _BUDGET.reset(token)
