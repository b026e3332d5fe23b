"""Solve a scenario beside its baseline and compare them; sweep a scenario over a range.

`run_scenario` solves the baseline (or takes its published roster), then the scenario
warm-started from it, checks both rosters with the independent validator and measures them.
`sweep` solves one scenario at many values of a parameter in parallel worker processes, with
an overtime-only and a temporary-staff-only option per point when the scenario allows both,
and finds the break-even point where temporary staff beats overtime.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Literal

from pydantic import BaseModel, Field

from optimizer import Assignment, Problem, Solution, SolverSettings, solve, validate
from optimizer.solver import StopCheck
from scenarios.apply import STAFFING, default_keep_weight, keep_baseline, scenario_problem
from scenarios.demo import demo_problem
from scenarios.measure import (
    RosterMeasures,
    SlotCover,
    added_assignments,
    changed_assignments,
    extra_shifts,
    measure,
    slot_cover,
)
from scenarios.spec import Scenario

_logger = logging.getLogger(__name__)

SweepParam = Literal["uplift", "absence_rate", "overtime_hours", "hires"]


class Outcome(RosterMeasures):
    """A roster's measures, and how it differs from the baseline roster."""

    extra_shifts: dict[str, int] = Field(
        default_factory=dict, description="Shifts more than the baseline, by template."
    )
    extra_shifts_by_day: dict[str, dict[int, int]] = Field(
        default_factory=dict, description="Shifts more than the baseline, by template and day."
    )
    changed_assignments: int = Field(0, description="Baseline shifts dropped or moved.")
    added_assignments: int = Field(0, description="Shifts the baseline did not have.")


class SlotRow(BaseModel):
    """One slot before and after: asked for, rostered, service level."""

    day: int
    start_minute: int
    skill: str | None
    required_before: int
    rostered_before: int
    required_after: int
    rostered_after: int
    rostered_without: int = Field(description="Baseline roster, less absent people.")
    service_level_before: float | None
    service_level_without: float | None = Field(
        description="Scenario load on the baseline roster: no extra shifts."
    )
    service_level_after: float | None


class Comparison(BaseModel):
    """A scenario against its baseline: the numbers of comparison.json."""

    name: str
    version: int
    description: str
    mode: str
    baseline_name: str
    start_date: str
    baseline: Outcome
    scenario: Outcome
    without_extra_shifts: Outcome = Field(
        description="The baseline roster facing the scenario (absent people removed)."
    )
    delta: dict[str, float | None] = Field(description="Scenario minus baseline.")
    budget: float | None = None
    within_budget: bool | None = None
    service_level_target: float | None = Field(
        None, description="The staffing model's target share answered in time."
    )
    slots: list[SlotRow] = Field(default_factory=list)
    time_limit: float
    wall_time: float


def load_baseline(scenario: Scenario) -> Problem:
    """The scenario's baseline problem: from its file, or the built-in demo week."""
    if scenario.baseline is None:
        raise ValueError("baseline: give 'demo' or 'problem: FILE.json'")
    if scenario.baseline.demo is not None:
        return demo_problem(scenario.baseline.demo)
    path = scenario.baseline.problem
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if isinstance(data, dict) and "problem" in data and "assignments" in data:
        data = data["problem"]
    return Problem.model_validate(data)


class RunStopped(Exception):
    """The caller asked a run to stop before its comparison was complete."""


def baseline_roster(
    scenario: Scenario,
    problem: Problem,
    settings: SolverSettings,
    should_stop: StopCheck | None = None,
) -> Solution:
    """The published roster named by the scenario, or a fresh solve of the baseline."""
    if scenario.baseline is not None and scenario.baseline.roster is not None:
        with open(scenario.baseline.roster, encoding="utf-8") as handle:
            solution = Solution.model_validate_json(handle.read())
        report = validate(problem, solution.assignments)
        solution.objective = report.objective
        solution.hard_violations = len(report.hard_violations)
        return solution
    return solve(problem, settings, should_stop=should_stop)


def present(problem: Problem, roster: list[Assignment]) -> list[Assignment]:
    """The roster's shifts whose employee is still there and available that day."""
    people = problem.employee_by_id()
    types = problem.shift_type_by_id()
    kept = []
    for a in roster:
        person = people.get(a.employee)
        if person is None or a.shift_type not in types or a.day >= problem.num_days:
            continue
        if a.day not in person.unavailable_days:
            kept.append(a)
    return kept


