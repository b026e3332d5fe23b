"""How soon a solve returns once its caller asks it to stop (a manager cancelling a job).

Solves a problem with `--time-limit` and asks it to stop `--after` seconds in (through
`solve`'s `should_stop`, as the service's solve jobs and scenario runs do), `--repeat` times;
prints each run's delay between the request and the return, the median, and the validator's
objective and hard violations of the roster returned.

    .venv/bin/python benchmarks/stop_latency.py /tmp/yeardir/SyntheticYear.txt --after 10
    .venv/bin/python benchmarks/stop_latency.py ../shared/benchmarks/curtois/Instance20.txt \
        --after 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic_year import read_instance  # noqa: E402

from optimizer import SolverSettings, solve, validate  # noqa: E402


def one_run(problem, time_limit: float, after: float) -> tuple[float, int, int]:
    """The delay from the stop request to the return, and the roster's objective and hard
    violations by the validator."""
    started = time.monotonic()
    asked = started + after
    solution = solve(
        problem,
        SolverSettings(time_limit=time_limit, workers=2),
        should_stop=lambda: time.monotonic() >= asked,
    )
    delay = time.monotonic() - asked
    report = validate(problem, solution.assignments)
    return delay, report.objective, len(report.hard_violations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", type=Path, help="a Curtois .txt or Timefold .json file")
    parser.add_argument("--time-limit", type=float, default=60.0, help="default 60")
    parser.add_argument("--after", type=float, default=10.0, help="seconds before asking to stop")
    parser.add_argument("--repeat", type=int, default=1, help="runs to take the median of")
    args = parser.parse_args()
    if not args.problem.is_file():
        parser.error(f"problem: no file {args.problem}")
    if not 0 < args.after < args.time_limit:
        parser.error("--after: give a number of seconds between 0 and the time limit")
    problem = read_instance(args.problem)
    delays = []
    for run in range(args.repeat):
        delay, objective, hard = one_run(problem, args.time_limit, args.after)
        delays.append(delay)
        print(
            f"run {run + 1}: returned {delay:.2f} s after the request, objective {objective}, "
            f"hard violations {hard}"
        )
    print(f"median delay {statistics.median(delays):.2f} s over {len(delays)} runs")


if __name__ == "__main__":
    main()
