"""Golden tests of the pooling module against published worked examples (metafor's way).

Expected numbers are metafor's: the BCG values from wviechtb/metafor tests/testthat/
test_misc_metan_vs_rma.uni_with_dat.bcg.r (commit d6da65ee; also checked there against Stata metan),
the Kacker values from statsmodels/stats/tests/results/results_meta.py (commit 276bc48, metafor output).
"""
import numpy as np
import pandas as pd
import pytest
from reference_data import BCG, KACKER_VI, KACKER_YI
from statsmodels.stats.meta_analysis import effectsize_2proportions
from tolerances import FULL_PRECISION, PRINTED_4DP

from alsreview.synthesis.pooling import pool


@pytest.fixture(scope="module")
def bcg():
    data = pd.DataFrame(BCG, columns=["trial", "author", "year", "tpos", "tneg", "cpos", "cneg"])
    yi, vi = effectsize_2proportions(data["tpos"], data["tpos"] + data["tneg"], data["cpos"], data["cpos"] + data["cneg"],
                                     statistic="risk-ratio")
    estimates = pd.DataFrame({"study_id": data["author"] + " " + data["year"].astype(str), "effect": yi, "variance": vi})
    return pool(estimates)


def test_bcg_fixed_effect(bcg):
    assert bcg["fe_estimate"] == pytest.approx(-0.4303, abs=PRINTED_4DP)   # res$beta, method="FE"
    assert bcg["fe_ci_lower"] == pytest.approx(-0.5097, abs=PRINTED_4DP)   # res$ci.lb
    assert bcg["fe_ci_upper"] == pytest.approx(-0.3509, abs=PRINTED_4DP)   # res$ci.ub
    assert bcg["fe_estimate"] / bcg["fe_se"] == pytest.approx(-10.6247, abs=PRINTED_4DP)  # res$zval
    assert bcg["q"] == pytest.approx(152.2330, abs=PRINTED_4DP)            # res$QE
    assert bcg["df"] == 12


def test_bcg_dersimonian_laird(bcg):
    assert bcg["re_estimate"] == pytest.approx(-0.7141, abs=PRINTED_4DP)   # res$beta, method="DL"
    assert bcg["re_ci_lower"] == pytest.approx(-1.0644, abs=PRINTED_4DP)   # res$ci.lb
    assert bcg["re_ci_upper"] == pytest.approx(-0.3638, abs=PRINTED_4DP)   # res$ci.ub
    assert bcg["re_estimate"] / bcg["re_se"] == pytest.approx(-3.9952, abs=PRINTED_4DP)  # res$zval
    assert bcg["tau2"] == pytest.approx(0.3088, abs=PRINTED_4DP)           # res$tau2
    assert 100 * bcg["i2"] == pytest.approx(92.1173, abs=PRINTED_4DP)      # res$I2 (percent)


def test_bcg_back_transformed(bcg):
    assert np.exp(bcg["fe_estimate"]) == pytest.approx(0.6503, abs=PRINTED_4DP)  # predict(res, transf=exp)
    assert np.exp(bcg["re_estimate"]) == pytest.approx(0.4896, abs=PRINTED_4DP)


def test_kacker_full_precision():
    result = pool(pd.DataFrame({"study_id": [f"lab{i}" for i in range(9)], "effect": KACKER_YI, "variance": KACKER_VI}))
    assert result["fe_estimate"] == pytest.approx(62.5833970939982, abs=FULL_PRECISION)   # exk1_fe.b
    assert result["fe_se"] == pytest.approx(0.107845705498231, abs=FULL_PRECISION)        # exk1_fe.se
    assert result["re_estimate"] == pytest.approx(62.3901386044504, abs=FULL_PRECISION)   # exk1_dl.b
    assert result["re_se"] == pytest.approx(0.245749668040304, abs=FULL_PRECISION)        # exk1_dl.se
    assert result["tau2"] == pytest.approx(0.288049246973751, abs=FULL_PRECISION)         # exk1_dl.tau2
    assert result["q"] == pytest.approx(24.801897741835, abs=FULL_PRECISION)              # exk1_dl.QE
    assert 100 * result["i2"] == pytest.approx(67.744403741711, abs=1e-7)                 # exk1_dl.I2
