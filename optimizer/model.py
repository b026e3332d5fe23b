"""The CP-SAT roster model: decision variables, and the helpers rules use to state themselves.

`RosterModel` owns one boolean per (employee, day, position) that the employee may work. Rules
(see `optimizer.rules`) add hard constraints through `require_*` helpers, which also make a rule
soft (a penalised excess) when the problem says so, or guard it with a literal when the model is
built to explain infeasibility; soft rules add `Penalty` terms.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from ortools.sat.python import cp_model
from ortools.util.python import sorted_interval_list

from optimizer.instance import Instance, Position
from optimizer.schema import Employee, Problem

_logger = logging.getLogger(__name__)

Key = tuple[int, int, int]
"""(employee index, day, position index)."""


class OutOfTime(Exception):
    """Building or reading a model ran past the time it was given."""


def check_time(deadline: float | None) -> None:
    """Raise `OutOfTime` once `deadline` (a `time.monotonic()` instant; None: none) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a model is built or read.

    A big model is millions of small objects that all stay alive; the collector would walk them
    over and over as new objects are made (a quarter of the build time of a year-long roster,
    most of the time of turning a big model's solution into a roster), and there is no garbage
    cycle to find. Reference counting still frees everything else.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class Penalty:
    """One term of the objective: `coefficient * expression`, attributed to a rule."""

    rule: str
    coefficient: int
    expression: cp_model.LinearExprT
    employee: str | None = None
    day: int | None = None


@dataclass(frozen=True)
class Terms:
    """A weighted sum of assignment variables, as their proto indices and coefficients: the
    form in which the long sums of contract rules are written straight into the proto."""

    indices: list[int]
    coefficients: list[int]


@dataclass(frozen=True)
class Guard:
    """A literal that switches one rule on for one employee (or for all), to explain conflicts."""

    rule: str
    employee: str | None
    literal: cp_model.IntVar


@dataclass
class RosterModel:
    """A CP-SAT model of a rostering problem, with its variables and named penalty terms."""

    problem: Problem
    explain: bool = False
    instance: Instance = field(init=False)
    model: cp_model.CpModel = field(init=False)
    x: dict[Key, cp_model.IntVar] = field(init=False, default_factory=dict)
    penalties: list[Penalty] = field(init=False, default_factory=list)
    guards: dict[tuple[str, str | None], Guard] = field(init=False, default_factory=dict)

    @cached_property
    def decisions(self) -> tuple[list[Key], np.ndarray]:
        """The assignment variables' keys and their indices in the proto, in the same order
        (read once the model is built)."""
        keys = list(self.x)
        indices = np.fromiter((v.index for v in self.x.values()), dtype=np.int64, count=len(keys))
        return keys, indices

    def __post_init__(self) -> None:
        self.instance = Instance(self.problem)
        self.model = cp_model.CpModel()
        self.soft_rules = set(self.problem.rules.soft_rules)
        self.positions: list[Position] = self.instance.positions
        self.employees: list[Employee] = list(self.problem.employees)
        self.num_days = self.problem.num_days
        types = self.instance.types
        self._position_minutes = [types[type_id].duration_minutes for type_id, _ in self.positions]
        self._positions_of_type: dict[str, list[tuple[int, str | None]]] = {}
        for p_idx, (type_id, skill) in enumerate(self.positions):
            self._positions_of_type.setdefault(type_id, []).append((p_idx, skill))
        # Per employee and day (lists indexed [e_idx][day]): (position, variable) pairs, the
        # variables alone, their paid minutes, and the variables grouped by shift type.
        self._cells: list[list[list[tuple[int, cp_model.IntVar]]]] = []
        self._cell_vars: list[list[list[cp_model.IntVar]]] = []
        self._cell_minutes: list[list[list[int]]] = []
        self._by_type: list[list[dict[str, list[cp_model.IntVar]]]] = []
        # The same, as the variables' indices in the proto, for constraints written directly.
        self._cell_indices: list[list[list[int]]] = []
        # Per day and position (lists indexed [day][p_idx]): variables and employee indices.
        self._by_day_position: list[list[list[cp_model.IntVar]]] = []
        self._who: list[list[list[int]]] = []
        self._work: dict[tuple[int, int], cp_model.IntVar] = {}
        self._weekend: dict[tuple[int, int], cp_model.IntVar] = {}
        self._create_variables()

    # -- variables ------------------------------------------------------------------------------
    def _create_variables(self) -> None:
        """One boolean per (employee, day, position) the employee can work, in that order.

        They carry no names (on a year-long problem the names alone take about a second): `x` maps
        each (employee, day, position) to its variable. Nothing reads the names.
        """
        inst = self.instance
        num_positions = len(self.positions)
        self._by_day_position = [[[] for _ in range(num_positions)] for _ in range(self.num_days)]
        self._who = [[[] for _ in range(num_positions)] for _ in range(self.num_days)]
        type_of = [type_id for type_id, _ in self.positions]
        proto = self.model.proto
        for e_idx, emp in enumerate(self.employees):
            cells, cell_vars, cell_minutes, by_type = [], [], [], []
            cell_indices = []
            for day, positions in enumerate(inst.open_positions_by_day(emp)):
                first = len(proto.variables)
                indices = list(range(first, first + len(positions)))
                variables = [new_bool(proto) for _ in positions]
                self.x.update(zip([(e_idx, day, p) for p in positions], variables, strict=True))
                grouped: dict[str, list[cp_model.IntVar]] = {}
                for p, var in zip(positions, variables, strict=True):
                    grouped.setdefault(type_of[p], []).append(var)
                    self._by_day_position[day][p].append(var)
                    self._who[day][p].append(e_idx)
                cells.append(list(zip(positions, variables, strict=True)))
                cell_vars.append(variables)
                cell_minutes.append([self._position_minutes[p] for p in positions])
                by_type.append(grouped)
                cell_indices.append(indices)
            self._cells.append(cells)
            self._cell_vars.append(cell_vars)
            self._cell_minutes.append(cell_minutes)
            self._by_type.append(by_type)
            self._cell_indices.append(cell_indices)
        _logger.debug("%d assignment variables", len(self.x))

    def on_day(self, e_idx: int, day: int) -> list[tuple[int, cp_model.IntVar]]:
        """(position index, variable) pairs an employee can take on a day."""
        return self._cells[e_idx][day] if 0 <= day < self.num_days else []

    def day_vars(self, e_idx: int, day: int) -> list[cp_model.IntVar]:
        """The variables of an employee on a day (those of `on_day`, in the same order)."""
        return self._cell_vars[e_idx][day] if 0 <= day < self.num_days else []

    def day_indices(self, e_idx: int, day: int) -> list[int]:
        """Proto indices of the variables of `day_vars`, in the same order."""
        return self._cell_indices[e_idx][day] if 0 <= day < self.num_days else []

    def positions_of_type(self, type_id: str) -> list[tuple[int, str | None]]:
        """(position index, skill) of every position of a shift type."""
        return self._positions_of_type.get(type_id, [])

    def on_position(self, day: int, p_idx: int) -> list[cp_model.IntVar]:
        """Variables of everyone who could work position `p_idx` on `day`."""
        return self._by_day_position[day][p_idx] if 0 <= day < self.num_days else []

    def vars_by_type(self, e_idx: int, day: int) -> dict[str, list[cp_model.IntVar]]:
        """An employee's variables on a day, grouped by shift type."""
        return self._by_type[e_idx][day] if 0 <= day < self.num_days else {}

    def employees_on_position(self, day: int, p_idx: int) -> list[int]:
        """Indices of the employees who could work position `p_idx` on `day`."""
        return self._who[day][p_idx] if 0 <= day < self.num_days else []

    def works(self, e_idx: int, day: int) -> cp_model.LinearExprT:
        """1 if the employee works any shift that day."""
        return total(self.day_vars(e_idx, day))

    def work_literal(self, e_idx: int, day: int) -> cp_model.IntVar | bool:
        """A boolean that is true when the employee works that day (False if they cannot)."""
        lit = self._work.get((e_idx, day))
        if lit is not None:
            return lit
        variables = self.day_vars(e_idx, day)
        if not variables:
            return False
        if len(variables) == 1:
            return variables[0]
        lit = self.model.new_bool_var(f"{self.employees[e_idx].id}|{day}|works")
        self.model.add(cp_model.LinearExpr.sum(variables) == lit)
        self._work[e_idx, day] = lit
        return lit

    def weekend_worked(self, e_idx: int, days: list[int]) -> cp_model.IntVar | bool:
        """A boolean that is true when the employee works any of a weekend's days."""
        lits = [lit for lit in (self.work_literal(e_idx, d) for d in days) if lit is not False]
        if not lits:
            return False
        if len(lits) == 1:
            return lits[0]
        key = (e_idx, days[0])
        if key not in self._weekend:
            worked = self.model.new_bool_var(f"{self.employees[e_idx].id}|{days[0]}|weekend")
            self.model.add_max_equality(worked, lits)
            self._weekend[key] = worked
        return self._weekend[key]

    def works_type(self, e_idx: int, day: int, type_id: str) -> cp_model.LinearExprT:
        """1 if the employee works a shift of `type_id` that day (as any skill)."""
        return total(self.vars_by_type(e_idx, day).get(type_id, []))

    def has_type(self, e_idx: int, day: int, type_id: str) -> bool:
        return type_id in self.vars_by_type(e_idx, day)

    def count(self, e_idx: int, days: Iterable[int]) -> Terms:
        """Shifts an employee works on the given days."""
        indices = [i for d in days for i in self.day_indices(e_idx, d)]
        return Terms(indices, [1] * len(indices))

    def count_by_type(self, e_idx: int) -> dict[str, tuple[Terms, int]]:
        """Per shift type: the shifts of that type an employee works over the horizon, and on
        how many days they could work one."""
        indices: dict[str, list[int]] = {}
        days: dict[str, int] = {}
        for cell, cell_indices in zip(self._cells[e_idx], self._cell_indices[e_idx], strict=True):
            seen = set()
            for (p_idx, _), index in zip(cell, cell_indices, strict=True):
                type_id = self.positions[p_idx][0]
                indices.setdefault(type_id, []).append(index)
                seen.add(type_id)
            for type_id in seen:
                days[type_id] = days.get(type_id, 0) + 1
        return {t: (Terms(ix, [1] * len(ix)), days[t]) for t, ix in indices.items()}

    def minutes_terms(self, e_idx: int, days: Iterable[int]) -> Terms:
        """`minutes`, as terms."""
        days = [d for d in days if 0 <= d < self.num_days]
        return Terms(
            [i for d in days for i in self._cell_indices[e_idx][d]],
            [c for d in days for c in self._cell_minutes[e_idx][d]],
        )

    def minutes(self, e_idx: int, days: Iterable[int]) -> cp_model.LinearExprT:
        """Paid minutes an employee works on the given days."""
        days = [d for d in days if 0 <= d < self.num_days]
        variables = [v for d in days for v in self._cell_vars[e_idx][d]]
        if not variables:
            return 0
        coefficients = [c for d in days for c in self._cell_minutes[e_idx][d]]
        return cp_model.LinearExpr.weighted_sum(variables, coefficients)

    def max_minutes(self, e_idx: int, days: Iterable[int]) -> int:
        """The most paid minutes an employee could work on the given days."""
        cells = self._cell_minutes[e_idx]
        return sum(max(cells[d], default=0) for d in days if 0 <= d < self.num_days)

    # -- hard rules that may be made soft ----------------------------------------------------
    def is_soft(self, rule: str) -> bool:
        return rule in self.soft_rules

    def require_at_most(
        self,
        rule: str,
        expr: cp_model.LinearExprT | Terms,
        bound: int,
        ub: int,
        employee: str | None,
    ) -> None:
        """`expr <= bound`; soft rules pay `weights.soft_rule` per unit of excess instead.

        `ub` is an upper bound on `expr`, used to size the excess variable.
        """
        if ub <= bound:
            return
        if isinstance(expr, Terms):
            if expr.indices and not self.is_soft(rule) and not self.explain:
                self._add_linear(expr, cp_model.INT_MIN, bound)
                return
            expr = self.expression(expr)
        if self.is_soft(rule):
            excess = self.model.new_int_var(0, ub - bound, f"{rule}|{employee}|excess")
            self.model.add(expr - excess <= bound)
            self._soft_penalty(rule, excess, employee)
        else:
            self._guarded(self.model.add(expr <= bound), rule, employee)

    def require_at_least(
        self, rule: str, expr: cp_model.LinearExprT | Terms, bound: int, employee: str | None
    ) -> None:
        """`expr >= bound`; soft rules pay `weights.soft_rule` per unit of shortfall instead."""
        if bound <= 0:
            return
        if isinstance(expr, Terms):
            if expr.indices and not self.is_soft(rule) and not self.explain:
                self._add_linear(expr, bound, cp_model.INT_MAX)
                return
            expr = self.expression(expr)
        if self.is_soft(rule):
            short = self.model.new_int_var(0, bound, f"{rule}|{employee}|short")
            self.model.add(expr + short >= bound)
            self._soft_penalty(rule, short, employee)
        else:
            self._guarded(self.model.add(expr >= bound), rule, employee)

    def expression(self, terms: Terms) -> cp_model.LinearExprT:
        """`terms` as a CP-SAT expression (0 when empty)."""
        if not terms.indices:
            return 0
        proto = self.model.proto
        variables = [cp_model.IntVar(proto, i) for i in terms.indices]
        return cp_model.LinearExpr.weighted_sum(variables, terms.coefficients)

    def _add_linear(self, terms: Terms, lower: int, upper: int) -> None:
        """`lower <= terms <= upper`, written straight into the proto: on the long sums of a
        year-long roster four times quicker than `model.add`, for the same constraint."""
        linear = self.model.proto.constraints.add().linear
        linear.vars.extend(terms.indices)
        linear.coeffs.extend(terms.coefficients)
        linear.domain.extend([lower, upper])

    def require_clause(
        self, rule: str, literals: list[cp_model.LiteralT], employee: str | None
    ) -> None:
        """At least one literal holds; soft rules pay `weights.soft_rule` per broken clause."""
        if self.is_soft(rule):
            broken = self.model.new_bool_var(f"{rule}|{employee}|broken")
            self.model.add_bool_or([*literals, broken])
            self._soft_penalty(rule, broken, employee)
        else:
            self._guarded(self.model.add_bool_or(literals), rule, employee)

    def require_clause_of(
        self, rule: str, literals: list[cp_model.LiteralT | bool], employee: str | None
    ) -> None:
        """Like `require_clause`, but literals may be Python constants (from `work_literal`)."""
        if any(lit is True for lit in literals):
            return
        self.require_clause(rule, [lit for lit in literals if lit is not False], employee)

    def _soft_penalty(self, rule: str, var: cp_model.LinearExprT, employee: str | None) -> None:
        weight = self.problem.rules.weights.soft_rule
        self.penalties.append(Penalty(rule, weight, var, employee))

    def _guarded(self, ct: cp_model.Constraint, rule: str, employee: str | None) -> None:
        if not self.explain:
            return
        key = (rule, employee)
        if key not in self.guards:
            lit = self.model.new_bool_var(f"guard|{rule}|{employee}")
            self.guards[key] = Guard(rule, employee, lit)
        ct.only_enforce_if(self.guards[key].literal)

    # -- objective -------------------------------------------------------------------------------
    def add_penalty(
        self,
        rule: str,
        coefficient: int,
        expr: cp_model.LinearExprT,
        employee: str | None = None,
        day: int | None = None,
    ) -> None:
        if coefficient:
            self.penalties.append(Penalty(rule, coefficient, expr, employee, day))

    def objective(self) -> cp_model.LinearExprT:
        if not self.penalties:
            return 0
        return cp_model.LinearExpr.weighted_sum(
            [p.expression for p in self.penalties], [p.coefficient for p in self.penalties]
        )


_BOOLEAN = sorted_interval_list.Domain(0, 1)


def new_bool(proto) -> cp_model.IntVar:
    """A new unnamed 0-1 variable of the model whose proto this is: `new_bool_var` without a
    name, sharing one domain object rather than making one per variable (a third of the cost)."""
    return cp_model.IntVar(proto).with_domain(_BOOLEAN)


def total(variables: list[cp_model.IntVar]) -> cp_model.LinearExprT:
    """The sum of the variables, as one flat expression (0 for none)."""
    return cp_model.LinearExpr.sum(variables) if variables else 0
