"""GRADE certainty for each of our pooled estimates, computed from the data with a footnote for every judgement,
and the summary-of-findings table in GRADE's layout (outcome, participants and trials, effect, certainty, what it
means in plain words).

The rules are written once, here, and applied to every row:
- start high when every trial was randomised, low otherwise;
- risk of bias: down one level when trials judged at high (RoB 2) or serious/critical (ROBINS-I) overall risk of
  bias by us carry half the weight or more, two when any is critical;
- inconsistency: from three trials on, down one when I² is 50% or more or the prediction interval crosses no
  difference while the estimate does not; with fewer it cannot be judged and is not downgraded (the footnote says so);
- indirectness: not downgraded when every comparator adds no exercise (the protocol's question); down one otherwise;
- imprecision: down one when the 95% CI includes no difference, one more when the participants fall short of the
  optimal information size (a single trial powered at 80%, two-sided 5%, for a standardised difference of 0.2, used
  because no minimal important difference in ALSFRS-R points could be read: the published thresholds are a 20%
  slowing of decline, which needs the control arm's decline to turn into points);
- publication bias: not assessable below ten trials; not downgraded.
Harms are an outcome of their own (`harms_outcome`): never pooled here, rated from the same start, with selective
reporting of harms counted under risk of bias and too few per-arm counts under imprecision.
"""
from __future__ import annotations

import math

import pandas as pd

from ..data import protocol
from ..data.appraisal import HIGH_RISK, controlled_human_trials
from ..data.favours import FAVOURS_CONTROL, FAVOURS_EXERCISE
from ..data.labels import DIRECTIONS, direction_words, study_names
from .appraisal import harms_reporting_counts
from .contrasts import COMPARATOR_KINDS, NO_ADDED_EXERCISE
from .importance import clinical_context

LEVELS = ["very low", "low", "moderate", "high"]
_PLAN = protocol.load()  # the thresholds are the protocol's (analysis.certainty)
SMALLEST_EFFECT_SMD = _PLAN.smallest_effect_smd
HIGH_RISK_WEIGHT = _PLAN.high_risk_weight  # share of the weight from trials at high risk of bias that costs a level
INCONSISTENCY_MIN_TRIALS = _PLAN.inconsistency_min_trials  # I² and the prediction interval judged from this many on
I2_SERIOUS = _PLAN.i2_serious  # percent
PUBLICATION_BIAS_MIN_TRIALS = _PLAN.publication_bias_min_trials
Z_ALPHA, Z_POWER = 1.959963984540054, 0.8416212335729143  # two-sided 5%, 80% power


def optimal_information_size(smd: float = SMALLEST_EFFECT_SMD) -> int:
    """Participants (both arms) a single trial needs to detect `smd` standard deviations with 80% power."""
    return 2 * math.ceil(2 * (Z_ALPHA + Z_POWER) ** 2 / smd ** 2)


def _start(randomised: bool, noun: str) -> tuple[str, int]:
    """GRADE's starting level: high when every study was randomised, low otherwise."""
    return (f"all {noun} randomised: start high", 3) if randomised else ("includes non-randomised studies: start low", 1)


