"""Branch and price: it finds and proves the optimum that CP-SAT proves, never cuts off a
better roster, restores the pricing models, and runs only where the master prices everything."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_builders import cover, tiny_problem
from test_colgen import cp_sat_optimum, nurse_problem, ward_problem
from test_model_validator_agree import problems

from optimizer import SolverSettings, solve, validate
from optimizer.branching import MASTER_RULES, BranchAndPrice, close_gap, worth_searching
from optimizer.colgen import COVER_AND_GROUP_RULES, ColumnResult, generate_columns, roster_of
from optimizer.lns import improve as lns_improve
from optimizer.model import RosterModel
from optimizer.rules import build_model
from optimizer.schema import Problem
from optimizer.solver import Incumbent, _Reporter, _StopWatcher

SETTINGS = SolverSettings(time_limit=10, workers=2)


def priced(problem: Problem, seconds: float = 5.0) -> tuple[RosterModel, ColumnResult]:
    m = build_model(problem)
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = generate_columns(m, SETTINGS, time.monotonic() + seconds, _StopWatcher(None), pool)
    return m, result


def branch_and_price(result: ColumnResult, incumbent_cost: int, seconds: float):
    with ThreadPoolExecutor(max_workers=2) as pool:
        search = BranchAndPrice(result, incumbent_cost, SETTINGS, _StopWatcher(None), pool)
        return search.run(time.monotonic() + seconds)


def reporter_for(problem: Problem, m: RosterModel) -> _Reporter:
    reporter = _Reporter(problem, time.monotonic(), None)
    reporter.m = m
    return reporter


def master_prices_everything(m: RosterModel) -> bool:
    return not any(p.rule in COVER_AND_GROUP_RULES - MASTER_RULES for p in m.penalties)


@st.composite
def wards(draw) -> Problem:
    """Small wards shaped like the benchmark's: early and late shifts, cover short at 100 a
    person, wishes, runs, days off and weekends limited (gaps between LP and roster are
    common there, so the search branches)."""
    days = draw(st.sampled_from([7, 14]))
    shift_types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},
        {"id": "L", "start_minute": 840, "duration_minutes": 480, "cannot_be_followed_by": ["E"]},
    ]
    demand = [
        cover(d, draw(st.integers(0, 3)), t, weight_under=100, weight_over=1)
        for d in range(days)
        for t in ("E", "L")
    ]
    employees = draw(st.integers(3, 6))
    wishes = [
        {
            "employee": f"e{draw(st.integers(0, employees - 1))}",
            "day": draw(st.integers(0, days - 1)),
            "shift_type": draw(st.sampled_from([None, "E", "L"])),
            "kind": draw(st.sampled_from(["want", "avoid"])),
            "weight": draw(st.integers(1, 5)),
        }
        for _ in range(draw(st.integers(0, 2 * employees)))
    ]
    contract = {
        "max_consecutive_days": draw(st.integers(3, 5)),
        "min_consecutive_days_off": draw(st.integers(1, 2)),
        "max_weekends": draw(st.integers(1, 2)),
        "max_minutes_total": 480 * draw(st.integers(days // 2, days - 1)),
    }
    return tiny_problem(
        days=days,
        employees=employees,
        shift_types=shift_types,
        contract=contract,
        shift_demand=demand,
        preferences=wishes,
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(wards(), problems()))
def test_a_searched_tree_holds_the_cp_sat_optimum_and_nothing_below_it(problem):
    reference = solve(problem, SolverSettings(time_limit=5, workers=2, strategy="cp-sat"))
    if reference.status != "optimal":
        return
    m, result = priced(problem, 3)
    if result.master is None or not master_prices_everything(m):
        return
    # Asked to beat a roster one point above the optimum, the search must find the optimum.
    search = branch_and_price(result, reference.objective + 1, 10)
    if search.best is not None:
        report = validate(problem, roster_of(m, search.best))
        assert report.hard_violations == []
        assert report.objective == search.best_cost >= reference.objective
    if search.complete:
        assert search.best is not None
        assert search.best_cost == reference.objective


def test_the_search_proves_a_ward_optimum_within_cp_sats_bounds_and_restores_pricing():
    problem = ward_problem()  # eight people, two weeks: CP-SAT leaves a gap in 10 s
    reference = solve(problem, SolverSettings(time_limit=10, workers=2, strategy="cp-sat"))
    m, result = priced(problem)
    before = pricing_domains(result)
    search = branch_and_price(result, reference.objective + 50, 60)
    assert search.complete
    assert reference.best_bound <= search.best_cost <= reference.objective
    assert validate(problem, roster_of(m, search.best)).objective == search.best_cost
    assert pricing_domains(result)[: len(before)] == before  # every decision undone


def pricing_domains(result: ColumnResult) -> list[list[int]]:
    return [list(v.domain) for p in result.pricings for v in p.model.model.proto.variables]


def test_a_search_out_of_time_claims_nothing():
    _, result = priced(nurse_problem())
    search = branch_and_price(result, 10**6, -1)
    assert search.nodes == 0
    assert not search.complete
    assert search.best is None


def test_close_gap_reports_a_proven_optimum_as_the_full_models_roster():
    problem = nurse_problem()
    optimum = cp_sat_optimum(problem)
    m, result = priced(problem)
    poor = solve(problem, SolverSettings(time_limit=1, workers=1, strategy="lns"))
    values = [0] * len(m.model.proto.variables)
    worked = {(a.employee, a.day, a.shift_type) for a in poor.assignments}
    for (e, day, p_idx), var in m.x.items():
        values[var.index] = int((m.employees[e].id, day, m.positions[p_idx][0]) in worked)
    reporter = reporter_for(problem, m)
    incumbent = Incumbent(values, poor.objective + 50, None)
    found, proven = close_gap(
        m, result, incumbent, SETTINGS, time.monotonic() + 30, _StopWatcher(None), reporter
    )
    assert proven
    assert found.objective == found.bound == optimum


def test_the_search_runs_only_where_the_master_prices_every_term():
    problem = ward_problem()
    m, result = priced(problem)
    above = Incumbent([], 10**6, None)
    assert worth_searching(m, result, above)
    assert not worth_searching(m, result, Incumbent([], int(result.bound), None))  # no gap
    fair = problem.model_copy(
        update={"rules": problem.rules.model_copy(update={"weights": fairer(problem)})}
    )
    m_fair, result_fair = priced(fair)
    assert not worth_searching(m_fair, result_fair, above)


def fairer(problem: Problem):
    return problem.rules.weights.model_copy(update={"fair_hours": 5})


def test_lns_returns_at_once_when_its_start_is_proven_optimal():
    # the stall itself is tested in test_lns_start_and_stall.py: here no step runs at all
    problem = nurse_problem()
    m = build_model(problem)
    settings_ = SolverSettings(time_limit=30, workers=2, strategy="lns")
    started = time.monotonic()
    status, incumbent = lns_improve(
        m, settings_, started, reporter_for(problem, m), _StopWatcher(None)
    )
    assert status == "optimal"
    assert incumbent is not None
    assert incumbent.objective == incumbent.bound
    assert time.monotonic() - started < settings_.time_limit / 2


def test_a_stall_after_branch_and_prices_time_leaves_the_rest_to_lns(monkeypatch):
    """LNS that stalls once branch and price's share has passed hands the time left back to
    LNS, instead of ending the search early."""
    from optimizer import branching, colgen

    problem = ward_problem()
    m, result = priced(problem)
    settings = SolverSettings(time_limit=10, workers=2)
    started = time.monotonic() - 9.5  # past the start of the last FINAL_LNS_SHARE
    stalls = []

    def lns_run(m, settings, started, reporter, stop, start=None, stall=None, guide=None):
        stalls.append(stall)
        assert guide is not None and len(guide) == len(m.model.proto.variables)
        return "feasible", start

    def no_branching(*args, **kwargs):
        raise AssertionError("branch and price has no time left")

    monkeypatch.setattr(colgen.lns, "improve", lns_run)
    monkeypatch.setattr(branching, "close_gap", no_branching)
    incumbent = Incumbent([], 10**6, None)
    stop = _StopWatcher(None)
    reporter = reporter_for(problem, m)
    status, found = colgen._polish(m, result, settings, started, reporter, stop, incumbent)
    assert stalls == [colgen.STALL_SHARE * settings.time_limit, None]
    assert (status, found) == ("feasible", incumbent)
