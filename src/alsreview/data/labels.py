"""Human-readable names and colours for the data's codes, in one place so tables and figures agree."""
from __future__ import annotations

import re

import pandas as pd

SEED_STUDY_ID = "ilzecka2017"  # the narrative review whose reference list the corpus starts from
POPULATION = {
    "als_model_animal": "ALS-model animals",
    "healthy_animal": "Healthy animals",
    "other_disease_model_animal": "Other disease models",
    "people_with_als": "People with ALS",
    "other_people": "Other people",
    "not_applicable": "Reviews and other works",
}
EVIDENCE_TYPE = {
    "animal_experiment": "Animal experiment",
    "human_rct": "Randomised trial",
    "no_effect": "No difference found",
    "aerobic_endurance": "Aerobic or endurance exercise",
    "stretching_range_of_motion": "Stretching or range of motion",
    "other_or_unstated": "Other, or kind not stated",
    "human_nonrandomised": "Non-randomised study",
    "human_observational": "Observational study",
    "systematic_review": "Systematic review",
    "narrative_review": "Narrative review",
    "book_or_chapter": "Book or chapter",
    "hypothesis": "Hypothesis",
    "other": "Other",
}
DIRECTIONS = ["beneficial", "no_effect", "harmful", "mixed", "unclear"]
# A direction in words. no_effect means the source found no (significant) difference, which is not evidence
# that exercise has no effect, so it never reads "no effect".
DIRECTION_WORDS = {"beneficial": "beneficial", "no_effect": "no difference found", "harmful": "harmful",
                   "mixed": "mixed", "unclear": "unclear"}


def direction_words(code: str) -> str:
    return DIRECTION_WORDS.get(code, pretty(code))
# Direct evidence comes from ALS models and people with ALS; the rest bears on ALS only indirectly.
DIRECTNESS = {
    "als_model_animal": "direct",
    "people_with_als": "direct",
    "healthy_animal": "indirect",
    "other_disease_model_animal": "indirect",
    "other_people": "indirect",
}
DIRECTNESS_LABELS = {"direct": "direct", "indirect": "indirect"}
EXERCISE_ROLE = {
    "training_programme": "training",
    "single_session_test": "single test",
    "not_applicable": "none",
}
# Okabe-Ito, a colour-blind-safe palette.
EVIDENCE_COLOURS = {
    "animal_experiment": "#E69F00",
    "human_rct": "#0072B2",
    "human_nonrandomised": "#56B4E9",
    "human_observational": "#009E73",
    "systematic_review": "#CC79A7",
    "narrative_review": "#999999",
    "book_or_chapter": "#D55E00",
    "hypothesis": "#F0E442",
    "other": "#000000",
}
SPECIES_LANES = {"mouse": "Mouse", "rat": "Rat", "human": "Human", "none": "Reviews, books, other"}


def pretty(code: str) -> str:
    """A code such as 'voluntary_wheel_running' as words."""
    return str(code).replace("_", " ")
# Okabe-Ito again, for the direction of an outcome (explorer page); grey where the source does not say.
DIRECTION_COLOURS = {
    "beneficial": "#009E73",
    "no_effect": "#0072B2",
    "harmful": "#D55E00",
    "mixed": "#E69F00",
    "unclear": "#999999",
}


# Labels for data codes whose words alone would read badly; every other code reads as its words in sentence case.
CODE_LABELS = {
    "endurance_aerobic": "Endurance (aerobic) exercise",
    "resistance": "Resistance exercise",
    "balance": "Balance exercise",
    "combined": "Combined exercise",
    "vojta": "Vojta method",
    "pnf": "Proprioceptive neuromuscular facilitation (PNF)",
    "running_unspecified": "Running (kind not stated)",
    "unspecified_exercise": "Exercise (kind not stated)",
    "cellular_mechanistic": "Cellular and mechanistic",
    "motoneuron_survival": "Motor neuron survival",
    "functional_rating": "Functional rating scale",
    "seed_reference_list": "Seed reference list only",
    "secondary_source": "Secondary source",
    "human_rct": "Randomised trial",
    "none": "No species (reviews, books, other)",
}


def label(code) -> str:
    """The reader's name for a data code ('cellular_mechanistic' or 'cellular mechanistic' alike)."""
    key = str(code).strip().replace(" ", "_")
    words = CODE_LABELS.get(key) or EVIDENCE_TYPE.get(key) or POPULATION.get(key) or pretty(key)
    return words[:1].upper() + words[1:]


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _surname(person: str) -> str:
    """'Dal Bello-Haas V' -> 'Dal Bello-Haas': the trailing initials (up to three capitals) are dropped."""
    parts = person.split()
    return " ".join(parts[:-1]) if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3 else person


def short_citation(authors, year) -> str:
    """'Kirkinezos IG, Hernandez D, ...' and 2003 -> 'Kirkinezos et al. 2003'; two authors are both named."""
    text = "" if _missing(authors) else str(authors).strip()
    truncated = re.search(r",?\s*et al\.?$", text)
    surnames = [_surname(p.strip()) for p in (text[: truncated.start()] if truncated else text).split(",") if p.strip()]
    if not surnames:
        lead = "Anonymous"
    elif len(surnames) == 1 and not truncated:
        lead = surnames[0]
    elif len(surnames) == 2 and not truncated:
        lead = f"{surnames[0]} and {surnames[1]}"
    else:
        lead = f"{surnames[0]} et al."
    return lead if _missing(year) else f"{lead} {int(year)}"


def study_label(authors, year) -> str:
    """'Drory VE, Goltsman E, ...' and 2001 -> 'Drory 2001': a study as tables and figures name it (Cochrane's style)."""
    text = "" if _missing(authors) else str(authors).strip()
    first = re.split(r",|\s+et al\.?$", text, maxsplit=1)[0].strip()
    lead = _surname(first) if first else "Anonymous"
    return lead if _missing(year) else f"{lead} {int(year)}"


def study_names(studies: pd.DataFrame) -> dict[str, str]:
    """study_id -> 'Drory 2001': how figures and tables name a study to a reader (never by its data key)."""
    return {sid: study_label(a, y) for sid, a, y in zip(studies["study_id"], studies["authors"], studies["year"])}
