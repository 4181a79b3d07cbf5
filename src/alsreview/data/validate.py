"""Checks the curated tables against the data dictionary and the cross-table rules.

Every check is vectorised over a column and reports each failing cell as a Problem
(file:line: column: value: rule). Field rules come from datapackage.json; the rules a Table Schema
cannot express (a mean needs its SD, a CI must contain its estimate, coverage of primary studies, an
outcome's direction agrees with its CI and scale, exercise role and authors' conclusion fit the study; a work
added since the previous release has its screening row, in update_log.py) are written out below, and so are the ones that keep the build from ever meeting input it cannot handle: ASCII
digits within 64 bits, finite numbers, no control characters, no cell beyond the CSV module's field size, an
outcome's n within its arm's, one outcome per arm, measure and time point, and a positive variance large enough
to weight for anything that may be pooled (the descriptor bounds every number: schema.py refuses one without). tests/test_properties.py checks that the field-level verdicts
agree with Frictionless's own validator.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from .appraisal import check_appraisal
from .errors import DataError, Problem
from .favours import DIRECTIONS_ALLOWED, favours
from . import protocol
from .paths import DATA_DIR, display_path
from .raw import LINE, RawTable, problems_where, read_raw
from .schema import DataPackage, Field, read_datapackage
from .subset import PRIMARY_EVIDENCE, TRAINING, has_exercise_arms
from .records import check_records
from .review_lists import check_review_trials
from .update_log import check_screening

ANIMAL_POPULATIONS = ("als_model_animal", "healthy_animal", "other_disease_model_animal")
HUMAN_POPULATIONS = ("people_with_als", "other_people")
PATTERN_HINTS = {
    "doi": "a DOI looks like 10.1002/ana.20451, without https://doi.org/",
    "pmid": "a PMID is 1 to 9 digits",
    "source_url": "an address starting with http:// or https://",
    "p_value": "e.g. 0.03, <0.05 or =0.39",
}
INTEGER = r"[+-]?[0-9]+"  # ASCII digits only: Python's \d also matches '２００５', which pandas cannot convert
NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
INT64 = 2 ** 63 - 1
MAX_CELL = 131_072  # characters; a longer cell is a pasting accident, not a curated value
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
TINY, TINY_TEXT = 1e-6, "1e-6"  # smallest SD or CI width that is pooled: its weight (1/variance) stays computable
TOO_HEAVY = "gives the estimate a weight too large to compute when pooled: record the measure in larger units"


def _nearest(value: str, allowed: list[str]) -> str | None:
    """The allowed code a curator most likely meant: a near spelling ('mael'), else the one code an abbreviation
    begins ('F' for female)."""
    close = difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.75)
    if close:
        return close[0]
    starting = [a for a in allowed if value and a.lower().startswith(value.lower())]
    return starting[0] if len(starting) == 1 else None


def _enum_rule(allowed: list[str]):
    def rule(value: str) -> str:
        near = _nearest(value, allowed)
        hint = f"; did you mean '{near}'?" if near else ""
        return f"not an allowed value; allowed: {', '.join(allowed)}{hint}"
    return rule


def _beyond_int64(text: str) -> bool:
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > 19 or (len(digits) == 19 and int(digits) > INT64)


def _fullmatch(col: pd.Series, filled: pd.Series, pattern: str) -> pd.Series:
    """Regex test of the filled cells only (empty cells are the `required` rule's business)."""
    match = re.compile(pattern, flags=re.ASCII).fullmatch
    return pd.Series([bool(f) and match(v) is not None for v, f in zip(col.tolist(), filled.tolist())],
                     index=col.index, dtype=bool)


def check_field(table: RawTable, field: Field) -> list[Problem]:
    """Required, type, enum, pattern, range and uniqueness of one column."""
    col = table.frame[field.name]
    filled = col != ""
    c = field.constraints
    out: list[Problem] = []
    if field.required:
        allowed = f"; {field.allowed}" if field.enum else ""
        out += problems_where(table, ~filled, field.name, f"required: must not be empty{allowed}")
    if field.type == "integer":
        whole = _fullmatch(col, filled, INTEGER)
        numeric = _fullmatch(col, filled, NUMBER)
        out += problems_where(table, filled & ~whole & numeric, field.name, "must be a whole number")
        out += problems_where(table, filled & ~numeric, field.name, "must be an integer")
        huge = pd.Series([bool(w) and _beyond_int64(v) for v, w in zip(col.tolist(), whole.tolist())], index=col.index)
        out += problems_where(table, huge, field.name, "out of range: an integer must lie within ±9223372036854775807 (64 bits)")
        values = pd.to_numeric(col.where(filled & whole & ~huge), errors="coerce")
    elif field.type == "number":
        numeric = _fullmatch(col, filled, NUMBER)
        out += problems_where(table, filled & ~numeric, field.name, "must be a number")
        values = pd.to_numeric(col.where(filled & numeric), errors="coerce")
        finite = values.abs().lt(float("inf"))
        out += problems_where(table, filled & numeric & ~finite, field.name, "out of range: too large to be a finite number")
        values = values.where(finite)  # reported once, as above, not again against the bounds
    else:
        values = None
    if values is not None:
        if "minimum" in c:
            out += problems_where(table, values < c["minimum"], field.name, f"must be at least {c['minimum']}")
        if "maximum" in c:
            out += problems_where(table, values > c["maximum"], field.name, f"must be at most {c['maximum']}")
    if field.enum:
        out += problems_where(table, filled & ~col.isin(field.enum), field.name, _enum_rule(field.enum))
    if "pattern" in c:
        bad = filled & ~_fullmatch(col, filled, c["pattern"])
        hint = PATTERN_HINTS.get(field.name, f"pattern {c['pattern']}")
        out += problems_where(table, bad, field.name, f"malformed: {hint}")
    if c.get("unique"):
        dup = filled & col.duplicated(keep="first")
        if dup.any():
            first_line = dict(zip(col[filled].tolist()[::-1], table.frame.loc[filled, LINE].tolist()[::-1]))
            out += problems_where(table, dup, field.name, lambda v: f"duplicate: must be unique (first on line {first_line[v]})")
    return out


def check_text(table: RawTable) -> list[Problem]:
    """In every column: no control characters (NUL and friends) and no cell longer than MAX_CELL characters."""
    out = []
    control = re.compile(CONTROL).search
    lines = table.frame[LINE].tolist()
    for column in table.resource.field_names:
        for line, value in zip(lines, table.frame[column].tolist()):
            if len(value) > MAX_CELL:
                out.append(Problem(table.file, int(line), column, value[:40],
                                   f"cell is {len(value)} characters long; the limit is {MAX_CELL}"))
            elif control(value):
                out.append(Problem(table.file, int(line), column, value,
                                   "contains a control character (such as NUL): remove it"))
    return out


def check_primary_key(table: RawTable) -> list[Problem]:
    """Composite primary keys (single-column ones are covered by `unique`)."""
    key = list(table.resource.primary_key)
    if len(key) < 2:
        return []
    dup = table.frame.duplicated(subset=key, keep="first")
    return problems_where(table, dup, key[-1], f"duplicate: the combination {', '.join(key)} must be unique")


def check_foreign_keys(table: RawTable, raw: dict[str, RawTable]) -> list[Problem]:
    out = []
    for fk in table.resource.foreign_keys:
        (col,), ref = fk["fields"], fk["reference"]
        target = raw.get(ref["resource"])
        if target is None:
            continue
        known = set(target.frame[ref["fields"][0]])
        values = table.frame[col]
        out += problems_where(table, (values != "") & ~values.isin(known), col,
                         f"dangling reference: no row of {Path(target.file).name} has this {ref['fields'][0]}")
    return out


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(frame[col], errors="coerce")


def check_estimates(table: RawTable) -> list[Problem]:
    """A mean needs its SD; an effect needs its measure; a CI has both bounds and contains its estimate.

    A mean may lack its group size: pages often print means without the number analysed, and the pooling
    says which rows it cannot use for that reason (or uses them only under a recorded assumption)."""
    f = table.frame
    out = []
    cols = set(f.columns)
    for arm in ("exercise", "control"):
        mean, sd, n = f"mean_{arm}", f"sd_{arm}", f"n_{arm}"
        if {mean, sd, n} <= cols:
            has_mean = f[mean] != ""
            out += problems_where(table, has_mean & (f[sd] == ""), mean, f"a mean needs its SD: {sd} is empty")
            out += problems_where(table, ~has_mean & (f[sd] != ""), sd, f"an SD needs its mean: {mean} is empty")
    if {"effect", "ci_lower", "ci_upper"} <= cols:
        lo, hi, est = _num(f, "ci_lower"), _num(f, "ci_upper"), _num(f, "effect")
        one_bound = (f["ci_lower"] == "") != (f["ci_upper"] == "")
        out += problems_where(table, one_bound, "ci_lower", "a confidence interval needs both bounds")
        out += problems_where(table, lo > hi, "ci_lower", "lower bound exceeds the upper bound")
        outside = (est < lo) | (est > hi)
        out += problems_where(table, outside, "effect", "the confidence interval does not contain the estimate")
        out += problems_where(table, (f["effect"] == "") & (f["ci_lower"] != ""), "ci_lower",
                         "a confidence interval needs its estimate: effect is empty")
        if "effect_measure" in cols:
            out += problems_where(table, (f["effect"] != "") & (f["effect_measure"] == ""), "effect_measure",
                             "required when effect is given")
    return out


def check_variance(table: RawTable) -> list[Problem]:
    """Estimates that will be pooled need a positive variance: an SD of 0 or a CI of zero width has none, and one
    below TINY has a square so small that the weights overflow (an SD of 1e-300 pooled to 'nan')."""
    f, cols, out = table.frame, set(table.frame.columns), []
    for arm in ("exercise", "control"):
        sd, mean = f"sd_{arm}", f"mean_{arm}"
        if {sd, mean} <= cols:
            spread = _num(f, sd)
            out += problems_where(table, (f[mean] != "") & (spread == 0), sd,
                             "an SD of 0 gives the estimate no variance, so it cannot be weighted or pooled; "
                             "leave it empty (with the reason in notes) if the source gives no SD")
            out += problems_where(table, (f[mean] != "") & (spread > 0) & (spread < TINY), sd,
                                  f"an SD this small (below {TINY_TEXT}) {TOO_HEAVY}")
    if {"ci_lower", "ci_upper", "effect"} <= cols and table.resource.name == "outcomes":
        width = _num(f, "ci_upper") - _num(f, "ci_lower")
        out += problems_where(table, (f["ci_lower"] != "") & (width == 0), "ci_lower",
                         "a confidence interval of zero width gives the estimate no variance, so it cannot be pooled")
        out += problems_where(table, (width > 0) & (width < TINY), "ci_lower",
                              f"a confidence interval this narrow (below {TINY_TEXT} wide) {TOO_HEAVY}")
    return out


def check_outcome_consistency(raw: dict[str, RawTable]) -> list[Problem]:
    """An outcome's n cannot exceed its arm's n, and one arm reports a measure at a time point once."""
    arms, outcomes = raw.get("interventions"), raw.get("outcomes")
    if outcomes is None:
        return []
    f, out = outcomes.frame, []
    if arms is not None and {"arm_id", "n"} <= set(arms.frame.columns) and {"arm_id", "n_exercise"} <= set(f.columns):
        arm_rows = arms.frame.drop_duplicates("arm_id").set_index("arm_id")
        arm_n = pd.to_numeric(f["arm_id"].map(arm_rows["n"]), errors="coerce")
        arm_line = f["arm_id"].map(arm_rows[LINE])
        over = _num(f, "n_exercise") > arm_n
        rows = f.loc[over.fillna(False)]
        out += [Problem(outcomes.file, int(line), "n_exercise", value,
                        f"larger than the arm's n ({n} on {Path(arms.file).name} line {arm})")
                for line, value, n, arm in zip(rows[LINE], rows["n_exercise"], arm_n[over.fillna(False)].astype("int64"),
                                               arm_line[over.fillna(False)])]
    key = [c for c in ("arm_id", "measure", "time_point", "subgroup") if c in f.columns]
    if {"arm_id", "measure", "time_point"} <= set(key):
        normal = f[key].apply(lambda c: c.str.casefold())
        dup = normal.duplicated(keep="first")
        if dup.any():
            first = {tuple(k): line for k, line in zip(normal.loc[~dup].itertuples(index=False), f.loc[~dup, LINE])}
            rows = f.loc[dup]
            out += [Problem(outcomes.file, int(line), "outcome_id", oid,
                            f"duplicate outcome: same {', '.join(key)} as line {first[tuple(k)]}")
                    for line, oid, k in zip(rows[LINE], rows["outcome_id"], normal.loc[dup].itertuples(index=False))]
    return out


def check_studies(studies: RawTable) -> list[Problem]:
    """Species, population and evidence type must tell the same story."""
    f = studies.frame
    primary = f["evidence_type"].isin(PRIMARY_EVIDENCE)
    out = problems_where(studies, primary & (f["species"] == "none"), "species",
                    "a primary study (animal experiment or human study) needs its species")
    out += problems_where(studies, ~primary & (f["evidence_type"] != "") & (f["species"] != "none") & (f["species"] != ""),
                     "species", "reviews, books, hypotheses and other works take species 'none'")
    animal = f["species"].isin(["mouse", "rat"])
    out += problems_where(studies, animal & ~f["population"].isin(ANIMAL_POPULATIONS) & (f["population"] != ""),
                     "population", f"an animal study's population must be one of {', '.join(ANIMAL_POPULATIONS)}")
    out += problems_where(studies, (f["species"] == "human") & ~f["population"].isin(HUMAN_POPULATIONS) & (f["population"] != ""),
                     "population", f"a human study's population must be one of {', '.join(HUMAN_POPULATIONS)}")
    out += problems_where(studies, (f["species"] == "none") & (f["population"] != "not_applicable") & (f["population"] != ""),
                     "population", "works without subjects take population 'not_applicable'")
    if "ref_no" in f.columns and "journal" in f.columns:
        out += problems_where(studies, (f["ref_no"] != "") & (f["journal"] == ""), "journal",
                         "required for the seed's references (works added later may leave it empty, with the reason in notes)")
    out += check_exercise_role(studies)
    return out


def check_exercise_role(studies: RawTable) -> list[Problem]:
    """Exercise role and the authors' conclusion agree with exercise_tested and the evidence type."""
    f = studies.frame
    primary = f["evidence_type"].isin(PRIMARY_EVIDENCE)
    role, known = f["exercise_role"], f["exercise_role"].isin(["training_programme", "single_session_test", "not_applicable"])
    none = role == "not_applicable"
    out = problems_where(studies, known & (f["exercise_tested"] == "no") & ~none, "exercise_role",
                    "a work with exercise_tested 'no' takes exercise_role 'not_applicable'")
    out += problems_where(studies, known & (f["exercise_tested"] == "yes") & none, "exercise_role",
                     "a work with exercise_tested 'yes' needs exercise_role 'training_programme' or 'single_session_test'")
    out += problems_where(studies, known & ~primary & (f["evidence_type"] != "") & ~none, "exercise_role",
                     "reviews, books, hypotheses and other works take exercise_role 'not_applicable'")
    trained = primary & (role == TRAINING)
    out += problems_where(studies, trained & (f["authors_conclusion"] == ""), "authors_conclusion",
                     "required for a primary study of a training programme: the direction its authors conclude; "
                     + studies.resource.field("authors_conclusion").allowed)
    out += problems_where(studies, ~trained & known & (f["authors_conclusion"] != ""), "authors_conclusion",
                     "only primary studies of a training programme take an authors' conclusion; leave it empty")
    return out


def check_directions(raw: dict[str, RawTable]) -> list[Problem]:
    """An outcome with a scale and a confidence interval takes the direction its CI supports: beneficial only
    when the CI excludes no difference on the side the scale calls better, harmful only on the other side."""
    outcomes, scales = raw.get("outcomes"), raw.get("scales")
    if outcomes is None or scales is None:
        return []
    f = outcomes.frame
    better = f["scale_id"].map(dict(zip(scales.frame["scale_id"], scales.frame["better"])))
    lower, upper = _num(f, "ci_lower"), _num(f, "ci_upper")
    supported = pd.Series([favours(m, lo, hi, b) for m, lo, hi, b in zip(f["effect_measure"], lower, upper, better)],
                          index=f.index)
    allowed = supported.map(lambda s: DIRECTIONS_ALLOWED.get(s, ()))
    wrong = pd.Series([bool(a) and d not in a for d, a in zip(f["direction"], allowed)], index=f.index) & (f["effect"] != "")

    def rule(row):
        return (f"disagrees with the confidence interval {row['ci_lower']} to {row['ci_upper']} on scale "
                f"{row['scale_id']} ({better[row.name]} is better): it supports '{supported[row.name]}', so the direction "
                f"must be {' or '.join(allowed[row.name])}")
    return [Problem(outcomes.file, int(row[LINE]), "direction", row["direction"], rule(row))
            for _, row in f.loc[wrong].iterrows()]


def check_links(raw: dict[str, RawTable]) -> list[Problem]:
    """Keys that embed their parent key, and outcomes that point at an arm of their own study."""
    out = []
    arms, outcomes = raw.get("interventions"), raw.get("outcomes")
    if arms is not None:
        f = arms.frame
        prefix_ok = pd.Series([a.startswith(s + "-") for a, s in zip(f["arm_id"].tolist(), f["study_id"].tolist())],
                              index=f.index, dtype=bool)
        out += problems_where(arms, ~prefix_ok, "arm_id", "must start with its study_id and a hyphen")
    if outcomes is not None and arms is not None:
        f = outcomes.frame
        arm_study = dict(zip(arms.frame["arm_id"], arms.frame["study_id"]))
        owner = f["arm_id"].map(arm_study)
        out += problems_where(outcomes, owner.notna() & (owner != f["study_id"]), "arm_id",
                         lambda v: f"this arm belongs to study {arm_study[v]}, not to the outcome's study_id")
        prefix_ok = pd.Series([o.startswith(a + "-") for o, a in zip(f["outcome_id"].tolist(), f["arm_id"].tolist())],
                              index=f.index, dtype=bool)
        out += problems_where(outcomes, ~prefix_ok, "outcome_id", "must start with its arm_id and a hyphen")
    return out


def check_arms(arms: RawTable) -> list[Problem]:
    """An exercise arm names its modality: the evidence map, the modality groups and the pooling sort arms by it."""
    f = arms.frame
    if not {"arm_role", "modality"} <= set(f.columns):
        return []
    return problems_where(arms, (f["arm_role"] == "exercise") & (f["modality"] == ""), "modality",
                          "required for an exercise arm: the kind of exercise (unspecified_exercise where the source "
                          f"does not say); {arms.resource.field('modality').allowed}")


def check_coverage(raw: dict[str, RawTable]) -> list[Problem]:
    """Every primary study that tests exercise has an exercise arm and an outcome."""
    studies, arms, outcomes = raw.get("studies"), raw.get("interventions"), raw.get("outcomes")
    if studies is None or arms is None or outcomes is None:
        return []
    primary = has_exercise_arms(studies.frame)
    out = problems_where(studies, primary & ~studies.frame["study_id"].isin(set(arms.frame["study_id"])), "study_id",
                    "a primary study that tests exercise needs at least one exercise arm in interventions.csv")
    out += problems_where(studies, primary & ~studies.frame["study_id"].isin(set(outcomes.frame["study_id"])), "study_id",
                     "a primary study that tests exercise needs at least one outcome in outcomes.csv")
    return out


def check_modality_groups(package: DataPackage, raw: dict[str, RawTable]) -> list[Problem]:
    """Every modality code has its group, so no modality drops out of the comparison of animals with people.
    A missing row is reported on the line where it would be added."""
    groups = raw.get("modality_groups")
    if groups is None or "interventions" not in package.resources:
        return []
    present = set(groups.frame["modality"])
    return [Problem(groups.file, len(groups.frame) + 2, "modality", code,
                    "missing row: every modality code of interventions.modality needs its group here")
            for code in package.enum("interventions", "modality") if code not in present]


def validate_raw(package: DataPackage, raw: dict[str, RawTable]) -> list[Problem]:
    """Every rule over tables that were read; foreign keys only against tables that could be read."""
    problems: list[Problem] = []
    for table in raw.values():
        for field in table.resource.fields:
            problems += check_field(table, field)
        problems += check_primary_key(table)
        problems += check_foreign_keys(table, raw)
        problems += check_estimates(table)
        problems += check_text(table)
        problems += check_variance(table)
    if "studies" in raw:
        problems += check_studies(raw["studies"])
    if "interventions" in raw:
        problems += check_arms(raw["interventions"])
    problems += check_links(raw)
    problems += check_coverage(raw)
    problems += check_modality_groups(package, raw)
    problems += check_screening(package, raw)
    problems += check_records(raw["screening"]) if "screening" in raw else []
    problems += check_review_trials(raw)
    problems += check_directions(raw)
    problems += check_outcome_consistency(raw)
    problems += check_appraisal(raw)
    return sorted(set(problems))


def read_and_check(source: Path | DataPackage = DATA_DIR) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read every table that can be read and check all of them; problems from every file, never an exception.

    `source` is a data folder, or its descriptor when the caller has read it already."""
    if isinstance(source, DataPackage):
        package = source
    else:
        try:
            package = read_datapackage(source)
        except DataError as exc:
            return {}, exc.problems
    raw, problems = {}, []
    for name in package.resources:
        try:
            raw[name] = read_raw(package, name)
        except DataError as exc:
            problems += exc.problems
    return raw, sorted(set(problems + validate_raw(package, raw) + check_protocol(package, raw)))


def check_protocol(package: DataPackage, raw: dict[str, RawTable]) -> list[Problem]:
    """The protocol on its own, then against the data: its comparator codes and screening reasons exist, and
    every release (and the current version) says why it was made."""
    problems, plan = protocol.read(protocol.PROTOCOL_FILE)
    if plan is None:
        return problems
    releases = raw["releases"].frame["version"].tolist() if "releases" in raw else []
    versions = releases + [str(package.descriptor.get("version", ""))]
    return protocol.cross_check(plan, display_path(protocol.PROTOCOL_FILE),
                                package.enum("interventions", "comparator_kind") if "interventions" in package.resources else [],
                                package.enum("screening", "reason") if "screening" in package.resources else [],
                                [v for v in versions if v],
                                package.enum("studies", "evidence_type") if "studies" in package.resources else None)


def validate(source: Path | DataPackage = DATA_DIR) -> list[Problem]:
    """All problems in a data folder (empty list: valid). Never raises for bad data."""
    return read_and_check(source)[1]
