"""The construction scores every shift type of an employee's day at once (`_Greedy._scores`);
the answers must be those of asking `_allowed` and `_score` type by type, on random problems
that use every rule, at every point of a roster being built."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model_validator_agree import problems

from optimizer.construct import _BLOCKED, Eligibility, _Greedy, greedy_roster


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_a_days_scores_at_once_are_those_of_each_shift_type(problem, seed):
    cells = Eligibility(problem)
    roster = sorted(greedy_roster(cells))
    random.Random(seed).shuffle(roster)
    greedy = _Greedy(cells)
    greedy.load(set(roster[: len(roster) // 2]))  # part of a roster: days before and after set
    for e_idx in range(len(problem.employees)):
        for day in range(problem.num_days):
            row = greedy._scores(e_idx, day)
            for t_idx, type_id in enumerate(greedy.type_ids):
                if greedy._allowed(e_idx, day, type_id):
                    assert row is not None
                    assert row[t_idx] == greedy._score(e_idx, day, type_id)
                else:
                    assert row is None or row[t_idx] == _BLOCKED
