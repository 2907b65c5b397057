"""The markdown report: a pull-request comment or job summary a reviewer reads in ten seconds.

::

    ### ❌ driftgate: 4 new findings (2 critical, 2 high) against `main` — fails at `--fail-on high`

    | severity | findings |
    ...

    #### Privilege diff by identity
    ##### `terraform/envs/staging:aws_iam_role.llm`
    | change | what | scope | environment | severity | check | where |
    | gained | `s3:PutObject` | `arn:…:models/*` | staging | 🟠 high | DG101 | `main.tf:50` |

1. a one-line verdict (a heading, so it stands out in a comment thread);
2. a table of counts by severity, then a Mermaid picture of who gains what
   (:mod:`driftgate.analyzer.report.mermaid`);
3. per identity, most severe first, a privilege-diff table: what the identity gained
   (or, in diff mode, fixed by the change, and with ``--all`` already had), on which scope, in which
   environment, declared where. A delta finding's ``added`` permissions give one row per
   target (resource and scope) with its actions, every target listed however many;
   other findings show their check and ``after``;
4. the full finding messages, diagnostics and long tables folded in ``<details>``.

Everything taken from the repository is escaped (markdown, HTML, ``@mentions``, table
pipes), and the whole report stays under ``max_chars`` (GitHub refuses comments over
65,536 characters): identities that do not fit are counted, not shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from driftgate.analyzer.checkapi import Severity, target_text
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.model import Permission
from driftgate.analyzer.report import mermaid
from driftgate.analyzer.report.common import (
    SEVERITY_ORDER,
    TOOL_NAME,
    fixed,
    in_baseline,
    plural,
    printable,
    severity_counts,
    sorted_diagnostics,
    sorted_findings,
    suppressed,
    unparsed_files,
)

# GitHub refuses a comment over 65,536 characters; keep room for a wrapper around it.
MAX_CHARS = 60_000
# Rows of one identity's table shown before the rest folds into <details>.
ROWS_SHOWN = 8
# Rows of one identity's table at all: a statement may add tens of thousands of ARNs,
# and an identity whose table outgrows the comment would be left out whole.
MAX_ROWS = 200
# A suggested fix is shown whole up to this size; beyond it the SARIF and JSON have it.
SUGGESTION_CHARS = 3_000
SUGGESTION_LINES = 40
# Identities shown before the rest folds into <details>.
IDENTITIES_SHOWN = 10

SEVERITY_ICON: dict[Severity, str] = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
}
_TABLE_HEAD = (
    "| change | what | scope | environment | severity | check | where |\n"
    "|---|---|---|---|---|---|---|"
)


def render(result: ScanResult, *, max_chars: int = MAX_CHARS) -> str:
    """The markdown report (GitHub-flavoured), ending in a newline."""
    head = [_verdict(result), ""]
    reported = result.reported()
    if reported:
        head += [_severity_table(result), ""]
        chart = mermaid.flowchart(reported)
        if chart is not None:
            head += ["#### Who gains what", "", "```mermaid", chart, "```", ""]
    head += _diagnostics(result.diagnostics)
    tail = _footer(result)
    suggested = _suggestions(reported)

    budget = max_chars - _size(head) - _size(tail) - _size(suggested) - 400
    sections = _identity_sections(result)
    shown: list[str] = []
    folded: list[str] = []
    omitted = 0
    for i, section in enumerate(sections):
        cost = len(section) + 1
        if budget - cost < 0:
            omitted = len(sections) - i
            break
        budget -= cost
        (shown if i < IDENTITIES_SHOWN else folded).append(section)

    body: list[str] = []
    if shown:
        body += ["#### Privilege diff by identity", "", *shown]
    if folded:
        body += [
            f"<details><summary>{_identities(len(folded))}</summary>",
            "",
            *folded,
            "</details>",
            "",
        ]
    if omitted:
        body += [
            f"_{_identities(omitted)} not shown to keep this comment within "
            "GitHub's size limit: see the SARIF or JSON report._",
            "",
        ]
    messages = _messages(reported, budget)
    text = "\n".join([*head, *body, *suggested, *messages, *tail])
    return text.rstrip("\n") + "\n"


def _suggestions(findings: list[Finding]) -> list[str]:
    """Each growth finding's proven fix as a ``suggestion`` block, or why there is none."""
    lines: list[str] = []
    untried = 0
    for f in sorted_findings(findings):
        if f.fix is None and f.no_fix is None:
            continue
        if f.fix is None and (f.no_fix or "").startswith("not tried"):
            untried += 1
            continue
        where = code(f.location.path) if f.location else "?"
        if f.fix is None:
            lines += [f"**{f.check.id}** {where}: no safe fix — {text(f.no_fix or '')}.", ""]
            continue
        fix = f.fix
        span = (
            f"line {fix.line}"
            if fix.end_line == fix.line
            else f"lines {fix.line} to {fix.end_line}"
        )
        said = f"**{f.check.id}** {code(fix.path)} {span}: {text(fix.description)}"
        if len(fix.text) > SUGGESTION_CHARS or fix.text.count("\n") >= SUGGESTION_LINES:
            # A fix that puts back a long list would crowd out the rest of the report.
            lines += [f"{said} (too long to show here: see the SARIF or JSON report).", ""]
            continue
        longest = max((len(run) for run in re.findall(r"`+", fix.text)), default=0)
        fence = "`" * max(3, longest + 1)
        # Lines deleted outright are an empty block: a blank line in it would be kept.
        body = [printable_block(fix.text)] if fix.text else []
        lines += [f"{said}.", "", f"{fence}suggestion", *body, fence, ""]
    if untried:
        lines += [
            f"_{plural(untried, 'more growth finding')} not tried for a fix (the most"
            " severe are proven first, a few a run)._",
            "",
        ]
    return ["#### Suggested fixes", "", *lines] if lines else []


