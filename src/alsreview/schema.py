"""The data dictionary: reads data/datapackage.json (a Frictionless Data Package) and answers questions about it.

The descriptor is the single source of truth for columns, types, enums and constraints; the validator,
the loaders and the README's data section are all driven by it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import DataError, Problem
from .paths import DATAPACKAGE, display_path


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


def read_datapackage(data_dir: Path) -> DataPackage:
    """Parse datapackage.json; a missing or broken descriptor becomes a DataError, not a traceback."""
    path = Path(data_dir) / DATAPACKAGE
    shown = display_path(path)
    if not path.is_file():
        raise DataError([Problem(shown, 0, "", "", "file not found: the data dictionary is missing")])
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError([Problem(shown, 0, "", "", f"not UTF-8 text ({exc.reason})")]) from None
    except json.JSONDecodeError as exc:
        raise DataError([Problem(shown, exc.lineno, "", "", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    problems = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        problems.append(Problem(shown, 0, "resources", "", "the descriptor must list its resources"))
    else:
        for res in resources:
            if not isinstance(res, dict) or not {"name", "path", "schema"} <= set(res):
                problems.append(Problem(shown, 0, "resources", str(res)[:60], "each resource needs name, path and schema"))
            elif not isinstance(res["schema"], dict) or not isinstance(res["schema"].get("fields"), list):
                problems.append(Problem(shown, 0, f"{res['name']}.schema", "", "the schema needs a list of fields"))
    if problems:
        raise DataError(problems)
    return DataPackage(Path(data_dir), descriptor)
