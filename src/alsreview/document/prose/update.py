"""The living update's passages: what our pooling found (primary analysis, assumption-based analysis, sensitivity)
and how our estimates sit beside the published meta-analyses, written from the update's tables."""
from __future__ import annotations

import pandas as pd

from ..escape import escape_text
from .citing import cite, cite_narrative


def _num(x: float) -> str:
    return f"{x:.2f}".replace("-", "\u2212")


def _analysis_sentence(row, names: pd.Series, cite) -> str:
    scale = escape_text("; ".join(names.get(k, k) for k in str(row.scales).split("; ")))  # scale names are data
    measure = ("a standardised mean difference (Hedges' g, positive favours exercise) of" if row.effect_measure ==
               "standardised mean difference" else f"a mean difference on the {scale} of")
    pi = "" if pd.isna(row.pi_lower) else f"; 95% prediction interval {_num(row.pi_lower)} to {_num(row.pi_upper)}"
    people = f", {int(row.participants)} participants" if pd.notna(row.participants) else ""
    opening = f"{row.label[0].upper()}{row.label[1:]}: {row.k} trials {cite(row.trials.split('; '))}{people}, "
    opening += _values_clause(row, cite)
    if getattr(row, "few_trials", False):
        # The few-trials rule: three intervals, and no verdict drawn from the width of any one of them.
        return (opening + f"{measure} {_num(row.re_estimate)}. With {row.k} trials the data are too few to estimate the "
                f"effect precisely: the Hartung–Knapp 95% CI runs from {_num(row.re_ci_lower)} to "
                f"{_num(row.re_ci_upper)}, the Wald random-effects interval from {_num(row.wald_ci_lower)} to "
                f"{_num(row.wald_ci_upper)}, and the fixed-effect estimate is {_num(row.fe_estimate)} (95% CI "
                f"{_num(row.fe_ci_lower)} to {_num(row.fe_ci_upper)}); τ² {_num(row.tau2)}, I² {row.i2:.0f}%{pi}.")
    return (opening + f"{measure} {_num(row.re_estimate)} (95% CI {_num(row.re_ci_lower)} to {_num(row.re_ci_upper)}; "
            f"τ² {_num(row.tau2)}, I² {row.i2:.0f}%{pi}): {row.favours}.")


def _values_clause(row, cite) -> str:
    """Which values a trial gave where it matters to the reader: change from baseline, or final values although its
    arms differed at baseline (the protocol's imbalance rule); empty when every trial gave plain final values."""
    used = [part.split(": ", 1) for part in str(getattr(row, "values_used", "") or "").split("; ") if ": " in part]
    notable = [f"{cite([sid])} {words}" for sid, words in used if words != "final values"]
    return f"values pooled: {'; '.join(notable)}; " if notable else ""


def pooling_passage(update: dict, names: pd.Series) -> str:
    """What our pooling found, written from its tables: primary analysis, assumption-based analysis, sensitivity."""
    candidates, pooled, assumed = update["candidates"], update["pooled"], update["assumed"]
    if candidates.empty:
        return "No controlled trial in this selection compares an exercise arm with a listed comparator arm.\n"
    stated = int((candidates["usable"] & (candidates["assumption"] == "")).sum())
    trials = candidates["study_id"].nunique()
    parts = [f"Of {len(candidates)} trial outcomes compared with a listed comparator arm ({trials} trials), "
             f"{stated} carry numbers that can be pooled as stated (@tbl-pooling-reasons)."]
    if pooled.empty:
        parts.append("No outcome and follow-up window had two or more such trials against no added exercise, so the "
                     "primary analysis pooled nothing.")
    else:
        parts += [_analysis_sentence(r, names, cite) for r in pooled.itertuples(index=False)]
    extra = assumed.loc[~assumed["pool_id"].isin(set(pooled["pool_id"]))] if len(pooled) else assumed
    if len(extra):
        parts.append("With the assumptions recorded for individual rows (an unstated '±' read as an SD, or the "
                     "numbers randomised standing in for the numbers analysed, each with its reason in the data), "
                     "the secondary analysis also pooled:")
        parts += [_analysis_sentence(r, names, cite) for r in extra.itertuples(index=False)]
    if len(pooled) or len(assumed):
        parts += sensitivity_sentences(update, names)
    return " ".join(parts) + "\n"


def sensitivity_sentences(update: dict, names: pd.Series) -> list[str]:
    """The sensitivity analyses in words, whenever anything was pooled (primary or secondary): without trials at
    high risk of bias or with baseline imbalance, and with comparators that add no exercise at all; the table of
    every sensitivity analysis, each trial left out in turn included, is always pointed to."""
    sensitivity, no_stretching = update["sensitivity"], update.get("no_stretching", update["pooled"].iloc[0:0])
    parts = []
    if sensitivity.empty:
        parts.append(f"Leaving out trials at high risk of bias or with baseline imbalance{sensitivity_exclusions_text(update)} "
                     "left fewer than two trials in every analysis, so that sensitivity analysis pooled nothing.")
    else:
        parts.append(f"Without the trials at high risk of bias or with baseline imbalance ({sensitivity['left_out'].iloc[0]}):")
        parts += [_analysis_sentence(r, names, cite) for r in sensitivity.itertuples(index=False)]
    if no_stretching.empty:
        parts.append("Counting only comparators without any exercise (leaving out usual care that included "
                     "stretching) left fewer than two trials in every analysis, so that sensitivity analysis pooled "
                     "nothing.")
    else:
        parts.append("Counting only comparators without any exercise (leaving out usual care that included stretching):")
        parts += [_analysis_sentence(r, names, cite) for r in no_stretching.itertuples(index=False)]
    parts.append("@tbl-our-sensitivity gives every sensitivity analysis, each trial left out in turn included.")
    return parts


