"""The living update in one place: the tables, figures and numbers notebook 04-living-update shows and the report
quotes (its passages are written by document/prose/update.py).

Facts about the corpus (the search and screening logs, what changed since the last release) come from the whole
dataset whatever the selection; the trials and their pooling follow the selection like every other table.
"""
from __future__ import annotations

import pandas as pd

from ..data import protocol
from ..data.appraisal import HIGH_RISK
from ..data.labels import EVIDENCE_TYPE, label, study_names
from ..data.subset import is_exercise_study, split_arms
from ..synthesis.bias import overall_by_study
from ..synthesis.appraisal import arm_name
from ..synthesis.contrasts import COMPARATOR_KINDS, candidates_of, usable_contrasts
from ..synthesis.forest import plot_trial_forests
from ..synthesis.grade import conclusion_for_people, harms_outcome, narrative_outcomes, summary_of_findings
from ..synthesis.reported import beside_published
from ..synthesis.trial_pooling import our_meta_analysis, pooled_trials, sensitivity_table, sensitivity_without
from .releases import previous_release, snapshot, what_changed
from .coming import citation_values, coming_trials, flag_values, ongoing_values
from .screening import citation_searches, update_flow

TRIAL_DESIGNS = ("human_rct", "human_nonrandomised")


def _numbers(arms: pd.DataFrame, column: str) -> str:
    """'24' or '18 + 20' for a group of arms; '?' for an arm whose count no source states."""
    if column not in arms.columns or arms.empty:
        return ""
    return " + ".join("?" if pd.isna(v) else str(int(v)) for v in arms[column])


def _versus(exercise: pd.DataFrame, comparator: pd.DataFrame, column: str) -> str:
    """Exercise arms against comparator arms, e.g. '18 + 20 vs 21'; empty when no arm states the number."""
    left, right = _numbers(exercise, column), _numbers(comparator, column)
    if not left.strip("?+ ") and not right.strip("?+ "):
        return ""
    return f"{left} vs {right}" if right else left


def trial_characteristics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per controlled trial in people with ALS: design, arms, comparator, numbers, dose, conclusion.

    Older rows describe the comparator in words on the exercise arm and give one count per arm (n); newer
    rows list comparator arms and give numbers randomised and analysed. Both are shown as stated."""
    studies, arms = tables["studies"], tables["interventions"]
    trials = studies.loc[studies["evidence_type"].isin(TRIAL_DESIGNS) & is_exercise_study(studies)]
    columns = ["study", "year", "design", "exercise", "comparator", "n_randomised", "n_analysed", "dose", "duration",
               "authors_conclusion"]
    rows = []
    for t in trials.sort_values(["year", "study_id"]).itertuples(index=False):
        exercise, comparator = split_arms(arms.loc[arms["study_id"] == t.study_id])
        if len(comparator):
            kinds = comparator["comparator_kind"].map(COMPARATOR_KINDS) if "comparator_kind" in comparator else None
            compared = "; ".join(f"{a} ({k})" if isinstance(k, str) else str(a) for a, k in
                                 zip(comparator["arm_label"], kinds if kinds is not None else [None] * len(comparator)))
            randomised = _versus(exercise, comparator, "n_randomised")
        else:
            compared = "; ".join(dict.fromkeys(str(c) for c in exercise["comparator"].dropna()))
            randomised = _versus(exercise, comparator, "n")
        doses = [", ".join(str(v) for v in (a.get("frequency"), a.get("session_length")) if isinstance(v, str) and v)
                 for _, a in exercise.iterrows()]
        design = getattr(t, "design_detail", None)
        rows.append({
            "study": t.study_id,
            "year": int(t.year),
            "design": design if isinstance(design, str) and design else EVIDENCE_TYPE.get(t.evidence_type, t.evidence_type),
            "exercise": "; ".join(f"{arm_name(a.arm_label)} ({label(a.modality)})" if isinstance(a.modality, str)
                                  else arm_name(a.arm_label) for a in exercise.itertuples(index=False)),
            "comparator": compared,
            "n_randomised": randomised,
            "n_analysed": _versus(exercise, comparator, "n_analysed"),
            "dose": "; ".join(dict.fromkeys(d for d in doses if d)),
            "duration": "; ".join(dict.fromkeys(str(v) for v in exercise["programme_duration"].dropna())),
            "authors_conclusion": label(t.authors_conclusion) if isinstance(getattr(t, "authors_conclusion", None), str) else "",
        })
    return pd.DataFrame(rows, columns=columns)


def our_estimates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every estimate this review computes (primary and assumption-based analyses), with keys and labels that say
    which analysis, and the GRADE certainty and plain words of its summary-of-findings row, for the release
    snapshot."""
    rob = overall_by_study(tables["risk_of_bias"]) if "risk_of_bias" in tables else {}
    frames = []
    for name, assumptions in (("stated", False), ("assumed", True)):
        contrasts, pooled = our_meta_analysis(tables, assumptions=assumptions)
        graded = summary_of_findings(pooled, contrasts, tables, rob)
        frames.append(pooled.assign(pool_id=f"{name}:" + pooled["pool_id"],
                                    label=pooled["label"] + (" (recorded assumptions)" if assumptions else " (stated numbers)"),
                                    certainty=graded["certainty"].to_numpy(),
                                    plain_words=graded["plain_words"].to_numpy()))
    return pd.concat(frames, ignore_index=True)


