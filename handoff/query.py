"""The filters of `list_tickets`, validated once and usable by every backend.

SQLite turns a `TicketQuery` into a WHERE clause; Redis narrows candidates with index sets and then checks
`matches` on each loaded ticket, which also keeps its answers exact if a ticket changed between the two reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from handoff.tickets import OPEN_STATUSES, REQUEST_TYPES, STATUSES, Requester, Ticket


@dataclass(frozen=True)
class TicketQuery:
    statuses: frozenset[str] | None = None
    request_type: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    requester_key: str | None = None
    now: float | None = None
    limit: int = 50
    offset: int = 0
    due_by: float | None = None

    @classmethod
    def build(cls, *, status: str | Iterable[str] | None = None, request_type: str | None = None,
              assignee: str | None = None, overdue: bool | None = None, requester: Requester | None = None,
              now: float | None = None, limit: int = 50, offset: int = 0,
              due_by: float | None = None) -> "TicketQuery":
        """Validate `list_tickets` arguments. Raises ValueError naming the bad argument: an unknown status
        or request type, `overdue` without `now`, a negative limit or offset."""
        statuses = None
        if status is not None:
            statuses = frozenset([status] if isinstance(status, str) else status)
            unknown = statuses - set(STATUSES)
            if unknown or not statuses:
                raise ValueError(f"status must be among {list(STATUSES)}, got {sorted(unknown) or 'nothing'}")
        if request_type is not None and request_type not in REQUEST_TYPES:
            raise ValueError(f"request_type must be one of {list(REQUEST_TYPES)}, got {request_type!r}")
        if overdue is not None and now is None:
            raise ValueError("the overdue filter needs `now`")
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must not be negative, got {limit} and {offset}")
        return cls(statuses, request_type, assignee, overdue, requester.key if requester else None, now,
                   limit, offset, due_by)

    @property
    def candidate_statuses(self) -> frozenset[str] | None:
        """Statuses a match can have: the filter's, narrowed to open ones when only overdue tickets count."""
        if self.overdue or self.due_by is not None:
            return (self.statuses or frozenset(STATUSES)) & OPEN_STATUSES
        return self.statuses

    def matches(self, ticket: Ticket) -> bool:
        return (
            (self.statuses is None or ticket.status in self.statuses)
            and (self.request_type is None or ticket.request_type == self.request_type)
            and (self.assignee is None or ticket.assignee == self.assignee)
            and (self.requester_key is None or ticket.requester.key == self.requester_key)
            and (self.overdue is None or self.now is None or ticket.is_overdue(self.now) == self.overdue)
            and (self.due_by is None or (ticket.is_open and ticket.due_at <= self.due_by))
        )
