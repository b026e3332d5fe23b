"""`solve(problem, settings) -> Solution`: the one entry point for finding a roster.

Small problems get one CP-SAT call; larger ones a CP-SAT start followed by large-neighbourhood
search (see `optimizer.lns`). Every solution passes through the independent validator, whose
objective and per-rule breakdown are the ones reported.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np
from ortools.sat.python import cp_model

from optimizer import bounds, colgen, explain, lns
from optimizer.construct import Eligibility, ScheduleImprover, as_assignments, greedy_roster
from optimizer.model import OutOfTime, RosterModel, no_cycle_collection
from optimizer.rules import build_model
from optimizer.schema import Assignment, Problem, Solution, SolverSettings
from optimizer.validator import ValidationReport, validate

_logger = logging.getLogger(__name__)

SolutionCallback = Callable[[Solution], None]
StopCheck = Callable[[], bool]

LNS_THRESHOLD_VARIABLES = 1500
"""Models with more assignment variables than this are improved by LNS under 'auto'."""
IMPROVE_SHARE = 0.05
"""Longest share of the time limit for improving the constructed roster (best responses,
re-matched days, block swaps) before the model is built, unless the model is dear (below)."""
MODEL_SECONDS_PER_VARIABLE = 35e-6
"""Time to build the model and read it for LNS, per assignment variable (the synthetic year's
785k: 9 s and 17 s on the project's machine)."""
DEAR_MODEL_SHARE = 0.25
"""A model is dear when building and reading it would take more than this share of the time
limit: the improvement moves then run until they stall (on the synthetic year at 60 s they
halve the constructed roster's objective, where LNS after the build gains a fifth), and the
model is built only if it can be before the time is up."""
REPORT_SHARE = 0.1
"""While the moves improve the constructed roster, it is checked and reported at most once per
this share of the time limit."""


FINISH_RESERVE = 2.0
"""Time kept at the end of a big problem's search for checking the final roster (and turning
the model's values into it), as a multiple of the time checking the constructed roster took."""


FREE_SHARE = 0.1
"""Time kept at the end of a big problem's search for freeing its model (millions of Python
objects) before `solve` returns, as a share of the time building it took."""


@dataclass
class Constructed:
    """A roster built by construction before the model exists (see `_early_roster`)."""

    keys: set[tuple[int, int, int]]
    """Its (employee, day, position) cells."""
    roster: list[Assignment]
    report: ValidationReport
    """The validator's verdict on it."""
    num_variables: int
    """How many assignment variables the model will have."""

    @property
    def keeps_hard_rules(self) -> bool:
        return not self.report.hard_violations

    @property
    def objective(self) -> int:
        """The validator's objective (hard-rule violations aside)."""
        return self.report.objective


@dataclass
class Incumbent:
    """The best roster found so far, as the full CP-SAT value vector and its objective."""

    values: list[int]
    objective: int
    bound: int | None


def solve(
    problem: Problem,
    settings: SolverSettings | None = None,
    *,
    on_solution: SolutionCallback | None = None,
    warm_start: list[Assignment] | Solution | None = None,
    should_stop: StopCheck | None = None,
) -> Solution:
    """Find the best roster for `problem` within `settings.time_limit` seconds.

    `on_solution` is called with each improving roster; `warm_start` hints the search with a
    previous roster; `should_stop` is polled a few times a second and stops the search early,
    keeping the best roster found.
    """
    settings = settings or SolverSettings()
    started = time.monotonic()
    conflicts = explain.precheck(problem)
    if conflicts:
        return _finish(problem, None, "infeasible", None, started, conflicts=conflicts)
    reporter = _Reporter(problem, started, on_solution)
    stop = _StopWatcher(should_stop)
    try:
        return _search(problem, settings, started, reporter, stop, warm_start)
    finally:
        stop.close()


def _search(
    problem: Problem,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    warm_start: list[Assignment] | Solution | None,
) -> Solution:
    """`solve` once the input is known to be consistent: construction, model and search."""
    constructed, search = None, settings
    if warm_start is None:
        constructed, search = _early_roster(problem, settings, started, reporter, stop)
    greedy = None if constructed is None else constructed.keys
    known = constructed.objective if constructed and constructed.keeps_hard_rules else None
    if known is not None and (stop.stopped or not _time_to_build(constructed, started, search)):
        _logger.info("no time to build the model; the constructed roster stands")
        return _constructed_answer(problem, constructed, started, reporter.floor)
    building = time.monotonic()
    try:
        m = build_model(problem, deadline=_build_deadline(constructed, started, search))
    except OutOfTime:  # only with a constructed roster that keeps every hard rule
        _logger.warning("no time left to build the model; the constructed roster stands")
        return _constructed_answer(problem, constructed, started, reporter.floor)
    built = time.monotonic() - building
    if constructed is not None:  # a big model: keep time for freeing it before returning
        search = search.model_copy(update={"time_limit": search.time_limit - FREE_SHARE * built})
    _logger.info("%.1fs model built: %d assignment variables", time.monotonic() - started, len(m.x))
    reporter.m = m
    if warm_start is not None:
        hint_roster(m, _assignments(warm_start))
    if _use_colgen(problem, len(m.x), settings):
        status, incumbent = _column_generation_or_lns(m, search, started, reporter, stop, greedy)
    elif _use_lns(m, settings):
        status, incumbent = lns.improve(
            m, search, started, reporter, stop, greedy=greedy, greedy_objective=known
        )
    else:
        status, incumbent = _single_solve(m, search, reporter, stop)
    if incumbent is None:
        conflicts = explain.explain_infeasible(problem, settings) if status == "infeasible" else []
        return _finish(problem, None, status, None, started, conflicts=conflicts)
    roster = roster_from_values(m, incumbent.values)
    return _finish(problem, roster, status, incumbent.bound, started, floor=reporter.floor)


def solver_version() -> str:
    return f"OR-Tools CP-SAT {version('ortools')}"


def configure(solver: cp_model.CpSolver, settings: SolverSettings, time_limit: float) -> None:
    """Apply the solver settings to a CP-SAT solver for one call."""
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit)
    params.num_workers = settings.workers
    params.random_seed = settings.seed
    params.relative_gap_limit = settings.relative_gap
    params.log_search_progress = settings.log_search
    if settings.log_search:
        solver.log_callback = _logger.info


