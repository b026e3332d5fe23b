"""LNS neighbourhoods aimed at shifts left short: which shifts are short, who could work them,
the weekends worked in part, where a roster departs from the LP's, the cells "cover",
"able", "split" and "guided" steps free, and the steps that plan the people on half weekends
again whole: what they free, when they run, and that a stuck search takes their roster."""

from __future__ import annotations

import logging
import random

import numpy as np
from optimizer_builders import cover, run_lns, tiny_problem

from optimizer import lns
from optimizer.lns import (
    Departures,
    HalfWeekendReplan,
    Neighbourhood,
    NeighbourhoodPicker,
    ShortShifts,
    SplitWeekends,
)
from optimizer.rules import build_model
from optimizer.solver import Incumbent, roster_from_values
from optimizer.validator import validate


def short_problem():
    """Five people over two weeks; e4 is on leave on day 3, e3 may not work late shifts."""
    shift_types = [
        {"id": "E", "start_minute": 360, "duration_minutes": 480},
        {"id": "L", "start_minute": 840, "duration_minutes": 480},
    ]
    problem = tiny_problem(
        days=14,
        employees=5,
        shift_types=shift_types,
        shift_demand=[cover(3, 2, "L"), cover(5, 1, "E"), cover(8, 0, "E")],
    )
    employees = [
        e.model_copy(update={"unavailable_days": [3]}) if e.id == "e4" else e
        for e in problem.employees
    ]
    contracts = [
        problem.contracts[0],
        problem.contracts[0].model_copy(update={"id": "no-late", "max_shifts_per_type": {"L": 0}}),
    ]
    employees[3] = employees[3].model_copy(update={"contract": "no-late"})
    return problem.model_copy(update={"employees": employees, "contracts": contracts})


def values_with(m, worked: list[tuple[int, int, str]]) -> np.ndarray:
    values = np.zeros(len(m.model.proto.variables), dtype=np.int64)
    for e_idx, day, type_id in worked:
        (p_idx,) = [p for p, _ in m.positions_of_type(type_id)]
        values[m.x[e_idx, day, p_idx].index] = 1
    return values


def test_short_shifts_are_the_lines_below_requirement_with_who_could_work_them():
    m = build_model(short_problem())
    shortage = ShortShifts(m)
    # One person on the late shift of day 3 (two needed), one on the early shift of day 5.
    values = values_with(m, [(0, 3, "L"), (1, 5, "E")])
    assert shortage.short_shifts(values) == [(3, [0, 1, 2])]
    values = values_with(m, [(0, 3, "L"), (1, 3, "L")])
    assert shortage.short_shifts(values) == [(5, [0, 1, 2, 3, 4])]


def picker_short_on_day_3(kind: str, size: int) -> NeighbourhoodPicker:
    """A picker whose roster leaves a shift on day 3 short (people 0-2 could work it), the step
    size of `kind` set to `size`."""
    picker = NeighbourhoodPicker(build_model(short_problem()), random.Random(3))
    picker.short_shifts = [(3, [0, 1, 2])]
    picker.size[kind] = size
    return picker


