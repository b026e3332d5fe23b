"""Branch and price: search the rosters column generation's LP leaves open, one decision at a time.

Column generation proves a lower bound (the LP value, where no schedule prices out) and the
integer master picks the best roster its pool of schedules allows. When the best roster found
stays a point or two above the bound, the missing roster usually needs schedules that no
pricing round at the root produced: they only price out once some decisions are taken.

This search takes those decisions on the days and assignments themselves ("employee e works on
day d", or does not; once the LP settles every day, "e works shift p on day d"), on the one the
LP splits most evenly, depth first, working it first. Each decision goes both into the master
(schedules that break it are barred) and into that employee's pricing model (its variable
fixed), and column generation runs again at the node, so every node's bound holds for the
rosters below it; where the LP takes one whole schedule per employee, the node's roster is the
LP's. The search climbs from the root's bound (see `BranchAndPrice.run`): each pass looks for a
roster at one cost, cutting off every node whose bound is above it, so the first roster found
is optimal.

On the benchmark at 60 s (Instances 5-7: four weeks, 16-20 people, the best roster one to
three points above the LP value), the search found and proved the best known rosters of 6 and
7 after LNS had stalled above them, and proved 5's. Deciding first the cells the LP works
most, several at a node, searched 178 nodes of Instance6 in 40 s without a roster: on these
degenerate LPs the decisions the LP splits evenly are the ones that move the bound.

Valid where the master prices the whole objective (the roster's cost is its schedules' own
costs plus the cover penalties), which `worth_searching` checks. `close_gap` runs the search
and turns its roster into the full model's.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from optimizer.colgen import (
    COVER_AND_GROUP_RULES,
    Column,
    ColumnResult,
    Master,
    Pricing,
    _pricing_round,
    converged,
    full_values,
    master_cost,
)

if TYPE_CHECKING:
    from optimizer.model import RosterModel
    from optimizer.schema import SolverSettings
    from optimizer.solver import Incumbent, _Reporter, _StopWatcher

_logger = logging.getLogger(__name__)

INTEGRAL = 1e-6
"""A share of a schedule within this of 0 or 1 counts as whole."""
MASTER_RULES = frozenset({"cover_bounds", "under_cover", "interval_under_cover"})
"""The rules coupling employees that the master prices itself (the cover); where any other
one (fairness, reliable people) has a term, the master's cost is not the roster's and the
search does not run."""

Decision = tuple[int, int, int | None, bool]
"""(employee, day, position index or None for any shift that day, whether they work it)."""


def worth_searching(m: RosterModel, result: ColumnResult, incumbent: Incumbent) -> bool:
    """Whether branch and price can improve on (or prove) `incumbent`: pricing converged with
    exact (CP-SAT) pricing, the master prices every term of the objective, and the bound
    leaves a gap."""
    polished = COVER_AND_GROUP_RULES - MASTER_RULES
    return (
        result.master is not None
        and result.bound is not None
        and result.planner is None
        and converged(result)
        and not any(p.rule in polished for p in m.penalties)
        and math.ceil(result.bound - 1e-6) < incumbent.objective
    )


def close_gap(
    m: RosterModel,
    result: ColumnResult,
    incumbent: Incumbent,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    reporter: _Reporter,
) -> tuple[Incumbent, bool]:
    """Branch and price from `incumbent` until `deadline`: the best roster (reported if
    better) and whether it is proven optimal (the whole tree searched)."""
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        search = BranchAndPrice(result, incumbent.objective, settings, stop, pool).run(deadline)
    if search.best is not None:
        better = full_values(m, search.best, max(1.0, deadline - time.monotonic()))
        if better is not None and better.objective < incumbent.objective:
            better.bound = incumbent.bound
            incumbent = better
    proven = search.complete and incumbent.objective <= search.best_cost
    if proven:
        incumbent.bound = incumbent.objective
    if search.best is not None or proven:
        reporter.report(incumbent.values, incumbent.objective, incumbent.bound)
    return incumbent, proven


@dataclass
class Node:
    """A node's LP settled: its bound, the LP's shares of the schedules (None where the node
    is cut off), and whether pricing proved the bound (every pricing problem solved with one)."""

    bound: float
    shares: list[float] | None
    proven: bool


@dataclass
class Search:
    """What the search found: its best roster (if better than the one it was given), whether
    it searched the whole tree (the best roster is then optimal), and how far it went."""

    best: list[Column] | None
    best_cost: int
    complete: bool
    nodes: int = 0


class BranchAndPrice:
    """Depth-first branch and price over assignment decisions, from a converged column
    generation (`result`: its schedules are copied into a master LP of the search's own, its
    pricing models re-used and left as found) and the cost of the best roster so far."""

    def __init__(
        self,
        result: ColumnResult,
        incumbent_cost: int,
        settings: SolverSettings,
        stop: _StopWatcher,
        pool: ThreadPoolExecutor,
    ) -> None:
        if result.master is None:
            raise ValueError("branch and price needs the column generation's master LP")
        self.pricings = result.pricings
        self.cell_rows = result.cell_rows
        self.rows = result.master.rows
        self.master = self._new_master(result.master.columns)
        self.settings = settings
        self.stop = stop
        self.pool = pool
        self.best_cost = incumbent_cost
        self.best: list[Column] | None = None
        self.lower = math.ceil(result.bound - 1e-6) if result.bound is not None else 0
        """No roster costs less (the root's Lagrangian bound, rounded up; where there is none,
        the first pass's cut nodes give one)."""
        self.cutoff = incumbent_cost
        self._index = [_decision_variables(p) for p in self.pricings]
        self._domains = [
            {index: list(p.model.model.proto.variables[index].domain) for index in indices.values()}
            for p, indices in zip(self.pricings, self._index, strict=True)
        ]
        self._schedules: list[frozenset[tuple[int, int | None]]] = []
        self._decided: dict[int, list[Decision]] = {}

    def run(self, deadline: float) -> Search:
        """Search until the best roster is proven optimal or `deadline`; the pricing models are
        restored before returning.

        The search climbs from the root's bound: it first looks for a roster at the bound
        itself, cutting off every node whose bound is above it; a tree searched without one
        proves the bound one higher, and the next pass looks there. The first roster found is
        thus optimal, and each pass's tree is as small as its target allows, whatever the
        roster the search was given: on Instance7 at 60 s, seeds 0-5, it reached the best
        known 1,056 five times, where one search cutting off at the given roster's cost did
        three times (from 1,058 it found nothing in 25 s)."""
        nodes = 0
        exact = True  # every pass so far proved what it cut off
        target = self.lower
        try:
            while target < self.best_cost and not self.stop.stopped:
                self.cutoff = target + 1
                searched, proven, passed, least_cut = self._search_tree(deadline)
                nodes += passed
                exact = exact and proven
                if self.best_cost <= target or not searched:
                    break
                target = min(self.best_cost, max(target + 1, least_cut))
        finally:
            self._open_pricing()
        complete = exact and self.best_cost <= target
        _logger.info(
            "branch and price: %d nodes, best %d, %s",
            nodes,
            self.best_cost,
            "proven optimal" if complete else f"none below {target} left out",
        )
        return Search(self.best, self.best_cost, complete, nodes)

    def _search_tree(self, deadline: float) -> tuple[bool, bool, int, int | float]:
        """Depth first from the root, cutting off nodes whose bound reaches `self.cutoff`:
        whether the tree was searched (or a roster below the cutoff found), whether every cut
        was proven (a pricing problem that ended without a bound leaves its node's LP value
        unproven), the nodes solved, and the least bound (rounded up) of a node cut off: no
        roster outside the searched tree costs less."""
        stack: list[list[Decision]] = [[]]
        nodes = 0
        proven = True
        least_cut: int | float = math.inf
        while stack and not self.stop.stopped:
            decisions = stack.pop()
            node = self._solve_node(decisions, deadline)
            if node is None:  # out of time before the node's LP was settled
                return False, proven, nodes, least_cut
            nodes += 1
            if node.shares is None:
                proven = proven and node.proven
                least_cut = min(least_cut, math.ceil(node.bound - 1e-6))
                continue
            branch = self._branching(node.shares)
            if branch is None:
                self._keep(self._lp_roster(node.shares))
                if self.best_cost < self.cutoff:
                    return True, proven, nodes, least_cut
                continue
            stack.append([*decisions, (*branch, False)])
            stack.append([*decisions, (*branch, True)])
        return not stack, proven, nodes, least_cut

    def _solve_node(self, decisions: list[Decision], deadline: float) -> Node | None:
        """Column generation under `decisions` until no schedule prices out; None where time
        ran out first."""
        self._apply(decisions)
        while True:
            lp_value, duals, convex = self._solve_lp()
            if time.monotonic() >= deadline or self.stop.stopped:
                return None
            added, bound, _ = _pricing_round(
                self.master,
                self.pricings,
                self.cell_rows,
                duals,
                None,
                0.0,
                self.settings,
                deadline,
                self.stop,
                self.pool,
                convex=convex,
            )
            if time.monotonic() >= deadline or self.stop.stopped:
                return None
            if bound is not None and self._cut_off(bound):
                return Node(bound, None, proven=True)
            if not added:  # schedules priced here keep the decisions: they start open
                break
        _logger.debug("node at depth %d: LP %.2f", len(decisions), lp_value)
        # Every employee priced to a bound: the Lagrangian bound (the LP value, up to the
        # rounding of the duals) holds for the node; otherwise only the LP value is at hand.
        proven = bound is not None
        node_bound = bound if bound is not None else lp_value
        if self._cut_off(node_bound) or self._uses_artificial():
            return Node(node_bound, None, proven)
        return Node(node_bound, [var.solution_value() for var in self.master.vars], proven)

    def _keep(self, roster: list[Column]) -> None:
        """Keep `roster` if it is whole and beats the best."""
        if len(roster) != len(self.pricings):
            return
        cost = master_cost(self.rows, roster)
        if cost < self.best_cost:
            _logger.info("branch and price: roster of %d", cost)
            self.best, self.best_cost = roster, cost

    def _lp_roster(self, shares: list[float]) -> list[Column]:
        """The LP's roster where it works every cell wholly or not at all: each employee's
        schedule with the largest share (any split is between schedules of the same cells)."""
        top: dict[int, tuple[float, int]] = {}
        for k, share in enumerate(shares):
            employee = self.master.columns[k].employee
            if share > top.get(employee, (INTEGRAL, -1))[0]:
                top[employee] = (share, k)
        return [self.master.columns[k] for _, k in top.values()]

    def _new_master(self, columns: list[Column]) -> Master:
        master = Master(self.rows, len(self.pricings))
        for column in columns:
            master.add(column)
        return master

    def _solve_lp(self) -> tuple[float, list[float], list[float]]:
        """The master LP; built and solved again from scratch where GLOP fails from its warm
        start (seen after many bound changes on a degenerate LP)."""
        try:
            return self.master.solve()
        except RuntimeError:
            _logger.debug("master LP failed from its warm start: built again")
            self.master = self._new_master(self.master.columns)
            self._bound_columns()
            return self.master.solve()

    def _cut_off(self, bound: float) -> bool:
        """Whether no roster under a node with this bound is below the pass's cutoff (integer
        costs)."""
        return math.ceil(bound - 1e-6) >= self.cutoff

    def _uses_artificial(self) -> bool:
        return any(var.solution_value() > INTEGRAL for var in self.master.artificial)

    def _branching(self, shares: list[float]) -> tuple[int, int, int | None] | None:
        """(employee, day, None) for the day the LP works nearest to half, or, where it works
        every day wholly or not at all, (employee, day, position) for such a shift (ties: the
        lowest employee, then the earliest day); None where the LP's roster is whole."""
        days: dict[tuple[int, int, int | None], float] = {}
        cells: dict[tuple[int, int, int | None], float] = {}
        for k, share in enumerate(shares):
            if share <= INTEGRAL:
                continue
            employee = self.master.columns[k].employee
            for day, p_idx in self.master.columns[k].schedule:
                days[employee, day, None] = days.get((employee, day, None), 0.0) + share
                cells[employee, day, p_idx] = cells.get((employee, day, p_idx), 0.0) + share
        for worked in (days, cells):
            split = [(abs(v - 0.5), key) for key, v in worked.items() if v < 1 - INTEGRAL]
            if split:
                return min(split, key=lambda item: (item[0], item[1][:2], item[1][2] or 0))[1]
        return None

    def _apply(self, decisions: list[Decision]) -> None:
        """Fix the decided variables in the pricing models and bar every schedule that breaks
        a decision; everything else open again."""
        self._decided = {}
        for decision in decisions:
            self._decided.setdefault(decision[0], []).append(decision)
        self._open_pricing()
        for employee, employee_decisions in self._decided.items():
            variables = self.pricings[employee].model.model.proto.variables
            for _, day, p_idx, works in employee_decisions:
                value = int(works)
                _set_domain(variables[self._index[employee][day, p_idx]], [value, value])
        self._bound_columns()
        for var in self.master.artificial:
            var.SetUb(self.master.lp.infinity())

    def _open_pricing(self) -> None:
        """Every decision variable of the pricing models back to its own domain."""
        for employee, pricing in enumerate(self.pricings):
            variables = pricing.model.model.proto.variables
            for index, domain in self._domains[employee].items():
                _set_domain(variables[index], domain)

    def _bound_columns(self) -> None:
        """Open every column of the master that keeps the decisions; bar the others."""
        inf = self.master.lp.infinity()
        for k, var in enumerate(self.master.vars):
            var.SetUb(inf if self._allowed(k) else 0)

    def _allowed(self, k: int) -> bool:
        """Whether column k keeps the decisions on its employee."""
        while len(self._schedules) <= k:
            schedule = self.master.columns[len(self._schedules)].schedule
            self._schedules.append(frozenset([*schedule, *((day, None) for day, _ in schedule)]))
        column = self.master.columns[k]
        schedule = self._schedules[k]
        decided = self._decided.get(column.employee, ())
        return all(((day, p_idx) in schedule) == works for _, day, p_idx, works in decided)


def _set_domain(variable, domain: list[int]) -> None:
    """Set a 0/1 variable's domain (an interval: its two bounds)."""
    variable.domain[0], variable.domain[1] = domain[0], domain[-1]


def _decision_variables(pricing: Pricing) -> dict[tuple[int, int | None], int]:
    """The pricing model's variable of each decision: (day, position) its assignment,
    (day, None) whether the employee works that day (a literal added where the rules have
    not made one)."""
    indices: dict[tuple[int, int | None], int] = dict(
        zip(pricing.cells, pricing.var_indices, strict=True)
    )
    for day in sorted({day for day, _ in pricing.cells}):
        literal = pricing.model.work_literal(0, day)
        if literal is not False:
            indices[day, None] = literal.index
    return indices
