"""The SARIF 2.1.0 report, built with sarif-om and fit for GitHub code scanning.

- ``tool.driver.rules``: one rule per check of the run, ``id`` the bare check id
  (``DG101``), ``name`` the slug, GitHub's ``security-severity`` and OWASP tags.
- one result per finding, suppressed ones included with ``suppressions``; in diff mode
  every result has a ``baselineState``. Findings the change fixes (``absent``) only with
  ``--all``: GitHub code scanning shows every uploaded result as an alert, whatever
  its baseline state.
- URIs are repo-relative against ``%SRCROOT%``; no timestamps, no absolute paths;
  results sorted, so the same scan always gives the same bytes.
- every result's primary location names the identity address as a logical location.
  A finding without a source location points at its first related location; with
  neither, its location is the logical one alone (valid SARIF, but GitHub code scanning
  rejects the whole upload for such a result: the engine should locate every finding).
- diagnostics go to ``invocations[0].toolExecutionNotifications``.
- for GitHub code scanning: ``precision`` and ``security-severity`` on every rule,
  ``tool.driver.semanticVersion``, ``automationDetails.id`` ``driftgate/`` (the
  category the action uploads under), ``relatedLocations`` numbered for reference, and
  :func:`prefer_changed_lines` to move a result's primary location onto a line the pull
  request changed when one of its locations is there.
- GitHub's limits (:data:`GITHUB_LIMITS`): at most 5,000 results per run (GitHub
  ignores the rest and rejects more than 25,000), 25,000 rules, 100 locations per
  result, 10 tags per rule, 10 MB gzip-compressed. A run over them keeps the most
  severe results (reported before suppressed or absent ones) and says so in
  ``run.properties`` and in a ``results-truncated`` tool execution notification.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import attrs
import sarif_om as om

from driftgate.analyzer.checkapi import CheckMeta, Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult, SuggestedFix
from driftgate.analyzer.report.common import (
    INFORMATION_URI,
    SEVERITY_ORDER,
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
# github/codeql-action/upload-sarif keeps an automationDetails.id that is already set;
# "driftgate/" is the id its ``category: driftgate`` would give.
AUTOMATION_ID = f"{TOOL_NAME}/"
# Findings come from a static model in which what cannot be known stays Unknown and is
# said so in the message, never guessed: GitHub's "high" (few false positives).
PRECISION = "high"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one SARIF run may hold for GitHub code scanning."""

    max_results: int = 5_000
    max_rules: int = 25_000
    max_related_locations: int = 100
    max_tags: int = 10
    max_gzip_bytes: int = 10 * 1024 * 1024


GITHUB_LIMITS = Limits()

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


def render(result: ScanResult, *, limits: Limits = GITHUB_LIMITS) -> str:
    """The SARIF log as text: deterministic, indented by 2, ending in a newline."""
    return dumps(to_sarif_dict(result, limits=limits))


