"""The CP-SAT roster model: decision variables, and the helpers rules use to state themselves.

`RosterModel` owns one boolean per (employee, day, position) that the employee may work. Rules
(see `optimizer.rules`) add hard constraints through `require_*` helpers, which also make a rule
soft (a penalised excess) when the problem says so, or guard it with a literal when the model is
built to explain infeasibility; soft rules add `Penalty` terms.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.instance import Instance, Position
from optimizer.schema import Employee, Problem

_logger = logging.getLogger(__name__)

Key = tuple[int, int, int]
"""(employee index, day, position index)."""


@dataclass(frozen=True)
class Penalty:
    """One term of the objective: `coefficient * expression`, attributed to a rule."""

    rule: str
    coefficient: int
    expression: cp_model.LinearExprT
    employee: str | None = None
    day: int | None = None


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

    def __post_init__(self) -> None:
        self.instance = Instance(self.problem)
        self.model = cp_model.CpModel()
        self.soft_rules = set(self.problem.rules.soft_rules)
        self.positions: list[Position] = self.instance.positions
        self.employees: list[Employee] = list(self.problem.employees)
        self.num_days = self.problem.num_days
        self._by_employee_day: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = (
            defaultdict(list)
        )
        self._work: dict[tuple[int, int], cp_model.IntVar] = {}
        self._by_type: dict[tuple[int, int], dict[str, list[cp_model.IntVar]]] = {}
        self._by_day_position: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        self._who: dict[tuple[int, int], list[int]] = defaultdict(list)
        self._weekend: dict[tuple[int, int], cp_model.IntVar] = {}
        self._create_variables()

    # -- variables ------------------------------------------------------------------------------
    def _create_variables(self) -> None:
        inst = self.instance
        workable = inst.workable_positions
        for e_idx, emp in enumerate(self.employees):
            for day in range(self.num_days):
                for p_idx in workable[day]:
                    pos = self.positions[p_idx]
                    if inst.can_work(emp, day, pos):
                        var = self.model.new_bool_var(f"{emp.id}|{day}|{pos[0]}|{pos[1] or ''}")
                        self.x[e_idx, day, p_idx] = var
                        self._by_employee_day[e_idx, day].append((p_idx, var))
                        self._by_day_position[day, p_idx].append(var)
                        self._who[day, p_idx].append(e_idx)
        _logger.debug("%d assignment variables", len(self.x))

    def on_day(self, e_idx: int, day: int) -> list[tuple[int, cp_model.IntVar]]:
        """(position index, variable) pairs an employee can take on a day."""
        return self._by_employee_day.get((e_idx, day), [])

    def on_position(self, day: int, p_idx: int) -> list[cp_model.IntVar]:
        """Variables of everyone who could work position `p_idx` on `day`."""
        return self._by_day_position.get((day, p_idx), [])

    def vars_by_type(self, e_idx: int, day: int) -> dict[str, list[cp_model.IntVar]]:
        """An employee's variables on a day, grouped by shift type."""
        key = (e_idx, day)
        if key not in self._by_type:
            grouped: dict[str, list[cp_model.IntVar]] = {}
            for p_idx, var in self.on_day(e_idx, day):
                grouped.setdefault(self.positions[p_idx][0], []).append(var)
            self._by_type[key] = grouped
        return self._by_type[key]

    def employees_on_position(self, day: int, p_idx: int) -> list[int]:
        """Indices of the employees who could work position `p_idx` on `day`."""
        return self._who.get((day, p_idx), [])

    def works(self, e_idx: int, day: int) -> cp_model.LinearExprT:
        """1 if the employee works any shift that day."""
        return sum(v for _, v in self.on_day(e_idx, day))

    def work_literal(self, e_idx: int, day: int) -> cp_model.IntVar | bool:
        """A boolean that is true when the employee works that day (False if they cannot)."""
        if not 0 <= day < self.num_days:
            return False
        variables = [v for _, v in self.on_day(e_idx, day)]
        if not variables:
            return False
        if len(variables) == 1:
            return variables[0]
        key = (e_idx, day)
        if key not in self._work:
            lit = self.model.new_bool_var(f"{self.employees[e_idx].id}|{day}|works")
            self.model.add(sum(variables) == lit)
            self._work[key] = lit
        return self._work[key]

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
        return sum(v for p, v in self.on_day(e_idx, day) if self.positions[p][0] == type_id)

    def has_type(self, e_idx: int, day: int, type_id: str) -> bool:
        return any(self.positions[p][0] == type_id for p, _ in self.on_day(e_idx, day))

    def minutes(self, e_idx: int, days: list[int]) -> cp_model.LinearExprT:
        """Paid minutes an employee works on the given days."""
        types = self.instance.types
        return sum(
            types[self.positions[p][0]].duration_minutes * v
            for day in days
            for p, v in self.on_day(e_idx, day)
        )

    def max_minutes(self, e_idx: int, days: list[int]) -> int:
        types = self.instance.types
        return sum(
            max(
                (types[self.positions[p][0]].duration_minutes for p, _ in self.on_day(e_idx, d)),
                default=0,
            )
            for d in days
        )

    # -- hard rules that may be made soft ----------------------------------------------------
    def is_soft(self, rule: str) -> bool:
        return rule in self.soft_rules

    def require_at_most(
        self, rule: str, expr: cp_model.LinearExprT, bound: int, ub: int, employee: str | None
    ) -> None:
        """`expr <= bound`; soft rules pay `weights.soft_rule` per unit of excess instead.

        `ub` is an upper bound on `expr`, used to size the excess variable.
        """
        if ub <= bound:
            return
        if self.is_soft(rule):
            excess = self.model.new_int_var(0, ub - bound, f"{rule}|{employee}|excess")
            self.model.add(expr - excess <= bound)
            self._soft_penalty(rule, excess, employee)
        else:
            self._guarded(self.model.add(expr <= bound), rule, employee)

    def require_at_least(
        self, rule: str, expr: cp_model.LinearExprT, bound: int, employee: str | None
    ) -> None:
        """`expr >= bound`; soft rules pay `weights.soft_rule` per unit of shortfall instead."""
        if bound <= 0:
            return
        if self.is_soft(rule):
            short = self.model.new_int_var(0, bound, f"{rule}|{employee}|short")
            self.model.add(expr + short >= bound)
            self._soft_penalty(rule, short, employee)
        else:
            self._guarded(self.model.add(expr >= bound), rule, employee)

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
        return sum(p.coefficient * p.expression for p in self.penalties)
