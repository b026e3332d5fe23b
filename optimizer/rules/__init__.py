"""The registry of business rules: one ordered list that the model, the validator's labels,
the objective breakdown and the docs all come from.

Hard rules add constraints (and may be made soft through `Rules.soft_rules` where they have a
measurable excess); soft rules add named penalty terms to the objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optimizer.model import RosterModel, check_time, no_cycle_collection
from optimizer.rules import contract, cost, cover, daily, fairness, preferences


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    hard: bool
    add: Callable[[RosterModel], None] | None
    """Builds the rule into a model; None for penalties that another rule's function adds."""


RULES: tuple[Rule, ...] = (
    Rule("one_shift_per_day", "One shift a day", True, daily.add_one_shift_per_day),
    Rule("unavailable_days", "No work on days off or leave", True, None),
    Rule("required_skill", "Required skill", True, None),
    Rule("pinned_assignments", "Pinned shifts stay", True, daily.add_pinned_assignments),
    Rule("cover_bounds", "Hard minimum / maximum on a shift", True, cover.add_cover_bounds),
    Rule(
        "forbidden_successions",
        "Forbidden shift successions",
        True,
        daily.add_forbidden_successions,
    ),
    Rule("min_rest", "Minimum rest between shifts", True, daily.add_min_rest),
    Rule("max_shifts_per_type", "Max shifts per type", True, contract.add_max_shifts_per_type),
    Rule("max_minutes_total", "Max hours over the horizon", True, contract.add_max_minutes_total),
    Rule("min_minutes_total", "Min hours over the horizon", True, contract.add_min_minutes_total),
    Rule("max_minutes_per_week", "Max hours a week", True, contract.add_max_minutes_per_week),
    Rule("min_minutes_per_week", "Min hours a week", True, contract.add_min_minutes_per_week),
    Rule(
        "max_consecutive_days", "Max working days in a row", True, contract.add_max_consecutive_days
    ),
    Rule(
        "min_consecutive_days", "Min working days in a row", True, contract.add_min_consecutive_days
    ),
    Rule(
        "min_consecutive_days_off",
        "Min days off in a row",
        True,
        contract.add_min_consecutive_days_off,
    ),
    Rule("max_weekends", "Max weekends worked", True, contract.add_max_weekends),
    Rule("under_cover", "Under-cover on shifts", False, cover.penalize_shift_cover),
    Rule("over_cover", "Over-cover on shifts", False, None),
    Rule("interval_under_cover", "Under-cover in intervals", False, cover.penalize_interval_cover),
    Rule("interval_over_cover", "Over-cover in intervals", False, None),
    Rule(
        "reliable_cover",
        "Reliable people on critical slots",
        False,
        cover.penalize_missing_reliable_people,
    ),
    Rule("preferences", "Employee preferences", False, preferences.penalize_preferences),
    Rule("fair_hours", "Fair hours", False, fairness.penalize_unfair_hours),
    Rule("fair_weekends", "Fair weekends", False, fairness.penalize_unfair_weekends),
    Rule("fair_unpopular", "Fair unpopular shifts", False, fairness.penalize_unfair_unpopular),
    Rule("balanced_shifts", "Balanced shift counts", False, fairness.penalize_unbalanced_shifts),
    Rule("labour_cost", "Labour cost", False, cost.penalize_labour_cost),
    Rule("overtime", "Overtime premium", False, cost.penalize_overtime),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}


def build_model(problem, *, explain: bool = False, deadline: float | None = None) -> RosterModel:
    """A CP-SAT model of `problem` with every rule of the registry and the objective set.

    With a `deadline` (a `time.monotonic()` instant), building stops between rules once it has
    passed, raising `OutOfTime`: a year-long model takes seconds to build, more than a short
    time limit may leave."""
    with no_cycle_collection():
        m = RosterModel(problem, explain=explain)
        for rule in RULES:
            check_time(deadline)
            if rule.add is not None:
                rule.add(m)
        check_time(deadline)
        m.model.minimize(m.objective())
    return m
