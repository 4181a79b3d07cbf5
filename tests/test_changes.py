"""The 'what changed since the previous version' section is computed from recorded release snapshots, which
`alsreview snapshot` records only under a version the releases table accepts."""
import json
import re
import tomllib

import pandas as pd
import pytest
import yaml

from alsreview.cli import main
from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage
from alsreview.living.releases import previous_release, snapshot, what_changed


def test_what_changed_lists_studies_counts_estimates_and_conclusions(tables):
    old = snapshot(tables, "1.0.0")
    grown = {name: frame.copy() for name, frame in tables.items()}
    new_study = grown["studies"].iloc[[0]].assign(study_id="zeta2025", year=2025)
    grown["studies"] = pd.concat([grown["studies"], new_study], ignore_index=True)
    pooled = grown["pooled_results"]
    first = pooled.index[pooled["analysis"] == "SoF"][0]
    pooled.loc[first, ["effect", "ci_lower", "ci_upper"]] = [1.0, -0.5, 2.5]
    new = snapshot(grown, "1.1.0")
    changes = what_changed(old, new)
    assert changes["studies"].to_dict("records")[0]["study_id"] == "zeta2025"
    assert changes["counts"].set_index("count").loc["works in the dataset", "after"] == len(tables["studies"]) + 1
    assert len(changes["estimates"]) == 1 and changes["estimates"].iloc[0]["after"].startswith("1.00 [-0.50, 2.50]")
    assert changes["conclusions"].iloc[0]["after"].startswith("no clear difference")
    same = what_changed(new, new)
    assert all(frame.empty for frame in same.values())


def test_previous_release_is_the_newest_older_one(tables):
    releases = pd.concat([snapshot(tables, v) for v in ("0.1.0", "0.2.0", "0.10.0")], ignore_index=True)
    assert previous_release(releases, "0.10.0")["version"].unique().tolist() == ["0.2.0"]
    assert previous_release(releases, "0.1.0") is None


def test_release_version_is_the_same_in_pyproject_datapackage_and_citation():
    version = read_datapackage(DATA_DIR).descriptor["version"]
    citation = yaml.safe_load((PROJ_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert str(citation["version"]) == version == project["version"]


def set_version(data_dir, version):
    """Rewrite the descriptor's version in place, keeping its layout (the version stays on its line)."""
    path = data_dir / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    old = f'"version": {json.dumps(read_datapackage(data_dir).descriptor["version"])}'
    path.write_text(text.replace(old, f'"version": {json.dumps(version)}', 1), encoding="utf-8")


@pytest.mark.parametrize("version", ["../x", "1.0.0; touch F", "1.0.0\n", "v2"])
def test_snapshot_refuses_a_version_the_releases_table_would_reject(data_copy, capsys, version):
    set_version(data_copy, version)
    releases = (data_copy / "releases.csv").read_bytes()
    assert main(["--data-dir", str(data_copy), "snapshot"]) == 1
    out, err = capsys.readouterr()
    line = 1 + next(i for i, text in enumerate((data_copy / "datapackage.json").read_text().splitlines())
                    if text.strip().startswith('"version"'))
    assert out.splitlines() == [f"{data_copy / 'datapackage.json'}:{line}: version: {version!r}: malformed: a release "
                                "version must match ^[0-9]+\\.[0-9]+\\.[0-9]+$ (the rule of releases.version), "
                                "e.g. 1.2.3"]
    assert "nothing was built or written" in err and "Traceback" not in err
    assert (data_copy / "releases.csv").read_bytes() == releases
    assert sorted(p.name for p in data_copy.iterdir()) == sorted(p.name for p in DATA_DIR.iterdir())



def test_snapshot_appends_the_release_in_place(data_copy, capsys):
    version = read_datapackage(data_copy).descriptor["version"]
    recorded = (data_copy / "releases.csv").read_bytes()
    before = pd.read_csv(data_copy / "releases.csv", dtype=str)
    assert version not in set(before["version"]), "the shipped data already record the current release"
    assert main(["--data-dir", str(data_copy), "snapshot"]) == 0
    assert (data_copy / "releases.csv").read_bytes().startswith(recorded), "the recorded releases were rewritten"
    after = pd.read_csv(data_copy / "releases.csv", dtype=str)
    assert set(after.iloc[len(before):]["version"]) == {version}
    assert f"recorded release {version}" in capsys.readouterr().out
    assert sorted(p.name for p in data_copy.iterdir()) == sorted(p.name for p in DATA_DIR.iterdir())
