"""What each controlled human study prescribed, to whom, and what happened to its people: the prescription per
arm, the population per study, and harms and follow-up per arm, as reader tables. A fact the source does not
state reads "not reported", so that "no harm reported" and "harm not assessed" never look alike.
"""
from __future__ import annotations

import re

import pandas as pd

from ..data.appraisal import HARMS, controlled_human_trials
from ..data.labels import DIRECTIONS, direction_words, label
from .contrasts import COMPARATOR_KINDS

NOT_REPORTED = "not reported"
SUPERVISION = {"supervised": "supervised", "home_based": "at home", "remote": "at home, monitored remotely",
               "mixed": "mixed", "not_reported": NOT_REPORTED}
AE_REPORTING = {"counted": "counted", "none_occurred": "none (stated)", "described_without_counts": "mentioned, not counted",
                "not_reported": NOT_REPORTED}


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _or_not_reported(value, field: str, listed: str) -> str:
    text = _cell(value)
    if text and text != "not_reported":
        return text
    return NOT_REPORTED if field in _cell(listed).split("|") or text == "not_reported" else ""


def arm_name(arm_label) -> str:
    """An arm's label as a reader sees it: older rows used short codes ('moderate_daily_exercise')."""
    text = _cell(arm_label)
    return label(text) if re.fullmatch(r"[a-z0-9_]+", text) else text


