"""Sweep parameters and the break-even point of temporary staff against overtime."""

from __future__ import annotations

import pytest

from scenarios.run import Outcome, SweepPoint, break_even, options, with_value
from scenarios.spec import Scenario

BASE = {
    "name": "s",
    "baseline": "demo",
    "demand": [{"percent": 40, "skills": ["chat"]}, {"people": 1, "days": ["sat"]}],
    "staff": {"hires": [{"count": 3, "skills": ["chat"], "hourly_cost": 30}]},
    "rules": {"overtime_hours": 8},
}


def costing(labour: float, uncovered: float) -> Outcome:
    return Outcome.model_construct(labour_cost=labour, under_cover_person_hours=uncovered)


def point(value: float, overtime: tuple[float, float], temporary: tuple[float, float]):
    return SweepPoint.model_construct(
        value=value,
        scenario=costing(*overtime),
        overtime=costing(*overtime),
        temporary=costing(*temporary),
    )


def test_uplift_sets_every_percent_change_and_leaves_people_changes_alone():
    s = with_value(Scenario.model_validate(BASE), "uplift", 25)
    assert [c.percent for c in s.demand] == [25, None]
    assert s.demand[1].people == 1


@pytest.mark.parametrize(
    ("param", "value", "read"),
    [
        ("absence_rate", 15, lambda s: s.staff.absence_rate == pytest.approx(0.15)),
        ("overtime_hours", 4, lambda s: s.rules.overtime_hours == 4),
        ("hires", 7, lambda s: s.staff.hires[0].count == 7),
    ],
)
def test_each_sweep_parameter_changes_its_field(param, value, read):
    assert read(with_value(Scenario.model_validate(BASE), param, value))


def test_scenario_allowing_overtime_and_hires_is_also_solved_as_each_option_alone():
    found = options(Scenario.model_validate(BASE))
    assert set(found) == {"scenario", "overtime", "temporary"}
    assert found["overtime"].staff.hires == []
    assert found["temporary"].rules.overtime_hours is None
    plain = Scenario.model_validate({**BASE, "rules": {}})
    assert set(options(plain)) == {"scenario"}


def test_break_even_is_the_first_value_where_temporary_staff_is_cheaper():
    """Uncovered hours count at 60 each: at 30 overtime leaves 10 h uncovered (600)."""
    points = [
        point(10, overtime=(1000, 0), temporary=(1000, 0)),
        point(20, overtime=(1500, 2), temporary=(1700, 0)),
        point(30, overtime=(1800, 10), temporary=(2300, 0)),
        point(40, overtime=(1800, 20), temporary=(2700, 0)),
    ]
    assert break_even(points, 60) == 30
    assert break_even(points, 0) is None


def test_equal_options_are_no_break_even():
    assert break_even([point(10, (1000, 0), (999, 0))], 60) is None
