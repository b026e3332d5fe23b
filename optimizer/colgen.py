"""Column generation over individual schedules ("price and branch"), then LNS polishing.

A master problem picks one schedule per employee so that cover is met; its LP relaxation is
solved with GLOP over the schedules generated so far, starting from the constructed roster's
schedules. New schedules are priced against the cover duals first by the schedule planner
(`optimizer.patterns`, milliseconds an employee, where it scores schedules exactly), and, when
its rounds stop moving the LP, by each employee's own CP-SAT model (every per-employee rule, no
demand), which also proves a Lagrangian bound far stronger than the compact model's LP bound.
The integer master over the generated schedules gives a roster, which LNS on the full model then
polishes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model

from optimizer import lns
from optimizer.construct import SchedulePricer, as_assignments
from optimizer.model import RosterModel
from optimizer.rules import RULES
from optimizer.schema import Assignment, Problem, SolverSettings
from optimizer.validator import validate

if TYPE_CHECKING:
    from optimizer.solver import Incumbent, _Reporter, _StopWatcher

_logger = logging.getLogger(__name__)

COVER_AND_GROUP_RULES = frozenset(
    {"cover_bounds", "under_cover", "interval_under_cover", "fair_hours", "fair_weekends"}
    | {"fair_unpopular", "reliable_cover"}
)
"""Rules that couple employees: the master handles cover; fairness and reliable people on
critical slots are left to the polish."""
SCALE = 1000
"""Duals are rounded to 1/SCALE so that pricing objectives stay integral."""
BIG_M = 1_000_000
"""Cost of an artificial column or of breaking a hard cover bound in the master LP."""
COLUMN_SHARE = 0.35
"""Share of the time limit for generating schedules."""
MASTER_SHARE = 0.15
"""Share of the time limit for the integer master over the generated schedules. It runs only
where a pricing round ended with a bound: over a pool priced without one (Instance18 at 300 s,
where CP-SAT's pricing rounds are cut short and the planner prices: 2,179 schedules, LP
4,439) it did not better the constructed roster it was hinted with (5,997) in its 45 s. Given to
LNS instead, those seconds gave Instance18 4,508 and 4,601 (seeds 0 and 1) against 4,679 / 4,575
and 4,591."""
MASTER_MAX_COLUMNS = 1000
"""The integer master runs only where it would be offered at most this many schedules (after
reduced-cost fixing against its hint). At 60 s SCIP proved Instance5's pool of 615 optimal in
about 2 s (1,143, where LNS from the dive's 1,148 stays); over Instances 7-12's 1,361-7,067
it spent its whole 9 s, most of it in the root LP, and its roster was worse than the dive's
completed by CP-SAT on every one, so LNS now gets those seconds."""
COLUMNS_PER_PRICING = 5
"""Most schedules one pricing solve contributes (its improving solutions)."""
PRICING_SECONDS = 2.0
"""Time limit of one pricing solve."""
DIVE_SHARE = 0.2
"""Share of the time limit for diving (fixing schedules one by one, re-pricing the rest)."""
DIVE_ROUNDS = 1
"""Most pricing rounds between two fixings of a dive."""
COMPLETION_SHARE = 0.05
"""Longest share of the time limit for planning again the schedules a dive fixed without
re-pricing (see `complete_dive`)."""
COMPLETION_SHARE_EMPLOYEES = 0.25
"""Most of the employees a dive leaves to CP-SAT, as a share: fixing the last schedules one by one
drifts far from the LP, where CP-SAT plans a few people's schedules together at once."""
DIVE_STEPS = 8
"""Until a dive step is timed, a step fixes 1/DIVE_STEPS of the employees still free (and every
schedule the LP takes whole); then as few as the time left allows."""
SMOOTHING = 0.5
"""Wentges smoothing: weight of the best-bound duals in the duals priced."""
MASTER_SOLVER = "SCIP"
"""The MIP solver (through OR-Tools' linear solver wrapper) of the integer master."""
PRICING_LINEARIZATION = 1
"""CP-SAT linearization level of a pricing solve (1 measured faster than 2 on the benchmark)."""

AUTO_MAX_DAYS = 28
"""'auto' uses column generation up to this horizon with a time limit of up to a minute, and
up to proportionally longer ones with longer limits (56 days at 120 s). On the benchmark at
60 s, pricing converged within a third of a minute on every 4-week instance and not on the 6-
to 12-week ones; at 300 s it converged on the 6- and 8-week ones (Instance14 and Instance16:
the bound within 0.1% of the LP value in under two minutes), and their rosters came within
0.3% of the best known, where LNS alone stayed 2-10% above. On the 12-week Instance18 it had
not converged after 100 s; its rosters, with the dive's last quarter planned by CP-SAT (see
`complete_dive`), came to 4,682 and 4,670 in two runs, against 4,992 by LNS alone, and to
4,492 once the integer master left its time to LNS there (see MASTER_SHARE)."""
AUTO_MAX_VARIABLES_PER_EMPLOYEE = 200
"""... and while an employee has at most this many (day, position) variables."""
AUTO_MIN_VARIABLES = 300
"""... and when the model is big enough that one CP-SAT call may not close it."""
AUTO_MIN_SECONDS = 20.0
"""... and when the time limit leaves room for pricing, the dive and the polish."""
GIVE_UP_GAP = 0.2
"""When the bound is this far below the LP value at the end of pricing, column generation has
not converged: the remaining time goes to LNS from its own start."""

EXACT_ROUNDS = 10
"""The planner prices (between CP-SAT rounds) where fewer than this many CP-SAT pricing rounds
fit in the time for generating schedules: CP-SAT's schedules are the better ones, and where
its rounds are quick enough it converges on its own, with a smaller pool for the integer
master."""
TAIL_ROUNDS = 10
TAIL_GAP = 0.002
"""Planner pricing hands over to CP-SAT's once TAIL_ROUNDS of its rounds have improved the LP
value by less than this share (the tail of column generation, where heuristic columns help
little)."""

STALL_SHARE = 0.15
"""Where branch and price may close the gap (see `optimizer.branching`), it starts once LNS
has gone this share of the time limit without a better roster..."""
FINAL_LNS_SHARE = 0.1
"""... and leaves this share at the end to LNS (which polishes a roster it found)."""

STOPPED_MASTER_SECONDS = 1.0
"""Time the integer master still gets to pick a roster when the caller asks to stop."""

Schedule = tuple[tuple[int, int], ...]
"""(day, position index) pairs an employee works."""


@dataclass
class CoverRow:
    """One cover line of the master: count + under - over = required, with bounds on both."""

    required: int
    weight_under: int
    weight_over: int
    under: tuple[int, float]
    over: tuple[int, float]
    violation_weight: int
    """Cost of breaking the hard bounds (the soft-rule weight, or BIG_M when they are hard)."""
    hard: bool


@dataclass
class Column:
    employee: int
    schedule: Schedule
    cost: int
    rows: dict[int, int]


@dataclass
class Pricing:
    """An employee's own model: every per-employee rule, objective set per round."""

    model: RosterModel
    cells: list[tuple[int, int]]
    var_indices: list[int]
    base: dict[int, int]
    offset: int
    seen: set[Schedule] = field(default_factory=set)


@dataclass
class ColumnResult:
    """What column generation produced: columns, LP value, Lagrangian bound."""

    columns: list[Column]
    lp_value: float
    bound: float | None
    shares: list[float] = field(default_factory=list)
    """Each column's value in the last master LP solution."""
    master: Master | None = None
    pricings: list[Pricing] = field(default_factory=list)
    cell_rows: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    planner: SchedulePricer | None = None
    """The planner, where it priced schedules (and should go on pricing them in a dive)."""
    seed: list[Column] = field(default_factory=list)
    """The schedules of the roster generation started from (if it keeps every hard rule): the
    integer master always has a roster at least as good."""
    reduced: list[float] = field(default_factory=list)
    """Each column's reduced cost at the last master LP's duals."""
    duals: list[float] = field(default_factory=list)
    """The last master LP's cover duals (for the reduced costs of columns added since)."""
    convex: list[float] = field(default_factory=list)
    """... and its duals of one schedule per employee."""

    def reduced_cost(self, k: int) -> float | None:
        """Column k's reduced cost at the last master LP's duals; None if unknown."""
        if k < len(self.reduced):
            return self.reduced[k]
        if not self.duals:
            return None
        col = self.columns[k]
        priced = sum(self.duals[i] * n for i, n in col.rows.items())
        return col.cost - priced - self.convex[col.employee]

    def rows(self, problem: Problem) -> list[CoverRow]:
        """The cover rows the columns count towards (the master's, if there is one)."""
        return self.master.rows if self.master is not None else cover_rows(problem)


def cover_rows(problem: Problem) -> list[CoverRow]:
    """The master's rows, one per shift-demand and interval-demand line, in that order."""
    weights = problem.rules.weights
    soft = "cover_bounds" in problem.rules.soft_rules
    rows = []
    for d in problem.shift_demand:
        w_under = weights.under_cover if d.weight_under is None else d.weight_under
        w_over = weights.over_cover if d.weight_over is None else d.weight_over
        rows.append(_row(d.required, w_under, w_over, d.minimum, d.maximum, soft, weights))
    for d in problem.interval_demand:
        w_under = weights.interval_under_cover if d.weight_under is None else d.weight_under
        w_over = weights.interval_over_cover if d.weight_over is None else d.weight_over
        rows.append(_row(d.required, w_under, w_over, 0, None, soft, weights))
    return rows


def _row(required, w_under, w_over, minimum, maximum, soft, weights) -> CoverRow:
    under_lo = 0 if maximum is None else max(0, required - maximum)
    under_hi = max(0, required - minimum)
    over_lo = max(0, minimum - required)
    over_hi = math.inf if maximum is None else max(0, maximum - required)
    hard = bool(minimum) or maximum is not None
    return CoverRow(
        required,
        w_under,
        w_over,
        (under_lo, max(under_lo, under_hi)),
        (over_lo, max(over_lo, over_hi)),
        weights.soft_rule if soft else BIG_M,
        hard,
    )


def rows_by_cell(m: RosterModel) -> dict[tuple[int, int], list[int]]:
    """For each (day, position) the cover rows that a person working it counts towards."""
    problem, inst = m.problem, m.instance
    cells: dict[tuple[int, int], list[int]] = {}
    for i, d in enumerate(problem.shift_demand):
        for p_idx, (type_id, skill) in enumerate(m.positions):
            if type_id == d.shift_type and (d.skill is None or skill == d.skill):
                cells.setdefault((d.day, p_idx), []).append(i)
    offset = len(problem.shift_demand)
    reach = inst.max_day_reach
    for i, d in enumerate(problem.interval_demand):
        start, end = d.span()
        for day in range(max(0, d.day - reach), d.day + 1):
            for p_idx, (type_id, skill) in enumerate(m.positions):
                if d.skill is not None and skill != d.skill:
                    continue
                if inst.covers_interval(type_id, day, start, end):
                    cells.setdefault((day, p_idx), []).append(offset + i)
    return cells


def suits(problem: Problem, num_cells: int, settings: SolverSettings) -> bool:
    """Whether 'auto' should solve this problem by column generation (see the AUTO_* limits);
    `num_cells` counts the (employee, day, position) cells the model has variables for.

    Hard cover bounds (exact cover of concrete shifts) stay with LNS, whose day-by-day start
    meets them at once; the master LP has no slack for them."""
    per_employee = num_cells / max(1, len(problem.employees))
    return (
        bool(problem.shift_demand)
        and not problem.interval_demand
        and not any(d.minimum or d.maximum is not None for d in problem.shift_demand)
        and problem.num_days <= AUTO_MAX_DAYS * max(1.0, settings.time_limit / 60)
        and per_employee <= AUTO_MAX_VARIABLES_PER_EMPLOYEE
        and num_cells >= AUTO_MIN_VARIABLES
        and settings.time_limit >= AUTO_MIN_SECONDS
    )


def converged(result: ColumnResult) -> bool:
    """Whether pricing got the bound close enough to the LP value to trust its schedules."""
    if result.bound is None or not math.isfinite(result.lp_value):
        return False
    return result.lp_value - result.bound <= GIVE_UP_GAP * max(1.0, abs(result.lp_value))


def employee_problem(problem: Problem, e_idx: int) -> Problem:
    """A copy of `problem` with one employee, their preferences and pins (demand kept, so that
    positions are the full model's)."""
    emp = problem.employees[e_idx]
    return problem.model_copy(
        update={
            "employees": [emp],
            "preferences": [p for p in problem.preferences if p.employee == emp.id],
            "pinned": [a for a in problem.pinned if a.employee == emp.id],
        }
    )


def pricing_model(problem: Problem, e_idx: int) -> Pricing:
    """The employee's own CP-SAT model, with every rule that does not couple employees."""
    m = RosterModel(employee_problem(problem, e_idx))
    for rule in RULES:
        if rule.add is not None and rule.id not in COVER_AND_GROUP_RULES:
            rule.add(m)
    m.model.minimize(m.objective())
    objective = m.model.proto.objective
    base = dict(zip(objective.vars, objective.coeffs, strict=True))
    offset = round(objective.offset)
    cells = [(day, p_idx) for (_, day, p_idx) in m.x]
    indices = [var.index for var in m.x.values()]
    return Pricing(m, cells, indices, base, offset)


def _set_pricing_objective(pricing: Pricing, cell_dual: dict[tuple[int, int], int]) -> None:
    """Minimise SCALE x own cost - sum of scaled duals of the rows each assignment counts for."""
    coeffs = {v: SCALE * c for v, c in pricing.base.items()}
    for cell, index in zip(pricing.cells, pricing.var_indices, strict=True):
        dual = cell_dual.get(cell)
        if dual:
            coeffs[index] = coeffs.get(index, 0) - dual
    proto = pricing.model.model.proto
    proto.clear_objective()
    objective = proto.objective
    objective.vars.extend(list(coeffs))
    objective.coeffs.extend(list(coeffs.values()))
    objective.offset = SCALE * pricing.offset


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps the value vectors of the improving solutions (decoded after the solve, so that the
    callback holds the interpreter as briefly as possible)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[list[int], int]] = []

    def on_solution_callback(self) -> None:
        self.found.append((list(self.response_proto.solution), round(self.objective_value)))


