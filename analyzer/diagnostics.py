"""Diagnostics: problems with the input that make a run untrustworthy (exit code 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DiagnosticKind = Literal[
    "parse-error",
    "too-large",
    "unsafe-path",
    "evaluation",
    "config",
    "unresolved",
    "unmodelled-type",
    "nothing-analysed",
    "module-not-read",
    "stale-baseline",
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with one file (or with the run), named by path, line and cause."""

    path: str
    line: int
    message: str
    # "unresolved": a value static analysis could not know (a variable without a value);
    # a warning in every report, beside the Unknown the findings show.
    # "unmodelled-type": identity-bearing resources of a type no extractor reads; always a
    # warning, since everything else in the tree is still analysed.
    # "nothing-analysed": no Terraform or Kubernetes file under the scanned path (at head,
    # nor at base): a gate that looked at nothing cannot pass anything.
    # "module-not-read": a registry, git or http module call whose download driftgate
    # could not read (no .terraform/modules/modules.json); always a warning, one per call.
    # "stale-baseline": a baseline entry that matches no finding any more (fixed); a
    # warning at its line of the baseline file, so the file shrinks over time.
    kind: DiagnosticKind = "parse-error"
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
