"""`shiftopt scenario run` and `shiftopt scenario sweep`: what-if runs from the command line.

Output for people (the one-paragraph summary and where the report went) is written here and
nowhere else in the scenarios package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# The solver, the forecaster and matplotlib load inside the handlers, so that registering
# these commands costs every other `shiftopt` command nothing.


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add `scenario run` and `scenario sweep` to the `shiftopt` parser."""
    parser = subcommands.add_parser(
        "scenario",
        help="what-if scenarios solved beside the baseline",
        description="Solve a scenario file beside its baseline and report the differences.",
    )
    actions = parser.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run",
        help="solve one scenario and compare it with its baseline",
        description="Solve the baseline and the scenario in FILE and write DIR/report.md (or "
        ".html), charts and DIR/comparison.json.",
    )
    _common_flags(run, time_limit=30.0)
    run.add_argument(
        "--mode",
        choices=["fresh", "minimal_change"],
        default=None,
        help="override the file's mode: re-optimise freely, or keep as much of the baseline "
        "roster as possible",
    )
    run.add_argument(
        "--workers", type=int, default=2, metavar="N", help="CP-SAT workers per solve (default 2)"
    )
    run.set_defaults(handler=_run_command)

    sweep_parser = actions.add_parser(
        "sweep",
        help="solve one scenario over a range of one parameter, in parallel jobs",
        description="Solve the scenario in FILE at every value of --param (in parallel worker "
        "processes, one CP-SAT worker each) and write DIR/report.md, DIR/sweep.png and "
        "DIR/sweep.json with the cost and service-level curves and the break-even point.",
    )
    _common_flags(sweep_parser, time_limit=20.0)
    sweep_parser.add_argument(
        "--param",
        choices=["uplift", "absence_rate", "overtime_hours", "hires"],
        default=None,
        help="what to vary: demand uplift in percent, absence rate in percent, overtime hours a "
        "week, or temporary hires (default: the file's sweep.param)",
    )
    sweep_parser.add_argument(
        "--values",
        type=_values,
        default=None,
        metavar="V,V,...",
        help="comma-separated values, e.g. 10,20,30,40,50,60 (default: the file's sweep.values)",
    )
    sweep_parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="solves at a time, each in its own process (default: one per CPU)",
    )
    sweep_parser.set_defaults(handler=_sweep_command)


def _common_flags(parser: argparse.ArgumentParser, time_limit: float) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="scenario file (YAML or JSON)")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the report and data"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=time_limit,
        metavar="S",
        help=f"seconds per solve (default {time_limit:g})",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="solver random seed (default 0)"
    )
    parser.add_argument(
        "--format", choices=["md", "html"], default="md", help="report format (default md)"
    )


def _values(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of numbers like 10,20,30"
        ) from exc
    if not values:
        raise argparse.ArgumentTypeError("give at least one value")
    return values


def _check_positive(value: float | int | None, flag: str) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{flag}: must be positive, got {value}")


def _run_command(args: argparse.Namespace) -> int:
    from optimizer import SolverSettings
    from scenarios.report import extra_shift_phrase, percent, write_comparison
    from scenarios.run import run_scenario
    from scenarios.spec import read_scenario

    _check_positive(args.time_limit, "--time-limit")
    _check_positive(args.workers, "--workers")
    scenario = read_scenario(args.file)
    if args.mode:
        scenario = scenario.model_copy(update={"mode": args.mode})
    settings = SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    print(f"solving the baseline and '{scenario.name}' ({args.time_limit:g} s each) ...")
    comparison = run_scenario(scenario, settings)
    report = write_comparison(comparison, args.out, args.format)
    before, after = comparison.baseline, comparison.scenario
    without = comparison.without_extra_shifts
    print(
        f"{scenario.name}: {extra_shift_phrase(after.extra_shifts)}; labour cost "
        f"{before.labour_cost:,.0f} -> {after.labour_cost:,.0f}; service level "
        f"{percent(before.service_level)} baseline, {percent(without.service_level)} without "
        f"the extra shifts, {percent(after.service_level)} with them; "
        f"{after.changed_assignments} baseline shifts changed; "
        f"{after.hard_violations} hard-rule violations"
    )
    print(f"report: {report}")
    print(f"numbers: {args.out / 'comparison.json'}")
    return 0


def _sweep_command(args: argparse.Namespace) -> int:
    from optimizer import SolverSettings
    from scenarios.report import percent, write_sweep
    from scenarios.run import sweep
    from scenarios.spec import read_scenario

    _check_positive(args.time_limit, "--time-limit")
    _check_positive(args.jobs, "--jobs")
    scenario = read_scenario(args.file)
    param = args.param or scenario.sweep.param
    values = args.values or scenario.sweep.values
    settings = SolverSettings(time_limit=args.time_limit, workers=1, seed=args.seed)
    print(f"sweeping '{scenario.name}' over {param} = {', '.join(f'{v:g}' for v in values)} ...")
    result = sweep(scenario, param, values, settings, jobs=args.jobs)
    report = write_sweep(result, args.out, args.format)
    for point in result.points:
        o = point.scenario
        print(
            f"  {param} {point.value:g}: labour cost {o.labour_cost:,.0f}, service level "
            f"{percent(o.service_level)}, uncovered {o.under_cover_person_hours:,.1f} h"
        )
    if result.break_even is not None:
        print(f"break-even: temporary staff beats overtime from {param} {result.break_even:g}")
    print(f"{result.solves} solves in {result.wall_time:.0f} s with {result.jobs} job(s)")
    print(f"report: {report}")
    return 0
