"""The JSON report: a stable, versioned document for scripts (docs/json-report.md).

Every finding is included, suppressed and (in diff mode) absent ones too, each with
its state, so consumers filter as they need. Keys appear in a fixed order, findings
and diagnostics are sorted, and nothing depends on the time or the machine.
"""

from __future__ import annotations

import json
from typing import Any

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult, SuggestedFix
from driftgate.analyzer.model import Location
from driftgate.analyzer.report.common import (
    TOOL_NAME,
    fixed,
    in_baseline,
    severity_counts,
    sorted_diagnostics,
    sorted_findings,
    suppressed,
)

# Bump when a key is removed or changes meaning; adding keys does not bump it.
SCHEMA_VERSION = 1


def render(result: ScanResult) -> str:
    """The JSON report as text (UTF-8, indented, ending in a newline)."""
    return json.dumps(to_document(result), indent=2, ensure_ascii=False) + "\n"


def to_document(result: ScanResult) -> dict[str, Any]:
    """The JSON report as plain data, in documented key order."""
    reported = result.reported()
    absent = fixed(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": result.tool_version},
        "mode": "diff" if result.diff_mode else "state",
        "base": result.base_label if result.diff_mode else None,
        "head": result.head_label,
        "findings": [_finding(f) for f in sorted_findings(result.findings)],
        "diagnostics": [_diagnostic(d) for d in sorted_diagnostics(result.diagnostics)],
        "summary": {
            "findings": len(reported),
            "by_severity": {str(s): n for s, n in severity_counts(reported).items()},
            "suppressed": len(suppressed(result)),
            "in_baseline": len(in_baseline(result)),
            "absent": len(absent),
            "files_scanned": result.files_scanned,
            "files_excluded": result.files_excluded,
            "diagnostics": len(result.diagnostics),
            "fail_on": None if result.fail_on is None else str(result.fail_on),
            "exit_code": result.exit_code(),
        },
    }


def _fix(fix: SuggestedFix) -> dict[str, Any]:
    return {
        "path": fix.path,
        "line": fix.line,
        "end_line": fix.end_line,
        "text": fix.text,
        "description": fix.description,
    }


def _location(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "end_line": loc.end_line}


def _related(loc: Location, notes: dict[Location, str]) -> dict[str, Any]:
    found = _location(loc)
    if loc in notes:
        found["note"] = notes[loc]
    return found


def _finding(finding: Finding) -> dict[str, Any]:
    check = finding.check
    return {
        "check": check.id,
        "slug": check.slug,
        "title": check.title,
        "severity": str(finding.severity),
        "message": finding.message,
        "identity": finding.identity,
        "principal": finding.principal,
        "environment": finding.environment,
        "workloads": list(finding.workloads),
        "location": None if finding.location is None else _location(finding.location),
        "related": [_related(loc, dict(finding.notes)) for loc in finding.related],
        "fingerprint": finding.fingerprint,
        "baseline_state": finding.baseline_state,
        "suppressed": finding.suppressed,
        "suppression_kind": finding.suppression_kind,
        "in_baseline": finding.in_baseline,
        "fix": _fix(finding.fix) if finding.fix is not None else None,
        "no_fix": finding.no_fix,
        "confidence": finding.confidence,
        "before": finding.before,
        "after": finding.after,
        "inference": finding.inference,
        "added": [
            {"action": p.action, "resource": p.resource, "scope": p.scope} for p in finding.added
        ],
    }


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "kind": diagnostic.kind,
        "level": diagnostic.level,
        "message": diagnostic.message,
    }