def rate(pooled: pd.Series, contrasts: pd.DataFrame, risk_of_bias: dict[str, str], designs: dict[str, str],
         comparators: dict[str, str], names: dict[str, str] | None = None) -> dict:
    """Certainty of one pooled estimate, with a footnote per domain (what was judged, and why)."""
    names = names or {}
    trials = list(dict.fromkeys(contrasts["study_id"]))
    weights = (1.0 / contrasts.drop_duplicates("study_id").set_index("study_id")["variance"]).reindex(trials)
    share_high = float(weights[[risk_of_bias.get(t, "") in HIGH_RISK for t in trials]].sum() / weights.sum())
    randomised = all(designs.get(t) == "human_rct" for t in trials)
    notes, down = {}, 0
    notes["start"], start = _start(randomised, "trials")
    if any(risk_of_bias.get(t) == "critical" for t in trials):
        notes["risk_of_bias"], d = "a trial at critical risk of bias by our ROBINS-I judgement: down two", 2
    elif share_high >= HIGH_RISK_WEIGHT:
        judged = ", ".join(f"{names.get(t, t)} {risk_of_bias.get(t, 'not judged')}" for t in trials)
        notes["risk_of_bias"], d = f"{share_high:.0%} of the weight from trials at high risk of bias ({judged}): down one", 1
    else:
        notes["risk_of_bias"], d = f"{share_high:.0%} of the weight from trials at high risk of bias: not downgraded", 0
    down += d
    k = int(pooled["k"])
    if k < INCONSISTENCY_MIN_TRIALS:
        notes["inconsistency"], d = f"cannot be judged from {k} trials (I² and τ² are not estimable): not downgraded", 0
    else:
        crosses = pd.notna(pooled.get("pi_lower")) and pooled["pi_lower"] < 0 < pooled["pi_upper"]
        estimate_clear = pooled["re_ci_lower"] > 0 or pooled["re_ci_upper"] < 0
        if pooled["i2"] >= I2_SERIOUS or (crosses and estimate_clear):
            notes["inconsistency"], d = f"I² {pooled['i2']:.0f}%; prediction interval crosses no difference: down one", 1
        else:
            notes["inconsistency"], d = f"I² {pooled['i2']:.0f}%: not downgraded", 0
    down += d
    other = [t for t in trials if comparators.get(t) not in NO_ADDED_EXERCISE]
    kinds = sorted({COMPARATOR_KINDS.get(comparators.get(t), "not coded") for t in trials})
    if other:
        notes["indirectness"], d = f"comparators that add exercise ({', '.join(names.get(t, t) for t in other)}): down one", 1
    else:
        notes["indirectness"], d = f"comparators add no exercise ({'; '.join(kinds)}), as the question asks: not downgraded", 0
    down += d
    ois = optimal_information_size()
    includes_null = pooled["re_ci_lower"] <= 0 <= pooled["re_ci_upper"]
    participants = int(pooled["participants"]) if pd.notna(pooled.get("participants")) else 0
    d = int(includes_null) + int(participants < ois)
    reasons = ([f"the 95% CI ({pooled['re_ci_lower']:.2f} to {pooled['re_ci_upper']:.2f}) includes no difference"]
               if includes_null else []) + ([f"{participants} participants, fewer than the optimal information size of {ois}"]
                                             if participants < ois else [])
    notes["imprecision"] = ("; ".join(reasons) + f": down {['none', 'one', 'two'][d]}") if d else "not downgraded"
    down += d
    notes["publication_bias"] = (f"not assessable with {k} trials (fewer than {PUBLICATION_BIAS_MIN_TRIALS}): "
                                 "not downgraded")
    return {"certainty": LEVELS[max(0, start - down)], "downgrades": down, **{f"note_{k}": v for k, v in notes.items()}}


def plain_words(certainty: str, finding: str, outcome: str) -> str:
    """GRADE's wording for what the estimate means: 'probably', 'may', 'very uncertain'; never 'no effect'."""
    if certainty == "very low":
        return f"The evidence is very uncertain about the effect of exercise on {outcome}."
    hedge = {"high": "", "moderate": "probably ", "low": "may "}[certainty]
    if finding in (FAVOURS_EXERCISE, FAVOURS_CONTROL):
        verb = "improve" if finding == FAVOURS_EXERCISE else "worsen"
        return f"Exercise {hedge}{verb}{'' if hedge == 'may ' else 's'} {outcome}."
    make = "make" if hedge == "may " else "makes"
    return (f"There is no evidence of a difference in {outcome}: exercise {hedge}{make} little or no difference, or "
            "the data are too few to tell.")


