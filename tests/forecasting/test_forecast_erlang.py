"""Erlang B / C and agent requirements: textbook values, large systems, pyworkforce agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from forecasting.erlang import (
    agents_for_target,
    agents_for_target_with_abandonment,
    average_speed_of_answer,
    erlang_a,
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


# -- Erlang A ------------------------------------------------------------------------------------
def mandelbaum_zeltyn(arrival: float, service: float, abandon: float, agents: int):
    """Closed forms of P(wait) and P(abandon) for M/M/n+M (Mandelbaum & Zeltyn)."""
    from scipy.special import gammainc, gammaln

    x, y = agents * service / abandon, arrival / abandon
    a = math.exp(math.log(x) + y - x * math.log(y) + gammaln(x) + math.log(gammainc(x, y)))
    blocking = float(erlang_b(arrival / service, agents))
    wait = a * blocking / (1 + (a - 1) * blocking)
    rho = arrival / (agents * service)
    return wait, wait * (1 / (rho * a) + 1 - 1 / rho)


@pytest.mark.parametrize(
    ("calls", "aht", "patience", "agents"),
    [(100, 180, 120, 9), (100, 180, 600, 11), (2000, 300, 60, 300), (500, 240, 30, 50)],
)
def test_erlang_a_matches_the_closed_forms_for_waiting_and_abandoning(calls, aht, patience, agents):
    """P(wait) and P(abandon) agree with the incomplete-gamma formulas."""
    result = erlang_a(calls, aht, patience, agents, 1800, 20)
    wait, abandon = mandelbaum_zeltyn(calls / 1800, 1 / aht, 1 / patience, agents)
    assert float(result["wait_probability"]) == pytest.approx(wait, rel=1e-8)
    assert float(result["abandon_probability"]) == pytest.approx(abandon, rel=1e-8)


def test_erlang_a_with_endless_patience_is_erlang_c():
    """Callers who never hang up: service level and agents equal Erlang C's."""
    calls = np.array([10.0, 100.0, 480.0])
    load = offered_load(calls, 180.0, 1800.0)
    agents = agents_for_target(load, 180.0)
    result = erlang_a(calls, 180.0, 1e7, agents, 1800.0, 20.0)
    assert np.allclose(result["service_level"], service_level(load, agents, 180.0, 20.0), atol=1e-5)
    patient = agents_for_target_with_abandonment(calls, 180.0, 1e7, 1800.0)
    assert patient.tolist() == agents.tolist()


def test_abandonment_lowers_the_agents_needed_but_still_meets_the_target():
    """With 2-minute patience fewer agents reach 80/20, and one fewer would not."""
    calls = np.array([100.0, 480.0, 2000.0])
    impatient = agents_for_target_with_abandonment(calls, 180.0, 120.0, 1800.0)
    patient = agents_for_target(offered_load(calls, 180.0, 1800.0), 180.0)
    assert np.all(impatient < patient)
    reached = erlang_a(calls, 180.0, 120.0, impatient, 1800.0, 20.0)["service_level"]
    short = erlang_a(calls, 180.0, 120.0, impatient - 1, 1800.0, 20.0)["service_level"]
    assert np.all(reached >= 0.8) and np.all(short < 0.8)


def test_erlang_a_service_level_matches_a_simulated_queue():
    """A first-come-first-served queue of 100,000 impatient callers answers the predicted share
    within 20 s and loses the predicted share to abandonment (to simulation accuracy)."""
    import heapq

    rng = np.random.default_rng(1)
    arrival, aht, patience, agents, within = 100 / 1800, 180.0, 120.0, 9, 20.0
    count = 100_000
    arrivals = np.cumsum(rng.exponential(1 / arrival, count))
    handling = rng.exponential(aht, count)
    patiences = rng.exponential(patience, count)
    free_at = [0.0] * agents
    in_time = abandoned = 0
    for arrived, handle, patient in zip(arrivals, handling, patiences, strict=True):
        start = max(arrived, free_at[0])
        if start - arrived > patient:
            abandoned += 1
            continue
        heapq.heapreplace(free_at, start + handle)
        in_time += start - arrived <= within
    predicted = erlang_a(100.0, aht, patience, agents, 1800.0, within)
    assert in_time / count == pytest.approx(float(predicted["service_level"]), abs=0.01)
    assert abandoned / count == pytest.approx(float(predicted["abandon_probability"]), abs=0.01)
