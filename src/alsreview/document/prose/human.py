"""The human-evidence passages: each study in two sentences (design, exercise, size, comparator, then findings by
time point), harm and benefit in the randomised trials, the newest trial, and respiratory muscle training."""
from __future__ import annotations

import pandas as pd

from ...data.favours import NO_CLEAR_DIFFERENCE, better_of, favours_column, null_value
from ...data.labels import EVIDENCE_TYPE, pretty
from ...data.subset import split_arms
from ...synthesis.contrasts import COMPARATOR_KINDS
from .citing import cite, cite_narrative, escape_text
from .wording import (
    DESIGN_PLURAL,
    DIRECTION_ORDER,
    counted,
    HUMAN_DESIGNS,
    domain_words,
    in_order,
    modality_words,
    outcome_rows,
    primary_studies,
    text_column,
    topic_words,
    when_phrase,
    with_article,
    words,
)

FINDING_CLAUSE = {
    "beneficial": "favoured exercise on",
    "harmful": "pointed to harm on",
    "mixed": "were mixed on",
    "no_effect": "found no significant difference on",
    "unclear": "stated no direction for",
}
AUTHORS_CONCLUSION = {
    "beneficial": "The authors concluded that the exercise helped.",
    "no_effect": "The authors concluded that the groups compared did not differ.",
    "harmful": "The authors concluded that the exercise did harm.",
    "mixed": "The authors concluded that the exercise helped in some respects and not in others.",
    "unclear": "The authors drew no conclusion about benefit or harm.",
}
RESPIRATORY = ("inspiratory_muscle_training", "expiratory_muscle_training", "respiratory_muscle_training")


def _comparator(arms: pd.DataFrame) -> str:
    """The comparator in words: comparator arms by their coded kind (else their label); in older rows without
    comparator arms, the kind or the curated description on the exercise arm."""
    exercise, comparators = split_arms(arms)
    if len(comparators):
        kinds = text_column(comparators, "comparator_kind")
        labels = text_column(comparators, "arm_label")
        # The coded kind, then what the trial called it: "usual care" differs between trials.
        named = [(f"{COMPARATOR_KINDS[k]} ({escape_text(l)})" if l and l.lower() != COMPARATOR_KINDS[k] else COMPARATOR_KINDS[k])
                 if k in COMPARATOR_KINDS else escape_text(l) for k, l in zip(kinds, labels)]
        return words(list(dict.fromkeys(named)), "or")
    kinds = [k for k in dict.fromkeys(text_column(exercise, "comparator_kind")) if k]
    if kinds:
        return words([COMPARATOR_KINDS.get(k, pretty(k)) for k in kinds], "or")
    texts = [t for t in dict.fromkeys(text_column(exercise, "comparator")) if t]
    return words([escape_text(t) for t in texts], "or")


def _participants(arms: pd.DataFrame, randomised_design: bool = True) -> str:
    """Size of the arms: people randomised (or, without randomisation, allocated) to exercise and to the
    comparator when the data record them, else the size of the exercise arms."""
    exercise, comparators = split_arms(arms)
    randomised = pd.to_numeric(text_column(exercise, "n_randomised"), errors="coerce")
    against = pd.to_numeric(text_column(comparators, "n_randomised"), errors="coerce")
    if randomised.notna().all() and len(randomised):
        to_exercise = int(randomised.sum())
        verb = "randomised" if randomised_design else "allocated"
        if len(against) and against.notna().all():
            return f"{to_exercise} {verb} to exercise, {int(against.sum())} to the comparator"
        return f"{to_exercise} {verb}"
    n = exercise["n"].dropna() if "n" in exercise else pd.Series(dtype=float)
    if len(n) and len(n) == len(exercise):
        return f"{int(n.sum())} in the exercise {'arm' if len(exercise) == 1 else 'arms'}"
    return ""


def _modalities(arms: pd.DataFrame) -> str:
    return words([modality_words(m) for m in dict.fromkeys(arms["modality"])]) or "exercise"


