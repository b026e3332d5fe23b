"""Small baselines for the scenario tests: a three-day chat desk with a staffing model, and a
five-day shop whose published roster is deliberately expensive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from optimizer.schema import Problem, Weights
from scenarios.apply import restaff

STAFFING = {"service_level": 0.8, "answer_within_seconds": 60.0, "shrinkage": 0.0}
SLOT_STARTS = (480, 600, 720, 840, 960, 1080)
"""Two-hour slots from 08:00 to 20:00."""


def chat_desk(employees: int = 7, days: int = 3) -> Problem:
    """A chat desk open 08:00-20:00 with load per two-hour slot, staffed by Erlang C."""
    slots = [
        {
            "day": day,
            "start_minute": start,
            "length_minutes": 120,
            "skill": "chat",
            "volume": 40.0 + 20.0 * (start >= 960),
            "aht_seconds": 360.0,
        }
        for day in range(days)
        for start in SLOT_STARTS
    ]
    heads = restaff(slots, STAFFING)
    return Problem(
        name="chat desk",
        num_days=days,
        shift_types=[
            {"id": "early", "start_minute": 480, "duration_minutes": 480},
            {"id": "late", "start_minute": 720, "duration_minutes": 480},
            {"id": "evening", "start_minute": 960, "duration_minutes": 240, "unpopular": True},
        ],
        contracts=[
            {
                "id": "standard",
                "max_minutes_per_week": 1440,
                "overtime_after_minutes_per_week": 1440,
                "min_rest_minutes": 660,
            }
        ],
        employees=[
            {"id": f"e{i}", "contract": "standard", "skills": ["chat"], "hourly_cost": 20.0 + i}
            for i in range(employees)
        ],
        interval_demand=[
            {k: s[k] for k in ("day", "start_minute", "length_minutes", "skill")} | {"required": h}
            for s, h in zip(slots, heads, strict=True)
        ],
        rules={"weights": Weights(labour_cost=1, interval_under_cover=100).model_dump()},
        meta={"staffing": {**STAFFING, "slots": slots}},
    )


def shop_week() -> Problem:
    """Five days, two people a day; two cheap and two expensive employees."""
    return Problem(
        name="shop",
        num_days=5,
        shift_types=[{"id": "day", "start_minute": 540, "duration_minutes": 480}],
        contracts=[{"id": "c", "max_minutes_per_week": 2400}],
        employees=[
            {"id": "cheap1", "contract": "c", "hourly_cost": 10.0},
            {"id": "cheap2", "contract": "c", "hourly_cost": 10.0},
            {"id": "dear1", "contract": "c", "hourly_cost": 30.0},
            {"id": "dear2", "contract": "c", "hourly_cost": 30.0},
        ],
        shift_demand=[{"day": d, "shift_type": "day", "required": 2} for d in range(5)],
        rules={"weights": Weights(labour_cost=1, under_cover=1000).model_dump()},
    )


def expensive_roster() -> dict[str, Any]:
    """The shop's published roster: the two expensive people every day."""
    return {
        "status": "feasible",
        "assignments": [
            {"employee": who, "day": d, "shift_type": "day"}
            for d in range(5)
            for who in ("dear1", "dear2")
        ],
    }


def write_scenario(folder: Path, problem: Problem, **fields: Any) -> Path:
    """Write `problem` as problem.json and a scenario file naming it as its baseline (unless
    `fields` give another); return the scenario file."""
    (folder / "problem.json").write_text(problem.model_dump_json(), encoding="utf-8")
    data = {"name": "test", "baseline": "problem.json", **fields}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
