"""What really happened, fed back into next week's problem: the observed turn-up rate of a slot
raises its rostered requirement (shrinkage), and each employee's turn-up is their reliability.

Both changes are written into `Problem.meta["attendance_feedback"]`, which the roster keeps, so
the roster's explanation can say why a slot got more people.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from sqlalchemy.orm import Session

from api.attendance import TurnUp, attendance_book, turn_up_by_employee, turn_up_by_slot
from optimizer.schema import Problem

_logger = logging.getLogger(__name__)

HISTORY_WEEKS = 8
MIN_SHIFTS_FOR_A_RATE = 5
LOWEST_TURN_UP_RATE = 0.5
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def cover_for_turn_up(required: int, rate: float) -> int:
    """People to roster so that `required` are expected to turn up (never more than double)."""
    rate = max(rate, LOWEST_TURN_UP_RATE)
    return math.ceil(round(required / rate, 6))


def trusted(slot: TurnUp | None) -> bool:
    """A rate counts once enough shifts were rostered to measure it."""
    return slot is not None and slot.rostered >= MIN_SHIFTS_FOR_A_RATE


def slot_rate_for_interval(
    problem: Problem, slots: dict[tuple[int, str], TurnUp], weekday: int, start: int, length: int
) -> TurnUp | None:
    """The lowest measured turn-up among the shift types that cover an interval."""
    covering = [
        slots.get((weekday, t.id))
        for t in problem.shift_types
        if t.start_minute is not None
        and t.duration_minutes is not None
        and t.start_minute <= start
        and start + length <= t.start_minute + t.duration_minutes
    ]
    measured = [s for s in covering if s is not None and trusted(s)]
    return min(measured, key=lambda s: s.rate) if measured else None


def raised_line(label: str, slot: TurnUp, before: int, after: int) -> dict:
    return {
        "slot": label,
        "turn_up_rate": round(slot.rate, 3),
        "rostered_in_history": slot.rostered,
        "required_before": before,
        "required_after": after,
        "reason": f"{label}: {slot.rate:.0%} turn-up over {slot.rostered} rostered shifts, "
        f"so {after} rostered for {before} needed",
    }


def raise_cover_for_turn_up(problem: Problem, slots: dict[tuple[int, str], TurnUp]) -> list[dict]:
    """Raise each demand line whose slot is known to lose people, and ask for at least one
    reliable person there (a critical slot); what changed, in words."""
    raised = []
    for line in problem.shift_demand:
        weekday = (problem.start_date + dt.timedelta(days=line.day)).weekday()
        slot = slots.get((weekday, line.shift_type))
        if line.required and trusted(slot) and slot is not None and slot.rate < 1:
            after = cover_for_turn_up(line.required, slot.rate)
            if after > line.required:
                label = f"day {line.day} ({WEEKDAYS[weekday]}) {line.shift_type} {slot.window}"
                raised.append(raised_line(label, slot, line.required, after))
                line.required = after
                line.min_reliable = max(line.min_reliable, 1)
    for interval in problem.interval_demand:
        weekday = (problem.start_date + dt.timedelta(days=interval.day)).weekday()
        slot = slot_rate_for_interval(
            problem, slots, weekday, interval.start_minute, interval.length_minutes
        )
        if interval.required and slot is not None and slot.rate < 1:
            after = cover_for_turn_up(interval.required, slot.rate)
            if after > interval.required:
                start = interval.start_minute
                label = (
                    f"day {interval.day} ({WEEKDAYS[weekday]}) {start // 60:02d}:{start % 60:02d}"
                )
                raised.append(raised_line(label, slot, interval.required, after))
                interval.required = after
                interval.min_reliable = max(interval.min_reliable, 1)
    return raised


def apply_attendance_feedback(
    session: Session, problem: Problem, department_id: int, week_start: dt.date
) -> None:
    """Shrinkage and reliability from the weeks before `week_start`, applied to the problem."""
    first = week_start - dt.timedelta(weeks=HISTORY_WEEKS)
    last = week_start - dt.timedelta(days=1)
    book = attendance_book(session, department_id, first, last, as_of=dt.datetime.now(dt.UTC))
    if not book.shifts:
        return
    raised = raise_cover_for_turn_up(problem, turn_up_by_slot(book))
    reliability = {}
    people = turn_up_by_employee(book)
    for employee in problem.employees:
        record = people.get(int(employee.id)) if employee.id.isdigit() else None
        if trusted(record) and record is not None:
            employee.reliability = round(record.rate, 3)
            reliability[employee.id] = employee.reliability
    problem.meta["attendance_feedback"] = {
        "history": f"{first.isoformat()}..{last.isoformat()}",
        "raised_cover": raised,
        "reliability": reliability,
    }
    _logger.info(
        "attendance feedback for %s: %d demand lines raised, %d reliabilities",
        problem.name,
        len(raised),
        len(reliability),
    )
