"""The report's passages that list or characterise studies, written from the curated rows.

Each function takes the selected tables and returns Markdown. Sentences are assembled from coded fields
(design, species, population, modality, domain, direction, time point, sex) and cite studies by key, so a
study added to the data, or left out by a selection, changes every passage it belongs to. Citation markup
is made only from study ids that match the key pattern; free text from the data (comparators, measures,
time points, conclusions) is escaped so it can never become Markup, a citation or a Quarto shortcode.

Optional columns that curators may add later are used when present and ignored when absent:
studies.exercise_role, studies.authors_conclusion, interventions.comparator_kind, interventions.n_randomised,
outcomes.subgroup.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from .labels import EVIDENCE_TYPE, POPULATION, pretty
from .subset import is_exercise_study, split_arms

STUDY_KEY = re.compile(r"^[a-z][a-z0-9]*[0-9]{4}[a-z]?$")
ARM_KEY = re.compile(r"^[a-z][a-z0-9]*[0-9]{4}[a-z]?-([a-z0-9_]+)$")
SEED_STUDY_ID = "ilzecka2017"
ANIMAL_SPECIES = ("mouse", "rat")
HUMAN_DESIGNS = ("human_rct", "human_nonrandomised", "human_observational")
DESIGN_PLURAL = {
    "human_rct": ("randomised trial", "randomised trials"),
    "human_nonrandomised": ("non-randomised study", "non-randomised studies"),
    "human_observational": ("observational study", "observational studies"),
    "animal_experiment": ("animal experiment", "animal experiments"),
}
POPULATION_PHRASE = {
    "als_model_animal": "animals carrying an ALS-causing mutation",
    "healthy_animal": "healthy animals",
    "other_disease_model_animal": "animals modelling another disease",
    "people_with_als": "people with ALS",
    "other_people": "other people",
    "not_applicable": "works without subjects",
}
DOMAIN_PHRASE = {"cellular_mechanistic": "cellular and mechanistic measures", "other": "other outcomes",
                 "motoneuron_survival": "motor neuron survival"}
MODALITY_PHRASE = {"unspecified_exercise": "exercise of an unstated kind", "running_unspecified": "running of an unstated kind",
                   "endurance_aerobic": "endurance (aerobic) exercise", "resistance": "resistance exercise",
                   "combined": "combined exercise", "other": "another kind of exercise"}
SPECIES_PLURAL = {"mouse": "mice", "rat": "rats", "human": "people"}
# One sentence per direction code, each saying exactly what the data dictionary means by it.
DIRECTION_SENTENCE = {
    "beneficial": "Results favoured exercise on {}.",
    "harmful": "Results pointed to harm on {}.",
    "mixed": "Results were mixed on {}.",
    "no_effect": "No difference was found on {}.",
    "unclear": "No direction was stated for {}.",
}
FINDING_CLAUSE = {
    "beneficial": "favoured exercise on",
    "harmful": "pointed to harm on",
    "mixed": "were mixed on",
    "no_effect": "showed no difference on",
    "unclear": "stated no direction for",
}
AUTHORS_CONCLUSION = {
    "beneficial": "The authors concluded that the exercise helped.",
    "no_effect": "The authors concluded that the exercise made no difference.",
    "harmful": "The authors concluded that the exercise did harm.",
    "mixed": "The authors concluded that the exercise helped in some respects and not in others.",
    "unclear": "The authors drew no conclusion about benefit or harm.",
}
DIRECTION_ORDER = ("beneficial", "harmful", "mixed", "no_effect", "unclear")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|<>@$~^])")


def escape_text(value) -> str:
    """Free text from the data as literal Markdown on one line: the characters Markdown, citations and Quarto
    shortcodes act on are backslash-escaped (so '@key', '{{< ... >}}', '*', '[' and '<b>' stay text) and '&'
    becomes an entity (so '&#64;' stays text too)."""
    text = " ".join(str(value).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def cite(study_ids, suffixes: dict[str, str] | None = None) -> str:
    """'[@a; @b]' for study keys in the order given (duplicates dropped); a key that does not match the key
    pattern raises ValueError, so citation markup is never built from free text. Suffixes must be safe text."""
    keys = list(dict.fromkeys(study_ids))
    for key in keys:
        if not isinstance(key, str) or not STUDY_KEY.match(key):
            raise ValueError(f"not a study key: {key!r}")
    if not keys:
        return ""
    suffixes = {k: v for k, v in (suffixes or {}).items() if v and k in keys}
    if not suffixes:
        return "[" + "; ".join(f"@{k}" for k in keys) + "]"
    # The part of a study a finding concerns (an arm, a subgroup) is written before its citation, outside the
    # brackets: a numbered style (AMA) would print a citation suffix after the number, where it reads as noise.
    plain = [k for k in keys if k not in suffixes]
    parts = "(" + "; ".join(f"{suffixes[k]} [@{k}]" for k in keys if k in suffixes) + ")"
    return ("[" + "; ".join(f"@{k}" for k in plain) + "] " + parts) if plain else parts


def cite_narrative(study_id: str, authors=None, year=None) -> str:
    """A study named in the running text: 'Drory et al. (2001) [@drory2001]'. The names are written out because
    a numbered citation style (AMA) would otherwise open the sentence with a bare number."""
    reference = cite([study_id])
    if not isinstance(authors, str) or not authors.strip():
        return reference
    names = [a.strip() for a in authors.split(",") if a.strip()]
    surnames = [n.rsplit(" ", 1)[0] if " " in n else n for n in names[:2]]
    shown = surnames[0] if len(names) == 1 else (" and ".join(surnames) if len(names) == 2 else f"{surnames[0]} et al.")
    when = f" ({int(year)})" if year is not None and not pd.isna(year) else ""
    return f"{escape_text(shown)}{when} {reference}"


def words(items, conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column that may not exist yet (added by a later schema), as text with '' for missing."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))


def _arm_label(arm_id: str) -> str:
    """The arm's short label from its pattern-checked key (safe to put inside a citation)."""
    match = ARM_KEY.match(arm_id)
    return pretty(match.group(1)) if match else ""


