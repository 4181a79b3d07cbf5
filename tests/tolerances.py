"""Numeric tolerances for tests that reproduce published numbers, in one place (as metafor does)."""

# metafor's BCG expectations are printed to 4 decimals.
PRINTED_4DP = 5e-5 + 1e-9
# statsmodels' results_meta.py stores metafor output at full precision.
FULL_PRECISION = 1e-9
# Normand (1999) prints pooled results to 2 decimals (Table IX).
PRINTED_2DP = 5e-3 + 1e-9
