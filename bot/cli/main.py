"""`privacy-bot` console script: serve, ask, chat, classify, eval; the staff and admin commands (tickets,
users, purge) live in `bot.cli.staff`."""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from bot.cli.staff import add_staff_parsers
from bot.cli.templates import add_template_parsers
from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from intents.thresholds import Thresholds


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings: forwarded headers believed only from the configured proxies. uvicorn's own
    default would believe them from 127.0.0.1 (or FORWARDED_ALLOW_IPS), letting anyone on the machine, or any
    request relayed through a local process, pick the client address that rate limits count by."""
    if not settings.forwarded_allow_ips:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.forwarded_allow_ips)}


DEFAULT_PORT = 8000


def public_url_warning(settings: Settings, port: int) -> str | None:
    """The start-up warning when links in staff alerts and emails would point at the wrong place: the public URL
    was left at its default while this server listens on another port."""
    if settings.public_url_set or port == DEFAULT_PORT:
        return None
    return (f"PRIVACY_BOT_PUBLIC_URL is not set, so links in staff alerts and emails point to {settings.public_url}, "
            f"but this server listens on port {port}. Set PRIVACY_BOT_PUBLIC_URL to the address staff open "
            "(e.g. https://privacy.example.com).")


#: `serve`'s exit status when the server could not start (the port is taken…), as uvicorn's own.
STARTUP_FAILURE = 3


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot import heap
    from bot.app import build_services, configure_logging
    from bot.digest import DigestScheduler
    from bot.signals import stop_on_signals
    from bot.web.app import create_app

    settings = _settings()
    configure_logging(settings)
    services = build_services(settings)
    app = create_app(services)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=settings.log_level.lower(),
                                           access_log=False, server_header=False, **proxy_options(settings)))
    digest = DigestScheduler(services)
    # SIGTERM / SIGINT from here on: uvicorn stops serving (it finishes the requests in progress), then the outbox's
    # round finishes the message in hand and records it, then the store is closed (see bot/signals.py).
    with stop_on_signals(lambda: setattr(server, "should_exit", True)):
        try:
            services.dispatcher.start()  # the outbox (staff alerts, emails, Slack messages), beside the server
            digest.start()  # the daily digest of overdue and due-soon tickets (PRIVACY_BOT_DIGEST_HOUR)
            warning = public_url_warning(settings, args.port)
            if warning:
                print(f"privacy-bot: warning: {warning}", file=sys.stderr, flush=True)
            print(f"privacy-bot: serving on http://{args.host}:{args.port} "
                  f"(store: {services.store.health().backend}; Slack: {'on' if settings.slack_enabled else 'off'})",
                  file=sys.stderr, flush=True)
            heap.settle()  # start-up objects out of the collector's way: no full-collection pauses while serving
            server.run()
        finally:
            digest.stop()
            services.close()
    return 0 if server.started else STARTUP_FAILURE


def cmd_slack(args: argparse.Namespace) -> int:
    from bot.slack.app import run_socket_mode

    return run_socket_mode(_settings())


def _print_reply(reply_dict: dict[str, object], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(reply_dict, ensure_ascii=False) + "\n")
        return
    out.write(str(reply_dict["text"]).rstrip() + "\n")
    if reply_dict.get("citation"):
        out.write(f"-- {reply_dict['citation']}\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.engine.messages import Message

    services = build_services(_settings())
    try:
        reply = services.conversation.handle(
            Message(text=args.text, session_id=args.session or "cli-" + secrets.token_hex(8), frontend="cli", lang=args.lang)
        )
        _print_reply(reply.to_dict(), args.json, sys.stdout)
        if reply.ticket:
            services.dispatcher.run_once()
    finally:
        services.close()
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.engine.messages import Message

    services = build_services(_settings())
    session_id = args.session or "cli-" + secrets.token_hex(8)
    step: str | None = None
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask about the privacy policy. Type a choice number to pick it; Ctrl-D or /quit to leave.")
    try:
        while True:
            if interactive:
                print("you> ", end="", flush=True)
            line = sys.stdin.readline()
            if not line or line.strip() in ("/quit", "/exit"):
                break
            if not line.strip():
                continue
            # Each line answers the question just printed: its step token goes back (bot/engine/steps.py), so
            # answers typed or piped in quick succession are never taken for retries.
            reply = services.conversation.handle(
                Message(text=line.rstrip("\n"), session_id=session_id, frontend="cli", lang=args.lang, step=step)
            )
            step = reply.step
            data = reply.to_dict()
            if args.json:
                _print_reply(data, True, sys.stdout)
            else:
                print("bot> " + reply.text.rstrip().replace("\n", "\n     "))
                # Form options are buttons elsewhere; on the terminal they are typed by number.
                if reply.choices and not all(c.label in reply.text for c in reply.choices):
                    for choice in reply.choices:
                        print(f"     {choice.number}. {choice.label}")
                if reply.citation:
                    print(f"     -- {reply.citation}")
            sys.stdout.flush()
            if reply.ticket:
                services.dispatcher.run_once()
    except KeyboardInterrupt:
        print()
    finally:
        services.close()
    return 0


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    return open(path, encoding="utf-8", errors="replace")


def cmd_classify(args: argparse.Namespace) -> int:
    from bot.app import build_matcher
    from bot.engine.evaluation import InputError, classify, read_jsonl

    matcher = build_matcher()
    errors = 0
    stream = _open_input(args.file)
    try:
        for number, record in read_jsonl(stream):
            if isinstance(record, InputError):
                errors += 1
                print(f"privacy-bot classify: {record}", file=sys.stderr)
                out = {"id": None, "line": number, "error": str(record)}
            else:
                out = classify(matcher, record["text"], record.get("id"), record.get("lang") if args.use_lang else None)
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 1 if errors else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from collections import Counter

    from bot.app import build_matcher
    from bot.engine.evaluation import (InputError, evaluate, format_confusion, format_report, format_sets,
                                       read_jsonl)
    from bot.engine.fidelity import format_fidelity
    from intents.matcher import Matcher

    sets: dict[str, list[dict[str, Any]]] = {}
    for path in args.files:
        records = []
        with _open_input(path) as stream:
            for _, record in read_jsonl(stream):
                if isinstance(record, InputError):
                    print(f"privacy-bot eval: {path}: {record}", file=sys.stderr)
                    return 2
                records.append(record)
        name = Path(path).stem if path != "-" else "stdin"
        while name in sets:
            name += "'"
        sets[name] = records
    matcher = build_matcher()
    if args.set:
        matcher = Matcher(matcher.catalog, thresholds=_thresholds(args.set))
    # Warm up so the first message's one-off costs do not count as matching latency.
    for records in sets.values():
        for record in records[:20]:
            matcher.match(record["text"])
    reports = {name: evaluate(matcher, records) for name, records in sets.items()}
    summaries = {name: report.summary() for name, report in reports.items()}
    confusion: Counter[tuple[str, str]] = Counter()
    for report in reports.values():
        confusion.update(report.confusion)
    if args.failures:
        for name, report in reports.items():
            summaries[name]["failures"] = report.failures
    fidelity = _fidelity(sets, matcher)  # sets with must / must-not phrases: whole replies checked too
    for name, report in fidelity.items():
        summaries[name]["fidelity"] = report.summary()
        if args.failures:
            summaries[name]["fidelity"]["failed_items"] = report.failures
    if args.json:
        if len(summaries) == 1:
            print(json.dumps(next(iter(summaries.values())), ensure_ascii=False, indent=2))
        else:
            print(json.dumps({"sets": summaries}, ensure_ascii=False, indent=2))
    else:
        if len(summaries) == 1:
            print(format_report(next(iter(summaries.values()))))
        print(format_sets(summaries))
        print("\nper-article confusion (rows: expected article, columns: answered article; - is none):")
        print(format_confusion(confusion))
        for name, report in fidelity.items():
            print(f"\nfidelity of {name}: " + format_fidelity(report.summary()))
            for f in report.failures if args.failures else ():
                print(f"  {f['id']}: {f['text'][:100]!r}: {'; '.join(f['problems'])}")
        if args.failures:
            print("\nfailures (expected [article, handoff] -> got):")
            for name, report in reports.items():
                for f in report.failures:
                    print(f"  {f['id']}: {f['expected']} -> {f['got']} {f['decision']}/{f['intent']}: "
                          f"{f['text'][:140]!r}")
    missed = [f"{name}: {m}" for name, report in reports.items() for m in report.missed_targets()]
    if args.check and missed:
        print("targets missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


def _fidelity(sets: dict[str, list[dict[str, Any]]], matcher: Any) -> dict[str, Any]:
    """The fidelity report of every set that has fidelity items, each asked of a real conversation (renderer and a
    throw-away SQLite store, so requests start their forms as they would for a user)."""
    import tempfile

    from bot.app import build_renderer
    from bot.engine.conversation import Conversation
    from bot.engine.fidelity import evaluate_fidelity, is_fidelity_item
    from handoff.sqlite.store import SQLiteStore

    wanted = {name: records for name, records in sets.items() if any(is_fidelity_item(r) for r in records)}
    if not wanted:
        return {}
    with tempfile.TemporaryDirectory(prefix="privacy-bot-fidelity-") as directory:
        store = SQLiteStore.in_dir(Path(directory))
        try:
            conversation = Conversation(matcher=matcher, renderer=build_renderer(), store=store)
            return {name: evaluate_fidelity(conversation.handle, records) for name, records in wanted.items()}
        finally:
            store.close()


def _thresholds(pairs: Sequence[str]) -> "Thresholds":
    """`intents.thresholds.DEFAULT` with NAME=VALUE overrides (for ablations: learned_points=15, ask_weight=0…)."""
    from dataclasses import fields, replace

    from intents.thresholds import DEFAULT

    types = {f.name: f.type for f in fields(DEFAULT)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in types or not value:
            raise SystemExit(f"privacy-bot eval: --set {pair!r}: expected NAME=VALUE with NAME one of {sorted(types)}")
        try:
            changes[name] = int(value) if types[name] in (int, "int") else float(value)
        except ValueError:
            raise SystemExit(f"privacy-bot eval: --set {pair!r}: not a number") from None
    return replace(DEFAULT, **changes)


def _version() -> str:
    """The installed distribution's version (pyproject.toml), the same one /docs shows."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("privacy-bot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privacy-bot", description="Privacy-policy inquiry assistant.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the web chat, APIs and pages", description="Run the web server.")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("slack", help="run the Slack app over Socket Mode (needs SLACK_APP_TOKEN)",
                       description="Connect to Slack over Socket Mode and answer there; HTTP mode is part of `serve`.")
    p.set_defaults(func=cmd_slack)

    for name, helptext in (("ask", "answer one message on stdout"), ("chat", "interactive session on the terminal")):
        p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        if name == "ask":
            p.add_argument("text", help="the message to answer")
        p.add_argument("--lang", choices=("en", "ja"), help="reply language (default: follow the message)")
        p.add_argument("--session", help="session id to continue (default: a new one)")
        p.add_argument("--json", action="store_true", help="print the whole reply as JSON")
        p.set_defaults(func=cmd_ask if name == "ask" else cmd_chat)

    p = sub.add_parser("classify", help="classify JSON Lines messages",
                       description='Read JSON Lines with "text" (optional "id", "lang") and write one decision per line: '
                                   '{"id", "decision", "article", "handoff", "intent", "confidence", "choices"}.')
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument("--use-lang", action="store_true", help='match in the record\'s "lang" instead of detecting it')
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("eval", help="accuracy report on a labelled JSON Lines set",
                       description='Evaluate on labelled JSON Lines ("text", "lang", "article", "handoff", optional "id", '
                                   '"kind"): article accuracy overall/en/ja, handoff precision/recall per type, share of '
                                   'off-topic/adversarial items answered with no article, dead-end rate (fallback on in-scope items), '
                                   'latency p50/p99; one row per set and a per-article confusion table; for items with "must" / '
                                   '"must_not" phrases, a fidelity line (whole replies checked).')
    p.add_argument("files", nargs="+", metavar="file",
                   help="labelled JSON Lines file(s); several give one row per set and one confusion table")
    p.add_argument("--json", action="store_true", help="machine-readable output (several files: {\"sets\": {name: report}})")
    p.add_argument("--failures", action="store_true", help="list every misclassified item")
    p.add_argument("--check", action="store_true", help="exit 1 when a target of the dev set is missed")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a matcher threshold for this run (ablations: learned_points=15 turns the learned "
                        "signal on, ask_weight=0 reads messages whole, keyword_points=0, lexical_points=0, "
                        "example_points=0)")
    p.set_defaults(func=cmd_eval)

    add_staff_parsers(sub)
    add_template_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"privacy-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"privacy-bot: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader left early (`privacy-bot tickets list | head`): not an error. Point stdout at /dev/null so the
        # interpreter's final flush cannot raise again and print "Exception ignored … BrokenPipeError".
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
