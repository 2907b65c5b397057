"""Running the checks: severity, fingerprints, baseline state, suppressions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence, Set
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from driftgate.analyzer.checkapi import Check, CheckContext, Draft, Severity, Thresholds
from driftgate.analyzer.engine.chains import chains
from driftgate.analyzer.engine.changed import ChangedLines
from driftgate.analyzer.engine.findings import BaselineState, Finding
from driftgate.analyzer.engine.inline import InlineIndex, InlineSuppression, Reader
from driftgate.analyzer.engine.lead import with_lead
from driftgate.analyzer.model import Location, Model, Unknown

SUPPRESSION_CHECK = "DG901"


@dataclass(frozen=True, slots=True)
class Suppression:
    check: str
    target: str
    reason: str
    expires: dt.date | None = None
    # Where it is written (the configuration file), for DG901.
    source: Location | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

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


# How many of the other identities a folded finding names.
_LISTED = 3
_CONFIDENCE = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class EngineOptions:
    thresholds: Thresholds = field(default_factory=Thresholds)
    severity_overrides: tuple[tuple[str, Severity], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    include_existing: bool = False
    today: dt.date | None = None


def run_checks(
    checks: Sequence[Check],
    head: Model,
    base: Model | None,
    options: EngineOptions,
    *,
    read_head: Reader | None = None,
    read_base: Reader | None = None,
    head_paths: frozenset[str] = frozenset(),
    base_paths: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Findings of head; in diff mode, each marked new, unchanged or absent against base.

    ``read_head`` / ``read_base`` give the text of a tree's files for inline suppressions
    (none: only configured suppressions apply); ``head_paths`` / ``base_paths`` are the
    files read, whose inline directives DG901 judges even where no finding points.
    """
    head_ctx = CheckContext(head, base, options.thresholds)
    changed = (
        ChangedLines(read_head, read_base)
        if base is not None and read_head is not None and read_base is not None
        else None
    )
    head_findings = _findings(
        checks,
        head_ctx,
        head,
        options,
        read_head,
        config_expiry=True,
        changed=changed,
        paths=head_paths,
    )
    if base is None:
        return head_findings
    # State checks are judged on base alone: what they report there already existed.
    base_ctx = CheckContext(base, None, options.thresholds)
    state_checks = [c for c in checks if c.meta.kind == "state"]
    base_findings = _findings(state_checks, base_ctx, base, options, read_base, paths=base_paths)
    base_prints = {f.fingerprint for f in base_findings}
    head_prints = {f.fingerprint for f in head_findings}
    result: list[Finding] = []
    for f in head_findings:
        state: BaselineState = "unchanged" if f.fingerprint in base_prints else "new"
        if state == "new" or options.include_existing:
            result.append(_with_state(f, state))
    if not options.include_existing:
        result = [f for f in result if f.baseline_state == "new"]
    # What the change fixes is always known: reports count it, and show it with --all.
    result.extend(
        _with_state(f, "absent") for f in base_findings if f.fingerprint not in head_prints
    )
    return result


def _with_state(finding: Finding, state: BaselineState) -> Finding:
    return replace(finding, baseline_state=state)


def _findings(
    checks: Sequence[Check],
    ctx: CheckContext,
    model: Model,
    options: EngineOptions,
    read: Reader | None,
    *,
    config_expiry: bool = False,
    changed: ChangedLines | None = None,
    paths: frozenset[str] = frozenset(),
) -> list[Finding]:
    inference = _inference_identities(model)
    overrides = dict(options.severity_overrides)
    today = options.today or dt.date.today()
    inline = InlineIndex(read) if read is not None else None
    found: dict[str, Finding] = {}
    subjects: dict[str, str] = {}
    # Findings that stand alone whatever else the line caused (one per escalation path).
    alone: set[str] = set()
    for check in checks:
        for draft in check.run(ctx):
            finding = _finding(check, draft, model, inference, overrides)
            if changed is not None and check.meta.kind == "delta":
                finding = _at_change(finding, draft.focus, changed, model)
            finding = _suppress(finding, options, inline, today)
            found.setdefault(finding.fingerprint, finding)
            subjects.setdefault(finding.fingerprint, draft.subject)
            if not draft.fold:
                alone.add(finding.fingerprint)
    dg901 = next((c for c in checks if c.meta.id == SUPPRESSION_CHECK), None)
    if dg901 is not None:
        severity = overrides.get(dg901.meta.id, dg901.meta.severity)
        if inline is not None:
            for path in sorted(paths):
                inline.in_file(path)  # a directive without a reason is wrong in any file
        problems = list(inline.seen()) if inline is not None else []
        expired = [s for s in options.suppressions if s.expired(today)] if config_expiry else []
        for f in _suppression_findings(dg901, severity, problems, expired, today):
            found.setdefault(f.fingerprint, f)
    return _one_per_cause(list(found.values()), subjects, alone)


