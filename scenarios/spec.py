"""What a scenario file says: a named, versioned change to a baseline week.

A scenario names its baseline (a problem JSON file, or the built-in demo week), then lists
demand changes (percent or people, on chosen days, time windows and skills, or a named peak
event), staff changes (temporary hires, leave, an absence rate), rule changes (overtime, a
weekly limit) and a budget. Files are YAML or JSON; bad input fails naming the field.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forecasting.calendar import PeakEvent, read_events
from scenarios.demo import DemoSpec

_logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def minute_of(text: str, field: str) -> int:
    """'16:30' as 990 minutes after midnight ('24:00' is the end of the day)."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"{field}: {text!r} is not a time of day like '16:00'")
    minute = int(match.group(1)) * 60 + int(match.group(2))
    if minute > 1440:
        raise ValueError(f"{field}: {text!r} is after midnight")
    return minute


class Baseline(_Model):
    """The department week a scenario changes: a problem file or the built-in demo week."""

    problem: Path | None = Field(
        None, description="Problem JSON file (optimizer schema), relative to the scenario file."
    )
    demo: DemoSpec | None = Field(None, description="The built-in customer-service demo week.")
    roster: Path | None = Field(
        None,
        description="Solution JSON of the published roster (default: solve the baseline). "
        "Minimal-change mode keeps as much of it as possible.",
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_short_forms(cls, data: Any) -> Any:
        if data == "demo":
            return {"demo": {}}
        if isinstance(data, str):
            return {"problem": data}
        return data

    @model_validator(mode="after")
    def _check_one(self) -> Baseline:
        if (self.problem is None) == (self.demo is None):
            raise ValueError("give either 'problem: FILE.json' or 'demo', exactly one")
        return self


class DemandChange(_Model):
    """More (or less) demand on chosen days, hours and skills, or on a named peak event."""

    percent: float | None = Field(
        None,
        gt=-100,
        description="Change of load in percent (+40 = 40% more contacts). With a staffing "
        "model the slot's volume changes and its heads are re-staffed with Erlang C; without "
        "one the required heads scale.",
    )
    people: int | None = Field(None, description="People added to (or taken from) each slot.")
    closed: bool = Field(False, description="No demand at all on the chosen days (a closure).")
    event: str | None = Field(
        None, description="Name of a peak event (scenario `events` or `events_file`)."
    )
    days: list[int | str] | None = Field(
        None, description="Days of the week as names ('fri') or horizon days (0 = first day)."
    )
    dates: list[dt.date] | None = Field(None, description="Calendar dates.")
    start: str | None = Field(None, description="Window start, e.g. '16:00' (default 00:00).")
    end: str | None = Field(None, description="Window end, exclusive, e.g. '22:00'.")
    skills: list[str] | None = Field(None, description="Skills affected (default: every skill).")
    shift_types: list[str] | None = Field(
        None, description="Shift types affected, for per-shift demand (default: all)."
    )

    @field_validator("days")
    @classmethod
    def _check_days(cls, days: list[int | str] | None) -> list[int | str] | None:
        for day in days or []:
            if isinstance(day, str) and day.strip().lower()[:3] not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday name (mon ... sun) or a day number")
            if isinstance(day, int) and day < 0:
                raise ValueError(f"day {day} is negative")
        return days

    @model_validator(mode="after")
    def _check_change(self) -> DemandChange:
        given = [self.percent is not None, self.people is not None, self.closed]
        if sum(given) > 1:
            raise ValueError("give one of percent, people or closed per change")
        if not any(given) and self.event is None:
            raise ValueError("give percent, people, closed or an event")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                minute_of(value, name)
        if self.start and self.end and minute_of(self.end, "end") <= minute_of(self.start, "start"):
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self

    def window(self) -> tuple[int, int]:
        start = 0 if self.start is None else minute_of(self.start, "start")
        end = 1440 if self.end is None else minute_of(self.end, "end")
        return start, end


class TemporaryHire(_Model):
    """People hired for the scenario's week only."""

    count: int = Field(ge=1, le=500, description="How many.")
    skills: list[str] = Field(min_length=1, description="Skills they hold, e.g. ['chat'].")
    max_hours_per_week: float = Field(40, gt=0, le=80, description="Their weekly cap.")
    hourly_cost: float = Field(ge=0, description="Cost of one of their paid hours.")
    shift_types: list[str] | None = Field(
        None, description="Shift types they may work (default: all)."
    )
    name: str = Field("temp", min_length=1, description="Prefix of their ids.")


class Leave(_Model):
    """An employee off on some days of the week."""

    employee: str
    days: list[int | str] = Field(min_length=1, description="Day names or horizon days.")


class StaffChange(_Model):
    """Changes to who can be rostered."""

    hires: list[TemporaryHire] = Field(default_factory=list)
    leave: list[Leave] = Field(default_factory=list)
    absence_rate: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Share of working days lost to sickness (0.15 = 15%): each person's days "
        "become unavailable at this rate, drawn from `seed`.",
    )
    seed: int = Field(0, ge=0, description="Seed of the absence draw.")


