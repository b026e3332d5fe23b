"""The rule registry is the one list: the validator labels, the README table and the
breakdown all name the same rules in the same words."""

from __future__ import annotations

from pathlib import Path

from optimizer.rules import RULES
from optimizer.validator import HARD_RULES, LABELS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_validator_knows_every_registered_rule_by_the_same_label():
    for rule in RULES:
        assert LABELS[rule.id] == rule.label
        assert (rule.id in HARD_RULES) == rule.hard


def test_readme_lists_every_rule_with_its_label():
    text = README.read_text()
    for rule in RULES:
        assert f"| `{rule.id}` | {rule.label} | {'hard' if rule.hard else 'soft'} |" in text
