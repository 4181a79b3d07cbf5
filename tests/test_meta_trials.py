"""Our pooling of controlled trials: which contrasts qualify, how scales and time points are grouped."""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import effectsize_smd

from alsreview.synthesis.contrasts import time_window, trial_contrasts
from alsreview.synthesis.pooling import pool
from alsreview.synthesis.trial_pooling import pooled_trials, sensitivity_without

ARMS = pd.DataFrame([
    {"arm_id": "a2020-ex", "comparator_kind": None}, {"arm_id": "a2020-uc", "comparator_kind": "usual_care_no_exercise"},
    {"arm_id": "b2021-ex", "comparator_kind": None}, {"arm_id": "b2021-sham", "comparator_kind": "sham"},
    {"arm_id": "c2022-ex", "comparator_kind": None}, {"arm_id": "c2022-other", "comparator_kind": "other_exercise"},
])
SCALES = pd.DataFrame([{"scale_id": "alsfrs_r", "better": "higher"}, {"scale_id": "fss", "better": "lower"},
                       {"scale_id": "mfis", "better": "lower"}])


def row(study, comparator, scale="alsfrs_r", time_point="12 weeks", spread="sd", **numbers):
    base = {"study_id": study, "outcome_id": f"{study}-ex-{scale}", "arm_id": f"{study}-ex", "comparator_arm_id": comparator,
            "domain": "functional_rating" if scale == "alsfrs_r" else "fatigue", "measure": scale, "scale_id": scale,
            "time_point": time_point, "spread_type": spread, "effect_measure": None, "effect": None, "ci_lower": None,
            "ci_upper": None, "n_exercise": None, "mean_exercise": None, "sd_exercise": None, "n_control": None,
            "mean_control": None, "sd_control": None}
    return {**base, **numbers}


ARM_NUMBERS = dict(n_exercise=12, mean_exercise=36.0, sd_exercise=5.0, n_control=10, mean_control=33.0, sd_control=6.0)


def test_time_windows():
    assert time_window("12 weeks") == "up to 3 months"
    assert time_window("3 months") == "up to 3 months"
    assert time_window("24 weeks") == "4 to 6 months"
    assert time_window("6 months") == "4 to 6 months"
    assert time_window("1 year") == "over 6 months"
    assert time_window("end of training") == ""


def test_a_time_range_has_a_window_only_inside_one_and_is_never_set_beside_another():
    """Cheng 2024 pools ALSFRS over '0-4 months': that range crosses from the first window into the second, so it
    is not compared with our 4 to 6 month estimate; a range inside one window keeps it."""
    from alsreview.synthesis.contrasts import SPANS_WINDOWS
    from alsreview.synthesis.reported import beside_published

    assert time_window("0-4 months") == SPANS_WINDOWS and time_window("5-8 months") == SPANS_WINDOWS
    assert time_window("9-12 months") == "over 6 months" and time_window("1–2 months") == "up to 3 months"
    ours = pd.DataFrame([{"domain": "functional_rating", "window": "4 to 6 months", "effect_measure": "mean difference",
                          "k": 2, "participants": 108, "re_estimate": 4.3, "re_ci_lower": -13.3, "re_ci_upper": 21.9,
                          "i2": 0.0}])
    published = pd.DataFrame([{"domain": "functional_rating", "time_point": t, "study_id": "cheng2024", "analysis": "1",
                               "effect_measure": "mean difference", "n_studies": None, "n_participants": None,
                               "effect": 3.36, "ci_lower": 0.82, "ci_upper": 5.91} for t in ("0-4 months", "5 months")])
    beside = beside_published(ours, published).set_index("time_point")
    assert beside.loc["0-4 months", "window"] == SPANS_WINDOWS and beside.loc["5 months", "window"] == "4 to 6 months"


def test_only_no_added_exercise_comparators_with_stated_sd_count():
    outcomes = pd.DataFrame([
        row("a2020", "a2020-uc", **ARM_NUMBERS),
        row("b2021", "b2021-sham", spread="unstated_plus_minus", **ARM_NUMBERS),   # '±' of unknown kind: not an SD
        row("c2022", "c2022-other", **ARM_NUMBERS),                                   # stretching is added exercise
    ])
    contrasts = trial_contrasts(outcomes, ARMS, SCALES)
    assert contrasts["study_id"].tolist() == ["a2020"]
    assert contrasts.loc[0, "effect"] == pytest.approx(3.0)
    assert contrasts.loc[0, "variance"] == pytest.approx(25 / 12 + 36 / 10)


