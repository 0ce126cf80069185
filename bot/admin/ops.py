"""What admins do to templates and example phrasings, shared by the web editor (`bot.admin.routes`) and the CLI
(`bot.cli.templates`): every save is validated first (`bot.admin.validation`) and nothing is written when it fails.

Version 0 of every template stands for the shipped default; versions 1… are the store's history.
"""
from __future__ import annotations

import difflib
import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from bot.admin.validation import Problem, TemplateValidator, Validation
from handoff.content import MAX_NOTE, Phrasing, TemplateVersion
from handoff.store import ContentStore
from intents.catalog import Catalog, Intent
from intents.language import detect_language
from intents.normalize import fold
from responses.names import spec_for
from responses.renderer import Renderer

if TYPE_CHECKING:
    from bot.app import Services

MIN_PHRASING = 3
MAX_PHRASING = 300
MAX_PHRASINGS_PER_INTENT = 200
LANG_NAMES = {"en": "English", "ja": "Japanese"}


class Refused(Exception):
    """The change was refused and nothing was saved; `problems` say why (with template lines where known)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class TemplateRow:
    """One line of the template list: a template in one language and its state."""

    name: str
    lang: str
    kind: str
    article: int | None
    head: TemplateVersion | None  # newest version, None when never edited

    @property
    def overridden(self) -> bool:
        return self.head is not None and self.head.source is not None


def clean_source(text: str) -> str:
    """Line endings as the shipped files have them (browsers send CRLF); one final newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """`difflib.unified_diff` lines (no trailing newlines); empty when the texts are the same."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=old_label, tofile=new_label, n=3)]


class TemplateAdmin:
    """Template operations on the store; `on_change` runs after every successful write (cache invalidation)."""

    def __init__(self, store: ContentStore, renderer: Renderer, validator: TemplateValidator, *,
                 clock: Callable[[], float] = time.time, on_change: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.renderer = renderer
        self.validator = validator
        self.clock = clock
        self.on_change = on_change

    def check(self, name: str, lang: str) -> None:
        """KeyError unless `name` is a template and `lang` one of its languages."""
        if lang not in self.renderer.langs():
            raise KeyError(f"unknown language {lang!r}")
        self.renderer.default_source(name, lang)

    def rows(self) -> list[TemplateRow]:
        heads = self.store.template_heads()
        return [TemplateRow(name, lang, spec_for(name).kind, spec_for(name).article, heads.get((name, lang)))
                for name in self.renderer.names() for lang in self.renderer.langs()]

    def head(self, name: str, lang: str) -> TemplateVersion | None:
        self.check(name, lang)
        history = self.store.template_history(name, lang)
        return history[0] if history else None

    def current(self, name: str, lang: str) -> tuple[str, int]:
        """The source in use and the newest version number (0 when never edited)."""
        head = self.head(name, lang)
        if head is None or head.source is None:
            return self.renderer.default_source(name, lang), head.number if head else 0
        return head.source, head.number

    def source_of(self, name: str, lang: str, number: int) -> str:
        """The text of version `number` (0 or a reset: the shipped default). TemplateVersionNotFound if missing."""
        self.check(name, lang)
        if number == 0:
            return self.renderer.default_source(name, lang)
        version = self.store.get_template_version(name, lang, number)
        return version.source if version.source is not None else self.renderer.default_source(name, lang)

    def validate(self, name: str, lang: str, source: str) -> Validation:
        self.check(name, lang)
        return self.validator.validate(name, lang, clean_source(source))

    def save(self, name: str, lang: str, source: str, *, author: str, note: str, base_version: int | None = None,
             action: str = "edit") -> TemplateVersion:
        """Validate and save `source` as the new version. Raises Refused (nothing saved) when it fails validation,
        is unchanged or the note is too long; TemplateConflict when `base_version` is stale."""
        source = clean_source(source)
        note = _note(note)
        validation = self.validate(name, lang, source)
        if not validation.ok:
            raise Refused(validation.problems)
        current, _ = self.current(name, lang)
        if current == source:
            raise Refused([Problem(None, "Nothing changed: the text is the one already in use.")])
        version = self.store.save_template_version(name, lang, source, author=author, note=note, now=self.clock(),
                                                   action=action, base_version=base_version)
        self.on_change()
        return version

    def rollback(self, name: str, lang: str, number: int, *, author: str, note: str = "") -> TemplateVersion:
        """Make version `number`'s text current again as a new version (0 or a reset version: the default).
        The old text is validated again (templates and contexts may have changed since)."""
        target = self.store.get_template_version(name, lang, number) if number else None
        if target is None or target.source is None:
            return self.reset(name, lang, author=author, note=note or f"Back to the shipped default (version {number})")
        validation = self.validate(name, lang, target.source)
        if not validation.ok:
            raise Refused(validation.problems)
        version = self.store.save_template_version(name, lang, target.source, author=author,
                                                   note=_note(note) or f"Rolled back to version {number}",
                                                   now=self.clock(), action="rollback", restored_from=number)
        self.on_change()
        return version

    def reset(self, name: str, lang: str, *, author: str, note: str = "") -> TemplateVersion:
        """Go back to the shipped default (recorded as a version). Refused when it is already in use."""
        head = self.head(name, lang)
        if head is None or head.source is None:
            raise Refused([Problem(None, "The shipped default is already in use.")])
        version = self.store.save_template_version(name, lang, None, author=author,
                                                   note=_note(note) or "Reset to the shipped default",
                                                   now=self.clock(), action="reset")
        self.on_change()
        return version

    def diff(self, name: str, lang: str, a: int, b: int) -> list[str]:
        """Unified diff from version `a` to version `b` (0 = shipped default)."""
        return unified_diff(self.source_of(name, lang, a), self.source_of(name, lang, b),
                            _label(name, lang, a), _label(name, lang, b))


def _label(name: str, lang: str, number: int) -> str:
    return f"{lang}/{name} " + ("(shipped default)" if number == 0 else f"version {number}")


def _note(note: str) -> str:
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise Refused([Problem(None, f"The change note is too long ({len(note)} characters; at most {MAX_NOTE}).")])
    return note


class PhrasingAdmin:
    """Example phrasings on intents: checked, added, removed; `on_change` runs after every write."""

    def __init__(self, store: ContentStore, catalog: Catalog, *, clock: Callable[[], float] = time.time,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.on_change = on_change

    def intent(self, intent_id: str) -> Intent:
        """The intent, or KeyError."""
        return self.catalog[intent_id]

    def problems(self, intent_id: str, lang: str, text: str) -> list[Problem]:
        """Why `text` cannot be added to `intent_id` in `lang` (empty when it can)."""
        if intent_id not in self.catalog:
            return [Problem(None, "Unknown intent.")]
        if lang not in LANG_NAMES:
            return [Problem(None, "Choose English or Japanese.")]
        text = text.strip()
        if not text:
            return [Problem(None, "Write the phrasing first.")]
        if any(unicodedata.category(c) == "Cc" for c in text if c not in "\t"):
            return [Problem(None, "The phrasing contains control characters or several lines; write one line.")]
        if len(text) < MIN_PHRASING or len(fold(text)) < 2 or not any(c.isalpha() for c in text):
            return [Problem(None, f"The phrasing is too short (at least {MIN_PHRASING} characters, with letters).")]
        if len(text) > MAX_PHRASING:
            return [Problem(None, f"The phrasing is too long ({len(text)} characters; at most {MAX_PHRASING}).")]
        detected = detect_language(text, default="")
        if detected != lang:
            found = LANG_NAMES.get(detected, "no language")
            return [Problem(None, f"This reads as {found}, not {LANG_NAMES[lang]}: add it under the language people "
                                  "write it in (the matcher compares a message with the examples of its language).")]
        intent = self.catalog[intent_id]
        if fold(text) in {fold(e) for e in intent.examples.get(lang, ())}:
            return [Problem(None, "The intent already has this example phrasing.")]
        if len(self.store.list_phrasings(intent_id)) >= MAX_PHRASINGS_PER_INTENT:
            return [Problem(None, f"This intent already has {MAX_PHRASINGS_PER_INTENT} added phrasings.")]
        return []

    def add(self, intent_id: str, lang: str, text: str, *, author: str) -> Phrasing:
        """Check and add; Refused (nothing saved) when a check fails or it already exists."""
        from handoff.store import PhrasingExists

        problems = self.problems(intent_id, lang, text)
        if problems:
            raise Refused(problems)
        try:
            phrasing = self.store.add_phrasing(intent_id, lang, text.strip(), author=author, now=self.clock())
        except PhrasingExists:
            raise Refused([Problem(None, "The intent already has this example phrasing.")]) from None
        self.on_change()
        return phrasing

    def remove(self, phrasing_id: int) -> Phrasing:
        phrasing = self.store.remove_phrasing(phrasing_id)
        self.on_change()
        return phrasing


def build_admin(services: Services, *, clock: Callable[[], float] = time.time) -> tuple[TemplateAdmin, PhrasingAdmin]:
    """Template and phrasing operations on `services`, validated as the conversation will render, invalidating
    this process's copy of the content after every write."""
    content = services.content
    on_change = content.invalidate if content is not None else (lambda: None)
    validator = TemplateValidator(services.renderer, topics=services.conversation.topics, catalog=services.catalog)
    return (TemplateAdmin(services.store, services.renderer, validator, clock=clock, on_change=on_change),
            PhrasingAdmin(services.store, services.catalog, clock=clock, on_change=on_change))
