"""One test per business rule: the smallest case that breaks it, and the exact penalty the
solver pays for it, or the infeasibility it reports; the independent validator must agree."""

from __future__ import annotations

import pytest
from optimizer_builders import cover, tiny_problem

from optimizer import Assignment, SolverSettings, solve, validate
from optimizer.schema import Problem

FAST = SolverSettings(time_limit=5, workers=1)


def solved(problem: Problem):
    solution = solve(problem, FAST)
    assert solution.status == "optimal", solution.conflicts
    assert solution.hard_violations == 0
    return solution


def penalty_of(solution, rule: str) -> int:
    return sum(score.penalty for score in solution.breakdown if score.rule == rule)


def hard_rules_broken(problem: Problem, roster: list[Assignment]) -> set[str]:
    return {v.rule for v in validate(problem, roster).hard_violations}


def shift(employee: str, day: int, shift_type: str = "D", skill: str | None = None) -> Assignment:
    return Assignment(employee=employee, day=day, shift_type=shift_type, skill=skill)


# -- hard rules -----------------------------------------------------------------------------
def test_one_shift_per_day_leaves_second_shift_uncovered():
    problem = tiny_problem(
        days=1,
        employees=1,
        shift_types=[
            {"id": "E", "start_minute": 360, "duration_minutes": 240},
            {"id": "L", "start_minute": 840, "duration_minutes": 240},
        ],
        shift_demand=[cover(0, 1, "E", weight_under=10), cover(0, 1, "L", weight_under=7)],
    )
    solution = solved(problem)
    assert penalty_of(solution, "under_cover") == 7
    assert hard_rules_broken(problem, [shift("e0", 0, "E"), shift("e0", 0, "L")]) == {
        "one_shift_per_day"
    }


def test_unavailable_day_is_never_worked():
    problem = tiny_problem(days=2, employees=1, shift_demand=[cover(0, 1), cover(1, 1)])
    problem.employees[0].unavailable_days = [1]
    solution = solved(problem)
    assert [a.day for a in solution.assignments] == [0]
    assert penalty_of(solution, "under_cover") == 100
    assert hard_rules_broken(problem, [shift("e0", 1)]) == {"unavailable_days"}


def test_night_shift_running_into_a_day_off_is_forbidden():
    night = [{"id": "N", "start_minute": 1320, "duration_minutes": 480}]
    problem = tiny_problem(days=2, employees=1, shift_types=night, shift_demand=[cover(0, 1, "N")])
    problem.employees[0].unavailable_days = [1]
    assert solved(problem).assignments == []
    assert hard_rules_broken(problem, [shift("e0", 0, "N")]) == {"unavailable_days"}


def test_required_skill_only_skilled_people_count():
    problem = tiny_problem(
        days=1, employees=2, shift_demand=[cover(0, 2, skill="chat", weight_under=30)]
    )
    problem.employees[0].skills = ["chat"]
    solution = solved(problem)
    assert [(a.employee, a.skill) for a in solution.assignments] == [("e0", "chat")]
    assert penalty_of(solution, "under_cover") == 30
    assert hard_rules_broken(problem, [shift("e1", 0, skill="chat")]) == {"required_skill"}


def test_pinned_assignment_stays_even_when_it_costs():
    problem = tiny_problem(
        days=1,
        employees=1,
        shift_demand=[cover(0, 0, weight_over=9)],
        pinned=[{"employee": "e0", "day": 0, "shift_type": "D"}],
    )
    solution = solved(problem)
    assert [a.day for a in solution.assignments] == [0]
    assert penalty_of(solution, "over_cover") == 9
    assert hard_rules_broken(problem, []) == {"pinned_assignments"}


def test_pin_on_a_day_of_leave_is_explained_as_a_conflict():
    problem = tiny_problem(
        days=2, employees=1, pinned=[{"employee": "e0", "day": 1, "shift_type": "D"}]
    )
    problem.employees[0].unavailable_days = [1]
    solution = solve(problem, FAST)
    assert solution.status == "infeasible"
    assert solution.conflicts[0].rule == "pinned_assignments"
    assert solution.conflicts[0].employees == ["e0"] and solution.conflicts[0].days == [1]