def test_one_scale_pools_as_mean_difference_with_reml_and_hksj():
    outcomes = pd.DataFrame([
        row("a2020", "a2020-uc", **ARM_NUMBERS),
        row("b2021", "b2021-sham", effect_measure="mean difference", effect=1.0, ci_lower=-1.0, ci_upper=3.0),
    ])
    contrasts = trial_contrasts(outcomes, ARMS, SCALES)
    table = pooled_trials(contrasts)
    assert len(table) == 1
    result = table.iloc[0]
    expected = pool(contrasts, tau2_method="reml", interval="hksj")
    assert result["effect_measure"] == "mean difference" and result["k"] == 2
    assert result["re_estimate"] == pytest.approx(expected["re_estimate"])
    assert result["re_ci_lower"] == pytest.approx(expected["re_ci_lower"])
    assert result["pi_lower"] is None or np.isnan(result["pi_lower"])    # two trials: no prediction interval
    assert result["favours"] in {"favours exercise", "no clear difference", "favours control"}


def test_different_scales_pool_as_smd_signed_towards_exercise():
    tired = dict(n_exercise=15, mean_exercise=30.0, sd_exercise=8.0, n_control=15, mean_control=40.0, sd_control=9.0)
    outcomes = pd.DataFrame([row("a2020", "a2020-uc", scale="fss", **tired), row("b2021", "b2021-sham", scale="mfis", **tired)])
    table = pooled_trials(trial_contrasts(outcomes, ARMS, SCALES))
    result = table.iloc[0]
    g, _ = effectsize_smd(30.0, 8.0, 15, 40.0, 9.0, 15)
    assert result["effect_measure"] == "standardised mean difference"
    assert result["re_estimate"] == pytest.approx(-g)       # less fatigue is better: shown as a positive effect
    assert result["re_estimate"] > 0


def test_fewer_than_two_trials_and_sensitivity_drop():
    outcomes = pd.DataFrame([row("a2020", "a2020-uc", **ARM_NUMBERS), row("b2021", "b2021-sham", **ARM_NUMBERS)])
    contrasts = trial_contrasts(outcomes, ARMS, SCALES)
    assert len(pooled_trials(contrasts)) == 1
    assert sensitivity_without(contrasts, {"b2021"}).empty


def test_forest_says_which_side_favours_exercise():
    from alsreview.synthesis.forest import plot_trial_forests

    outcomes = pd.DataFrame([row("a2020", "a2020-uc", scale="fss", **ARM_NUMBERS), row("b2021", "b2021-sham", scale="fss", **ARM_NUMBERS)])
    contrasts = trial_contrasts(outcomes, ARMS, SCALES)
    fig = plot_trial_forests([(contrasts, pooled_trials(contrasts).iloc[0], "Fatigue")])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "\u2190 favours exercise" in texts and "favours control \u2192" in texts     # FSS: lower is better


def test_assumptions_are_used_only_in_the_secondary_analysis_and_only_with_a_reason():
    from alsreview.synthesis.contrasts import trial_candidates

    bare = row("b2021", "b2021-sham", spread="unstated_plus_minus", **{**ARM_NUMBERS, "n_exercise": None, "n_control": None})
    reasoned = {**bare, "spread_as_sd_reason": "as an SE it would imply an SD wider than the scale",
                "n_from_randomised_reason": "no dropouts reported"}
    arms = ARMS.assign(n_randomised=[None, None, 30, 30, None, None])
    assert trial_contrasts(pd.DataFrame([bare]), arms, SCALES, assumptions=True).empty
    assert trial_contrasts(pd.DataFrame([reasoned]), arms, SCALES).empty          # primary analysis: stated facts only
    contrasts = trial_contrasts(pd.DataFrame([reasoned]), arms, SCALES, assumptions=True)
    assert len(contrasts) == 1 and contrasts.loc[0, "n_exercise"] == 30
    assert "read as SD" in contrasts.loc[0, "assumption"] and "n randomised" in contrasts.loc[0, "assumption"]
    why = trial_candidates(pd.DataFrame([reasoned]), arms, SCALES).loc[0, "reason"]
    assert why == "number analysed per arm not stated"


def test_candidates_say_why_a_row_is_not_pooled():
    from alsreview.synthesis.contrasts import trial_candidates

    outcomes = pd.DataFrame([row("c2022", "c2022-other", **ARM_NUMBERS), row("a2020", "a2020-uc", time_point="end of training", **ARM_NUMBERS),
                             row("b2021", "b2021-sham")])
    reasons = trial_candidates(outcomes, ARMS, SCALES).set_index("study_id")["reason"]
    assert reasons["c2022"] == "comparator is another exercise, not 'no added exercise'"
    assert reasons["a2020"].startswith("time point not stated")
    assert reasons["b2021"].startswith("no arm means")