def _decode(pricing: Pricing, values: list[int]) -> tuple[Schedule, int]:
    """The schedule of a pricing solution and its own cost."""
    schedule = tuple(
        cell
        for cell, index in zip(pricing.cells, pricing.var_indices, strict=True)
        if values[index]
    )
    cost = pricing.offset + sum(
        c * (values[v] if v >= 0 else 1 - values[-v - 1]) for v, c in pricing.base.items()
    )
    return schedule, cost


def price(
    pricing: Pricing, cell_dual: dict[tuple[int, int], int], limit: float, seed: int, stop
) -> tuple[list[tuple[Schedule, int, int]], float | None]:
    """Solve one pricing problem: the best schedules found, and a lower bound on the scaled
    pricing objective (None when the model has no schedule)."""
    _set_pricing_objective(pricing, cell_dual)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, limit)
    params.num_workers = 1
    params.linearization_level = PRICING_LINEARIZATION
    params.random_seed = seed
    collector = _Collector()
    stop.attach_extra(solver)
    try:
        status = solver.solve(pricing.model.model, collector)
    finally:
        stop.detach_extra(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], None
    found = collector.found[-COLUMNS_PER_PRICING:]
    return [(*_decode(pricing, v), scaled) for v, scaled in found], solver.best_objective_bound


