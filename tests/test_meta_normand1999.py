"""Golden tests of the pooling engine on a published continuous example: mean differences in length of stay.

Normand SLT (1999), Meta-analysis: formulating, evaluating, combining, and reporting. Stat Med 18:321-359.
The per-trial mean differences and variances follow the paper's Table VIII (pooled SD per trial); the pooled
fixed-effect, DerSimonian-Laird and REML results are those printed in Table IX (page 352), as reproduced in
metafor's tests/testthat/test_analysis_example_normand1999.r (commit 0d037744). The HKSJ check uses metafor output
for the Kacker example stored in statsmodels' results_meta.py (exk1_dl_hksj, commit 276bc48).
"""
import numpy as np
import pandas as pd
import pytest
from reference_data import KACKER_VI, KACKER_YI, NORMAND
from tolerances import FULL_PRECISION, PRINTED_2DP

from alsreview.synthesis.pooling import pool, random_effects, reml_tau2


@pytest.fixture(scope="module")
def normand():
    data = pd.DataFrame(NORMAND, columns=["source", "n1", "m1", "sd1", "n2", "m2", "sd2"])
    pooled_sd2 = ((data.n1 - 1) * data.sd1 ** 2 + (data.n2 - 1) * data.sd2 ** 2) / (data.n1 + data.n2 - 2)
    return pd.DataFrame({"study_id": data["source"], "effect": (data.m1 - data.m2).astype(float),
                         "variance": pooled_sd2 * (1 / data.n1 + 1 / data.n2)})


def test_normand_study_level_values(normand):
    assert normand["effect"].tolist() == [-20, -2, -55, -71, -4, 1, 11, -10, 7]            # Table VIII
    assert normand["variance"].round(2).tolist() == [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]


def test_normand_fixed_effect(normand):
    result = pool(normand)
    assert result["fe_estimate"] == pytest.approx(-3.49, abs=PRINTED_2DP)      # Table IX
    assert result["fe_ci_lower"] == pytest.approx(-5.03, abs=PRINTED_2DP)
    assert result["fe_ci_upper"] == pytest.approx(-1.96, abs=PRINTED_2DP)


def test_normand_dersimonian_laird(normand):
    result = pool(normand, tau2_method="dl")
    assert result["re_estimate"] == pytest.approx(-14.10, abs=PRINTED_2DP)     # Table IX
    assert result["re_ci_lower"] == pytest.approx(-24.45, abs=PRINTED_2DP)
    assert result["re_ci_upper"] == pytest.approx(-3.75, abs=PRINTED_2DP)
    assert result["tau2"] == pytest.approx(218.72, abs=PRINTED_2DP)


def test_normand_reml(normand):
    result = pool(normand, tau2_method="reml")
    assert result["tau2"] == pytest.approx(685.20, abs=PRINTED_2DP)            # Table IX
    assert result["re_estimate"] == pytest.approx(-15.12, abs=PRINTED_2DP)
    assert result["re_ci_lower"] == pytest.approx(-32.67, abs=PRINTED_2DP)
    assert result["re_ci_upper"] == pytest.approx(2.43, abs=PRINTED_2DP)


def test_kacker_hartung_knapp():
    estimates = pd.DataFrame({"study_id": [f"lab{i}" for i in range(9)], "effect": KACKER_YI, "variance": KACKER_VI})
    result = pool(estimates, tau2_method="dl", interval="hksj")
    assert result["re_estimate"] == pytest.approx(62.3901386044504, abs=FULL_PRECISION)  # exk1_dl_hksj.b
    assert result["re_se"] == pytest.approx(0.29477605699879, abs=1e-9)                 # exk1_dl_hksj.se
    assert result["re_ci_lower"] == pytest.approx(61.710383798052, abs=1e-9)            # exk1_dl_hksj.ci_lb
    assert result["re_ci_upper"] == pytest.approx(63.0698934108488, abs=1e-9)           # exk1_dl_hksj.ci_ub


def test_reml_is_zero_without_heterogeneity():
    effects = np.array([1.0, 1.0, 1.0])
    assert reml_tau2(effects, np.array([0.5, 1.0, 2.0])) == 0.0


def test_prediction_interval_needs_three_studies_and_contains_the_ci():
    two = random_effects(np.array([1.0, 2.0]), np.array([0.1, 0.2]), 0.3, "hksj")
    assert two["pi_lower"] is None and two["pi_upper"] is None
    three = random_effects(np.array([1.0, 2.0, 4.0]), np.array([0.1, 0.2, 0.3]), 0.5, "hksj")
    assert three["pi_lower"] < three["re_ci_lower"] < three["re_estimate"] < three["re_ci_upper"] < three["pi_upper"]


def test_unknown_method_is_refused(normand):
    with pytest.raises(ValueError):
        pool(normand, tau2_method="sj")


def test_moment_tau2_is_never_negative():
    """With Q below its degrees of freedom the DL moment estimate is negative; a variance is truncated at zero."""
    result = pool(pd.DataFrame({"study_id": ["a", "b"], "effect": [3.0, 2.0], "variance": [4.1, 1.0]}))
    assert result["tau2"] == 0.0
    assert result["re_estimate"] == pytest.approx(result["fe_estimate"])
    assert result["re_ci_lower"] == pytest.approx(result["fe_ci_lower"])


def test_hksj_never_narrower_than_wald_when_trials_agree():
    agreeing = np.array([2.0, 2.0, 2.0])
    variances = np.array([1.0, 1.0, 1.0])
    hksj = random_effects(agreeing, variances, 0.0, "hksj")
    wald = random_effects(agreeing, variances, 0.0, "wald")
    assert hksj["re_se"] == pytest.approx(wald["re_se"])
    assert hksj["re_ci_upper"] - hksj["re_ci_lower"] > wald["re_ci_upper"] - wald["re_ci_lower"]   # t, not z
