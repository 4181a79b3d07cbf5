"""The contributed dataset, rendered once per test session (conftest.py: contributed_build, contributed_report):
the shipped data with a catalogue of hostile strings appended to every free-text cell, as data text from any
contributor might hold, then one fictional randomised trial added the way the README tells a user to add one.

Two suites read the one render: test_untrusted_render.py (every hostile string comes out as literal text, in
HTML, PDF and the explorer) and test_user_path.py (the new trial reaches every count, passage, table and the
reference list); test_build.py reads its build (a new modality and a new recommendation basis reach every table).
The trial's own rows are added after the poisoning, so its text stays plain."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from fixture_rows import RISK_OF_BIAS_DOMAINS

from alsreview.data.appraisal import HARMS as HARMS_FIELDS
from alsreview.data.appraisal import POPULATION as POPULATION_FIELDS
from alsreview.data.appraisal import PRESCRIPTION
from alsreview.data.paths import DATA_DIR
from alsreview.data.schema import read_datapackage

CANARY = "h13-canary-value-7f3a"
# The environment of the build and render: a `{{< env >}}` shortcode in the data would print the canary.
CANARY_ENV = {"ALSREVIEW_CANARY": CANARY, "alsreview_canary": CANARY}
CATALOGUE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '<a href="javascript:alert(3)">j3</a>',
    "[x4]{onmouseover=alert(4)}",
    "[l5](javascript:alert(5))",
    "![](http://127.0.0.1:9/h13-fetch.png)",
    '`#read("/report/index.qmd")`{=typst}',
    "`<b>raw7</b>`{=html}",
    "{{< env ALSREVIEW_CANARY >}}",
    "{{< include /etc/hostname >}}",
    "{{{< meta title >}}}",
    "@ilzecka2017 and [@kirkinezos2003]",
    "see @fig-timeline",
    "$x^2$ and $$E=mc^2$$",
    "a\\|b | c",
    "*em* **strong** ~~del~~ ^sup^ ~sub~",
    "<!-- comment16 -->",
    "&lt;entity&gt; &amp; &#60;",
    "\\textbf{tex} \\input{/etc/hostname} }{",
    "#set page(fill: red) #let x = 1",
    "<http://autolink.example/20>",
    "'quotes' \"double\" -- --- ...",
    "\\ back\\slash\\",
]


# Fields whose emptiness the validator reads (filled or declared not reported; only on comparator arms).
STATED_OR_DECLARED = {*PRESCRIPTION, *HARMS_FIELDS, *POPULATION_FIELDS, "comparator_basis",
                      "trial_label"}  # an empty trial_label declares that no page lists the review's trials


def free_text_fields(resource):
    """String fields without an enum or pattern: the ones curators write prose into."""
    return [f.name for f in resource.fields
            if f.type == "string" and not f.enum and "pattern" not in f.constraints]


def poison(data_dir: Path) -> dict[str, list[str]]:
    """Append catalogue strings to every free-text cell (cycling, so each field gets many of them)."""
    package = read_datapackage(data_dir)
    touched = {}
    for name, resource in package.resources.items():
        path = package.path_of(name)
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        fields = free_text_fields(resource)
        for j, field in enumerate(fields):
            column = table[0].index(field)
            for i, row in enumerate(table[1:]):
                if field in STATED_OR_DECLARED and not row[column]:
                    continue  # an empty cell here is a declaration ("not reported", "not a comparator"): keep it
                row[column] = f"{row[column]} {CATALOGUE[(i + j) % len(CATALOGUE)]}".strip()
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(table)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        touched[name] = fields
    return touched


KEY = "fixturetrial2025"
FIXTURE_URL = "https://example.org/fictional-fixture-trial"
STUDY = {"study_id": KEY, "authors": "Fixture A, Example B", "year": "2025",
         "title": "A fictional fixture trial used by the test suite (not a real study)", "journal": "Test Fixtures",
         "evidence_type": "human_rct", "species": "human", "model": "people with ALS", "exercise_tested": "yes",
         "exercise_role": "training_programme", "authors_conclusion": "beneficial",
         "population": "people_with_als", "source_url": FIXTURE_URL, "extraction": "abstract",
         "notes": "Fictional test fixture."}
NO_DOSE = "|".join(PRESCRIPTION)  # every prescription field declared not reported
ARMS = [
    {"arm_id": f"{KEY}-cycling", "study_id": KEY, "arm_label": "cycling", "arm_role": "exercise",
     "modality": "endurance_aerobic", "intensity": "moderate", "frequency": "3 per week", "n": "20",
     "sessions_per_week": "3", "programme_weeks": "24", "setting": "supervised",
     "prescription_not_reported": "minutes_per_session|venue", "notes": "Fictional: the abstract gives no more.",
     "n_randomised": "20", "sex": "both", "comparator": "usual care *as before*", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
    {"arm_id": f"{KEY}-weights", "study_id": KEY, "arm_label": "weights", "arm_role": "exercise",
     "modality": "resistance", "n": "18", "n_randomised": "18", "sex": "both", "comparator": "usual care *as before*",
     "prescription_not_reported": NO_DOSE, "notes": "Fictional: the abstract gives no dose.", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
    {"arm_id": f"{KEY}-balance", "study_id": KEY, "arm_label": "balance", "arm_role": "exercise",
     "modality": "balance", "n": "20", "n_randomised": "20", "sex": "both", "comparator": "usual care *as before*",
     "prescription_not_reported": NO_DOSE, "notes": "Fictional: the abstract gives no dose.", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
    {"arm_id": f"{KEY}-usual", "study_id": KEY, "arm_label": "usual care *as before*", "arm_role": "comparator",
     "comparator_kind": "usual_care_no_exercise", "comparator_basis": "Fictional: usual care without exercise.", "n": "19", "n_randomised": "19", "sex": "both", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
]
HARMS = [{"arm_id": arm["arm_id"], "study_id": KEY, "adverse_events_reporting": "not_reported",
          "harms_not_reported": "|".join(HARMS_FIELDS), "source_url": FIXTURE_URL,
          "extraction": "abstract", "notes": "Fictional: the abstract says nothing about harms."} for arm in ARMS]
POPULATION = [{"study_id": KEY, "n_randomised": "77",
               "population_not_reported": "|".join(f for f in POPULATION_FIELDS if f != "n_randomised"),
               "source_url": FIXTURE_URL, "extraction": "abstract", "notes": "Fictional: no baseline table."}]
RISK_OF_BIAS = [{"study_id": KEY, "assessed_by": "this_review", "tool": "rob2", "outcome": "ALSFRS-R at 24 weeks",
                 "domain": domain, "judgement": "some_concerns", "support": "Fictional: the abstract is silent on this.",
                 "source_url": FIXTURE_URL, "extraction": "abstract"}
                for domain in RISK_OF_BIAS_DOMAINS]
SCREENING = [{"record_id": "FIXTURE1", "search_id": "T01", "identifier": FIXTURE_URL, "title": STUDY["title"],
              "year": "2025", "decision": "included", "study_id": KEY, "notes": "Fictional test fixture."}]
OUTCOMES = [
    {"outcome_id": f"{KEY}-cycling-1", "study_id": KEY, "arm_id": f"{KEY}-cycling", "comparator_arm_id": f"{KEY}-usual", "domain": "functional_rating",
     "measure": "ALSFRS-R", "time_point": "24 weeks", "direction": "beneficial",
     "finding": "Fictional: the cycling arm declined less.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"outcome_id": f"{KEY}-cycling-2", "study_id": KEY, "arm_id": f"{KEY}-cycling", "comparator_arm_id": f"{KEY}-usual", "domain": "fatigue",
     "measure": "fatigue scale", "time_point": "24 weeks", "direction": "no_effect",
     "finding": "Fictional: no difference in fatigue.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"outcome_id": f"{KEY}-weights-1", "study_id": KEY, "arm_id": f"{KEY}-weights", "comparator_arm_id": f"{KEY}-usual", "domain": "muscle_strength",
     "measure": "handgrip", "time_point": "24 weeks", "direction": "beneficial",
     "finding": "Fictional: handgrip held up better.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"outcome_id": f"{KEY}-balance-1", "study_id": KEY, "arm_id": f"{KEY}-balance", "comparator_arm_id": f"{KEY}-usual",
     "domain": "motor_performance", "measure": "Berg balance scale", "time_point": "24 weeks", "direction": "beneficial",
     "finding": "Fictional: better balance.", "source_url": FIXTURE_URL, "extraction": "abstract"},
]
# The trial is the only one behind the balance recommendation: a new modality and a new recommendation basis
# reach the tables (test_build.py).
RECOMMENDATION_SUPPORT = [{"recommendation_id": "balance", "study_id": KEY, "basis": "abstract", "source_url": FIXTURE_URL}]


def append_rows(path, rows):
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in header})


def contributed_data(root: Path) -> tuple[Path, dict[str, list[str]]]:
    """A copy of the shipped data under root: poisoned, then with the fictional trial; returns it and, per
    table, the free-text fields that were poisoned."""
    data = Path(root) / "data"
    shutil.rmtree(data, ignore_errors=True)  # written afresh: the same bytes each time, so its build is reused
    shutil.copytree(DATA_DIR, data)
    touched = poison(data)
    for name, rows in (("studies", [STUDY]), ("interventions", ARMS), ("outcomes", OUTCOMES), ("harms", HARMS),
                       ("populations", POPULATION), ("risk_of_bias", RISK_OF_BIAS), ("screening", SCREENING),
                       ("recommendation_support", RECOMMENDATION_SUPPORT)):
        append_rows(data / f"{name}.csv", rows)
    return data, touched
