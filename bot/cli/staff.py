"""Staff and admin commands of `privacy-bot`: tickets, users and purge.

Each prints one clear line on stderr for anything that goes wrong: exit 1 when the request was refused
(unknown reference or user, a move the lifecycle forbids, a weak password), exit 2 for usage errors and when
the store cannot be reached. They never print passwords or password hashes.
"""
from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import re
import sys
import time
from contextlib import closing, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, TextIO

from bot.cli.common import CommandFailed, leaf, load_settings, staff_command
from bot.config import Settings

if TYPE_CHECKING:
    from handoff.store import Store
    from handoff.tickets import Ticket


#: Accepted in `--status` filters besides the status ids; "waiting" is short for waiting_on_requester.
STATUS_GROUPS = {"open": ("new", "in_progress", "waiting_on_requester"), "closed": ("resolved", "rejected"),
                 "waiting": ("waiting_on_requester",),
                 "all": ("new", "in_progress", "waiting_on_requester", "resolved", "rejected")}
EXPORT_COLUMNS = ("reference", "request_type", "article", "status", "assignee", "created_at", "updated_at", "due_at",
                  "closed_at", "overdue", "rejection_ground", "notified", "purged_at")
MIN_PASSWORD_CHARS = 12
_PAGE = 500
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@contextmanager
def _open_store(settings: Settings) -> Iterator[Store]:
    from bot.app import build_store

    store = build_store(settings)
    try:
        yield store
    finally:
        store.close()


def _safe(text: str) -> str:
    """Free text from requesters, shown on a terminal: escape control characters (ANSI sequences, bidi
    overrides) so a ticket cannot rewrite what staff see."""
    return _UNSAFE_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _iso(epoch: float | None) -> str:
    from handoff.references import REFERENCE_TZ

    return "" if epoch is None else datetime.fromtimestamp(epoch, REFERENCE_TZ).isoformat(timespec="seconds")


def _when(epoch: float | None) -> str:
    from handoff.notify import format_due

    return "-" if epoch is None else format_due(epoch)


def _reference(text: str) -> str:
    from handoff.references import parse_reference

    reference = parse_reference(text)
    if reference is None or not re.fullmatch(r"\s*PRQ[-\s]?\d{4}[-\s]?\d{1,9}\s*", text, re.IGNORECASE):
        raise CommandFailed(f"{text!r} is not a ticket reference like PRQ-2026-000123")
    return reference


def _actor(store: Store, username: str) -> str:
    """`--as USER` must name an account, so the ticket's log names someone staff can find."""
    if store.get_user(username) is None:
        raise CommandFailed(f"no staff account {username!r} (an admin adds one with: privacy-bot users add {username})")
    return username


def _statuses(values: Sequence[str] | None) -> list[str] | None:
    from handoff.tickets import STATUSES

    if not values:
        return None
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            names = STATUS_GROUPS.get(part.strip(), (part.strip(),))
            for name in names:
                if name not in STATUSES:
                    raise CommandFailed(f"unknown status {part.strip()!r}; use one of {', '.join(STATUSES)}, "
                                        "open, closed or all", code=2)
                chosen.append(name)
    return chosen


def _matching(store: Store, args: argparse.Namespace, *, now: float, limit: int | None) -> Iterator[Ticket]:
    """Tickets matching the list/export filters, oldest first; all of them when `limit` is None."""
    filters: dict[str, Any] = {"status": _statuses(args.status), "request_type": args.type,
                               "assignee": args.assignee, "overdue": True if args.overdue else None, "now": now}
    offset, left = args.offset if limit is not None else 0, limit
    while left is None or left > 0:
        page = min(_PAGE, left) if left is not None else _PAGE
        tickets = store.list_tickets(**filters, limit=page, offset=offset)
        yield from tickets
        if len(tickets) < page:
            return
        offset += page
        left = None if left is None else left - page


