"""The roster optimizer: problem schema, business rules on OR-Tools CP-SAT, solving, validation.

from optimizer import Problem, SolverSettings, solve, validate
solution = solve(problem, SolverSettings(time_limit=30))
report = validate(problem, solution.assignments)   # independent of the solver
"""

from optimizer.schema import (
    Assignment,
    Contract,
    Employee,
    IntervalDemand,
    Preference,
    Problem,
    Rules,
    ShiftDemand,
    ShiftType,
    Solution,
    SolverSettings,
    Weights,
)
from optimizer.solver import solve
from optimizer.validator import ValidationReport, Violation, validate

__all__ = [
    "Assignment",
    "Contract",
    "Employee",
    "IntervalDemand",
    "Preference",
    "Problem",
    "Rules",
    "ShiftDemand",
    "ShiftType",
    "Solution",
    "SolverSettings",
    "ValidationReport",
    "Violation",
    "Weights",
    "solve",
    "validate",
]
