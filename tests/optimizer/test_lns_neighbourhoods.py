"""LNS neighbourhoods aimed at shifts left short: which shifts are short, who could work them,
and the cells a "cover" step frees."""

from __future__ import annotations

import random

import numpy as np
from optimizer_builders import cover, tiny_problem

from optimizer import lns
from optimizer.lns import NeighbourhoodPicker, ShortShifts
from optimizer.rules import build_model


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


def test_a_cover_step_frees_people_able_to_work_the_short_shift_around_its_day():
    m = build_model(short_problem())
    picker = NeighbourhoodPicker(m, random.Random(3))
    picker.short_shifts = [(3, [0, 1, 2])]
    picker.size["cover"] = 3 * 7
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


def test_whole_schedules_are_freed_only_where_two_of_them_make_a_small_model():
    narrow = build_model(tiny_problem(days=84, employees=3))
    assert NeighbourhoodPicker(narrow, random.Random(0)).score["employees"] > 0
    many_types = [{"id": f"T{i}", "start_minute": 360, "duration_minutes": 480} for i in range(30)]
    wide = build_model(tiny_problem(days=84, employees=3, shift_types=many_types))
    assert 2 * len(wide.x) / 3 > lns.EMPLOYEES_MAX_VARIABLES
    assert NeighbourhoodPicker(wide, random.Random(0)).score["employees"] == 0