def domain_words(domain: str) -> str:
    return DOMAIN_PHRASE.get(domain, pretty(domain))


def modality_words(modality: str) -> str:
    return MODALITY_PHRASE.get(modality, pretty(modality))


def _combined(directions) -> str:
    stated = sorted(set(directions) - {"unclear"})
    if not stated:
        return "unclear"
    return stated[0] if len(stated) == 1 else "mixed"


def primary_studies(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    studies = tables["studies"]
    return studies.loc[is_exercise_study(studies)].sort_values(["year", "study_id"])


def _outcome_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Outcomes with their arm's sex and the study's population; subgroup '' when the column is absent."""
    outcomes = tables["outcomes"].copy()
    outcomes["subgroup"] = _column(outcomes, "subgroup")
    arms = tables["interventions"][["arm_id", "sex"]]
    rows = outcomes.merge(arms, on="arm_id", how="left")
    population = tables["studies"].set_index("study_id")["population"]
    rows["population"] = rows["study_id"].map(population)
    return rows


def _unit_label(rows: pd.DataFrame) -> str:
    """What tells one part of a study from another in a citation: subgroup, else sex, else the arm label."""
    subgroup = rows["subgroup"].iloc[0]
    if subgroup:
        return re.sub(r"[^A-Za-z0-9 ]", " ", subgroup).strip()
    return _arm_label(rows["arm_id"].iloc[0])


def _topic(rows: pd.DataFrame) -> pd.Series:
    """What an outcome is about in words: its domain, or for the 'other' domain its own measure."""
    return pd.Series([escape_text(m) if d == "other" else domain_words(d) for d, m in zip(rows["domain"], rows["measure"])],
                     index=rows.index, dtype=object)


def direction_sentences(rows: pd.DataFrame) -> list[str]:
    """For a set of outcome rows: one sentence per direction, listing topics with the studies behind each.

    A study counts once per topic and direction; when its arms or subgroups point different ways, each part
    is cited with its label (e.g. 'exercise female') rather than merged into 'mixed'."""
    if rows.empty:
        return []
    parts = rows.assign(unit=rows["arm_id"] + "|" + rows["subgroup"], topic=_topic(rows))
    per_unit = parts.groupby(["study_id", "unit", "topic"], sort=False)["direction"].agg(_combined).reset_index()
    split = per_unit.groupby(["study_id", "topic"])["direction"].nunique()
    sentences = []
    for direction in DIRECTION_ORDER:
        chosen = per_unit.loc[per_unit["direction"] == direction]
        if chosen.empty:
            continue
        items = []
        for topic, group in chosen.groupby("topic", sort=True):
            suffixes = {}
            for study_id, study_rows in group.groupby("study_id", sort=False):
                if split.get((study_id, topic), 1) > 1:
                    labels = [_unit_label(parts.loc[parts["unit"] == u]) for u in study_rows["unit"]]
                    suffixes[study_id] = ", ".join(l for l in labels if l)
            items.append(f"{topic} {cite(group['study_id'], suffixes)}")
        sentences.append(DIRECTION_SENTENCE[direction].format(words(items)))
    return sentences


def _harm_detail(rows: pd.DataFrame, arms: pd.DataFrame) -> str:
    """Which arms the harmful findings came from, with their coded sex and stated intensity."""
    harmful = rows.loc[rows["direction"] == "harmful"]
    if harmful.empty:
        return ""
    details = []
    for (study_id, arm_id), _ in harmful.groupby(["study_id", "arm_id"], sort=True):
        arm = arms.loc[arms["arm_id"] == arm_id]
        bits = []
        if len(arm) and arm["sex"].iloc[0] in ("male", "female"):
            bits.append(f"{arm['sex'].iloc[0]}s")
        intensity = _column(arm, "intensity")
        if len(arm) and intensity.iloc[0]:
            bits.append(f"intensity: {escape_text(intensity.iloc[0])}")
        detail = f" ({'; '.join(bits)})" if bits else ""
        details.append(f"the {_arm_label(arm_id)} arm{detail} {cite([study_id])}")
    return f"The harmful results came from {words(details)}."


def _species_counts(studies: pd.DataFrame) -> str:
    return words([f"{counted(int((studies['species'] == s).sum()), 'experiment')} in {SPECIES_PLURAL[s]}"
                  for s in ANIMAL_SPECIES if (studies["species"] == s).any()])


def animal_evidence(tables: dict[str, pd.DataFrame]) -> str:
    """The animal-evidence passage: which experiments tested exercise, in which models, and what they found."""
    primary = primary_studies(tables)
    animal = primary.loc[primary["species"].isin(ANIMAL_SPECIES)]
    if animal.empty:
        return "No animal experiment testing exercise is in this selection.\n"
    groups = [(pop, animal.loc[animal["population"] == pop]) for pop in POPULATION if pop in set(animal["population"])]
    listing = [f"{len(g)} in {POPULATION_PHRASE[pop]} {cite(g['study_id'])}" for pop, g in groups]
    paragraphs = [f"{counted(len(animal), 'animal experiment')} tested exercise ({_species_counts(animal)}): "
                  f"{words(listing)}."]
    rows = _outcome_rows(tables)
    for pop, group in groups:
        part = rows.loc[rows["study_id"].isin(group["study_id"])]
        sentences = direction_sentences(part)
        harm = _harm_detail(part, tables["interventions"])
        missing = sorted(set(group["study_id"]) - set(part["study_id"]))
        if missing:
            sentences.append(f"No outcome was extracted from {cite(missing)}.")
        paragraphs.append(f"**{POPULATION[pop]}.** " + " ".join([*sentences, harm]).strip())
    return "\n\n".join(paragraphs) + "\n"


def _comparator(arms: pd.DataFrame) -> str:
    """The comparator in words: comparator arms by their coded kind (else their label); in older rows without
    comparator arms, the kind or the curated description on the exercise arm."""
    from .meta import COMPARATOR_KINDS

    exercise, comparators = split_arms(arms)
    if len(comparators):
        kinds = _column(comparators, "comparator_kind")
        labels = _column(comparators, "arm_label")
        # The coded kind, then what the trial called it: "usual care" differs between trials.
        named = [(f"{COMPARATOR_KINDS[k]} ({escape_text(l)})" if l and l.lower() != COMPARATOR_KINDS[k] else COMPARATOR_KINDS[k])
                 if k in COMPARATOR_KINDS else escape_text(l) for k, l in zip(kinds, labels)]
        return words(list(dict.fromkeys(named)), "or")
    kinds = [k for k in dict.fromkeys(_column(exercise, "comparator_kind")) if k]
    if kinds:
        return words([COMPARATOR_KINDS.get(k, pretty(k)) for k in kinds], "or")
    texts = [t for t in dict.fromkeys(_column(exercise, "comparator")) if t]
    return words([escape_text(t) for t in texts], "or")


def _participants(arms: pd.DataFrame, randomised_design: bool = True) -> str:
    """Size of the arms: people randomised (or, without randomisation, allocated) to exercise and to the
    comparator when the data record them, else the size of the exercise arms."""
    exercise, comparators = split_arms(arms)
    randomised = pd.to_numeric(_column(exercise, "n_randomised"), errors="coerce")
    against = pd.to_numeric(_column(comparators, "n_randomised"), errors="coerce")
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


def when_phrase(time_point: str) -> str:
    """A curated time point as a phrase: 'at 3 months', 'after 3 weeks of rest', 'in the single progressive test';
    empty or 'not stated' ones become 'at an unstated time'."""
    text = time_point.strip()
    if not text or re.match(r"(?i)not\b|unclear|unknown", text):
        return "at an unstated time"
    if re.match(r"(?i)(after|within|during|before|over|from|until|by|between)\b", text):
        return escape_text(text)
    if re.search(r"(?i)\btest\b", text):
        return f"in the {escape_text(text)}"
    return f"at {escape_text(text)}"


def _time_order(time_points) -> list[str]:
    return list(dict.fromkeys(time_points))


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _modalities(arms: pd.DataFrame) -> str:
    return words([modality_words(m) for m in dict.fromkeys(arms["modality"])]) or "exercise"


def study_findings(study, tables: dict[str, pd.DataFrame]) -> str:
    """One study in two sentences: design, exercise, size and comparator, then its findings by time point."""
    record = pd.DataFrame([study._asdict()])
    arms = tables["interventions"].loc[tables["interventions"]["study_id"] == study.study_id]
    rows = _outcome_rows(tables)
    rows = rows.loc[rows["study_id"] == study.study_id]
    design = DESIGN_PLURAL.get(study.evidence_type, (EVIDENCE_TYPE.get(study.evidence_type, "study").lower(),))[0]
    described = f"{cite_narrative(study.study_id, getattr(study, 'authors', None), study.year)}, {_article(design)},"
    exercise_arms = split_arms(arms)[0]
    if _column(record, "exercise_role").iloc[0] == "single_session_test":
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
    time_points = _column(rows, "time_point")
    for time_point in _time_order(time_points):
        at = rows.loc[time_points == time_point]
        clauses = []
        for direction in DIRECTION_ORDER:
            chosen = at.loc[at["direction"] == direction]
            if len(chosen):
                clauses.append(f"{FINDING_CLAUSE[direction]} {words(sorted(set(_topic(chosen))))}")
        when = when_phrase(time_point)
        findings.append(f"{when}, outcomes {words(clauses)}")
    text = "; ".join(findings)
    sentence = f"{described}. {text[0].upper()}{text[1:]}."
    conclusion = _column(record, "authors_conclusion").iloc[0]
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


def trial_harm(tables: dict[str, pd.DataFrame]) -> str:
    """Whether any randomised trial reported harm, and where benefit was reported (domain and time point)."""
    trials = primary_studies(tables)
    trials = trials.loc[trials["evidence_type"] == "human_rct"]
    if trials.empty:
        return "No randomised trial is in this selection.\n"
    rows = _outcome_rows(tables)
    rows = rows.loc[rows["study_id"].isin(trials["study_id"])]
    harmful = rows.loc[rows["direction"] == "harmful"]
    if harmful.empty:
        first = {1: "The one randomised trial reported no harm on any extracted outcome",
                 2: "Neither of the 2 randomised trials reported harm on any extracted outcome"}.get(
            len(trials), f"None of the {len(trials)} randomised trials reported harm on any extracted outcome")
    else:
        items = [f"{domain_words(d)} {cite(g['study_id'])}" for d, g in harmful.groupby("domain", sort=True)]
        first = f"Harm was reported by randomised trials on {words(items)}"
    good = rows.loc[rows["direction"] == "beneficial"]
    if good.empty:
        return first + "; none reported a benefit.\n"
    items = []
    for domain, group in good.groupby("domain", sort=True):
        times = words([escape_text(t) for t in _time_order(_column(group, "time_point"))
                       if when_phrase(t) != "at an unstated time"])
        items.append(f"{domain_words(domain)}{' at ' + times if times else ''} {cite(group['study_id'])}")
    return f"{first}; benefit was reported on {words(items)}.\n"


def coverage(tables: dict[str, pd.DataFrame]) -> str:
    """Years covered, the newest primary study and the newest trial, and the species and models of animal work."""
    studies = tables["studies"]
    if studies.empty:
        return "No work is in this selection.\n"
    primary = primary_studies(tables)
    sentences = [f"The works span {int(studies['year'].min())} to {int(studies['year'].max())}."]
    if len(primary):
        newest = primary.loc[primary["year"] == primary["year"].max()]
        sentences.append(f"The newest primary study testing exercise dates from {int(newest['year'].iloc[0])} {cite(newest['study_id'])}.")
    animal = primary.loc[primary["species"].isin(ANIMAL_SPECIES)]
    if len(animal):
        models = words([f"{int((animal['population'] == p).sum())} in {POPULATION_PHRASE[p]}"
                        for p in POPULATION if (animal["population"] == p).any()])
        sentences.append(f"Animal experiments testing exercise: {_species_counts(animal)}; by model, {models}.")
    return " ".join(sentences) + "\n"


def newest_trial(tables: dict[str, pd.DataFrame]) -> str:
    """The limitation that follows from the data's date range: the newest trial in the dataset."""
    trials = primary_studies(tables)
    trials = trials.loc[trials["evidence_type"] == "human_rct"]
    if trials.empty:
        return "This selection holds no randomised trial, so it says nothing about trials in people."
    newest = trials.loc[trials["year"] == trials["year"].max()]
    return (f"The newest randomised trial in this dataset was published in {int(newest['year'].iloc[0])} "
            f"{cite(newest['study_id'])}; later trials are part of the review only once a curator adds them.")


def model_domains(tables: dict[str, pd.DataFrame]) -> str:
    """Which outcome domains each model category covers, with the number of studies in each."""
    rows = _outcome_rows(tables)
    if rows.empty:
        return "No outcome is in this selection.\n"
    sentences = []
    for pop in POPULATION:
        part = rows.loc[rows["population"] == pop]
        if part.empty:
            continue
        per_domain = part.groupby("domain")["study_id"].nunique().sort_values(ascending=False, kind="stable")
        listing = words([f"{domain_words(d)} ({counted(int(n), 'study', 'studies')})" for d, n in per_domain.items()])
        sentences.append(f"In {POPULATION_PHRASE[pop]} the outcomes fall in {listing}.")
    return " ".join(sentences) + "\n"


def map_cells(evidence_map: pd.DataFrame) -> str:
    """How many cells of the evidence map hold a single study."""
    if evidence_map.empty or "studies" not in evidence_map.columns:
        return "The evidence map is empty in this selection.\n"
    filled = evidence_map.loc[evidence_map["studies"] > 0]
    single = int((filled["studies"] == 1).sum())
    return f"Of the {counted(len(filled), 'filled cell')}, {single} hold a single study.\n"


def translation(animal_vs_human: pd.DataFrame) -> str:
    """Which modalities were tested only in animals, only in people, or in both."""
    if animal_vs_human.empty:
        return "No exercise modality is in this selection.\n"
    out = []
    for gap, phrase in (("animal evidence only", "Tested only in animals"), ("human evidence only", "tested only in people"),
                        ("both", "tested in both")):
        modalities = [modality_words(m) for m in animal_vs_human.loc[animal_vs_human["gap"] == gap, "modality"]]
        if modalities:
            out.append(f"{phrase}: {words(modalities)}")
    text = "; ".join(out)
    return text[0].upper() + text[1:] + ".\n"


def citable(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame]) -> list[str]:
    """Works the report may cite: the selected studies, the seed review (a fact about the corpus), and the
    reviews whose pooled results or risk-of-bias judgements are in the selection."""
    keys = set(tables["studies"]["study_id"])
    if SEED_STUDY_ID in set(corpus["studies"]["study_id"]):
        keys.add(SEED_STUDY_ID)
    keys |= set(tables.get("pooled_results", pd.DataFrame(columns=["study_id"]))["study_id"])
    keys |= set(tables.get("risk_of_bias", pd.DataFrame(columns=["assessed_by"]))["assessed_by"])
    return sorted(k for k in keys if STUDY_KEY.match(k))