class Master:
    """The restricted master LP (GLOP), grown column by column."""

    def __init__(self, rows: list[CoverRow], num_employees: int) -> None:
        self.rows = rows
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        inf = self.lp.infinity()
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.cover = []
        for i, row in enumerate(rows):
            ct = self.lp.Constraint(row.required, row.required, f"cover{i}")
            for name, (lo, hi), weight, sign in (
                ("under", row.under, row.weight_under, 1),
                ("over", row.over, row.weight_over, -1),
            ):
                var = self.lp.NumVar(lo, inf if math.isinf(hi) else hi, f"{name}{i}")
                ct.SetCoefficient(var, sign)
                self.objective.SetCoefficient(var, weight)
            if row.hard:  # breaking a hard bound, priced out of any real roster
                for sign in (1, -1):
                    var = self.lp.NumVar(0, inf, f"break{i}")
                    ct.SetCoefficient(var, sign)
                    self.objective.SetCoefficient(var, row.violation_weight)
            self.cover.append(ct)
        self.convex = []
        self.artificial = []
        for e in range(num_employees):
            ct = self.lp.Constraint(1, 1, f"employee{e}")
            var = self.lp.NumVar(0, inf, f"artificial{e}")
            ct.SetCoefficient(var, 1)
            self.objective.SetCoefficient(var, BIG_M)
            self.convex.append(ct)
            self.artificial.append(var)
        self.columns: list[Column] = []
        self.vars: list = []

    def add(self, column: Column) -> None:
        var = self.lp.NumVar(0, self.lp.infinity(), f"c{len(self.columns)}")
        self.convex[column.employee].SetCoefficient(var, 1)
        for i, count in column.rows.items():
            self.cover[i].SetCoefficient(var, count)
        self.objective.SetCoefficient(var, column.cost)
        self.columns.append(column)
        self.vars.append(var)

    def fix(self, k: int) -> None:
        """Take column `k` as its employee's schedule: every other choice of theirs goes to 0."""
        employee = self.columns[k].employee
        for j, (col, var) in enumerate(zip(self.columns, self.vars, strict=True)):
            if col.employee == employee and j != k:
                var.SetUb(0)
        self.artificial[employee].SetUb(0)

    def solve(self) -> tuple[float, list[float], list[float]]:
        """The LP value and duals (cover rows, then one schedule per employee). GLOP starts
        from the last basis. Where it ends in numerical trouble (ABNORMAL, seen in dives after
        many fixings, and again when the same solver was told to start from scratch) the LP is
        loaded into a new GLOP (`reload`) and solved there. RuntimeError if that fails too."""
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            _logger.warning("master LP status %d: solving it again in a new solver", status)
            self.reload()
            status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"master LP status {status}")
        return (
            self.objective.Value(),
            [ct.dual_value() for ct in self.cover],
            [ct.dual_value() for ct in self.convex],
        )

    def reload(self) -> None:
        """Move the LP, bounds and fixings included, into a new GLOP solver with no basis."""
        proto = linear_solver_pb2.MPModelProto()
        self.lp.ExportModelToProto(proto)
        lp = pywraplp.Solver.CreateSolver("GLOP")
        error = lp.LoadModelFromProto(proto)
        if error:
            raise RuntimeError(f"master LP could not be reloaded: {error}")
        constraints, variables = lp.constraints(), lp.variables()
        self.cover = [constraints[ct.index()] for ct in self.cover]
        self.convex = [constraints[ct.index()] for ct in self.convex]
        self.artificial = [variables[var.index()] for var in self.artificial]
        self.vars = [variables[var.index()] for var in self.vars]
        self.objective = lp.Objective()
        self.lp = lp

    def lagrangian_constant(self, duals: list[float]) -> float:
        """sum_i pi_i b_i + min over the under/over/break variables of their reduced cost."""
        total = 0.0
        for row, pi in zip(self.rows, duals, strict=True):
            total += pi * row.required
            total += _min_linear(row.weight_under - pi, *row.under)
            total += _min_linear(row.weight_over + pi, *row.over)
            if row.hard:
                total += _min_linear(row.violation_weight - pi, 0, math.inf)
                total += _min_linear(row.violation_weight + pi, 0, math.inf)
        return total