def printable_block(value: str) -> str:
    """Source lines as they are, but for control characters (a terminal or a renderer
    could act on them)."""
    return "\n".join(printable(line) for line in value.split("\n"))


def _identities(count: int) -> str:
    return f"{count} more {'identity' if count == 1 else 'identities'}"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


# --- escaping ------------------------------------------------------------------------

# Text from the repository never starts a line here, so only the characters that act
# mid-line need escaping: emphasis, code, links, HTML, entities, table pipes, strikes.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def text(value: str) -> str:
    """Repository text as inert markdown: no formatting, HTML, links or @mentions."""
    escaped = _MD_SPECIAL.sub(r"\\\1", printable(value))
    # A zero-width space after "@" keeps GitHub from notifying someone.
    return escaped.replace("@", "@\u200b")


def code(value: str, *, in_table: bool = False) -> str:
    """``value`` as an inline code span (fenced to survive backticks in it)."""
    value = printable(value)
    if in_table:
        # GFM splits cells on "|" even inside code spans, unless it is escaped.
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


# --- verdict and counts ----------------------------------------------------------------


def _breakdown(findings: list[Finding]) -> str:
    counts = severity_counts(findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if counts[s])


def _verdict(result: ScanResult) -> str:
    reported = result.reported()
    against = ""
    if result.diff_mode:
        against = f" against {code(result.base_label or 'the base')}"
    new = [f for f in reported if f.baseline_state in (None, "new")]
    noun = "new finding" if result.diff_mode else "finding"
    found = f"{plural(len(new), noun)} ({_breakdown(new)})" if new else ""
    code_ = result.exit_code()
    if code_ == 2:
        unparsed = unparsed_files(result)
        why = (
            f"{plural(len(unparsed), 'file')} could not be parsed"
            if unparsed
            else "errors during the run"
        )
        extra = f"; {found}" if found else ""
        return f"### ⛔ {TOOL_NAME}: the run cannot be trusted — {why}{extra}{against}"
    if code_ == 1 and result.fail_on is not None:
        failing = len(result.failing())
        return (
            f"### ❌ {TOOL_NAME}: {found or plural(failing, 'finding')}{against}"
            f" — fails at `--fail-on {result.fail_on}`"
        )
    if new:
        floor = f"`--fail-on {result.fail_on}`" if result.fail_on else "`--fail-on none`"
        return f"### ⚠️ {TOOL_NAME}: {found}{against} — below {floor}, not failing"
    drift = "no new identity drift" if result.diff_mode else "no identity drift"
    existing = len(reported) - len(new)
    already = f" ({plural(existing, 'finding')} already at base)" if existing else ""
    return f"### ✅ {TOOL_NAME}: {drift}{against}{already}"


