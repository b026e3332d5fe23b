"""Erlang B / C and agent requirements: textbook values, large systems, pyworkforce agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from forecasting.erlang import (
    agents_for_target,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    offered_load,
    rostered_heads,
    service_level,
)


def erlang_c_by_factorials(load: float, agents: int) -> float:
    """The textbook closed form, summed term by term (fine for small systems)."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


def test_erlang_b_of_one_agent_is_load_over_one_plus_load():
    """With one server the blocking probability is A / (1 + A)."""
    load = np.array([0.5, 1.0, 3.0])
    assert np.allclose(erlang_b(load, 1), load / (1 + load))


@pytest.mark.parametrize(("load", "agents"), [(2.0, 3), (10.0, 11), (10.0, 14), (17.3, 20)])
def test_erlang_c_matches_the_textbook_closed_form(load, agents):
    """The recursion gives the same waiting probability as the factorial formula."""
    assert erlang_c(load, agents) == pytest.approx(erlang_c_by_factorials(load, agents), rel=1e-10)


def test_erlang_c_of_ten_erlangs_on_eleven_agents_is_the_classic_0_682():
    """The example most call-centre texts use: 10 Erlangs, 11 agents, 68.2% of calls wait."""
    assert float(erlang_c(10.0, 11)) == pytest.approx(0.6821, abs=5e-4)


def test_erlang_b_stays_exact_for_hundreds_of_agents():
    """For 900 Erlangs on 950 agents the recursion agrees with the Poisson-ratio form."""
    load, agents = 900.0, 950
    expected = poisson.pmf(agents, load) / poisson.cdf(agents, load)
    assert float(erlang_b(load, agents)) == pytest.approx(expected, rel=1e-9)
    waiting = float(erlang_c(load, agents))
    assert 0.0 < waiting < 1.0


def test_an_overloaded_interval_has_every_call_waiting_and_no_service():
    """With no more agents than Erlangs, everyone waits, nobody is answered in time."""
    assert float(erlang_c(12.0, 12)) == 1.0
    assert float(service_level(12.0, 10, 180.0, 20.0)) == 0.0
    assert math.isinf(float(average_speed_of_answer(12.0, 10, 180.0)))


def test_agents_for_target_is_the_fewest_meeting_the_service_level():
    """The returned count meets 80/20 and one agent fewer does not."""
    load = offered_load(np.array([100.0, 37.0, 480.0]), 180.0, 1800.0)
    agents = agents_for_target(load, 180.0, service_level_target=0.8, answer_within_seconds=20)
    assert np.all(service_level(load, agents, 180.0, 20.0) >= 0.8)
    assert np.all(service_level(load, agents - 1, 180.0, 20.0) < 0.8)


def test_agents_for_target_respects_an_asa_target():
    """With an ASA target the mean wait stays under it, and not with one agent fewer."""
    load = np.array([5.0, 40.0, 250.0])
    agents = agents_for_target(load, 240.0, service_level_target=None, asa_target_seconds=15.0)
    assert np.all(average_speed_of_answer(load, agents, 240.0) <= 15.0)
    assert np.all(average_speed_of_answer(load, agents - 1, 240.0) > 15.0)


def test_max_occupancy_can_raise_the_agent_count():
    """A tight occupancy cap needs at least load / cap agents even when the queue is fine."""
    load = np.array([400.0])
    free = agents_for_target(load, 300.0, service_level_target=0.5, answer_within_seconds=60)
    capped = agents_for_target(
        load, 300.0, service_level_target=0.5, answer_within_seconds=60, max_occupancy=0.8
    )
    assert capped[0] == math.ceil(400.0 / 0.8) > free[0]


def test_intervals_without_load_need_nobody():
    """Zero calls need zero agents; the rest of the array is unaffected."""
    agents = agents_for_target(np.array([0.0, 3.0]), 180.0)
    assert agents[0] == 0 and agents[1] > 3


def test_shrinkage_grosses_agents_up_to_rostered_heads():
    """70 agents at 30% shrinkage need exactly 100 people, not 101 from rounding noise."""
    assert rostered_heads(np.array([70, 7, 1]), 0.3).tolist() == [100, 10, 2]


def test_bad_targets_are_rejected_with_the_field_named():
    """Out-of-range targets raise ValueError naming the target."""
    with pytest.raises(ValueError, match="service_level"):
        agents_for_target(np.array([1.0]), 180.0, service_level_target=1.2)
    with pytest.raises(ValueError, match="max_occupancy"):
        agents_for_target(np.array([1.0]), 180.0, max_occupancy=0.0)
    with pytest.raises(ValueError, match="shrinkage"):
        rostered_heads(np.array([1]), 1.0)


def test_required_agents_agree_with_pyworkforce_on_a_grid():
    """Raw positions equal pyworkforce's ErlangC.required_positions on every grid case."""
    pytest.importorskip("pyworkforce")
    from pyworkforce.queuing import ErlangC

    cases = [
        (calls, aht, within, target, occupancy)
        for calls in (5, 57, 250, 2000)
        for aht in (2.0, 3.5, 6.0)
        for within in (10 / 60, 20 / 60, 1.0)
        for target in (0.7, 0.8, 0.9)
        for occupancy in (0.85, 1.0)
    ]
    theirs, ours = [], []
    for calls, aht, within, target, occupancy in cases:
        result = ErlangC(transactions=calls, aht=aht, asa=within, interval=30).required_positions(
            service_level=target, max_occupancy=occupancy
        )
        theirs.append(result["raw_positions"])
        ours.append(
            int(
                agents_for_target(
                    calls * aht / 30,
                    aht * 60,
                    service_level_target=target,
                    answer_within_seconds=within * 60,
                    max_occupancy=occupancy,
                )
            )
        )
    assert ours == theirs