def _min_linear(coefficient: float, lo: float, hi: float) -> float:
    if coefficient >= 0:
        return coefficient * lo
    return -math.inf if math.isinf(hi) else coefficient * hi


def generate_columns(
    m: RosterModel,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    pool: ThreadPoolExecutor,
    roster: set[tuple[int, int, int]] | None = None,
) -> ColumnResult:
    """Generate schedules until none prices out, the bound meets the LP, or time is up; the
    schedules of `roster` (keys (employee, day, position)) first, if it keeps every hard rule
    and the planner can cost them."""
    problem = m.problem
    rows = cover_rows(problem)
    cell_rows = rows_by_cell(m)
    pricings = list(pool.map(lambda e: pricing_model(problem, e), range(len(m.employees))))
    master = Master(rows, len(m.employees))
    planner = _planner_for(m)
    if roster is not None and planner is not None:
        for column in roster_columns(m, planner, roster, cell_rows):
            pricings[column.employee].seen.add(column.schedule)
            master.add(column)
    seed = list(master.columns)
    best_bound: float | None = None
    center: list[float] | None = None
    rounds = 0
    lp_value = math.inf
    planned_lp: list[float] = []  # LP values since the last CP-SAT round
    budget = deadline - time.monotonic()
    slow = False  # whether CP-SAT rounds are too slow for the budget: the planner prices too
    while not stop.stopped and time.monotonic() < deadline:
        lp_value, lp_duals, _ = master.solve()
        planned = 0
        if slow and not _tailing(planned_lp, lp_value):
            planned = _planner_round(planner, master, pricings, cell_rows, lp_duals)
        if planned:
            planned_lp.append(lp_value)
            rounds += 1
            _logger.debug(
                "planner round %d: LP %.2f, %d columns (+%d)",
                rounds,
                lp_value,
                len(master.columns),
                planned,
            )
            continue
        planned_lp = []
        alpha = SMOOTHING if center is not None else 0.0
        pricing_started = time.monotonic()
        added, bound, duals = _pricing_round(
            master, pricings, cell_rows, lp_duals, center, alpha, settings, deadline, stop, pool
        )
        if added == 0 and alpha > 0 and time.monotonic() < deadline:
            added, bound, duals = _pricing_round(
                master, pricings, cell_rows, lp_duals, None, 0.0, settings, deadline, stop, pool
            )
        slow = slow or (time.monotonic() - pricing_started) * EXACT_ROUNDS > budget
        rounds += 1
        if bound is not None and (best_bound is None or bound > best_bound):
            best_bound, center = bound, duals
        _logger.info(
            "column generation round %d: LP %.2f, bound %s, %d columns (+%d)",
            rounds,
            lp_value,
            "-" if best_bound is None else f"{best_bound:.2f}",
            len(master.columns),
            added,
        )
        if added == 0:
            break
        if best_bound is not None and math.ceil(best_bound - 1e-6) >= math.ceil(lp_value - 1e-6):
            break
    lp_value, duals, convex = master.solve()
    shares = [var.solution_value() for var in master.vars]
    reduced = [
        col.cost - sum(duals[i] * n for i, n in col.rows.items()) - convex[col.employee]
        for col in master.columns
    ]
    return ColumnResult(
        master.columns,
        lp_value,
        best_bound,
        shares,
        master,
        pricings,
        cell_rows,
        planner if slow else None,
        seed,
        reduced,
        duals,
        convex,
    )


