"""Checks an edited template must pass before it is saved; every refusal names the line (when there is one) and why.

1. It compiles (Jinja syntax, known filters and tests).
2. It uses nothing the sandbox exists to stop, checked statically so the admin sees the line: no attribute or key
   starting with `_`, no string containing `__`, no Jinja globals (`self`, `lipsum`, `cycler`, `joiner`,
   `namespace`, `range`, `dict`) or names like `config`/`os`, no `attr` filter, no include/import/extends; and,
   to bound the work a render can do, no `**`, no number above 10,000 and no loops nested deeper than 3.
3. It renders under StrictUndefined with every context the conversation engine passes that template (sample
   values shaped exactly like the engine's), so an undefined variable or a runtime error is caught here, not by
   a user. The sandbox still guards the render itself.
4. A template that explains an article still cites it ("Article 7 (Disclosure of Personal Information)").
5. The reply fits Slack: at most 3,000 characters per section (blank-line separated block) and 40,000 in all.
6. An email template (`email_*`) renders a subject on its first line (at most 200 characters) and a body after it,
   and uses only the keys the email composer passes it (`responses.samples.EMAIL_VARIABLES`).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError

from intents.catalog import Catalog
from responses.names import spec_for
from responses.limits import RenderLimitExceeded
from responses.renderer import Rendered, Renderer, make_environment
from responses.samples import EMAIL_VARIABLES, SampleChoice, sample_choices, sample_email_contexts, sample_topics

SLACK_SECTION_LIMIT = 3000
SLACK_TEXT_LIMIT = 40000
MAX_SUBJECT_CHARS = 200
MAX_SOURCE_CHARS = 20000
MAX_NUMBER = 10000
MAX_LOOP_DEPTH = 3
#: Every variable a template can see: what the engine passes and what the renderer adds.
CONTEXT_VARIABLES = frozenset({"article", "paragraph", "topics", "choices", "request_type", "lang", "cite", "quote",
                               "contact", "history", "article_of"})
#: Names Jinja defines itself inside loops, macros and call blocks.
JINJA_LOCALS = frozenset({"loop", "caller", "varargs", "kwargs"})
FORBIDDEN_NAMES = frozenset({"self", "lipsum", "cycler", "joiner", "namespace", "range", "dict", "config", "os",
                             "request", "session", "g", "url_for", "environment", "globals", "builtins", "import"})
FORBIDDEN_FILTERS = frozenset({"attr"})
#: Only parses (to walk the syntax tree); templates are compiled and run by the renderer's own sandbox.
_PARSER = make_environment()


@dataclass(frozen=True)
class Problem:
    """Why a template is refused; `line` is the template line (1-based) when the problem has one."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class Validation:
    """The outcome: no problems means it may be saved; `preview` is the first sample rendering when it rendered."""

    problems: tuple[Problem, ...]
    preview: Rendered | None

    @property
    def ok(self) -> bool:
        return not self.problems


class TemplateValidator:
    """Validates candidate template source for a named template with the renderer that will run it.

    `topics(lang)` gives the topic list the engine shows in help and fallback replies (its labels make the
    longest realistic rendering); `catalog` gives each intent's paragraph."""

    def __init__(self, renderer: Renderer, *, topics: Callable[[str], Sequence[Any]] | None = None,
                 catalog: Catalog | None = None) -> None:
        self.renderer = renderer
        self.topics = topics
        self.catalog = catalog

    def validate(self, name: str, lang: str, source: str) -> Validation:
        """Check `source` as template `name` in `lang`. Raises KeyError for an unknown template name."""
        self.renderer.default_source(name, lang)  # KeyError for an unknown name
        if not source.strip():
            return Validation((Problem(None, "The template is empty."),), None)
        if len(source) > MAX_SOURCE_CHARS:
            return Validation((Problem(None, f"The template is {len(source):,} characters long; at most "
                                             f"{MAX_SOURCE_CHARS:,} are allowed."),), None)
        try:
            self.renderer.compile_source(source)  # the renderer's own sandbox: unknown filters fail here too
            ast = _PARSER.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            return Validation((Problem(exc.lineno, f"Does not compile: {exc.message}"),), None)
        static = list(_static_problems(ast, CONTEXT_VARIABLES | EMAIL_VARIABLES.get(name, frozenset())))
        if static:
            return Validation(tuple(sorted(_unique(static), key=lambda p: p.line or 0)), None)
        problems: list[Problem] = []
        preview: Rendered | None = None
        for context in self.contexts(name, lang):
            try:
                rendered = self.renderer.preview(name, lang, source, context)
            except Exception as exc:  # noqa: BLE001 - any failure refuses the template, with its line
                problems.append(_runtime_problem(exc))
                continue
            preview = preview or rendered
            problems.extend(self._output_problems(name, lang, source, rendered))
        return Validation(tuple(_unique(problems)), preview)

    def contexts(self, name: str, lang: str) -> list[dict[str, Any]]:
        """The contexts the engine passes `name` (see `Conversation._answer`): fallback gets the topics, clarify
        also its choices, an intent's template its article, paragraph and request type. Each in two sizes."""
        short_topics: list[Any] = list(sample_topics(lang))
        full_topics: list[Any] = list(self.topics(lang)) if self.topics else short_topics
        two = list(sample_choices(lang))
        label = "プライバシーポリシーの変更" if lang == "ja" else "Changes to this policy"
        three = two + [SampleChoice(3, label, 13)]
        spec = spec_for(name)
        if spec.kind == "email":
            return sample_email_contexts(name, lang)
        contexts = []
        for topics, choices in ((short_topics, two), (full_topics, three)):
            context: dict[str, Any] = {"article": None, "paragraph": None, "topics": topics}
            if name == "clarify":
                context["choices"] = choices
            elif name != "fallback":
                intent = self.catalog.by_id.get(name) if self.catalog is not None else None
                context.update(article=intent.article if intent else spec.article,
                               paragraph=intent.paragraph if intent else None,
                               request_type=intent.request_type if intent else spec.request_type)
            contexts.append(context)
        return contexts

    def _output_problems(self, name: str, lang: str, source: str, rendered: Rendered) -> Iterator[Problem]:
        if not rendered.text.strip():
            yield Problem(None, "The template renders to nothing.")
            return
        spec = spec_for(name)
        if spec.kind == "email":
            subject, _, body = rendered.text.partition("\n")
            if not subject.strip() or not body.strip():
                yield Problem(None, "An email template renders its subject on the first line, then the body after a "
                                    "blank line; this one renders no subject or no body.")
            elif len(subject) > MAX_SUBJECT_CHARS:
                yield Problem(1, f"The subject renders to {len(subject):,} characters; at most {MAX_SUBJECT_CHARS} "
                                 "are allowed.")
        if spec.article_bound and spec.article is not None:
            cite = self.renderer.citation(spec.article, lang)
            if cite not in rendered.text:
                yield Problem(None, f"The answer no longer cites the article: it must contain \u201c{cite}\u201d "
                                    "(keep {{ cite }} in the template).")
        if len(rendered.mrkdwn) > SLACK_TEXT_LIMIT:
            yield Problem(None, f"The reply renders to {len(rendered.mrkdwn):,} characters; a Slack message allows "
                                f"at most {SLACK_TEXT_LIMIT:,}.")
        for number, section in enumerate(rendered.mrkdwn.split("\n\n"), start=1):
            if len(section) > SLACK_SECTION_LIMIT:
                yield Problem(_line_of(source, section),
                              f"Paragraph {number} of the reply renders to {len(section):,} characters; a Slack "
                              f"section allows at most {SLACK_SECTION_LIMIT:,}. Split it with a blank line.")


