"""Which arm a result favours is computed from the scale's direction and the CI, the same way everywhere."""
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from alsreview.data.favours import (
    DIRECTION_UNKNOWN,
    FAVOURS_CONTROL,
    FAVOURS_EXERCISE,
    NO_CLEAR_DIFFERENCE,
    NO_INTERVAL,
    favours,
    favours_column,
    null_value,
)
from alsreview.synthesis.reported import reported_analyses, summary_of_findings


def test_favours_follows_the_scale_direction():
    assert favours("mean difference", 0.46, 5.96, "higher") == FAVOURS_EXERCISE
    assert favours("mean difference", 0.46, 5.96, "lower") == FAVOURS_CONTROL
    assert favours("mean difference", -5.0, -1.0, "lower") == FAVOURS_EXERCISE
    assert favours("mean difference", -13.82, 1.31, "lower") == NO_CLEAR_DIFFERENCE
    assert favours("mean difference", -1.0, 0.0, "higher") == NO_CLEAR_DIFFERENCE  # touching zero is not excluding it
    assert favours("mean difference", 0.46, 5.96, None) == DIRECTION_UNKNOWN
    assert favours("mean difference", None, None, "higher") == NO_INTERVAL


def test_ratio_measures_use_one_as_no_difference():
    assert null_value("risk ratio") == 1.0 and null_value("mean difference") == 0.0
    assert favours("risk ratio", 0.5, 0.9, "lower") == FAVOURS_EXERCISE
    assert favours("odds ratio", 0.5, 1.2, "lower") == NO_CLEAR_DIFFERENCE


@given(lo=st.floats(-50, 50), width=st.floats(0, 50), better=st.sampled_from(["higher", "lower"]))
def test_favours_exercise_only_when_the_ci_excludes_no_difference(lo, width, better):
    hi = lo + width
    result = favours("mean difference", lo, hi, better)
    if lo <= 0 <= hi:
        assert result == NO_CLEAR_DIFFERENCE
    else:
        assert result in (FAVOURS_EXERCISE, FAVOURS_CONTROL)
        flipped = favours("mean difference", -hi, -lo, better)  # mirror the interval: the other arm is favoured
        assert {result, flipped} == {FAVOURS_EXERCISE, FAVOURS_CONTROL}


def test_every_pooled_finding_agrees_with_its_interval(tables):
    """The consistency check for the shipped pooled rows: SoF and analyses say 'favours exercise' exactly when
    the CI lies wholly on the side the scale calls better."""
    scale_better = tables["pooled_results"]["scale_id"].map(tables["scales"].set_index("scale_id")["better"])
    pooled = tables["pooled_results"].assign(_better=scale_better.fillna(tables["pooled_results"]["better"]))
    expected = [DIRECTION_UNKNOWN if b not in ("higher", "lower") else
                NO_INTERVAL if pd.isna(lo) else
                FAVOURS_EXERCISE if (b == "higher" and lo > 0) or (b == "lower" and hi < 0) else
                FAVOURS_CONTROL if (b == "higher" and hi < 0) or (b == "lower" and lo > 0) else
                NO_CLEAR_DIFFERENCE for lo, hi, b in zip(pooled["ci_lower"], pooled["ci_upper"], pooled["_better"])]
    assert list(favours_column(pooled, tables["scales"])) == expected
    analyses = reported_analyses(tables["pooled_results"], tables["scales"])
    sof = summary_of_findings(tables["pooled_results"], tables["scales"])
    assert set(analyses["finding"]) | set(sof["finding"]) <= {FAVOURS_EXERCISE, FAVOURS_CONTROL, NO_CLEAR_DIFFERENCE,
                                                              NO_INTERVAL, DIRECTION_UNKNOWN}


def test_a_row_without_a_known_scale_is_never_said_to_favour_anyone():
    rows = pd.DataFrame({"effect_measure": ["mean difference"], "ci_lower": [1.0], "ci_upper": [2.0], "scale_id": ["nope"]})
    scales = pd.DataFrame({"scale_id": ["alsfrs"], "better": ["higher"]})
    assert list(favours_column(rows, scales)) == [DIRECTION_UNKNOWN]


def test_scale_directions_agree_with_what_the_review_prints(tables):
    """Where the review's own measure text says which way is better, the scale row says the same."""
    pooled = tables["pooled_results"]
    better = pooled["scale_id"].map(tables["scales"].set_index("scale_id")["better"])
    stated = pooled["measure"].str.extract(r"(higher|lower) = better")[0]
    checked = stated.notna()
    assert checked.sum() >= 3  # ALSFRS, SF-36 and FSS at least
    assert (stated[checked] == better[checked]).all()