def _pricing_round(
    master: Master,
    pricings: list[Pricing],
    cell_rows: dict[tuple[int, int], list[int]],
    lp_duals: list[float],
    center: list[float] | None,
    alpha: float,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    pool: ThreadPoolExecutor,
    skip: Collection[int] = (),
    convex: list[float] | None = None,
) -> tuple[int, float | None, list[float]]:
    """Price every employee at (smoothed) duals; add the schedules with negative reduced cost.

    Employees in `skip` (whose schedule a dive has fixed) are not priced. `convex` are the LP's
    duals of one schedule per employee where the caller prices at the LP's own duals with some
    columns barred (each employee's least reduced cost over all columns otherwise).

    Returns the number of columns added, the Lagrangian bound at the priced duals (None if a
    pricing problem was cut short without a bound), and those duals.
    """
    if center is None:
        center = lp_duals
    duals = [
        round(SCALE * (alpha * c + (1 - alpha) * d)) / SCALE
        for c, d in zip(center, lp_duals, strict=True)
    ]
    cell_dual = {
        cell: round(SCALE * sum(duals[i] for i in rows)) for cell, rows in cell_rows.items()
    }
    limit = min(PRICING_SECONDS, max(0.01, deadline - time.monotonic()))
    results = list(
        pool.map(
            lambda e: (
                ([], None)
                if e in skip
                else price(pricings[e], cell_dual, limit, settings.seed + e, stop)
            ),
            range(len(pricings)),
        )
    )
    if convex is None:
        convex = _convex_duals(master, duals, len(pricings))
    bound: float | None = master.lagrangian_constant(duals)
    added = 0
    for e, (found, lower) in enumerate(results):
        if lower is None:
            bound = None
        elif bound is not None:
            bound += lower / SCALE
        for schedule, cost, scaled in found:
            if scaled / SCALE - convex[e] < -1e-6:
                added += _add_column(master, pricings[e], cell_rows, e, schedule, cost)
    return added, bound, duals


def _add_column(
    master: Master,
    pricing: Pricing,
    cell_rows: dict[tuple[int, int], list[int]],
    e: int,
    schedule: Schedule,
    cost: int,
) -> int:
    """Add employee e's schedule to the master unless it is there already; 1 if added."""
    if schedule in pricing.seen:
        return 0
    pricing.seen.add(schedule)
    master.add(make_column(e, schedule, cost, cell_rows))
    return 1


def make_column(
    e: int, schedule: Schedule, cost: int, cell_rows: dict[tuple[int, int], list[int]]
) -> Column:
    """Employee e's schedule as a master column: the cover rows it counts towards."""
    counts: dict[int, int] = {}
    for cell in schedule:
        for i in cell_rows.get(cell, ()):
            counts[i] = counts.get(i, 0) + 1
    return Column(e, schedule, cost, counts)


def _planner_for(m: RosterModel) -> SchedulePricer | None:
    """The planner as a fast pricing heuristic, where it scores schedules exactly."""
    planner = SchedulePricer(m)
    return planner if planner.usable else None


def roster_columns(
    m: RosterModel,
    planner: SchedulePricer,
    roster: set[tuple[int, int, int]],
    cell_rows: dict[tuple[int, int], list[int]],
) -> list[Column]:
    """Each employee's schedule in `roster` (keys (employee, day, position)) as a column with
    its own cost; none if the roster breaks a hard rule."""
    if validate(m.problem, as_assignments(m, roster)).hard_violations:
        return []
    schedules: dict[int, list[tuple[int, int]]] = {e: [] for e in range(len(m.employees))}
    for e, day, p_idx in sorted(roster):
        schedules[e].append((day, p_idx))
    return [make_column(e, tuple(s), planner.cost(e, s), cell_rows) for e, s in schedules.items()]


def _tailing(lp_values: list[float], lp_value: float) -> bool:
    """Whether the planner's last TAIL_ROUNDS rounds moved the LP value by less than TAIL_GAP
    (relative): time for CP-SAT's exact pricing."""
    if len(lp_values) < TAIL_ROUNDS:
        return False
    return lp_values[-TAIL_ROUNDS] - lp_value <= TAIL_GAP * max(1.0, abs(lp_value))


def _planner_round(
    planner: SchedulePricer | None,
    master: Master,
    pricings: list[Pricing],
    cell_rows: dict[tuple[int, int], list[int]],
    duals: list[float],
    skip: Collection[int] = (),
) -> int:
    """Price the employees the planner plans with the planner at the LP `duals`; add the
    schedules with negative reduced cost. The number added: when none, CP-SAT prices (the
    planner is a heuristic, and only CP-SAT's bounds prove that nothing prices out)."""
    if planner is None:
        return 0
    cell_value = np.zeros((planner.m.num_days, len(planner.m.positions)))
    for (day, p_idx), rows in cell_rows.items():
        cell_value[day, p_idx] = sum(duals[i] for i in rows)
    convex = _convex_duals(master, duals, len(pricings))
    added = 0
    for e in range(len(pricings)):
        if e in skip or not planner.plannable(e):
            continue
        found = planner.best_schedule(e, cell_value)
        if found is None:
            continue
        schedule, cost = found
        reduced = cost - sum(cell_value[day, p_idx] for day, p_idx in schedule) - convex[e]
        if reduced < -1e-6:
            added += _add_column(master, pricings[e], cell_rows, e, schedule, cost)
    return added


def _convex_duals(master: Master, duals: list[float], num_employees: int) -> list[float]:
    """Convexity duals consistent with `duals`: each employee's least reduced cost so far
    (the LP's own convex duals when `duals` are the LP's)."""
    best = [float(BIG_M)] * num_employees
    for col in master.columns:
        reduced = col.cost - sum(duals[i] * n for i, n in col.rows.items())
        best[col.employee] = min(best[col.employee], reduced)
    return best


@dataclass
class Dive:
    """A dive's roster, one schedule per employee, and the employees it left (their fullest
    schedule taken without re-pricing) for `complete_dive` to plan."""

    chosen: list[Column]
    unpriced: set[int]


