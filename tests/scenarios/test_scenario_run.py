"""Solving scenarios beside their baseline: demand-only scenarios never lower cover or cost,
minimal-change mode keeps the published roster, and every roster passes the validator."""

from __future__ import annotations

import pytest
from scenario_builders import chat_desk, expensive_roster, shop_week, write_json, write_scenario

from optimizer import Assignment, Solution, SolverSettings, validate
from scenarios.apply import scenario_problem
from scenarios.run import RunStopped, no_worse_than_kept, run_scenario, solve_scenario, sweep
from scenarios.spec import read_scenario

QUICK = SolverSettings(time_limit=2, workers=2)


@pytest.mark.parametrize(
    "change",
    [
        {"percent": 30},
        {"percent": 60, "start": "16:00", "end": "20:00"},
        {"people": 1, "days": ["tue"]},
    ],
)
def test_scenario_that_only_raises_demand_never_lowers_cover_or_cost(tmp_path, change):
    """More demand, same people and rules: met demand and labour cost do not fall."""
    path = write_scenario(tmp_path, chat_desk(), demand=[change])
    result = run_scenario(read_scenario(path), QUICK)
    before, after = result.baseline, result.scenario
    assert after.covered_person_hours >= before.covered_person_hours
    assert after.labour_cost >= before.labour_cost - 1e-6
    assert after.paid_hours >= before.paid_hours


def test_a_run_asked_to_stop_gives_no_comparison(tmp_path):
    """Half-searched rosters would mislead: a stopped run says so instead of comparing."""
    path = write_scenario(tmp_path, chat_desk(), demand=[{"percent": 30}])
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return True

    with pytest.raises(RunStopped, match="stopped"):
        run_scenario(read_scenario(path), QUICK, should_stop=should_stop)
    assert asked


def test_raised_demand_restaffs_slots_and_lowers_service_level_of_the_old_roster(tmp_path):
    """+50% load asks for more heads; the baseline roster then answers fewer in time."""
    path = write_scenario(tmp_path, chat_desk(), demand=[{"percent": 50}])
    result = run_scenario(read_scenario(path), QUICK)
    assert sum(r.required_after for r in result.slots) > sum(
        r.required_before for r in result.slots
    )
    assert result.without_extra_shifts.service_level < result.baseline.service_level
    assert result.scenario.service_level >= result.without_extra_shifts.service_level


def test_minimal_change_changes_fewer_assignments_than_a_fresh_solve(tmp_path):
    """A published roster of expensive people: a fresh solve swaps them for cheaper ones,
    minimal-change mode keeps them and only adds the extra shift."""
    roster = write_json(tmp_path / "published.json", expensive_roster())
    scenario = {"problem": "problem.json", "roster": str(roster)}
    path = write_scenario(
        tmp_path, shop_week(), demand=[{"people": 1, "days": [2]}], baseline=scenario
    )
    fresh = run_scenario(read_scenario(path), QUICK)
    minimal = read_scenario(path).model_copy(update={"mode": "minimal_change"})
    kept = run_scenario(minimal, QUICK)
    assert kept.scenario.changed_assignments < fresh.scenario.changed_assignments
    assert kept.scenario.changed_assignments == 0
    assert kept.scenario.extra_shifts == {"day": 1}


SCENARIOS = {
    "uplift with hires and overtime": {
        "demand": [{"percent": 40, "start": "16:00"}],
        "staff": {"hires": [{"count": 2, "skills": ["chat"], "hourly_cost": 30}]},
        "rules": {"overtime_hours": 8},
    },
    "event closure and catch-up": {
        "events": [
            {"name": "holiday", "dates": ["2024-01-02"], "closed": True},
            {"name": "catch-up", "dates": ["2024-01-03"], "uplift": 1.3},
        ],
        "demand": [{"event": "holiday"}, {"event": "catch-up"}],
    },
    "flu wave, minimal change": {
        "staff": {"absence_rate": 0.3, "seed": 4},
        "mode": "minimal_change",
    },
    "leave and a shorter week": {
        "staff": {"leave": [{"employee": "e0", "days": ["mon", "tue"]}]},
        "rules": {"max_hours_per_week": 16},
    },
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_roster_passes_the_independent_validator(tmp_path, name):
    """Whatever the change, the scenario's roster keeps every hard rule of its problem."""
    path = write_scenario(tmp_path, chat_desk(), **SCENARIOS[name])
    scenario = read_scenario(path)
    baseline = chat_desk()
    result = run_scenario(scenario, QUICK, baseline=baseline)
    problem, solution = solve_scenario(
        scenario, baseline, [], SolverSettings(time_limit=1, workers=2)
    )
    assert result.scenario.hard_violations == 0
    assert validate(problem, solution.assignments).hard_violations == []
    assert solution.assignments


def test_rosters_never_use_absent_people(tmp_path):
    """Absence drawn for the flu wave makes those days unavailable in the solved roster."""
    path = write_scenario(tmp_path, chat_desk(), staff={"absence_rate": 0.4, "seed": 1})
    scenario = read_scenario(path)
    problem = scenario_problem(scenario, chat_desk())
    off = {(e.id, d) for e in problem.employees for d in e.unavailable_days}
    assert off, "a 40% absence rate over 21 person-days leaves someone off"
    result = run_scenario(scenario, QUICK)
    assert result.scenario.hard_violations == 0
    assert result.without_extra_shifts.shifts < result.baseline.shifts


def test_sweep_solves_each_value_and_option_in_parallel_jobs(tmp_path):
    """Two values x (as written, overtime only, temporary only) = six solves in two processes."""
    path = write_scenario(
        tmp_path,
        chat_desk(),
        demand=[{"percent": 10, "start": "16:00"}],
        staff={"hires": [{"count": 2, "skills": ["chat"], "hourly_cost": 25}]},
        rules={"overtime_hours": 8},
    )
    result = sweep(
        read_scenario(path), "uplift", [20, 80], SolverSettings(time_limit=1, workers=1), jobs=2
    )
    assert [p.value for p in result.points] == [20, 80]
    assert result.solves == 6
    for point in result.points:
        assert point.overtime.temporary_hours == 0
        assert point.temporary.overtime_hours == 0
        for option in (point.scenario, point.overtime, point.temporary):
            assert option.hard_violations == 0
    high, low = result.points[1].scenario, result.points[0].scenario
    assert high.labour_cost >= low.labour_cost


def test_a_search_that_ends_worse_than_the_baseline_roster_keeps_the_baseline_roster():
    """An empty roster from a cut-short search loses to the roster as it is."""
    problem = shop_week()
    kept = [
        Assignment(employee=who, day=d, shift_type="day")
        for d in range(5)
        for who in ("cheap1", "cheap2")
    ]
    empty = Solution(status="feasible", assignments=[], objective=validate(problem, []).objective)
    assert no_worse_than_kept(problem, empty, kept).assignments == kept
    better = Solution(status="optimal", assignments=kept, objective=0)
    assert no_worse_than_kept(problem, better, kept[:2]) is better
