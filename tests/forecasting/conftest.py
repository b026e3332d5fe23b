"""Fixtures of the forecasting tests: the synthetic load generator."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from forecast_synthetic import synthetic_load


@pytest.fixture
def make_load() -> Callable[..., pd.DataFrame]:
    return synthetic_load