def dive(
    result: ColumnResult,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    pool: ThreadPoolExecutor,
) -> Dive | None:
    """Price and dive: fix the schedules the LP takes most fully, re-price everyone else, and
    repeat until each employee has one. New schedules join the pool of the integer master.
    Where the planner priced (CP-SAT rounds being slow), it prices the dive alone.

    Each step fixes as few schedules as the time left allows for the steps still to come (the
    finer the dive, the closer it stays to the LP). The dive stops with up to a share of the
    employees (COMPLETION_SHARE_EMPLOYEES) still free (schedules the LP takes whole are fixed
    all the same), or when the time is up; those take their fullest schedule without
    re-pricing, so that the dive always ends in a roster, and are marked for `complete_dive`.
    None if asked to stop or if an employee has no schedule; RuntimeError if the master LP
    fails on the way."""
    master = result.master
    if master is None:
        return None
    fixed: dict[int, Column] = {}
    num_employees = len(result.pricings)
    dived = num_employees - int(COMPLETION_SHARE_EMPLOYEES * num_employees)
    step_seconds: float | None = None
    while len(fixed) < dived and time.monotonic() < deadline:
        if stop.stopped:
            return None
        step_started = time.monotonic()
        _reprice(result, master, fixed, settings, deadline, stop, pool)
        lp_value, _, _ = master.solve()
        left = dived - len(fixed)
        at_least = _dive_step(left, deadline - time.monotonic(), step_seconds)
        _logger.debug("dive: LP %.2f with %d of %d fixed", lp_value, len(fixed), num_employees)
        if not _fix_fullest(master, fixed, min(at_least, left)):
            return None
        step_seconds = time.monotonic() - step_started
    unpriced = set(range(num_employees)) - set(fixed)
    if unpriced:
        master.solve()  # the LP with the last fixings, for the fullest schedules of the rest
        if not _fix_fullest(master, fixed, len(unpriced)):
            return None
    _logger.info(
        "dive: %d schedules fixed (%d without re-pricing), %d columns",
        len(fixed),
        len(unpriced),
        len(master.columns),
    )
    return Dive(list(fixed.values()), unpriced)


def _reprice(
    result: ColumnResult,
    master: Master,
    fixed: dict[int, Column],
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    pool: ThreadPoolExecutor,
) -> None:
    """DIVE_ROUNDS of pricing for the employees not yet fixed, at the master LP's duals."""
    for _ in range(DIVE_ROUNDS):
        _, duals, _ = master.solve()
        if result.planner is not None:
            _planner_round(result.planner, master, result.pricings, result.cell_rows, duals, fixed)
            continue
        added, _, _ = _pricing_round(
            master,
            result.pricings,
            result.cell_rows,
            duals,
            None,
            0.0,
            settings,
            deadline,
            stop,
            pool,
            skip=fixed,
        )
        if not added:
            break


def _dive_step(left: int, seconds_left: float, step_seconds: float | None) -> int:
    """How many schedules to fix this step: `left` spread over the steps that fit in
    `seconds_left` at `step_seconds` each (DIVE_STEPS steps before the first is timed)."""
    if step_seconds is None:
        steps = DIVE_STEPS
    else:
        steps = max(1, int(seconds_left / max(step_seconds, 1e-3)))
    return max(1, math.ceil(left / steps))


def _fix_fullest(master: Master, fixed: dict[int, Column], at_least: int) -> bool:
    """Fix the `at_least` schedules the LP takes most fully (one per employee not yet fixed,
    ties to the cheaper), and every other one it takes whole. False if no schedule is left."""
    candidates = sorted(
        (
            (var.solution_value(), -col.cost, k)
            for k, (col, var) in enumerate(zip(master.columns, master.vars, strict=True))
            if col.employee not in fixed
        ),
        reverse=True,
    )
    if not candidates:
        return False
    taken = 0
    for share, _, k in candidates:
        if taken >= at_least and share < 0.99:
            break
        col = master.columns[k]
        if col.employee not in fixed:
            fixed[col.employee] = col
            master.fix(k)
            taken += 1
    return True


def integer_master(
    m: RosterModel,
    result: ColumnResult,
    settings: SolverSettings,
    limit: float,
    stop: _StopWatcher,
    hint: list[Column] | None = None,
) -> list[Column] | None:
    """Pick one generated schedule per employee, cover penalised as in the full model, starting
    from the `hint` schedules if given.

    A set-partitioning problem with a tight LP relaxation: an LP-based branch and bound (SCIP,
    shipped with OR-Tools) closes it far faster than CP-SAT's search does, while it is small:
    with a hint to fall back on, None where more than MASTER_MAX_COLUMNS schedules could beat it.
    """
    rows = result.rows(m.problem)
    promising = promising_columns(result, rows, hint)
    if hint and len(promising) > MASTER_MAX_COLUMNS:
        _logger.info(
            "no integer master: %d of %d schedules could beat its hint (%d), more than %d",
            len(promising),
            len(result.columns),
            master_cost(rows, hint),
            MASTER_MAX_COLUMNS,
        )
        return None
    mip = pywraplp.Solver.CreateSolver(MASTER_SOLVER)
    by_employee: dict[int, list[tuple[Column, object]]] = {}
    for k, col in promising:
        by_employee.setdefault(col.employee, []).append((col, mip.BoolVar(f"c{k}")))
    if len(by_employee) < len(m.employees):
        return None
    objective = mip.Objective()
    objective.SetMinimization()
    for choices in by_employee.values():
        ct = mip.Constraint(1, 1)
        for col, var in choices:
            ct.SetCoefficient(var, 1)
            objective.SetCoefficient(var, col.cost)
    cover = []
    for i, row in enumerate(rows):
        ct = mip.Constraint(row.required, row.required, f"cover{i}")
        for name, (lo, hi), weight, sign in (
            ("under", row.under, row.weight_under, 1),
            ("over", row.over, row.weight_over, -1),
        ):
            var = mip.IntVar(lo, mip.infinity() if math.isinf(hi) else hi, f"{name}{i}")
            ct.SetCoefficient(var, sign)
            objective.SetCoefficient(var, weight)
        if row.hard and row.violation_weight < BIG_M:
            for sign in (1, -1):
                var = mip.IntVar(0, mip.infinity(), f"break{i}")
                ct.SetCoefficient(var, sign)
                objective.SetCoefficient(var, row.violation_weight)
        cover.append(ct)
    for choices in by_employee.values():
        for col, var in choices:
            for i, n in col.rows.items():
                cover[i].SetCoefficient(var, n)
    if hint:
        chosen = {id(col) for col in hint}
        pairs = [(var, float(id(col) in chosen)) for ch in by_employee.values() for col, var in ch]
        mip.SetHint([var for var, _ in pairs], [value for _, value in pairs])
    mip.SetTimeLimit(max(100, int(1000 * limit)))
    status = mip.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    _logger.info(
        "integer master over %d of %d columns: %s, objective %.0f, bound %.1f",
        sum(len(choices) for choices in by_employee.values()),
        len(result.columns),
        "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible",
        objective.Value(),
        objective.BestBound(),
    )
    return [
        col
        for choices in by_employee.values()
        for col, var in choices
        if var.solution_value() > 0.5
    ]


