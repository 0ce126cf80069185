"""`privacy-bot templates export|import`: every edited template to files or JSON for review, and back.

Import validates every template first and saves nothing when any is refused; then it saves, as new versions
(action "import"), only those whose text differs from the one in use.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.cli.common import CommandFailed, admin_author, admin_operations, print_problems, read_input, staff_command

EXPORT_FORMAT = "privacy-bot-templates/1"


@dataclass(frozen=True)
class Entry:
    name: str
    lang: str
    source: str
    origin: str  # the file (or JSON item) it came from, for messages


@staff_command
def cmd_export(args: argparse.Namespace) -> int:
    with admin_operations() as ops:
        rows = [r for r in ops.rows() if r.overridden or args.all]
        items = [{"name": r.name, "lang": r.lang, "version": r.head.number if r.head else 0,
                  "overridden": r.overridden, "author": r.head.author if r.head else None,
                  "created_at": r.head.created_at if r.head else None, "note": r.head.note if r.head else None,
                  "source": ops.current(r.name, r.lang)[0]} for r in rows]
    document = {"format": EXPORT_FORMAT, "templates": items}
    if args.path == "-" or args.path.endswith(".json"):
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if args.path == "-":
            sys.stdout.write(text)
        else:
            Path(args.path).write_text(text, encoding="utf-8")
    else:
        root = Path(args.path)
        for item in items:
            target = root / str(item["lang"]) / f"{item['name']}.j2"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(str(item["source"]), encoding="utf-8")
        manifest = {"format": EXPORT_FORMAT, "templates": [{k: v for k, v in i.items() if k != "source"}
                                                            for i in items]}
        root.mkdir(parents=True, exist_ok=True)
        (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.path != "-":
        print(f"exported {len(items)} template(s) to {args.path}", file=sys.stderr)
    return 0


def _entries(path: str) -> list[Entry]:
    source = Path(path)
    if source.is_dir():
        files = sorted(p for p in source.glob("*/*.j2") if p.is_file())
        if not files:
            raise CommandFailed(f"{path}: no <lang>/<name>.j2 files found")
        return [Entry(f.stem, f.parent.name, f.read_text(encoding="utf-8"), str(f)) for f in files]
    try:
        document = json.loads(read_input(path))
    except json.JSONDecodeError as exc:
        raise CommandFailed(f"{path}: not valid JSON: {exc}") from None
    items = document.get("templates") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise CommandFailed(f'{path}: expected {{"templates": [{{"name", "lang", "source"}}, ...]}}')
    entries = []
    for n, item in enumerate(items, start=1):
        if not (isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("name", "lang", "source"))):
            raise CommandFailed(f"{path}: item {n} needs string fields name, lang and source")
        entries.append(Entry(item["name"], item["lang"], item["source"], f"{path}#{n} ({item['lang']}/{item['name']})"))
    return entries


@staff_command
def cmd_import(args: argparse.Namespace) -> int:
    from bot.admin.ops import clean_source

    entries = _entries(args.path)
    with admin_operations() as ops:
        author = admin_author(ops, args.actor)
        refused = 0
        changed: list[Entry] = []
        for entry in entries:
            try:
                ops.check(entry.name, entry.lang)
            except KeyError:
                print(f"{entry.origin}: no template {entry.name!r} in {entry.lang!r}", file=sys.stderr)
                refused += 1
                continue
            validation = ops.validate(entry.name, entry.lang, entry.source)
            if not validation.ok:
                print_problems(entry.origin, validation.problems)
                refused += 1
            elif clean_source(entry.source) != ops.current(entry.name, entry.lang)[0]:
                changed.append(entry)
        if refused:
            raise CommandFailed(f"{refused} template(s) refused; nothing was imported")
        for entry in changed:
            if args.dry_run:
                print(f"would update {entry.lang}/{entry.name}")
                continue
            version = ops.store.save_template_version(
                entry.name, entry.lang, clean_source(entry.source), author=author,
                note=args.note or f"Imported from {Path(args.path).name}", now=ops.clock(), action="import")
            print(f"{entry.lang}/{entry.name}: saved version {version.number}")
        if changed and not args.dry_run:
            ops.on_change()
    print(f"{len(changed)} changed, {len(entries) - len(changed)} unchanged" + (" (dry run)" if args.dry_run else ""),
          file=sys.stderr)
    return 0
