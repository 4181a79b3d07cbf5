"""The pooling engine against metafor on a grid: 4 designs (k = 5 to 20, equal and unequal precision, an extreme
case) x 5 estimators (FE, DL, HE, ML, REML) x 3 intervals (z, Knapp-Hartung, Knapp-Hartung with the ad hoc floor),
as pinned by PyMARE from R 4.4.1 / metafor 4.6.0 (tests/fixtures/metafor_grid/README.md).

Closed-form estimators agree to rtol 1e-9. ML and REML maximise a likelihood; metafor stops iterating at its own
convergence threshold, so the agreement asked of them (ITERATIVE_RTOL) is what that threshold allows."""
import json
from pathlib import Path

import pandas as pd
import pytest

from alsreview.synthesis.pooling import SETTINGS, pool

GRID = Path(__file__).parent / "fixtures" / "metafor_grid"
CASES = json.loads((GRID / "intercept_cases.json").read_text(encoding="utf-8"))["cases"]
DATA = pd.read_csv(GRID / "metafor_small_sample.csv")
CLOSED_FORM_RTOL = 1e-9
ITERATIVE_RTOL = 1e-4  # metafor's printed ML/REML tau² are converged to about 1e-5; ours to SETTINGS["tau2_xtol"]
ESTIMATOR = {"FE": "fe", "DL": "dl", "HE": "he", "ML": "ml", "REML": "reml"}
INTERVAL = {"z": "wald", "knha": "knha", "adhoc": "hksj"}


def close(mine: float, reference: float, rtol: float) -> bool:
    return abs(mine - reference) <= rtol * max(1.0, abs(reference))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['design']}-{c['method']}-{c['test']}" for c in CASES])
def test_engine_matches_metafor(case):
    rows = DATA.loc[DATA["case"] == case["design"]]
    estimates = pd.DataFrame({"study_id": [f"s{i}" for i in range(len(rows))], "effect": rows["y"], "variance": rows["v"]})
    result = pool(estimates, tau2_method=ESTIMATOR[case["method"]], interval=INTERVAL[case["test"]])
    rtol = ITERATIVE_RTOL if case["method"] in ("ML", "REML") else CLOSED_FORM_RTOL
    estimate = result["fe_estimate"] if case["method"] == "FE" and case["test"] == "z" else result["re_estimate"]
    pairs = {"tau2": (result["tau2"], case["tau2"]), "beta": (estimate, case["beta"][0]),
             "se": (result["re_se"], case["se"][0]), "ci_lb": (result["re_ci_lower"], case["ci_lb"][0]),
             "ci_ub": (result["re_ci_upper"], case["ci_ub"][0]), "QE": (result["q"], case["QE"]),
             "I2": (100 * result["i2"], case["I2"]), "H2": (result["h2"], case["H2"])}
    wrong = {name: (mine, ref) for name, (mine, ref) in pairs.items() if not close(mine, ref, rtol)}
    assert not wrong, wrong


def test_the_grid_is_whole_and_the_tolerance_is_stated_once():
    assert len(CASES) == 60
    assert {(c["method"], c["test"]) for c in CASES} == {(m, t) for m in ESTIMATOR for t in INTERVAL}
    assert SETTINGS["tau2_xtol"] <= 1e-8
