"""The notebooks' parameters: names, types and checks, shared by the CLI, the build and the notebooks."""
from __future__ import annotations

from ..data.errors import UsageError

SPECIES = ("mouse", "rat", "human", "none")
DEFAULTS = {
    "data_dir": "",
    "output_dir": "",
    "species": [],
    "year_min": None,
    "year_max": None,
    "evidence_types": [],
}
TYPES = {"data_dir": str, "output_dir": str, "species": list, "year_min": int, "year_max": int, "evidence_types": list}


def selection_params(species: str | None, evidence_types: str | None, year_min, year_max) -> dict:
    """The command line's selection options as notebook parameters: comma lists split, years made whole numbers,
    and empty values (make passes unset parameters as empty strings) left out."""
    params = {}
    if species:
        params["species"] = [s.strip() for s in species.split(",") if s.strip()]
    if evidence_types:
        params["evidence_types"] = [s.strip() for s in evidence_types.split(",") if s.strip()]
    for name, value in (("year_min", year_min), ("year_max", year_max)):
        if value not in (None, ""):
            try:
                params[name] = int(value)
            except ValueError:
                raise UsageError(f"--{name.replace('_', '-')} must be a whole year, got {value!r}") from None
    return params


def check_params(params: dict, evidence_types: list[str] | None = None) -> dict:
    """Defaults filled in; a wrong name, type or value raises UsageError naming the parameter."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise UsageError(f"unknown notebook parameter {unknown[0]!r}; known parameters: {', '.join(DEFAULTS)}")
    out = {**DEFAULTS, **params}
    for name, value in out.items():
        expected = TYPES[name]
        if value is None and name in ("year_min", "year_max"):
            continue
        if expected is int and isinstance(value, bool) or not isinstance(value, expected):
            raise UsageError(f"notebook parameter {name!r} must be {expected.__name__}, got {type(value).__name__} {value!r}")
    for value in out["species"]:
        if value not in SPECIES:
            raise UsageError(f"notebook parameter 'species': {value!r} is not one of {', '.join(SPECIES)}")
    if evidence_types is not None:
        for value in out["evidence_types"]:
            if value not in evidence_types:
                raise UsageError(f"notebook parameter 'evidence_types': {value!r} is not one of {', '.join(evidence_types)}")
    if out["year_min"] is not None and out["year_max"] is not None and out["year_min"] > out["year_max"]:
        raise UsageError(f"notebook parameters: year_min {out['year_min']} is after year_max {out['year_max']}")
    return out


def subset_label(params: dict) -> str:
    """Words describing the selection, e.g. 'species: human; years 2000-2010' (empty for the whole dataset)."""
    parts = []
    if params.get("species"):
        parts.append("species: " + ", ".join(params["species"]))
    if params.get("year_min") is not None or params.get("year_max") is not None:
        parts.append(f"years {params.get('year_min') or '…'}–{params.get('year_max') or '…'}")
    if params.get("evidence_types"):
        parts.append("evidence types: " + ", ".join(params["evidence_types"]))
    return "; ".join(parts)


MAKE_NAMES = {"species": "SPECIES", "year_min": "YEAR_MIN", "year_max": "YEAR_MAX", "evidence_types": "EVIDENCE_TYPES"}


def empty_selection_message(params: dict, studies_csv) -> str:
    """Why nothing can be reported: the parameters, named as `make` takes them, select no study."""
    given = [f"{MAKE_NAMES[k]}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items()
             if k in MAKE_NAMES and v not in (None, [], "")]
    return (f"the selection {' '.join(given)} matches no study in {studies_csv}; "
            "nothing was built and no report was written")
