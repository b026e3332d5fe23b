"""What the schedule-improvement moves alone do to a constructed roster, round by round.

Builds the day-by-day construction's roster, then runs `construct.ScheduleImprover` (best
responses where they score exactly, re-matched days and block swaps where those do) in rounds
of at most `--round` seconds until a round changes nothing or `--seconds` have passed. After
each round it prints the elapsed time and the validator's objective and hard violations (and,
for a Timefold data set, the quickstart's own score of the roster).

    .venv/bin/python benchmarks/roster_moves.py ../shared/benchmarks/timefold/xl.json
    .venv/bin/python benchmarks/roster_moves.py ../shared/benchmarks/curtois/Instance14.txt
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.construct import (  # noqa: E402
    Eligibility,
    ScheduleImprover,
    as_assignments,
    greedy_roster,
)
from optimizer.formats.curtois import read_curtois  # noqa: E402
from optimizer.formats.timefold import read_timefold, score_timefold, write_timefold  # noqa: E402
from optimizer.validator import validate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", type=Path, help="a Curtois .txt or Timefold .json file")
    parser.add_argument("--seconds", type=float, default=30.0, help="longest run (default 30)")
    parser.add_argument("--round", type=float, default=2.0, help="longest round (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    timefold = args.problem.suffix == ".json"
    if timefold:
        problem = read_timefold(json.loads(args.problem.read_text()), args.problem.stem)
    else:
        problem = read_curtois(args.problem)

    def line(label: str, elapsed: float, chosen) -> None:
        roster = as_assignments(cells, chosen)
        report = validate(problem, roster)
        extra = f"  score {score_timefold(write_timefold(problem, roster))}" if timefold else ""
        print(
            f"{label:>12} {elapsed:6.2f} s  objective {report.objective:>9,}  "
            f"hard violations {len(report.hard_violations)}{extra}",
            flush=True,
        )

    started = time.monotonic()
    cells = Eligibility(problem)
    chosen = greedy_roster(cells)
    line("constructed", time.monotonic() - started, chosen)
    improver = ScheduleImprover(cells)
    if not improver.active:
        print("no move scores this problem's objective exactly; nothing to do")
        return
    rng = random.Random(args.seed)
    moving = time.monotonic()
    for number in range(1, 10_000):
        left = args.seconds - (time.monotonic() - moving)
        if left <= 0:
            break
        better = improver.improve(chosen, time.monotonic() + min(args.round, left), rng)
        if better == chosen:
            break
        chosen = better
        line(f"round {number}", time.monotonic() - moving, chosen)


if __name__ == "__main__":
    main()
