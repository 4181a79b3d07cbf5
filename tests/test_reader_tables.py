"""The printed form of the analysis tables: labels for codes, one cell per estimate and interval, no plotting
internals or empty columns, and column widths that leave every word room."""
import pandas as pd

from alsreview.data.labels import label
from alsreview.document.export import column_widths, needs_landscape, to_markdown
from alsreview.document.reader_tables import for_reader
from alsreview.synthesis.quality import flow_of_records


def test_codes_become_labels_and_lists_keep_their_order():
    frame = pd.DataFrame({"modality": ["unspecified_exercise", "treadmill_running"],
                          "outcome_domains": ["cellular mechanistic; quality of life", ""],
                          "finding": ["keeps_its_words", "x"]})
    shown = for_reader(frame)
    assert list(shown.columns) == ["Modality", "Outcome domains", "Finding"]
    assert list(shown["Modality"]) == ["Exercise (kind not stated)", "Treadmill running"]
    assert shown["Outcome domains"].iat[0] == "Cellular and mechanistic; Quality of life"
    assert shown["Finding"].iat[0] == "keeps_its_words", "free text is never relabelled"
    assert frame["modality"].iat[0] == "unspecified_exercise", "the argument is not changed"


def test_every_code_of_the_data_dictionary_has_a_label_without_underscores(tables):
    from alsreview.data.paths import DATA_DIR
    from alsreview.data.schema import read_datapackage

    package = read_datapackage(DATA_DIR)
    for resource, field in [("interventions", "modality"), ("outcomes", "domain"), ("outcomes", "direction"),
                            ("studies", "extraction"), ("studies", "population"), ("studies", "evidence_type")]:
        for code in package.enum(resource, field):
            assert "_" not in label(code) and label(code)[0].isupper(), code


def test_estimates_and_intervals_share_one_cell_and_empty_columns_go():
    frame = pd.DataFrame({"domain": ["fatigue", "survival"], "fe_estimate": [-6.25, None], "fe_ci_lower": [-13.82, None],
                          "fe_ci_upper": [1.31, None], "q": [None, None]})
    shown = for_reader(frame)
    assert list(shown.columns) == ["Domain", "Fixed effect (95% CI)"]
    assert list(shown["Fixed effect (95% CI)"]) == ["−6.25 (−13.8 to 1.31)", ""]


def test_flow_table_shows_stage_description_and_count_only(tables):
    shown = for_reader(flow_of_records(tables))
    assert list(shown.columns) == ["Stage", "Description", "n"]
    assert set(shown["Stage"]) == {"Identification", "Screening", "Included", "Synthesis"}


def test_columns_are_wide_enough_for_their_longest_word_and_numbers_align_right():
    frame = pd.DataFrame({"study": ["kirkinezos2003", "li2005"], "n": [12, 3],
                          "finding": ["a long sentence " * 12, "short"]})
    header = list(frame.columns)
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = column_widths(header, rows)
    assert widths[0] >= len("kirkinezos2003") and widths[2] > widths[0]
    rule = to_markdown(frame).splitlines()[1].strip("|").split("|")
    assert rule[1].endswith(":") and not rule[0].endswith(":") and [len(r) for r in rule] == widths
    assert not needs_landscape(frame)
    wide = pd.DataFrame({f"practitioner articles {i}": [1] for i in range(12)})
    assert needs_landscape(wide)


def test_headings_spell_als_in_capitals():
    from alsreview.document.reader_tables import heading

    assert heading("als_animal_studies") == "ALS animal studies"
    assert heading("people_with_als_findings") == "People with ALS findings"
    assert heading("also_shown") == "Also shown"
