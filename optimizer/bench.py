"""Benchmark runs: solve public instances, check every roster independently, tabulate.

Curtois & Qu instances are scored by the independent validator against their best-known values;
Timefold quickstart data sets are additionally scored by the quickstart's own rules
(`optimizer.formats.timefold.score_timefold`), against the upper bound of its soft score.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from optimizer.formats.roster_csv import write_roster_csv
from optimizer.schema import Problem, Solution, SolverSettings
from optimizer.solver import solve
from optimizer.validator import validate

_logger = logging.getLogger(__name__)


@dataclass
class BenchRow:
    """One instance's result. `objective` is the validator's; `best_known` the reference;
    `bound` the solver's lower bound (proved by the search or counted from the problem, see
    `optimizer.bounds`), where it has one."""

    instance: str
    objective: float | None
    best_known: float | None
    gap_pct: float | None
    seconds: float
    hard_violations: int
    first_solution_seconds: float | None = None
    bound: float | None = None


def run_benchmark(
    suite: str,
    directory: Path,
    names: list[str] | None,
    settings: SolverSettings,
    out: Path,
    on_row: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    """Solve each instance of `suite` in `directory`; write rosters and results.csv to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = _instance_paths(suite, Path(directory), names)
    rows = []
    for path in paths:
        row = _run_one(suite, path, settings, out)
        rows.append(row)
        if on_row:
            on_row(row)
        _write_results(rows, out / "results.csv")
    return rows


def _instance_paths(suite: str, directory: Path, names: list[str] | None) -> list[Path]:
    if not directory.is_dir():
        raise ValueError(f"{directory}: no such folder")
    suffix = ".txt" if suite == "curtois" else ".json"
    if names:
        paths = [directory / f"{name}{suffix}" for name in names]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise ValueError(f"--instances: not found in {directory}: {', '.join(missing)}")
        return paths
    paths = sorted(directory.glob(f"*{suffix}"), key=_natural_key)
    if not paths:
        raise ValueError(f"{directory}: no {suffix} instances")
    return paths


def _natural_key(path: Path) -> tuple[str, int]:
    stem = path.stem.rstrip("0123456789")
    number = path.stem[len(stem) :]
    return stem, int(number) if number else -1


def _run_one(suite: str, path: Path, settings: SolverSettings, out: Path) -> BenchRow:
    problem, reference = _load(suite, path)
    first: list[float] = []
    started = time.monotonic()

    def note_first(_: Solution) -> None:
        if not first:
            first.append(time.monotonic() - started)

    solution = solve(problem, settings, on_solution=note_first)
    solution.problem = problem
    (out / f"{path.stem}.solution.json").write_text(
        solution.model_dump_json(exclude_none=True), encoding="utf-8"
    )
    (out / f"{path.stem}.roster.csv").write_text(
        write_roster_csv(solution.assignments, [e.id for e in problem.employees]), encoding="utf-8"
    )
    report = validate(problem, solution.assignments)
    if suite == "timefold":
        return _timefold_row(path, problem, solution, report.hard_violations, first, out)
    objective = report.objective if solution.assignments else None
    return BenchRow(
        instance=path.stem,
        objective=objective,
        best_known=reference,
        gap_pct=_gap_pct(objective, reference, minimise=True),
        seconds=solution.wall_time,
        hard_violations=len(report.hard_violations),
        first_solution_seconds=round(first[0], 2) if first else None,
        bound=solution.best_bound,
    )


def _load(suite: str, path: Path) -> tuple[Problem, float | None]:
    if suite == "curtois":
        from optimizer.formats.curtois import BEST_KNOWN, read_curtois

        return read_curtois(path), BEST_KNOWN.get(path.stem)
    from optimizer.formats.timefold import read_timefold

    data = json.loads(path.read_text(encoding="utf-8"))
    problem = read_timefold(data, name=path.stem)
    upper = sum(1 for p in problem.preferences if p.kind == "want") * 480
    return problem, float(upper)


def _timefold_row(
    path: Path,
    problem: Problem,
    solution: Solution,
    violations: list,
    first: list[float],
    out: Path,
) -> BenchRow:
    from optimizer.formats.timefold import score_timefold, write_timefold

    solved = write_timefold(problem, solution.assignments)
    (out / f"{path.stem}.solved.json").write_text(json.dumps(solved), encoding="utf-8")
    score = score_timefold(solved)
    upper = sum(1 for p in problem.preferences if p.kind == "want") * 480
    feasible = solution.assignments and score.hard == 0
    soft = round(score.soft, 1) if feasible else None
    return BenchRow(
        instance=path.stem,
        objective=soft,
        best_known=float(upper),
        gap_pct=_gap_pct(soft, upper, minimise=False),
        seconds=solution.wall_time,
        hard_violations=len(violations) + (-score.hard),
        first_solution_seconds=round(first[0], 2) if first else None,
    )


def _gap_pct(value: float | None, reference: float | None, minimise: bool) -> float | None:
    if value is None or not reference:
        return None
    diff = (value - reference) if minimise else (reference - value)
    return round(100.0 * diff / abs(reference), 2)


def _write_results(rows: list[BenchRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)


def format_results(rows: list[BenchRow], header: bool = True) -> str:
    """A plain-text table of benchmark rows."""
    lines = []
    if header:
        lines.append(
            f"{'instance':<14}{'objective':>12}{'best_known':>12}{'gap_%':>8}"
            f"{'seconds':>9}{'first_s':>9}{'hard':>6}{'bound':>9}"
        )
    for r in rows:
        lines.append(
            f"{r.instance:<14}{_fmt(r.objective):>12}{_fmt(r.best_known):>12}"
            f"{_fmt(r.gap_pct):>8}{r.seconds:>9.1f}{_fmt(r.first_solution_seconds):>9}"
            f"{r.hard_violations:>6}{_fmt(r.bound):>9}"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"