def _severity_table(result: ScanResult) -> str:
    reported = result.reported()
    rows = ["| severity | findings |", "|---|---:|"]
    if result.diff_mode and any(f.baseline_state == "unchanged" for f in reported):
        rows = ["| severity | new | already at base |", "|---|---:|---:|"]
        new = severity_counts(f for f in reported if f.baseline_state == "new")
        old = severity_counts(f for f in reported if f.baseline_state == "unchanged")
        rows += [f"| {SEVERITY_ICON[s]} {s} | {new[s]} | {old[s]} |" for s in SEVERITY_ORDER]
    else:
        counts = severity_counts(reported)
        rows += [f"| {SEVERITY_ICON[s]} {s} | {counts[s]} |" for s in SEVERITY_ORDER]
    return "\n".join(rows)


def _diagnostics(diagnostics: list[Diagnostic]) -> list[str]:
    if not diagnostics:
        return []
    errors = [d for d in sorted_diagnostics(diagnostics) if d.level == "error"]
    warnings = [d for d in sorted_diagnostics(diagnostics) if d.level != "error"]
    out: list[str] = []
    if errors:
        out += [f"**{plural(len(errors), 'error')}** (the run cannot be trusted until fixed):", ""]
        out += [_diagnostic_item(d) for d in errors]
        out.append("")
    if warnings:
        out += [f"<details><summary>{plural(len(warnings), 'warning')}</summary>", ""]
        out += [_diagnostic_item(d) for d in warnings]
        out += ["", "</details>", ""]
    return out


def _diagnostic_item(d: Diagnostic) -> str:
    where = code(f"{d.path}:{d.line}") if d.path else "the run"
    return f"- {where}: {text(d.message)}"


# --- per-identity privilege diff -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    change: str
    what: str
    scope: str
    environment: str
    finding: Finding


def _change(finding: Finding, diff_mode: bool) -> str:
    if finding.baseline_state == "absent":
        return "\N{HEAVY MINUS SIGN} fixed"
    if finding.baseline_state == "unchanged":
        return "= already at base"
    return "\N{HEAVY PLUS SIGN} gained" if diff_mode else "● has"


def _targets(added: tuple[Permission, ...]) -> dict[str, list[str]]:
    """Actions per target, in the order the finding lists them: one row each."""
    by_target: dict[str, list[str]] = {}
    for p in added:
        actions = by_target.setdefault(target_text(p), [])
        if p.action not in actions:
            actions.append(p.action)
    return by_target


def _rows(finding: Finding, diff_mode: bool) -> list[_Row]:
    change = _change(finding, diff_mode)
    env = text(finding.environment) if finding.environment else "—"
    if finding.added:
        # From the data, not ``after``: that prose stops listing after a limit, and
        # resource names may hold the very separators it is written with.
        return [
            _Row(change, code(", ".join(a), in_table=True), code(t, in_table=True), env, finding)
            for t, a in _targets(finding.added).items()
        ]
    what = finding.check.slug + (f": {finding.after}" if finding.after else "")
    return [_Row(change, code(what, in_table=True), "—", env, finding)]


def _where(finding: Finding) -> str:
    loc = finding.location
    if loc is None:
        return "—"
    return code(f"{loc.path}:{loc.line}", in_table=True)


def _row_line(row: _Row) -> str:
    f = row.finding
    severity = f"{SEVERITY_ICON[f.severity]} {f.severity}"
    return (
        f"| {row.change} | {row.what} | {row.scope} | {row.environment} | {severity}"
        f" | {f.check.id} | {_where(f)} |"
    )