def _one_per_cause(
    findings: list[Finding], subjects: dict[str, str], alone: Set[str] = frozenset()
) -> list[Finding]:
    """One finding per cause (DESIGN §5): a change to a module that five roots call is
    one finding at the line it wrote, naming the other identities it reaches, not five."""
    kept: list[Finding] = []
    groups: dict[tuple[str, str, int | None, int], list[Finding]] = {}
    # The same line may give one identity several findings of a check (two levels of
    # access): the n-th of each identity folds with the n-th of the others.
    seen: dict[tuple[str, str, int | None, str], int] = {}
    nth: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: subjects.get(f.fingerprint, "")):
        if f.location is not None:
            key = (f.check.id, f.location.path, f.location.line, f.identity)
            nth[f.fingerprint] = seen[key] = seen.get(key, -1) + 1
    for f in findings:
        if (
            f.check.kind != "delta"
            or f.location is None
            or f.suppressed is not None
            or f.fingerprint in alone
        ):
            kept.append(f)
            continue
        cause = (f.check.id, f.location.path, f.location.line, nth[f.fingerprint])
        groups.setdefault(cause, []).append(f)
    for same in groups.values():
        same.sort(key=lambda f: f.identity)
        first, others = same[0], same[1:]
        if not others:
            kept.append(first)
            continue
        environments = sorted({f.environment for f in same if f.environment})
        where = f" in {', '.join(environments)}" if environments else ""
        listed = ", ".join(f.identity for f in others[:_LISTED])
        if len(others) > _LISTED:
            listed += f", and {len(others) - _LISTED} more"
        count = f"{len(others)} more identit{'y' if len(others) == 1 else 'ies'}"
        kept.append(
            replace(
                first,
                message=f"{first.message} The same change reaches {count}{where}: {listed}.",
                severity=max((f.severity for f in same), key=lambda s: s.rank),
                workloads=tuple(dict.fromkeys(w for f in same for w in f.workloads)),
                # As sure as the least sure of them.
                confidence=min((f.confidence for f in same), key=_CONFIDENCE.index),
            )
        )
    return kept


def _at_change(
    finding: Finding, focus: tuple[str, ...], changed: ChangedLines, model: Model
) -> Finding:
    """The finding at the line the change wrote, the identity's declaration related."""
    if finding.location is None:
        return finding
    parts = [*focus, *(part for p in finding.added for part in (p.action, p.resource))]
    hints = tuple(
        dict.fromkeys(
            # A bare wildcard is looked for as written, quoted; other short text is noise.
            '"*"' if part == "*" else item
            for part in parts
            # A NotAction list names each of its patterns on a line of its own.
            for item in part.removeprefix("NOT ").split("|")
            if (len(part) > 2 or part == "*") and "${" not in part
        )
    )
    # Of the places that wrote what the finding is about (the statement, the module
    # input a dynamic statement iterates, the attachment), the one the change touched.
    # Last, the module calls that instantiate the identity: the input a caller changed.
    identity = model.identities.get(finding.identity)
    # Only for findings that name what the change wrote (an action, a resource): a
    # workload promoted through a module stays at its block.
    calls = identity.module_calls if identity is not None and focus else ()
    written = finding.location
    if not changed.touches(written):
        candidates = (*finding.related, *calls)
        written = next((r for r in candidates if changed.touches(r)), written)
    location = changed.at_change(written, hints)
    related = [r for r in finding.related if r != written]
    for where in (finding.location, identity.location if identity else None, *calls[:1]):
        if where is not None and where != location and where not in related:
            related.append(where)
    return replace(finding, location=location, related=tuple(related))


def _suppress(
    finding: Finding, options: EngineOptions, inline: InlineIndex | None, today: dt.date
) -> Finding:
    """The finding, silenced by the first inline or configured suppression that applies."""
    if finding.check.id == SUPPRESSION_CHECK:
        return finding
    if inline is not None and finding.location is not None:
        loc = finding.location
        for directive in inline.matching(finding.check.id, loc.path, loc.line):
            if directive.applies(today):
                return replace(finding, suppressed=directive.reason, suppression_kind="inSource")
    for suppression in options.suppressions:
        if suppression.matches(finding, today):
            return replace(finding, suppressed=suppression.reason, suppression_kind="external")
    return finding


def _suppression_findings(
    check: Check,
    severity: Severity,
    inline: Sequence[InlineSuppression],
    configured: Sequence[Suppression],
    today: dt.date,
) -> list[Finding]:
    """DG901: inline directives that do not apply, configured suppressions past ``expires``."""
    found: list[Finding] = []
    for directive in inline:
        ids = ", ".join(directive.checks) or "no check"
        if directive.problem == "no-reason":
            why = "has no reason, so it does not apply"
        elif directive.problem == "bad-until":
            why = f"has an unreadable until={directive.until_text}, so it does not apply"
        elif directive.expired(today):
            why = f"expired on {directive.until}, so it no longer applies"
        else:
            continue
        reason = f" ({directive.reason})" if directive.reason else ""
        message = (
            f"inline suppression of {ids}{reason} in {directive.path}:{directive.line} {why}: "
            "what it silenced is reported again; fix it, or renew it with a reason and a date."
        )
        subject = f"{ids}\x00{directive.reason}\x00{directive.until_text}"
        found.append(
            _suppression_finding(
                check,
                severity,
                message,
                directive.path,
                subject,
                Location(path=directive.path, line=directive.line),
            )
        )
    for suppression in configured:
        message = (
            f"configured suppression of {suppression.check} for {suppression.target} "
            f"({suppression.reason}) expired on {suppression.expires}, so it no longer "
            "applies: what it silenced is reported again; fix it, or renew it with a new date."
        )
        subject = f"{suppression.check}\x00{suppression.target}\x00{suppression.expires}"
        found.append(
            _suppression_finding(
                check,
                severity,
                message,
                f"config:{suppression.target}",
                subject,
                suppression.source,
            )
        )
    return found


def _suppression_finding(
    check: Check,
    severity: Severity,
    message: str,
    identity: str,
    subject: str,
    location: Location | None,
) -> Finding:
    return Finding(
        check=check.meta,
        severity=severity,
        message=with_lead(message),
        identity=identity,
        principal=None,
        environment=None,
        workloads=(),
        location=location,
        related=(),
        fingerprint=fingerprint(check.meta.id, identity, subject),
    )


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
        message=with_lead(draft.message),
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
        added=draft.added,
        confidence=draft.confidence,
        notes=draft.notes,
        chains=chains(model, draft.identity, draft.workloads),
    )
