"""The shipped data: valid, complete by the coverage rules, and faithful to the seed's reference list."""
import re

import pytest
from conftest import SEED

from alsreview.data.paths import DATA_DIR
from alsreview.data.subset import is_exercise_study
from alsreview.data.validate import validate


def test_shipped_data_validate():
    assert validate(DATA_DIR) == []


def test_all_41_references_present_with_the_seeds_years(tables):
    if not SEED.is_file():
        pytest.skip(f"seed review not found at {SEED}")
    text = SEED.read_text(encoding="utf-8").split("Full Text:")[1].split("There are currently no refbacks")[0]
    references = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("•")]
    assert len(references) == 41
    studies = tables["studies"].dropna(subset=["ref_no"]).set_index("ref_no")
    assert sorted(studies.index) == list(range(1, 42))
    for number, line in enumerate(references, start=1):
        row = studies.loc[number]
        year = re.findall(r"\b(19[5-9]\d|20[0-2]\d)\b", line)
        assert int(row["year"]) == int(year[-1] if number != 35 and number != 36 else year[0]), (number, line)
        assert line.startswith(row["authors"].split(",")[0].split()[0]), (number, row["authors"])
        assert row["title"] in line


def test_every_primary_exercise_study_has_arms_and_outcomes(tables):
    studies = tables["studies"]
    primary = studies.loc[is_exercise_study(studies), "study_id"]
    assert len(primary) > 0
    assert set(primary) <= set(tables["interventions"]["study_id"])
    assert set(primary) <= set(tables["outcomes"]["study_id"])


# Records of our own work and our own rules (each row's basis says why), not facts read on a page.
LOGS_AND_SNAPSHOTS = {"searches", "screening", "releases", "modality_groups"}


def test_every_row_has_a_source(tables):
    assert set(tables) - LOGS_AND_SNAPSHOTS == {name for name, frame in tables.items() if "source_url" in frame}
    for name, frame in tables.items():
        if name in LOGS_AND_SNAPSHOTS:
            continue
        assert frame["source_url"].notna().all(), name
        assert frame["source_url"].str.match(r"^https?://").all(), name


def test_title_only_rows_say_so(tables):
    studies = tables["studies"]
    title_only = studies.loc[studies["extraction"] == "title_only"]
    without_page = title_only.loc[title_only["pmid"].isna() & title_only["doi"].isna()]
    assert without_page["notes"].str.contains("no page", case=False).all()
    with_page = title_only.drop(without_page.index)
    assert with_page["notes"].str.contains("only the title", case=False).all()     # a page showed no abstract


def test_pooled_rows_are_secondary_and_consistent(tables):
    pooled = tables["pooled_results"]
    assert pooled["extraction"].isin(["secondary_source", "abstract", "full_text"]).all()
    with_ci = pooled.dropna(subset=["ci_lower", "ci_upper"])
    assert ((with_ci["ci_lower"] <= with_ci["effect"]) & (with_ci["effect"] <= with_ci["ci_upper"])).all()
    sof = pooled.loc[(pooled["analysis"] == "SoF") & (pooled["study_id"] == "dalbellohaas2013")].set_index("domain")
    # the summary-of-findings ALSFRS row and analysis 1.1 report the same estimate
    assert sof.loc["functional_rating", "effect"] == pooled.loc[(pooled["analysis"] == "1.1") & (pooled["study_id"] == "dalbellohaas2013"), "effect"].item()


def test_seed_review_is_in_the_studies(tables):
    seed = tables["studies"].set_index("study_id").loc["ilzecka2017"]
    assert seed["year"] == 2017 and seed["ref_no"] is not None


def test_published_risk_of_bias_rows_come_from_a_review_in_the_studies(tables):
    rob = tables["risk_of_bias"]
    published = rob.loc[rob["assessed_by"] != "this_review"]
    studies = tables["studies"].set_index("study_id")
    assert len(published) and set(studies.loc[published["assessed_by"], "evidence_type"]) == {"systematic_review"}
    assert set(studies.loc[published["study_id"], "evidence_type"]) == {"human_rct"}
    assert (published["extraction"] == "secondary_source").all()