def promising_columns(
    result: ColumnResult, rows: list[CoverRow], hint: list[Column] | None
) -> list[tuple[int, Column]]:
    """The columns worth offering the integer master, with their indices: with a `hint`
    roster, a column whose reduced cost exceeds the hint's cost above the LP value cannot be
    in a better roster (reduced-cost fixing; exact where pricing converged, when no schedule
    has a negative reduced cost), so it is left out. Columns whose reduced cost is unknown,
    and the hint's own, are always kept."""
    if not hint or not result.reduced:
        return list(enumerate(result.columns))
    limit = master_cost(rows, hint) - result.lp_value + 1e-6
    keep = {id(col) for col in hint}
    promising = []
    for k, col in enumerate(result.columns):
        reduced = result.reduced_cost(k)
        if reduced is None or reduced <= limit or id(col) in keep:
            promising.append((k, col))
    return promising


def master_cost(rows: list[CoverRow], chosen: list[Column]) -> int:
    """The objective of one schedule per employee as the master scores it: their own costs and
    the cover penalties (a broken hard bound at its violation weight)."""
    counts = [0] * len(rows)
    for col in chosen:
        for i, n in col.rows.items():
            counts[i] += n
    total = sum(col.cost for col in chosen)
    for row, count in zip(rows, counts, strict=True):
        under, over = max(0, row.required - count), max(0, count - row.required)
        total += row.weight_under * min(under, row.under[1])
        total += row.weight_over * min(over, row.over[1])
        broken = max(0, under - row.under[1]) + max(0, over - row.over[1])
        total += row.violation_weight * broken
    return total


def roster_of(m: RosterModel, chosen: list[Column]) -> list[Assignment]:
    """The assignments of the chosen schedules."""
    roster = []
    for col in chosen:
        emp = m.employees[col.employee]
        for day, p_idx in col.schedule:
            type_id, skill = m.positions[p_idx]
            roster.append(Assignment(employee=emp.id, day=day, shift_type=type_id, skill=skill))
    roster.sort(key=lambda a: (a.employee, a.day))
    return roster


def full_values(
    m: RosterModel,
    chosen: list[Column],
    limit: float,
    free: Collection[int] = (),
    workers: int = 1,
) -> Incumbent | None:
    """The full model's value vector for the chosen schedules: assignments fixed, CP-SAT fills
    in the penalty variables. The employees in `free` are re-planned instead, their chosen
    schedules only a hint."""
    from optimizer.solver import incumbent_of

    model = cp_model.CpModel()
    model.proto.copy_from(m.model.proto)
    worked = {(col.employee, day, p_idx) for col in chosen for day, p_idx in col.schedule}
    hinted = []
    for key, var in m.x.items():
        if key[0] in free:
            hinted.append((var.index, int(key in worked)))
            continue
        domain = model.proto.variables[var.index].domain
        domain[0] = domain[1] = int(key in worked)
    if hinted:
        model.proto.solution_hint.vars.extend(index for index, _ in hinted)
        model.proto.solution_hint.values.extend(value for _, value in hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, limit)
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    return incumbent_of(solver, status)


def complete_dive(
    m: RosterModel, dived: Dive, settings: SolverSettings, deadline: float
) -> Incumbent | None:
    """The dive's roster with the schedules it left planned again by CP-SAT on the full
    model, everyone else's kept: fixed one by one, the last schedules of a dive take whatever
    the LP still holds for them, often far from the best roster (Instance7, 20 people: the
    dive's LP went from 1,066 with 14 fixed to 1,264 with 16; with the last 5 left to CP-SAT,
    the roster cost 1,163)."""
    limit = min(COMPLETION_SHARE * settings.time_limit, deadline - time.monotonic() - 0.5)
    completed = full_values(m, dived.chosen, limit, dived.unpriced, settings.workers)
    if completed is not None:
        _logger.info(
            "dive: %d schedules planned again by CP-SAT: objective %d",
            len(dived.unpriced),
            completed.objective,
        )
    return completed


def improve(
    m: RosterModel,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    greedy: set[tuple[int, int, int]] | None = None,
) -> tuple[str, Incumbent | None]:
    """Column generation (its first schedules those of the constructed roster `greedy`, if
    given), a dive and, if pricing ended with a bound, the integer master (hinted with the best
    of the dive's roster, completed by CP-SAT, and the constructed one), then LNS on the full
    model for the remaining time, starting from the best roster found."""
    deadline = started + settings.time_limit
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        result = generate_columns(
            m, settings, started + COLUMN_SHARE * settings.time_limit, stop, pool, greedy
        )
        if not (converged(result) or result.seed) and not stop.stopped:
            _logger.info("column generation did not converge; LNS takes over")
            return _lns_from_scratch(m, settings, deadline, reporter, stop, greedy)
        dive_end = time.monotonic() + DIVE_SHARE * settings.time_limit
        try:
            dived = dive(result, settings, min(dive_end, deadline - 1), stop, pool)
        except RuntimeError:  # the integer master can still pick a roster
            _logger.warning("dive stopped: the master LP failed", exc_info=True)
            dived = None
    bound = None if result.bound is None else math.ceil(result.bound - 1e-6)
    starts = [pick for pick in (dived and dived.chosen, result.seed) if pick]
    completed = complete_dive(m, dived, settings, deadline) if dived and dived.unpriced else None
    chosen = _master_pick(m, result, settings, deadline, stop, starts, completed)
    candidates = [
        full_values(m, pick, min(5.0, deadline - time.monotonic()))
        for pick in (chosen, *starts)
        if pick is not None
    ]
    candidates = [c for c in (*candidates, completed) if c is not None]
    if not candidates:
        _logger.info("column generation gave no roster; LNS starts from scratch")
        return _lns_from_scratch(m, settings, deadline, reporter, stop, greedy)
    incumbent = min(candidates, key=lambda c: c.objective)
    incumbent.bound = bound
    reporter.report(incumbent.values, incumbent.objective, incumbent.bound)
    return _polish(m, result, settings, started, reporter, stop, incumbent)