def study_findings(study, tables: dict[str, pd.DataFrame]) -> str:
    """One study in two sentences: design, exercise, size and comparator, then its findings by time point."""
    record = pd.DataFrame([study._asdict()])
    arms = tables["interventions"].loc[tables["interventions"]["study_id"] == study.study_id]
    rows = outcome_rows(tables)
    rows = rows.loc[rows["study_id"] == study.study_id]
    design = DESIGN_PLURAL.get(study.evidence_type, (EVIDENCE_TYPE.get(study.evidence_type, "study").lower(),))[0]
    described = f"{cite_narrative(study.study_id, getattr(study, 'authors', None), study.year)}, {with_article(design)},"
    exercise_arms = split_arms(arms)[0]
    if text_column(record, "exercise_role").iloc[0] == "single_session_test":
        described += f" used {_modalities(exercise_arms)} as a test rather than as training"
    else:
        described += f" tested {_modalities(exercise_arms)}"
    size = (_participants(arms, study.evidence_type == "human_rct")
            if study.evidence_type in ("human_rct", "human_nonrandomised") else "")
    if size:
        described += f" ({size})"
    comparator = _comparator(arms)
    if comparator:
        described += f" against {comparator}"
    if rows.empty:
        return described + "; no outcome was extracted."
    findings = []
    time_points = text_column(rows, "time_point")
    for time_point in in_order(time_points):
        at = rows.loc[time_points == time_point]
        clauses = []
        for direction in DIRECTION_ORDER:
            chosen = at.loc[at["direction"] == direction]
            if len(chosen):
                clauses.append(f"{FINDING_CLAUSE[direction]} {words(sorted(set(topic_words(chosen))))}")
        when = when_phrase(time_point)
        findings.append(f"{when}, outcomes {words(clauses)}")
    text = "; ".join(findings)
    sentence = f"{described}. {text[0].upper()}{text[1:]}."
    conclusion = text_column(record, "authors_conclusion").iloc[0]
    if conclusion:
        sentence += " " + AUTHORS_CONCLUSION.get(conclusion, f"The authors' conclusion: {escape_text(conclusion).rstrip('.')}.")
    return sentence


def human_evidence(tables: dict[str, pd.DataFrame]) -> str:
    """The human-evidence passage: designs with counts and citations, then each study's findings by time point."""
    primary = primary_studies(tables)
    human = primary.loc[primary["species"] == "human"]
    if human.empty:
        return "No human study testing exercise is in this selection.\n"
    designs = [*HUMAN_DESIGNS, *sorted(set(human["evidence_type"]) - set(HUMAN_DESIGNS))]
    by_design = [(d, human.loc[human["evidence_type"] == d]) for d in designs]
    listing = []
    for design, group in by_design:
        if len(group):
            singular, plural = DESIGN_PLURAL.get(design, (EVIDENCE_TYPE.get(design, design).lower(),) * 2)
            listing.append(f"{len(group)} {singular if len(group) == 1 else plural} {cite(group['study_id'])}")
    paragraphs = [f"The human evidence testing exercise consists of {words(listing)}.{_trial_sizes(tables, human)}"]
    for _, group in by_design:
        paragraphs.extend(study_findings(study, tables) for study in group.itertuples(index=False))
    return "\n\n".join(paragraphs) + "\n"


def _trial_sizes(tables: dict[str, pd.DataFrame], human: pd.DataFrame) -> str:
    """The range of exercise-arm sizes over the trials, when every trial states them."""
    trials = human.loc[human["evidence_type"].isin(["human_rct", "human_nonrandomised"]), "study_id"]
    arms = split_arms(tables["interventions"])[0]
    sizes = arms.loc[arms["study_id"].isin(trials)].groupby("study_id")["n"].sum(min_count=1).dropna()
    if not len(trials) or len(sizes) != len(trials):
        return ""
    low, high = int(sizes.min()), int(sizes.max())
    span = f"{low} to {high}" if low != high else f"{low}"
    return f" The trials' exercise arms held {span} participants."


