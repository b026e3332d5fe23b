"""The built-in demo baseline: a customer-service week (phone and chat) whose interval demand is
forecast from synthetic load history and staffed with Erlang C, all drawn from a fixed seed.

It needs no database: `demo_problem()` returns an optimizer `Problem` whose `meta["staffing"]`
keeps the forecast volume and handling time of every slot, so scenarios can re-staff a changed
load and report the service level a roster reaches.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from forecasting.model import DemandForecaster
from forecasting.staffing import StaffingTargets, add_required_staff, to_interval_demand
from optimizer.schema import (
    Contract,
    Employee,
    IntervalDemand,
    Preference,
    Problem,
    Rules,
    ShiftType,
    weekly_roster_weights,
)

_logger = logging.getLogger(__name__)

DEMO_WEEK = dt.date(2025, 11, 24)
"""Monday of the demo week: the week before Black Friday's sale ends, a classic pre-sale week."""

HISTORY_WEEKS = 8
OPEN_FROM, OPEN_UNTIL = 7 * 60, 22 * 60
SLOT_MINUTES = 30

AHT_SECONDS = {"phone": 300.0, "chat": 420.0}
"""Handling time per contact; a chat agent handles two chats at once, hence the longer AHT."""

DAILY_CONTACTS = {"phone": 800.0, "chat": 330.0}
WEEKDAY_LEVEL = (1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.5)


class DemoSpec(BaseModel):
    """How big the demo week is and which seed draws it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    employees: int = Field(50, ge=4, le=400, description="People in the department.")
    week: dt.date = Field(DEMO_WEEK, description="Monday of the planned week.")
    seed: int = Field(7, ge=0, description="Seed of every random draw (history, staff, wishes).")
    service_level: float = Field(0.8, gt=0, lt=1, description="Share answered in time.")
    answer_within_seconds: float = Field(60.0, ge=0, description="'In time', seconds.")
    shrinkage: float = Field(0.2, ge=0, lt=1, description="Share of rostered time lost.")
    volume_scale: float = Field(
        1.0, gt=0, description="Multiplier on the history's level (1.0 fits 50 people)."
    )


def intraday_profile(skill: str, minute: int) -> float:
    """Relative load in a half hour: phones peak late morning, chat peaks in the evening."""
    hour = minute / 60
    if skill == "phone":
        return (
            0.35 + math.exp(-(((hour - 11) / 2.6) ** 2)) + 0.4 * math.exp(-(((hour - 17) / 2) ** 2))
        )
    return (
        0.3 + 0.45 * math.exp(-(((hour - 12) / 2.5) ** 2)) + math.exp(-(((hour - 19.5) / 1.6) ** 2))
    )


def synthetic_history(spec: DemoSpec) -> pd.DataFrame:
    """Load history per skill and half hour for the weeks before the demo week (long frame)."""
    rng = np.random.default_rng(spec.seed)
    first = spec.week - dt.timedelta(weeks=HISTORY_WEEKS)
    minutes = np.arange(OPEN_FROM, OPEN_UNTIL, SLOT_MINUTES)
    frames = []
    for skill, daily in DAILY_CONTACTS.items():
        profile = np.array([intraday_profile(skill, int(m)) for m in minutes])
        profile = profile / profile.sum()
        for d in range(HISTORY_WEEKS * 7):
            date = first + dt.timedelta(days=d)
            growth = 1 + 0.005 * (d // 7)
            mean = daily * spec.volume_scale * WEEKDAY_LEVEL[date.weekday()] * growth * profile
            volume = rng.poisson(mean).astype(float)
            stamps = pd.Timestamp(date) + pd.to_timedelta(minutes, unit="min")
            frames.append(pd.DataFrame({"unique_id": skill, "ds": stamps, "y": volume}))
    return pd.concat(frames, ignore_index=True)


def forecast_slots(spec: DemoSpec) -> list[dict]:
    """Forecast volume and rostered heads per skill and half hour of the demo week."""
    history = synthetic_history(spec)
    interval = pd.Timedelta(minutes=SLOT_MINUTES)
    model = DemandForecaster(freq=f"{SLOT_MINUTES}min", calibration_weeks=4).fit(history)
    forecast = model.forecast(start=spec.week, horizon="7D")
    slots = []
    for skill, part in forecast.groupby("unique_id", sort=True):
        targets = StaffingTargets(
            aht_seconds=AHT_SECONDS[str(skill)],
            service_level=spec.service_level,
            answer_within_seconds=spec.answer_within_seconds,
            shrinkage=spec.shrinkage,
        )
        staffed = add_required_staff(part, interval, targets)
        lines = to_interval_demand(staffed, spec.week, interval)
        volumes = {
            (int((t.normalize() - pd.Timestamp(spec.week)).days), t.hour * 60 + t.minute): v
            for t, v in zip(pd.to_datetime(part["ds"]), part["forecast"], strict=True)
        }
        for line in lines:
            key = (line["day"], line["start_minute"])
            slots.append(
                {
                    **line,
                    "skill": str(skill),
                    "volume": round(float(volumes[key]), 2),
                    "aht_seconds": AHT_SECONDS[str(skill)],
                }
            )
    return [s for s in slots if s["day"] < 7]


def demo_shift_types() -> list[ShiftType]:
    """Early, flexible, late and evening shifts, as in the service's demo customer service."""
    return [
        ShiftType(id="early", name="Early 07-15", start_minute=420, duration_minutes=480),
        ShiftType(
            id="flex", name="Flexible 10-18", start_minute=600, duration_minutes=480, flexible=True
        ),
        ShiftType(id="late", name="Late 13-21", start_minute=780, duration_minutes=480),
        ShiftType(
            id="evening",
            name="Evening 16-22",
            start_minute=960,
            duration_minutes=360,
            unpopular=True,
        ),
    ]