def test_lunetta_braga_golden_pooling_by_all_three_methods(tables):
    """The one pooled analysis of the shipped data (functional rating, 4 to 6 months, with recorded assumptions):
    Lunetta 2016 and Braga 2018 from their curated arm means and SDs, by the three intervals of the few-trials rule.
    Each trial alone and the fixed-effect and Wald intervals exclude no difference; the Hartung-Knapp one, with t on
    one degree of freedom, is 12.7 standard errors wide."""
    from scipy import stats

    from alsreview.living.update import update_tables

    assumed = update_tables(tables, tables, "0.0.0")["assumed"].set_index("pool_id")
    row = assumed.loc["functional_rating-4_to_6_months"]
    assert row["trials"] == "lunetta2016; braga2018" and row["k"] == 2 and bool(row["few_trials"])
    lunetta = (32.8 - 28.7, 6.5 ** 2 / 30 + 7.5 ** 2 / 30)       # n randomised stands in for n analysed (recorded)
    braga = (34.1 - 29.5, 7.1 ** 2 / 24 + 7.7 ** 2 / 24)         # Braga Table 2, final values at 6 months
    contrasts = trial_contrasts(tables["outcomes"], tables["interventions"], tables["scales"], assumptions=True)
    used = contrasts.loc[(contrasts["window"] == "4 to 6 months") & (contrasts["scale"] == "alsfrs_r")]
    used = used.drop_duplicates("study_id")
    effects = dict(zip(used["study_id"], zip(used["effect"], used["variance"])))
    assert set(effects) == {"lunetta2016", "braga2018"}
    assert effects["lunetta2016"] == pytest.approx(lunetta, rel=1e-12)
    w = {s: 1 / v for s, (e, v) in effects.items()}
    fixed = sum(w[s] * effects[s][0] for s in w) / sum(w.values())
    se = (1 / sum(w.values())) ** 0.5
    assert row["tau2"] == 0
    assert row["fe_estimate"] == pytest.approx(fixed, rel=1e-12) and row["re_estimate"] == pytest.approx(fixed, rel=1e-12)
    assert (row["fe_ci_lower"], row["fe_ci_upper"]) == pytest.approx((fixed - 1.959963984540054 * se, fixed + 1.959963984540054 * se))
    assert (row["wald_ci_lower"], row["wald_ci_upper"]) == pytest.approx((row["fe_ci_lower"], row["fe_ci_upper"]))
    t1 = stats.t.ppf(0.975, 1)
    assert (row["re_ci_lower"], row["re_ci_upper"]) == pytest.approx((fixed - t1 * se, fixed + t1 * se))
    assert round(fixed, 2) == 4.31 and (round(row["re_ci_lower"], 2), round(row["re_ci_upper"], 2)) == (-13.25, 21.87)
    assert row["fe_ci_lower"] > 0 and row["re_ci_lower"] < 0
    assert effects["braga2018"] == pytest.approx(braga, rel=1e-12)


def test_the_stretching_comparator_sensitivity_analysis_follows_the_comparator_codes(tables):
    """Both pooled trials compared exercise with usual care that included stretching: counting only comparators
    without any exercise pools nothing, and says so; recoded as usual care without exercise, they pool again."""
    from alsreview.document.prose.update import pooling_passage
    from alsreview.living.update import update_tables

    names = tables["scales"].set_index("scale_id")["name"]
    update = update_tables(tables, tables, "0.0.0")
    assert len(update["assumed"]) == 1 and update["no_stretching"].empty
    assert "leaving out usual care that included stretching) left fewer than two trials" in pooling_passage(update, names)
    arms = tables["interventions"].copy()
    arms.loc[arms["comparator_kind"] == "usual_care_stretching", "comparator_kind"] = "usual_care_no_exercise"
    recoded = update_tables({**tables, "interventions": arms}, tables, "0.0.0")
    assert list(recoded["no_stretching"]["pool_id"]) == list(update["assumed"]["pool_id"])


def test_every_sensitivity_analysis_of_the_lunetta_braga_pooling_in_one_table(tables):
    """Leave-one-out gives each trial's own interval back (both exclude no difference); the variants that leave
    fewer than two trials say so rather than print an estimate."""
    from alsreview.living.update import update_tables

    table = update_tables(tables, tables, "test")["sensitivity_all"]
    rows = table.loc[table["pool_id"] == "functional_rating-4_to_6_months"].set_index(["analysis", "left_out"])
    alone = {left: rows.loc[("leave one out: one trial remains", left)] for left in ("lunetta2016", "braga2018")}
    assert alone["lunetta2016"]["trials"] == "braga2018" and alone["braga2018"]["trials"] == "lunetta2016"
    assert alone["lunetta2016"][["re_estimate", "re_ci_lower", "re_ci_upper"]].astype(float).round(2).tolist() == [4.60, 0.41, 8.79]
    assert alone["braga2018"][["re_estimate", "re_ci_lower", "re_ci_upper"]].astype(float).round(2).tolist() == [4.10, 0.55, 7.65]
    assert (alone["braga2018"]["favours"], alone["lunetta2016"]["favours"]) == ("favours exercise", "favours exercise")
    variants = table.loc[(table["pool_id"] == "functional_rating-4_to_6_months") & ~table["analysis"].str.startswith(("leave", "all"))]
    assert len(variants) == 3 and (variants["favours"] == "not estimable: fewer than two trials remain").all()
    assert variants["re_estimate"].isna().all()
