"""The explorer's pooling engine (report/pooling.js) against the review's (alsreview.synthesis.pooling and
trial_pooling), in Node: the t quantile against scipy, the pooled numbers against pool() on random designs, and
the choice of one contrast per trial and of the measure against pooled_trials(). The same engine is compared
again inside the rendered page in tests/test_explorer_pooling_browser.py."""
from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alsreview.data.paths import PROJ_ROOT
from alsreview.synthesis.pooling import SETTINGS, Z95, pool
from alsreview.synthesis.trial_pooling import pooled_trials

SCRIPT = PROJ_ROOT / "report" / "pooling.js"
MODELS = [("fe", "wald"), ("reml", "wald"), ("reml", "hksj"), ("reml", "knha")]
COMPARED = ["re_estimate", "re_ci_lower", "re_ci_upper", "tau2", "i2", "pi_lower", "pi_upper", "fe_estimate", "q"]


def run_js(expression: str, payload) -> object:
    """Evaluates `expression` in Node with P = pooling.js and x = payload, and returns its JSON value."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    program = (f"const P = require({json.dumps(str(SCRIPT))}); let text = ''; process.stdin.on('data', d => text += d);"
               f"process.stdin.on('end', () => {{ const x = JSON.parse(text); console.log(JSON.stringify({expression})); }});")
    result = subprocess.run([node, "-e", program], input=json.dumps(payload), capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def close(got, want, tol: float) -> bool:
    if want is None or (isinstance(want, float) and np.isnan(want)):
        return got is None
    return got is not None and abs(got - want) <= tol * max(1.0, abs(want))


def test_the_constants_are_the_review_engines():
    from alsreview.data import favours

    z95, xtol, bracket, words = run_js("[P.Z95, P.TAU2_XTOL, P.REFINE_BRACKET, P.FAVOURS]", None)
    assert (z95, xtol, bracket) == (Z95, SETTINGS["tau2_xtol"], SETTINGS["refine_bracket"])
    assert words == {"exercise": favours.FAVOURS_EXERCISE, "control": favours.FAVOURS_CONTROL,
                     "none": favours.NO_CLEAR_DIFFERENCE, "unknown": favours.DIRECTION_UNKNOWN}


PROBABILITIES = [0.975, 0.025, 0.995, 0.9, 0.75, 0.6, 0.999, 0.001]


def test_t_quantile_matches_scipy_for_1_to_50_degrees_of_freedom():
    cases = [[p, df] for p in PROBABILITIES for df in range(1, 51)] + [[0.975, df] for df in (0.5, 2.5, 75, 120, 1000)]
    got = run_js("x.map(([p, df]) => P.tQuantile(p, df))", cases)
    for (p, df), value in zip(cases, got):
        want = stats.t.ppf(p, df)
        assert abs(value - want) <= 1e-9 * max(1.0, abs(want)), (p, df, value, want)


def random_designs(n: int, seed: int) -> list[dict]:
    """k = 2..12, effects from near zero to hundreds, homogeneous to very heterogeneous, every model in turn."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(2, 13))
        scale = 10 ** rng.uniform(-2, 2)
        variances = (scale * rng.uniform(0.05, 3, k)) ** 2
        effects = rng.normal(rng.normal(0, scale), scale * rng.choice([0, 0.3, 1, 4]), k) + rng.normal(0, np.sqrt(variances))
        tau2, interval = MODELS[i % len(MODELS)]
        out.append({"y": effects.tolist(), "v": variances.tolist(), "tau2": tau2, "interval": interval})
    return out


def test_pooled_numbers_match_the_review_engine_on_random_designs():
    designs = random_designs(240, seed=26)
    got = run_js("x.map(d => P.pool(d.y, d.v, {tau2: d.tau2, interval: d.interval}))", designs)
    zero_tau2 = 0
    for design, result in zip(designs, got):
        want = pool(pd.DataFrame({"effect": design["y"], "variance": design["v"]}), design["tau2"], design["interval"])
        zero_tau2 += want["tau2"] == 0 and design["tau2"] == "reml"
        for key in COMPARED:
            assert close(result[key], want[key], 1e-9), (key, result[key], want[key], design)
    assert zero_tau2 >= 5  # the boundary at tau² = 0 is exercised


