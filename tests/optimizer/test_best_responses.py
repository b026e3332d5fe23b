"""Best responses during LNS (`lns.BestResponses`): a round turns the incumbent into a roster
of the full model, with the objective the validator computes, and better than the start."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from optimizer import lns, submodel
from optimizer.construct import greedy_roster
from optimizer.formats.curtois import read_curtois
from optimizer.rules import build_model
from optimizer.schema import SolverSettings
from optimizer.solver import Incumbent, roster_from_values
from optimizer.validator import validate

CURTOIS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "curtois"


@pytest.mark.skipif(not CURTOIS_DIR.is_dir(), reason=f"no instances in {CURTOIS_DIR}")
def test_a_round_of_best_responses_gives_a_better_roster_of_the_full_model():
    problem = read_curtois(CURTOIS_DIR / "Instance14.txt")
    m = build_model(problem)
    index = submodel.ModelIndex(m.model.proto, (v.index for v in m.x.values()))
    settings = SolverSettings(time_limit=60)
    deadline = time.monotonic() + 30
    start = Incumbent(lns._greedy_values(m, greedy_roster(m)), 0, None)
    start = lns._complete(index, start, settings, deadline)
    assert validate(problem, roster_from_values(m, start.values)).objective == start.objective

    found = lns.BestResponses(m, index, settings).run(start, deadline)

    assert found is not None
    report = validate(problem, roster_from_values(m, np.asarray(found.values).tolist()))
    assert report.hard_violations == []
    assert report.objective == found.objective < start.objective
