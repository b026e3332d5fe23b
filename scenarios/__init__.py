"""What-if scenarios: named changes to demand, staff or rules, solved beside the baseline.

`scenarios.spec.read_scenario` reads a scenario file, `scenarios.run.run_scenario` compares it
with its baseline, `scenarios.run.sweep` solves it over a range, `scenarios.report` writes it up.
"""
