"""Curtois & Qu instances solved with each search strategy, one solve at a time.

Compares strategies (by default 'lns' and 'colgen') at the same time limit and workers; every
roster is scored by the independent validator against the instance's best-known value.

    .venv/bin/python benchmarks/curtois_strategies.py [--dir ../shared/benchmarks/curtois]
        [--instances Instance2 ... Instance13] [--strategies lns colgen] [--time 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.formats.curtois import BEST_KNOWN, read_curtois  # noqa: E402
from optimizer.schema import SolverSettings  # noqa: E402
from optimizer.solver import solve  # noqa: E402
from optimizer.validator import validate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir",
        type=Path,
        default=ROOT.parent / "shared" / "benchmarks" / "curtois",
        help="Folder holding the InstanceN.txt files.",
    )
    parser.add_argument(
        "--instances",
        nargs="+",
        default=[f"Instance{i}" for i in range(2, 14)],
        help="Instance names to solve, in order.",
    )
    parser.add_argument(
        "--strategies", nargs="+", default=["lns", "colgen"], help="Strategies to compare."
    )
    parser.add_argument("--time", type=float, default=60.0, help="Seconds per solve.")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers per solve.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed of every solve.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    header = ["instance", "best known"] + [
        f"{s} {col}" for s in args.strategies for col in ("objective", "gap %", "bound")
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in args.instances:
        problem = read_curtois(args.dir / f"{name}.txt")
        best = BEST_KNOWN.get(name)
        cells = [name, str(best)]
        for strategy in args.strategies:
            settings = SolverSettings(
                time_limit=args.time, workers=args.workers, seed=args.seed, strategy=strategy
            )
            solution = solve(problem, settings)
            report = validate(problem, solution.assignments)
            if report.hard_violations or solution.objective is None:
                cells += ["invalid", "", ""]
                continue
            gap = "" if best is None else f"{100 * (report.objective - best) / best:.1f}"
            cells += [str(report.objective), gap, str(solution.best_bound)]
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
