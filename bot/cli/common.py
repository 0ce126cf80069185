"""Helpers every `privacy-bot` staff and template sub-command shares: settings, failures as one line and an exit
status, sub-parser wiring, the admin operations, reading a file or stdin. Kept here so the command modules import
this one and never each other."""
from __future__ import annotations

import argparse
import functools
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from bot.config import ConfigError, Settings


def load_settings() -> Settings:
    return Settings.from_env(os.environ)


class CommandFailed(Exception):
    """A staff command cannot do what was asked; `code` is the exit status (1 refused, 2 environment)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def staff_command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the failures a staff command expects into one line on stderr and an exit status (no traceback)."""
    from handoff.store import StoreError, StoreUnavailable, TicketNotFound, UserExists, UserNotFound
    from handoff.tickets import TicketError

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except ConfigError:
            raise  # main() reports it
        except CommandFailed as exc:
            message, code = str(exc), exc.code
        except TicketNotFound as exc:
            message, code = f"no ticket {exc.reference}", 1
        except StoreUnavailable as exc:
            message, code = f"the store is unavailable: {exc}", 2
        except (UserExists, UserNotFound, TicketError) as exc:
            message, code = str(exc), 1
        except StoreError as exc:
            message, code = f"store error: {exc}", 2
        except ValueError as exc:
            message, code = str(exc), 1
        except BrokenPipeError:
            raise  # the reader went away (`| head`): main() ends quietly
        except OSError as exc:
            message, code = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), 2
        print(f"privacy-bot {args.command_name}: {message}", file=sys.stderr)
        return code

    return run


def leaf(sub: Any, name: str, func: Callable[[argparse.Namespace], int], command: str, helptext: str,
          description: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=helptext, description=description)
    p.set_defaults(func=func, command_name=command)
    return p


@contextmanager
def admin_operations() -> Iterator[Any]:
    from bot.admin.ops import build_admin
    from bot.app import build_services

    services = build_services(load_settings())
    try:
        yield build_admin(services)[0]
    finally:
        services.close()


def print_problems(label: str, problems: Sequence[Any]) -> None:
    for problem in problems:
        where = f"{label}:{problem.line}" if problem.line else label
        print(f"{where}: {problem.reason}", file=sys.stderr)


def admin_author(ops: Any, username: str) -> str:
    account = ops.store.get_user(username)
    if account is None or account.role != "admin":
        raise CommandFailed(f"{username!r} is not an admin account (privacy-bot users add {username} --role admin)")
    return username


def read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8")
