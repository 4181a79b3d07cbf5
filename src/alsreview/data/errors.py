"""The one error shape every check reports: file:line: column: value: rule."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

SHOWN_PROBLEMS = 200


@dataclass(frozen=True, order=True)
class Problem:
    """One violated rule at one place in one file. line 0 means the file as a whole."""

    file: str
    line: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 80 else self.value[:77] + "..."
        return f"{self.file}:{self.line}: {self.column or '-'}: {value!r}: {self.rule}"


class DataError(Exception):
    """Raised when input data break rules; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """Raised for a wrong command-line or notebook parameter: a message for a person, not a traceback."""


def problem_lines(problems: list[Problem], limit: int = SHOWN_PROBLEMS) -> list[str]:
    """The first `limit` problems one per line; beyond that, how many more there are of each rule."""
    lines = [str(p) for p in problems[:limit]]
    rest = problems[limit:]
    if rest:
        lines.append(f"... and {len(rest)} more problem(s) not shown, by rule:")
        counts = Counter(p.rule.split(":")[0].split(";")[0] for p in rest)
        lines += [f"  {n:>8}  {rule}" for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return lines