def contrast(study, scale, effect, variance, better="higher", arms=None, **extra):
    row = {"study_id": study, "outcome_id": f"{study}-{scale}-{effect}", "domain": "fatigue", "window": "up to 3 months",
           "scale": scale, "better": better, "effect": effect, "variance": variance, "assumption": ""}
    n_e, m_e, sd_e, n_c, m_c, sd_c = arms or (20, effect, 5.0, 20, 0.0, 5.0)
    row.update(n_exercise=n_e, mean_exercise=m_e, sd_exercise=sd_e, n_control=n_c, mean_control=m_c, sd_control=sd_c)
    return {**row, **extra}


def with_smd(rows: list[dict]) -> list[dict]:
    """Each contrast with its Hedges' g signed towards exercise, as explorer_pooling exports it."""
    from alsreview.synthesis.trial_pooling import standardised

    out = []
    for row in rows:
        g = standardised(pd.DataFrame([row])) if row["better"] in ("higher", "lower") else None
        out.append({**row, "smd": None if g is None else float(g["effect"].iloc[0]),
                    "smd_variance": None if g is None else float(g["variance"].iloc[0])})
    return out


CHOICE_CASES = {
    "one scale: mean difference": [contrast("a", "fss", -3.0, 2.0, "lower"), contrast("b", "fss", -1.0, 1.5, "lower"),
                                   contrast("c", "fss", -4.5, 3.0, "lower")],
    "two scales: standardised": [contrast("a", "fss", -3.0, 2.0, "lower", (15, 30.0, 8.0, 15, 33.0, 9.0)),
                                 contrast("b", "mfis", -6.0, 8.0, "lower", (22, 40.0, 12.0, 20, 46.0, 11.0)),
                                 contrast("c", "fss", 1.0, 2.5, "lower", (18, 35.0, 7.0, 18, 34.0, 7.5))],
    "shared scale wins over row order": [contrast("a", "vas", 2.0, 1.0), contrast("a", "fss", -2.0, 1.2, "lower"),
                                         contrast("b", "fss", -1.0, 0.8, "lower"), contrast("c", "fss", -0.5, 2.0, "lower")],
}


@pytest.mark.parametrize("name", CHOICE_CASES)
def test_one_contrast_per_trial_and_the_measure_follow_pooled_trials(name):
    rows = with_smd(CHOICE_CASES[name])
    got = run_js("P.analyse(x, {tau2: 'reml', interval: 'hksj'})", rows)
    want = pooled_trials(pd.DataFrame(rows)).iloc[0]
    assert got["measure"] == want["effect_measure"]
    assert [r["study_id"] for r in got["rows"]] == want["trials"].split("; ")
    assert sorted(r["outcome_id"] for r in got["unused"]) == sorted(filter(None, want["not_used"].split("; ")))
    for key in ("re_estimate", "re_ci_lower", "re_ci_upper", "tau2"):
        assert close(got["result"][key], want[key], 1e-9), key
    assert close(got["result"]["i2"], want["i2"] / 100, 1e-9)
    assert got["result"]["favours"] == want["favours"]


def test_one_trial_is_its_own_estimate_and_mixed_scales_without_arm_data_are_not_pooled():
    single = run_js("P.analyse(x, {})", [contrast("a", "fss", -3.0, 4.0, "lower")])
    assert single["status"] == "single" and single["result"] is None
    assert single["rows"][0]["ci_lower"] == pytest.approx(-3.0 - Z95 * 2.0, abs=1e-12)
    mixed = [{**c, "smd": None, "smd_variance": None} for c in with_smd(CHOICE_CASES["two scales: standardised"])]
    assert run_js("P.analyse(x, {}).status", mixed) == "scales"
    assert run_js("P.favours(0.2, 1.5, 'lower')", None) == "favours control"
    assert run_js("P.favours(-0.2, 1.5, 'higher')", None) == "no clear difference"
    assert run_js("P.favours(0.2, 1.5, '')", None).startswith("not known")