def _summary(ticket: Ticket, now: float, notified: bool = False) -> dict[str, Any]:
    """What lists and CSV exports show of a ticket: the record, no personal data. `notified`: a staff alert about it
    was delivered (from the outbox)."""
    return {"reference": ticket.reference, "request_type": ticket.request_type, "article": ticket.article,
            "status": ticket.status, "assignee": ticket.assignee, "created_at": _iso(ticket.created_at),
            "updated_at": _iso(ticket.updated_at), "due_at": _iso(ticket.due_at), "closed_at": _iso(ticket.closed_at),
            "overdue": ticket.is_overdue(now), "rejection_ground": ticket.rejection.ground if ticket.rejection else None,
            "notified": notified, "purged_at": _iso(ticket.purged_at)}


def _notified(store: Store, tickets: list[Ticket]) -> dict[str, bool]:
    from handoff.outbox import staff_alerted

    outbox = store.outbox_for(t.reference for t in tickets)
    return {t.reference: staff_alerted(outbox.get(t.reference, ())) for t in tickets}


def _flags(ticket: Ticket, now: float, notified: bool) -> str:
    flags = ["OVERDUE"] if ticket.is_overdue(now) else []
    if not notified:
        flags.append("unnotified")
    if ticket.purged_at is not None:
        flags.append("purged")
    return ",".join(flags)


@staff_command
def cmd_tickets_list(args: argparse.Namespace) -> int:
    now = time.time()
    with _open_store(load_settings()) as store:
        tickets = list(_matching(store, args, now=now, limit=args.limit))
        notified = _notified(store, tickets)
    if args.json:
        print(json.dumps([_summary(t, now, notified[t.reference]) for t in tickets], ensure_ascii=False, indent=2))
        return 0
    if not tickets:
        print("no matching tickets")
        return 0
    rows = [("REFERENCE", "TYPE", "ART", "STATUS", "ASSIGNEE", "CREATED", "DUE", "FLAGS")]
    rows += [(t.reference, t.request_type, str(t.article), t.status, t.assignee or "-", _when(t.created_at)[:10],
              _when(t.due_at)[:10], _flags(t, now, notified[t.reference])) for t in tickets]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _format_ticket(t: Ticket, now: float, deliveries: list[Any] | None = None) -> str:
    from handoff.notify import REQUEST_TYPE_TITLES
    from handoff.outbox import describe

    title = REQUEST_TYPE_TITLES.get(t.request_type, t.request_type)
    lines = [f"{t.reference}  {title} ({t.request_type}, Article {t.article})",
             f"status:     {t.status}" + ("  OVERDUE" if t.is_overdue(now) else ""),
             f"assignee:   {t.assignee or '-'}",
             f"created:    {_when(t.created_at)}    due: {_when(t.due_at)}    closed: {_when(t.closed_at)}",
             f"requester:  via {t.requester.frontend}" + (f" user {t.requester.user_id}" if t.requester.user_id else "")
             + f", language {t.lang}"]
    lines += ["deliveries:"] + [f"  {m.kind} via {m.channel}: {describe(m, _when)}" for m in deliveries or ()]
    if t.purged_at is not None:
        lines.append(f"purged:     {_when(t.purged_at)} (personal data removed)")
    if t.contact.name or t.contact.email:
        lines.append(f"name:       {_safe(t.contact.name)}")
        verified = f"verified {_when(t.contact.verified_at)}" if t.contact.verified_at else "email not verified"
        lines.append(f"email:      {_safe(t.contact.email or '-')}" + (f" ({verified})" if t.contact.email else ""))
    if t.representative is not None:
        lines.append(f"agent for:  {_safe(t.representative.on_behalf_of)} ({_safe(t.representative.relationship)})")
    if t.rejection is not None:
        lines.append(f"rejected:   ground {t.rejection.ground}" + (f": {_safe(t.rejection.text)}" if t.rejection.text
                                                                   else ""))
    if t.answers:
        lines.append("answers:")
        lines += [f"  {_safe(k)}: {_safe(v)}" for k, v in t.answers.items()]
    if t.transcript:
        lines.append("transcript:")
        lines += [f"  {_when(x.at)}  {x.role}: {_safe(x.text)}" for x in t.transcript]
    if t.replies:
        lines.append("replies to the requester:")
        lines += [f"  #{r.id} {_when(r.at)} {r.actor}" + (" (delivered)" if r.delivered_at else " (pending)")
                  + f": {_safe(r.text)}" for r in t.replies]
    lines.append("events:")
    lines += [f"  {_when(e.at)}  {e.actor:<12} {e.action:<15} {_safe(e.detail)}" + (f" | {_safe(e.text)}" if e.text
                                                                                     else "") for e in t.events]
    return "\n".join(line.replace("\n", "\n    ") for line in lines)


