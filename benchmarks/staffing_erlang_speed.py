"""Erlang C staffing benchmark: agreement with pyworkforce and speed on a whole season.

The season is every 30-minute interval of the bank call-centre data (164 weekdays). Each interval
is staffed for 80% of calls answered within 20 s, 85% maximum occupancy and 30% shrinkage, once
by pyworkforce's `ErlangC.required_positions` (one interval at a time) and once by shiftopt's
vectorised Erlang C (all intervals at once). Reported: agents and rostered heads that differ, and
median wall time of repeated runs; then the same season staffed with Erlang A (abandonment).

    .venv/bin/python benchmarks/staffing_erlang_speed.py [--data ../shared/data/bank_calls.csv]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyworkforce.queuing import ErlangC  # noqa: E402

from forecasting.erlang import (  # noqa: E402
    agents_for_target,
    agents_for_target_with_abandonment,
    erlang_a,
    offered_load,
    rostered_heads,
)
from forecasting.history import aggregate_load, read_load_csv  # noqa: E402

_logger = logging.getLogger(__name__)


def pyworkforce_staffing(calls, aht_s, within_s, target, occupancy, shrinkage, minutes):
    raw, heads = [], []
    for volume in calls:
        result = ErlangC(
            transactions=float(volume),
            aht=aht_s / 60,
            asa=within_s / 60,
            interval=minutes,
            shrinkage=shrinkage,
        ).required_positions(service_level=target, max_occupancy=occupancy)
        raw.append(result["raw_positions"])
        heads.append(result["positions"])
    return np.array(raw), np.array(heads)


def shiftopt_staffing(calls, aht_s, within_s, target, occupancy, shrinkage, minutes):
    load = offered_load(calls, aht_s, minutes * 60)
    agents = agents_for_target(
        load,
        aht_s,
        service_level_target=target,
        answer_within_seconds=within_s,
        max_occupancy=occupancy,
    )
    return agents, rostered_heads(agents, shrinkage)


def timed(fn, repeats, *args):
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(ROOT.parent / "shared" / "data" / "bank_calls.csv"),
        help="bank_calls.csv (columns DateTime, Calls)",
    )
    parser.add_argument("--aht", type=float, default=300.0, help="average handling time, s")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per implementation")
    parser.add_argument(
        "--patience", type=float, default=120.0, help="mean caller patience for Erlang A, s"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    frame = aggregate_load(read_load_csv(args.data, "DateTime", "Calls"), "30min")
    calls = frame["y"].to_numpy(dtype=float)
    calls = calls[calls > 0]  # pyworkforce refuses empty intervals
    print(
        f"intervals: {len(calls)} (30 min), AHT {args.aht:.0f} s, 80% within 20 s, shrinkage 0.3;"
    )
    print(
        f"offered load {calls.min() * args.aht / 1800:.1f}-"
        f"{calls.max() * args.aht / 1800:.1f} Erlangs"
    )
    print()
    print(
        "| max occupancy | pyworkforce s | shiftopt s | speed-up | agents differing "
        "| heads differing | peak agents |"
    )
    print("|---|---|---|---|---|---|---|")
    notes = []
    for occupancy in (0.85, 1.0):
        setting = (args.aht, 20.0, 0.8, occupancy, 0.3, 30)
        ours_s, (agents, heads) = timed(shiftopt_staffing, args.repeats, calls, *setting)
        theirs_s, (raw, positions) = timed(pyworkforce_staffing, args.repeats, calls, *setting)
        head_diff = np.flatnonzero(heads != positions)
        print(
            f"| {occupancy:.2f} | {theirs_s:.3f} | {ours_s:.4f} | {theirs_s / ours_s:.0f}x "
            f"| {int(np.sum(agents != raw))} of {len(calls)} | {len(head_diff)} of {len(calls)} "
            f"| {int(agents.max())} |"
        )
        for i in head_diff[:3]:
            notes.append(
                f"  occupancy {occupancy}: {agents[i]} agents / 0.7 = {agents[i] / 0.7:.17g}; "
                f"pyworkforce {positions[i]}, shiftopt {heads[i]}"
            )
    print(f"\nmedians of {args.repeats} runs each; rostered heads that differ:")
    print("\n".join(notes))

    # Erlang A: the same promise when callers hang up after `--patience` seconds on average.
    started = time.perf_counter()
    with_abandonment = agents_for_target_with_abandonment(
        calls, args.aht, args.patience, 1800.0, service_level_target=0.8, answer_within_seconds=20
    )
    seconds = time.perf_counter() - started
    erlang_c_agents = agents_for_target(offered_load(calls, args.aht, 1800.0), args.aht)
    reached = erlang_a(calls, args.aht, args.patience, with_abandonment, 1800.0, 20.0)
    print(
        f"\nErlang A (patience {args.patience:.0f} s, no occupancy cap): {seconds:.1f} s for "
        f"{len(calls)} intervals; {with_abandonment.sum() / erlang_c_agents.sum():.3f} of Erlang "
        f"C's agent-intervals; lowest service level reached "
        f"{reached['service_level'].min():.3f}; mean abandonment "
        f"{np.average(reached['abandon_probability'], weights=calls):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