def _polish(
    m: RosterModel,
    result: ColumnResult,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    incumbent: Incumbent,
) -> tuple[str, Incumbent | None]:
    """LNS from `incumbent` for the time left; where branch and price may close the gap to the
    bound (`branching.worth_searching`), LNS first runs until it stalls (STALL_SHARE), branch
    and price takes the time up to the last FINAL_LNS_SHARE (where the stall comes before it),
    and LNS the rest (unless the search proved its roster optimal). Where pricing converged,
    LNS is guided by the master LP's roster (`lp_roster`): its "guided" steps free where the
    incumbent departs from it. Where pricing did not converge (no bound, or one far below the
    LP value), nothing shows that the LP's roster is close to a good one, and LNS runs
    unguided."""
    from optimizer import branching

    guide = lp_roster(m, result) if converged(result) else None
    _logger.info("LNS %s", "guided by the master LP's roster" if guide is not None else "unguided")
    if not branching.worth_searching(m, result, incumbent):
        return lns.improve(m, settings, started, reporter, stop, start=incumbent, guide=guide)
    stall = STALL_SHARE * settings.time_limit
    status, found = lns.improve(
        m, settings, started, reporter, stop, start=incumbent, stall=stall, guide=guide
    )
    incumbent = found or incumbent
    deadline = started + settings.time_limit
    branch_end = deadline - FINAL_LNS_SHARE * settings.time_limit
    if status == "optimal" or stop.stopped:
        return status, incumbent
    if time.monotonic() < branch_end:  # a stall late in the search leaves its time to LNS
        incumbent, proven = branching.close_gap(
            m, result, incumbent, settings, branch_end, stop, reporter
        )
        if proven:
            return "optimal", incumbent
    return lns.improve(m, settings, started, reporter, stop, start=incumbent, guide=guide)


def lp_roster(m: RosterModel, result: ColumnResult) -> np.ndarray | None:
    """The master LP's last solution as a value for each model variable: each assignment's
    share of its employee's schedules (0 for every other variable); None without one."""
    if not result.shares:
        return None
    values = np.zeros(len(m.model.proto.variables))
    for col, share in zip(result.columns, result.shares, strict=False):
        if share > 1e-6:
            for day, p_idx in col.schedule:
                values[m.x[col.employee, day, p_idx].index] += share
    return values


def incumbent_columns(
    m: RosterModel, result: ColumnResult, incumbent: Incumbent | None
) -> list[Column]:
    """Each employee's schedule in a full-model roster, as columns added to the pool, so that
    the integer master can start from it; none where there is no roster or no planner to cost
    the schedules."""
    planner = result.planner or _planner_for(m)
    if incumbent is None or planner is None or result.master is None:
        return []
    worked = {key for key, var in m.x.items() if incumbent.values[var.index]}
    columns = roster_columns(m, planner, worked, result.cell_rows)
    for column in columns:
        result.master.add(column)
    return columns


def _lns_from_scratch(
    m: RosterModel,
    settings: SolverSettings,
    deadline: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    greedy: set[tuple[int, int, int]] | None,
) -> tuple[str, Incumbent | None]:
    """LNS for the time left, from its own start (the constructed roster, if any)."""
    rest = settings.model_copy(update={"time_limit": max(0.5, deadline - time.monotonic())})
    return lns.improve(m, rest, time.monotonic(), reporter, stop, greedy=greedy)


def _master_pick(
    m: RosterModel,
    result: ColumnResult,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    starts: list[list[Column]],
    completed: Incumbent | None = None,
) -> list[Column] | None:
    """The integer master's roster, hinted with the cheapest of the `starts` rosters and the
    `completed` one (the dive's, completed by CP-SAT on the full model); None where pricing
    ended without a bound (see MASTER_SHARE) or the master found none."""
    if result.bound is None:
        _logger.info("pricing ended without a bound: no integer master, LNS gets its time")
        return None
    starts = [pick for pick in (*starts, incumbent_columns(m, result, completed)) if pick]
    limit = min(MASTER_SHARE * settings.time_limit, deadline - time.monotonic() - 0.5)
    if stop.stopped:  # asked to stop: the integer master only has a moment to pick a roster
        limit = min(limit, STOPPED_MASTER_SECONDS)
    rows = result.rows(m.problem)
    hint = min(starts, key=lambda pick: master_cost(rows, pick)) if starts else None
    return integer_master(m, result, settings, limit, stop, hint=hint)


def price_and_branch(
    problem: Problem, settings: SolverSettings
) -> tuple[ColumnResult, list[Assignment] | None]:
    """Column generation and the integer master alone (no polishing), within the time limit:
    the generated schedules with the LP value and Lagrangian bound, and the roster picked."""
    from optimizer.rules import build_model
    from optimizer.solver import _StopWatcher

    started = time.monotonic()
    m = build_model(problem)
    stop = _StopWatcher(None)
    try:
        with ThreadPoolExecutor(max_workers=settings.workers) as pool:
            deadline = started + COLUMN_SHARE * settings.time_limit
            result = generate_columns(m, settings, deadline, stop, pool)
        chosen = integer_master(m, result, settings, MASTER_SHARE * settings.time_limit, stop)
    finally:
        stop.close()
    return result, None if chosen is None else roster_of(m, chosen)
