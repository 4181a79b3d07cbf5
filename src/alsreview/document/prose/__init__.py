"""The report's generated passages, written from the curated rows, one module per part of the review.

Each function takes the selected tables and returns Markdown. Sentences are assembled from coded fields (design,
species, population, modality, domain, direction, time point, sex) and cite studies by key, so a study added to
the data, or left out by a selection, changes every passage it belongs to. Citation markup is made only from study
ids that match the key pattern (citing.py); free text from the data is escaped so it can never become markup, a
citation or a Quarto shortcode. Optional columns that curators may add later are used when present and ignored
when absent.

Owns: citing, wording, overview, animal, human, update and flags. May import from `document.escape`, `synthesis`
and `data`. The names below are the passages the notebooks call, gathered so a notebook imports one module.
"""
from .animal import animal_evidence
from .citing import cite, cite_narrative, escape_text
from .flags import citable, nocite, section_flags
from .human import human_evidence, newest_trial, respiratory_training, study_findings, trial_harm
from .overview import coverage, map_cells, model_domains, translation
from .update import comparison_passage, pooling_passage
from .wording import direction_sentences, outcome_rows, primary_studies

__all__ = ["animal_evidence", "cite", "cite_narrative", "citable", "comparison_passage", "coverage",
           "direction_sentences", "escape_text", "human_evidence", "map_cells", "model_domains", "newest_trial",
           "nocite", "outcome_rows", "pooling_passage", "primary_studies", "respiratory_training", "section_flags",
           "study_findings", "translation", "trial_harm"]