def demo_contracts() -> list[Contract]:
    """Full time (40 h, overtime paid beyond it) and two part-time caps."""
    common = {"min_rest_minutes": 660, "max_consecutive_days": 6, "overtime_rate": 1.5}
    return [
        Contract(
            id="standard",
            max_minutes_per_week=2400,
            overtime_after_minutes_per_week=2400,
            **common,
        ),
        Contract(id="part-time-24h", max_minutes_per_week=1440, **common),
        Contract(id="part-time-32h", max_minutes_per_week=1920, **common),
    ]


def demo_employees(spec: DemoSpec) -> list[Employee]:
    """Everyone takes phones; about half also take chat; a fifth work part time."""
    rng = np.random.default_rng(spec.seed + 1)
    people = []
    for i in range(spec.employees):
        skills = ["phone"] + (["chat"] if rng.random() < 0.55 else [])
        draw = rng.random()
        contract = "standard"
        if draw < 0.1:
            contract = "part-time-24h"
        elif draw < 0.2:
            contract = "part-time-32h"
        people.append(
            Employee(
                id=f"cs{i + 1:03d}",
                name=f"Agent {i + 1}",
                contract=contract,
                skills=skills,
                hourly_cost=round(float(rng.uniform(22.0, 30.0)), 2),
                priority=1.5 if rng.random() < 0.1 else 1.0,
                unavailable_days=[int(rng.integers(0, 7))] if rng.random() < 0.08 else [],
            )
        )
    return people


def demo_preferences(spec: DemoSpec, employees: list[Employee]) -> list[Preference]:
    """Weekend avoidance and a few shift wishes, as managers typically collect them."""
    rng = np.random.default_rng(spec.seed + 2)
    wishes = []
    for person in employees:
        if rng.random() < 0.35:
            day = 5 + int(rng.integers(0, 2))
            wishes.append(Preference(employee=person.id, day=day, kind="avoid", weight=4))
        if rng.random() < 0.3:
            day = int(rng.integers(0, 5))
            shift = ("early", "flex", "late", "evening")[int(rng.integers(0, 4))]
            kind = "avoid" if shift == "evening" else "want"
            wishes.append(
                Preference(employee=person.id, day=day, shift_type=shift, kind=kind, weight=6)
            )
    return wishes


def demo_problem(spec: DemoSpec | None = None) -> Problem:
    """The demo customer-service week as an optimizer problem, with its staffing model in meta."""
    spec = spec or DemoSpec()
    slots = forecast_slots(spec)
    employees = demo_employees(spec)
    _logger.info("demo week of %s: %d people, %d slots", spec.week, len(employees), len(slots))
    return Problem(
        name=f"customer service, week of {spec.week}",
        start_date=spec.week,
        num_days=7,
        shift_types=demo_shift_types(),
        contracts=demo_contracts(),
        employees=employees,
        interval_demand=[
            IntervalDemand(
                day=s["day"],
                start_minute=s["start_minute"],
                length_minutes=s["length_minutes"],
                skill=s["skill"],
                required=s["required"],
            )
            for s in slots
        ],
        preferences=demo_preferences(spec, employees),
        rules=Rules(weights=weekly_roster_weights()),
        meta={
            "staffing": {
                "service_level": spec.service_level,
                "answer_within_seconds": spec.answer_within_seconds,
                "shrinkage": spec.shrinkage,
                "slots": [
                    {k: s[k] for k in ("day", "start_minute", "length_minutes", "skill")}
                    | {"volume": s["volume"], "aht_seconds": s["aht_seconds"]}
                    for s in slots
                ],
            }
        },
    )
