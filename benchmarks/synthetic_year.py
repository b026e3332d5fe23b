"""A seeded, year-long Curtois-style rostering problem, and the time it takes to build its model.

The held-back benchmark instances run to 364 days, 150 staff and 32 shift types; this makes a
problem of that shape (or any other size) with the benchmark's rules: several contracts, most
shifts per type, min/max total minutes, min/max consecutive working days, min days off in a row,
max weekends, days off, on/off requests and weighted cover per day and shift type. Shift types
get a start hour so that "cannot follow" pairs are the ones with too little rest between them;
only their lengths and successions reach the problem, as in the format.

    .venv/bin/python benchmarks/synthetic_year.py [--days 364] [--staff 150] [--shift-types 32]
        [--seed 0] [--write year.txt] [--repeat 3] [--profile]
    .venv/bin/python benchmarks/synthetic_year.py --instance Instance20.txt --repeat 3

Prints the median wall time of `build_model` over `--repeat` builds and the counts of variables
and constraints (by kind); `--profile` adds the hottest functions of one build under cProfile.
`--write` saves the problem as benchmark text for `shiftopt solve` / `shiftopt bench`;
`--instance` times a Curtois text file or Timefold JSON data set instead of generating one.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.formats.curtois import BENCHMARK_START_DATE, read_curtois, write_curtois  # noqa: E402
from optimizer.rules import build_model  # noqa: E402
from optimizer.schema import (  # noqa: E402
    Contract,
    Employee,
    Preference,
    Problem,
    ShiftDemand,
    ShiftType,
)

MIN_REST_HOURS = 11
"""Rest wanted between two shifts; a succession with less is forbidden."""

UNDER_WEIGHT, OVER_WEIGHT = 100, 1
"""Cover weights per missing and per surplus person, as in the public instances."""


def make_problem(days: int, staff: int, num_types: int, seed: int, contracts: int = 8) -> Problem:
    """A random problem of the given size; the same arguments always give the same problem."""
    rng = random.Random(seed)
    shift_types = make_shift_types(rng, num_types)
    contract_list = [make_contract(rng, i, days, shift_types) for i in range(contracts)]
    employees = [
        Employee(
            id=f"E{i:03d}",
            contract=rng.choice(contract_list).id,
            unavailable_days=leave_days(rng, days),
        )
        for i in range(staff)
    ]
    return Problem(
        name=f"synthetic-{days}d-{staff}s-{num_types}t-seed{seed}",
        start_date=BENCHMARK_START_DATE,
        num_days=days,
        shift_types=shift_types,
        contracts=contract_list,
        employees=employees,
        shift_demand=make_cover(rng, days, staff, shift_types),
        preferences=make_requests(rng, days, employees, shift_types),
    )


def make_shift_types(rng: random.Random, count: int) -> list[ShiftType]:
    """Shifts of 4 to 12 hours starting across the day; B cannot follow A when the rest from
    the end of A to the start of B the next day is under `MIN_REST_HOURS`."""
    starts = sorted(rng.randrange(0, 24) for _ in range(count))
    lengths = [rng.choice((4, 6, 8, 8, 8, 10, 12)) for _ in range(count)]
    ids = [f"S{i:02d}" for i in range(count)]
    types = []
    for a in range(count):
        end_a = starts[a] + lengths[a]
        too_close = [ids[b] for b in range(count) if 24 + starts[b] - end_a < MIN_REST_HOURS]
        types.append(
            ShiftType(id=ids[a], duration_minutes=60 * lengths[a], cannot_be_followed_by=too_close)
        )
    return types


def make_contract(
    rng: random.Random, number: int, days: int, shift_types: list[ShiftType]
) -> Contract:
    """Full- or part-time terms; about half the shift types are closed to the contract (as in
    the public instances), some capped at a quarter of the horizon."""
    max_shifts = {}
    for t in shift_types:
        roll = rng.random()
        max_shifts[t.id] = 0 if roll < 0.48 else days // 4 if roll < 0.68 else days
    share = rng.choice((1.0, 1.0, 0.8, 0.6))  # of a 40-hour week
    max_total = round(share * 2400 * days / 7)
    min_consecutive = rng.choice((1, 2, 2, 3))
    return Contract(
        id=f"contract-{number + 1}",
        max_shifts_per_type=max_shifts,
        max_minutes_total=max_total,
        min_minutes_total=round(max_total * rng.uniform(0.85, 0.97)),
        max_consecutive_days=rng.choice((4, 5, 5, 6)),
        min_consecutive_days=min_consecutive,
        min_consecutive_days_off=rng.choice((1, 2, 2, 3)),
        max_weekends=round(days / 7 * rng.uniform(0.4, 0.75)),
    )


def leave_days(rng: random.Random, days: int) -> list[int]:
    """A few blocks of leave, about 6% of the horizon, plus scattered single days off."""
    off: set[int] = set()
    for _ in range(max(1, days // 90)):
        start, length = rng.randrange(days), rng.randint(2, 10)
        off.update(range(start, min(days, start + length)))
    off.update(rng.randrange(days) for _ in range(days // 60))
    return sorted(off)


def make_cover(
    rng: random.Random, days: int, staff: int, shift_types: list[ShiftType]
) -> list[ShiftDemand]:
    """Cover on every day and shift type, about 70% of the staff a day on weekdays and less at
    weekends, spread unevenly over the types."""
    popularity = [rng.uniform(0.2, 1.0) for _ in shift_types]
    scale = sum(popularity)
    lines = []
    for day in range(days):
        people = 0.7 * staff * (0.7 if day % 7 >= 5 else 1.0)
        for t, share in zip(shift_types, popularity, strict=True):
            mean = people * share / scale
            required = max(0, round(rng.gauss(mean, mean / 4)))
            lines.append(
                ShiftDemand(
                    day=day,
                    shift_type=t.id,
                    required=required,
                    weight_under=UNDER_WEIGHT,
                    weight_over=OVER_WEIGHT,
                )
            )
    return lines


def make_requests(
    rng: random.Random, days: int, employees: list[Employee], shift_types: list[ShiftType]
) -> list[Preference]:
    """About one shift-on and one shift-off request per employee per fortnight, weights 1-3."""
    requests = []
    for emp in employees:
        for kind in ("want", "avoid"):
            for day in sorted(rng.sample(range(days), days // 14)):
                requests.append(
                    Preference(
                        employee=emp.id,
                        day=day,
                        shift_type=rng.choice(shift_types).id,
                        kind=kind,
                        weight=rng.randint(1, 3),
                    )
                )
    return requests


def read_instance(path: Path) -> Problem:
    """A Curtois text file, or a Timefold quickstart JSON data set."""
    if path.suffix == ".json":
        from optimizer.formats.timefold import read_timefold

        return read_timefold(json.loads(path.read_text(encoding="utf-8")))
    return read_curtois(path)


CONSTRAINT_KINDS = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one", "lin_max")
"""The kinds the roster model uses; anything else is counted as "other"."""


def constraint_kind(constraint) -> str:
    return next((k for k in CONSTRAINT_KINDS if getattr(constraint, f"has_{k}")()), "other")


def time_build(problem: Problem, repeat: int) -> None:
    """Print the median build time and what the model holds."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        m = build_model(problem)
        seconds.append(time.perf_counter() - started)
    proto = m.model.proto
    kinds = Counter(constraint_kind(c) for c in proto.constraints)
    print(f"problem      {problem.name}")
    print(f"build        median {statistics.median(seconds):.2f} s of {repeat}: ", end="")
    print(", ".join(f"{s:.2f}" for s in seconds))
    print(f"variables    {len(proto.variables)} ({len(m.x)} assignments)")
    print(f"constraints  {len(proto.constraints)}: ", end="")
    print(", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    print(f"objective    {len(proto.objective.vars)} terms")


def profile_build(problem: Problem, top: int = 30) -> None:
    """Print the functions where one build spends most of its time."""
    profiler = cProfile.Profile()
    profiler.enable()
    build_model(problem)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=364, help="Horizon in days.")
    parser.add_argument("--staff", type=int, default=150, help="Number of employees.")
    parser.add_argument("--shift-types", type=int, default=32, help="Number of shift types.")
    parser.add_argument("--contracts", type=int, default=8, help="Number of contracts.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed of the generator.")
    parser.add_argument("--write", type=Path, help="Also save the problem as benchmark text.")
    parser.add_argument("--instance", type=Path, help="Time this file instead (.txt or .json).")
    parser.add_argument("--repeat", type=int, default=3, help="Builds to take the median of.")
    parser.add_argument("--profile", action="store_true", help="Profile one build (cProfile).")
    args = parser.parse_args()

    if args.instance:
        problem = read_instance(args.instance)
    else:
        problem = make_problem(args.days, args.staff, args.shift_types, args.seed, args.contracts)
    if args.write:
        args.write.write_text(write_curtois(problem), encoding="utf-8")
        print(f"wrote        {args.write}")
    if args.repeat > 0:
        time_build(problem, args.repeat)
    if args.profile:
        profile_build(problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
