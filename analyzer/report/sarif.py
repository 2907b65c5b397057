"""The SARIF 2.1.0 report, built with sarif-om and fit for GitHub code scanning.

- ``tool.driver.rules``: one rule per check of the run, ``id`` the bare check id
  (``DG101``), ``name`` the slug, GitHub's ``security-severity`` and OWASP tags.
- one result per finding, suppressed and absent ones included: suppressed results
  carry ``suppressions``; in diff mode every result has a ``baselineState``.
- URIs are repo-relative against ``%SRCROOT%``; no timestamps, no absolute paths;
  results sorted, so the same scan always gives the same bytes.
- every result's primary location names the identity address as a logical location.
  A finding without a source location points at its first related location; with
  neither, its location is the logical one alone (valid SARIF, but GitHub code scanning
  rejects the whole upload for such a result: the engine should locate every finding).
- diagnostics go to ``invocations[0].toolExecutionNotifications``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import attrs
import sarif_om as om

from analyzer.checkapi import CheckMeta, Severity
from analyzer.diagnostics import Diagnostic
from analyzer.engine.findings import Finding, ScanResult
from analyzer.report.common import (
    INFORMATION_URI,
    TOOL_NAME,
    catalog,
    sorted_diagnostics,
    sorted_findings,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "driftgateFingerprint/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub maps > 9.0 to critical, 7.0-8.9 to high, 4.0-6.9 to medium, 0.1-3.9 to low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def render(result: ScanResult) -> str:
    """The SARIF log as text: deterministic, indented by 2, ending in a newline."""
    return json.dumps(to_sarif_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_sarif_dict(result: ScanResult) -> dict[str, Any]:
    """The SARIF log as plain JSON data."""
    data = _serialize(build_log(result))
    assert isinstance(data, dict)
    return data


def build_log(result: ScanResult) -> om.SarifLog:
    """The SARIF log as sarif-om objects."""
    rules = catalog(result)
    index = {meta.id: i for i, meta in enumerate(rules)}
    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=result.tool_version,
        semantic_version=result.tool_version,
        information_uri=INFORMATION_URI,
        rules=[_rule(meta) for meta in rules],
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        results=[_result(f, index[f.check.id], result) for f in sorted_findings(result.findings)],
        invocations=[_invocation(result)],
    )
    return om.SarifLog(version=SARIF_VERSION, schema_uri=SARIF_SCHEMA_URI, runs=[run])


def _rule(meta: CheckMeta) -> om.ReportingDescriptor:
    doc = meta.doc.strip()
    text = doc or f"{meta.rationale}\n\nFix: {meta.fix}"
    markdown = doc or f"{meta.rationale}\n\n**Fix:** {meta.fix}"
    tags = ["security", "identity", *(f"OWASP-{o.removeprefix('OWASP-')}" for o in meta.owasp)]
    return om.ReportingDescriptor(
        id=meta.id,
        name=meta.slug,
        short_description=om.MultiformatMessageString(text=meta.title),
        full_description=om.MultiformatMessageString(text=meta.rationale),
        help=om.MultiformatMessageString(text=text, markdown=markdown),
        help_uri=meta.help_uri,
        default_configuration=om.ReportingConfiguration(level=LEVELS[meta.severity]),
        properties={
            "tags": list(dict.fromkeys(tags)),
            "security-severity": SECURITY_SEVERITY[meta.severity],
        },
    )


def _uri(path: str) -> str:
    """A repo-relative POSIX path as a relative URI reference (spaces, ``#``, ``%`` escaped)."""
    return quote(path, safe="/")


def _physical(path: str, line: int | None, end_line: int | None = None) -> om.Location:
    region = None
    if line is not None and line >= 1:
        end = end_line if end_line is not None and end_line >= line else None
        region = om.Region(start_line=line, end_line=end)
    return om.Location(
        physical_location=om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(uri=_uri(path), uri_base_id=SRCROOT),
            region=region,
        )
    )


def _identity(address: str) -> om.LogicalLocation:
    return om.LogicalLocation(fully_qualified_name=address, kind="resource")


def _result(finding: Finding, rule_index: int, scan: ScanResult) -> om.Result:
    related = list(dict.fromkeys(finding.related))
    primary = finding.location
    if primary is None and related:
        primary = related.pop(0)
    if primary is None:
        location = om.Location(logical_locations=[_identity(finding.identity)])
    else:
        location = _physical(primary.path, primary.line, primary.end_line)
        location.logical_locations = [_identity(finding.identity)]
    return om.Result(
        rule_id=finding.check.id,
        rule_index=rule_index,
        level=LEVELS[finding.severity],
        message=om.Message(text=finding.message),
        locations=[location],
        related_locations=[_physical(r.path, r.line, r.end_line) for r in related] or None,
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        baseline_state=finding.baseline_state if scan.diff_mode else None,
        suppressions=(
            None
            if finding.suppressed is None
            else [om.Suppression(kind="external", justification=finding.suppressed)]
        ),
        properties={
            "identity": finding.identity,
            "principal": finding.principal,
            "environment": finding.environment,
            "workloads": list(finding.workloads),
            "severity": str(finding.severity),
            "inference": finding.inference,
        },
    )


def _notification(diagnostic: Diagnostic) -> om.Notification:
    locations = [_physical(diagnostic.path, diagnostic.line)] if diagnostic.path else None
    return om.Notification(
        level=diagnostic.level,
        message=om.Message(text=diagnostic.message),
        locations=locations,
        descriptor=om.ReportingDescriptorReference(id=diagnostic.kind),
    )


def _invocation(result: ScanResult) -> om.Invocation:
    return om.Invocation(
        execution_successful=not any(d.level == "error" for d in result.diagnostics),
        tool_execution_notifications=[
            _notification(d) for d in sorted_diagnostics(result.diagnostics)
        ],
    )


# Properties whose absence means something else than their sarif-om default: a
# result's ``level`` defaults to its rule's level, not to "warning".
_ALWAYS_WRITTEN = frozenset({"level"})


def _serialize(value: object) -> object:
    """sarif-om objects to JSON data: schema property names, defaults and None left out."""
    cls = type(value)
    if attrs.has(cls):
        out: dict[str, object] = {}
        for field in attrs.fields(cls):
            item = getattr(value, field.name)
            if item is None:
                continue
            if field.name not in _ALWAYS_WRITTEN and item == _default(field):
                continue
            out[field.metadata["schema_property_name"]] = _serialize(item)
        return out
    if isinstance(value, dict):
        return {str(k): _serialize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_serialize(v) for v in value]
    return value


def _default(field: attrs.Attribute[Any]) -> object:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default