def nocite(keys: list[str]) -> str:
    """Pandoc's nocite value: every citable work appears in the reference list, cited in the text or not."""
    return ", ".join(f"@{k}" for k in keys if STUDY_KEY.match(k))


RESPIRATORY = ("inspiratory_muscle_training", "expiratory_muscle_training", "respiratory_muscle_training")


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
        topics = words(sorted(set(_topic(outcomes.loc[outcomes["study_id"].isin(gained) & (outcomes["direction"] == "beneficial")]))))
        parts.append(f"A gain over the comparator was reported on {topics} {cite(gained)}.")
    if harmed:
        parts.append(f"Harm was reported {cite(harmed)}.")
    if others:
        parts.append(f"No clear difference on any extracted outcome was found {cite(others)}.")
    return " ".join(parts) + "\n"


def section_flags(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame]) -> dict:
    """Booleans the report's conditional blocks test, and which works may be cited (values.included.<key>)."""
    primary = primary_studies(tables)
    flags = {
        "has_animal_evidence": bool(primary["species"].isin(ANIMAL_SPECIES).any()),
        "has_human_evidence": bool((primary["species"] == "human").any()),
        "has_human_trials": bool((primary["evidence_type"] == "human_rct").any()),
        "has_outcomes": bool(len(tables["outcomes"])),
        "has_pooled_results": bool(len(tables.get("pooled_results", []))),
        "has_risk_of_bias": bool(len(tables.get("risk_of_bias", []))),
        "has_recommendation_support": bool(len(tables.get("recommendation_support", []))),
        "has_update_logs": bool(len(corpus.get("screening", []))),
        # Release-to-release changes name works of the whole corpus: shown only when nothing is left out.
        "is_whole_corpus": len(tables["studies"]) == len(corpus["studies"]),
    }
    flags["has_animal_and_human_evidence"] = flags["has_animal_evidence"] and flags["has_human_evidence"]
    flags.update({f"has_{pop}": bool((primary["population"] == pop).any()) for pop in POPULATION})
    flags["included"] = {key: True for key in citable(tables, corpus)}
    return flags