def roster_from_values(m: RosterModel, values: list[int]) -> list[Assignment]:
    """The assignments that are 1 in a full CP-SAT value vector."""
    keys, indices = m.decisions
    roster = []
    with no_cycle_collection():
        for i in np.flatnonzero(np.asarray(values, dtype=np.int64)[indices]):
            e_idx, day, p_idx = keys[i]
            type_id, skill = m.positions[p_idx]
            roster.append(
                Assignment.model_construct(
                    employee=m.employees[e_idx].id, day=day, shift_type=type_id, skill=skill
                )
            )
    roster.sort(key=lambda a: (a.employee, a.day))
    return roster


def hint_roster(m: RosterModel, roster: list[Assignment]) -> None:
    """Hint every assignment variable with its value in `roster` (a warm start)."""
    index = {e.id: i for i, e in enumerate(m.employees)}
    positions = {pos: i for i, pos in enumerate(m.positions)}
    chosen = set()
    for a in roster:
        if a.employee in index:
            p_idx = positions.get((a.shift_type, a.skill))
            if p_idx is None:  # a roster without skills: take the type's first position
                p_idx = next((i for i, p in enumerate(m.positions) if p[0] == a.shift_type), None)
            chosen.add((index[a.employee], a.day, p_idx))
    m.model.clear_hints()
    for key, var in m.x.items():
        m.model.add_hint(var, key in chosen)


def _assignments(warm_start: list[Assignment] | Solution) -> list[Assignment]:
    return warm_start.assignments if isinstance(warm_start, Solution) else list(warm_start)


def _early_roster(
    problem: Problem,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
) -> tuple[Constructed | None, SolverSettings]:
    """On big problems, a constructed roster before the model is built, reported at once if it
    keeps every hard rule (building a big model takes seconds), and the settings for the
    search: its time limit leaves room for checking the final roster, which takes about as
    long as checking this one. None on small problems.

    It is then improved by best responses, re-matched days and block swaps (see
    `construct.ScheduleImprover`) for up to IMPROVE_SHARE of the time limit, or until they
    stall where the model is dear (DEAR_MODEL_SHARE), or until the caller asks to stop."""
    if settings.strategy == "cp-sat" or settings.time_limit < 5:
        return None, settings
    cells = Eligibility(problem)
    if cells.num_cells <= LNS_THRESHOLD_VARIABLES:
        return None, settings
    chosen = greedy_roster(cells)
    checking = time.monotonic()
    constructed = _check_constructed(problem, cells, chosen, reporter)
    reserve = min(FINISH_RESERVE * (time.monotonic() - checking), 0.1 * settings.time_limit)
    search = settings.model_copy(update={"time_limit": settings.time_limit - reserve})
    improver = ScheduleImprover(cells)
    if not improver.active:
        return constructed, search
    best = constructed

    def keep_if_better(keys: set[tuple[int, int, int]]) -> None:
        nonlocal best
        candidate = _check_constructed(problem, cells, keys, reporter)
        if candidate.keeps_hard_rules and (
            not best.keeps_hard_rules or candidate.objective < best.objective
        ):
            best = candidate

    until = time.monotonic() + IMPROVE_SHARE * settings.time_limit
    if _model_seconds(cells.num_cells) > DEAR_MODEL_SHARE * settings.time_limit:
        until = started + search.time_limit
    rng, every = random.Random(settings.seed), REPORT_SHARE * settings.time_limit
    better = improver.improve(
        chosen, until, rng, on_better=keep_if_better, every=every, stopped=lambda: stop.stopped
    )
    if better != best.keys:
        keep_if_better(better)
    return best, search


