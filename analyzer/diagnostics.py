"""Diagnostics: problems with the input that make a run untrustworthy (exit code 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with one file (or with the run), named by path, line and cause."""

    path: str
    line: int
    message: str
    kind: Literal["parse-error", "too-large", "unsafe-path", "evaluation", "config"] = "parse-error"
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
