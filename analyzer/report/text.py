"""The text report: one line per problem, compiler style, then a summary line.

::

    modules/ml/iam.tf:14: error: unexpected token '}'
    k8s/serve.yaml:3: DG301 [critical] static access key for role ml-serve used by ...
    aws_iam_role.ml: DG401 [medium] inference role ml has no owner tag
    2 findings (1 critical, 1 medium) in 12 files; 1 file could not be parsed.

Findings without a source location show their identity address in place of
``path:line``. Suppressed findings and, in diff mode, findings no longer present are
not listed; the summary counts the suppressed ones.
"""

from __future__ import annotations

from collections.abc import Callable

from analyzer.checkapi import Severity
from analyzer.diagnostics import Diagnostic
from analyzer.engine.findings import Finding, ScanResult
from analyzer.report.common import (
    SEVERITY_ORDER,
    UNPARSED_KINDS,
    plural,
    printable,
    severity_counts,
    sorted_diagnostics,
    sorted_findings,
    suppressed,
    unparsed_files,
)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOR = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
}
_LEVEL_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[33m"}
_GREEN = "\x1b[32m"

_Paint = Callable[[str, str], str]


def render(result: ScanResult, *, color: bool = False) -> str:
    """The text report; ANSI colour only when ``color`` (the CLI passes ``isatty()``)."""
    paint = _painter(color)
    lines = [_diagnostic_line(d, paint) for d in sorted_diagnostics(result.diagnostics)]
    lines += [_finding_line(f, paint) for f in sorted_findings(result.reported())]
    summary = _summary(result)
    clean = not result.reported() and result.exit_code() == 0
    lines.append(paint(summary, _GREEN if clean else _BOLD))
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> _Paint:
    if color:
        return lambda text, code: f"{code}{text}{_RESET}"
    return lambda text, code: text


def _where(path: str, line: int) -> str:
    return f"{printable(path)}:{line}" if path else "<run>"


def _diagnostic_line(diagnostic: Diagnostic, paint: _Paint) -> str:
    level = paint(f"{diagnostic.level}:", _LEVEL_COLOR[diagnostic.level])
    where = paint(_where(diagnostic.path, diagnostic.line), _BOLD)
    return f"{where}: {level} {printable(diagnostic.message)}"


def _finding_line(finding: Finding, paint: _Paint) -> str:
    loc = finding.location
    where = printable(finding.identity) if loc is None else _where(loc.path, loc.line)
    tag = paint(f"[{finding.severity}]", _SEVERITY_COLOR[finding.severity])
    return f"{paint(where, _BOLD)}: {finding.check.id} {tag} {printable(finding.message)}"


def _breakdown(findings: list[Finding]) -> str:
    counts = severity_counts(findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if counts[s])


def _summary(result: ScanResult) -> str:
    reported = result.reported()
    files = plural(result.files_scanned, "file")
    parts: list[str] = []
    if result.diff_mode:
        base = printable(result.base_label) if result.base_label else "the base"
        new = [f for f in reported if f.baseline_state == "new"]
        if new:
            noun = "finding" if len(new) == 1 else "findings"
            parts.append(f"{len(new)} new {noun} ({_breakdown(new)}) against {base} in {files}")
        else:
            parts.append(f"No new identity drift against {base} in {files}")
        if existing := len(reported) - len(new):
            parts.append(f"{plural(existing, 'finding')} already present at base")
    elif reported:
        parts.append(f"{plural(len(reported), 'finding')} ({_breakdown(reported)}) in {files}")
    else:
        parts.append(f"No identity drift found in {files}")

    if silenced := len(suppressed(result)):
        parts.append(f"{silenced} suppressed")
    if unparsed := len(unparsed_files(result)):
        parts.append(f"{plural(unparsed, 'file')} could not be parsed")
    errors = sum(
        1 for d in result.diagnostics if d.level == "error" and d.kind not in UNPARSED_KINDS
    )
    if errors:
        parts.append(plural(errors, "error"))
    if warnings := sum(1 for d in result.diagnostics if d.level == "warning"):
        parts.append(plural(warnings, "warning"))
    if result.failing() and result.fail_on is not None:
        parts.append(f"failing at --fail-on {result.fail_on}")
    return "; ".join(parts) + "."
