"""The data dictionary: reads data/datapackage.json (a Frictionless Data Package) and answers questions about it.

The descriptor is the single source of truth for columns, types, enums and constraints; the validator,
the loaders and the generated docs/data-dictionary.md are all driven by it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import DataError, Problem
from .files import read_bytes_safely
from .paths import DATAPACKAGE, display_path

TYPES = ("string", "integer", "number")  # what load.typed can convert; anything else is refused up front
CONSTRAINTS = {"required": bool, "unique": bool, "pattern": str, "enum": list, "minimum": (int, float),
               "maximum": (int, float)}
MAX_BOUND = 1e15  # a bound beyond this cannot be compared with the data's floats exactly (or at all: 10**400)
REQUIRED_RESOURCES = ("studies", "interventions", "outcomes", "pooled_results", "risk_of_bias", "recommendations",
                      "recommendation_support")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    constraints: dict

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list[str] | None:
        return self.constraints.get("enum")

    @property
    def allowed(self) -> str:
        """'allowed: a, b, c': every message about a coded field lists its codes."""
        return f"allowed: {', '.join(self.enum or [])}"


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


class DataPackage:
    """A parsed descriptor, located in a data folder."""

    def __init__(self, data_dir: Path, descriptor: dict):
        self.data_dir = Path(data_dir)
        self.descriptor = descriptor

    @cached_property
    def resources(self) -> dict[str, Resource]:
        out = {}
        for res in self.descriptor["resources"]:
            schema = res["schema"]
            fields = tuple(Field(f["name"], f.get("type", "string"), f.get("description", ""),
                                 f.get("constraints", {})) for f in schema["fields"])
            out[res["name"]] = Resource(res["name"], res["path"], res.get("title", res["name"]),
                                        res.get("description", ""), fields,
                                        tuple(schema.get("primaryKey", [])), tuple(schema.get("foreignKeys", [])))
        return out

    def path_of(self, resource: str) -> Path:
        return self.data_dir / self.resources[resource].path

    def enum(self, resource: str, field: str) -> list[str]:
        return list(self.resources[resource].field(field).enum or [])


def _path_problem(data_dir: Path, path) -> str | None:
    """Why a resource path is refused, or None: it must be a relative path that stays inside the data folder."""
    if not isinstance(path, str) or not path:
        return "the path must be a file name relative to the data folder"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path) or "://" in path:
        return "the path must be relative to the data folder (no absolute paths or addresses)"
    if ".." in Path(path).parts or "\\" in path:
        return "the path must stay inside the data folder (no '..')"
    root = Path(data_dir).resolve()
    if not (root / path).parent.resolve().is_relative_to(root):  # a linked file itself is refused when read
        return "the path leads outside the data folder (through a linked folder)"
    return None


def _field_problems(shown: str, where: str, field) -> list[Problem]:
    """A field must have a name, a type this project can read and constraints of the right kinds."""
    if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
        return [Problem(shown, 0, where, str(field)[:60], "each field needs a name")]
    where = f"{where}.{field['name']}"
    out = []
    kind = field.get("type", "string")
    if kind not in TYPES:
        out.append(Problem(shown, 0, where, str(kind), f"unsupported field type; use one of {', '.join(TYPES)}"))
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        return out + [Problem(shown, 0, where, str(constraints)[:60], "constraints must be an object")]
    for key, value in constraints.items():
        expected = CONSTRAINTS.get(key)
        if expected is None:
            out.append(Problem(shown, 0, where, key, f"unknown constraint; known: {', '.join(CONSTRAINTS)}"))
        elif not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            out.append(Problem(shown, 0, where, f"{key}={value!r}", f"constraint '{key}' has the wrong kind of value"))
        elif key == "pattern":
            try:
                re.compile(value)
            except re.error as exc:
                out.append(Problem(shown, 0, where, value, f"pattern does not compile: {exc}"))
        elif key == "enum" and not all(isinstance(v, str) for v in value):
            out.append(Problem(shown, 0, where, str(value)[:60], "enum values must be strings"))
        elif key in ("minimum", "maximum") and not abs(value) <= MAX_BOUND:  # also refuses NaN and infinity
            out.append(Problem(shown, 0, where, f"{key}={value!r}", f"constraint '{key}' must lie within ±1e15"))
    return out + _bound_problems(shown, where, kind, constraints)


def _bound_problems(shown: str, where: str, kind, constraints: dict) -> list[Problem]:
    """A number or integer needs both bounds: the build squares and sums these values, and an unbounded one lets
    values near the float or 64-bit limit through to overflow there."""
    if kind not in ("integer", "number"):
        return []
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if low is None or high is None:
        return [Problem(shown, 0, where, kind, "a numeric field needs both a minimum and a maximum")]
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    if numbers and low > high:
        return [Problem(shown, 0, where, f"minimum={low!r}, maximum={high!r}", "minimum exceeds maximum")]
    return []


def _key_problems(shown: str, res: dict, names: dict[str, set]) -> list[Problem]:
    """Primary and foreign keys name fields that exist, in resources that exist."""
    out, schema, own = [], res["schema"], names[res["name"]]
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    if not isinstance(key, list) or not set(key) <= own:
        out.append(Problem(shown, 0, f"{res['name']}.primaryKey", str(key)[:60], "must list fields of this resource"))
    for fk in schema.get("foreignKeys", []):
        ref = fk.get("reference", {}) if isinstance(fk, dict) else {}
        fields, target = fk.get("fields") if isinstance(fk, dict) else None, ref.get("resource")
        ok = (isinstance(fields, list) and len(fields) == 1 and set(fields) <= own and target in names
              and isinstance(ref.get("fields"), list) and len(ref["fields"]) == 1 and set(ref["fields"]) <= names[target])
        if not ok:
            out.append(Problem(shown, 0, f"{res['name']}.foreignKeys", str(fk)[:60],
                               "a foreign key needs one field of this resource and one field of an existing resource"))
    return out


def descriptor_problems(data_dir: Path, descriptor, shown: str) -> list[Problem]:
    """Everything about the descriptor the loaders rely on: resources, safe paths, known types, valid constraints."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return [Problem(shown, 0, "resources", "", "the descriptor must list its resources")]
    problems, names = [], {}
    for res in resources:
        if not isinstance(res, dict) or not {"name", "path", "schema"} <= set(res) or not isinstance(res["name"], str):
            problems.append(Problem(shown, 0, "resources", str(res)[:60], "each resource needs name, path and schema"))
            continue
        if res["name"] in names:
            problems.append(Problem(shown, 0, "resources", res["name"], "resource names must be unique"))
        if not isinstance(res["schema"], dict) or not isinstance(res["schema"].get("fields"), list):
            problems.append(Problem(shown, 0, f"{res['name']}.schema", "", "the schema needs a list of fields"))
            continue
        reason = _path_problem(data_dir, res["path"])
        if reason:
            problems.append(Problem(shown, 0, f"{res['name']}.path", str(res["path"])[:80], reason))
        for field in res["schema"]["fields"]:
            problems += _field_problems(shown, res["name"], field)
        names[res["name"]] = {f["name"] for f in res["schema"]["fields"] if isinstance(f, dict) and "name" in f}
    for name in REQUIRED_RESOURCES:
        if name not in names and not any(p.column == "resources" for p in problems):
            problems.append(Problem(shown, 0, "resources", name, "required resource missing: the analyses read this table"))
    for res in resources:
        if isinstance(res, dict) and res.get("name") in names and isinstance(res.get("schema"), dict):
            problems += _key_problems(shown, res, names)
    return problems


def key_line(text: str, key: str) -> int:
    """The line of the first `"key":` in a descriptor's text, for messages; 0 (the file as a whole) without one."""
    match = re.search(rf'^\s*"{re.escape(key)}"\s*:', text, flags=re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def read_datapackage(data_dir: Path) -> DataPackage:
    """Parse datapackage.json; a missing, unsafe or broken descriptor becomes a DataError, not a traceback."""
    path = Path(data_dir) / DATAPACKAGE
    shown = display_path(path)
    data = read_bytes_safely(path, shown, "the data dictionary is missing")
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError([Problem(shown, 0, "", "", f"not UTF-8 text ({exc.reason})")]) from None
    except json.JSONDecodeError as exc:
        raise DataError([Problem(shown, exc.lineno, "", "", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    problems = descriptor_problems(Path(data_dir), descriptor, shown)
    if problems:
        raise DataError(problems)
    return DataPackage(Path(data_dir), descriptor)
