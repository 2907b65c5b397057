"""Findings as the engine hands them to reports: located, fingerprinted, with baseline state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from driftgate.analyzer.checkapi import CheckMeta, Confidence, Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.model import Location, Permission

BaselineState = Literal["new", "unchanged", "absent"]
# SARIF's suppression kinds: a comment or annotation in the file, or the configuration.
SuppressionKind = Literal["inSource", "external"]


@dataclass(frozen=True, slots=True)
class ChainNode:
    """A workload or an identity on the way from a workload to a finding's identity."""

    address: str
    # How reports name it: "Deployment ml-prod/llm", "role llm-inference".
    label: str
    environment: str | None
    kind: Literal["workload", "identity"]


@dataclass(frozen=True, slots=True)
class SuggestedFix:
    """Lines ``line``..``end_line`` of ``path`` (1-based, inclusive) replaced by ``text``:
    a narrower statement, verified by scanning the tree with it applied."""

    path: str
    line: int
    end_line: int
    text: str
    description: str


@dataclass(frozen=True, slots=True)
class Finding:
    check: CheckMeta
    severity: Severity
    message: str
    identity: str
    principal: str | None
    environment: str | None
    workloads: tuple[str, ...]
    location: Location | None
    related: tuple[Location, ...]
    fingerprint: str
    # None outside diff mode.
    baseline_state: BaselineState | None = None
    # The reason of the suppression that silences this finding, if any.
    suppressed: str | None = None
    suppression_kind: SuppressionKind | None = None
    before: str | None = None
    after: str | None = None
    inference: bool = False
    # What a delta finding adds (see Draft.added): every permission, never cut short.
    added: tuple[Permission, ...] = ()
    confidence: Confidence = "high"
    # What related locations are (Draft.notes): location → words.
    notes: tuple[tuple[Location, str], ...] = ()
    # Hidden because the baseline (``scan --baseline``) holds it: ``suppressed`` says so.
    in_baseline: bool = False
    # From each workload involved to the identity (through federation), for pictures;
    # the identity alone when no workload is involved.
    chains: tuple[tuple[ChainNode, ...], ...] = ()
    # A verified narrowing of the statement that grew (DG101, DG102), or why there is
    # none ("no safe fix: …"); both None for findings no fix is sought for.
    fix: SuggestedFix | None = None
    no_fix: str | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a report needs: findings, diagnostics, the catalog, how the run was made."""

    findings: list[Finding]
    diagnostics: list[Diagnostic]
    checks: tuple[CheckMeta, ...]
    diff_mode: bool
    fail_on: Severity | None
    head_label: str
    base_label: str | None = None
    files_scanned: int = 0
    # Files the exclude patterns left out before parsing.
    files_excluded: int = 0
    tool_version: str = field(default="0.1.0")
    # --all: findings already present at base, and those the change fixes, are listed
    # too (fixed ones are always counted).
    include_existing: bool = False

    def reported(self) -> list[Finding]:
        """Findings that count: not suppressed and, in diff mode, not absent."""
        return [f for f in self.findings if f.suppressed is None and f.baseline_state != "absent"]

    def failing(self) -> list[Finding]:
        if self.fail_on is None:
            return []
        rank = self.fail_on.rank
        return [f for f in self.reported() if f.severity.rank >= rank]

    def exit_code(self) -> int:
        """0 clean, 1 findings at or above --fail-on, 2 the run cannot be trusted."""
        if any(d.level == "error" for d in self.diagnostics):
            return 2
        return 1 if self.failing() else 0
