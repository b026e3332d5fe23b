"""Sub-models cut out of the roster model keep its meaning.

Whatever part of a roster is freed, the best roster the sub-model finds, written back into the
full value vector, must be a solution of the full model, with the objective `objective_of` says,
no worse than the roster it started from, and accepted by the independent validator.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_builders import cover, tiny_problem
from ortools.sat.python import cp_model
from test_model_validator_agree import problems

from optimizer import validate
from optimizer.rules import build_model
from optimizer.solver import roster_from_values
from optimizer.submodel import ModelIndex, objective_of


def solve_fully(model: cp_model.CpModel, seconds: float = 2) -> tuple[int, list[int]] | None:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return status, list(solver.response_proto.solution)


def full_model_accepts(model: cp_model.CpModel, values: np.ndarray) -> int | None:
    """The full model's objective with every variable fixed to `values`, None if infeasible."""
    fixed = cp_model.CpModel()
    fixed.proto.copy_from(model.proto)
    for variable, value in zip(fixed.proto.variables, values.tolist(), strict=True):
        variable.domain[0] = variable.domain[1] = value
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(fixed)
    return round(solver.objective_value) if status == cp_model.OPTIMAL else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problems(),
    st.integers(0, 2**16),
    st.floats(0.1, 1.0),
    st.sampled_from([None, 1, 2, 3]),
)
def test_a_solved_sub_model_is_a_better_or_equal_roster_of_the_full_model(
    problem, seed, share, depth
):
    """Whatever the depth of helpers freed, a sub-model's solution is one of the full model;
    with every linked helper freed, its objective is the validator's."""
    m = build_model(problem)
    decisions = [v.index for v in m.x.values()]
    rng = random.Random(seed)
    start = solve_fully(with_random_objective(m.model, decisions, rng), seconds=0.5)
    if start is None or not decisions:
        return
    index = ModelIndex(m.model.proto, decisions)
    values = complete(index, np.asarray(start[1], dtype=np.int64))
    assert validate(problem, roster_from_values(m, values)).objective == objective_of(index, values)
    free = rng.sample(decisions, max(1, int(share * len(decisions))))

    sub = index.extract(free, values, depth)
    solved = solve_fully(sub.model)
    assert solved is not None, "the incumbent itself solves the sub-model"
    merged = sub.merge(values, solved[1])

    assert full_model_accepts(m.model, merged) == objective_of(index, merged)
    assert objective_of(index, merged) <= objective_of(index, values)
    report = validate(problem, roster_from_values(m, merged))
    assert report.hard_violations == []
    if solved[0] == cp_model.OPTIMAL and depth is None:
        assert report.objective == objective_of(index, merged)


def complete(index: ModelIndex, values: np.ndarray) -> np.ndarray:
    """`values` with every helper variable at its best value for the assignments."""
    sub = index.extract(np.flatnonzero(~index.is_decision), values)
    solved = solve_fully(sub.model)
    assert solved is not None and solved[0] == cp_model.OPTIMAL
    return sub.merge(values, solved[1])


def test_freeing_everything_finds_the_full_optimum():
    problem = tiny_problem(
        days=7,
        employees=3,
        contract={"max_consecutive_days": 3, "max_minutes_per_week": 2400},
        shift_demand=[cover(day, 2) for day in range(7)],
    )
    m = build_model(problem)
    index = ModelIndex(m.model.proto, (v.index for v in m.x.values()))
    empty = np.zeros(len(m.model.proto.variables), dtype=np.int64)
    sub = index.extract([v.index for v in m.x.values()], empty)
    solved = solve_fully(sub.model)
    assert solved[0] == cp_model.OPTIMAL
    merged = sub.merge(empty, solved[1])
    full = cp_model.CpSolver()
    full.parameters.num_workers = 1
    assert full.solve(m.model) == cp_model.OPTIMAL
    assert objective_of(index, merged) == round(full.objective_value)


def test_enforced_and_negated_constraints_are_cut_correctly():
    """Constraint types the roster model may use, with enforcement and negated literals."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(6)]
    y = model.new_int_var(0, 10, "y")
    top = model.new_int_var(0, 10, "top")
    model.add_bool_and([x[0], x[1].Not()]).only_enforce_if(x[2])
    model.add_exactly_one([x[1], x[3], x[4].Not()])
    model.add_bool_or([x[0].Not(), x[5]])
    model.add_at_most_one([x[2], x[5]])
    model.add(y == 3 * x[0] + 2 * x[3] + x[5]).only_enforce_if(x[4].Not())
    model.add(y == 0).only_enforce_if(x[4])
    model.add_max_equality(top, [y, 4 * x[1], 2 + x[2]])
    model.minimize(top - 2 * x[5] + x[3])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.solve(model)
    best = round(solver.objective_value)

    index = ModelIndex(model.proto, (v.index for v in x))
    for seed in range(30):
        rng = random.Random(seed)
        start = solve_fully(with_random_objective(model, [v.index for v in x], rng))
        values = np.asarray(start[1], dtype=np.int64)
        free = rng.sample([v.index for v in x], rng.randint(1, len(x)))
        sub = index.extract(free, values)
        solved = solve_fully(sub.model)
        merged = sub.merge(values, solved[1])
        assert full_model_accepts(model, merged) == objective_of(index, merged)
        assert objective_of(index, merged) <= objective_of(index, values)
        if len(free) == len(x):
            assert objective_of(index, merged) == best


def with_random_objective(
    model: cp_model.CpModel, decisions: list[int], rng: random.Random
) -> cp_model.CpModel:
    """The same constraints with a random objective, to start from varied feasible points."""
    copy = cp_model.CpModel()
    copy.proto.copy_from(model.proto)
    copy.proto.clear_objective()
    copy.minimize(
        sum(rng.randint(-3, 3) * copy.get_bool_var_from_proto_index(i) for i in decisions)
    )
    return copy
