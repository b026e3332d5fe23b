"""Scenario files and the changes they make: validation messages, demand re-staffed with
Erlang C, hires, leave, absence, overtime and weekly limits, and the measures of a roster."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from scenario_builders import chat_desk, shop_week, write_scenario

from optimizer import Assignment
from scenarios.apply import change_rules, restaff, scenario_problem
from scenarios.measure import changed_assignments, extra_shifts, measure, slot_cover
from scenarios.spec import RuleChange, Scenario, read_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"


def scenario(**fields) -> Scenario:
    return Scenario.model_validate({"name": "t", "baseline": "problem.json", **fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"demand": [{"percent": 10, "start": "25:00"}]}, "start: '25:00' is not a time"),
        ({"demand": [{"percent": 10, "people": 1}]}, "one of percent, people or closed"),
        ({"demand": [{"event": "sale"}]}, "demand[0].event: unknown event 'sale'"),
        ({"demand": [{"percent": 10, "days": ["funday"]}]}, "'funday' is not a weekday name"),
        ({"demand": [{"percent": -100}]}, "greater than -100"),
        ({"staff": {"absence_rate": 1.5}}, "absence_rate"),
        ({"baseline": {"demo": {}, "problem": "p.json"}}, "exactly one"),
    ],
)
def test_bad_scenario_names_the_field_and_the_reason(fields, message):
    with pytest.raises(ValidationError) as error:
        scenario(**fields)
    assert message in str(error.value)


def test_scenario_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="a scenario is a mapping"):
        read_scenario(path)


def test_leave_for_an_unknown_employee_is_refused():
    s = scenario(staff={"leave": [{"employee": "nobody", "days": ["mon"]}]})
    with pytest.raises(ValueError, match=r"staff.leave\[0\].employee: unknown employee 'nobody'"):
        scenario_problem(s, chat_desk())


def test_baseline_path_is_resolved_next_to_the_scenario_file(tmp_path):
    path = write_scenario(tmp_path, chat_desk())
    assert read_scenario(path).baseline.problem == tmp_path / "problem.json"


def test_percent_uplift_restaffs_the_chosen_slots_with_erlang_c():
    """+50% load from 16:00 on Tuesday: those slots get the Erlang C heads of 1.5x the volume,
    every other slot keeps its heads."""
    base = chat_desk()
    changed = scenario_problem(
        scenario(demand=[{"percent": 50, "days": ["tue"], "start": "16:00"}]), base
    )
    before = {(d.day, d.start_minute): d.required for d in base.interval_demand}
    slots = {(s["day"], s["start_minute"]): s for s in base.meta["staffing"]["slots"]}
    for line in changed.interval_demand:
        key = (line.day, line.start_minute)
        if line.day == 1 and line.start_minute >= 960:
            lifted = dict(slots[key], volume=slots[key]["volume"] * 1.5)
            assert line.required == restaff([lifted], base.meta["staffing"])[0]
            assert line.required > before[key]
        else:
            assert line.required == before[key]


def test_closed_day_asks_for_nobody_and_people_change_adds_heads():
    s = scenario(demand=[{"closed": True, "days": [0]}, {"people": 2, "days": [1]}])
    changed = scenario_problem(s, chat_desk())
    base = {(d.day, d.start_minute): d.required for d in chat_desk().interval_demand}
    for line in changed.interval_demand:
        if line.day == 0:
            assert line.required == 0
        elif line.day == 1:
            assert line.required == base[line.day, line.start_minute] + 2


def test_per_shift_demand_scales_by_percent_rounding_up():
    changed = scenario_problem(scenario(demand=[{"percent": 30, "days": ["wed"]}]), shop_week())
    assert [d.required for d in changed.shift_demand] == [2, 2, 3, 2, 2]


def test_temporary_hires_get_their_own_contract_and_only_their_shift_types():
    s = scenario(
        staff={
            "hires": [
                {
                    "count": 3,
                    "skills": ["chat"],
                    "hourly_cost": 31,
                    "max_hours_per_week": 20,
                    "shift_types": ["evening"],
                    "name": "agency",
                }
            ]
        }
    )
    changed = scenario_problem(s, chat_desk())
    temps = [e for e in changed.employees if e.id.startswith("agency")]
    assert len(temps) == 3 and {e.hourly_cost for e in temps} == {31}
    contract = changed.contract_by_id()[temps[0].contract]
    assert contract.max_minutes_per_week == 1200
    assert contract.max_shifts_per_type == {"early": 0, "late": 0}


def test_absence_draw_is_reproducible_and_roughly_at_its_rate():
    s = scenario(staff={"absence_rate": 0.25, "seed": 9})
    first = scenario_problem(s, chat_desk(employees=40, days=7))
    again = scenario_problem(s, chat_desk(employees=40, days=7))
    off = [d for e in first.employees for d in e.unavailable_days]
    assert off == [d for e in again.employees for d in e.unavailable_days]
    assert 0.15 < len(off) / (40 * 7) < 0.35


def test_overtime_raises_the_weekly_limit_and_pays_overtime_from_the_old_one():
    base = chat_desk()
    changed = change_rules(base, RuleChange(overtime_hours=8))
    contract = changed.contracts[0]
    assert contract.max_minutes_per_week == 1440 + 480
    assert contract.overtime_after_minutes_per_week == 1440


def test_weekly_limit_change_applies_to_full_time_contracts():
    changed = change_rules(chat_desk(), RuleChange(max_hours_per_week=16))
    assert changed.contracts[0].max_minutes_per_week == 960


def test_labour_cost_counts_overtime_at_its_premium():
    """e0 (20/h) works four 8-hour shifts: 32 h, 24 h at 20/h plus 8 h overtime at 1.5x."""
    problem = change_rules(chat_desk(days=4), RuleChange(overtime_hours=8))
    roster = [Assignment(employee="e0", day=d, shift_type="early", skill="chat") for d in range(4)]
    measures = measure(problem, roster)
    assert measures.paid_hours == 32
    assert measures.overtime_hours == 8
    assert measures.overtime_cost == pytest.approx(8 * 20 * 0.5)
    assert measures.labour_cost == pytest.approx(32 * 20 + 8 * 20 * 0.5)


def test_slot_cover_counts_people_whose_shift_spans_the_slot():
    problem = chat_desk(days=1)
    roster = [
        Assignment(employee="e0", day=0, shift_type="early", skill="chat"),
        Assignment(employee="e1", day=0, shift_type="late", skill="chat"),
    ]
    heads = {s.start_minute: s.rostered for s in slot_cover(problem, roster)}
    assert heads == {480: 1, 600: 1, 720: 2, 840: 2, 960: 1, 1080: 1}


def test_service_level_rises_with_the_people_rostered():
    problem = chat_desk(days=1)
    few = [Assignment(employee="e0", day=0, shift_type="early", skill="chat")]
    many = few + [
        Assignment(employee=f"e{i}", day=0, shift_type="early", skill="chat") for i in range(1, 6)
    ]
    assert measure(problem, many).service_level > measure(problem, few).service_level


def test_changed_and_extra_shifts_compare_rosters_by_employee_day_and_template():
    base = [Assignment(employee="a", day=0, shift_type="early")]
    after = [
        Assignment(employee="a", day=0, shift_type="late"),
        Assignment(employee="b", day=0, shift_type="late"),
    ]
    assert changed_assignments(base, after) == 1
    assert extra_shifts(base, after) == (
        {"early": -1, "late": 2},
        {"early": {0: -1}, "late": {0: 2}},
    )


@pytest.mark.parametrize("name", sorted(p.name for p in LIBRARY.glob("*.yaml")))
def test_library_scenarios_read_and_apply_to_the_demo_week(name, demo_week):
    s = read_scenario(LIBRARY / name)
    changed = scenario_problem(s, demo_week)
    assert changed.employees and changed.interval_demand


@pytest.fixture(scope="module")
def demo_week():
    from scenarios.demo import demo_problem

    return demo_problem()


def test_event_outside_the_baseline_week_is_refused():
    s = scenario(
        events=[{"name": "sale", "dates": ["2031-05-01"], "uplift": 1.5}],
        demand=[{"event": "sale"}],
    )
    with pytest.raises(ValueError, match=r"demand\[0\].dates: none of 2031-05-01 is in the"):
        scenario_problem(s, chat_desk())


def test_leave_on_a_day_that_is_not_a_weekday_is_refused():
    s = scenario(staff={"leave": [{"employee": "e0", "days": ["someday"]}]})
    with pytest.raises(ValueError, match=r"staff.leave\[0\].days: 'someday' is not a weekday"):
        scenario_problem(s, chat_desk())


def test_demo_week_is_drawn_from_its_seed(demo_week):
    """The same seed gives the same week; the staffing model covers every demand slot."""
    from scenarios.demo import DemoSpec, demo_problem

    assert demo_problem(DemoSpec()).model_dump() == demo_week.model_dump()
    slots = {(s["day"], s["start_minute"], s["skill"]) for s in demo_week.meta["staffing"]["slots"]}
    assert {(d.day, d.start_minute, d.skill) for d in demo_week.interval_demand} <= slots
    assert len(demo_week.employees) == 50


def test_closed_slots_have_no_service_level():
    """A closure leaves nobody to answer: its slots drop out of the service-level mean."""
    changed = scenario_problem(scenario(demand=[{"closed": True, "days": [0]}]), chat_desk())
    slots = slot_cover(changed, [])
    assert all(s.service_level is None for s in slots if s.day == 0)
    assert all(s.service_level == 0.0 for s in slots if s.day == 1)
