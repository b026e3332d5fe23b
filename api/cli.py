"""The `shiftopt` command line: one sub-command per job, each defined next to the code it runs.

Every package that offers commands has a `cli` module with `register(subcommands)`, which adds
its sub-parsers and sets `handler` on each; this module only composes them, configures logging
once, and turns bad input (`ValueError`, including pydantic's validation errors, and `OSError`)
into a one-paragraph message instead of a stack trace.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

_COMMAND_MODULES = (
    "optimizer.cli",
    "forecasting.cli",
    "scenarios.cli",
    "api.serve_cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with the sub-commands of every package that offers them."""
    parser = argparse.ArgumentParser(
        prog="shiftopt",
        description="Constraint-based shift optimisation: rosters, forecasts and scenarios.",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much the command logs to stderr (default: WARNING)",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(subcommands)
    return parser


def configure_logging(level: str) -> None:
    """Configure logging once, at the entry point, in a readable one-line format."""
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )


def _readable(exc: BaseException) -> str:
    """The user-facing text of an input error: pydantic errors become `field: reason` lines."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        lines = []
        for error in errors():
            where = ".".join(str(part) for part in error.get("loc", ())) or "input"
            lines.append(f"{where}: {error.get('msg', '')}")
        return "invalid input\n  " + "\n  ".join(lines)
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def main(argv: list[str] | None = None) -> int:
    """Run one `shiftopt` sub-command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        return int(args.handler(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"shiftopt {args.command}: error: {_readable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