def sensitivity_exclusions_text(update: dict) -> str:
    excluded = update.get("excluded", {})
    return f" ({'; '.join(f'{cite([k])}: {excluded[k]}' for k in sorted(excluded))})" if excluded else ""


def _named(study_id: str, studies: pd.DataFrame) -> str:
    """A review named by author and year with its citation, as the running text names studies."""
    row = studies.loc[studies["study_id"] == study_id]
    if row.empty:
        return cite_narrative(study_id)
    return cite_narrative(study_id, row["authors"].iloc[0], row["year"].iloc[0])


def comparison_passage(update: dict) -> str:
    """Our estimates against the published meta-analyses of the same domain and window, and why they differ."""
    beside = update["beside_published"]
    ours = beside.loc[beside["source"].str.startswith("this review")]
    if ours.empty:
        return ("With no estimate of our own, the published meta-analyses (@tbl-published) are the only pooled "
                "evidence in this review; they are shown as printed.\n")
    parts = []
    for (domain, window), group in ours.groupby(["domain", "window"], sort=False):
        theirs = beside.loc[(beside["domain"] == domain) & (beside["window"] == window)
                            & ~beside["source"].str.startswith("this review") & beside["estimate"].notna()]
        topic = f"{domain.replace('_', ' ')} at {window}"
        if theirs.empty:
            parts.append(f"No published meta-analysis in the dataset gives an estimate for {topic}.")
            continue
        listed = "; ".join(f"{_named(t.source, update['studies'])} ({escape_text(t.time_point) if isinstance(t.time_point, str) and t.time_point else 'time not stated'}), {t.effect_measure} {_num(t.estimate)}"
                           + (f" ({_num(t.ci_lower)} to {_num(t.ci_upper)})" if pd.notna(t.ci_lower) else "")
                           for t in theirs.itertuples(index=False))
        parts.append(f"For {topic}, published meta-analyses report {listed}.")
        for r in group.itertuples(index=False):
            parts += _beside_one(r, theirs)
        if (theirs["effect_measure"] != group["effect_measure"].iloc[0]).any():
            parts.append("Standardised mean differences are in units of SD and cannot be compared with differences "
                         "in scale points directly.")
    return " ".join(parts) + "\n"


def _beside_one(r, theirs: pd.DataFrame) -> list[str]:
    """One of our analyses (named, since the primary and the assumption-based one may both exist) against the
    published estimates on the same effect measure."""
    analysis = escape_text(r.source.replace("this review, ", "").replace("this review", "our analysis"))
    same_measure = theirs.loc[theirs["effect_measure"] == r.effect_measure]
    if same_measure.empty:
        return []
    inside = same_measure.loc[(same_measure["estimate"] >= r.ci_lower) & (same_measure["estimate"] <= r.ci_upper)]
    where = "all lie inside" if len(inside) == len(same_measure) else (
        "none lies inside" if inside.empty else f"{len(inside)} of {len(same_measure)} lie inside")
    parts = [f"Of their {r.effect_measure} estimates, {where} the interval of our analysis {analysis} "
             f"({_num(r.ci_lower)} to {_num(r.ci_upper)})."]
    widths = (same_measure["ci_upper"] - same_measure["ci_lower"]).dropna()
    if len(widths) and (r.ci_upper - r.ci_lower) > 2 * widths.max():
        parts.append(f"That interval is much wider: it rests on {int(r.trials)} trials and uses the "
                     "Hartung-Knapp-Sidik-Jonkman method, whose t quantile with so few trials is large, whereas "
                     "the reviews pooled other or more trials with normal-theory intervals where they state a model.")
    return parts


def abstract_findings(update: dict) -> str:
    """The abstract's results for people with ALS, from our summary-of-findings table only: each pooled estimate
    with its intervals and GRADE certainty, or a line saying nothing could be pooled. No counts of outcomes."""
    sof, pooled = update["summary_of_findings"], pd.concat([update["pooled"], update["assumed"]], ignore_index=True)
    sof = sof.loc[sof["estimate"].notna()]  # the pooled estimates; harms (not pooled) have their own sentence
    if sof.empty:
        return ("In people with ALS, no outcome had two or more trials against no added exercise with numbers we "
                "could pool, so the review gives no pooled estimate of its own.\n")
    parts = []
    for s in sof.itertuples(index=False):
        p = pooled.loc[(pooled["k"] == s.trials) & (pooled["re_estimate"] == s.estimate)].iloc[0]
        basis = "" if s.analysis == "stated numbers only" else " (under recorded assumptions)"
        intervals = (f"Hartung–Knapp 95% CI {_num(s.ci_lower)} to {_num(s.ci_upper)}; fixed effect "
                     f"{_num(p['fe_ci_lower'])} to {_num(p['fe_ci_upper'])}" if bool(p["few_trials"])
                     else f"95% CI {_num(s.ci_lower)} to {_num(s.ci_upper)}")
        parts.append(f"In people with ALS, {s.trials} trials ({int(s.participants)} participants) could be pooled for "
                     f"{s.outcome}{basis}: {s.effect_measure} {_num(s.estimate)} ({intervals}); certainty of the "
                     f"evidence {s.certainty}. {s.plain_words}")
    return " ".join(parts) + "\n"
