"""The protocol's baseline-imbalance rule (analysis.pooling.imbalanced_baseline): a trial whose arms differed at
baseline gives its change from baseline where it reports one on the pooled scale, and the pooling records which
values each trial gave."""
import pandas as pd

from alsreview.synthesis.contrasts import CONTRAST_COLUMNS, prefer_change_when_imbalanced
from alsreview.synthesis.trial_pooling import pooled_trials


def contrast(study, outcome, kind, effect, imbalance=""):
    row = dict.fromkeys(CONTRAST_COLUMNS, "")
    row.update(study_id=study, outcome_id=outcome, domain="functional_rating", scale="alsfrs_r", better="higher",
               window="4 to 6 months", n_exercise=20, n_control=20, effect=effect, variance=4.0,
               change_or_final=kind, baseline_imbalance=imbalance)
    return row


def test_an_imbalanced_trial_gives_its_change_and_the_pooling_says_so():
    rows = pd.DataFrame([contrast("a2019", "a-1", "final_value", 3.0),
                         contrast("b2018", "b-1", "final_value", 4.6, "yes"),
                         contrast("b2018", "b-2", "change_from_baseline", 1.6, "yes"),
                         contrast("c2020", "c-1", "change_from_baseline", 2.0)])
    ordered = prefer_change_when_imbalanced(rows)
    assert ordered["outcome_id"].tolist() == ["a-1", "b-2", "b-1", "c-1"]  # trials keep their order
    pooled = pooled_trials(ordered).iloc[0]
    assert pooled["k"] == 3 and "b-1" in pooled["not_used"]
    assert pooled["values_used"] == ("a2019: final values; b2018: change from baseline; "
                                     "c2020: change from baseline")


def test_without_a_change_row_the_imbalance_is_recorded_beside_the_final_values():
    rows = pd.DataFrame([contrast("a2019", "a-1", "final_value", 3.0),
                         contrast("b2018", "b-1", "final_value", 4.6, "yes")])
    pooled = pooled_trials(prefer_change_when_imbalanced(rows)).iloc[0]
    assert pooled["values_used"].endswith("b2018: final values despite a baseline imbalance (no change from "
                                          "baseline on this scale)")