def test_cover_bounds_minimum_that_nobody_can_meet_is_infeasible_and_explained():
    problem = tiny_problem(days=1, employees=1, shift_demand=[cover(0, 2, minimum=2)])
    solution = solve(problem, FAST)
    assert solution.status == "infeasible"
    assert {c.rule for c in solution.conflicts} == {"cover_bounds"}
    assert solution.conflicts[0].days == [0]


def test_cover_bounds_maximum_caps_people():
    problem = tiny_problem(days=1, employees=3, shift_demand=[cover(0, 3, maximum=1)])
    solution = solved(problem)
    assert len(solution.assignments) == 1
    assert penalty_of(solution, "under_cover") == 200
    roster = [shift("e0", 0), shift("e1", 0)]
    assert hard_rules_broken(problem, roster) == {"cover_bounds"}


def test_forbidden_succession_late_then_early():
    types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},
        {"id": "L", "start_minute": 840, "duration_minutes": 480, "cannot_be_followed_by": ["E"]},
    ]
    problem = tiny_problem(
        days=2,
        employees=1,
        shift_types=types,
        shift_demand=[cover(0, 1, "L", weight_under=5), cover(1, 1, "E", weight_under=3)],
    )
    solution = solved(problem)
    assert penalty_of(solution, "under_cover") == 3
    assert hard_rules_broken(problem, [shift("e0", 0, "L"), shift("e0", 1, "E")]) == {
        "forbidden_successions"
    }


def test_min_rest_between_late_and_early():
    types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},  # 06:00-14:00
        {"id": "L", "start_minute": 840, "duration_minutes": 480},  # 14:00-22:00
    ]
    problem = tiny_problem(
        days=2,
        employees=1,
        shift_types=types,
        contract={"min_rest_minutes": 660},  # 8 h rest < 11 h
        shift_demand=[cover(0, 1, "L", weight_under=5), cover(1, 1, "E", weight_under=3)],
    )
    solution = solved(problem)
    assert penalty_of(solution, "under_cover") == 3
    assert hard_rules_broken(problem, [shift("e0", 0, "L"), shift("e0", 1, "E")]) == {"min_rest"}


def test_max_shifts_per_type():
    problem = tiny_problem(
        days=3,
        employees=1,
        contract={"max_shifts_per_type": {"D": 2}},
        shift_demand=[cover(d, 1) for d in range(3)],
    )
    assert penalty_of(solved(problem), "under_cover") == 100
    assert hard_rules_broken(problem, [shift("e0", d) for d in range(3)]) == {"max_shifts_per_type"}


def test_max_hours_a_week_is_one_line_of_config():
    problem = tiny_problem(
        days=7,
        employees=1,
        contract={"max_hours_per_week": 40},
        shift_demand=[cover(d, 1) for d in range(7)],
    )
    assert problem.contracts[0].max_minutes_per_week == 2400
    assert penalty_of(solved(problem), "under_cover") == 200  # 5 x 8 h worked, 2 missing
    assert hard_rules_broken(problem, [shift("e0", d) for d in range(6)]) == {
        "max_minutes_per_week"
    }


def test_min_hours_a_week_forces_work_even_without_demand():
    problem = tiny_problem(
        days=7,
        employees=1,
        contract={"min_minutes_per_week": 960},
        shift_demand=[cover(d, 0, weight_over=4) for d in range(7)],
    )
    assert penalty_of(solved(problem), "over_cover") == 8
    assert hard_rules_broken(problem, [shift("e0", 0)]) == {"min_minutes_per_week"}


def test_max_total_minutes_over_the_horizon():
    problem = tiny_problem(
        days=3,
        employees=1,
        contract={"max_minutes_total": 960},
        shift_demand=[cover(d, 1) for d in range(3)],
    )
    assert penalty_of(solved(problem), "under_cover") == 100
    assert hard_rules_broken(problem, [shift("e0", d) for d in range(3)]) == {"max_minutes_total"}


def test_min_total_minutes_over_the_horizon():
    problem = tiny_problem(
        days=3,
        employees=1,
        contract={"min_minutes_total": 960},
        shift_demand=[cover(d, 0, weight_over=2) for d in range(3)],
    )
    assert penalty_of(solved(problem), "over_cover") == 4
    assert hard_rules_broken(problem, [shift("e0", 0)]) == {"min_minutes_total"}


