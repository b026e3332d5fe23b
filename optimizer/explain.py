"""Explanations of infeasible problems in business terms: which rules conflict, for whom, on
which days.

Simple contradictions (a pinned shift on a day of leave) are caught before solving. Otherwise the
model is rebuilt with every hard rule of every employee guarded by a literal, solved under those
literals as assumptions, and CP-SAT's infeasible core is mapped back to rule names.
"""

from __future__ import annotations

import logging

from ortools.sat.python import cp_model

from optimizer.instance import Instance
from optimizer.schema import Conflict, Problem, SolverSettings
from optimizer.validator import LABELS

_logger = logging.getLogger(__name__)


def precheck(problem: Problem) -> list[Conflict]:
    """Contradictions visible without search: pins that no roster can hold."""
    inst = Instance(problem)
    employees = problem.employee_by_id()
    conflicts = []
    for pin in problem.pinned:
        emp = employees[pin.employee]
        if inst.touches_unavailable(emp, pin.day, pin.shift_type):
            conflicts.append(
                _pin_conflict(
                    "pinned_assignments",
                    emp.id,
                    pin.day,
                    f"{emp.label} is pinned to {pin.shift_type} on day {pin.day}, "
                    "which touches one of their days off or leave",
                )
            )
        elif pin.skill is not None and pin.skill not in emp.skills:
            conflicts.append(
                _pin_conflict(
                    "required_skill",
                    emp.id,
                    pin.day,
                    f"{emp.label} is pinned to work {pin.skill!r} on day {pin.day} without that "
                    "skill",
                )
            )
        elif inst.contract_of(emp).max_shifts_per_type.get(pin.shift_type, 1) == 0:
            conflicts.append(
                _pin_conflict(
                    "max_shifts_per_type",
                    emp.id,
                    pin.day,
                    f"{emp.label} is pinned to {pin.shift_type} on day {pin.day}, a shift type "
                    "their contract does not allow",
                )
            )
    return conflicts


def _pin_conflict(rule: str, employee: str, day: int, message: str) -> Conflict:
    return Conflict(
        rule=rule, label=LABELS[rule], employees=[employee], days=[day], message=message
    )


def explain_infeasible(problem: Problem, settings: SolverSettings) -> list[Conflict]:
    """Rules (per employee or shift) that cannot all hold together, from an infeasible core."""
    from optimizer.rules import build_model
    from optimizer.solver import configure

    m = build_model(problem, explain=True)
    guards = list(m.guards.values())
    m.model.clear_objective()
    m.model.add_assumptions([g.literal for g in guards])
    solver = cp_model.CpSolver()
    configure(solver, settings, max(5.0, settings.time_limit / 2))
    solver.parameters.num_workers = 1  # cores are reported by the single-thread search
    status = solver.solve(m.model)
    if status != cp_model.INFEASIBLE:
        _logger.warning("explanation search ended with %s", solver.status_name(status))
        return [
            Conflict(
                rule="unknown",
                label="Unknown",
                message=(
                    "no roster was found in the time limit, and no conflict between rules could be "
                    "proven; try a longer time limit"
                ),
            )
        ]
    core = {lit for lit in solver.sufficient_assumptions_for_infeasibility()}
    involved = [g for g in guards if g.literal.index in core]
    if not involved:
        return [
            Conflict(
                rule="structure",
                label="Fixed rules",
                message=(
                    "the fixed rules alone (one shift a day, days off, skills) "
                    "leave no possible roster"
                ),
            )
        ]
    return [_describe(problem, g.rule, g.employee) for g in involved]


def _describe(problem: Problem, rule: str, subject: str | None) -> Conflict:
    label = LABELS.get(rule, rule)
    employees = [subject] if subject in problem.employee_by_id() else []
    days: list[int] = []
    if subject and subject.startswith("day "):
        days = [int(subject.split()[1])]
    who = f" for {subject}" if subject else ""
    return Conflict(
        rule=rule,
        label=label,
        employees=employees,
        days=days,
        message=f"'{label}'{who} cannot hold together with the other rules listed "
        "(and the fixed rules: one shift a day, days off, skills)",
    )