def test_a_cover_step_frees_people_able_to_work_the_short_shift_around_its_day():
    picker = picker_short_on_day_3("cover", 3 * 7)
    for _ in range(20):
        hood = picker._cover()
        days = {d for _, d in hood.cells}
        people = {e for e, _ in hood.cells}
        assert 3 in days and len(days) in (7, 14)
        assert hood.cells == {(e, d) for e in people for d in days}
        # At least two thirds of the people the size allows (at least one) could work it.
        allowed = max(2, 21 // len(days))
        assert len(people) == allowed
        assert len(people & {0, 1, 2}) >= max(1, 2 * allowed // 3)


def test_an_able_step_frees_everyone_able_to_work_the_short_shift_for_the_days_its_size_allows():
    picker = picker_short_on_day_3("able", 3 * 5)
    for _ in range(20):
        hood = picker._able()
        days = sorted({d for _, d in hood.cells})
        assert {e for e, _ in hood.cells} == {0, 1, 2}
        assert 3 in days and days == list(range(days[0], days[0] + 5))
    picker.size["able"] = 10_000
    assert len({d for _, d in picker._able().cells}) == 14


def test_whole_schedules_are_freed_only_where_two_of_them_make_a_small_model():
    narrow = build_model(tiny_problem(days=84, employees=3))
    assert NeighbourhoodPicker(narrow, random.Random(0)).score["employees"] > 0
    many_types = [{"id": f"T{i}", "start_minute": 360, "duration_minutes": 480} for i in range(30)]
    wide = build_model(tiny_problem(days=84, employees=3, shift_types=many_types))
    assert 2 * len(wide.x) / 3 > lns.EMPLOYEES_MAX_VARIABLES
    assert NeighbourhoodPicker(wide, random.Random(0)).score["employees"] == 0


def weekend_problem(max_weekends: int | None = 1):
    """Four people over two weeks (weekends on days 5-6 and 12-13); e3 is on leave on day 6."""
    problem = tiny_problem(
        days=14,
        employees=4,
        contract={"max_weekends": max_weekends},
        shift_demand=[cover(day, 2) for day in range(14)],
    )
    employees = [
        e.model_copy(update={"unavailable_days": [6]}) if e.id == "e3" else e
        for e in problem.employees
    ]
    return problem.model_copy(update={"employees": employees})


def test_split_weekends_are_the_capped_weekends_worked_in_part_by_people_free_for_all_of_it():
    m = build_model(weekend_problem())
    split = SplitWeekends(m, lns._variables_by_cell(m))
    # e0 works Saturday 5 only, e1 the whole first weekend, e2 Sunday 13 only, and e3 Saturday
    # 5 only, being on leave on Sunday 6.
    worked = [(0, 5, "D"), (1, 5, "D"), (1, 6, "D"), (2, 13, "D"), (3, 5, "D")]
    assert split.split(values_with(m, worked)) == [([5, 6], [0]), ([12, 13], [2])]
    assert split.weekend_day == {5, 6, 12, 13}
    uncapped = build_model(weekend_problem(max_weekends=None))
    assert (
        SplitWeekends(uncapped, lns._variables_by_cell(uncapped)).split(
            values_with(uncapped, worked)
        )
        == []
    )


def test_a_split_step_frees_the_days_around_split_weekends_and_the_short_shift():
    m = build_model(weekend_problem())
    picker = NeighbourhoodPicker(m, random.Random(1))
    picker.split_weekends = [([5, 6], [0]), ([12, 13], [2])]
    picker.short_weekend_shifts = [(12, [1, 3])]
    picker.size["split"] = 4 * 8
    for _ in range(20):
        hood = picker._split()
        days = {d for _, d in hood.cells}
        people = {e for e, _ in hood.cells}
        # The weekends of the window with a day either side; the short shift's day is one.
        assert days in ({11, 12, 13}, {4, 5, 6, 7, 11, 12, 13})
        assert hood.cells == {(e, d) for e in people for d in days}
        assert people & {1, 3}
        if 5 in days:
            assert {0, 2} <= people
        else:
            assert 2 in people


def test_people_with_room_could_work_one_more_shift_within_their_maximum_minutes():
    problem = weekend_problem()
    contract = problem.contracts[0].model_copy(update={"max_minutes_total": 3 * 480})
    m = build_model(problem.model_copy(update={"contracts": [contract]}))
    split = SplitWeekends(m, lns._variables_by_cell(m))
    worked = [(0, 0, "D"), (0, 1, "D"), (0, 2, "D"), (1, 0, "D"), (1, 1, "D")]
    assert split.with_room(values_with(m, worked)) == [1, 2, 3]


def test_people_with_room_could_take_a_longer_shift_in_place_of_a_shorter_one():
    short = {"id": "D", "start_minute": 480, "duration_minutes": 480}
    long = {"id": "L", "start_minute": 480, "duration_minutes": 600}
    problem = tiny_problem(days=7, employees=3, shift_types=[short, long])
    contract = problem.contracts[0].model_copy(update={"max_minutes_total": 3 * 480 + 120})
    m = build_model(problem.model_copy(update={"contracts": [contract]}))
    split = SplitWeekends(m, lns._variables_by_cell(m))
    # e0 has 120 minutes to spare: one of its 480-minute shifts could be a 600-minute one.
    # e1 has none left, e2 has 480 left (one more shift).
    worked = [(0, 0, "D"), (0, 1, "D"), (0, 2, "D"), (1, 0, "D"), (1, 1, "D"), (1, 2, "L")]
    worked += [(2, 0, "D"), (2, 1, "L")]
    assert split.with_room(values_with(m, worked)) == [0, 2]
    assert lns._smallest_step([480, 600, 720, 480]) == 120
    assert lns._smallest_step([480]) == 480


def test_a_split_step_frees_people_with_room_over_its_whole_window():
    m = build_model(weekend_problem())
    picker = NeighbourhoodPicker(m, random.Random(2))
    picker.split_weekends = [([5, 6], [0])]
    picker.short_weekend_shifts = [(5, [1])]
    picker.with_room = [3]
    picker.size["split"] = 3 * 4
    windows = 0
    for _ in range(20):
        cells = picker._split().cells
        days = {d for e, d in cells if e == 3}
        # e3 is freed over the whole two weeks unless drawn as one of the three colleagues.
        assert days in (set(range(14)), {4, 5, 6, 7})
        windows += len(days) == 14
        assert {d for e, d in cells if e != 3} == {4, 5, 6, 7}
    assert windows


def test_departures_are_how_far_each_cell_of_a_roster_is_from_the_lp_roster():
    m = build_model(short_problem())
    cells = lns._variables_by_cell(m)
    guide = np.zeros(len(m.model.proto.variables))
    (late,) = [p for p, _ in m.positions_of_type("L")]
    (early,) = [p for p, _ in m.positions_of_type("E")]
    guide[m.x[0, 3, late].index] = 0.5
    guide[m.x[1, 3, late].index] = 0.5
    guide[m.x[1, 5, early].index] = 1.0
    # e0 works the late shift of day 3 as half the LP does; e1 the early shift of day 3
    # where the LP has half a late one, and not the early one of day 5 the LP has whole.
    departures = Departures(m, cells, guide).of(values_with(m, [(0, 3, "L"), (1, 3, "E")]))
    expected = np.zeros((5, 14))
    expected[0, 3], expected[1, 3], expected[1, 5] = 0.5, 1.5, 1.0
    assert np.allclose(departures, expected)


def test_a_guided_step_frees_a_block_around_a_departure_for_the_people_departing_most():
    picker = NeighbourhoodPicker(build_model(short_problem()), random.Random(5))
    departures = np.zeros((5, 14))
    # Only e0 and e2 depart (people without departures would be taken highest index first).
    departures[2, 3], departures[0, 3] = 1.0, 0.5
    picker.departures = departures
    picker.size["guided"] = 2 * 7
    for _ in range(20):
        hood = picker._guided()
        days = sorted({d for _, d in hood.cells})
        assert {e for e, _ in hood.cells} == {0, 2}
        assert len(days) in (7, 14) and days == list(range(days[0], days[0] + len(days)))
        assert 3 in days
    picker.departures = np.zeros((5, 14))
    assert "guided" not in {picker.pick().name for _ in range(50)}


def test_half_weekend_steps_free_the_whole_horizon_of_the_people_on_half_weekends():
    m = build_model(weekend_problem())
    cells = lns._variables_by_cell(m)
    replan = HalfWeekendReplan(cells, m.num_days, [[5, 6], [12, 13]])
    assert replan.around_weekends == [4, 5, 6, 7, 11, 12, 13]
    split = [([5, 6], [0]), ([12, 13], [2, 0])]
    whole = {(e, d) for e in (0, 2) for d in range(14)}
    # Every other step also frees the days around the weekends for people with room (e1;
    # e2 is freed whole already).
    hoods = replan.hoods(split, [1, 2], 2, random.Random(0))
    assert [hood.cells for hood in hoods] == [
        whole,
        whole | {(1, d) for d in (4, 5, 6, 7)} | {(1, d) for d in (11, 12, 13)},
    ]
    assert replan.hoods([], [1], 2, random.Random(0)) == []


def test_half_weekend_steps_wait_for_a_stall_and_longer_after_each_that_finds_nothing():
    m = build_model(weekend_problem())
    replan = HalfWeekendReplan(lns._variables_by_cell(m), m.num_days, [[5, 6], [12, 13]])
    after, ratio = lns.REPLAN_AFTER, lns.RESPONSE_RATIO
    assert not replan.due(0.0, 1000)
    assert not replan.due(after - 0.1, 1000)
    # Trimming a wish is not progress (under half a percent): the step is due all the same.
    assert replan.due(after, 999)
    # A better roster by half a percent or more starts the wait again.
    assert not replan.due(after, 994)
    assert replan.due(2 * after, 994)
    # A quick step that finds nothing: LNS runs REPLAN_AFTER seconds before the next.
    replan.feedback(False, True, 0.1, 2 * after)
    assert not replan.due(3 * after - 0.1, 994)
    assert replan.due(3 * after, 994)
    # A long one: RESPONSE_RATIO times as long as it took, twice that for the second in a row.
    replan.feedback(False, True, 10.0, 100.0)
    assert not replan.due(100 + 2 * ratio * 10 - 0.1, 994)
    assert replan.due(100 + 2 * ratio * 10, 994)
    replan.feedback(True, True, 10.0, 200.0)
    assert replan.due(200 + after, 994)


def test_a_half_weekend_step_out_of_time_shrinks_the_next_ones_sample_down_to_none():
    m = build_model(weekend_problem())
    replan = HalfWeekendReplan(lns._variables_by_cell(m), m.num_days, [[5, 6], [12, 13]])
    size = replan.max_variables
    replan.feedback(False, True, 1.0, 10.0)
    assert replan.max_variables == size  # solved to optimality: nothing better to find there
    replan.feedback(False, False, 1.0, 20.0)
    assert replan.max_variables == int(size * lns.REPLAN_SHRINK)
    # Room for one person's schedule: each step frees a sample of one (one at least).
    replan.max_variables = replan.variables[0]
    split = [([5, 6], [0, 2])]
    hoods = replan.hoods(split, [], 10, random.Random(0))
    assert {frozenset(e for e, _ in hood.cells) for hood in hoods} == {
        frozenset({0}),
        frozenset({2}),
    }
    # Where no one's whole schedule fits, there is no such step.
    replan.max_variables = replan.variables[0] - 1
    assert replan.hoods(split, [1], 2, random.Random(0)) == []


def test_a_stuck_search_takes_the_roster_of_a_half_weekend_step(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="optimizer.lns")
    # Ordinary steps free nothing and best responses never run: only the half-weekend steps
    # can better the roster.
    monkeypatch.setattr(NeighbourhoodPicker, "pick", lambda self: Neighbourhood("days", set()))
    monkeypatch.setattr(lns.BestResponses, "due", lambda self: False)
    monkeypatch.setattr(lns, "REPLAN_AFTER", 0.0)
    problem = weekend_problem()
    m = build_model(problem)
    # e0 works Saturday 5 only and e2 Sunday 13 only; two people are wanted every day.
    start = Incumbent(values_with(m, [(0, 5, "D"), (2, 13, "D")]), 10**6, None)
    _, found = run_lns(problem, m, start, time_limit=3, workers=2)
    roster = roster_from_values(m, found.values)
    report = validate(problem, roster)
    assert report.feasible and report.objective == found.objective
    assert "half weekends planned again" in caplog.text
    # e0 and e2 were freed over the whole horizon, and both now work more than one day; e1 and
    # e3 (with room to work more) only over the days around weekends.
    worked = {e.id: [a.day for a in roster if a.employee == e.id] for e in problem.employees}
    assert len(worked["e0"]) > 1 and len(worked["e2"]) > 1
    assert set(worked["e1"] + worked["e3"]) <= {4, 5, 6, 7, 11, 12, 13}