def _model_seconds(num_variables: int) -> float:
    """About how long building the model and reading it for LNS take."""
    return MODEL_SECONDS_PER_VARIABLE * num_variables


def _time_to_build(constructed: Constructed, started: float, search: SolverSettings) -> bool:
    """Whether the time left holds building the model, reading it and a second of LNS (the
    moves on a dear model use the time until they stall)."""
    left = started + search.time_limit - time.monotonic()
    return left > _model_seconds(constructed.num_variables) + lns.MIN_LNS_SECONDS


def _constructed_answer(
    problem: Problem, constructed: Constructed, started: float, floor: int
) -> Solution:
    """The solution when the constructed roster stands (it keeps every hard rule and no model
    is searched), with the validator's report already made on it."""
    return _finish(
        problem, constructed.roster, "feasible", None, started, constructed.report, floor=floor
    )


def _check_constructed(problem, cells, chosen, reporter: _Reporter) -> Constructed:
    """A constructed roster with the validator's verdict on it, reported if it keeps every
    hard rule."""
    roster = as_assignments(cells, chosen)
    report = validate(problem, roster)
    if not report.hard_violations:
        reporter.report_roster(roster, report.objective)
    return Constructed(chosen, roster, report, cells.num_cells)


def _build_deadline(
    constructed: Constructed | None, started: float, search: SolverSettings
) -> float | None:
    """When building the model must stop: at the end of the search time if a constructed roster
    keeps every hard rule (it then stands if the model is not ready in time); otherwise never,
    as there is no roster without the model."""
    if constructed is None or not constructed.keeps_hard_rules:
        return None
    return started + search.time_limit


def _use_lns(m: RosterModel, settings: SolverSettings) -> bool:
    if settings.strategy != "auto":
        return settings.strategy == "lns"
    return len(m.x) > LNS_THRESHOLD_VARIABLES and settings.time_limit >= 5


def _column_generation_or_lns(
    m: RosterModel,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    greedy: set[tuple[int, int, int]] | None,
) -> tuple[str, Incumbent | None]:
    """Column generation from the constructed roster `greedy` (if any); if its master LP
    fails, LNS for the time that is left."""
    try:
        return colgen.improve(m, settings, started, reporter, stop, greedy)
    except RuntimeError:
        _logger.warning("column generation failed; searching with LNS instead", exc_info=True)
        return lns.improve(m, settings, started, reporter, stop, greedy=greedy)


def _use_colgen(problem: Problem, num_cells: int, settings: SolverSettings) -> bool:
    """Whether column generation runs: asked for, or chosen by 'auto' (`colgen.suits`)."""
    if settings.strategy != "auto":
        return settings.strategy == "colgen"
    return colgen.suits(problem, num_cells, settings)


def _single_solve(
    m: RosterModel, settings: SolverSettings, reporter: _Reporter, stop: _StopWatcher
) -> tuple[str, Incumbent | None]:
    solver = cp_model.CpSolver()
    configure(solver, settings, settings.time_limit)
    stop.attach(solver)
    status = solver.solve(m.model, reporter)
    stop.detach()
    return status_name(status), incumbent_of(solver, status)


def incumbent_of(solver: cp_model.CpSolver, status: cp_model.CpSolverStatus) -> Incumbent | None:
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Incumbent(
        list(solver.response_proto.solution),
        round(solver.objective_value),
        round(solver.best_objective_bound),
    )


def status_name(status: cp_model.CpSolverStatus) -> str:
    return {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "model_invalid",
    }.get(status, "unknown")