def _used_outcomes(contrasts: pd.DataFrame, pooled_row) -> list[str]:
    """The outcome rows a pooled analysis used: its trials' rows in its domain and window, less those it set aside."""
    rows = contrasts.loc[(contrasts["domain"] == pooled_row.domain) & (contrasts["window"] == pooled_row.window)
                         & contrasts["study_id"].isin(pooled_row.trials.split("; "))]
    return [o for o in rows["outcome_id"] if o not in set(str(pooled_row.not_used).split("; "))]


def sensitivity_exclusions(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Trials left out of the sensitivity analysis, with why: high overall risk of bias by our own judgement (RoB 2
    high, ROBINS-I serious or critical), or baseline imbalance."""
    reasons = {}
    rob = tables.get("risk_of_bias")
    if rob is not None and len(rob):
        reasons.update({s: f"{j} overall risk of bias" for s, j in overall_by_study(rob).items()
                        if j in HIGH_RISK})
    studies = tables["studies"]
    if "baseline_imbalance" in studies.columns:
        for s in studies.loc[studies["baseline_imbalance"] == "yes", "study_id"]:
            reasons[s] = " and ".join(filter(None, [reasons.get(s), "baseline imbalance"]))
    return reasons


def published_meta_analyses(pooled: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Every pooled result a systematic review prints, with the review's year, newest reviews first."""
    if pooled.empty:
        return pd.DataFrame(columns=["review", "year", "outcome", "time_point", "effect_measure", "effect", "ci_lower",
                                     "ci_upper", "n_studies", "n_participants", "discrepancy"])
    years = studies.set_index("study_id")["year"]
    frame = pooled.assign(review=pooled["study_id"], year=pooled["study_id"].map(years))
    wanted = ["review", "year", "outcome", "time_point", "effect_measure", "effect", "ci_lower", "ci_upper",
              "n_studies", "n_participants"]
    frame = frame.assign(discrepancy=frame["discrepancy"] if "discrepancy" in frame.columns else "")
    return frame.sort_values(["year", "review", "result_id"], ascending=[False, True, True])[wanted + ["discrepancy"]].reset_index(drop=True)


def update_tables(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame], version: str) -> dict:
    """Everything notebook 04-living-update writes: flow, trials, pooling with sensitivity, published estimates, changes, values."""
    candidates = candidates_of(tables)
    contrasts, assumed_contrasts = usable_contrasts(candidates, False), usable_contrasts(candidates, True)
    pooled, assumed = pooled_trials(contrasts), pooled_trials(assumed_contrasts)
    # Sensitivity analysis of the comparator rule: only comparators without any exercise (no stretching either).
    stretching = candidates["comparator_kind"].isin(protocol.load().includes_some_exercise)
    no_stretching_contrasts = usable_contrasts(candidates.loc[~stretching], True)
    no_stretching = pooled_trials(no_stretching_contrasts)
    excluded = sensitivity_exclusions(tables)
    sensitivity = sensitivity_without(assumed_contrasts, set(excluded)).assign(
        left_out="; ".join(f"{s} ({why})" for s, why in sorted(excluded.items())) or "none")
    # Every sensitivity analysis in one table, on the pooling that uses the most trials (with recorded assumptions).
    sensitivity_all = sensitivity_table(assumed_contrasts, {
        "stated numbers only (no assumption rows)": contrasts,
        "comparators without any exercise (stretching controls left out)": no_stretching_contrasts,
        "high risk of bias or baseline imbalance left out": assumed_contrasts.loc[~assumed_contrasts["study_id"].isin(set(excluded))],
    })
    scales = tables.get("scales")
    names = scales.set_index("scale_id")["name"] if scales is not None and len(scales) else pd.Series(dtype=str)
    panels = []
    for analysis, frame, used_contrasts in (("stated data only", pooled, contrasts),
                                            ("with recorded assumptions", assumed, assumed_contrasts)):
        for row in frame.itertuples(index=False):
            used = used_contrasts.loc[used_contrasts["outcome_id"].isin(_used_outcomes(used_contrasts, row))]
            shown = pd.Series(row._asdict())
            shown["scales"] = "; ".join(names.get(k, k) for k in row.scales.split("; "))
            panels.append((used, shown, f"{row.label.capitalize()} ({analysis})"))
    rob = overall_by_study(tables["risk_of_bias"]) if "risk_of_bias" in tables else {}
    # One figure, so the report can include it by name.
    forests = {"forest_trials": plot_trial_forests(panels, rob, study_names(tables["studies"]))}
    current = snapshot(corpus, version, our_estimates(corpus))
    releases = corpus.get("releases")
    previous = previous_release(releases, version) if releases is not None and len(releases) else None
    whole_corpus = len(tables["studies"]) == len(corpus["studies"])
    # Release-to-release changes name works of the whole corpus, so a subset report leaves them out.
    changes = what_changed(previous, current) if previous is not None and whole_corpus else {}
    if changes:
        changes = {"studies": changes["studies"], "counts": changes["counts"],
                   "estimates": pd.concat([changes["estimates"].rename(columns={"estimate": "result"}).assign(kind="estimate"),
                                           changes["conclusions"].rename(columns={"conclusion": "result"}).assign(kind="conclusion")],
                                          ignore_index=True)[["kind", "result", "before", "after"]]}
    previous_studies = 0 if previous is None else int((previous["kind"] == "study").sum())
    flow = update_flow(corpus["searches"], corpus["screening"], previous_studies, len(corpus["studies"])) \
        if "searches" in corpus and "screening" in corpus else pd.DataFrame()
    trials = trial_characteristics(tables)
    box = flow.set_index("box")["n"] if len(flow) else pd.Series(dtype=int)
    pooled_results = tables["pooled_results"]
    discrepant = pooled_results["discrepancy"].notna() if "discrepancy" in pooled_results else pd.Series(dtype=bool)
    values = {
        "data_version": version,
        "previous_version": "none recorded" if previous is None else str(previous["version"].iloc[0]),
        "n_previous_works": previous_studies,
        "n_trials": len(trials),
        "n_searches": int((~citation_searches(corpus["searches"])).sum()) if "searches" in corpus else 0,
        "n_search_results": int(box.get("Search results returned", 0)),
        "n_records_considered": int(box.get("Distinct records considered", 0)),
        "n_records_screened": int(box.get("Records screened", 0)),
        "n_new_studies": int(box.get("New studies included", 0)),
        "n_pooled_here": len(pooled),
        "n_pooled_with_assumptions": len(assumed),
        "n_contrasts": len(contrasts),
        "n_candidate_rows": len(candidates),
        "n_published_results": len(pooled_results),
        "n_published_discrepancies": int(discrepant.sum()),
        "n_reviews_with_results": int(pooled_results["study_id"].nunique()),
    }
    values.update(_beyond_queries(corpus))
    rob = overall_by_study(tables["risk_of_bias"]) if "risk_of_bias" in tables else {}
    pooled_sof = pd.concat([summary_of_findings(pooled, contrasts, tables, rob).assign(analysis="stated numbers only"),
                            summary_of_findings(assumed, assumed_contrasts, tables, rob).assign(
                                analysis="with recorded assumptions")], ignore_index=True)
    values["n_our_sof_rows"] = len(pooled_sof)
    values["abstract_conclusion"] = conclusion_for_people(pooled_sof)
    # Harms are an outcome of their own, graded by the same rules although nothing could be pooled.
    sof = pd.concat([pooled_sof,
                     narrative_outcomes(candidates, tables, rob, study_names(tables["studies"])).assign(
                         analysis="narrative (not pooled)"),
                     harms_outcome(tables, rob).assign(analysis="narrative (not pooled)")], ignore_index=True)
    all_pooled = pd.concat([pooled.assign(analysis="stated numbers only"),
                            assumed.assign(analysis="with recorded assumptions")], ignore_index=True)
    return {
        "excluded": excluded, "reasons": candidate_reasons(candidates), "studies": tables["studies"],
        "flow": flow, "trials": trials, "candidates": candidates, "contrasts": assumed_contrasts, "pooled": pooled,
        "assumed": assumed, "sensitivity": sensitivity, "no_stretching": no_stretching, "forests": forests,
        "sensitivity_all": sensitivity_all,
        "pooled_all": all_pooled.assign(wald_estimate=all_pooled["re_estimate"])[
            ["analysis", "label", "effect_measure", "k", "participants", "trials", "re_estimate", "re_ci_lower",
             "re_ci_upper", "wald_estimate", "wald_ci_lower", "wald_ci_upper", "fe_estimate", "fe_ci_lower", "fe_ci_upper",
             "tau2", "i2", "favours"]],
        "beside_published": beside_published(all_pooled, tables["pooled_results"]),
        "published": published_meta_analyses(tables["pooled_results"], tables["studies"]), "changes": changes,
        "summary_of_findings": sof,
        "coming": coming_trials(corpus["ongoing_trials"]) if "ongoing_trials" in corpus else pd.DataFrame(),
        "values": values,
    }


