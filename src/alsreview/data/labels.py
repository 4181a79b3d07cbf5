"""Human-readable names and colours for the data's codes, in one place so tables and figures agree."""

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
    "human_nonrandomised": "Non-randomised study",
    "human_observational": "Observational study",
    "systematic_review": "Systematic review",
    "narrative_review": "Narrative review",
    "book_or_chapter": "Book or chapter",
    "hypothesis": "Hypothesis",
    "other": "Other",
}
DIRECTIONS = ["beneficial", "no_effect", "harmful", "mixed", "unclear"]
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
