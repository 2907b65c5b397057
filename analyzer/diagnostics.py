"""Diagnostics: problems with the input that make a run untrustworthy (exit code 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DiagnosticKind = Literal[
    "parse-error", "too-large", "unsafe-path", "evaluation", "config", "unresolved"
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with one file (or with the run), named by path, line and cause."""

    path: str
    line: int
    message: str
    # "unresolved": a value static analysis could not know (a variable without a value);
    # shown in the model's inventory, not in scan reports, where the Unknown is shown.
    kind: DiagnosticKind = "parse-error"
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
