"""Staffing a forecast and handing it to the optimizer as interval demand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import synthetic_load
from pydantic import ValidationError

from forecasting.model import DemandForecaster
from forecasting.staffing import (
    StaffingTargets,
    add_required_staff,
    required_staff,
    to_interval_demand,
)

HALF_HOUR = pd.Timedelta(minutes=30)


def test_required_staff_includes_shrinkage_on_top_of_erlang_agents():
    """At 30% shrinkage the heads are the Erlang agents divided by 0.7, rounded up."""
    load = np.array([100.0, 400.0])
    bare = required_staff(load, HALF_HOUR, StaffingTargets(aht_seconds=180))
    shrunk = required_staff(load, HALF_HOUR, StaffingTargets(aht_seconds=180, shrinkage=0.3))
    assert shrunk.tolist() == np.ceil(bare / 0.7 - 1e-9).astype(int).tolist()


def test_more_load_never_needs_fewer_people():
    """Required staff is non-decreasing in load."""
    load = np.linspace(0, 2000, 101)
    staff = required_staff(load, HALF_HOUR, StaffingTargets(aht_seconds=240, max_occupancy=0.85))
    assert np.all(np.diff(staff) >= 0) and staff[0] == 0


def test_staffing_targets_reject_nonsense_with_the_field_named():
    """A 120% service level or missing targets fail validation naming the field."""
    with pytest.raises(ValidationError, match="service_level"):
        StaffingTargets(aht_seconds=180, service_level=1.2)
    with pytest.raises(ValidationError, match="service_level or an asa_seconds"):
        StaffingTargets(aht_seconds=180, service_level=None)


def test_interval_demand_counts_days_from_the_roster_start():
    """Each interval becomes one demand line with day, start minute, length, skill and people."""
    history = synthetic_load(weeks=6, series_id="chat")
    fc = DemandForecaster(freq="30min").fit(history).forecast(horizon="7D")
    staffed = add_required_staff(fc, HALF_HOUR, StaffingTargets(aht_seconds=300, shrinkage=0.2))
    monday = fc["ds"].min().date()
    demand = to_interval_demand(staffed, monday - dt.timedelta(days=2))
    assert {tuple(sorted(d)) for d in demand} == {
        ("day", "length_minutes", "required", "skill", "start_minute")
    }
    first = demand[0]
    assert first["day"] == 2 and first["start_minute"] == 7 * 60
    assert first["length_minutes"] == 30 and first["skill"] == "chat"
    assert sum(d["required"] for d in demand) == int(staffed["required_staff"].sum())


def test_interval_demand_is_accepted_by_the_optimizer_problem():
    """The dicts validate as the optimizer's IntervalDemand, field for field."""
    schema = pytest.importorskip("optimizer.schema")
    history = synthetic_load(weeks=6).drop(columns="unique_id")  # one unnamed series: any skill
    fc = DemandForecaster(freq="30min").fit(history).forecast(horizon="7D")
    staffed = add_required_staff(fc, HALF_HOUR, StaffingTargets(aht_seconds=300))
    demand = to_interval_demand(staffed, fc["ds"].min().date())
    parsed = [schema.IntervalDemand.model_validate(d) for d in demand]
    assert parsed[0].skill is None and parsed[0].required == demand[0]["required"]


def test_interval_demand_needs_staffing_first():
    """A forecast without required_staff cannot become demand."""
    with pytest.raises(ValueError, match="required_staff"):
        to_interval_demand(pd.DataFrame({"ds": [pd.Timestamp("2024-01-01")]}), "2024-01-01")


def test_patience_switches_staffing_to_erlang_a():
    """Callers who hang up after a minute need fewer agents than endlessly patient ones."""
    load = np.array([200.0, 900.0])
    patient = required_staff(load, HALF_HOUR, StaffingTargets(aht_seconds=240))
    impatient = required_staff(
        load, HALF_HOUR, StaffingTargets(aht_seconds=240, patience_seconds=60)
    )
    assert np.all(impatient < patient)
