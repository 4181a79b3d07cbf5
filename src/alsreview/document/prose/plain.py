"""The plain-language summary: what the review asked, what it found and how sure it is, in words a person with
ALS can use. Every number comes from the same tables as the rest of the report (the summary of findings, the
harms counts, the trials table), and no sentence is stronger than the certainty it reports."""
from __future__ import annotations

import pandas as pd

from ...data.appraisal import HIGH_RISK, controlled_human_trials
from ...data.subset import is_exercise_study
from ...synthesis.bias import overall_by_study
from ...synthesis.appraisal import harms_reporting_counts
from .wording import counted

CERTAINTY_WORDS = {"very low": "very unsure", "low": "unsure", "moderate": "moderately sure", "high": "sure"}


def _number(x: float) -> str:
    return f"{x:.1f}".replace("-", "−")


def _pooled_sentence(row) -> str:
    low, high = row.ci_lower, row.ci_upper
    if low > 0:
        spread = f"the likely range runs from {_number(low)} to {_number(high)} points higher"
    elif high < 0:
        spread = f"the likely range runs from {_number(-high)} to {_number(-low)} points lower"
    else:
        spread = (f"the likely range runs from {_number(-low)} points lower to {_number(high)} points higher, so it "
                  "includes no difference")
    context = (f" For comparison, the smallest difference that matters to patients is {row.clinical_context}."
               if isinstance(row.clinical_context, str) and row.clinical_context else "")
    return (f"When we combined {counted(int(row.trials), 'trial')} ({int(row.participants)} people), those who exercised "
            f"scored on average {_number(row.estimate)} points higher on the {row.outcome.split(' at ')[0]} scale "
            f"at {row.outcome.split(' at ')[-1]}, but {spread}.{context} We are "
            f"{CERTAINTY_WORDS.get(row.certainty, row.certainty)} about this result (GRADE: {row.certainty} certainty).")


def plain_language_summary(tables: dict[str, pd.DataFrame], sof: pd.DataFrame) -> str:
    """About 250 words: the question, the trials, the pooled results with their certainty, harms, animals, and
    what it means."""
    studies = tables["studies"]
    trials = studies.loc[controlled_human_trials(studies)]
    populations = tables.get("populations", pd.DataFrame(columns=["study_id", "n_randomised"]))
    sizes = pd.to_numeric(populations.loc[populations["study_id"].isin(set(trials["study_id"])), "n_randomised"],
                          errors="coerce").dropna()
    paragraphs = ["**What we asked.** Does exercise training help people with ALS keep their strength, breathing and "
                  "everyday function, does it harm them, or does it make no difference we can see?"]
    if trials.empty:
        paragraphs.append("**What we found.** This selection holds no controlled study of exercise in people with ALS.")
    else:
        size = f"; half of them randomised {int(sizes.median())} people or fewer" if len(sizes) else ""
        judged = overall_by_study(tables["risk_of_bias"]) if "risk_of_bias" in tables else {}
        high = sum(1 for sid in trials["study_id"] if judged.get(sid) in HIGH_RISK)
        paragraphs.append(f"**What we found.** We found {counted(len(trials), 'controlled study', 'controlled studies')} "
                          f"of exercise in people with ALS{size}. By our judgement {high} of the {len(trials)} are at "
                          "high risk of bias, often because only a short abstract could be read.")
    pooled = sof.loc[sof["estimate"].notna()] if len(sof) else sof
    if len(pooled):
        paragraphs.append(" ".join(_pooled_sentence(r) for r in pooled.itertuples(index=False)))
    elif len(trials):
        paragraphs.append("No result could be combined across trials, because too few trials reported comparable "
                          "numbers.")
    counts = harms_reporting_counts(tables)
    if counts["studies"]:
        how_many = f"{counts['counted']} of the" if counts["counted"] else "None of the"
        paragraphs.append(f"**Side effects.** {how_many} {counts['studies']} studies counted side "
                          f"effects in each group; {counts['none_occurred']} said none happened, "
                          f"{counts['described_without_counts']} mentioned them without numbers and "
                          f"{counts['not_reported']} said nothing about them. So this evidence cannot show that "
                          "exercise is safe, nor that it is harmful.")
    animal = set(studies.loc[is_exercise_study(studies) & studies["species"].isin(["mouse", "rat"]), "study_id"])
    if animal:
        outcomes = tables["outcomes"].loc[tables["outcomes"]["study_id"].isin(animal)]
        helped = outcomes.loc[outcomes["direction"] == "beneficial", "study_id"].nunique()
        harmed = outcomes.loc[outcomes["direction"] == "harmful", "study_id"].nunique()
        paragraphs.append(f"**Animal studies.** Of {counted(len(animal), 'experiment')} training mice or rats, {helped} "
                          f"found benefit on at least one measure and {harmed} pointed to harm on at least one. "
                          "Results in animals often do not carry over to people.")
    paragraphs.append("**What this means.** The evidence cannot yet tell a person with ALS whether exercise will slow "
                      "the loss of function. Larger trials that report their numbers in full and count side effects "
                      "are needed; this review will be updated as they appear.")
    return "\n\n".join(paragraphs) + "\n"
