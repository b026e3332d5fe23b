"""Demand forecasting from historical load and conversion of load to required staff."""