def _beyond_queries(corpus: dict[str, pd.DataFrame]) -> dict:
    """Counts of citation chasing, registered trials and retraction flags (whole corpus: they describe the search)."""
    values = {}
    if {"review_trials", "screening", "searches"} <= set(corpus):
        values.update(citation_values(corpus["review_trials"], corpus["studies"], corpus["screening"], corpus["searches"]))
    if "ongoing_trials" in corpus:
        values.update(ongoing_values(corpus["ongoing_trials"]))
    if "publication_flags" in corpus:
        values.update(flag_values(corpus["publication_flags"]))
    return values


def candidate_reasons(candidates: pd.DataFrame) -> pd.DataFrame:
    """Why trial outcomes could or could not be pooled: outcomes and trials per reason (usable ones first)."""
    if candidates.empty:
        return pd.DataFrame(columns=["reason", "outcomes", "trials"])
    reason = candidates["reason"].where(~candidates["usable"], candidates["assumption"].map(
        lambda a: "usable only under its recorded assumptions" if a else "usable as stated"))
    grouped = candidates.assign(reason=reason).groupby("reason", sort=False)
    table = grouped.agg(outcomes=("outcome_id", "size"), trials=("study_id", lambda s: "; ".join(dict.fromkeys(s))))
    return table.reset_index().sort_values(["outcomes", "reason"], ascending=[False, True]).reset_index(drop=True)