def test_max_consecutive_days():
    problem = tiny_problem(
        days=4,
        employees=1,
        contract={"max_consecutive_days": 3},
        shift_demand=[cover(d, 1) for d in range(4)],
    )
    assert penalty_of(solved(problem), "under_cover") == 100
    assert hard_rules_broken(problem, [shift("e0", d) for d in range(4)]) == {
        "max_consecutive_days"
    }


def test_min_consecutive_days_with_edge_exemption():
    # Demand only on day 2 of 5: a lone working day inside the horizon breaks "at least 2".
    problem = tiny_problem(
        days=5,
        employees=1,
        contract={"min_consecutive_days": 2},
        shift_demand=[
            cover(2, 1, weight_under=50),
            *(cover(d, 0, weight_over=20) for d in (0, 1, 3, 4)),
        ],
    )
    solution = solved(problem)
    assert penalty_of(solution, "under_cover") + penalty_of(solution, "over_cover") == 20
    assert hard_rules_broken(problem, [shift("e0", 2)]) == {"min_consecutive_days"}
    assert hard_rules_broken(problem, [shift("e0", 0)]) == set()  # touches the first day


def test_min_consecutive_days_off():
    problem = tiny_problem(
        days=5,
        employees=1,
        contract={"min_consecutive_days_off": 2},
        shift_demand=[cover(d, 1, weight_under=10) for d in range(5)],
    )
    problem.shift_demand[2].required = 0
    solution = solved(problem)
    assert penalty_of(solution, "under_cover") == 10  # a lone day off costs one more day
    assert hard_rules_broken(problem, [shift("e0", d) for d in (0, 1, 3, 4)]) == {
        "min_consecutive_days_off"
    }


def test_max_weekends():
    problem = tiny_problem(
        days=14, employees=1, contract={"max_weekends": 1}, shift_demand=[cover(5, 1), cover(12, 1)]
    )
    assert penalty_of(solved(problem), "under_cover") == 100
    assert hard_rules_broken(problem, [shift("e0", 5), shift("e0", 12)]) == {"max_weekends"}


def test_a_hard_rule_made_soft_costs_its_excess():
    problem = tiny_problem(
        days=7,
        employees=1,
        contract={"max_minutes_per_week": 2400},
        shift_demand=[cover(d, 1, weight_under=1000) for d in range(7)],
        rules={"soft_rules": ["max_minutes_per_week"], "weights": {"soft_rule": 1}},
    )
    solution = solved(problem)
    assert len(solution.assignments) == 7
    assert penalty_of(solution, "max_minutes_per_week") == 960  # 16 h over, 1 a minute
    assert solution.objective == 960


# -- soft rules -----------------------------------------------------------------------------
def test_under_and_over_cover_default_weights():
    problem = tiny_problem(
        days=1,
        employees=3,
        contract={"min_minutes_total": 480},
        shift_demand=[cover(0, 2)],
        rules={"weights": {"over_cover": 13}},
    )
    assert solved(problem).objective == 13  # three must work, two wanted


def test_interval_cover_counts_people_whose_shift_spans_the_interval():
    types = [
        {"id": "early", "start_minute": 480, "duration_minutes": 480},  # 08-16
        {"id": "late", "start_minute": 840, "duration_minutes": 480},  # 14-22
    ]
    problem = tiny_problem(
        days=1,
        employees=1,
        shift_types=types,
        interval_demand=[
            {"day": 0, "start_minute": 900, "required": 1, "weight_under": 5},  # 15:00
            {"day": 0, "start_minute": 1230, "required": 1, "weight_under": 4},  # 20:30
        ],
    )
    solution = solved(problem)
    assert [a.shift_type for a in solution.assignments] == ["late"]
    assert penalty_of(solution, "interval_under_cover") == 0
    report = validate(problem, [shift("e0", 0, "early")])
    assert report.objective == 4


