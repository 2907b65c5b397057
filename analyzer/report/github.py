"""The ``github`` report: GitHub Actions workflow commands that annotate the pull request.

::

    ::error file=envs/staging/main.tf,line=56,title=DG104 [critical] escalation-path::role …
    ::warning file=k8s/prod/llm.yaml,line=46,title=DG302 [medium] long-ttl::projected …

critical and high findings are ``error``, medium ``warning``, low ``notice``; a file that
could not be parsed is an ``error`` (a base-only problem a ``warning``). Suppressed
findings and, in diff mode, findings no longer present are not annotated.

GitHub shows only the first 10 annotations of each level per step (50 per job), so the
most severe come first: diagnostics that make the run untrustworthy, then findings by
severity, then by file and line.

Escaping follows the runner's rules (``@actions/core`` ``toCommandValue``/``escapeData``,
``escapeProperty``): in the message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``;
in property values ``:`` and ``,`` also become ``%3A`` and ``%2C``. Terminal control
characters from the repository are shown as ``\\xNN`` first, so a hostile file name or
message can neither end the command early nor start another one.
"""

from __future__ import annotations

from driftgate.analyzer.checkapi import Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.report.common import (
    TOOL_NAME,
    printable,
    sorted_diagnostics,
    sorted_findings,
)

COMMAND: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
}


def escape_data(value: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """``::name k=v,k=v::message`` with every part escaped; ``None`` properties omitted."""
    props = ",".join(
        f"{key}={escape_property(printable(str(value)))}"
        for key, value in properties.items()
        if value is not None
    )
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape_data(printable(message))}"


def render(result: ScanResult) -> str:
    """One workflow command per line; empty when there is nothing to annotate."""
    lines = [_diagnostic(d) for d in _ordered_diagnostics(result.diagnostics)]
    lines += [_finding(f) for f in _ordered_findings(result.reported())]
    return "".join(f"{line}\n" for line in lines)


def _ordered_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    ordered = sorted_diagnostics(diagnostics)
    return [d for d in ordered if d.level == "error"] + [d for d in ordered if d.level != "error"]


def _ordered_findings(findings: list[Finding]) -> list[Finding]:
    ordered = sorted_findings(findings)  # stable: by file and line within a severity
    return sorted(ordered, key=lambda f: -f.severity.rank)


def _diagnostic(d: Diagnostic) -> str:
    return command(
        d.level,
        d.message,
        file=d.path or None,
        line=d.line if d.path and d.line >= 1 else None,
        title=f"{TOOL_NAME} {d.kind}",
    )


def _finding(f: Finding) -> str:
    loc = f.location
    title = f"{f.check.id} [{f.severity}] {f.check.slug}"
    if loc is None:
        # No file to attach to: the annotation goes to the run, naming the identity.
        return command(COMMAND[f.severity], f"{f.identity}: {f.message}", title=title)
    end = loc.end_line if loc.end_line is not None and loc.end_line > loc.line else None
    return command(
        COMMAND[f.severity],
        f.message,
        file=loc.path,
        line=loc.line if loc.line >= 1 else None,
        endLine=end,
        title=title,
    )
