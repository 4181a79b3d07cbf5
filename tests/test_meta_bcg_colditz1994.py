"""Golden tests of the pooling module against published worked examples (metafor's way).

Expected numbers are metafor's: the BCG values from wviechtb/metafor tests/testthat/
test_misc_metan_vs_rma.uni_with_dat.bcg.r (commit d6da65ee; also checked there against Stata metan),
the Kacker values from statsmodels/stats/tests/results/results_meta.py (commit 276bc48, metafor output).
"""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import effectsize_2proportions

from alsreview.meta import pool, pooling_table, study_estimates
from reference_data import BCG, KACKER_VI, KACKER_YI
from tolerances import FULL_PRECISION, PRINTED_4DP


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


def outcome(study, **kw):
    base = dict(study_id=study, outcome_id=f"{study}-a-1", domain="functional_rating", measure="ALSFRS", time_point="6 months",
                n_exercise=None, mean_exercise=None, sd_exercise=None, n_control=None, mean_control=None, sd_control=None,
                effect_measure=None, effect=None, ci_lower=None, ci_upper=None)
    base.update(kw)
    return base


def test_study_estimates_from_groups_and_from_ci():
    frame = pd.DataFrame([
        outcome("a2020", n_exercise=10, mean_exercise=30.0, sd_exercise=4.0, n_control=10, mean_control=27.0, sd_control=5.0),
        outcome("b2021", effect_measure="mean difference", effect=2.0, ci_lower=0.04, ci_upper=3.96),
        outcome("c2022", effect_measure="percent difference", effect=6.1, ci_lower=-8.58, ci_upper=20.79),
        outcome("d2023", effect=None),
    ])
    est = study_estimates(frame)
    assert list(est["study_id"]) == ["a2020", "b2021"]
    assert est["effect"].tolist() == pytest.approx([3.0, 2.0])
    assert est["variance"].tolist() == pytest.approx([16 / 10 + 25 / 10, (3.92 / (2 * 1.959963984540054)) ** 2])


def test_pooling_table_pools_or_says_why():
    frame = pd.DataFrame([
        outcome("a2020", n_exercise=10, mean_exercise=30.0, sd_exercise=4.0, n_control=10, mean_control=27.0, sd_control=5.0),
        outcome("b2021", effect_measure="mean difference", effect=2.0, ci_lower=0.04, ci_upper=3.96),
        outcome("c2022", domain="fatigue", measure="FSS"),
        outcome("d2023", domain="survival", measure="lifespan", effect_measure="mean difference", effect=5.0, ci_lower=1.0, ci_upper=9.0),
    ])
    table = pooling_table(frame).set_index("domain")
    assert table.loc["functional_rating", "status"] == "pooled (2 studies)"
    assert table.loc["functional_rating", "fe_estimate"] == pytest.approx(
        (3.0 / 4.1 + 2.0 / 1.0) / (1 / 4.1 + 1 / 1.0), rel=1e-3)
    assert table.loc["fatigue", "status"].startswith("not pooled: no study gives an estimate")
    assert table.loc["survival", "status"].startswith("not pooled: fewer than two studies")


def test_shipped_data_never_pools_without_estimates(tables):
    table = pooling_table(tables["outcomes"])
    assert set(table["domain"]) == set(tables["outcomes"]["domain"])
    pooled = table.loc[table["status"].str.startswith("pooled")]
    estimates = study_estimates(tables["outcomes"])
    for row in pooled.itertuples():
        assert estimates.loc[(estimates["domain"] == row.domain) & (estimates["measure"] == row.measure), "study_id"].nunique() >= 2