def summary_of_findings(pooled: pd.DataFrame, contrasts: pd.DataFrame, tables: dict[str, pd.DataFrame],
                        risk_of_bias: dict[str, str]) -> pd.DataFrame:
    """Our summary-of-findings table: one row per pooled estimate, with its certainty and footnotes."""
    studies, arms = tables["studies"], tables["interventions"]
    designs = dict(zip(studies["study_id"], studies["evidence_type"]))
    kind = arms.set_index("arm_id")["comparator_kind"] if len(arms) else pd.Series(dtype=str)
    rows = []
    for p in pooled.itertuples(index=False):
        used = contrasts.loc[(contrasts["domain"] == p.domain) & (contrasts["window"] == p.window)
                             & contrasts["study_id"].isin(p.trials.split("; "))]
        comparators = {}
        for sid in used["study_id"].unique():
            arm_kinds = kind.loc[[a for a in kind.index if a.startswith(sid + "-") and pd.notna(kind[a])]]
            comparators[sid] = arm_kinds.iloc[0] if len(arm_kinds) else ""
        row = pd.Series(p._asdict())
        graded = rate(row, used, risk_of_bias, designs, comparators, study_names(studies))
        outcome = f"{p.domain.replace('_', ' ')} at {p.window}"
        rows.append({"outcome": outcome, "trials": p.k, "participants": p.participants, "effect_measure": p.effect_measure,
                     "estimate": p.re_estimate, "ci_lower": p.re_ci_lower, "ci_upper": p.re_ci_upper,
                     "certainty": graded["certainty"], "plain_words": plain_words(graded["certainty"], p.favours, outcome),
                     "clinical_context": clinical_context(p.domain, p.window, p.effect_measure, p.scales),
                     **{k: v for k, v in graded.items() if k.startswith("note_")}})
    return pd.DataFrame(rows, columns=SOF_COLUMNS)


SOF_COLUMNS = ["outcome", "trials", "participants", "effect_measure", "estimate", "ci_lower", "ci_upper", "certainty",
               "plain_words", "clinical_context", "note_start", "note_risk_of_bias", "note_inconsistency", "note_indirectness",
               "note_imprecision", "note_publication_bias"]


def randomised_participants(tables: dict[str, pd.DataFrame], trials: list[str]) -> int | None:
    """How many people the trials randomised, when every one of them states it; otherwise None ("not stated"),
    since a sum over some trials would read as the total."""
    populations = tables.get("populations")
    if populations is None or "n_randomised" not in populations or not trials:
        return None
    stated = pd.to_numeric(populations.drop_duplicates("study_id").set_index("study_id")["n_randomised"],
                           errors="coerce").reindex(trials)
    return int(stated.sum()) if stated.notna().all() else None