@pytest.mark.parametrize(("kind", "worked", "penalty"), [("want", False, 6), ("avoid", True, 6)])
def test_preference_penalty_scales_with_priority(kind, worked, penalty):
    problem = tiny_problem(
        days=1, employees=1, preferences=[{"employee": "e0", "day": 0, "kind": kind, "weight": 4}]
    )
    problem.employees[0].priority = 1.5
    roster = [shift("e0", 0)] if worked else []
    assert validate(problem, roster).objective == penalty
    assert solved(problem).objective == 0


def test_high_performer_wins_a_contested_shift():
    problem = tiny_problem(
        days=1,
        employees=2,
        shift_demand=[cover(0, 1, maximum=1)],
        preferences=[
            {"employee": "e0", "day": 0, "kind": "want", "weight": 10},
            {"employee": "e1", "day": 0, "kind": "want", "weight": 10},
        ],
    )
    problem.employees[1].priority = 1.2
    solution = solved(problem)
    assert [a.employee for a in solution.assignments] == ["e1"]
    assert penalty_of(solution, "preferences") == 10


def test_per_minute_preferences_count_minutes_on_the_date():
    night = [{"id": "N", "start_minute": 1320, "duration_minutes": 480}]  # 22:00-06:00
    problem = tiny_problem(
        days=2,
        employees=1,
        shift_types=night,
        preferences=[
            {"employee": "e0", "day": 1, "kind": "avoid", "weight": 1, "per_minute": True}
        ],
    )
    assert validate(problem, [shift("e0", 0, "N")]).objective == 360
    problem.preferences[0].kind = "want"
    assert validate(problem, [shift("e0", 0, "N")]).objective == -360
    assert solved(problem).objective == -480  # both nights touch day 1: 360 + 120


def test_fair_hours_spread_within_a_contract():
    problem = tiny_problem(
        days=2,
        employees=2,
        shift_demand=[cover(0, 1), cover(1, 1)],
        rules={"weights": {"fair_hours": 3}},
    )
    solution = solved(problem)
    assert solution.objective == 0
    assert validate(problem, [shift("e0", 0), shift("e0", 1)]).objective == 3 * 16


def test_fair_weekends_and_unpopular_shifts():
    types = [{"id": "N", "start_minute": 1320, "duration_minutes": 480, "unpopular": True}]
    problem = tiny_problem(
        days=7,
        employees=2,
        shift_types=types,
        rules={"weights": {"fair_weekends": 5, "fair_unpopular": 2}},
    )
    roster = [shift("e0", 5, "N")]
    assert validate(problem, roster).objective == 5 + 2


def test_balanced_shift_counts_is_the_sum_of_squares():
    problem = tiny_problem(
        days=4,
        employees=2,
        shift_demand=[cover(d, 1) for d in range(4)],
        rules={"weights": {"balanced_shifts": 1}},
    )
    solution = solved(problem)
    assert solution.objective == 2 * 2 + 2 * 2
    assert validate(problem, [shift("e0", d) for d in range(4)]).objective == 16


def test_labour_cost_and_overtime_premium():
    problem = tiny_problem(
        days=7,
        employees=1,
        contract={"overtime_after_minutes_per_week": 960, "overtime_rate": 1.5},
        rules={"weights": {"labour_cost": 1}},
    )
    problem.employees[0].hourly_cost = 20.0
    roster = [shift("e0", d) for d in range(3)]  # 24 h, 8 h of it overtime
    report = validate(problem, roster)
    by_rule = {s.rule: s.penalty for s in report.breakdown}
    assert by_rule == {"labour_cost": 3 * 160, "overtime": 32 * 3}  # 32 quarters at 2.5 -> 3
    assert solved(problem).objective == 0


def test_a_critical_slot_gets_a_reliable_person():
    problem = tiny_problem(
        days=1,
        employees=2,
        shift_demand=[cover(0, 1, maximum=1, min_reliable=1)],
        rules={"weights": {"reliable_cover": 40}},
    )
    problem.employees[0].reliability = 0.6
    problem.employees[1].reliability = 0.95
    solution = solved(problem)
    assert [a.employee for a in solution.assignments] == ["e1"]
    assert validate(problem, [shift("e0", 0)]).objective == 40
    problem.employees[1].reliability = None  # no attendance data: not counted as reliable
    assert validate(problem, [shift("e1", 0)]).objective == 40