def solve_scenario(
    scenario: Scenario,
    baseline: Problem,
    base_roster: list[Assignment],
    settings: SolverSettings,
    should_stop: StopCheck | None = None,
) -> tuple[Problem, Solution]:
    """The scenario's problem and its roster, warm-started from the baseline roster (and,
    in minimal-change mode, rewarded for every baseline shift it keeps)."""
    problem = scenario_problem(scenario, baseline)
    kept = present(problem, base_roster)
    solved = problem
    if scenario.mode == "minimal_change":
        weight = scenario.keep_weight
        solved = keep_baseline(
            problem, kept, default_keep_weight(problem) if weight is None else weight
        )
    solution = solve(solved, settings, warm_start=kept, should_stop=should_stop)
    solution = no_worse_than_kept(solved, solution, kept)
    if solved is not problem and solution.assignments:
        report = validate(problem, solution.assignments)
        solution.objective = report.objective
        solution.breakdown = report.breakdown
        solution.hard_violations = len(report.hard_violations)
    return problem, solution


def no_worse_than_kept(problem: Problem, solution: Solution, kept: list[Assignment]) -> Solution:
    """The solver's roster, or the baseline roster (less absent people) when that keeps every
    hard rule and scores better: a short search must never make the week worse than leaving
    the roster as it is."""
    report = validate(problem, kept)
    if report.hard_violations:
        return solution
    if solution.objective is not None and solution.objective <= report.objective:
        return solution
    _logger.info(
        "%s: the search ended at %s, the baseline roster scores %d; keeping the baseline roster",
        problem.name,
        solution.objective,
        report.objective,
    )
    return solution.model_copy(
        update={
            "status": "feasible",
            "assignments": kept,
            "objective": report.objective,
            "breakdown": report.breakdown,
            "hard_violations": 0,
        }
    )


def outcome(
    problem: Problem,
    roster: list[Assignment],
    base_roster: list[Assignment],
    solution: Solution | None = None,
    slots: list[SlotCover] | None = None,
) -> Outcome:
    """Measures of a roster, with its differences from the baseline roster."""
    report = validate(problem, roster)
    measures = measure(problem, roster, slots)
    by_template, by_day = extra_shifts(base_roster, roster)
    return Outcome(
        **measures.model_dump(exclude={"hard_violations", "objective", "status", "wall_time"}),
        hard_violations=len(report.hard_violations),
        objective=report.objective,
        status=None if solution is None else solution.status,
        wall_time=None if solution is None else solution.wall_time,
        extra_shifts=by_template,
        extra_shifts_by_day=by_day,
        changed_assignments=changed_assignments(base_roster, roster),
        added_assignments=added_assignments(base_roster, roster),
    )


def run_scenario(
    scenario: Scenario,
    settings: SolverSettings,
    *,
    baseline: Problem | None = None,
    base_solution: Solution | None = None,
    should_stop: StopCheck | None = None,
) -> Comparison:
    """Solve the baseline and the scenario, and compare them. `should_stop` is polled while
    they are solved; RunStopped once it says stop (a comparison of half-searched rosters
    would mislead)."""
    started = time.monotonic()
    baseline = baseline or load_baseline(scenario)
    if base_solution is None:
        base_solution = baseline_roster(scenario, baseline, settings, should_stop)
    _check_going_on(should_stop)
    check_found("baseline", base_solution, settings)
    base = base_solution.assignments
    problem, solution = solve_scenario(scenario, baseline, base, settings, should_stop)
    _check_going_on(should_stop)
    check_found(f"scenario {scenario.name!r}", solution, settings)
    without = present(problem, base)
    slots_before = slot_cover(baseline, base)
    slots_after = slot_cover(problem, solution.assignments)
    slots_without = slot_cover(problem, without)
    before = outcome(baseline, base, base, base_solution, slots_before)
    after = outcome(problem, solution.assignments, base, solution, slots_after)
    kept = outcome(problem, without, base, None, slots_without)
    within = None if scenario.budget is None else after.labour_cost <= scenario.budget
    return Comparison(
        name=scenario.name,
        version=scenario.version,
        description=scenario.description,
        mode=scenario.mode,
        baseline_name=baseline.name,
        start_date=baseline.start_date.isoformat(),
        baseline=before,
        scenario=after,
        without_extra_shifts=kept,
        delta=deltas(before, after),
        budget=scenario.budget,
        within_budget=within,
        service_level_target=(baseline.meta.get(STAFFING) or {}).get("service_level"),
        slots=slot_rows(slots_before, slots_after, slots_without),
        time_limit=settings.time_limit,
        wall_time=round(time.monotonic() - started, 2),
    )