def _finish(
    problem: Problem,
    roster: list[Assignment] | None,
    status: str,
    bound: int | None,
    started: float,
    report: ValidationReport | None = None,
    conflicts=(),
    floor: int = 0,
) -> Solution:
    """Assemble the solution, taking objective and breakdown from the validator (`report`,
    where the roster was checked already); its bound is at least the problem's `floor` (see
    `optimizer.bounds`), and a roster that meets its bound is optimal."""
    solution = Solution(
        status=status,
        solver_version=solver_version(),
        problem_name=problem.name,
        conflicts=list(conflicts),
    )
    if roster is not None:
        report = report or validate(problem, roster)
        solution.assignments = roster
        solution.objective = report.objective
        solution.breakdown = report.breakdown
        solution.hard_violations = len(report.hard_violations)
        bound = bounds.with_floor(bound, floor)
        solution.best_bound = bound if bound is None else min(bound, report.objective)
        solution.gap = _gap(report.objective, solution.best_bound)
        meets_bound = bound is not None and report.objective <= bound
        if status == "feasible" and meets_bound and not report.hard_violations:
            solution.status = "optimal"
        if solution.status == "optimal" and solution.best_bound is not None:
            solution.best_bound = report.objective
            solution.gap = 0.0
    solution.wall_time = round(time.monotonic() - started, 3)
    return solution


def _gap(objective: int, bound: int | None) -> float | None:
    if bound is None:
        return None
    return round(max(0, objective - bound) / max(1, abs(objective)), 6)


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Passes each improving roster to the caller's callback (CP-SAT calls it on every
    solution; LNS calls `report` directly)."""

    def __init__(
        self, problem: Problem, started: float, on_solution: SolutionCallback | None
    ) -> None:
        super().__init__()
        self.m: RosterModel | None = None
        self.problem, self.started = problem, started
        self.on_solution = on_solution
        self.best: int | None = None
        self.floor = bounds.lower_bound(problem)

    def on_solution_callback(self) -> None:
        values = list(self.response_proto.solution)
        self.report(values, round(self.objective_value), round(self.best_objective_bound))

    def report(self, values: list[int], objective: int, bound: int | None) -> None:
        if self._improves(objective) and self.on_solution is not None:
            self._send(roster_from_values(self.m, values), objective, bound)

    def report_roster(self, roster: list[Assignment], objective: int) -> None:
        """Report a roster found before the model exists (a constructed one)."""
        if self._improves(objective) and self.on_solution is not None:
            self._send(roster, objective, None)

    def _improves(self, objective: int) -> bool:
        if self.best is not None and objective >= self.best:
            return False
        self.best = objective
        _logger.info("%.1fs objective %d", time.monotonic() - self.started, objective)
        return True

    def _send(self, roster: list[Assignment], objective: int, bound: int | None) -> None:
        bound = bounds.with_floor(bound, self.floor)
        bound = bound if bound is None else min(bound, objective)
        self.on_solution(
            Solution(
                status="feasible",
                assignments=roster,
                objective=objective,
                best_bound=bound,
                gap=_gap(objective, bound),
                wall_time=round(time.monotonic() - self.started, 3),
                solver_version=solver_version(),
                problem_name=self.problem.name,
            )
        )


class _StopWatcher:
    """Polls the caller's `should_stop` and stops the running CP-SAT search when it says so."""

    def __init__(self, should_stop: StopCheck | None) -> None:
        self.should_stop = should_stop
        self.stopped = False
        self._solver: cp_model.CpSolver | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._extra: set[cp_model.CpSolver] = set()
        self._thread = None
        if should_stop is not None:
            self._thread = threading.Thread(target=self._watch, args=(should_stop,), daemon=True)
            self._thread.start()

    def _watch(self, should_stop: StopCheck) -> None:
        """Ask at once (a stop already requested stops the search before it starts), then a few
        times a second."""
        while True:
            if self._asked(should_stop):
                self._stop_all()
            if self._done.wait(0.2):
                return

    @staticmethod
    def _asked(should_stop: StopCheck) -> bool:
        try:
            return bool(should_stop())
        except Exception:  # a failing check must not kill the solve
            _logger.exception("should_stop raised; ignoring")
            return False

    def _stop_all(self) -> None:
        self.stopped = True
        solver = self._solver
        if solver is not None:
            solver.stop_search()
        with self._lock:
            for extra in self._extra:
                extra.stop_search()

    def attach(self, solver: cp_model.CpSolver) -> None:
        self._solver = solver
        if self.stopped:
            solver.stop_search()

    def detach(self) -> None:
        self._solver = None

    def attach_extra(self, solver: cp_model.CpSolver) -> None:
        """Also stop `solver` (one of several running in parallel) when asked to."""
        with self._lock:
            self._extra.add(solver)
        if self.stopped:
            solver.stop_search()

    def detach_extra(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self._extra.discard(solver)

    def close(self) -> None:
        self._done.set()
