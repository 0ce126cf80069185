"""Render a reply: pick the template (admin override or shipped default), enrich the context, convert.

Safety by construction: the only strings ever compiled as templates are the shipped `.j2` files and
the text an override `TemplateSource` returns (admins' edits). Conversation data — user text, topic
labels, choices — only ever travels as context *values*, which Jinja prints literally; and every template
runs in an immutable sandbox, so even an admin's template cannot reach Python internals.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Hashable, Mapping, Protocol

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from responses import markup
from responses.limits import BoundedSandbox, RenderLimitExceeded, RenderLimits, render_bounded
from responses.names import spec_for
from responses.policy import Policy

DEFAULT_TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_LANG = "en"

#: Put under the quoted article of a Japanese reply: the quote is our translation of the English policy (the one
#: official text we hold), not the company's Japanese version. The policy says nothing about which version prevails,
#: so neither does the notice.
JA_NOTICE = "※上の引用は、英語版のプライバシーポリシーから翻訳した参考訳です。"
#: Added to the notice when the operator configured the official Japanese version's address.
JA_NOTICE_LINK = "日本語版のプライバシーポリシー：{url}"

logger = logging.getLogger(__name__)


class TemplateLoadError(RuntimeError):
    """A shipped template is missing or does not compile; the message names the file."""


class TemplateSource(Protocol):
    """Where admin-edited templates come from (the composition root wires this to the store)."""

    def get(self, name: str, lang: str) -> str | None:
        """The override source text for `name` in `lang`, or None to use the shipped default."""
        ...


@dataclass(frozen=True)
class Rendered:
    """One reply in the markup and the three output formats."""

    markup: str
    text: str
    html: str
    mrkdwn: str

    @classmethod
    def of(cls, text: str) -> "Rendered":
        """`text` (markup) in the three output formats."""
        plain, html, mrkdwn = markup.to_formats(text)
        return cls(markup=text, text=plain, html=html, mrkdwn=mrkdwn)


def make_environment(limits: RenderLimits = RenderLimits()) -> ImmutableSandboxedEnvironment:
    """The Jinja environment every template runs in: immutable sandbox, strict undefined, no autoescape, and the
    work of each render bounded by `limits` (`responses.limits`).

    Autoescape is off because templates produce markup, not HTML; `markup.to_html` escapes everything.
    """
    return BoundedSandbox(
        limits=limits,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


class Renderer:
    """Renders named templates per language with the policy wired into the context."""

    def __init__(
        self,
        *,
        env: SandboxedEnvironment,
        policies: Mapping[str, Policy],
        templates_dir: Path = DEFAULT_TEMPLATES_DIR,
        source: TemplateSource | None = None,
        cache_size: int = 256,
        ja_policy_url: str | None = None,
    ) -> None:
        # Refuse an unsafe environment outright: admins' templates are compiled with it.
        if not isinstance(env, SandboxedEnvironment):
            raise TypeError("Renderer needs a jinja2 SandboxedEnvironment (see make_environment())")
        if not (isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined)):
            raise TypeError("Renderer needs an environment with undefined=StrictUndefined")
        if DEFAULT_LANG not in policies:
            raise ValueError(f"policies must include {DEFAULT_LANG!r}")
        self._env = env
        self._policies = dict(policies)
        self._source = source
        self._ja_notice = JA_NOTICE + (JA_NOTICE_LINK.format(url=ja_policy_url) if ja_policy_url else "")
        self._sources, self._defaults = _load_templates(env, templates_dir)
        # Overrides are compiled once per distinct source text; editing a template changes the key.
        self._compile = functools.lru_cache(maxsize=cache_size)(env.from_string)
        # Finished replies by (name, lang, override text, caller's key): answers repeat, and rendering plus the
        # three conversions was a fifth of a chat message's time (benchmarks/RESULTS.md). Bounded by clearing.
        self._rendered: dict[tuple[Hashable, ...], Rendered] = {}
        self._rendered_max = 4 * cache_size

    def citation(self, article: int, lang: str) -> str:
        """"Article 7 (Disclosure of Personal Information)" in `lang` (English if `lang` is unknown)."""
        lang = lang if lang in self._policies else DEFAULT_LANG
        return self._policies[lang].article(article).cite(lang)

    def names(self) -> list[str]:
        """Every template name (the same set in every language), sorted."""
        return sorted(self._defaults[DEFAULT_LANG])

    def langs(self) -> list[str]:
        """The languages templates ship in, sorted."""
        return sorted(self._defaults)

    def default_source(self, name: str, lang: str) -> str:
        """The shipped source text of `name` (for the admin editor and rollback); KeyError if unknown."""
        lang = self._lang(lang)
        self._check_name(name)
        return self._sources[lang][name]

    def compile_source(self, text: str) -> jinja2.Template:
        """Compile template source text in the sandbox (cached by text); raises TemplateSyntaxError."""
        return self._compile(text)

    def render(self, name: str, lang: str, context: Mapping[str, Any], *, cache_key: Hashable | None = None
               ) -> Rendered:
        """Render `name` in `lang` (unknown languages fall back to English); KeyError for unknown names.

        `context` values are data only. A broken admin override is logged and replaced by the shipped
        default, so a bad edit can never take the bot down; errors in shipped templates propagate.
        `cache_key`, when given, must determine `context` completely (and hold no personal data): the result is
        then remembered per template version, so an admin's edit is used at once.
        """
        lang = self._lang(lang)
        self._check_name(name)
        override = self._override(name, lang)
        if cache_key is None:
            return self._render(name, lang, context, override)
        key = (name, lang, override, cache_key)
        cached = self._rendered.get(key)
        if cached is None:
            cached = self._render(name, lang, context, override)
            if len(self._rendered) >= self._rendered_max:
                self._rendered.clear()
            self._rendered[key] = cached
        return cached

    def _render(self, name: str, lang: str, context: Mapping[str, Any], override: str | None) -> Rendered:
        variables = self._variables(name, lang, context)
        if override is not None:
            try:
                return self._finish(self._run(self.compile_source(override), variables), name, lang, variables)
            except RenderLimitExceeded as exc:
                # Validation refuses such templates; one that still overruns (other data, a slower machine) must
                # not hang a worker: the shipped default answers, and admins see why in the log.
                logger.error("override %s/%s exceeded the render limits (%s); using the default", lang, name, exc)
            except Exception as exc:  # any failure of an admin override falls back to the shipped default
                # Only the name and error type are logged: the message may echo conversation data.
                logger.warning("override %s/%s failed (%s); using the default", lang, name, type(exc).__name__)
        return self._finish(self._run(self._defaults[lang][name], variables), name, lang, variables)

    def _run(self, template: jinja2.Template, variables: dict[str, Any]) -> str:
        """Render with the environment's limits (`responses.limits`) when it has them."""
        limits = getattr(self._env, "limits", None)
        if isinstance(limits, RenderLimits):
            return render_bounded(template, variables, limits)
        return template.render(variables)

    def preview(self, name: str, lang: str, text: str, context: Mapping[str, Any]) -> Rendered:
        """Render candidate source `text` as template `name` without installing it (admin preview).

        Unlike `render`, every error propagates (TemplateSyntaxError, UndefinedError, SecurityError) so
        the editor can show it and refuse to save.
        """
        lang = self._lang(lang)
        self._check_name(name)
        variables = self._variables(name, lang, context)
        return self._finish(self._run(self.compile_source(text), variables), name, lang, variables)

    def _lang(self, lang: str) -> str:
        return lang if lang in self._defaults else DEFAULT_LANG

    def _check_name(self, name: str) -> None:
        if name not in self._defaults[DEFAULT_LANG]:
            raise KeyError(f"unknown template {name!r}")

    def _override(self, name: str, lang: str) -> str | None:
        if self._source is None:
            return None
        try:
            return self._source.get(name, lang)
        except Exception as exc:  # noqa: BLE001 - a store outage must not stop answers; defaults exist
            logger.warning("template source failed for %s/%s (%s); using the default", lang, name, type(exc).__name__)
            return None

    def _variables(self, name: str, lang: str, context: Mapping[str, Any]) -> dict[str, Any]:
        variables = dict(context)
        number = context.get("article")
        if number is None:
            number = spec_for(name).article
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise TypeError(f"context 'article' must be an int or None, got {type(number).__name__}")
        # The renderer's own keys win over anything the caller passed under the same name.
        variables["lang"] = lang
        policy = self._policies.get(lang) or self._policies[DEFAULT_LANG]
        # Facts printed after Article 14 (contact block) and at the policy's end (enacted/revised dates).
        variables["contact"] = policy.contact
        variables["history"] = policy.history
        # Another article of the same policy, for an answer that rests on two (advertising: Arts. 11 and 12):
        # article_of(12).quote(paragraph=1), article_of(12).cite(lang).
        variables["article_of"] = policy.article
        if number is None:
            variables["article"] = None
            return variables
        article = policy.article(number)
        variables["article"] = article
        variables["cite"] = article.cite(policy.lang)
        variables["quote"] = article.quote
        return variables

    def _finish(self, rendered: str, name: str, lang: str, variables: Mapping[str, Any]) -> Rendered:
        text = markup.normalize(rendered)
        explains_article = variables["article"] is not None and spec_for(name).kind in ("question", "request", "silent")
        if lang == "ja" and explains_article and JA_NOTICE not in text:
            text = _under_quote(text, self._ja_notice, variables["article"].text())
        return Rendered.of(text)


