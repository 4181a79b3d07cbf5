"""The review's protocol (protocol.yaml at the project root): read once, checked against its own rules, and handed
to the code that pools, rates and reports, so that a rule is written in one place and applied everywhere.

Problems are reported like data problems: file, line, key, value and the rule broken. Checks that need the data
(comparator codes, screening reasons, releases) live in data/validate.py and call `cross_check`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import DataError, Problem
from .paths import PROJ_ROOT, display_path

PROTOCOL_FILE = PROJ_ROOT / "protocol.yaml"
TAU2_CODES = ("fe", "dl", "he", "pm", "ml", "reml")  # pooling.TAU2_METHODS, without importing numpy here
INTERVAL_CODES = ("wald", "knha", "hksj")  # pooling.INTERVALS
APPLIES_TO = ("people", "animals", "reviews", "all")
VERSION = re.compile(r"\d+\.\d+\.\d+")
CODE = re.compile(r"[A-Z][0-9]{1,2}")


@dataclass(frozen=True)
class Window:
    label: str
    from_weeks: float
    to_weeks: float  # infinity for the open last window


@dataclass(frozen=True)
class Protocol:
    """The parsed file; `raw` keeps every section for the report's declarations and checklists."""

    raw: dict
    no_added_exercise: tuple[str, ...]
    includes_some_exercise: tuple[str, ...]
    windows: tuple[Window, ...]
    tau2: str
    interval: str
    few_trials: int
    high_risk_weight: float
    inconsistency_min_trials: int
    i2_serious: float
    publication_bias_min_trials: int
    smallest_effect_smd: float
    clinical_importance: tuple[dict, ...] = ()
    pooled_designs: tuple[str, ...] = ("human_rct",)
    imbalanced_baseline: str = "change_from_baseline"

    @property
    def versions(self) -> dict[str, dict]:
        return {str(v["version"]): v for v in self.raw["versions"]}


def _key_lines(node, path: str = "", lines: dict | None = None) -> dict[str, int]:
    """Line (1-based) of every key path ('analysis.pooling.tau2', 'versions[1].date') in the YAML node tree."""
    lines = {} if lines is None else lines
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            lines[child] = key.start_mark.line + 1
            _key_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            _key_lines(item, child, lines)
    return lines


class _Checker:
    """Collects problems while walking the parsed protocol; `get` returns None where a problem was recorded."""

    def __init__(self, shown: str, data: dict, lines: dict[str, int]):
        self.shown, self.data, self.lines, self.problems = shown, data, lines, []

    def fail(self, path: str, value, rule: str) -> None:
        line = self.lines.get(path) or self.lines.get(path.rsplit(".", 1)[0], 0)
        self.problems.append(Problem(self.shown, line, path, "" if value is None else str(value), rule))

    def get(self, path: str, kind, rule: str, optional: bool = False):
        value = self.data
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("["):
                value = value[int(part[1:-1])] if isinstance(value, list) and int(part[1:-1]) < len(value) else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, kind):
            self.fail(path, value, rule)
            return None
        return value

    def text(self, path: str, optional: bool = False):
        value = self.get(path, str, "must be text" + (" or null" if optional else ""), optional)
        if value is not None and not value.strip():
            self.fail(path, value, "must not be empty")
        return value

    def identifier(self, path: str, pattern: re.Pattern, shape: str, seen: set, repeated: str) -> None:
        """Text of a given shape that names one entry only (a criterion code, a version)."""
        value = self.text(path)
        if value is not None and not pattern.fullmatch(value):
            self.fail(path, value, shape)
        elif value in seen:
            self.fail(path, value, repeated)
        seen.add(value)

    def number(self, path: str, low: float, high: float, whole: bool = False):
        kind = int if whole else (int, float)
        value = self.get(path, kind, f"must be a {'whole ' if whole else ''}number from {low:g} to {high:g}")
        if value is not None and not low <= value <= high:
            self.fail(path, value, f"must be from {low:g} to {high:g}")
            return None
        return value