@staff_command
def cmd_tickets_show(args: argparse.Namespace) -> int:
    now = time.time()
    with _open_store(load_settings()) as store:
        ticket = store.get_ticket(_reference(args.reference))
        deliveries = store.outbox_for([ticket.reference]).get(ticket.reference, [])
    if args.json:
        print(json.dumps({**ticket.to_dict(), "overdue": ticket.is_overdue(now),
                          "deliveries": [_delivery(m) for m in deliveries]}, ensure_ascii=False, indent=2))
    else:
        print(_format_ticket(ticket, now, deliveries))
    return 0


def _delivery(message: Any) -> dict[str, Any]:
    """A delivery record without its payload (which may address the requester)."""
    return {"key": message.key, "channel": message.channel, "kind": message.kind, "status": message.status,
            "attempts": message.attempts, "last_error": message.last_error, "sent_at": _iso(message.sent_at),
            "next_attempt_at": _iso(message.next_attempt_at) if message.status == "pending" else ""}


@staff_command
def cmd_tickets_claim(args: argparse.Namespace) -> int:
    with _open_store(load_settings()) as store:
        reference = _reference(args.reference)
        before = store.get_ticket(reference)
        ticket = store.claim(reference, actor=_actor(store, args.actor), now=time.time())
    was = f" (was {before.assignee})" if before.assignee and before.assignee != ticket.assignee else ""
    print(f"{ticket.reference}: assigned to {ticket.assignee}{was}; status {ticket.status}")
    return 0


def _grounds_help(request_type: str) -> str:
    from handoff.grounds import REJECTION_GROUNDS

    return "\n".join(f"  {g.id:<24} {g.article:<8} {g.en}" for g in REJECTION_GROUNDS[request_type])


@staff_command
def cmd_tickets_status(args: argparse.Namespace) -> int:
    from handoff.grounds import find_ground
    from handoff.tickets import REJECTED, STATUSES

    new_status = STATUS_GROUPS["waiting"][0] if args.new_status == "waiting" else args.new_status
    if new_status not in STATUSES:
        raise CommandFailed(f"unknown status {args.new_status!r}; use one of {', '.join(STATUSES)}", code=2)
    if new_status != REJECTED and (args.ground or args.reason):
        raise CommandFailed("--ground and --reason go only with status rejected", code=2)
    if new_status == REJECTED and args.note:
        raise CommandFailed("a rejection's explanation for the requester goes in --reason, not --note", code=2)
    with _open_store(load_settings()) as store:
        reference = _reference(args.reference)
        actor = _actor(store, args.actor)
        before = store.get_ticket(reference)
        if new_status == REJECTED and (find_ground(before.request_type, args.ground or "") is None
                                       or not (args.reason or "").strip()):
            problem = (f"{args.ground!r} is not a ground for rejecting a {before.request_type} request"
                       if args.ground and find_ground(before.request_type, args.ground) is None
                       else "rejecting needs --ground ID and --reason TEXT (the explanation for the requester)")
            raise CommandFailed(f"{reference}: {problem}; allowed grounds:\n{_grounds_help(before.request_type)}")
        ticket = store.update_status(reference, new_status, actor=actor, now=time.time(),
                                     note=args.reason if new_status == REJECTED else args.note,
                                     rejection_ground=args.ground)
    print(f"{ticket.reference}: {before.status} -> {ticket.status}")
    return 0


