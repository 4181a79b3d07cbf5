"""The analysis plan as the code applies it: every rule of our pooling and certainty rating, with its value. The
values are the protocol's (protocol.yaml, analysis), read through the same constants the pooling and the rating
use, so the plan the Methods print cannot drift from what runs."""
from __future__ import annotations

import pandas as pd

from ..data import protocol
from .contrasts import COMPARATOR_KINDS, NO_ADDED_EXERCISE, WINDOWS
from .grade import (HIGH_RISK_WEIGHT, I2_SERIOUS, INCONSISTENCY_MIN_TRIALS, PUBLICATION_BIAS_MIN_TRIALS,
                    SMALLEST_EFFECT_SMD, optimal_information_size)
from .pooling import INTERVALS, TAU2_METHODS
from .trial_pooling import FEW_TRIALS, PRIMARY_INTERVAL, PRIMARY_TAU2



def _windows() -> str:
    parts = []
    for low, high, label in WINDOWS:
        parts.append(f"{label} (over {low:g} weeks)" if high == float("inf") else f"{label} ({low:g} to {high:g} weeks)")
    return "; ".join(parts) + "; a stated range of time counts only when it lies inside one window"


def analysis_plan() -> pd.DataFrame:
    """One row per rule: the step it belongs to, what it decides, and its value."""
    comparators = "; ".join(COMPARATOR_KINDS[k] for k in NO_ADDED_EXERCISE)
    rows = [
        ("Question", "comparators that count as no added exercise", comparators),
        ("Question", "comparators that are not pooled against exercise",
         "; ".join(v for k, v in COMPARATOR_KINDS.items() if k not in NO_ADDED_EXERCISE)),
        ("Trials", "designs", "controlled studies of an exercise programme in people with ALS, randomised or not, are "
                              "included; pooled: " + ", ".join(d.replace("_", " ") for d in protocol.load().pooled_designs)
                              + "; other designs are described, never pooled (the certainty would start low if the "
                              "protocol pooled a non-randomised study)"),
        ("Outcomes", "effect measure", "mean difference when every trial uses one scale; otherwise Hedges' g, signed "
                                       "so that a positive value favours exercise"),
        ("Outcomes", "one contrast per trial", "per outcome domain and window, on the scale most trials share"),
        ("Outcomes", "follow-up windows", _windows()),
        ("Numbers", "primary analysis", "numbers as stated (arm means with SDs, or a mean difference with its CI)"),
        ("Numbers", "baseline imbalance", "a trial whose arms differed at baseline gives its change from baseline where it "
                                          "reports one on the pooled scale, otherwise its final values, and the pooling "
                                          "says which" if protocol.load().imbalanced_baseline == "change_from_baseline"
         else "final values for every trial; trials with a baseline imbalance are left out in a sensitivity analysis"),
        ("Numbers", "secondary analysis", "adds rows usable only under an assumption the curator recorded with a reason"),
        ("Pooling", "model", f"random effects, {TAU2_METHODS[PRIMARY_TAU2]} τ², {INTERVALS[PRIMARY_INTERVAL]} 95% CI"),
        ("Pooling", "few trials", f"below {FEW_TRIALS} trials the fixed-effect estimate and the Wald interval are shown "
                                  "beside it; a wide interval is reported as too few data, never as no difference"),
        ("Pooling", "sensitivity analyses", "each trial left out in turn; stated numbers only; comparators without any "
                                            f"exercise ({', '.join(COMPARATOR_KINDS[k] for k in protocol.load().includes_some_exercise)} left out); trials at high risk "
                                            "of bias or with a baseline imbalance left out"),
        ("Certainty (GRADE)", "risk of bias", f"down one when trials at high risk by our judgement carry "
                                              f"{HIGH_RISK_WEIGHT:.0%} of the weight or more; two when any is critical"),
        ("Certainty (GRADE)", "inconsistency", f"from {INCONSISTENCY_MIN_TRIALS} trials on: down one when I² is "
                                               f"{I2_SERIOUS}% or more, or the prediction interval crosses no difference "
                                               "while the estimate does not"),
        ("Certainty (GRADE)", "indirectness", "down one when any comparator adds exercise"),
        ("Certainty (GRADE)", "imprecision", "down one when the 95% CI includes no difference; one more below the "
                                             f"optimal information size of {optimal_information_size()} participants "
                                             f"(a standardised difference of {SMALLEST_EFFECT_SMD:g}, 80% power, "
                                             "two-sided 5%)"),
        ("Certainty (GRADE)", "publication bias", f"assessed from {PUBLICATION_BIAS_MIN_TRIALS} trials on; "
                                                  "not assessable below"),
        ("Certainty (GRADE)", "harms", "an outcome of their own, not pooled: selective reporting of harms counts under "
                                       "risk of bias, fewer than two studies with per-arm counts under imprecision"),
        ("Synthesis without pooling", "modality groups", "aerobic or endurance; resistance; combined; respiratory muscle "
                                                         "training; stretching or range of motion; other (one row per "
                                                         "modality in the curated data)"),
    ]
    return pd.DataFrame(rows, columns=["step", "rule", "value"])
