"""What every report format shares: ordering, counts, the catalog and safe text.

The formats (text, json, sarif, ...) must not import each other; whatever two of
them need in common lives here so that they order and count findings the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from driftgate.analyzer.checkapi import CheckMeta, Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult

TOOL_NAME = "driftgate"
INFORMATION_URI = "https://github.com/driftgate/driftgate"

# Most severe first: the order of every per-severity listing.
SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
)

# Diagnostics of these kinds mean a file could not be read into the model at all.
UNPARSED_KINDS = frozenset({"parse-error", "too-large"})
# A resource type the model leaves out: said once per type, counted apart from warnings.
UNMODELLED_KIND = "unmodelled-type"
# A registry, git or http module call whose download was not read: one per call.
NOT_READ_KIND = "module-not-read"


def finding_sort_key(finding: Finding) -> tuple[int, str, int, str, str, str]:
    """Located findings by path, line, check id; then unlocated ones by identity address."""
    loc = finding.location
    if loc is None:
        return (1, finding.identity, 0, finding.check.id, finding.identity, finding.fingerprint)
    return (0, loc.path, loc.line, finding.check.id, finding.identity, finding.fingerprint)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.level, d.kind, d.message))


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Count per severity, every severity present, most severe first."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def suppressed(result: ScanResult) -> list[Finding]:
    """Findings a suppression silenced that would otherwise have been reported (the
    baseline's are counted apart: see :func:`in_baseline`)."""
    return [
        f
        for f in result.findings
        if f.suppressed is not None and f.baseline_state != "absent" and not f.in_baseline
    ]


def in_baseline(result: ScanResult) -> list[Finding]:
    """Findings hidden because the baseline (``scan --baseline``) holds them."""
    return [f for f in result.findings if f.in_baseline and f.baseline_state != "absent"]


def fixed(result: ScanResult) -> list[Finding]:
    """Findings present at base that the change removes (diff mode), not suppressed."""
    return [f for f in result.findings if f.baseline_state == "absent" and f.suppressed is None]


def unparsed_files(result: ScanResult) -> list[str]:
    """Distinct paths of files that could not be parsed (error diagnostics)."""
    return sorted(
        {d.path for d in result.diagnostics if d.level == "error" and d.kind in UNPARSED_KINDS}
    )


def unmodelled_types(result: ScanResult) -> int:
    """How many identity-bearing resource types no extractor reads (one diagnostic each)."""
    return sum(1 for d in result.diagnostics if d.kind == UNMODELLED_KIND)


def modules_not_read(result: ScanResult) -> int:
    """How many module calls were not read (registry, git, http; one diagnostic each)."""
    return sum(1 for d in result.diagnostics if d.kind == NOT_READ_KIND)


def catalog(result: ScanResult) -> list[CheckMeta]:
    """The checks of the run, by id: ``result.checks`` plus any check a finding names."""
    by_id: dict[str, CheckMeta] = {}
    for meta in (*result.checks, *(f.check for f in result.findings)):
        by_id.setdefault(meta.id, meta)
    return [by_id[key] for key in sorted(by_id)]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (ANSI escapes from a hostile
    repository included) shown as ``\\xNN``, newlines and tabs as spaces."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