@staff_command
def cmd_tickets_note(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    with _open_store(load_settings()) as store:
        reference = _reference(args.reference)
        ticket = store.add_note(reference, actor=_actor(store, args.actor), text=text, now=time.time())
    print(f"{ticket.reference}: note added ({sum(e.action == 'note' for e in ticket.events)} in total)")
    return 0


def _private_file(path: str) -> TextIO:
    """Exports may hold personal data (JSON Lines): create the file readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


@staff_command
def cmd_tickets_export(args: argparse.Namespace) -> int:
    now = time.time()
    with _open_store(load_settings()) as store:
        tickets = list(_matching(store, args, now=now, limit=None))
        notified = _notified(store, tickets)
    out = _private_file(args.output) if args.output else sys.stdout
    try:
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for t in tickets:
                row = _summary(t, now, notified[t.reference])
                writer.writerow({**row, "overdue": str(row["overdue"]).lower(), "notified": str(row["notified"]).lower(),
                                 "assignee": row["assignee"] or "", "rejection_ground": row["rejection_ground"] or ""})
        else:
            for t in tickets:
                out.write(json.dumps({**t.to_dict(), "overdue": t.is_overdue(now)}, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output:
        print(f"exported {len(tickets)} ticket(s) to {args.output}", file=sys.stderr)
    return 0


@staff_command
def cmd_tickets_notify(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_logging
    from handoff.outbox import SENT
    from handoff.store import OutboxBusy

    settings = load_settings()
    configure_logging(settings)
    services = build_services(settings)  # the renderer too: emails are written from the (admin-edited) templates
    with closing(services):
        store, dispatcher = services.store, services.dispatcher
        if args.reference:
            reference = _reference(args.reference)
            store.get_ticket(reference)
            unsent = [m for m in store.outbox_for([reference]).get(reference, []) if m.status != SENT]
            results, busy = [], 0
            for m in unsent:
                if m.channel not in dispatcher.transports:
                    continue
                try:
                    results.append(dispatcher.deliver_now(m.key))
                except OutboxBusy as exc:
                    # The server may be handing it to its channel right now: a second attempt could send it twice.
                    busy += 1
                    print(f"{reference}: {m.kind} via {m.channel} is being delivered by another process (its lease "
                          f"ends {_iso(exc.until)}); not attempted, run this again after that", file=sys.stderr)
            failed = [m for m in results if m.status != SENT]
            for m in failed:
                print(f"{reference}: {m.kind} via {m.channel} failed ({m.last_error}); {m.attempts} attempt(s) so far",
                      file=sys.stderr)
            if failed or busy:
                raise CommandFailed(f"{reference}: {len(failed) + busy} message(s) not delivered")
            print(f"{reference}: {len(results)} message(s) delivered" if results else f"{reference}: nothing to send")
            return 0
        sent = dispatcher.run_once()
        counts = store.outbox_counts()
    print(f"sent {sent} message(s); {counts['pending']} pending, {counts['failed']} failed")
    return 0


@staff_command
def cmd_tickets_digest(args: argparse.Namespace) -> int:
    from bot.app import build_services, configure_logging
    from bot.digest import digest_now

    settings = load_settings()
    configure_logging(settings)
    services = build_services(settings)
    with closing(services):
        messages = digest_now(services, hour=0)  # whatever the hour: cron decides when
        sent = services.dispatcher.run_once()
    if not messages:
        print("nothing overdue or due soon: no digest today")
        return 0
    print(f"digest for {messages[0].payload.get('date') or 'today'} queued on "
          f"{', '.join(m.channel for m in messages)}; sent {sent} message(s)")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        raise CommandFailed("no terminal to read the password from; pipe it in with --password-stdin", code=2)
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise CommandFailed("the passwords do not match")
    if len(password) < MIN_PASSWORD_CHARS or not password.strip():
        raise CommandFailed(f"the password is too weak: use at least {MIN_PASSWORD_CHARS} characters")
    if password.strip().lower() == args.username.lower():
        raise CommandFailed("the password must not be the username")
    return password


@staff_command
def cmd_users_add(args: argparse.Namespace) -> int:
    from handoff.accounts import UserAccount, hash_password

    settings = load_settings()
    UserAccount(args.username, "-", args.role, 0.0)  # validate the name before asking for a password
    password = _read_password(args)
    account = UserAccount(args.username, hash_password(password), args.role, time.time())
    with _open_store(settings) as store:
        store.add_user(account)
    print(f"added {args.role} {args.username}")
    return 0


@staff_command
def cmd_users_remove(args: argparse.Namespace) -> int:
    with _open_store(load_settings()) as store:
        store.remove_user(args.username)
    print(f"removed {args.username}")
    return 0


@staff_command
def cmd_users_list(args: argparse.Namespace) -> int:
    with _open_store(load_settings()) as store:
        users = store.list_users()
    if args.json:
        print(json.dumps([{"username": u.username, "role": u.role, "created_at": _iso(u.created_at)} for u in users],
                         indent=2))
        return 0
    if not users:
        print("no accounts (add one with: privacy-bot users add USERNAME --role admin)")
    for u in users:
        print(f"{u.username:<32} {u.role:<6} added {_when(u.created_at)}")
    return 0


@staff_command
def cmd_purge(args: argparse.Namespace) -> int:
    from handoff import lifecycle
    from handoff.tickets import CLOSED_STATUSES

    settings = load_settings()
    days = settings.purge_days if args.days is None else args.days
    if days < 0:
        raise CommandFailed(f"--days must not be negative, got {days}", code=2)
    now = time.time()
    cutoff = _when(now - days * lifecycle.DAY)
    with _open_store(settings) as store:
        if args.dry_run:
            due = [t.reference for t in _all_with_status(store, CLOSED_STATUSES)
                   if lifecycle.purgeable(t, older_than_days=days, now=now)]
            print(f"would purge {len(due)} ticket(s) closed before {cutoff}" + (": " + ", ".join(due) if due else ""))
            return 0
        purged = store.purge(days, now=now)
        expired = store.purge_expired()
    print(f"purged personal data from {purged} ticket(s) closed before {cutoff}; "
          f"deleted {expired} expired session(s) and marker(s)")
    return 0


def _all_with_status(store: Store, statuses: Iterable[str]) -> Iterator[Ticket]:
    offset = 0
    while True:
        page = store.list_tickets(status=list(statuses), limit=_PAGE, offset=offset)
        yield from page
        if len(page) < _PAGE:
            return
        offset += _PAGE


def _add_filters(p: argparse.ArgumentParser) -> None:
    from handoff.tickets import REQUEST_TYPES

    p.add_argument("--status", action="append", metavar="S",
                   help="only this status (new, in_progress, waiting_on_requester, resolved, rejected, or the "
                        "groups open, closed and all, as the staff page's filter has them); repeat or separate with commas for several")
    p.add_argument("--type", choices=list(REQUEST_TYPES), metavar="T",
                   help=f"only this request type ({', '.join(REQUEST_TYPES)})")
    p.add_argument("--overdue", action="store_true", help="only open tickets past their due date")
    p.add_argument("--assignee", metavar="A", help="only tickets assigned to this user")


def add_staff_parsers(sub: Any) -> None:
    """`tickets`, `users` and `purge`: staff and admin work on the configured store (SQLite, or Redis with
    REDIS_URL)."""
    from handoff.tickets import STATUSES

    tickets = sub.add_parser("tickets", help="list, show, claim, update and export tickets (staff)",
                             description="Work on tickets in the configured store (SQLite by default, Redis with "
                                         "REDIS_URL). Changes are logged under the --as user, who must have an "
                                         "account (privacy-bot users add).")
    tsub = tickets.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = leaf(tsub, "list", cmd_tickets_list, "tickets list", "list tickets, oldest first",
              "List tickets, oldest first, without personal data. FLAGS: OVERDUE, unnotified(attempts), purged.")
    _add_filters(p)
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N tickets (default 50)")
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N matches")
    p.add_argument("--json", action="store_true", help="print a JSON array of ticket summaries")

    p = leaf(tsub, "show", cmd_tickets_show, "tickets show", "show one ticket with its details and log",
              "Show one ticket: requester's details, answers, transcript, replies and the event log.")
    p.add_argument("reference", metavar="REF", help="ticket reference, e.g. PRQ-2026-000123")
    p.add_argument("--json", action="store_true", help="print the full ticket as JSON")

    p = leaf(tsub, "claim", cmd_tickets_claim, "tickets claim", "assign a ticket to yourself",
              "Assign the ticket to USER; a new ticket moves to in_progress.")
    p.add_argument("reference", metavar="REF", help="ticket reference")
    p.add_argument("--as", dest="actor", required=True, metavar="USER", help="staff account doing this")

    p = leaf(tsub, "status", cmd_tickets_status, "tickets status", "change a ticket's status",
              f"Move the ticket to NEW_STATUS ({', '.join(STATUSES)}; 'waiting' for short). Closed tickets "
              "(resolved, rejected) are final. Rejecting needs --ground (a policy exception valid for the request "
              "type; an invalid one prints the allowed grounds) and --reason, the explanation for the requester.")
    p.add_argument("reference", metavar="REF", help="ticket reference")
    p.add_argument("new_status", metavar="NEW_STATUS", help="the new status")
    p.add_argument("--as", dest="actor", required=True, metavar="USER", help="staff account doing this")
    p.add_argument("--note", metavar="TEXT", help="internal note logged with the change")
    p.add_argument("--ground", metavar="ID", help="rejection ground id (with status rejected)")
    p.add_argument("--reason", metavar="TEXT", help="explanation of the rejection for the requester")

    p = leaf(tsub, "note", cmd_tickets_note, "tickets note", "add an internal note",
              "Add an internal note to the ticket's log (never shown to the requester).")
    p.add_argument("reference", metavar="REF", help="ticket reference")
    p.add_argument("text", metavar="TEXT", help="the note, or - to read it from stdin")
    p.add_argument("--as", dest="actor", required=True, metavar="USER", help="staff account doing this")

    p = leaf(tsub, "export", cmd_tickets_export, "tickets export", "export tickets as CSV or JSON Lines",
              "Export every matching ticket, oldest first. CSV: one row per ticket with "
              f"{', '.join(EXPORT_COLUMNS)} (times ISO 8601, Japan time), no personal data. JSON Lines: the full "
              "ticket records, personal data included; --output files are created readable by their owner only.")
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="csv (default) or jsonl")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_filters(p)

    p = leaf(tsub, "notify", cmd_tickets_notify, "tickets notify", "send pending outbox messages",
              "Without REF: send the outbox messages that are due (staff alerts, emails, Slack messages; what the "
              "server does in the background). With REF: send that ticket's undelivered messages now, even after "
              "their retries were used up; one whose lease another process holds (the server may be sending it "
              "this moment) is left alone and reported, so nothing goes out twice.")
    p.add_argument("reference", metavar="REF", nargs="?", help="ticket reference")

    leaf(tsub, "digest", cmd_tickets_digest, "tickets digest", "send today's digest of overdue and due-soon tickets",
         "Queue today's digest of overdue and due-soon tickets (PRIVACY_BOT_DUE_SOON_DAYS) for the staff channels "
         "and send it. The server does this itself from PRIVACY_BOT_DIGEST_HOUR; a digest is sent once a day however "
         "often this runs (e.g. from cron).")

    users = sub.add_parser("users", help="add, remove and list staff and admin accounts (admin)",
                           description="Manage the accounts that may sign in to the staff queue (staff) and also "
                                       "edit templates and accounts (admin). Passwords are stored as scrypt hashes "
                                       "and never printed.")
    usub = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = leaf(usub, "add", cmd_users_add, "users add", "add an account",
              f"Add an account. The password is asked twice on the terminal, or read from the first line of stdin "
              f"with --password-stdin; at least {MIN_PASSWORD_CHARS} characters.")
    p.add_argument("username", metavar="USERNAME", help="1-64 letters, digits or ._@-")
    p.add_argument("--role", choices=("staff", "admin"), default="staff", help="staff (default) or admin")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = leaf(usub, "remove", cmd_users_remove, "users remove", "remove an account", "Remove an account.")
    p.add_argument("username", metavar="USERNAME")
    p = leaf(usub, "list", cmd_users_list, "users list", "list accounts", "List accounts with their role.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = leaf(sub, "purge", cmd_purge, "purge", "remove personal data from old closed tickets",
              "Remove personal fields (contact, representative, answers, transcript, notes, replies, the rejection's "
              "explanation) from tickets closed more than N days ago, keeping reference, type, dates, outcome and "
              "the event skeleton; also delete expired chat sessions.")
    p.add_argument("--days", type=int, metavar="N",
                   help="age in days since closing (default PRIVACY_BOT_PURGE_DAYS, 365)")
    p.add_argument("--dry-run", action="store_true", help="list what would be purged and change nothing")