def appraised_arms(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The arms of the controlled human studies of a training programme, exercise arm first within each study."""
    studies, arms = tables["studies"], tables["interventions"]
    chosen = set(studies.loc[controlled_human_trials(studies), "study_id"])
    part = arms.loc[arms["study_id"].isin(chosen)]
    return part.assign(_role=(part["arm_role"] == "comparator").astype(int)).sort_values(
        ["study_id", "_role", "arm_id"]).drop(columns="_role").reset_index(drop=True)


def prescription_table(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Per arm: what was done, how hard (and how that was set), how often, for how long, supervised or not."""
    rows = []
    for arm in appraised_arms(tables).itertuples(index=False):
        listed = getattr(arm, "prescription_not_reported", "")
        no_exercise = arm.comparator_kind == "usual_care_no_exercise"
        basis = _cell(arm.intensity_basis)
        intensity = _or_not_reported(arm.intensity, "intensity", listed)
        if intensity and basis and basis not in ("not_reported", "other"):
            intensity = f"{intensity} ({label(basis).lower()})"
        rows.append({
            "study": names.get(arm.study_id, arm.study_id),
            "arm": arm_name(arm.arm_label),
            "role": "exercise" if arm.arm_role == "exercise" else COMPARATOR_KINDS.get(arm.comparator_kind, "comparator"),
            "exercise": "none" if no_exercise else (label(arm.modality) if _cell(arm.modality) else ""),
            "intensity": "" if no_exercise else intensity,
            "sessions_per_week": "" if no_exercise else _or_not_reported(arm.sessions_per_week, "sessions_per_week", listed),
            "minutes": "" if no_exercise else _or_not_reported(arm.minutes_per_session, "minutes_per_session", listed),
            "weeks": _or_not_reported(arm.programme_weeks, "programme_weeks", listed) if not no_exercise else "",
            "supervision": "" if no_exercise else SUPERVISION.get(_cell(arm.setting), _or_not_reported("", "setting", listed)),
        })
    return pd.DataFrame(rows, columns=["study", "arm", "role", "exercise", "intensity", "sessions_per_week", "minutes",
                                       "weeks", "supervision"])


def harms_table(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Per arm: adverse events as the source reports them, serious ones, deaths, dropouts (why) and adherence."""
    harms = tables["harms"].set_index("arm_id") if len(tables.get("harms", [])) else pd.DataFrame()
    rows = []
    for arm in appraised_arms(tables).itertuples(index=False):
        h = harms.loc[arm.arm_id] if arm.arm_id in harms.index else None
        listed = _cell(h["harms_not_reported"]) if h is not None else "|".join(HARMS)
        if h is None:
            events = NOT_REPORTED
        else:
            events = AE_REPORTING.get(h["adverse_events_reporting"], NOT_REPORTED)
            if h["adverse_events_reporting"] == "counted":
                events = f"{_cell(h['participants_with_adverse_events'])} people"
            if _cell(h["adverse_events"]):
                events = f"{events}: {_cell(h['adverse_events'])}"
        dropouts = _or_not_reported(h["dropouts"] if h is not None else "", "dropouts", listed)
        if h is not None and _cell(h["dropout_reasons"]):
            dropouts = f"{dropouts} ({_cell(h['dropout_reasons'])})"
        rows.append({
            "study": names.get(arm.study_id, arm.study_id), "arm": arm_name(arm.arm_label),
            "randomised": _cell(arm.n_randomised) or NOT_REPORTED, "adverse_events": events,
            "serious": _or_not_reported(h["serious_adverse_events"] if h is not None else "", "serious_adverse_events", listed),
            "deaths": _or_not_reported(h["deaths"] if h is not None else "", "deaths", listed),
            "dropouts": dropouts,
            "adherence": _or_not_reported(h["adherence"] if h is not None else "", "adherence", listed),
        })
    return pd.DataFrame(rows, columns=["study", "arm", "randomised", "adverse_events", "serious", "deaths", "dropouts",
                                       "adherence"])


def population_table(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Per study: who took part, as the source states it."""
    fields = ["age", "sex", "alsfrs_r", "fvc", "disease_duration", "ambulatory", "ventilation"]
    populations = tables.get("populations", pd.DataFrame(columns=["study_id", "n_randomised", "n_analysed",
                                                                  "population_not_reported", *fields]))
    rows = []
    for p in populations.sort_values("study_id").itertuples(index=False):
        listed = p.population_not_reported
        rows.append({"study": names.get(p.study_id, p.study_id), "randomised": _or_not_reported(p.n_randomised, "n_randomised", listed),
                     "analysed": _or_not_reported(p.n_analysed, "n_analysed", listed),
                     **{f: _or_not_reported(getattr(p, f), f, listed) for f in fields}})
    table = pd.DataFrame(rows, columns=["study", "randomised", "analysed", *fields])
    return table.sort_values("study").reset_index(drop=True)


def harms_reporting_counts(tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """How many appraised studies counted harms, stated none, mentioned them, or were silent (by their best arm)."""
    studies = tables["studies"]
    chosen = set(studies.loc[controlled_human_trials(studies), "study_id"])
    harms = tables.get("harms", pd.DataFrame(columns=["study_id", "adverse_events_reporting"]))
    rank = {"counted": 0, "none_occurred": 1, "described_without_counts": 2, "not_reported": 3}
    best = {}
    for sid, reporting in zip(harms["study_id"], harms["adverse_events_reporting"]):
        if sid in chosen:
            best[sid] = min(best.get(sid, 3), rank.get(reporting, 3))
    out = {key: sum(1 for v in best.values() if v == r) for key, r in rank.items()}
    out["not_reported"] += len(chosen - set(best))
    out["studies"] = len(chosen)
    return out


def _dose(row: dict) -> str:
    parts = [f"{row['sessions_per_week']} a week" if row["sessions_per_week"] not in ("", NOT_REPORTED) else "",
             f"{row['minutes']} min" if row["minutes"] not in ("", NOT_REPORTED) else "",
             f"{row['weeks']} weeks" if row["weeks"] not in ("", NOT_REPORTED) else ""]
    return ", ".join(p for p in parts if p) or NOT_REPORTED


def _directions(outcomes: pd.DataFrame) -> str:
    if outcomes.empty:
        return "not measured"
    counts = outcomes["direction"].value_counts()
    return ", ".join(f"{direction_words(d)} {int(counts[d])}" for d in DIRECTIONS if d in counts)


def exercise_at_a_glance(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """For clinicians: each trial's exercise arm in one row, with what was done, how hard, how often and how long,
    whether supervised, what it was compared with, what the trial found on function (counts of findings by
    direction, as the data dictionary defines them) and how it reported harms."""
    arms = appraised_arms(tables)
    prescribed = prescription_table(tables, names)
    harms = harms_table(tables, names)
    outcomes = tables["outcomes"]
    rows = []
    for arm, given, harm in zip(arms.itertuples(index=False), prescribed.to_dict("records"), harms.to_dict("records")):
        if arm.arm_role != "exercise":
            continue
        comparators = arms.loc[(arms["study_id"] == arm.study_id) & (arms["arm_role"] == "comparator"), "comparator_kind"]
        function = outcomes.loc[(outcomes["arm_id"] == arm.arm_id) & (outcomes["domain"] == "functional_rating")]
        rows.append({
            "study": given["study"], "exercise": given["exercise"] or NOT_REPORTED,
            "how_hard": given["intensity"] or NOT_REPORTED, "how_often_and_how_long": _dose(given),
            "supervision": given["supervision"] or NOT_REPORTED,
            "compared_with": "; ".join(dict.fromkeys(COMPARATOR_KINDS.get(k, "another arm") for k in comparators)) or "no comparator arm",
            "function_findings": _directions(function), "harms": harm["adverse_events"].split(":")[0],
        })
    return pd.DataFrame(rows, columns=["study", "exercise", "how_hard", "how_often_and_how_long", "supervision",
                                       "compared_with", "function_findings", "harms"])
