"""Suggested fixes that are proven before they are offered.

For each growth finding (DG101, DG102) at a Terraform statement, the narrowing of that
statement back to the base's (:mod:`driftgate.analyzer.fixes.narrow`) is applied to the
head in memory and the tree is scanned again: the fix is offered only when the finding
is gone, no finding is new, the file still reads cleanly, and the fixed head grants
nothing the head did not (a fix never widens). Otherwise the finding says why there is
no safe fix. Each proof is a scan of the head, so only the most severe few are tried.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.diff import grant_deltas
from driftgate.analyzer.engine.findings import Finding, SuggestedFix
from driftgate.analyzer.fixes.narrow import NoFix, Proposal, apply, propose
from driftgate.analyzer.model import Model
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.parse.hcl_errors import HclError
from driftgate.analyzer.sources.base import Tree
from driftgate.analyzer.sources.overlay import OverlayTree

# Checks whose findings a narrower statement removes (DG103: a condition put back).
ELIGIBLE = frozenset({"DG101", "DG102", "DG103"})
# Findings a fix is sought for per run, and scans of a fixed head per run (each proof
# rebuilds the head's model and runs the checks; a statement may need a few tries).
MAX_PROVEN = 5
MAX_RESCANS = 12
# Largest file a fix is proposed for (its text is parsed twice and rewritten).
MAX_SOURCE = 1024 * 1024

# head tree with the fix -> (its model, its diagnostics, its findings against the base)
Rescan = Callable[[Tree], tuple[Model, list[Diagnostic], list[Finding]]]


def counted(findings: Sequence[Finding]) -> set[str]:
    return {
        f.fingerprint
        for f in findings
        if f.suppressed is None and f.baseline_state != "absent" and not f.in_baseline
    }


def with_fixes(
    findings: list[Finding],
    *,
    head: Tree,
    base: Tree,
    head_model: Model,
    rescan: Rescan,
    parser: str,
) -> list[Finding]:
    """``findings`` with each eligible one's fix, or the reason it has none."""
    before = counted(findings)
    eligible = sorted(
        (f for f in findings if _eligible(f) and f.fingerprint in before),
        key=lambda f: (-f.severity.rank, f.location.path if f.location else "", f.fingerprint),
    )
    outcome: dict[str, Finding] = {}
    spent = 0

    def bounded(tree: Tree) -> tuple[Model, list[Diagnostic], list[Finding]]:
        nonlocal spent
        if spent >= MAX_RESCANS:
            raise NoFix(f"not tried: at most {MAX_RESCANS} fixed trees are scanned a run")
        spent += 1
        return rescan(tree)

    for i, finding in enumerate(eligible):
        if i >= MAX_PROVEN:
            why = f"not tried: fixes are proven for the {MAX_PROVEN} most severe findings a run"
            outcome[finding.fingerprint] = dataclasses.replace(finding, no_fix=why)
            continue
        try:
            fix = _proven(finding, head, base, head_model, bounded, parser, before)
        except NoFix as exc:
            outcome[finding.fingerprint] = dataclasses.replace(finding, no_fix=str(exc))
            continue
        outcome[finding.fingerprint] = dataclasses.replace(finding, fix=fix)
    return [outcome.get(f.fingerprint, f) if _eligible(f) else f for f in findings]


def _eligible(finding: Finding) -> bool:
    where = finding.location
    return (
        finding.check.id in ELIGIBLE
        and finding.baseline_state == "new"
        and where is not None
        and where.path.endswith(".tf")
    )


def _proven(
    finding: Finding,
    head: Tree,
    base: Tree,
    head_model: Model,
    rescan: Rescan,
    parser: str,
    before: set[str],
) -> SuggestedFix:
    assert finding.location is not None
    path, line = finding.location.path, finding.location.line
    head_text = _text(head, path)
    if head_text is None:
        raise NoFix(f"{path} cannot be read again")
    base_text = _text(base, path)
    head_hcl = _parsed(path, head_text, parser)
    base_side = (_parsed(path, base_text, parser), base_text) if base_text is not None else None
    why = NoFix("no narrowing was tried")
    for proposal in propose(path, line, (head_hcl, head_text), base_side):
        try:
            _prove(proposal, finding, head, head_text, head_model, rescan, before)
        except NoFix as exc:
            why = exc
            continue
        return _suggested(proposal)
    raise why


def _prove(
    proposal: Proposal,
    finding: Finding,
    head: Tree,
    head_text: str,
    head_model: Model,
    rescan: Rescan,
    before: set[str],
) -> None:
    """Raise NoFix unless the head with ``proposal`` applied loses ``finding``, gains
    no finding, reads cleanly and allows nothing the head did not."""
    path = proposal.path
    fixed = apply(head_text, proposal)
    model, diagnostics, after = rescan(OverlayTree(head, {path: fixed.encode("utf-8")}))
    if any(d.level == "error" and d.path == path for d in diagnostics):
        raise NoFix("the narrowed file would not read cleanly")
    remaining = counted(after)
    if finding.fingerprint in remaining:
        raise NoFix(
            "putting the base's statement back does not remove it: another part of the"
            " change grants it too"
        )
    if new := sorted({f.check.id for f in after if f.fingerprint in remaining - before}):
        raise NoFix(f"the narrowed statement would raise {', '.join(new)}")
    if grant_deltas(head_model, model):
        raise NoFix("the statement as at base would allow something the change does not")


def _suggested(p: Proposal) -> SuggestedFix:
    return SuggestedFix(p.path, p.line, p.end_line, p.text, p.description)


def _text(tree: Tree, path: str) -> str | None:
    data = tree.read_path(path, MAX_SOURCE)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _parsed(path: str, text: str, parser: str) -> ast.HclFile:
    try:
        return parse_hcl(path, text, parser)
    except HclError:
        raise NoFix(f"{path} cannot be parsed (the scan reports why)") from None
