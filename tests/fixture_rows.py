"""Appraisal rows a fixture trial needs to pass validation, written as a curator would for an abstract that says
nothing about harms, baseline or bias: each field declared not reported, each risk-of-bias domain 'some concerns'."""
from alsreview.data.appraisal import HARMS, POPULATION, PRESCRIPTION

RISK_OF_BIAS_DOMAINS = ("randomisation", "deviations", "missing_data", "measurement", "reported_result", "overall")


def appraisal_rows(study_id: str, arm_ids: list[str], url: str) -> dict[str, list[dict]]:
    """harms.csv, populations.csv and risk_of_bias.csv rows for a fictional randomised trial."""
    silent = "Fictional fixture: the abstract says nothing about this."
    return {
        "harms": [{"arm_id": arm, "study_id": study_id, "adverse_events_reporting": "not_reported",
                   "harms_not_reported": "|".join(HARMS), "source_url": url, "extraction": "abstract", "notes": silent}
                  for arm in arm_ids],
        "populations": [{"study_id": study_id, "population_not_reported": "|".join(POPULATION), "source_url": url,
                         "extraction": "abstract", "notes": silent}],
        "risk_of_bias": [{"study_id": study_id, "assessed_by": "this_review", "tool": "rob2", "outcome": "main outcome",
                          "domain": domain, "judgement": "some_concerns", "support": silent, "source_url": url,
                          "extraction": "abstract"} for domain in RISK_OF_BIAS_DOMAINS],
    }


NOTHING_PRESCRIBED_STATED = {"prescription_not_reported": "|".join(PRESCRIPTION),
                             "notes": "Fictional fixture: the abstract gives no dose."}