def harms_outcome(tables: dict[str, pd.DataFrame], risk_of_bias: dict[str, str]) -> pd.DataFrame:
    """Harms as an outcome of their own: not pooled (adverse events are rarely counted per arm), rated by the same
    start and the rules that apply without an estimate. Risk of bias counts studies, not weights, and adds
    selective reporting (down one more when fewer than half the studies counted adverse events per arm); fewer
    than two studies with per-arm counts leaves nothing to estimate (imprecision, down two)."""
    studies = tables["studies"]
    trials = list(studies.loc[controlled_human_trials(studies), "study_id"])
    if not trials:
        return pd.DataFrame(columns=SOF_COLUMNS + ["effect_text"])
    counts = harms_reporting_counts(tables)
    designs = dict(zip(studies["study_id"], studies["evidence_type"]))
    randomised = all(designs.get(t) == "human_rct" for t in trials)
    high = [t for t in trials if risk_of_bias.get(t, "") in HIGH_RISK]
    notes = {}
    notes["start"], start = _start(randomised, "studies")
    high_share = len(high) >= HIGH_RISK_WEIGHT * len(trials)
    selective = 2 * counts["counted"] < len(trials)
    down_bias = int(high_share) + int(selective)
    notes["risk_of_bias"] = (f"{len(high)} of {len(trials)} studies at high risk of bias by our judgement"
                             + (", and harms selectively reported (fewer than half counted adverse events per arm)"
                                if selective else "") + f": {['not downgraded', 'down one', 'down two'][down_bias]}")
    notes["inconsistency"] = "no estimate to compare across studies: not judged, not downgraded"
    notes["indirectness"] = "people with ALS in every study: not downgraded"
    down_precision = 2 if counts["counted"] < 2 else 0
    notes["imprecision"] = (f"adverse events counted per arm in {counts['counted']} of {len(trials)} studies, "
                            + ("too few to estimate a risk: down two" if down_precision else "not downgraded"))
    notes["publication_bias"] = (f"not assessable with {counts['counted']} studies counting events (fewer than "
                                 f"{PUBLICATION_BIAS_MIN_TRIALS}): not downgraded"
                                 if counts["counted"] < PUBLICATION_BIAS_MIN_TRIALS else
                                 f"{counts['counted']} studies counting events: not assessed here, not downgraded")
    certainty = LEVELS[max(0, start - down_bias - down_precision)]
    effect = (f"not pooled: {counts['counted']} of {len(trials)} studies counted adverse events per arm, "
              f"{counts['none_occurred']} stated that none occurred, {counts['described_without_counts']} mentioned "
              f"them without counts, {counts['not_reported']} said nothing about them")
    words = ("The evidence is very uncertain about the harms of exercise: most studies did not count adverse events."
             if certainty == "very low" else f"Harms are rated {certainty} certainty; see the footnotes.")
    row = {"outcome": "adverse events (harms)", "trials": len(trials),
           "participants": randomised_participants(tables, trials),
           "effect_measure": "", "estimate": None, "ci_lower": None, "ci_upper": None, "certainty": certainty,
           "plain_words": words, "effect_text": effect, **{f"note_{k}": v for k, v in notes.items()}}
    return pd.DataFrame([row], columns=SOF_COLUMNS + ["effect_text"])


