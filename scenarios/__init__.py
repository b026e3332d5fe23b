"""What-if scenarios: named changes to demand, staff or rules, solved beside the baseline."""