def _check_going_on(should_stop: StopCheck | None) -> None:
    if should_stop is not None and should_stop():
        raise RunStopped("the run was stopped before its comparison was complete")


def check_found(what: str, solution: Solution, settings: SolverSettings) -> None:
    """Refuse to compare against a roster that was never found (an empty roster that the
    solver did find, e.g. for a closed week, is fine)."""
    if solution.assignments or solution.status in ("optimal", "feasible"):
        return
    if solution.status in ("infeasible", "model_invalid"):
        reasons = "; ".join(c.message for c in solution.conflicts[:3])
        raise ValueError(f"{what}: no roster exists ({reasons or solution.status})")
    raise ValueError(
        f"{what}: no roster found within {settings.time_limit:g} s; give it a longer --time-limit"
    )


def deltas(before: RosterMeasures, after: RosterMeasures) -> dict[str, float | None]:
    """Scenario minus baseline for every headline figure."""
    names = (
        "shifts",
        "paid_hours",
        "labour_cost",
        "overtime_hours",
        "temporary_hours",
        "under_cover_person_hours",
        "service_level",
        "service_level_weighted",
        "preference_satisfaction",
    )
    result: dict[str, float | None] = {}
    for name in names:
        a, b = getattr(before, name), getattr(after, name)
        result[name] = None if a is None or b is None else round(b - a, 4)
    return result


def slot_rows(
    before: list[SlotCover], after: list[SlotCover], without: list[SlotCover]
) -> list[SlotRow]:
    """Slots of baseline and scenario side by side (a slot missing on one side asks for 0)."""

    def key(s: SlotCover) -> tuple:
        return (s.day, s.start_minute, s.skill or "")

    b, a, w = ({key(s): s for s in group} for group in (before, after, without))
    rows = []
    for k in sorted(set(b) | set(a)):
        sb, sa, sw = b.get(k), a.get(k), w.get(k)
        ref = sa or sb
        rows.append(
            SlotRow(
                day=ref.day,
                start_minute=ref.start_minute,
                skill=ref.skill,
                required_before=sb.required if sb else 0,
                rostered_before=sb.rostered if sb else 0,
                required_after=sa.required if sa else 0,
                rostered_after=sa.rostered if sa else 0,
                rostered_without=sw.rostered if sw else 0,
                service_level_before=sb.service_level if sb else None,
                service_level_without=sw.service_level if sw else None,
                service_level_after=sa.service_level if sa else None,
            )
        )
    return rows


# -- sweeps --
class SweepPoint(BaseModel):
    """One value of the swept parameter and the outcome of each option solved at it."""

    value: float
    scenario: Outcome
    overtime: Outcome | None = Field(None, description="Overtime allowed, no temporary staff.")
    temporary: Outcome | None = Field(None, description="Temporary staff, no overtime.")


class SweepResult(BaseModel):
    """A scenario solved over a range of one parameter: the numbers of sweep.json."""

    name: str
    version: int
    param: str
    values: list[float]
    baseline: Outcome
    points: list[SweepPoint]
    unmet_hour_cost: float
    budget: float | None = Field(None, description="The scenario's labour-cost budget.")
    break_even: float | None = Field(
        None,
        description="First value at which temporary staff is cheaper than overtime, "
        "counting labour cost plus unmet_hour_cost per uncovered person-hour.",
    )
    jobs: int
    solves: int
    time_limit: float
    wall_time: float


def with_value(scenario: Scenario, param: SweepParam, value: float) -> Scenario:
    """The scenario with one parameter set to `value` (uplift and absence rate in percent)."""
    if param == "uplift":
        if not any(c.percent is not None or c.event for c in scenario.demand):
            raise ValueError("--param uplift: the scenario has no percent demand change to sweep")
        demand = [
            c.model_copy(update={"percent": value})
            if c.percent is not None or (c.event and not c.closed and c.people is None)
            else c
            for c in scenario.demand
        ]
        return scenario.model_copy(update={"demand": demand})
    if param == "absence_rate":
        if not 0 <= value < 100:
            raise ValueError(f"--values: absence rate {value}% is not in [0, 100)")
        staff = scenario.staff.model_copy(update={"absence_rate": value / 100})
        return scenario.model_copy(update={"staff": staff})
    if param == "overtime_hours":
        rules = scenario.rules.model_copy(update={"overtime_hours": value})
        return scenario.model_copy(update={"rules": rules})
    if not scenario.staff.hires:
        raise ValueError("--param hires: the scenario hires nobody; add staff.hires first")
    first = scenario.staff.hires[0].model_copy(update={"count": max(1, int(value))})
    staff = scenario.staff.model_copy(update={"hires": [first, *scenario.staff.hires[1:]]})
    return scenario.model_copy(update={"staff": staff})


