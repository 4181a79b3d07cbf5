"""The explorer page's data (alsreview.document.explorer), its vendored libraries and its script, without a browser.
The page itself is tested in a real browser in test_explorer_browser.py."""
import hashlib
import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from alsreview.data.labels import DIRECTION_COLOURS, POPULATION, short_citation
from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage
from alsreview.document.explorer import (
    COLUMNS,
    FILTERS,
    SEARCH_FIELDS,
    SHARED,
    code_meanings,
    dictionary_inputs,
    direction_meanings,
    explorer_rows,
    page_data,
    script_block,
)

VENDOR = PROJ_ROOT / "report" / "vendor"
SCRIPTS = ["pooling.js", "explorer-map.js", "explorer-pool.js", "explorer.js"]  # the page's own, in loading order
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"}


def test_one_row_per_outcome_carrying_its_own_arm_and_study(tables):
    rows = explorer_rows(tables)
    assert list(rows.columns) == COLUMNS
    assert sorted(rows["outcome_id"]) == sorted(tables["outcomes"]["outcome_id"])
    studies = tables["studies"].set_index("study_id")
    arms = tables["interventions"].set_index("arm_id")
    for row in rows.itertuples(index=False):
        assert row.year == studies.at[row.study_id, "year"]
        assert row.population == studies.at[row.study_id, "population"]
        assert row.population_label == POPULATION[row.population]
        assert row.study_source_url == studies.at[row.study_id, "source_url"]
        assert row.modality == arms.at[row.arm_id, "modality"]
        assert str(studies.at[row.study_id, "title"]).rstrip(".") in row.reference
    assert rows["year"].is_monotonic_increasing


def test_extra_columns_in_the_tables_change_nothing(tables):
    before = explorer_rows(tables)
    wider = {name: frame.assign(subgroup="x", exercise_role="y", arm_role="z", authors_conclusion="w")
             for name, frame in tables.items()}
    pd.testing.assert_frame_equal(explorer_rows(wider), before)


def test_short_citations():
    assert short_citation("Kirkinezos IG, Hernandez D, Bradley WG, Moraes CT", 2003) == "Kirkinezos et al. 2003"
    assert short_citation("Dal Bello-Haas V, Florence JM", 2013) == "Dal Bello-Haas and Florence 2013"
    assert short_citation("Cotman CW", 2002) == "Cotman 2002"
    assert short_citation("Ding YH, Luan XD et al.", 2004) == "Ding et al. 2004"
    assert short_citation("", None) == "Anonymous"


def test_filter_options_follow_the_data_dictionary_and_list_only_values_present(tables):
    package = read_datapackage(DATA_DIR)
    enums, definitions = dictionary_inputs(package)
    rows = explorer_rows(tables)
    data = page_data(rows, enums, definitions)
    assert [f["key"] for f in data["filters"]] == [column for column, _, _ in FILTERS]
    for spec in data["filters"]:
        codes = [o["value"] for o in spec["options"]]
        assert set(codes) == set(rows[spec["key"]].dropna())
        assert codes == [c for c in enums[spec["key"]] if c in codes]
    assert definitions == {"Model": package.resources["studies"].field("population").description}
    assert [code for code, _ in data["direction_colours"]][:len(enums["direction"])] == enums["direction"]
    assert data["years"] == [int(rows["year"].min()), int(rows["year"].max())]
    shared = {c for columns in SHARED.values() for c in columns}
    assert len(data["rows"]) == len(rows) and set(data["rows"][0]) == set(COLUMNS) - shared
    for key, columns in SHARED.items():
        assert set(data["shared"][key]) == set(rows[key])
        for _, row in rows.iterrows():  # what the page puts back on each row is that row's own value
            assert {c: data["shared"][key][row[key]][c] for c in columns} == {c: None if pd.isna(row[c]) else row[c] for c in columns}


def test_each_direction_has_its_own_meaning_from_the_data_dictionary():
    package = read_datapackage(DATA_DIR)
    field = package.resources["outcomes"].field("direction")
    meanings = direction_meanings(package)
    assert list(meanings) == list(field.enum)
    for code, text in meanings.items():
        assert text and f"{code}: {text}" in field.description
        assert not any(f"{other}:" in text for other in field.enum)
    assert code_meanings("intro. a: one thing. b_c: another.", ["a", "b_c"]) == {"a": "one thing.", "b_c": "another."}


def test_rows_carry_what_the_search_reads(tables):
    rows = explorer_rows(tables)
    assert {c for _, _, columns in SEARCH_FIELDS for c in columns} <= set(COLUMNS)
    for table, key, column in (("outcomes", "outcome_id", "notes"), ("interventions", "arm_id", "arm_notes"),
                               ("studies", "study_id", "study_notes")):
        notes = tables[table].set_index(key)["notes"].fillna("").str.strip()
        assert (rows[column] == rows[key].map(notes)).all(), column
    assert (rows["title"] == rows["study_id"].map(tables["studies"].set_index("study_id")["title"])).all()


def test_direction_colours_are_okabe_ito():
    assert set(DIRECTION_COLOURS.values()) <= OKABE_ITO
    assert len(set(DIRECTION_COLOURS.values())) == len(DIRECTION_COLOURS)


def test_data_from_the_tables_cannot_close_the_script_element(tables):
    rows = explorer_rows(tables)
    rows.loc[0, "finding"] = "</script><script>alert(1)</script> & <!-- done"
    block = script_block(page_data(rows))
    body = block.split('id="explorer-data">', 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in body
    assert json.loads(body)["rows"][0]["finding"] == rows.loc[0, "finding"]
    assert block.startswith("```{=html}\n") and block.endswith("</script>\n```\n")


def test_vendored_libraries_are_the_recorded_files_at_the_pinned_versions():
    pinned = json.loads((VENDOR / "package.json").read_text())["dependencies"]
    recorded = dict(line.split()[::-1] for line in (VENDOR / "files.sha256").read_text().splitlines())
    banners = {"d3.js": "d3", "htl.js": "htl", "inputs.js": "@observablehq/inputs", "plot.js": "@observablehq/plot"}
    assert set(recorded) == set(banners)
    for name, package in banners.items():
        text = (VENDOR / name).read_bytes()
        assert hashlib.sha256(text).hexdigest() == recorded[name], name
        assert re.search(rf"v{re.escape(pinned[package])}\b", text[:200].decode()), name
        assert (VENDOR / name.replace(".js", ".LICENSE")).is_file()


def test_explorer_page_loads_only_vendored_scripts_and_the_build_data():
    page = (PROJ_ROOT / "report" / "explorer.qmd").read_text(encoding="utf-8")
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert [s for s in sources if not s.startswith("vendor/")] == SCRIPTS
    assert "{{< include ../build/analysis/explorer/explorer-data.md >}}" in page
    assert "embed-resources: true" in page


@pytest.mark.parametrize("name", SCRIPTS)
def test_explorer_scripts_are_valid_javascript_and_write_no_raw_markup(name):
    script = (PROJ_ROOT / "report" / name).read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node is not on PATH: cannot syntax-check report/{name}")
    result = subprocess.run([node, "--check", str(PROJ_ROOT / "report" / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