def randomised_trials(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The randomised trials among the studies that test exercise, oldest first."""
    primary = primary_studies(tables)
    return primary.loc[primary["evidence_type"] == "human_rct"]


def trial_harm(tables: dict[str, pd.DataFrame]) -> str:
    """What the randomised trials' outcomes say, with nothing left out: harm, how many findings went each way
    (counted as findings, not effects), where benefit was reported and in which analysis, and the published
    estimates that leaned towards the control arm without a clear difference."""
    trials = randomised_trials(tables)
    if trials.empty:
        return "No randomised trial is in this selection.\n"
    rows = outcome_rows(tables)
    rows = rows.loc[rows["study_id"].isin(trials["study_id"])]
    harmful = rows.loc[rows["direction"] == "harmful"]
    if harmful.empty:
        first = {1: "The one randomised trial reported no harm on any extracted outcome",
                 2: "Neither of the 2 randomised trials reported harm on any extracted outcome"}.get(
            len(trials), f"None of the {len(trials)} randomised trials reported harm on any extracted outcome")
    else:
        items = [f"{domain_words(d)} {cite(g['study_id'])}" for d, g in harmful.groupby("domain", sort=True)]
        first = f"Harm was reported by randomised trials on {words(items)}"
    counts = rows["direction"].value_counts()
    tally = words([f"{int(counts[d])} {DIRECTION_TALLY[d]}" for d in DIRECTION_ORDER if counts.get(d, 0)])
    text = f"{first}. Of their {counted(len(rows), 'extracted outcome')}, {tally} (counts of findings, not of effects)"
    good = rows.loc[rows["direction"] == "beneficial"]
    if good.empty:
        return text + "; none reported a benefit.\n" + _leaning_to_control(tables)
    items = []
    for (domain, subgroup), group in good.groupby(["domain", "subgroup"], sort=True):
        times = words([escape_text(t) for t in in_order(text_column(group, "time_point"))
                       if when_phrase(t) != "at an unstated time"])
        only = f", in one analysis only ({escape_text(subgroup)})" if subgroup else ""
        items.append(f"{domain_words(domain)}{' at ' + times if times else ''}{only} {cite(group['study_id'])}")
    return f"{text}. Benefit was reported on {words(items)}.\n" + _leaning_to_control(tables)


DIRECTION_TALLY = {"beneficial": "favoured exercise", "no_effect": "found no significant difference",
                   "harmful": "pointed to harm", "mixed": "were mixed", "unclear": "stated no direction"}


def _leaning_to_control(tables: dict[str, pd.DataFrame]) -> str:
    """Published estimates whose point lies on the control arm's side while the interval includes no difference:
    not a finding of harm, and not to be left out of a passage that lists benefits. An estimate whose printed
    numbers contradict each other (pooled_results.discrepancy) says so where it is listed."""
    pooled = tables.get("pooled_results")
    if pooled is None or pooled.empty:
        return ""
    better = better_of(pooled, tables.get("scales"))
    unclear = favours_column(pooled, tables.get("scales")) == NO_CLEAR_DIFFERENCE
    shown = []
    for (_, row), side in zip(pooled.loc[unclear].iterrows(), better[unclear]):
        null = null_value(row["effect_measure"])
        if (row["effect"] < null) == (side == "higher") and row["effect"] != null:
            doubt = ("; as printed, though the review's own numbers disagree: see the published meta-analyses table"
                     if str(row.get("discrepancy", "") or "").strip() else "")
            shown.append(f"{escape_text(row['outcome'])} ({escape_text(row['effect_measure'])} {row['effect']:g}, "
                         f"95% CI {row['ci_lower']:g} to {row['ci_upper']:g}{doubt}) {cite([row['study_id']])}")
    if not shown:
        return ""
    lean = "leans" if len(shown) == 1 else "lean"
    return (f"\nPublished pooled estimates that {lean} towards the control arm, with intervals that include no "
            f"difference: {words(shown)}.\n")


def newest_trial(tables: dict[str, pd.DataFrame]) -> str:
    """The limitation that follows from the data's date range: the newest trial in the dataset."""
    trials = randomised_trials(tables)
    if trials.empty:
        return "This selection holds no randomised trial, so it says nothing about trials in people."
    newest = trials.loc[trials["year"] == trials["year"].max()]
    return (f"The newest randomised trial in this dataset was published in {int(newest['year'].iloc[0])} "
            f"{cite(newest['study_id'])}; later trials are part of the review only once a curator adds them.")


def respiratory_training(tables: dict[str, pd.DataFrame]) -> str:
    """The trials of respiratory muscle training and whether each found a gain, for the discussion."""
    primary = primary_studies(tables)
    arms = tables["interventions"]
    trained = arms.loc[arms["modality"].isin(RESPIRATORY), "study_id"]
    trials = primary.loc[primary["study_id"].isin(trained) & (primary["species"] == "human")]
    if trials.empty:
        return "No trial of respiratory muscle training is in this selection.\n"
    keys = list(trials.sort_values(["year", "study_id"])["study_id"])
    outcomes = tables["outcomes"].loc[tables["outcomes"]["study_id"].isin(keys)]
    gained = [k for k in keys if (outcomes.loc[outcomes["study_id"] == k, "direction"] == "beneficial").any()]
    harmed = [k for k in keys if (outcomes.loc[outcomes["study_id"] == k, "direction"] == "harmful").any()]
    others = [k for k in keys if k not in gained and k not in harmed]
    count = "One trial" if len(keys) == 1 else f"{len(keys)} trials"
    parts = [f"{count} tested respiratory muscle training {cite(keys)}."]
    if gained:
        topics = words(sorted(set(topic_words(outcomes.loc[outcomes["study_id"].isin(gained) & (outcomes["direction"] == "beneficial")]))))
        parts.append(f"A gain over the comparator was reported on {topics} {cite(gained)}.")
    if harmed:
        parts.append(f"Harm was reported {cite(harmed)}.")
    if others:
        parts.append(f"No clear difference on any extracted outcome was found {cite(others)}.")
    return " ".join(parts) + "\n"
