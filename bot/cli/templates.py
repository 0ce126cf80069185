"""`privacy-bot templates …`: the template editor's operations for admins who prefer files and review.

Every change is validated exactly as in the web editor (`bot.admin.validation`) and refused with one line per
problem (`FILE:LINE: reason`) when it fails; nothing is saved then. Exit 0 on success, 1 when refused, 2 for
usage errors and an unreachable store (like the other staff commands). Version 0 is the shipped default.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from bot.cli.common import CommandFailed, admin_author, admin_operations, leaf, print_problems, read_input, staff_command


def _check(ops: Any, name: str, lang: str) -> None:
    try:
        ops.check(name, lang)
    except KeyError:
        raise CommandFailed(f"no template {name!r} in {lang!r} (see: privacy-bot templates list)") from None


@contextmanager
def _template(name: str, lang: str) -> Iterator[Any]:
    """The admin operations, once template `name` in `lang` is known to exist."""
    with admin_operations() as ops:
        _check(ops, name, lang)
        yield ops


def _version_or_fail(func: Any, *args: Any, label: str | None = None, **kwargs: Any) -> Any:
    """Run an operation on (name, lang, …), turning a missing version or a refusal into one line per problem."""
    from bot.admin.ops import Refused
    from handoff.store import TemplateVersionNotFound

    try:
        return func(*args, **kwargs)
    except TemplateVersionNotFound as exc:
        raise CommandFailed(str(exc)) from None
    except Refused as exc:
        print_problems(label or f"{args[1]}/{args[0]}", exc.problems)
        raise CommandFailed("refused; nothing was saved") from None


@staff_command
def cmd_list(args: argparse.Namespace) -> int:
    with admin_operations() as ops:
        rows = ops.rows()
    if args.json:
        print(json.dumps([{"name": r.name, "lang": r.lang, "kind": r.kind, "article": r.article,
                           "overridden": r.overridden, "version": r.head.number if r.head else 0,
                           "author": r.head.author if r.head else None,
                           "created_at": r.head.created_at if r.head else None} for r in rows], ensure_ascii=False))
        return 0
    print(f"{'TEMPLATE':<30} {'LANG':<4} {'IN USE':<16} LAST CHANGE")
    for r in rows:
        state = f"edited v{r.head.number}" if r.overridden and r.head else (
            f"default (v{r.head.number})" if r.head else "default")
        last = f"{r.head.author} {_when(r.head.created_at)}" if r.head else "-"
        print(f"{r.name:<30} {r.lang:<4} {state:<16} {last}")
    return 0


def _when(epoch: float) -> str:
    from bot.staff.views import jst

    return jst(epoch)


@staff_command
def cmd_show(args: argparse.Namespace) -> int:
    with _template(args.name, args.lang) as ops:
        if args.default:
            text = ops.renderer.default_source(args.name, args.lang)
        elif args.version is not None:
            text = _version_or_fail(ops.source_of, args.name, args.lang, args.version)
        else:
            text = ops.current(args.name, args.lang)[0]
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


@staff_command
def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    name = args.name or path.name.removesuffix(".j2")
    lang = args.lang or (path.parent.name if path.parent.name in ("en", "ja") else "en")
    source = read_input(args.file)
    with _template(name, lang) as ops:
        validation = ops.validate(name, lang, source)
    if validation.ok:
        print(f"{args.file}: ok ({lang}/{name})")
        return 0
    print_problems(args.file, validation.problems)
    return 1


def _change(args: argparse.Namespace, operation: str, *extra: Any, label: str | None = None) -> Any:
    """Save a new version of the template by `operation` (save, rollback, reset) as the admin `--as` names, with
    `--note`; the version saved."""
    with _template(args.name, args.lang) as ops:
        author = admin_author(ops, args.actor)
        return _version_or_fail(getattr(ops, operation), args.name, args.lang, *extra, author=author,
                                note=args.note or "", label=label)


@staff_command
def cmd_edit(args: argparse.Namespace) -> int:
    source = read_input(args.file)
    version = _change(args, "save", source, label=args.file)
    print(f"{args.lang}/{args.name}: saved version {version.number}")
    return 0


@staff_command
def cmd_history(args: argparse.Namespace) -> int:
    with _template(args.name, args.lang) as ops:
        versions = ops.store.template_history(args.name, args.lang)
    if args.json:
        print(json.dumps([v.to_dict() for v in versions], ensure_ascii=False))
        return 0
    if not versions:
        print(f"{args.lang}/{args.name}: never edited (the shipped default is in use)")
    for n, v in enumerate(versions):
        what = {"reset": "reset to default", "rollback": f"rollback to v{v.restored_from}"}.get(v.action, v.action)
        in_use = "  (in use)" if n == 0 else ""
        print(f"v{v.number:<4} {_when(v.created_at)}  {v.author:<16} {what:<20} {v.note}{in_use}")
    return 0


@staff_command
def cmd_diff(args: argparse.Namespace) -> int:
    with _template(args.name, args.lang) as ops:
        b = args.b if args.b is not None else ops.current(args.name, args.lang)[1]
        lines = _version_or_fail(ops.diff, args.name, args.lang, args.a, b)
    for line in lines:
        print(line)
    return 0


@staff_command
def cmd_rollback(args: argparse.Namespace) -> int:
    version = _change(args, "rollback", args.version)
    print(f"{args.lang}/{args.name}: version {args.version} restored as version {version.number}")
    return 0


@staff_command
def cmd_reset(args: argparse.Namespace) -> int:
    version = _change(args, "reset")
    print(f"{args.lang}/{args.name}: shipped default in use again (version {version.number})")
    return 0


def add_template_parsers(sub: Any) -> None:
    """`templates list|show|edit|validate|history|diff|rollback|reset|export|import`."""
    from bot.cli.templates_io import cmd_export, cmd_import

    templates = sub.add_parser(
        "templates", help="view, edit, validate, diff and roll back response templates (admin)",
        description="Work on the response templates in the configured store (SQLite by default, Redis with "
                    "REDIS_URL). Edits are validated as in the web editor and saved as new versions; every server "
                    "uses them within a second. Version 0 is the shipped default.")
    tsub = templates.add_subparsers(dest="action", required=True, metavar="ACTION")

    def named(p: argparse.ArgumentParser) -> None:
        p.add_argument("name", metavar="NAME", help="template name, e.g. disclosure_info (see: templates list)")
        p.add_argument("--lang", choices=("en", "ja"), default="en", help="language (default en)")

    def changed_by(p: argparse.ArgumentParser) -> None:
        p.add_argument("--as", dest="actor", required=True, metavar="USER", help="admin account making the change")
        p.add_argument("--note", metavar="TEXT", help="change note shown in the history")

    p = leaf(tsub, "list", cmd_list, "templates list", "list templates and which are edited",
              "List every template in every language: edited (with the version in use) or the shipped default.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = leaf(tsub, "show", cmd_show, "templates show", "print a template's text",
              "Print the text in use (or --version N, or --default).")
    named(p)
    p.add_argument("--version", type=int, metavar="N", help="this version (0 = the shipped default)")
    p.add_argument("--default", action="store_true", help="the shipped default")

    p = leaf(tsub, "edit", cmd_edit, "templates edit", "validate and save a new version from a file",
              "Validate FILE as template NAME and save it as a new version (refused with FILE:LINE: reason lines "
              "when it fails; nothing is saved then).")
    named(p)
    p.add_argument("--file", required=True, metavar="FILE", help="the new text (- for stdin)")
    changed_by(p)

    p = leaf(tsub, "validate", cmd_validate, "templates validate", "check a template file without saving",
              "Check FILE as a template (name from --name or the file name, language from --lang or the parent "
              "directory en/ja). Prints FILE:LINE: reason per problem; exit 1 when there are any.")
    p.add_argument("file", metavar="FILE", help="template file (- for stdin, then give --name)")
    p.add_argument("--name", metavar="NAME", help="template name (default: the file name without .j2)")
    p.add_argument("--lang", choices=("en", "ja"), help="language (default: the parent directory, else en)")

    p = leaf(tsub, "history", cmd_history, "templates history", "list a template's versions",
              "List the versions of a template, newest (in use) first: number, time, author, action, note.")
    named(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = leaf(tsub, "diff", cmd_diff, "templates diff", "unified diff between two versions",
              "Unified diff from version A to version B (default: the version in use); 0 is the shipped default.")
    named(p)
    p.add_argument("a", type=int, metavar="A", help="from this version")
    p.add_argument("b", type=int, nargs="?", metavar="B", help="to this version (default: the one in use)")

    p = leaf(tsub, "rollback", cmd_rollback, "templates rollback", "make an earlier version current again",
              "Save version VERSION's text again as a new version (0 = the shipped default). It is validated again.")
    named(p)
    p.add_argument("version", type=int, metavar="VERSION", help="the version to restore")
    changed_by(p)

    p = leaf(tsub, "reset", cmd_reset, "templates reset", "go back to the shipped default",
              "Use the shipped default again (recorded as a new version, so it can be rolled back).")
    named(p)
    changed_by(p)

    p = leaf(tsub, "export", cmd_export, "templates export", "write the edited templates to files or JSON",
              "Write every edited template (--all: every template) for review: PATH ending in .json (or -) gets "
              "one JSON document; any other PATH becomes a directory of <lang>/<name>.j2 files with manifest.json.")
    p.add_argument("path", metavar="PATH", help="directory, FILE.json, or - for stdout")
    p.add_argument("--all", action="store_true", help="include templates that use the shipped default")

    p = leaf(tsub, "import", cmd_import, "templates import", "validate and save templates from files or JSON",
              "Read a directory of <lang>/<name>.j2 files or a JSON export, validate every template first (if any "
              "is refused, nothing is saved), then save those that differ from the text in use as new versions.")
    p.add_argument("path", metavar="PATH", help="directory or JSON file (- for stdin)")
    changed_by(p)
    p.add_argument("--dry-run", action="store_true", help="validate and list what would change; save nothing")