def _static_problems(ast: nodes.Template, known: frozenset[str] = CONTEXT_VARIABLES) -> Iterator[Problem]:
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    assigned |= {m.name for m in ast.find_all(nodes.Macro)}
    for node in ast.find_all(nodes.Node):
        line = getattr(node, "lineno", None)
        if isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name in FORBIDDEN_NAMES or node.name.startswith("_"):
                yield Problem(line, f"\u201c{node.name}\u201d is not available to templates (sandbox).")
            elif node.name not in known | JINJA_LOCALS | assigned:
                yield Problem(line, f"Undefined variable \u201c{node.name}\u201d. Templates can use: "
                                    f"{', '.join(sorted(known))}.")
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            yield Problem(line, f"Attribute \u201c{node.attr}\u201d is not allowed: names starting with _ reach "
                                "Python internals (sandbox).")
        elif isinstance(node, nodes.Const) and isinstance(node.value, str) and (
                "__" in node.value or node.value.startswith("_")):
            yield Problem(line, f"The string \u201c{node.value[:40]}\u201d looks like a Python internal name and is "
                                "not allowed (sandbox).")
        elif isinstance(node, nodes.Const) and isinstance(node.value, (int, float)) and not isinstance(
                node.value, bool) and abs(node.value) > MAX_NUMBER:
            yield Problem(line, f"Numbers above {MAX_NUMBER:,} are not allowed.")
        elif isinstance(node, nodes.Filter) and node.name in FORBIDDEN_FILTERS:
            yield Problem(line, f"The \u201c{node.name}\u201d filter is not allowed (sandbox).")
        elif isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            yield Problem(line, "include, import and extends are not allowed: a template stands on its own.")
        elif isinstance(node, nodes.Pow):
            yield Problem(line, "The ** operator is not allowed.")
        elif isinstance(node, nodes.For) and _loop_depth(ast, node) > MAX_LOOP_DEPTH:
            yield Problem(line, f"Loops may be nested at most {MAX_LOOP_DEPTH} deep.")


def _loop_depth(ast: nodes.Template, target: nodes.For) -> int:
    def walk(node: nodes.Node, depth: int) -> int | None:
        if node is target:
            return depth + 1
        inner = depth + 1 if isinstance(node, nodes.For) else depth
        for child in node.iter_child_nodes():
            found = walk(child, inner)
            if found is not None:
                return found
        return None

    return walk(ast, 0) or 1


def _runtime_problem(exc: Exception) -> Problem:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    line = lines[-1] if lines else None
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, RenderLimitExceeded):
        return Problem(line, f"Does too much work: {message}. Templates must render quickly and stay small.")
    if isinstance(exc, SecurityError):
        return Problem(line, f"Forbidden by the sandbox: {message}")
    if isinstance(exc, jinja2.UndefinedError):
        return Problem(line, f"Undefined variable: {message} (in the context the bot passes this template)")
    if isinstance(exc, jinja2.TemplateError):
        return Problem(line, f"Cannot render: {message}")
    return Problem(line, f"Cannot render: {type(exc).__name__}: {message}")


def _line_of(source: str, section: str) -> int | None:
    """The template line a rendered section most likely starts from (its first words), if it can be found."""
    lines = [line.replace("*", "") for line in source.splitlines()]
    for rendered in section.split("\n"):
        probe = rendered.lstrip("•> ").replace("*", "")[:24].strip()
        if len(probe) < 4:
            continue
        for number, line in enumerate(lines, start=1):
            if probe in line:
                return number
    return None


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def describe(problems: Sequence[Problem]) -> str:
    """One line per problem, for the CLI and logs."""
    return "\n".join(str(p) for p in problems)
