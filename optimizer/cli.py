"""`shiftopt solve`, `shiftopt convert` and `shiftopt bench`: the optimizer's command line.

Output for people (the progress line, the roster table, the results table) is written here and
nowhere else in the optimizer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import get_args

from optimizer.schema import Problem, Solution, SolverSettings


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the optimizer's sub-commands to the `shiftopt` parser."""
    _register_solve(subcommands)
    _register_convert(subcommands)
    _register_bench(subcommands)


# -- solve ------------------------------------------------------------------------------------
def _add_solver_flags(parser: argparse.ArgumentParser, time_limit: float) -> None:
    parser.add_argument(
        "--time-limit",
        type=float,
        default=time_limit,
        metavar="S",
        help=f"wall-clock seconds for the search (default {time_limit:g})",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="CP-SAT search workers (default 2)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="random seed; the same seed repeats a run (default 0)",
    )
    parser.add_argument(
        "--strategy",
        choices=list(get_args(SolverSettings.model_fields["strategy"].annotation)),
        default="auto",
        help="one CP-SAT call, CP-SAT + large-neighbourhood search, column generation, "
        "or pick by size (default auto)",
    )


def _settings(args: argparse.Namespace) -> SolverSettings:
    return SolverSettings(
        time_limit=args.time_limit, workers=args.workers, seed=args.seed, strategy=args.strategy
    )


def _register_solve(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "solve",
        help="solve a roster problem",
        description="Solve PROBLEM.json (the optimizer's problem schema, or benchmark text "
        "with a .txt extension) and write the solution JSON, with the problem embedded.",
    )
    parser.add_argument("problem", type=Path, metavar="PROBLEM.json", help="problem to solve")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="SOLUTION.json",
        help="where to write the solution",
    )
    _add_solver_flags(parser, 30.0)
    parser.add_argument("--quiet", action="store_true", help="no progress line or table")
    parser.set_defaults(handler=_solve_command)


def load_problem(path: Path) -> Problem:
    """A problem from its JSON file, or from benchmark text (.txt)."""
    if path.suffix.lower() == ".txt":
        from optimizer.formats.curtois import read_curtois

        return read_curtois(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    return Problem.model_validate(data)


def _solve_command(args: argparse.Namespace) -> int:
    from optimizer.solver import solve

    problem = load_problem(args.problem)
    progress = None if args.quiet else _Progress()
    solution = solve(problem, _settings(args), on_solution=progress.update if progress else None)
    if progress:
        progress.done()
    solution.problem = problem
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(solution.model_dump_json(indent=1, exclude_none=True), encoding="utf-8")
    if not args.quiet:
        print(format_summary(solution))
        if solution.assignments:
            print(format_roster(problem, solution))
    return 0 if solution.assignments else 1


class _Progress:
    """One live line on stderr: elapsed time, objective and bound of the best roster."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = ""

    def update(self, solution: Solution) -> None:
        self.last = (
            f"\r{time.monotonic() - self.started:7.1f}s  objective "
            f"{solution.objective!s:>10}  bound {solution.best_bound!s:>10}"
        )
        if sys.stderr.isatty():
            print(self.last, end="", file=sys.stderr, flush=True)
        else:
            print(self.last.strip(), file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.last and sys.stderr.isatty():
            print(file=sys.stderr)


def format_summary(solution: Solution) -> str:
    lines = [
        f"status: {solution.status}   objective: {solution.objective}   "
        f"bound: {solution.best_bound}   gap: {solution.gap}   "
        f"hard violations: {solution.hard_violations}   time: {solution.wall_time:.1f}s"
    ]
    for score in solution.breakdown:
        kind = "hard" if score.hard else "soft"
        lines.append(f"  {score.label:<34} {kind}  {score.violations:>7} x  -> {score.penalty:>9}")
    for conflict in solution.conflicts:
        lines.append(f"  conflict: {conflict.message}")
    return "\n".join(lines)


def format_roster(problem: Problem, solution: Solution, max_days: int = 28) -> str:
    """Employees down, days across, the shift type in each cell ('.' = off)."""
    days = min(problem.num_days, max_days)
    cell = {(a.employee, a.day): a.shift_type for a in solution.assignments}
    width = max(2, *(len(t.id) for t in problem.shift_types)) + 1
    name_width = max(8, *(len(e.id) for e in problem.employees))
    header = " " * name_width + "".join(
        f"{problem.date_of(d).strftime('%a')[:2]:>{width}}" for d in range(days)
    )
    rows = [header]
    for emp in problem.employees:
        rows.append(
            f"{emp.id:<{name_width}}"
            + "".join(f"{cell.get((emp.id, d), '.'):>{width}}" for d in range(days))
        )
    if problem.num_days > days:
        rows.append(f"(first {days} of {problem.num_days} days shown)")
    return "\n".join(rows)


# -- convert ----------------------------------------------------------------------------------
def _register_convert(subcommands: argparse._SubParsersAction) -> None:
    from optimizer.formats.convert import SOURCE_FORMATS, TARGET_FORMATS

    parser = subcommands.add_parser(
        "convert",
        help="convert between benchmark text, problem/solution JSON, roster CSV and "
        "the Timefold quickstart's JSON",
        description="Formats come from the extensions: .txt benchmark text <-> problem .json; "
        "solution .json -> roster .csv (employee,day,shift).",
    )
    parser.add_argument("input", type=Path, metavar="INPUT", help="file to read")
    parser.add_argument("output", type=Path, metavar="OUTPUT", help="file to write")
    parser.add_argument(
        "--from",
        dest="source_format",
        choices=SOURCE_FORMATS,
        help="read INPUT as this format (e.g. timefold: the quickstart's JSON)",
    )
    parser.add_argument(
        "--to",
        dest="target_format",
        choices=TARGET_FORMATS,
        help="write OUTPUT as this format (e.g. timefold: a solved quickstart "
        "JSON from a solution file)",
    )
    parser.set_defaults(handler=_convert_command)


def _convert_command(args: argparse.Namespace) -> int:
    from optimizer.formats.convert import convert_file

    print(convert_file(args.input, args.output, args.source_format, args.target_format))
    return 0


# -- bench ------------------------------------------------------------------------------------
def _register_bench(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "bench",
        help="solve public benchmark instances and record the results",
        description="Solve each instance, check the roster with the independent validator, and "
        "write OUTDIR/<Instance>.roster.csv and OUTDIR/results.csv.",
    )
    parser.add_argument("suite", choices=["curtois", "timefold"], help="benchmark family")
    parser.add_argument(
        "directory",
        type=Path,
        metavar="DIR",
        help="folder holding the instances (e.g. ../shared/benchmarks/curtois)",
    )
    parser.add_argument(
        "--instances", metavar="A,B", help="comma-separated instance names (default: all in DIR)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="OUTDIR",
        help="folder for rosters and results.csv",
    )
    _add_solver_flags(parser, 60.0)
    parser.set_defaults(handler=_bench_command)


def _bench_command(args: argparse.Namespace) -> int:
    from optimizer.bench import format_results, run_benchmark

    names = args.instances.split(",") if args.instances else None
    rows = run_benchmark(
        args.suite,
        args.directory,
        names,
        _settings(args),
        args.out,
        on_row=lambda row: print(format_results([row], header=False), flush=True),
    )
    print(format_results(rows))
    return 0 if all(row.hard_violations == 0 for row in rows) else 1
