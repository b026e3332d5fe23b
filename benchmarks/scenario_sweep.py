"""Scenario sweep benchmark: a 6-point uplift sweep on the 50-employee demo week, one solve at
a time against parallel worker processes.

The pre-sale scenario (+N% chat load 16:00-22:00, up to 8 h overtime) is solved at six uplifts,
each solve with one CP-SAT worker and the same time limit, once with `jobs=1` (sequential, in
this process) and once with `jobs=2` (two worker processes). The baseline roster is solved once
beforehand and shared, so only the sweep is timed. Each repeat runs both, sequential first;
reported are median wall times, the ratio, and the last repeat's curves of both runs (every
roster checked by the independent validator, whose objective is shown).

    .venv/bin/python benchmarks/scenario_sweep.py [--time-limit 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer import SolverSettings, solve  # noqa: E402
from scenarios.run import load_baseline, sweep  # noqa: E402
from scenarios.spec import read_scenario  # noqa: E402

_logger = logging.getLogger(__name__)

VALUES = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        type=Path,
        default=ROOT / "scenarios" / "library" / "presale_week.yaml",
        help="scenario file to sweep (default: the pre-sale week)",
    )
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each mode")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the parallel run")
    parser.add_argument(
        "--with-options",
        action="store_true",
        help="keep the temporary hires, so each point also solves the overtime-only and "
        "temporary-only options (18 solves instead of 6)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    scenario = read_scenario(args.scenario)
    if not args.with_options:
        scenario = scenario.model_copy(
            update={"staff": scenario.staff.model_copy(update={"hires": []})}
        )
    baseline = load_baseline(scenario)
    base = solve(baseline, SolverSettings(time_limit=20, workers=2))
    print(
        f"baseline: {len(baseline.employees)} employees, {len(baseline.interval_demand)} "
        f"demand slots, {len(base.assignments)} shifts, objective {base.objective}"
    )
    settings = SolverSettings(time_limit=args.time_limit, workers=1)
    times: dict[int, list[float]] = {1: [], args.jobs: []}
    last = {}
    for repeat in range(args.repeats):
        for jobs in (1, args.jobs):
            result = sweep(
                scenario,
                "uplift",
                VALUES,
                settings,
                jobs=jobs,
                baseline=baseline,
                base_solution=base,
            )
            violations = sum(
                o.hard_violations
                for p in result.points
                for o in (p.scenario, p.overtime, p.temporary)
                if o is not None
            )
            times[jobs].append(result.wall_time)
            last[jobs] = result
            print(
                f"repeat {repeat + 1}: jobs={jobs} {result.solves} solves "
                f"{result.wall_time:.1f} s, hard violations {violations}",
                flush=True,
            )
    seq, par = statistics.median(times[1]), statistics.median(times[args.jobs])
    print()
    print("| run | solves | time limit per solve | median wall time | runs |")
    print("|---|---|---|---|---|")
    for jobs, label in ((1, "sequential (jobs=1)"), (args.jobs, f"parallel (jobs={args.jobs})")):
        runs = ", ".join(f"{t:.1f}" for t in times[jobs])
        print(
            f"| {label} | {last[jobs].solves} | {args.time_limit:g} s | "
            f"{statistics.median(times[jobs]):.1f} s | {runs} |"
        )
    print(f"\nspeed-up {seq / par:.2f}x")
    print(
        "\n| uplift | objective seq | par | labour cost seq | par | service level seq | par "
        "| extra evening shifts seq | par |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for a, b in zip(last[1].points, last[args.jobs].points, strict=True):
        x, y = a.scenario, b.scenario
        print(
            f"| +{a.value:g}% | {x.objective:,} | {y.objective:,} | {x.labour_cost:,.0f} | "
            f"{y.labour_cost:,.0f} | {x.service_level:.3f} | {y.service_level:.3f} | "
            f"{x.extra_shifts.get('evening', 0)} | {y.extra_shifts.get('evening', 0)} |"
        )


if __name__ == "__main__":
    main()
