"""Appraisal of the trials: risk of bias by each tool's own vocabulary, the comparator rule, and the harms,
prescription and population every controlled human study states or declares as not reported. The validator
tests edit one cell of a copy of the shipped data and expect one exact file:line message."""
import pandas as pd
import pytest

from csv_edit import rows, set_cell, write_rows

from alsreview import cli
from alsreview.data.appraisal import controlled_human_trials
from alsreview.data.labels import study_names
from alsreview.synthesis import bias
from alsreview.synthesis.appraisal import NOT_REPORTED, harms_reporting_counts, harms_table, prescription_table
from alsreview.synthesis.contrasts import NO_ADDED_EXERCISE, trial_candidates


def line_of(path, **match) -> int:
    """File line (header = 1) of the first row whose cells equal `match`."""
    table = rows(path)
    header = table[0]
    for number, row in enumerate(table[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return number
    raise AssertionError(f"no row {match} in {path.name}")


def messages(data_dir, capsys) -> list[str]:
    """The validator's problems, each with the file named relative to the data folder (data/<file>:line: ...)."""
    code = cli.main(["--data-dir", str(data_dir), "validate"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 1, out
    return [line.replace(str(data_dir), "data") for line in out.splitlines()]


def test_shipped_data_appraises_every_controlled_human_study(tables):
    """Our judgement of every domain, with support and a source, harms per arm, population per study."""
    studies, rob, domains = tables["studies"], tables["risk_of_bias"], tables["rob_domains"]
    appraised = studies.loc[controlled_human_trials(studies)]
    assert len(appraised) >= 15
    ours = rob.loc[rob["assessed_by"] == "this_review"]
    for s in appraised.itertuples(index=False):
        tool = "rob2" if s.evidence_type == "human_rct" else "robins_i"
        mine = ours.loc[(ours["study_id"] == s.study_id) & (ours["tool"] == tool)]
        assert set(mine["domain"]) == set(domains.loc[domains["tool"] == tool, "domain"]), s.study_id
        assert mine["support"].str.len().min() > 20 and mine["source_url"].str.startswith("http").all()
    arms = tables["interventions"]
    appraised_arms = arms.loc[arms["study_id"].isin(appraised["study_id"])]
    assert set(appraised_arms["arm_id"]) == set(tables["harms"]["arm_id"])
    assert set(appraised["study_id"]) == set(tables["populations"]["study_id"])
    comparators = appraised_arms.loc[appraised_arms["arm_role"] == "comparator"]
    assert set(comparators["study_id"]) == set(appraised["study_id"]), "every controlled study has a comparator arm"
    assert comparators["comparator_kind"].notna().all() and comparators["comparator_basis"].notna().all()


def test_comparators_are_coded_by_what_the_arm_received(tables):
    """The three cases the issue names: stretching labelled usual care, a stretching arm, and active rehabilitation."""
    kind = tables["interventions"].set_index("arm_id")["comparator_kind"]
    assert kind["lunetta2016-ucp"] == "usual_care_stretching"
    assert kind["clawson2017-srom"] == "usual_care_stretching"
    assert kind["merico2018-standard"] == "other_exercise"
    assert {kind["drory2001-control"], kind["bellohaas2007-usual_care"], kind["cheah2009-sham"]} <= set(NO_ADDED_EXERCISE)


def test_older_trials_reach_the_pooling_candidates(tables):
    """Drory, Bello-Haas and Cheah are compared with a comparator arm now, so only their numbers can keep them out."""
    candidates = trial_candidates(tables["outcomes"], tables["interventions"], tables["scales"], assumptions=True)
    for study in ("drory2001", "bellohaas2007", "cheah2009"):
        reasons = set(candidates.loc[candidates["study_id"] == study, "reason"])
        assert reasons, study
        assert not any(r.startswith("comparator is") for r in reasons), (study, reasons)


@pytest.mark.parametrize("table, match, column, value, rule", [
    ("risk_of_bias.csv", {"study_id": "braga2018", "assessed_by": "this_review", "domain": "missing_data"}, "domain",
     "missing_outcome_data",
     "'missing_outcome_data': not a domain of rob2; allowed: randomisation, deviations, missing_data, measurement, "
     "reported_result, overall; did you mean 'missing_data'?"),
    ("risk_of_bias.csv", {"study_id": "braga2018", "assessed_by": "this_review", "domain": "overall"}, "judgement",
     "unclear", "'unclear': not a judgement of rob2; allowed: low, some_concerns, high"),
    ("risk_of_bias.csv", {"study_id": "kitano2018", "assessed_by": "this_review", "domain": "overall"}, "judgement",
     "high", "'high': not a judgement of robins_i; allowed: low, moderate, serious, critical, no_information"),
    ("risk_of_bias.csv", {"study_id": "drory2001", "assessed_by": "soofi2017", "domain": "overall"}, "assessed_by",
     "drory2001", "'drory2001': must be this_review or the study_id of a systematic review in studies.csv"),
    ("interventions.csv", {"arm_id": "lunetta2016-smep_pooled"}, "comparator_kind", "sham",
     "'sham': an exercise arm takes no comparator_kind: the code belongs to the arm it is compared with"),
    ("interventions.csv", {"arm_id": "ferri2019-uc"}, "comparator_kind", "",
     "'': required on a comparator arm: code what the arm received; allowed: usual_care_no_exercise, "
     "usual_care_stretching, sham, other_exercise, other_dose"),
    ("interventions.csv", {"arm_id": "clawson2017-srom"}, "comparator_kind", "usual_care_no_exercise",
     "'usual_care_no_exercise': contradicts the arm's modality: an arm with an exercise modality received exercise; "
     "code usual_care_stretching, sham, other_exercise or other_dose"),
    ("interventions.csv", {"arm_id": "ferri2019-uc"}, "comparator_kind", "usual_care_stretching",
     "'': usual_care_stretching means the arm stretched: modality must be stretching or range_of_motion"),
    ("interventions.csv", {"arm_id": "ferri2019-uc"}, "comparator_kind", "usual_care",
     "'usual_care': not an allowed value; allowed: usual_care_no_exercise, usual_care_stretching, sham, "
     "other_exercise, other_dose"),
])
def test_validator_names_file_line_for_appraisal_rules(data_copy, capsys, table, match, column, value, rule):
    path = data_copy / table
    line = line_of(path, **match)
    set_cell(path, line, column, value)
    reported_column = "modality" if "modality must be" in rule else column
    assert f"data/{table}:{line}: {reported_column}: {rule}" in messages(data_copy, capsys)


def test_judgement_of_a_missing_domain_is_named_on_the_study_line(data_copy, capsys):
    rob = data_copy / "risk_of_bias.csv"
    table = rows(rob)
    header = table[0]
    keep = [table[0]] + [r for r in table[1:] if not (r[header.index("study_id")] == "pinto2012"
                                                      and r[header.index("domain")] == "measurement")]
    write_rows(rob, keep)
    line = line_of(data_copy / "studies.csv", study_id="pinto2012")
    assert (f"data/studies.csv:{line}: study_id: 'pinto2012': risk_of_bias.csv lacks our rob2 judgement "
            f"(this_review) for: measurement") in messages(data_copy, capsys)


def test_wrong_tool_for_the_design_is_refused(data_copy, capsys):
    rob = data_copy / "risk_of_bias.csv"
    line = line_of(rob, study_id="kitano2018", assessed_by="this_review", domain="overall")
    set_cell(rob, line, "tool", "rob2")
    set_cell(rob, line, "judgement", "high")
    assert any(m.startswith(f"data/risk_of_bias.csv:{line}: tool: 'rob2': rob2 judges human_rct studies")
               for m in messages(data_copy, capsys))


def test_harms_must_be_stated_or_declared_not_reported(data_copy, capsys):
    harms = data_copy / "harms.csv"
    line = line_of(harms, arm_id="pinto2012-imt")
    set_cell(harms, line, "dropouts", "")
    assert (f"data/harms.csv:{line}: dropouts: '': not stated: fill it from the source, or name 'dropouts' in "
            f"harms_not_reported and say why in notes") in messages(data_copy, capsys)
    set_cell(harms, line, "dropouts", "1")
    set_cell(harms, line, "adverse_events_reporting", "counted")
    assert (f"data/harms.csv:{line}: participants_with_adverse_events: '': required when adverse_events_reporting "
            f"is counted") in messages(data_copy, capsys)


def test_every_appraised_arm_needs_its_harms_row(data_copy, capsys):
    harms = data_copy / "harms.csv"
    table = rows(harms)
    write_rows(harms, [r for r in table if r[0] != "ferri2019-uc"])
    line = line_of(data_copy / "interventions.csv", arm_id="ferri2019-uc")
    assert f"data/interventions.csv:{line}: arm_id: 'ferri2019-uc': no row in harms.csv for this arm_id" in \
        messages(data_copy, capsys)


def test_prescription_field_neither_stated_nor_declared(data_copy, capsys):
    arms = data_copy / "interventions.csv"
    line = line_of(arms, arm_id="braga2018-g1_exercise")
    set_cell(arms, line, "sessions_per_week", "")
    assert any(m.startswith(f"data/interventions.csv:{line}: sessions_per_week: '': not stated")
               for m in messages(data_copy, capsys))


ROB = pd.DataFrame([
    {"study_id": "a2020", "assessed_by": "this_review", "tool": "rob2", "domain": d, "judgement": j}
    for d, j in (("randomisation", "low"), ("deviations", "some_concerns"), ("missing_data", "high"),
                 ("measurement", "low"), ("reported_result", "low"), ("overall", "high"))
] + [{"study_id": "a2020", "assessed_by": "r2019", "tool": "rob1", "domain": "overall", "judgement": "low"},
     {"study_id": "b2021", "assessed_by": "this_review", "tool": "rob2", "domain": "overall", "judgement": "some_concerns"},
     {"study_id": "b2021", "assessed_by": "r2019", "tool": "rob1", "domain": "overall", "judgement": "unclear"}])


def test_published_judgements_beside_ours_show_disagreement():
    table = bias.published_beside_ours(ROB, {"a2020": "A 2020", "r2019": "R 2019"})
    assert table[["study", "judged_by", "their_overall", "our_overall", "agree"]].values.tolist() == [
        ["A 2020", "R 2019", "low", "high", "no"], ["b2021", "R 2019", "unclear", "some_concerns", "yes"]]
    assert bias.overall_by_study(ROB) == {"a2020": "high", "b2021": "some_concerns"}


def test_traffic_light_follows_the_tools_domain_order(tables):
    names = study_names(tables["studies"])
    table = bias.traffic_light_table(tables["risk_of_bias"], tables["rob_domains"], "rob2", names)
    assert list(table.columns) == ["study_id", "study", "randomisation", "deviations", "missing_data", "measurement",
                                   "reported_result", "overall"]
    assert "Drory 2001" in set(table["study"]) and (table[table.columns[2:]] != "").all(axis=None)
    fig = bias.plot_traffic_light(table, tables["rob_domains"], "rob2", "RoB 2")
    texts = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert texts == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["+  Low", "−  Some concerns", "×  High"]


def test_summary_shares_add_to_one_per_domain(tables):
    summary = bias.summary_table(tables["risk_of_bias"], tables["rob_domains"])
    shares = summary.groupby(["tool", "domain"])["share"].sum()
    assert shares.round(9).eq(1).all()
    assert set(summary["tool"]) == {"rob2", "robins_i", "syrcle"}


def test_harms_table_tells_none_stated_from_not_reported(tables):
    table = harms_table(tables, study_names(tables["studies"]))
    bello_haas = table.loc[table["study"] == "Bello-Haas 2007"].iloc[0]
    assert bello_haas["arm"] == "Resistance exercise" and bello_haas["adverse_events"].startswith("none (stated)")
    cheah_sham = table.loc[(table["study"] == "Cheah 2009") & (table["arm"] == "sham training")].iloc[0]
    assert cheah_sham["adverse_events"] == NOT_REPORTED and cheah_sham["dropouts"] == NOT_REPORTED
    counts = harms_reporting_counts(tables)
    assert counts["studies"] == int(controlled_human_trials(tables["studies"]).sum())
    assert sum(counts[k] for k in ("counted", "none_occurred", "described_without_counts", "not_reported")) == counts["studies"]


def test_prescription_table_gives_no_dose_for_an_arm_without_exercise(tables):
    table = prescription_table(tables, study_names(tables["studies"]))
    no_exercise = table.loc[table["role"] == "usual care without exercise"]
    assert len(no_exercise) and (no_exercise["exercise"] == "none").all() and (no_exercise["sessions_per_week"] == "").all()
    braga = table.loc[(table["study"] == "Braga 2018") & (table["role"] == "exercise")].iloc[0]
    assert braga["sessions_per_week"] == "2" and braga["supervision"] == "supervised"


def test_forest_shows_each_trials_risk_of_bias(tables):
    from alsreview.synthesis.forest import plot_trial_forests
    from alsreview.synthesis.trial_pooling import pooled_trials

    contrasts = pd.DataFrame({"study_id": ["a2020", "b2021"], "outcome_id": ["a", "b"], "domain": ["fatigue"] * 2,
                              "scale": ["fss"] * 2, "better": ["lower"] * 2, "window": ["up to 3 months"] * 2,
                              "effect": [-1.0, -0.5], "variance": [0.2, 0.3], "n_exercise": [10, 12],
                              "n_control": [10, 11]})
    pooled = pooled_trials(contrasts).iloc[0]
    fig = plot_trial_forests([(contrasts, pooled, "Fatigue")], {"a2020": "high"}, {"a2020": "A et al. 2020"})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "RoB" in texts and "×" in texts and "n/a" in texts
    assert "A et al. 2020 (n = 20)" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