def _check_sections(c: _Checker) -> None:
    for key in ("kind", "licence"):
        c.text(f"review.{key}")
    for key in ("registration", "support", "competing_interests", "repository"):
        c.text(f"review.{key}", optional=True)
    for i, _ in enumerate(c.get("review.authors", list, "must be a list of {name: ...} (may be empty)") or []):
        c.text(f"review.authors[{i}].name")
    for key in ("population", "intervention", "comparator", "outcomes"):
        c.text(f"question.{key}")
    codes = set()
    for i, _ in enumerate(c.get("eligibility", list, "must be a list of criteria") or []):
        c.identifier(f"eligibility[{i}].code", CODE, "a criterion code is a capital letter and a number, e.g. P1",
                     codes, "criterion codes must be unique")
        applies = c.text(f"eligibility[{i}].applies_to")
        if applies is not None and applies not in APPLIES_TO:
            c.fail(f"eligibility[{i}].applies_to", applies, f"must be one of {', '.join(APPLIES_TO)}")
        c.text(f"eligibility[{i}].text")
        for j, _ in enumerate(c.get(f"eligibility[{i}].excludes", list, "must be a list of screening reasons") or []):
            c.text(f"eligibility[{i}].excludes[{j}]")
    for i, _ in enumerate(c.get("sources", list, "must be a list of {name, how}") or []):
        c.text(f"sources[{i}].name")
        c.text(f"sources[{i}].how")
    c.number("search_schedule.every_months", 1, 60, whole=True)
    c.text("search_schedule.note")
    seen = set()
    for i, _ in enumerate(c.get("versions", list, "must list every release with its trigger") or []):
        c.identifier(f"versions[{i}].version", VERSION, "must look like 1.2.3", seen, "each version has one entry")
        c.get(f"versions[{i}].date", dt.date, "must be a date, YYYY-MM-DD")
        c.text(f"versions[{i}].trigger")
        c.text(f"versions[{i}].methods_changes")


def _check_windows(c: _Checker) -> tuple[Window, ...]:
    windows = []
    items = c.get("analysis.windows", list, "must list the follow-up windows in order") or []
    for i, _ in enumerate(items):
        label = c.text(f"analysis.windows[{i}].label")
        low = c.number(f"analysis.windows[{i}].from_weeks", 0, 520)
        last = i == len(items) - 1
        high = (c.get(f"analysis.windows[{i}].to_weeks", (int, float), "must be a number of weeks, or null for the "
                      "last window", optional=True) if last else c.number(f"analysis.windows[{i}].to_weeks", 0, 520))
        high = float("inf") if high is None else high
        if None in (label, low):
            continue
        previous = windows[-1].to_weeks if windows else 0
        if low != previous:
            c.fail(f"analysis.windows[{i}].from_weeks", low, f"windows must follow one another: expected {previous:g}")
        elif high <= low:
            c.fail(f"analysis.windows[{i}].to_weeks", high, "must be after from_weeks")
        windows.append(Window(label, float(low), float(high)))
    if windows and windows[-1].to_weeks != float("inf"):
        c.fail("analysis.windows", windows[-1].to_weeks, "the last window must be open (to_weeks: null)")
    if len({w.label for w in windows}) != len(windows):
        c.fail("analysis.windows", "", "window labels must be unique")
    return tuple(windows)


def check(data: object, lines: dict[str, int], shown: str) -> tuple[list[Problem], Protocol | None]:
    """Every rule of the file on its own; the Protocol only when nothing is wrong."""
    if not isinstance(data, dict):
        return [Problem(shown, 0, "", "", "the protocol must be a mapping of sections")], None
    c = _Checker(shown, data, lines)
    _check_sections(c)
    windows = _check_windows(c)
    comparators = c.get("analysis.comparators.no_added_exercise", list, "must list comparator_kind codes") or []
    some = c.get("analysis.comparators.includes_some_exercise", list, "must list comparator_kind codes") or []
    for i, code in enumerate(some):
        if code not in comparators:
            c.fail(f"analysis.comparators.includes_some_exercise[{i}]", code, "must also be in no_added_exercise")
    tau2 = c.text("analysis.pooling.tau2")
    if tau2 is not None and tau2 not in TAU2_CODES:
        c.fail("analysis.pooling.tau2", tau2, f"must be one of {', '.join(TAU2_CODES)}")
    interval = c.text("analysis.pooling.interval")
    if interval is not None and interval not in INTERVAL_CODES:
        c.fail("analysis.pooling.interval", interval, f"must be one of {', '.join(INTERVAL_CODES)}")
    designs = c.get("analysis.pooling.designs", list, "must list studies.evidence_type codes") or []
    imbalanced = c.text("analysis.pooling.imbalanced_baseline")
    if imbalanced is not None and imbalanced not in ("change_from_baseline", "final_value"):
        c.fail("analysis.pooling.imbalanced_baseline", imbalanced, "must be change_from_baseline or final_value")
    for i, _ in enumerate(designs):
        c.text(f"analysis.pooling.designs[{i}]")
    numbers = {
        "few_trials": c.number("analysis.pooling.few_trials", 2, 100, whole=True),
        "high_risk_weight": c.number("analysis.certainty.high_risk_weight", 0.01, 1),
        "inconsistency_min_trials": c.number("analysis.certainty.inconsistency_min_trials", 2, 100, whole=True),
        "i2_serious": c.number("analysis.certainty.i2_serious", 1, 100),
        "publication_bias_min_trials": c.number("analysis.certainty.publication_bias_min_trials", 2, 1000, whole=True),
        "smallest_effect_smd": c.number("analysis.certainty.smallest_effect_smd", 0.01, 5),
    }
    for i, _ in enumerate(c.get("analysis.clinical_importance", list, "must be a list (may be empty)",
                                optional=True) or []):
        base = f"analysis.clinical_importance[{i}]"
        c.text(f"{base}.domain")
        c.text(f"{base}.scale")
        c.number(f"{base}.smallest_important_slowing", 0.01, 1)
        c.number(f"{base}.decline_per_month", 0.01, 10)
        c.text(f"{base}.decline_source")
        for j, _ in enumerate(c.get(f"{base}.slowing_sources", list, "must list bibliography keys") or []):
            c.text(f"{base}.slowing_sources[{j}]")
    if c.problems:
        return sorted(set(c.problems)), None
    return [], Protocol(raw=data, no_added_exercise=tuple(comparators), includes_some_exercise=tuple(some),
                        windows=windows, tau2=tau2, interval=interval, pooled_designs=tuple(designs),
                        imbalanced_baseline=imbalanced,
                        clinical_importance=tuple(data["analysis"].get("clinical_importance") or ()), **numbers)


