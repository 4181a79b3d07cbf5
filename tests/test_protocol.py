"""The protocol file: read and checked like data (file, line, key, value, rule), and the single source of the
analysis plan the pooling, the rating and the Methods apply."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from alsreview.data import protocol
from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.validate import validate
from alsreview.synthesis import contrasts, grade, trial_pooling
from alsreview.synthesis.plan import analysis_plan

SHIPPED = yaml.safe_load(protocol.PROTOCOL_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "protocol.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = protocol.PROTOCOL_FILE.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


def test_shipped_protocol_is_valid_and_wired_into_the_analysis():
    problems, plan = protocol.read()
    assert problems == [] and plan is not None
    assert contrasts.NO_ADDED_EXERCISE == tuple(SHIPPED["analysis"]["comparators"]["no_added_exercise"])
    assert [w[2] for w in contrasts.WINDOWS] == [w["label"] for w in SHIPPED["analysis"]["windows"]]
    assert (trial_pooling.PRIMARY_TAU2, trial_pooling.PRIMARY_INTERVAL) == (SHIPPED["analysis"]["pooling"]["tau2"],
                                                                           SHIPPED["analysis"]["pooling"]["interval"])
    assert trial_pooling.FEW_TRIALS == SHIPPED["analysis"]["pooling"]["few_trials"]
    assert grade.I2_SERIOUS == SHIPPED["analysis"]["certainty"]["i2_serious"]
    assert grade.HIGH_RISK_WEIGHT == SHIPPED["analysis"]["certainty"]["high_risk_weight"]


def test_validate_checks_the_protocol_against_the_data():
    assert validate(DATA_DIR) == []
    plan = protocol.load()
    problems = protocol.cross_check(plan, "protocol.yaml", ["usual_care_no_exercise", "sham"], ["not_als"], ["0.1.0", "9.9.9"])
    rules = {(p.column, p.value): p.rule for p in problems}
    assert "not a comparator_kind" in rules[("analysis.comparators.no_added_exercise", "usual_care_stretching")]
    assert "not a reason of screening.csv (not_als)" in rules[("eligibility P2.excludes", "not_exercise")]
    assert "has no entry here" in rules[("versions", "9.9.9")]


@pytest.mark.parametrize("old, new, key, rule", [
    ("tau2: reml", "tau2: remll", "analysis.pooling.tau2", "must be one of fe, dl, he, pm, ml, reml"),
    ("few_trials: 5", "few_trials: 1", "analysis.pooling.few_trials", "must be from 2 to 100"),
    ("few_trials: 5", "few_trials: five", "analysis.pooling.few_trials", "must be a whole number"),
    ("from_weeks: 13.5, to_weeks: 27.5", "from_weeks: 14, to_weeks: 27.5", "analysis.windows[1].from_weeks",
     "windows must follow one another: expected 13.5"),
    ("to_weeks: null}", "to_weeks: 60}", "analysis.windows", "the last window must be open"),
    ("- code: P2", "- code: P1", "eligibility[2].code", "criterion codes must be unique"),
    ("applies_to: animals", "applies_to: mice", "eligibility[5].applies_to", "must be one of people, animals"),
    ("date: 2026-11-26", "date: soon", "versions[1].date", "must be a date"),
    ("includes_some_exercise: [usual_care_stretching]", "includes_some_exercise: [other_exercise]",
     "analysis.comparators.includes_some_exercise[0]", "must also be in no_added_exercise"),
])
def test_a_broken_rule_is_named_with_its_line_key_value_and_rule(tmp_path, old, new, key, rule):
    path = edited(tmp_path, old, new)
    problems, plan = protocol.read(path)
    assert plan is None
    [problem] = [p for p in problems if p.column == key]
    assert rule in problem.rule
    text_line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert key.rsplit(".", 1)[-1].split("[")[0] in text_line or key.endswith("]")


def test_unreadable_or_malformed_files_are_problems_not_tracebacks(tmp_path):
    problems, _ = protocol.read(write(tmp_path, "review: [unclosed\n  kind: x\n"))
    assert problems[0].rule.startswith("not valid YAML") and problems[0].line >= 1
    problems, _ = protocol.read(write(tmp_path, "- just\n- a list\n"))
    assert problems[0].rule == "the protocol must be a mapping of sections"
    problems, _ = protocol.read(tmp_path / "missing.yaml")
    assert "cannot be read" in problems[0].rule
    with pytest.raises(protocol.DataError):
        protocol.load(tmp_path / "missing.yaml")


def test_a_changed_protocol_changes_the_plan_the_code_applies(tmp_path):
    """End to end in a copy of the project: the Methods' plan and the pooling constants follow the file."""
    root = tmp_path / "project"
    shutil.copytree(PROJ_ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    text = protocol.PROTOCOL_FILE.read_text(encoding="utf-8").replace("few_trials: 5", "few_trials: 7")
    (root / "protocol.yaml").write_text(text, encoding="utf-8")
    code = ("from alsreview.synthesis.plan import analysis_plan; from alsreview.synthesis import trial_pooling as t; "
            "p = analysis_plan().set_index('rule')['value']; print(t.FEW_TRIALS); print(p['few trials'])")
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "7" and out[1].startswith("below 7 trials")
    assert analysis_plan().set_index("rule").loc["few trials", "value"].startswith("below 5 trials")
