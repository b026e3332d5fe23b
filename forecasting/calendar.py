"""The calendar a forecast needs: public holidays, closure days and peak events.

A peak event (a campaign, a billing run, a TV advert) has a name, the dates it happened or will
happen, an optional time window and channel, and optionally a manual uplift for when it has no
history to learn from. An event marked `closed` is a day the operation does not open.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path

import holidays as holidays_lib
import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

_logger = logging.getLogger(__name__)


class PeakEvent(BaseModel):
    """Something that lifts (or stops) the load on known dates, past or future."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Name shared by every occurrence, e.g. 'billing'.")
    dates: tuple[dt.date, ...] = Field(
        min_length=1, description="Days the event happens on, past and future."
    )
    start_time: dt.time | None = Field(
        None, description="Start of the affected window each day; None means the whole day."
    )
    end_time: dt.time | None = Field(
        None, description="End (exclusive) of the affected window; None means until midnight."
    )
    channel: str | None = Field(
        None, description="Series id the event affects (e.g. 'chat'); None means every series."
    )
    uplift: float | None = Field(
        None,
        gt=0.0,
        description="Manual load multiplier (1.4 = +40%) used when no past occurrence can be "
        "learned from.",
    )
    closed: bool = Field(False, description="The operation is closed on these dates.")

    @model_validator(mode="after")
    def _check_window(self) -> PeakEvent:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValueError(
                f"event {self.name!r}: end_time {self.end_time} is not after start_time "
                f"{self.start_time}"
            )
        if self.closed and (self.start_time or self.end_time):
            raise ValueError(f"event {self.name!r}: a closure covers whole days, drop the window")
        return self

    def applies_to(self, series_id: str) -> bool:
        """Whether this event affects the given series."""
        return self.channel is None or self.channel == series_id

    def window_minutes(self) -> tuple[int, int]:
        """The affected [start, end) window in minutes after midnight."""
        start = 0 if self.start_time is None else self.start_time.hour * 60 + self.start_time.minute
        end = 1440 if self.end_time is None else self.end_time.hour * 60 + self.end_time.minute
        return start, end


_EVENTS = TypeAdapter(list[PeakEvent])


def read_events(path: str | Path) -> list[PeakEvent]:
    """Read a list of peak events from a YAML or JSON file."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if data is None:
        return []
    if isinstance(data, dict) and "events" in data:
        data = data["events"]
    return _EVENTS.validate_python(data)


def public_holidays(country: str | None, years: Iterable[int]) -> dict[dt.date, str]:
    """Public holidays of `country` (an ISO code such as 'US' or 'DE-BY') in the given years."""
    if not country:
        return {}
    code, _, subdivision = country.partition("-")
    try:
        calendar = holidays_lib.country_holidays(
            code.upper(), subdiv=subdivision or None, years=sorted(set(years))
        )
    except NotImplementedError as exc:
        raise ValueError(f"country: no holiday calendar for {country!r}") from exc
    return dict(calendar.items())
