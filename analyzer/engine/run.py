"""Running the checks: severity, fingerprints, baseline state, suppressions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from analyzer.checkapi import Check, CheckContext, Draft, Severity, Thresholds
from analyzer.engine.findings import BaselineState, Finding
from analyzer.model import Model, Unknown


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    target: str
    reason: str
    expires: dt.date | None = None

    def matches(self, finding: Finding, today: dt.date) -> bool:
        if self.expires is not None and self.expires < today:
            return False
        if not _selected(finding.check.id, (self.check,)):
            return False
        path = finding.location.path if finding.location else ""
        return fnmatchcase(finding.identity, self.target) or fnmatchcase(path, self.target)


def _selected(check_id: str, patterns: Sequence[str]) -> bool:
    """``DG1`` selects DG101..DG106; ``DG301`` selects itself."""
    return any(check_id.startswith(p.strip().upper()) for p in patterns if p.strip())


def select_checks(
    checks: Sequence[Check], select: Sequence[str], ignore: Sequence[str]
) -> list[Check]:
    return [
        c
        for c in checks
        if (not select or _selected(c.meta.id, select)) and not _selected(c.meta.id, ignore)
    ]


def fingerprint(check_id: str, identity: str, subject: str) -> str:
    """Never a line number: a finding keeps its identity across unrelated edits."""
    digest = hashlib.sha256(f"{check_id}\x00{identity}\x00{subject}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class EngineOptions:
    thresholds: Thresholds = field(default_factory=Thresholds)
    severity_overrides: tuple[tuple[str, Severity], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    include_existing: bool = False
    today: dt.date | None = None


def run_checks(
    checks: Sequence[Check], head: Model, base: Model | None, options: EngineOptions
) -> list[Finding]:
    """Findings of head; in diff mode, each marked new, unchanged or absent against base."""
    head_findings = _findings(checks, CheckContext(head, base, options.thresholds), head, options)
    if base is None:
        return head_findings
    # State checks are judged on base alone: what they report there already existed.
    base_ctx = CheckContext(base, None, options.thresholds)
    state_checks = [c for c in checks if c.meta.kind == "state"]
    base_findings = _findings(state_checks, base_ctx, base, options)
    base_prints = {f.fingerprint for f in base_findings}
    head_prints = {f.fingerprint for f in head_findings}
    result: list[Finding] = []
    for f in head_findings:
        state: BaselineState = "unchanged" if f.fingerprint in base_prints else "new"
        if state == "new" or options.include_existing:
            result.append(_with_state(f, state))
    if options.include_existing:
        result.extend(
            _with_state(f, "absent") for f in base_findings if f.fingerprint not in head_prints
        )
    else:
        result = [f for f in result if f.baseline_state == "new"]
    return result


def _with_state(finding: Finding, state: BaselineState) -> Finding:
    return replace(finding, baseline_state=state)


def _findings(
    checks: Sequence[Check], ctx: CheckContext, model: Model, options: EngineOptions
) -> list[Finding]:
    inference = _inference_identities(model)
    overrides = dict(options.severity_overrides)
    today = options.today or dt.date.today()
    found: dict[str, Finding] = {}
    for check in checks:
        for draft in check.run(ctx):
            finding = _finding(check, draft, model, inference, overrides)
            for suppression in options.suppressions:
                if suppression.matches(finding, today):
                    finding = replace(finding, suppressed=suppression.reason)
                    break
            found.setdefault(finding.fingerprint, finding)
    return list(found.values())


def _inference_identities(model: Model) -> set[str]:
    return {
        address
        for w in model.workloads.values()
        if w.inference
        for address in model.effective_identities(w)
    }


def _finding(
    check: Check,
    draft: Draft,
    model: Model,
    inference: set[str],
    overrides: dict[str, Severity],
) -> Finding:
    meta = check.meta
    identity = model.identities.get(draft.identity)
    uses_inference = draft.identity in inference
    severity = draft.severity or meta.severity
    if meta.id in overrides:
        severity = overrides[meta.id]
    elif uses_inference and not meta.inference_only:
        severity = severity.raised()
    principal = None
    if identity is not None and identity.principal is not None:
        p = identity.principal
        principal = str(p) if isinstance(p, Unknown) else p
    location = draft.location or (identity.location if identity else None)
    return Finding(
        check=meta,
        severity=severity,
        message=draft.message,
        identity=draft.identity,
        principal=principal,
        environment=draft.environment or (identity.environment if identity else None),
        workloads=draft.workloads,
        location=location,
        related=draft.related,
        fingerprint=fingerprint(meta.id, draft.identity, draft.subject),
        before=draft.before,
        after=draft.after,
        inference=uses_inference,
    )