def options(scenario: Scenario) -> dict[str, Scenario]:
    """The scenario, and when it allows both, its overtime-only and temporary-only options."""
    found = {"scenario": scenario}
    if scenario.staff.hires and scenario.rules.overtime_hours:
        no_hires = scenario.staff.model_copy(update={"hires": []})
        found["overtime"] = scenario.model_copy(update={"staff": no_hires})
        no_overtime = scenario.rules.model_copy(update={"overtime_hours": None})
        found["temporary"] = scenario.model_copy(update={"rules": no_overtime})
    return found


def _solve_option(
    scenario: Scenario, baseline: Problem, base: list[Assignment], settings: SolverSettings
) -> Outcome:
    """One solve of a sweep (runs in a worker process)."""
    problem, solution = solve_scenario(scenario, baseline, base, settings)
    check_found(f"scenario {scenario.name!r}", solution, settings)
    return outcome(problem, solution.assignments, base, solution)


def sweep(
    scenario: Scenario,
    param: SweepParam,
    values: list[float],
    settings: SolverSettings,
    *,
    jobs: int | None = None,
    baseline: Problem | None = None,
    base_solution: Solution | None = None,
) -> SweepResult:
    """Solve the scenario at every value, `jobs` solves at a time in worker processes."""
    if not values:
        raise ValueError("--values: give at least one value")
    started = time.monotonic()
    jobs = jobs or os.cpu_count() or 1
    tasks = [
        (value, name, option)
        for value in values
        for name, option in options(with_value(scenario, param, value)).items()
    ]
    baseline = baseline or load_baseline(scenario)
    if base_solution is None:
        # Solved alone, before the parallel phase: it may use every core.
        alone = settings.model_copy(update={"workers": max(settings.workers, jobs)})
        base_solution = baseline_roster(scenario, baseline, alone)
    check_found("baseline", base_solution, settings)
    base = base_solution.assignments
    if jobs == 1:
        results = [_solve_option(opt, baseline, base, settings) for _, _, opt in tasks]
    else:
        # Workers fork from a server that has imported the solver once (fast starts, and no
        # fork of this process's threads).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scenarios.run"])
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [
                pool.submit(_solve_option, opt, baseline, base, settings) for _, _, opt in tasks
            ]
            results = [f.result() for f in futures]
    by_value: dict[float, dict[str, Outcome]] = {}
    for (value, name, _), result in zip(tasks, results, strict=True):
        by_value.setdefault(value, {})[name] = result
    points = [SweepPoint(value=v, **by_value[v]) for v in values]
    unmet = scenario.sweep.unmet_hour_cost
    return SweepResult(
        name=scenario.name,
        version=scenario.version,
        param=param,
        values=list(values),
        baseline=outcome(baseline, base, base, base_solution),
        points=points,
        unmet_hour_cost=unmet,
        budget=scenario.budget,
        break_even=break_even(points, unmet),
        jobs=jobs,
        solves=len(tasks),
        time_limit=settings.time_limit,
        wall_time=round(time.monotonic() - started, 2),
    )


def total_cost(result: Outcome, unmet_hour_cost: float) -> float:
    """Labour cost plus what the uncovered person-hours cost the business."""
    return result.labour_cost + unmet_hour_cost * result.under_cover_person_hours


BREAK_EVEN_MARGIN = 0.005
"""Temporary staff must be cheaper by this share to count: equal options are solver noise."""


def break_even(points: list[SweepPoint], unmet_hour_cost: float) -> float | None:
    """First value where temporary staff is cheaper than overtime (None if never)."""
    for point in sorted(points, key=lambda p: p.value):
        if point.overtime is None or point.temporary is None:
            return None
        temporary = total_cost(point.temporary, unmet_hour_cost)
        overtime = total_cost(point.overtime, unmet_hour_cost)
        if temporary < overtime * (1 - BREAK_EVEN_MARGIN):
            return point.value
    return None
