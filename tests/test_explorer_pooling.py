"""The pooling panel's data (alsreview.document.explorer_pooling): the review's own contrasts, standardised effects,
analyses and engine settings, exported for the page without a browser."""
import pandas as pd
import pytest

from alsreview.data.favours import side_labels
from alsreview.synthesis.bias import overall_by_study
from alsreview.synthesis.contrasts import candidates_of, usable_contrasts
from alsreview.synthesis.pooling import SETTINGS, Z95
from alsreview.synthesis.trial_pooling import FEW_TRIALS, pooled_trials, standardised
from alsreview.document.explorer_pooling import MODELS, pooling_data


@pytest.fixture(scope="module")
def exported(tables):
    return pooling_data(tables)


def test_every_usable_contrast_is_exported_with_its_assumption(tables, exported):
    candidates = candidates_of(tables)
    usable = candidates.loc[candidates["usable"]]
    records = pd.DataFrame(exported["contrasts"])
    assert list(records["outcome_id"]) == list(usable["outcome_id"])
    assert list(records["effect"]) == pytest.approx(list(usable["effect"]))
    assert list(records["variance"]) == pytest.approx(list(usable["variance"]))
    as_stated = usable_contrasts(candidates, assumptions=False)
    assert set(records.loc[records["assumption"] == "", "outcome_id"]) == set(as_stated["outcome_id"])
    rob = overall_by_study(tables["risk_of_bias"])
    for record in exported["contrasts"]:
        assert record["rob"] == rob.get(record["study_id"], "")
        assert record["rob_label"] and record["comparator_label"] and record["citation"]


def test_standardised_effects_are_the_reviews(tables, exported):
    candidates = candidates_of(tables)
    usable = candidates.loc[candidates["usable"]].set_index("outcome_id")
    for record in exported["contrasts"]:
        row = usable.loc[[record["outcome_id"]]].reset_index()
        g = standardised(row.astype({"n_exercise": float, "mean_exercise": float, "sd_exercise": float,
                                     "n_control": float, "mean_control": float, "sd_control": float}))
        if g is None:
            assert record["smd"] is None
        else:
            assert record["smd"] == pytest.approx(g["effect"].iloc[0], abs=1e-12)
            assert record["smd_variance"] == pytest.approx(g["variance"].iloc[0], abs=1e-12)


def test_the_reviews_analyses_come_along(tables, exported):
    candidates = candidates_of(tables)
    for analysis, assumptions in (("primary", False), ("secondary", True)):
        want = pooled_trials(usable_contrasts(candidates, assumptions))
        got = [r for r in exported["review"] if r["analysis"] == analysis]
        assert [r["pool_id"] for r in got] == list(want["pool_id"])
        for record, (_, row) in zip(got, want.iterrows()):
            assert record["re_estimate"] == pytest.approx(row["re_estimate"], abs=1e-12)
            assert record["i2"] == pytest.approx(row["i2"] / 100, abs=1e-12)
            assert record["trials"] == row["trials"].split("; ") and record["assumptions"] is assumptions
    assert any(r["analysis"] == "secondary" for r in exported["review"])  # the shipped data pool something


def test_settings_are_the_engines(exported):
    settings = exported["settings"]
    assert settings["z95"] == Z95 and settings["tau2_xtol"] == SETTINGS["tau2_xtol"]
    assert settings["few_trials"] == FEW_TRIALS and settings["primary_model"] == "reml-hksj"
    assert [m["code"] for m in settings["models"]] == [code for code, *_ in MODELS]
    assert settings["sides"]["lower"] == list(side_labels("lower"))