# libyaml's safe loader where PyYAML was built with it (its wheels are): the protocol is read by every validation,
# and the pure-Python parser took half of a validation's 0.2 s.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path: Path = PROTOCOL_FILE) -> tuple[list[Problem], Protocol | None]:
    """Parse and check the file; problems, never an exception, for anything wrong with it."""
    shown = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(shown, 0, "", "", f"the protocol cannot be read ({exc.__class__.__name__})")], None
    try:
        data, node = yaml.load(text, Loader=SAFE_LOADER), yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [Problem(shown, mark.line + 1 if mark else 0, "", "", f"not valid YAML: {getattr(exc, 'problem', exc)}")], None
    return check(data, _key_lines(node) if node is not None else {}, shown)


@lru_cache(maxsize=None)
def load(path: Path = PROTOCOL_FILE) -> Protocol:
    """The checked protocol; raises DataError naming every problem (run `alsreview validate` to see them)."""
    problems, protocol = read(path)
    if problems:
        raise DataError(problems)
    return protocol


def criterion_by_reason(protocol: Protocol) -> dict[str, str]:
    """The criterion code each screening reason belongs to ('not_als' -> 'P1'): how an exclusion names its criterion."""
    return {reason: str(c["code"]) for c in protocol.raw["eligibility"] for reason in c["excludes"]}


def cross_check(protocol: Protocol, shown: str, comparator_kinds: list[str], screening_reasons: list[str],
                versions: list[str], evidence_types: list[str] | None = None) -> list[Problem]:
    """Rules between the protocol and the data dictionary and tables: codes that exist, and a version entry for
    every release, so the report can say why each version was made."""
    problems = []
    for code in set(protocol.no_added_exercise) - set(comparator_kinds):
        problems.append(Problem(shown, 0, "analysis.comparators.no_added_exercise", code,
                                f"not a comparator_kind of interventions.csv ({', '.join(comparator_kinds)})"))
    for criterion in protocol.raw["eligibility"]:
        for reason in set(criterion["excludes"]) - set(screening_reasons):
            problems.append(Problem(shown, 0, f"eligibility {criterion['code']}.excludes", reason,
                                    f"not a reason of screening.csv ({', '.join(screening_reasons)})"))
    for code in set(protocol.pooled_designs) - set(evidence_types or protocol.pooled_designs):
        problems.append(Problem(shown, 0, "analysis.pooling.designs", code,
                                f"not an evidence_type of studies.csv ({', '.join(evidence_types or [])})"))
    criterion_of = criterion_by_reason(protocol)
    for reason in screening_reasons:
        if reason not in criterion_of:
            problems.append(Problem(shown, 0, "eligibility", reason,
                                    "a reason of screening.csv that no criterion lists under excludes: every exclusion "
                                    "must name the criterion it fails"))
    for version in sorted(set(versions) - set(protocol.versions)):
        problems.append(Problem(shown, 0, "versions", version, "a release or the data package's version has no "
                                                               "entry here: add its date, trigger and methods_changes"))
    return problems
