"""Reference numbers: `PRQ-YYYY-NNNNNN`, numbered per year, the year taken in Japan time.

Stores allocate the number atomically with the ticket insert; these helpers only format, parse and sort.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

#: The company is Japanese, so a reference's year turns at midnight in Tokyo (Japan has no DST).
REFERENCE_TZ = timezone(timedelta(hours=9), "JST")
# ASCII boundaries, not \b: in 「PRQ-2026-000123の状況」 the Japanese letter after the number is a word character.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])PRQ[-\s]?(\d{4})[-\s]?(\d{1,9})(?![0-9])", re.IGNORECASE)


def reference_year(now: float) -> int:
    """The year that goes into a reference allocated at `now` (epoch seconds), in Japan time."""
    return datetime.fromtimestamp(now, REFERENCE_TZ).year


def format_reference(year: int, number: int) -> str:
    """`PRQ-YYYY-NNNNNN`; past 999,999 requests in a year the number simply grows a digit."""
    return f"PRQ-{year:04d}-{number:06d}"


def parse_reference(text: str) -> str | None:
    """Find a reference in user text ("prq-2026-42", "PRQ 2026 000042") and return it normalised, or None."""
    found = _REFERENCE.search(text)
    return format_reference(int(found[1]), int(found[2])) if found else None


def reference_order(reference: str) -> tuple[int, int]:
    """Sort key putting references in allocation order (year, then number)."""
    _, year, number = reference.split("-")
    return int(year), int(number)