def _under_quote(text: str, notice: str, body: str) -> str:
    """`notice` as its own paragraph right after the last quoted line of the article (a "> " quote, or a "- " item
    quoted verbatim, such as Article 7's exceptions), so it describes the quote and nothing else; at the end when
    the reply quotes nothing (an admin's edit may drop the quote)."""
    lines = text.split("\n")
    quoted = [n for n, line in enumerate(lines)
              if line.startswith("> ") or (line.startswith("- ") and len(line) > 12 and line[2:] in body)]
    if not quoted:
        return f"{text}\n\n{notice}"
    end = quoted[-1] + 1
    return "\n".join(lines[:end] + ["", notice] + ([""] if end < len(lines) and lines[end] else []) + lines[end:])


def _load_templates(
    env: SandboxedEnvironment, templates_dir: Path
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, jinja2.Template]]]:
    """Read and compile `templates_dir/{lang}/{name}.j2`; every language must have the same names."""
    sources: dict[str, dict[str, str]] = {}
    compiled: dict[str, dict[str, jinja2.Template]] = {}
    lang_dirs = sorted(p for p in templates_dir.iterdir() if p.is_dir()) if templates_dir.is_dir() else []
    for lang_dir in lang_dirs:
        lang = lang_dir.name
        sources[lang], compiled[lang] = {}, {}
        for path in sorted(lang_dir.glob("*.j2")):
            try:
                text = path.read_text(encoding="utf-8")
                compiled[lang][path.stem] = env.from_string(text)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateLoadError(f"{path}: line {exc.lineno}: {exc.message}") from exc
            except (OSError, UnicodeDecodeError) as exc:
                raise TemplateLoadError(f"{path}: cannot read template: {exc}") from exc
            sources[lang][path.stem] = text
    if not compiled.get(DEFAULT_LANG):
        raise TemplateLoadError(f"{templates_dir / DEFAULT_LANG}: no templates found")
    expected = set(compiled[DEFAULT_LANG])
    for lang, templates in compiled.items():
        for missing in sorted(expected - set(templates)):
            raise TemplateLoadError(f"{templates_dir / lang / (missing + '.j2')}: missing (exists in {DEFAULT_LANG})")
        for extra in sorted(set(templates) - expected):
            raise TemplateLoadError(f"{templates_dir / lang / (extra + '.j2')}: has no {DEFAULT_LANG} counterpart")
    return sources, compiled