def narrative_outcomes(candidates: pd.DataFrame, tables: dict[str, pd.DataFrame], risk_of_bias: dict[str, str],
                       names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every outcome domain that trials against no added exercise measured, rated without a pooled estimate (a
    synthesis without meta-analysis): what each trial found, counted by direction as the data dictionary defines
    it, with the same start, risk-of-bias and indirectness rules as the pooled rows. Inconsistency is judged from
    trials that disagree (one finds benefit, another does not); with no estimate to judge, imprecision is down two.
    A pooled window of the same domain has its own row; this row covers all the domain's trials and times."""
    names = names or {}
    if candidates.empty:
        return pd.DataFrame(columns=SOF_COLUMNS + ["effect_text", "analysis"])
    studies = tables["studies"]
    designs = dict(zip(studies["study_id"], studies["evidence_type"]))
    directions = tables["outcomes"].set_index("outcome_id")["direction"]
    rows = candidates.loc[candidates["comparator_kind"].isin(NO_ADDED_EXERCISE) & (candidates["domain"] != "other")]
    rows = rows.assign(direction=rows["outcome_id"].map(directions))
    out = []
    for domain, group in rows.groupby("domain", sort=True):
        trials = list(dict.fromkeys(group["study_id"]))
        found = {t: set(group.loc[group["study_id"] == t, "direction"].dropna()) for t in trials}
        notes = {}
        notes["start"], start = _start(all(designs.get(t) == "human_rct" for t in trials), "trials")
        high = [t for t in trials if risk_of_bias.get(t, "") in HIGH_RISK]
        down_bias = int(len(high) >= HIGH_RISK_WEIGHT * len(trials))
        notes["risk_of_bias"] = (f"{len(high)} of {len(trials)} trials at high risk of bias by our judgement: "
                                 + ("down one" if down_bias else "not downgraded"))
        helped = [t for t in trials if "beneficial" in found[t]]
        not_helped = [t for t in trials if found[t] and "beneficial" not in found[t]]
        down_inconsistent = int(bool(helped) and bool(not_helped))
        notes["inconsistency"] = (f"{len(helped)} trials found benefit and {len(not_helped)} did not: down one"
                                  if down_inconsistent else
                                  "cannot be judged from one trial: not downgraded" if len(trials) == 1 else
                                  "the trials do not disagree in direction: not downgraded")
        notes["indirectness"] = "comparators add no exercise, as the question asks: not downgraded"
        notes["imprecision"] = "no pooled estimate (the trials do not report numbers that can be combined): down two"
        notes["publication_bias"] = f"not assessable with {len(trials)} trials: not downgraded"
        certainty = LEVELS[max(0, start - down_bias - down_inconsistent - 2)]
        tally = "; ".join(f"{direction_words(d)} {sum(1 for t in trials if d in found[t])}"
                          for d in DIRECTIONS if any(d in found[t] for t in trials))
        outcome = f"{domain.replace('_', ' ')}, all follow-up times"
        out.append({"outcome": outcome, "trials": len(trials), "participants": randomised_participants(tables, trials),
                    "effect_measure": "",
                    "estimate": None, "ci_lower": None, "ci_upper": None, "certainty": certainty,
                    "plain_words": plain_words(certainty, "", outcome), "clinical_context": "",
                    "effect_text": f"not pooled: trials by what they found ({tally}); "
                                   + ", ".join(names.get(t, t) for t in trials),
                    **{f"note_{k}": v for k, v in notes.items()}})
    return pd.DataFrame(out, columns=SOF_COLUMNS + ["effect_text"])


NOTE_DOMAINS = {"note_risk_of_bias": "Risk of bias", "note_inconsistency": "Inconsistency",
                "note_indirectness": "Indirectness", "note_imprecision": "Imprecision",
                "note_publication_bias": "Publication bias"}


def sof_for_reader(sof: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table in GRADE's layout, and its footnotes (one per outcome and domain), for the printed review."""
    main = pd.DataFrame({
        "analysis": sof["analysis"] if "analysis" in sof else "",
        "outcome": sof["outcome"],
        "participants_(trials)": [f"{int(p)} ({int(k)})" if pd.notna(p) else f"not stated ({int(k)})"
                                  for p, k in zip(sof["participants"], sof["trials"])],
        "pooled_effect": [f"{m} {e:.2f} ({lo:.2f} to {hi:.2f}, 95% CI)" if pd.notna(e) else text for m, e, lo, hi, text in
                          zip(sof["effect_measure"], sof["estimate"], sof["ci_lower"], sof["ci_upper"],
                              sof["effect_text"] if "effect_text" in sof else [""] * len(sof))],
        "certainty": sof["certainty"], "what_it_means": sof["plain_words"],
        "what_difference_matters": [("no estimate to compare" if pd.isna(e) else (c or "no threshold set in the protocol"))
                                    for e, c in zip(sof["estimate"], sof["clinical_context"].fillna(""))]
        if "clinical_context" in sof else ""})
    notes = [{"outcome": r["outcome"], "domain": label, "judgement": r[column]}
             for _, r in sof.iterrows() for column, label in NOTE_DOMAINS.items()]
    return main, pd.DataFrame(notes, columns=["outcome", "domain", "judgement"])


def conclusion_for_people(sof: pd.DataFrame) -> str:
    """The abstract's conclusion for people, no stronger than the best certainty in the summary of findings."""
    certainties = set(sof["certainty"])
    if not certainties or certainties <= {"very low"}:
        return ("Whether exercise training helps or harms people with ALS remains very uncertain: the trials are "
                "small, mostly at high risk of bias, rarely count harms, and seldom print the numbers a pooling needs.")
    return ("The certainty of the evidence in people with ALS is at best "
            f"{max(certainties, key=['very low', 'low', 'moderate', 'high'].index)}; "
            "the summary of findings gives what each estimate means.")
