"""Rules for the appraisal of the trials: risk of bias by each tool's own vocabulary, the comparator rule, and
the harms, prescription and population every controlled human study must state (or say it does not).

The vocabulary is data: rob_domains.csv lists each tool's domains and judgements, and the lists of fields a row
may mark as not reported are read from the descriptor's patterns. Every rule reports file:line: column: value.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from .errors import Problem
from .raw import LINE, RawTable, problems_where
from .subset import TRAINING

CONTROLLED_HUMAN = ("human_rct", "human_nonrandomised")
OURS = "this_review"
HUMAN_TOOLS = ("rob2", "robins_i")  # the tools of our judgements of studies in people (results, not studies)
HIGH_RISK = ("high", "serious", "critical")  # overall judgements that count as high risk of bias
PRESCRIPTION = ("intensity", "sessions_per_week", "minutes_per_session", "programme_weeks", "setting", "venue")
HARMS = ("serious_adverse_events", "deaths", "dropouts", "adherence")
POPULATION = ("n_randomised", "n_analysed", "age", "sex", "alsfrs_r", "fvc", "disease_duration", "ambulatory", "ventilation")
NO_EXERCISE = "usual_care_no_exercise"
STRETCHING_MODALITIES = ("stretching", "range_of_motion")


def controlled_human_trials(studies: pd.DataFrame) -> pd.Series:
    """Randomised and non-randomised controlled studies of a training programme in people: the studies we appraise."""
    return studies["evidence_type"].isin(CONTROLLED_HUMAN) & (studies["exercise_role"] == TRAINING)


def _listed(column: pd.Series) -> pd.Series:
    return column.map(lambda cell: set(filter(None, cell.split("|"))))


def _stated_or_listed(table: RawTable, fields: tuple[str, ...], list_column: str, scope: pd.Series,
                      empty_values: tuple[str, ...] = ("",)) -> list[Problem]:
    """Each field is filled, or named in the list column as not reported; never both, never neither."""
    f, out = table.frame, []
    if list_column not in f.columns:
        return out
    listed = _listed(f[list_column])
    for name in fields:
        if name not in f.columns:
            continue
        filled = ~f[name].isin(empty_values)
        named = listed.map(lambda items: name in items).astype(bool)  # bool even when the table is empty
        out += problems_where(table, scope & ~filled & ~named, name,
                              f"not stated: fill it from the source, or name '{name}' in {list_column} and say why in notes")
        out += problems_where(table, scope & filled & named, list_column,
                              f"names '{name}' as not reported, but {name} is filled")
    out += problems_where(table, scope & (f[list_column] != "") & (f["notes"] == ""), "notes",
                          f"required when {list_column} is filled: say why the source does not give these")
    return out


def _missing_rows(owner: RawTable, key: str, scope: pd.Series, present: set[str], where: str) -> list[Problem]:
    return problems_where(owner, scope & ~owner.frame[key].isin(present), key, f"no row in {where} for this {key}")


def check_risk_of_bias(raw: dict[str, RawTable]) -> list[Problem]:
    """Domains and judgements from the tool's vocabulary, our tool fitting the design, published rows naming a
    review, and our judgement of every domain for every controlled human study."""
    rob, tools, studies = raw.get("risk_of_bias"), raw.get("rob_domains"), raw.get("studies")
    if rob is None or tools is None:
        return []
    f, t, out = rob.frame, tools.frame, []
    domains = {tool: list(part.sort_values("position", key=lambda p: pd.to_numeric(p, errors="coerce"))["domain"])
               for tool, part in t.groupby("tool", sort=False)}
    judgements = {(r.tool, r.domain): r.judgements.split("|") for r in t.itertuples(index=False)}
    known_tool = f["tool"].isin(list(domains))
    out += problems_where(rob, (f["tool"] != "") & ~known_tool, "tool",
                          f"not a tool listed in {Path(tools.file).name}; allowed: {', '.join(domains)}")
    pair = list(zip(f["tool"], f["domain"]))
    bad_domain = known_tool & pd.Series([p not in judgements for p in pair], index=f.index)
    for line, tool, domain in zip(f.loc[bad_domain, LINE], f.loc[bad_domain, "tool"], f.loc[bad_domain, "domain"]):
        out.append(Problem(rob.file, int(line), "domain", domain, _not_in(domain, domains[tool], f"domain of {tool}")))
    bad_judgement = known_tool & ~bad_domain & pd.Series(
        [j not in judgements.get(p, [j]) for p, j in zip(pair, f["judgement"])], index=f.index)
    for line, tool, domain, judgement in zip(f.loc[bad_judgement, LINE], f.loc[bad_judgement, "tool"],
                                             f.loc[bad_judgement, "domain"], f.loc[bad_judgement, "judgement"]):
        out.append(Problem(rob.file, int(line), "judgement", judgement,
                           _not_in(judgement, judgements[(tool, domain)], f"judgement of {tool}")))
    ours = f["assessed_by"] == OURS
    out += problems_where(rob, ours & f["tool"].isin(HUMAN_TOOLS) & (f["outcome"] == ""), "outcome",
                          "required for our RoB 2 and ROBINS-I judgements: they judge a result, so name the outcome")
    out += problems_where(rob, ~ours & (f["extraction"] != "secondary_source"), "extraction",
                          "a published judgement is read from the review's table: extraction must be secondary_source")
    if studies is None:
        return out
    s = studies.frame
    design = dict(zip(s["study_id"], s["evidence_type"]))
    reviews = set(s.loc[s["evidence_type"] == "systematic_review", "study_id"])
    out += problems_where(rob, ~ours & (f["assessed_by"] != "") & ~f["assessed_by"].isin(reviews), "assessed_by",
                          "must be this_review or the study_id of a systematic review in studies.csv")
    fits = dict(zip(t["tool"], t["applies_to"]))
    wrong_tool = ours & known_tool & pd.Series(
        [design.get(sid) not in (None, fits.get(tool)) for sid, tool in zip(f["study_id"], f["tool"])], index=f.index)
    out += problems_where(rob, wrong_tool, "tool", lambda v: (
        f"{v} judges {fits[v]} studies; use the tool for this study's design "
        f"({', '.join(k for k, a in fits.items() if a in set(design.values()) and k != 'rob1') or 'none'})"))
    appraised = controlled_human_trials(s)
    have = {}
    for (sid, tool), part in f.loc[ours].groupby(["study_id", "tool"]):
        have[(sid, tool)] = set(part["domain"])
    for line, sid, kind in zip(s.loc[appraised, LINE], s.loc[appraised, "study_id"], s.loc[appraised, "evidence_type"]):
        tool = next((k for k, a in fits.items() if a == kind and k != "rob1"), None)
        if tool is None:
            continue
        missing = [d for d in domains.get(tool, []) if d not in have.get((sid, tool), set())]
        if missing:
            out.append(Problem(studies.file, int(line), "study_id", sid,
                               f"risk_of_bias.csv lacks our {tool} judgement ({OURS}) for: {', '.join(missing)}"))
    for (sid, tool), got in have.items():
        missing = [d for d in domains.get(tool, []) if d not in got]
        if missing and tool == "syrcle":
            first = f.loc[(f["study_id"] == sid) & (f["tool"] == tool) & ours, LINE].min()
            out.append(Problem(rob.file, int(first), "study_id", sid, f"incomplete {tool} judgement: no row for {', '.join(missing)}"))
    return out


def _not_in(value: str, allowed: list[str], what: str) -> str:
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"not a {what}; allowed: {', '.join(allowed)}{hint}"


def check_comparators(arms: RawTable, studies: RawTable | None) -> list[Problem]:
    """The comparator rule: a code on every comparator arm and on no exercise arm, and a code that fits what the
    arm received (usual care without exercise has no exercise modality; stretching is stretching)."""
    f = arms.frame
    comparator, exercise = f["arm_role"] == "comparator", f["arm_role"] == "exercise"
    human = pd.Series(True, index=f.index)
    if studies is not None:
        species = dict(zip(studies.frame["study_id"], studies.frame["species"]))
        human = f["study_id"].map(species).eq("human")
    kind = f["comparator_kind"]
    out = problems_where(arms, exercise & (kind != ""), "comparator_kind",
                         "an exercise arm takes no comparator_kind: the code belongs to the arm it is compared with")
    out += problems_where(arms, exercise & (f["comparator_basis"] != ""), "comparator_basis",
                          "an exercise arm takes no comparator_basis: describe its comparator in the comparator column")
    out += problems_where(arms, comparator & human & (kind == ""), "comparator_kind",
                          "required on a comparator arm: code what the arm received; "
                          + arms.resource.field("comparator_kind").allowed)
    out += problems_where(arms, comparator & (f["comparator_basis"] == ""), "comparator_basis",
                          "required on a comparator arm: say what the arm received that decides its comparator_kind")
    out += problems_where(arms, (kind == NO_EXERCISE) & (f["modality"] != ""), "comparator_kind",
                          lambda v: "contradicts the arm's modality: an arm with an exercise modality received exercise; "
                                    "code usual_care_stretching, sham, other_exercise or other_dose")
    out += problems_where(arms, (kind == "usual_care_stretching") & ~f["modality"].isin(STRETCHING_MODALITIES), "modality",
                          f"usual_care_stretching means the arm stretched: modality must be {' or '.join(STRETCHING_MODALITIES)}")
    out += problems_where(arms, kind.isin(["other_exercise", "other_dose"]) & (f["modality"] == ""), "modality",
                          "required for an arm coded other_exercise or other_dose: which exercise did it do?; "
                          + arms.resource.field("modality").allowed)
    return out


def check_appraisal(raw: dict[str, RawTable]) -> list[Problem]:
    """Comparator rule, risk of bias, and the harms, prescription and population of every controlled human study."""
    studies, arms, harms, populations = (raw.get(n) for n in ("studies", "interventions", "harms", "populations"))
    out = check_risk_of_bias(raw)
    if arms is None:
        return out
    out += check_comparators(arms, studies)
    if studies is None:
        return out
    appraised = set(studies.frame.loc[controlled_human_trials(studies.frame), "study_id"])
    f = arms.frame
    in_scope = f["study_id"].isin(appraised)
    out += _stated_or_listed(arms, PRESCRIPTION, "prescription_not_reported",
                             in_scope & (f["comparator_kind"] != NO_EXERCISE), empty_values=("", "not_reported"))
    if harms is not None:
        out += _missing_rows(arms, "arm_id", in_scope, set(harms.frame["arm_id"]), Path(harms.file).name)
        out += _check_harms(harms, arms)
    if populations is not None:
        out += _missing_rows(studies, "study_id", studies.frame["study_id"].isin(appraised),
                             set(populations.frame["study_id"]), Path(populations.file).name)
        p = populations.frame
        out += _stated_or_listed(populations, POPULATION, "population_not_reported", pd.Series(True, index=p.index))
        more = pd.to_numeric(p["n_analysed"], errors="coerce") > pd.to_numeric(p["n_randomised"], errors="coerce")
        out += problems_where(populations, more, "n_analysed", "larger than n_randomised")
    return out


def _check_harms(harms: RawTable, arms: RawTable) -> list[Problem]:
    f = harms.frame
    reporting, people = f["adverse_events_reporting"], f["participants_with_adverse_events"]
    out = problems_where(harms, (reporting == "counted") & (people == ""), "participants_with_adverse_events",
                         "required when adverse_events_reporting is counted")
    out += problems_where(harms, ~reporting.isin(["counted", "none_occurred", ""]) & (people != ""),
                          "participants_with_adverse_events",
                          "a number of people with adverse events means they were counted: set adverse_events_reporting to counted")
    out += problems_where(harms, (reporting == "none_occurred") & (people != "") & (people != "0"),
                          "participants_with_adverse_events", "none_occurred contradicts a count above 0")
    out += problems_where(harms, (reporting == "not_reported") & (f["notes"] == ""), "notes",
                          "required when adverse events are not reported: say what was read")
    out += _stated_or_listed(harms, HARMS, "harms_not_reported", pd.Series(True, index=f.index))
    owner = dict(zip(arms.frame["arm_id"], arms.frame["study_id"]))
    mismatch = f["arm_id"].map(owner).notna() & (f["arm_id"].map(owner) != f["study_id"])
    out += problems_where(harms, mismatch, "study_id", lambda v: "the arm belongs to another study")
    randomised = pd.to_numeric(f["arm_id"].map(dict(zip(arms.frame["arm_id"], arms.frame["n_randomised"]))), errors="coerce")
    out += problems_where(harms, pd.to_numeric(f["dropouts"], errors="coerce") > randomised, "dropouts",
                          "more dropouts than the arm's n_randomised")
    return out