def _listed(result: ScanResult) -> list[Finding]:
    """What the privilege diff shows: reported findings, plus absent ones (fixed by the change)."""
    return [*result.reported(), *fixed(result)]


def _identity_sections(result: ScanResult) -> list[str]:
    by_identity: dict[str, list[Finding]] = {}
    for finding in sorted_findings(_listed(result)):
        by_identity.setdefault(finding.identity, []).append(finding)

    def rank(item: tuple[str, list[Finding]]) -> tuple[int, int, str]:
        address, findings = item
        live = [f for f in findings if f.baseline_state != "absent"] or findings
        return (-max(f.severity.rank for f in live), -len(findings), address)

    return [
        _identity_section(address, findings, result.diff_mode)
        for address, findings in sorted(by_identity.items(), key=rank)
    ]


def _identity_section(address: str, findings: list[Finding], diff_mode: bool) -> str:
    findings = sorted(findings, key=lambda f: (f.baseline_state == "absent", -f.severity.rank))
    first = findings[0]
    facts: list[str] = []
    if first.principal and first.principal != address:
        facts.append(f"principal {code(first.principal)}")
    envs = sorted({f.environment for f in findings if f.environment})
    if envs:
        facts.append("environment " + ", ".join(f"**{text(e)}**" for e in envs))
    workloads = list(dict.fromkeys(w for f in findings for w in f.workloads))
    if workloads:
        shown = ", ".join(code(w) for w in workloads[:3])
        more = f" and {len(workloads) - 3} more" if len(workloads) > 3 else ""
        facts.append(f"used by {shown}{more}")
    if any(f.inference for f in findings):
        facts.append("🤖 runs inference")

    rows = [row for f in findings for row in _rows(f, diff_mode)]
    lines = [f"##### {code(address)}", ""]
    if facts:
        lines += [" · ".join(facts), ""]
    lines += [_TABLE_HEAD, *(_row_line(r) for r in rows[:ROWS_SHOWN]), ""]
    if len(rows) > ROWS_SHOWN:
        rest = rows[ROWS_SHOWN:MAX_ROWS]
        unlisted = len(rows) - MAX_ROWS
        lines += [
            f"<details><summary>{plural(len(rows) - ROWS_SHOWN, 'more change')}</summary>",
            "",
            _TABLE_HEAD,
            *(_row_line(r) for r in rest),
            "",
            *(
                [f"_{plural(unlisted, 'more change')} not listed here: see the JSON report._", ""]
                if unlisted > 0
                else []
            ),
            "</details>",
            "",
        ]
    return "\n".join(lines)


# --- messages and footer ---------------------------------------------------------------


def _message_item(finding: Finding) -> str:
    loc = finding.location
    where = code(f"{loc.path}:{loc.line}") if loc else code(finding.identity)
    return f"- **{finding.check.id}** {finding.severity} {where}: {text(finding.message)}"


def _messages(findings: Iterable[Finding], budget: int) -> list[str]:
    items: list[str] = []
    listed = sorted(sorted_findings(findings), key=lambda f: -f.severity.rank)
    for finding in listed:
        item = _message_item(finding)
        if budget - len(item) - 1 < 0:
            items.append(f"- _{plural(len(listed) - len(items), 'more finding')} not shown._")
            break
        budget -= len(item) + 1
        items.append(item)
    if not items:
        return []
    return [
        f"<details><summary>What each finding says ({len(listed)})</summary>",
        "",
        *items,
        "",
        "</details>",
        "",
    ]


def _footer(result: ScanResult) -> list[str]:
    parts = [f"{TOOL_NAME} {text(result.tool_version)}", plural(result.files_scanned, "file")]
    if result.diff_mode:
        parts.append(f"{code(result.base_label or 'base')} → {code(result.head_label)}")
    else:
        parts.append(code(result.head_label))
    if silenced := len(suppressed(result)):
        parts.append(f"{silenced} suppressed")
    if known := len(in_baseline(result)):
        parts.append(f"{known} in the baseline")
    return [f"<sub>{' · '.join(parts)}</sub>"]
