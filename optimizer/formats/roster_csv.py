"""A roster as CSV: one row per worked shift, header `employee,day,shift`, day 0-based.

The shape a spreadsheet or a benchmark checker reads; the skill worked is not part of it.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence

from optimizer.schema import Assignment

_logger = logging.getLogger(__name__)

HEADER = ("employee", "day", "shift")


def write_roster_csv(
    assignments: Iterable[Assignment], employee_order: Sequence[str] | None = None
) -> str:
    """The roster as CSV text, sorted by employee (in `employee_order`) and then by day.

    Without `employee_order`, employees come in the order they first appear in `assignments`;
    employees missing from a given order come after the listed ones, in order of appearance.
    """
    assignments = list(assignments)
    rank: dict[str, int] = {e: i for i, e in enumerate(employee_order or ())}
    for a in assignments:
        rank.setdefault(a.employee, len(rank))
    rows = sorted(assignments, key=lambda a: (rank[a.employee], a.day, a.shift_type))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((a.employee, a.day, a.shift_type) for a in rows)
    return buffer.getvalue()


def read_roster_csv(text: str) -> list[Assignment]:
    """Assignments from CSV text with the header `employee,day,shift`.

    Errors name the line and the reason, e.g. "line 4: day 'x' is not a whole number".
    """
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        got = ",".join(header) if header else "nothing"
        raise ValueError(f"line 1: expected the header {','.join(HEADER)!r}, got {got!r}")
    assignments = []
    for row in rows:
        number = rows.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            raise ValueError(
                f"line {number}: expected 3 fields (employee, day, shift), got {len(row)}"
            )
        employee, day_text, shift = (cell.strip() for cell in row)
        if not employee:
            raise ValueError(f"line {number}: the employee is empty")
        if not shift:
            raise ValueError(f"line {number}: the shift is empty")
        try:
            day = int(day_text)
        except ValueError:
            raise ValueError(f"line {number}: day {day_text!r} is not a whole number") from None
        if day < 0:
            raise ValueError(f"line {number}: day {day} is negative")
        assignments.append(Assignment(employee=employee, day=day, shift_type=shift))
    _logger.debug("read %d assignments from roster CSV", len(assignments))
    return assignments
