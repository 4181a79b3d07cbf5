"""The benchmark's synthetic studies (benchmarks/bench.py `grow`) pass the validator, so `make bench` measures the
chain on data the chain accepts: the generator broke silently once when the schema gained required fields."""
import sys

from alsreview.data.load import load_tables
from alsreview.data.paths import PROJ_ROOT
from alsreview.data.validate import validate

sys.path.insert(0, str(PROJ_ROOT / "benchmarks"))
from bench import grow  # noqa: E402


def test_grown_data_validates_and_holds_the_studies_asked_for(tmp_path):
    grow(tmp_path / "data", 160)
    assert [str(p) for p in validate(tmp_path / "data")][:5] == []
    tables = load_tables(tmp_path / "data")
    assert len(tables["studies"]) == 160
    synthetic = tables["studies"].loc[tables["studies"]["study_id"].str.startswith("synth")]
    assert (synthetic["evidence_type"] == "human_rct").any() and (synthetic["evidence_type"] == "animal_experiment").any()
    assert set(synthetic["study_id"]) <= set(tables["screening"]["study_id"].dropna())
