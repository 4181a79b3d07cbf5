"""What a publication flag (publication_flags.csv, written by `alsreview retractions`) means for the pooling: a
work PubMed lists as retracted, or with an expression of concern, stays out until a curator decides to keep it."""
from __future__ import annotations

import pandas as pd

FLAG_WORDS = {"retracted_publication": "PubMed lists it as a retracted publication",
              "expression_of_concern": "PubMed lists an expression of concern"}


def held_back(flags: pd.DataFrame | None) -> dict[str, str]:
    """Study -> why the pooling leaves it out: every flag a curator has not decided to keep. A pending flag keeps
    the work out until someone has read the notice; 'exclude' keeps it out for good."""
    if flags is None or flags.empty:
        return {}
    out = {}
    for r in flags.loc[flags["decision"] != "keep"].itertuples(index=False):
        state = "a curator has not yet decided" if r.decision == "pending" else "a curator excluded it"
        out[r.study_id] = f"left out: {FLAG_WORDS.get(r.flag, r.flag)} (checked {r.checked_on}); {state}"
    return out