def dumps(data: Mapping[str, Any]) -> str:
    """SARIF data as text, the one way every driftgate SARIF file is written."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_sarif_dict(result: ScanResult, *, limits: Limits = GITHUB_LIMITS) -> dict[str, Any]:
    """The SARIF log as plain JSON data, within ``limits`` (most severe results kept)."""
    ranked = sorted(sorted_findings(_included(result)), key=_keep_priority)
    keep = min(len(ranked), limits.max_results)
    while True:
        data = _serialize(build_log(result, kept=ranked[:keep], limits=limits))
        assert isinstance(data, dict)
        if keep == 0 or _fits(data, limits):
            return data
        # Over the compressed size: drop the least severe tenth and measure again.
        keep = min(keep - 1, keep * 9 // 10)


def _included(result: ScanResult) -> list[Finding]:
    if result.include_existing:
        return result.findings
    return [f for f in result.findings if f.baseline_state != "absent"]


def _keep_priority(finding: Finding) -> tuple[bool, int]:
    """Reported findings before suppressed or absent ones, the most severe first."""
    counted = finding.suppressed is None and finding.baseline_state != "absent"
    return (not counted, -finding.severity.rank)


def _fits(data: dict[str, Any], limits: Limits) -> bool:
    raw = dumps(data).encode("utf-8")
    if len(raw) <= limits.max_gzip_bytes:
        return True
    return len(gzip.compress(raw, mtime=0)) <= limits.max_gzip_bytes


def build_log(
    result: ScanResult, *, kept: list[Finding] | None = None, limits: Limits = GITHUB_LIMITS
) -> om.SarifLog:
    """The SARIF log as sarif-om objects: ``kept`` findings (default: all of them)."""
    findings = sorted_findings(_included(result) if kept is None else kept)
    rules = catalog(result)
    if len(rules) > limits.max_rules:
        used = {f.check.id for f in findings}
        rules = [m for m in rules if m.id in used][: limits.max_rules]
    index = {meta.id: i for i, meta in enumerate(rules)}
    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=result.tool_version,
        semantic_version=result.tool_version,
        information_uri=INFORMATION_URI,
        rules=[_rule(meta, limits) for meta in rules],
    )
    kept_ids = {id(f) for f in findings}
    dropped = [f for f in _included(result) if id(f) not in kept_ids]
    truncation = _truncation(result, findings, dropped, limits)
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=AUTOMATION_ID),
        results=[
            _result(f, index[f.check.id], result, limits) for f in findings if f.check.id in index
        ],
        invocations=[_invocation(result, truncation)],
        properties=None if truncation is None else truncation[1],
    )
    return om.SarifLog(version=SARIF_VERSION, schema_uri=SARIF_SCHEMA_URI, runs=[run])


def _truncation(
    result: ScanResult, kept: list[Finding], dropped: list[Finding], limits: Limits
) -> tuple[str, dict[str, Any]] | None:
    """The message and run properties that say results were left out, if any were."""
    if not dropped:
        return None
    counts = {str(s): 0 for s in SEVERITY_ORDER}
    for f in dropped:
        counts[str(f.severity)] += 1
    left_out = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    total = len(result.findings)
    why = (
        f"GitHub code scanning takes at most {limits.max_results} results per run"
        if total > limits.max_results and len(kept) == limits.max_results
        else f"GitHub code scanning takes at most {limits.max_gzip_bytes} bytes of"
        " gzip-compressed SARIF"
    )
    message = (
        f"{why}: kept the {len(kept)} most severe of {total} results and left out"
        f" {len(dropped)} ({left_out}); see the JSON report for all of them."
    )
    properties = {
        "truncated": True,
        "resultsTotal": total,
        "resultsKept": len(kept),
        "resultsLeftOut": {s: n for s, n in counts.items() if n},
        "truncationReason": message,
    }
    return message, properties


def _rule(meta: CheckMeta, limits: Limits = GITHUB_LIMITS) -> om.ReportingDescriptor:
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
            "tags": list(dict.fromkeys(tags))[: limits.max_tags],
            "precision": PRECISION,
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


def _result(
    finding: Finding, rule_index: int, scan: ScanResult, limits: Limits = GITHUB_LIMITS
) -> om.Result:
    related = [r for r in dict.fromkeys(finding.related) if r != finding.location]
    primary = finding.location
    if primary is None and related:
        primary = related.pop(0)
    if primary is None:
        location = om.Location(logical_locations=[_identity(finding.identity)])
    else:
        location = _physical(primary.path, primary.line, primary.end_line)
        location.logical_locations = [_identity(finding.identity)]
    properties: dict[str, Any] = {
        "identity": finding.identity,
        "principal": finding.principal,
        "environment": finding.environment,
        "workloads": list(finding.workloads),
        "severity": str(finding.severity),
        "inference": finding.inference,
    }
    if finding.confidence != "high":
        properties["confidence"] = finding.confidence
    if len(related) > limits.max_related_locations:
        properties["relatedLocationsLeftOut"] = len(related) - limits.max_related_locations
        related = related[: limits.max_related_locations]
    related_locations = [_physical(r.path, r.line, r.end_line) for r in related]
    notes = dict(finding.notes)
    for number, (loc, where) in enumerate(zip(related_locations, related, strict=True), start=1):
        loc.id = number
        if where in notes:
            loc.message = om.Message(text=notes[where])
    return om.Result(
        rule_id=finding.check.id,
        rule_index=rule_index,
        level=LEVELS[finding.severity],
        message=om.Message(text=finding.message),
        locations=[location],
        related_locations=related_locations or None,
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        baseline_state=finding.baseline_state if scan.diff_mode else None,
        suppressions=(
            None
            if finding.suppressed is None
            else [
                om.Suppression(
                    kind=finding.suppression_kind or "external",
                    justification=finding.suppressed,
                )
            ]
        ),
        properties=properties,
        fixes=[_fix(finding.fix)] if finding.fix is not None else None,
    )


def _fix(fix: SuggestedFix) -> om.Fix:
    """Whole lines replaced: a region of lines only ends before the last one's newline,
    so the inserted text carries none at its end. Lines deleted outright are a region
    up to the start of the next line, so that no empty line is left behind."""
    region = om.Region(start_line=fix.line, end_line=fix.end_line)
    if not fix.text:
        region = om.Region(
            start_line=fix.line, start_column=1, end_line=fix.end_line + 1, end_column=1
        )
    return om.Fix(
        description=om.Message(text=fix.description),
        artifact_changes=[
            om.ArtifactChange(
                artifact_location=om.ArtifactLocation(uri=_uri(fix.path), uri_base_id=SRCROOT),
                replacements=[
                    om.Replacement(
                        deleted_region=region,
                        inserted_content=om.ArtifactContent(text=fix.text),
                    )
                ],
            )
        ],
    )


def _notification(diagnostic: Diagnostic) -> om.Notification:
    locations = [_physical(diagnostic.path, diagnostic.line)] if diagnostic.path else None
    return om.Notification(
        level=diagnostic.level,
        message=om.Message(text=diagnostic.message),
        locations=locations,
        descriptor=om.ReportingDescriptorReference(id=diagnostic.kind),
    )


def _invocation(
    result: ScanResult, truncation: tuple[str, dict[str, Any]] | None = None
) -> om.Invocation:
    notifications = [_notification(d) for d in sorted_diagnostics(result.diagnostics)]
    if truncation is not None:
        notifications.append(
            om.Notification(
                level="warning",
                message=om.Message(text=truncation[0]),
                descriptor=om.ReportingDescriptorReference(id="results-truncated"),
            )
        )
    return om.Invocation(
        execution_successful=not any(d.level == "error" for d in result.diagnostics),
        tool_execution_notifications=notifications,
    )


def prefer_changed_lines(data: dict[str, Any], changed: Mapping[str, Set[int]]) -> dict[str, Any]:
    """Move each result's primary location onto a changed line where it has one.

    ``changed`` maps repo-relative paths to the line numbers a pull request added or
    modified. When a result's primary location is not on such a line but one of its
    related locations is, the two swap: GitHub shows the alert on the diff, and the
    other place stays one click away. The identity (logical location) stays primary.
    """
    for run in data.get("runs", []):
        for res in run.get("results", []):
            _prefer_changed(res, changed)
    return data


def _on_changed_line(location: Mapping[str, Any], changed: Mapping[str, Set[int]]) -> bool:
    physical = location.get("physicalLocation")
    if not isinstance(physical, Mapping):
        return False
    lines = changed.get(unquote(physical.get("artifactLocation", {}).get("uri", "")))
    if not lines:
        return False
    region = physical.get("region") or {}
    start = region.get("startLine")
    if start is None:
        return False
    end = region.get("endLine", start)
    return any(line in lines for line in range(start, end + 1))


def _prefer_changed(res: dict[str, Any], changed: Mapping[str, Set[int]]) -> None:
    primary = res["locations"][0]
    related: list[dict[str, Any]] = res.get("relatedLocations", [])
    if _on_changed_line(primary, changed) or "physicalLocation" not in primary:
        return
    for i, candidate in enumerate(related):
        if not _on_changed_line(candidate, changed):
            continue
        moved = {"physicalLocation": primary["physicalLocation"]}
        new_primary = dict(primary)
        new_primary["physicalLocation"] = candidate["physicalLocation"]
        res["locations"][0] = new_primary
        related[i] = moved
        for number, loc in enumerate(related, start=1):
            loc["id"] = number
        return


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