class RuleChange(_Model):
    """Changes to the labour rules."""

    overtime_hours: float | None = Field(
        None,
        ge=0,
        le=40,
        description="Allow up to this many hours a week beyond each weekly limit, paid as "
        "overtime from the old limit.",
    )
    max_hours_per_week: float | None = Field(
        None, gt=0, le=80, description="A different weekly limit for full-time contracts."
    )


class SweepSpec(_Model):
    """Defaults of `shiftopt scenario sweep` for this scenario."""

    param: Literal["uplift", "absence_rate", "overtime_hours", "hires"] = "uplift"
    values: list[float] = Field(default_factory=lambda: [10, 20, 30, 40, 50, 60], min_length=1)
    unmet_hour_cost: float = Field(
        60.0,
        ge=0,
        description="What one uncovered person-hour costs the business; the break-even "
        "compares labour cost plus this for every uncovered hour.",
    )


class Scenario(_Model):
    """A named, versioned change to a baseline week."""

    name: str = Field(min_length=1, description="Short name, used in reports and file names.")
    version: int = Field(1, ge=1, description="Bumped whenever the scenario's content changes.")
    description: str = ""
    baseline: Baseline | None = Field(
        None,
        description="The week the scenario changes. Required in files; the service supplies "
        "a department's week instead.",
    )
    events: list[PeakEvent] = Field(default_factory=list, description="Peak events, inline.")
    events_file: Path | None = Field(None, description="Peak events file (the forecaster's).")
    demand: list[DemandChange] = Field(default_factory=list)
    staff: StaffChange = Field(default_factory=StaffChange)
    rules: RuleChange = Field(default_factory=RuleChange)
    budget: float | None = Field(None, ge=0, description="Labour cost the week may not exceed.")
    mode: Literal["fresh", "minimal_change"] = Field(
        "fresh",
        description="'fresh': re-optimise freely (warm-started from the baseline roster); "
        "'minimal_change': keep as much of the baseline roster as possible.",
    )
    keep_weight: int | None = Field(
        None,
        ge=0,
        description="In minimal-change mode, the penalty for moving one baseline shift "
        "(default: the penalty of one missing person in one slot).",
    )
    sweep: SweepSpec = Field(default_factory=SweepSpec)

    @model_validator(mode="after")
    def _check_events(self) -> Scenario:
        known = {e.name for e in self.events}
        if self.events_file is None:
            for i, change in enumerate(self.demand):
                if change.event is not None and change.event not in known:
                    raise ValueError(
                        f"demand[{i}].event: unknown event {change.event!r}; define it under "
                        "'events' or name an events_file"
                    )
        return self

    def all_events(self) -> dict[str, PeakEvent]:
        """Inline events and those of `events_file`, by name."""
        events = list(self.events)
        if self.events_file is not None:
            events += read_events(self.events_file)
        return {e.name: e for e in events}


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML or JSON); relative paths in it are resolved
    against the file's folder."""
    path = Path(path)
    with open(path, encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML or JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a scenario is a mapping with at least 'name' and 'baseline'")
    scenario = Scenario.model_validate(data)
    return resolve_paths(scenario, path.parent)


def resolve_paths(scenario: Scenario, folder: Path) -> Scenario:
    """The scenario with its baseline and events files made relative to `folder`."""
    update: dict[str, Any] = {}
    baseline = scenario.baseline
    if baseline is None:
        raise ValueError("baseline: give 'demo' or 'problem: FILE.json'")
    moved = {
        name: folder / getattr(baseline, name)
        for name in ("problem", "roster")
        if getattr(baseline, name) is not None and not getattr(baseline, name).is_absolute()
    }
    if moved:
        update["baseline"] = baseline.model_copy(update=moved)
    if scenario.events_file is not None and not scenario.events_file.is_absolute():
        update["events_file"] = folder / scenario.events_file
    if not update:
        return scenario
    resolved = scenario.model_copy(update=update)
    if "events_file" in update:
        names = set(resolved.all_events())
        for i, change in enumerate(resolved.demand):
            if change.event is not None and change.event not in names:
                raise ValueError(f"demand[{i}].event: unknown event {change.event!r}")
    return resolved
