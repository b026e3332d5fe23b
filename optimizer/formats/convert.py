"""Conversions between the optimizer's files, chosen by extension and by what a file holds.

Benchmark text (.txt) <-> problem JSON; solution JSON -> roster CSV; the Timefold quickstart's
JSON -> problem JSON, and a solution (with its embedded problem) -> solved quickstart JSON.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from optimizer.formats.curtois import read_curtois, write_curtois
from optimizer.formats.roster_csv import write_roster_csv
from optimizer.formats.timefold import read_timefold, timefold_assignments, write_timefold
from optimizer.schema import Problem, Solution

_logger = logging.getLogger(__name__)

SOURCE_FORMATS = ("curtois", "problem", "solution", "timefold")
TARGET_FORMATS = ("curtois", "problem", "roster-csv", "timefold")

_TARGET_BY_EXTENSION = {".txt": "curtois", ".json": "problem", ".csv": "roster-csv"}
_WHAT = {
    "curtois": "benchmark text (.txt)",
    "problem": "a problem JSON (num_days, shift_types, ...)",
    "solution": "a solution JSON (status, assignments)",
    "timefold": "the Timefold quickstart's JSON (employees, shifts)",
    "roster-csv": "a roster CSV (.csv)",
}
_CONVERSIONS = {
    ("curtois", "problem"),
    ("problem", "curtois"),
    ("solution", "roster-csv"),
    ("timefold", "problem"),
    ("timefold", "roster-csv"),
    ("solution", "timefold"),
}


def convert_file(
    src: Path,
    dst: Path,
    source_format: str | None = None,
    target_format: str | None = None,
) -> str:
    """Convert `src` into `dst` and return a one-line summary of what was written.

    Formats come from the extensions (.txt benchmark text, .json, .csv roster) and, for JSON,
    from the content; `source_format` / `target_format` name them explicitly (one of
    SOURCE_FORMATS / TARGET_FORMATS). Anything else raises ValueError saying what was expected.
    """
    src, dst = Path(src), Path(dst)
    _check_choice("source format", source_format, SOURCE_FORMATS)
    _check_choice("target format", target_format, TARGET_FORMATS)
    source, content = _read_source(src, source_format)
    target = target_format or _target_from_extension(dst)
    if (source, target) not in _CONVERSIONS:
        raise ValueError(
            f"cannot convert {_WHAT[source]} into {_WHAT[target]}; {_expected(source)}"
        )
    text, summary = _convert(source, target, src, content)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text, encoding="utf-8")
    _logger.info("wrote %s", dst)
    return f"{src.name} -> {dst.name}: {summary}"


def _check_choice(what: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(choices)}")


def _expected(source: str) -> str:
    targets = [_WHAT[t] for s, t in sorted(_CONVERSIONS) if s == source]
    return f"{_WHAT[source]} converts into {' or '.join(targets)}"


def _target_from_extension(dst: Path) -> str:
    suffix = dst.suffix.lower()
    if suffix not in _TARGET_BY_EXTENSION:
        raise ValueError(
            f"{dst}: unknown output extension {suffix or '(none)'!r}; expected .json (problem), "
            ".txt (benchmark text) or .csv (roster), or name the target format"
        )
    return _TARGET_BY_EXTENSION[suffix]


def _read_source(src: Path, source_format: str | None) -> tuple[str, Any]:
    """(format, content): benchmark text as a string, JSON as parsed data."""
    suffix = src.suffix.lower()
    if source_format == "curtois" or (source_format is None and suffix == ".txt"):
        return "curtois", src.read_text(encoding="utf-8")
    if suffix != ".json" and source_format is None:
        raise ValueError(
            f"{src}: unknown input extension {suffix or '(none)'!r}; expected .txt (benchmark "
            "text) or .json (problem, solution or Timefold quickstart data)"
        )
    try:
        data = json.loads(src.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{src}: not valid JSON ({exc})") from None
    found = _json_kind(data)
    if source_format is not None and found != source_format:
        got = _WHAT[found] if found else "something else"
        raise ValueError(f"{src}: expected {_WHAT[source_format]}, but it holds {got}")
    if found is None:
        raise ValueError(
            f"{src}: expected {_WHAT['problem']}, {_WHAT['solution']} or {_WHAT['timefold']}"
        )
    return found, data


def _json_kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if "status" in data and "assignments" in data:
        return "solution"
    if "num_days" in data:
        return "problem"
    if "employees" in data and "shifts" in data:
        return "timefold"
    return None


def _convert(source: str, target: str, src: Path, content: Any) -> tuple[str, str]:
    """(text to write, summary) for one supported pair of formats."""
    if source == "curtois":
        problem = read_curtois(content, name=src.stem)
        return problem.model_dump_json(indent=2) + "\n", _describe(problem)
    if source == "problem":
        problem = Problem.model_validate(content)
        return write_curtois(problem), f"benchmark text of {_describe(problem)}"
    if source == "timefold":
        problem = read_timefold(content, name=src.stem)
        if target == "problem":
            shifts = sum(len(d.shift_ids) for d in problem.shift_demand)
            return problem.model_dump_json(indent=2) + "\n", (
                f"{shifts} quickstart shifts as {len(problem.shift_demand)} demand lines; "
                f"{_describe(problem)}"
            )
        assignments = timefold_assignments(content, problem)
        return write_roster_csv(
            assignments, [e.id for e in problem.employees]
        ), f"roster of {len(assignments)} shifts"
    solution = Solution.model_validate(content)
    if target == "roster-csv":
        employees = solution.problem.employees if solution.problem else []
        text = write_roster_csv(solution.assignments, [e.id for e in employees])
        return text, f"roster of {len(solution.assignments)} shifts ({solution.status})"
    if solution.problem is None:
        raise ValueError(
            f"{src}: the solution does not embed its problem; the Timefold export needs it "
            "(solve with the CLI, which embeds it)"
        )
    data = write_timefold(solution.problem, solution.assignments)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text, f"{len(data['shifts'])} quickstart shifts, score {data['score']}"


def _describe(problem: Problem) -> str:
    return (
        f"problem {problem.name!r} ({problem.num_days} days, {len(problem.employees)} employees, "
        f"{len(problem.shift_types)} shift types)"
    )
