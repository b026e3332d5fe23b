"""The time limit holds while the model is built and read: on a big problem that the time limit
cannot pay for, building and reading stop, and the constructed roster stands; where that is
known before building, the model is not built at all and the improvement moves use the time."""

from __future__ import annotations

import time

import pytest
from test_solver import instance

from optimizer import SolverSettings, solve, validate
from optimizer import rules as rule_registry
from optimizer import solver as solver_module
from optimizer.model import OutOfTime
from optimizer.rules import Rule, build_model
from optimizer.submodel import ModelIndex


def test_building_stops_once_its_deadline_has_passed():
    problem = instance("Instance2")
    with pytest.raises(OutOfTime):
        build_model(problem, deadline=time.monotonic() - 1)
    in_time = build_model(problem, deadline=time.monotonic() + 60)
    assert str(in_time.model.proto) == str(build_model(problem).model.proto)


def test_reading_for_sub_models_stops_once_its_deadline_has_passed():
    m = build_model(instance("Instance2"))
    decisions = [var.index for var in m.x.values()]
    with pytest.raises(OutOfTime):
        ModelIndex(m.model.proto, decisions, deadline=time.monotonic() - 1)
    index = ModelIndex(m.model.proto, decisions, deadline=time.monotonic() + 60)
    assert len(index.constraints) == len(m.model.proto.constraints)


def _solve_with_extra_rule(monkeypatch, rule: Rule, limit: float, slack: float):
    """Solve Instance8 with `rule` added to the registry; the solution, which must come within
    `slack` seconds of the limit, keep every hard rule and be the last one reported, and the
    objectives reported on the way."""
    problem = instance("Instance8")
    monkeypatch.setattr(rule_registry, "RULES", (*rule_registry.RULES, rule))
    seen = []
    started = time.monotonic()
    solution = solve(problem, SolverSettings(time_limit=limit, workers=2), on_solution=seen.append)
    assert time.monotonic() - started < limit + slack
    report = validate(problem, solution.assignments)
    assert report.hard_violations == []
    assert solution.status == "feasible"
    assert solution.objective == report.objective == seen[-1].objective
    return solution, [s.objective for s in seen]


def test_a_model_that_cannot_be_built_in_time_leaves_the_constructed_roster(monkeypatch):
    """A rule whose building outlasts the whole time limit: the solve ends near the limit
    with the roster built before the model, which keeps every hard rule."""
    slow = Rule("slow_to_build", "Slow to build", False, lambda m: time.sleep(5.0))
    _solve_with_extra_rule(monkeypatch, slow, limit=5.0, slack=2.0)


def test_a_model_too_dear_for_the_time_limit_is_not_built_and_the_moves_use_the_time(
    monkeypatch,
):
    """Where building and reading the model would take more than the time limit can spare,
    the improvement moves run until they stall or the time is up, their better rosters are
    reported on the way, and the model is never built."""
    monkeypatch.setattr(solver_module, "MODEL_SECONDS_PER_VARIABLE", 1.0)
    never = Rule("never_built", "Never built", False, lambda m: pytest.fail("model built"))
    _, objectives = _solve_with_extra_rule(monkeypatch, never, limit=5.0, slack=1.0)
    assert len(objectives) >= 2 and objectives == sorted(objectives, reverse=True)
