"""Time windows of employee wishes ("not 18:00-22:00 on Wednesday"): the HH:MM shape the API
reads and writes, the shift template a wanted window implies, and whether a roster honoured it.

The rule is the optimizer's: an avoided window is broken by any worked shift that shares a minute
with it; a wanted window is honoured only by a worked shift that covers it whole.

An end earlier than the start runs into the next day, the way people write night hours:
22:00-06:00 is kept as minutes 1320-1800 after the first day's midnight (the optimizer takes
windows up to 48 h from that midnight). 24:00 ends a window at midnight; 30:00 is not a time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

if TYPE_CHECKING:
    from api.models import ShiftTemplate

_logger = logging.getLogger(__name__)

MINUTES_PER_DAY = 1440
CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
NEXT_DAY_HINT = "an end earlier than the start runs into the next day, e.g. 22:00-06:00"


def minute_of(text: str) -> int:
    """'18:30' -> 1110, '24:00' -> 1440; ValueError in words for anything else."""
    match = CLOCK.match(text)
    if match is None:
        raise ValueError(f"give a time of day as HH:MM, e.g. 18:00 (not {text!r})")
    minute = int(match.group(1)) * 60 + int(match.group(2))
    if minute > MINUTES_PER_DAY:
        raise ValueError(f"{text} is past the end of the day (24:00)")
    return minute


def end_minute_of(start: int, end_text: str) -> int:
    """The end of a window in minutes after the start day's midnight: an end earlier than the
    start is on the next day (22:00-06:00 -> 1800). Hours past midnight written as 30:00, and
    an end equal to the start, are refused with that rule in the message."""
    try:
        end = minute_of(end_text)
    except ValueError as error:
        raise ValueError(f"{error}; {NEXT_DAY_HINT}") from None
    if end == start:
        raise ValueError(
            f"a window ends after it starts ({end_text} is its start); {NEXT_DAY_HINT}"
        )
    return end + MINUTES_PER_DAY if end < start else end


def clock(minute: int) -> str:
    """1110 -> '18:30'; a minute of the next day reads as its clock time (1800 -> '06:00'),
    midnight at the end of the day as '24:00'."""
    if minute > MINUTES_PER_DAY:
        minute -= MINUTES_PER_DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def window_label(start: int, end: int) -> str:
    """'18:00-22:00'; a window into the next day reads '22:00-06:00'."""
    return f"{clock(start)}-{clock(end)}"


class TimeWindow(BaseModel):
    """Hours of one day, e.g. {"start": "18:00", "end": "22:00"} (the end is not included); an
    end earlier than the start runs into the next day ({"start": "22:00", "end": "06:00"})."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(description="First minute, HH:MM (00:00 to 23:59).", examples=["18:00"])
    end: str = Field(
        description="End, HH:MM (24:00 = midnight); an end earlier than the start is on the "
        "next day, e.g. 22:00-06:00.",
        examples=["22:00"],
    )

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        if minute_of(value) >= MINUTES_PER_DAY:
            raise ValueError("a window starts before 24:00")
        return value

    @field_validator("end")
    @classmethod
    def _check_end(cls, value: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None:  # a refused start is reported on its own
            end_minute_of(minute_of(start), value)
        return value

    @property
    def start_minute(self) -> int:
        return minute_of(self.start)

    @property
    def end_minute(self) -> int:
        """Minutes after the start day's midnight; above 1440 on the next day."""
        return end_minute_of(self.start_minute, self.end)

    @classmethod
    def from_minutes(cls, start: int | None, end: int | None) -> TimeWindow | None:
        if start is None or end is None:
            return None
        return cls(start=clock(start), end=clock(end))


def covering_template(
    templates: Iterable[ShiftTemplate], start: int, end: int
) -> ShiftTemplate | None:
    """The shortest shift template that covers the window whole (None when none does)."""
    covering = [t for t in templates if shift_meets_window("want", span_of(t), (start, end))]
    return min(covering, key=lambda t: (t.duration_minutes, t.start_minute, t.id), default=None)


def span_of(template: ShiftTemplate) -> tuple[int, int]:
    """[start, end) of a template in minutes after midnight of its day."""
    return template.start_minute, template.start_minute + template.duration_minutes


def shift_meets_window(kind: str, shift: tuple[int, int], window: tuple[int, int]) -> bool:
    """`want`: the shift covers the window; `avoid`: the shift overlaps it by a minute or more."""
    if kind == "want":
        return shift[0] <= window[0] and window[1] <= shift[1]
    return shift[0] < window[1] and window[0] < shift[1]


def window_worked_by(
    pref: dict[str, Any], problem: dict[str, Any], assignments: list
) -> str | None:
    """The shift type of a stored roster that meets a window wish (see `shift_meets_window`)."""
    types = {t["id"]: t for t in problem.get("shift_types", [])}
    midnight = pref["day"] * MINUTES_PER_DAY
    window = (midnight + pref["start_minute"], midnight + pref["end_minute"])
    for item in assignments:
        shift_type = types.get(item["shift_type"])
        if item["employee"] != pref["employee"] or shift_type is None:
            continue
        start = item["day"] * MINUTES_PER_DAY + (shift_type.get("start_minute") or 0)
        shift = (start, start + shift_type["duration_minutes"])
        if shift_meets_window(pref["kind"], shift, window):
            return item["shift_type"]
    return None
