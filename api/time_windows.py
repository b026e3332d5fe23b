"""Time windows of employee wishes ("not 18:00-22:00 on Wednesday"): the HH:MM shape the API
reads and writes, the shift template a wanted window implies, and whether a roster honoured it.

The rule is the optimizer's: an avoided window is broken by any worked shift that shares a minute
with it; a wanted window is honoured only by a worked shift that covers it whole.
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


def minute_of(text: str) -> int:
    """'18:30' -> 1110; ValueError in words for anything else."""
    match = CLOCK.match(text)
    if match is None:
        raise ValueError(f"give a time of day as HH:MM, e.g. 18:00 (not {text!r})")
    minute = int(match.group(1)) * 60 + int(match.group(2))
    if minute > MINUTES_PER_DAY:
        raise ValueError(f"{text} is past the end of the day (24:00)")
    return minute


def clock(minute: int) -> str:
    """1110 -> '18:30'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def window_label(start: int, end: int) -> str:
    return f"{clock(start)}-{clock(end)}"


class TimeWindow(BaseModel):
    """Hours of one day, e.g. {"start": "18:00", "end": "22:00"} (the end is not included)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(description="First minute, HH:MM (00:00 to 23:59).", examples=["18:00"])
    end: str = Field(description="End, HH:MM, after start (24:00 = midnight).", examples=["22:00"])

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        if minute_of(value) >= MINUTES_PER_DAY:
            raise ValueError("a window starts before 24:00")
        return value

    @field_validator("end")
    @classmethod
    def _check_end(cls, value: str, info: ValidationInfo) -> str:
        end = minute_of(value)
        start = info.data.get("start")
        if start is not None and end <= minute_of(start):
            raise ValueError(f"end must be after start ({value} is not after {start})")
        return value

    @property
    def start_minute(self) -> int:
        return minute_of(self.start)

    @property
    def end_minute(self) -> int:
        return minute_of(self.end)

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
