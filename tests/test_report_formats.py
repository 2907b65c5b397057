"""markdown, github annotations, the text layout and quiet mode, and SARIF for GitHub.

Hand-built scan results (the fixtures of test_reports.py), so that each property is
asserted on a known input; tests/test_golden_reports.py covers real scans.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from test_reports import (
    DG101,
    GROWTH,
    KEY,
    NO_OWNER,
    PARSE_ERROR,
    ROLE,
    diff_result,
    finding,
    sarif_schema,
    state_result,
)

from driftgate.analyzer.checkapi import Severity
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding, ScanResult
from driftgate.analyzer.model import Location, Permission
from driftgate.analyzer.report import github, markdown, sarif, text

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "testdata" / "demo"
GAINED = "\N{HEAVY PLUS SIGN} gained"
FIXED = "\N{HEAVY MINUS SIGN} fixed"

# A delta finding that adds permissions on two targets, as checks/delta.py states it.
ESCALATION = finding(
    replace(DG101, id="DG104", slug="escalation-path", title="Escalation"),
    Severity.CRITICAL,
    "ml-serve gains iam:PassRole on * and s3:PutObject on the models bucket",
    Location(path="modules/ml/iam.tf", line=22),
    "fp-escalation",
    before="s3:GetObject on arn:aws:s3:::models-prod/*",
    after="iam:PassRole on *; s3:PutObject, s3:DeleteObject on arn:aws:s3:::models-prod/*",
    added=(
        Permission("iam:PassRole", "*"),
        Permission("s3:PutObject", "arn:aws:s3:::models-prod/*"),
        Permission("s3:DeleteObject", "arn:aws:s3:::models-prod/*"),
    ),
    baseline_state="new",
    inference=True,
)


def diff_with(*findings: Finding, **kwargs: Any) -> ScanResult:
    return replace(diff_result(), findings=list(findings), **kwargs)


# --- markdown ----------------------------------------------------------------------------


def test_markdown_starts_with_a_one_line_verdict() -> None:
    lines = markdown.render(diff_result()).splitlines()
    assert lines[0] == (
        "### ❌ driftgate: 1 new finding (1 high) against `main@1a2b3c4`"
        " — fails at `--fail-on high`"
    )
    assert lines[1] == ""


@pytest.mark.parametrize(
    ("result", "verdict"),
    [
        (
            replace(diff_result(), findings=[], fail_on=None),
            "### ✅ driftgate: no new identity drift against `main@1a2b3c4`",
        ),
        (
            replace(diff_result(), fail_on=Severity.CRITICAL),
            "### ⚠️ driftgate: 1 new finding (1 high) against `main@1a2b3c4`"
            " — below `--fail-on critical`, not failing",
        ),
        (
            state_result(),
            "### ⛔ driftgate: the run cannot be trusted — 1 file could not be parsed",
        ),
        (
            state_result(diagnostics=[], findings=[], files_scanned=3),
            "### ✅ driftgate: no identity drift",
        ),
    ],
)
def test_markdown_verdicts(result: ScanResult, verdict: str) -> None:
    assert markdown.render(result).splitlines()[0].startswith(verdict)


def test_markdown_counts_by_severity_in_a_table() -> None:
    report = markdown.render(diff_with(ESCALATION, replace(GROWTH, baseline_state="new")))
    assert (
        "| severity | findings |\n|---|---:|\n| 🔴 critical | 1 |\n| 🟠 high | 1 |\n"
        "| 🟡 medium | 0 |\n| 🔵 low | 0 |"
    ) in report


def test_markdown_privilege_diff_per_identity() -> None:
    report = markdown.render(_with_all())
    head = "| change | what | scope | environment | severity | check | where |"
    assert f"##### `{ROLE}`" in report
    assert head in report
    # One row per target of a delta finding: permission, scope, environment, file:line.
    assert (
        f"| {GAINED} | `iam:PassRole` | `*` | prod | 🔴 critical | DG104 | `modules/ml/iam.tf:22` |"
    ) in report
    assert (
        f"| {GAINED} | `s3:PutObject, s3:DeleteObject` | `arn:aws:s3:::models-prod/*` | prod"
        " | 🔴 critical | DG104 | `modules/ml/iam.tf:22` |"
    ) in report
    # A finding that existed at base and is gone at head: what the change fixes.
    assert f"| {FIXED} | `static-credential` | — | prod | 🔴 critical | DG301 |" in report
    # Already at base (--all): listed as such.
    assert "| = already at base | `missing-owner` | — | prod | 🟡 medium | DG401 | — |" in report
    # Who the identity is: principal, environment, workloads, inference.
    assert "principal `arn:aws:iam::123456789012:role/ml-serve`" in report
    assert "environment **prod**" in report
    assert "used by `k8s/ml/Deployment/llm-serve`" in report
    assert "🤖 runs inference" in report
    # Suppressed findings are counted in the footer, not listed.
    assert "sqs:SendMessage" not in report.split("<details>")[0]
    assert report.rstrip().endswith("1 suppressed</sub>")


def _with_all() -> ScanResult:
    return replace(
        diff_result(),
        findings=[*diff_result().findings, ESCALATION],
    )


def test_markdown_identities_ordered_by_their_worst_finding() -> None:
    other = replace(GROWTH, identity="k8s:ml/ServiceAccount/a", baseline_state="new")
    worst = replace(ESCALATION, identity="k8s:ml/ServiceAccount/z")
    report = markdown.render(diff_with(other, worst))
    assert report.index("##### `k8s:ml/ServiceAccount/z`") < report.index(
        "##### `k8s:ml/ServiceAccount/a`"
    )


def test_markdown_folds_long_lists_into_details() -> None:
    many = [
        replace(
            GROWTH,
            message=f"gains s3:GetObject on bucket-{i}",
            after=f"s3:GetObject on arn:aws:s3:::bucket-{i}",
            fingerprint=f"fp-{i}",
            baseline_state="new",
        )
        for i in range(12)
    ]
    report = markdown.render(diff_with(*many))
    section = report[report.index(f"##### `{ROLE}`") :]
    shown, folded = section.split("<details><summary>4 more changes</summary>", 1)
    assert shown.count(f"| {GAINED} |") == markdown.ROWS_SHOWN
    assert folded.split("</details>")[0].count(f"| {GAINED} |") == 4
    # The messages are folded too.
    assert "<details><summary>What each finding says (12)</summary>" in report

    identities = [
        replace(GROWTH, identity=f"k8s:ml/ServiceAccount/sa{i:02d}", fingerprint=f"id-{i}")
        for i in range(14)
    ]
    report = markdown.render(diff_with(*(replace(f, baseline_state="new") for f in identities)))
    assert report.count("##### ") == 14
    assert "<details><summary>4 more identities</summary>" in report


def test_markdown_stays_within_githubs_comment_size() -> None:
    huge = [
        replace(
            GROWTH,
            identity=f"k8s:ml/ServiceAccount/{'x' * 40}{i:04d}",
            message="gains " + "s3:GetObject " * 40,
            fingerprint=f"fp-{i}",
            baseline_state="new",
        )
        for i in range(600)
    ]
    report = markdown.render(diff_with(*huge))
    assert len(report) <= markdown.MAX_CHARS
    assert "not shown to keep this comment within GitHub's size limit" in report
    assert report.splitlines()[0].startswith("### ❌ driftgate: 600 new findings")


def test_markdown_escapes_what_comes_from_the_repository() -> None:
    hostile = replace(
        GROWTH,
        message="grant <img src=x onerror=alert(1)> to @acme/admins | *all* [x](http://e.vil)",
        environment="prod|<b>",
        after="s3:Get`Object on arn:aws:s3:::a|b",
        added=(Permission("s3:Get`Object", "arn:aws:s3:::a|b"),),
        baseline_state="new",
    )
    report = markdown.render(diff_with(hostile))
    assert re.search(r"(?<!\\)<(img|b)", report) is None
    assert "\\<img src=x onerror=alert(1)\\>" in report
    assert "@\u200bacme/admins" in report and " @acme" not in report
    assert "\\*all\\*" in report and "\\[x\\](http://e.vil)" in report
    # Inside a table, a pipe is escaped even in a code span; a backtick widens the fence.
    assert "``s3:Get`Object``" in report
    assert "`arn:aws:s3:::a\\|b`" in report
    assert "| prod\\|\\<b\\> |" in report


def test_markdown_lists_diagnostics() -> None:
    warning = Diagnostic(path="k8s/a.yaml", line=2, message="at base: bad", level="warning")
    report = markdown.render(state_result(diagnostics=[PARSE_ERROR, warning]))
    assert "**1 error** (the run cannot be trusted until fixed):" in report
    assert "- `modules/broken/main.tf:7`: unexpected token '}'" in report
    assert "<details><summary>1 warning</summary>" in report


# --- github annotations ------------------------------------------------------------------


def test_github_annotations_most_severe_first() -> None:
    lines = github.render(state_result()).splitlines()
    assert lines == [
        "::error file=modules/broken/main.tf,line=7,title=driftgate parse-error::"
        "unexpected token '}'",
        "::error file=modules/ml/keys.tf,line=3,endLine=9,title=DG301 [critical]"
        f" static-credential::{KEY.message}",
        "::error file=modules/ml/iam.tf,line=14,endLine=20,title=DG101 [high]"
        f" privilege-growth::{GROWTH.message}",
        f"::warning title=DG401 [medium] missing-owner::{ROLE}: {NO_OWNER.message}",
    ]


def test_github_levels_follow_severity() -> None:
    low = replace(GROWTH, severity=Severity.LOW, fingerprint="low")
    medium = replace(GROWTH, severity=Severity.MEDIUM, fingerprint="medium")
    lines = github.render(state_result(findings=[low, medium], diagnostics=[])).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::warning", "::notice"]


def test_github_escaping_follows_the_runner() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    odd = replace(
        GROWTH,
        location=Location(path="envs/a,b:c.tf", line=4),
        message="50% more\n::error::injected",
    )
    (line,) = github.render(state_result(findings=[odd], diagnostics=[])).splitlines()
    assert line.startswith("::error file=envs/a%2Cb%3Ac.tf,line=4,title=DG101 [high]")
    # A newline in a message cannot start a second command.
    assert line.endswith("::50%25 more ::error::injected")


def test_github_leaves_out_suppressed_and_absent_findings() -> None:
    out = github.render(diff_result())
    assert "fp" not in out
    assert "sqs:SendMessage" not in out  # suppressed
    assert KEY.message not in out  # absent
    assert GROWTH.message in out


def test_github_empty_when_nothing_to_say() -> None:
    assert github.render(state_result(findings=[], diagnostics=[])) == ""


# --- text: grouping, quiet, time, progress -------------------------------------------------


def test_text_puts_a_files_diagnostics_and_findings_together() -> None:
    warning = Diagnostic(
        path="modules/ml/iam.tf", line=16, message="value unknown", kind="unresolved"
    )
    warning = replace(warning, level="warning")
    lines = text.render(state_result(diagnostics=[PARSE_ERROR, warning])).splitlines()
    assert lines[:5] == [
        "modules/broken/main.tf:7: error: unexpected token '}'",
        "",
        f"modules/ml/iam.tf:14: DG101 [high] {GROWTH.message}",
        "modules/ml/iam.tf:16: warning: value unknown",
        "",
    ]


def test_text_summary_says_how_long_the_run_took() -> None:
    out = text.render(state_result(diagnostics=[]), elapsed=0.4213)
    assert out.splitlines()[-1] == (
        "3 findings (1 critical, 1 high, 1 medium) in 12 files in 0.42s; 1 suppressed;"
        " failing at --fail-on high."
    )
    assert [text.took(s) for s in (0.031, 12.34, 125)] == ["0.03s", "12.3s", "2m05s"]


def test_text_quiet_keeps_only_what_fails_the_run() -> None:
    warning = replace(Diagnostic(path="a.tf", line=1, message="unknown"), level="warning")
    result = state_result(diagnostics=[PARSE_ERROR, warning], fail_on=Severity.CRITICAL)
    assert text.render(result, quiet=True).splitlines() == [
        "modules/broken/main.tf:7: error: unexpected token '}'",
        "",
        f"modules/ml/keys.tf:3: DG301 [critical] {KEY.message}",
        "3 findings (1 critical, 1 high, 1 medium) in 12 files; 1 suppressed;"
        " 1 file could not be parsed; 1 warning; failing at --fail-on critical.",
    ]
    clean = state_result(diagnostics=[], fail_on=None)
    assert text.render(clean, quiet=True).splitlines() == [
        "3 findings (1 critical, 1 high, 1 medium) in 12 files; 1 suppressed."
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_after_a_delay_and_clears_itself() -> None:
    tty = _Terminal()
    with text.Progress(tty, delay=0.0, interval=0.01) as progress:
        progress.step("reading files")
        time.sleep(0.15)
    out = tty.getvalue()
    assert "driftgate: reading files… " in out
    assert out.endswith("\r\x1b[K")

    quick = _Terminal()
    with text.Progress(quick, delay=5.0, interval=0.01):
        time.sleep(0.05)
    assert quick.getvalue() == ""  # a quick run prints nothing extra

    piped = io.StringIO()
    with text.Progress(piped, delay=0.0, interval=0.01):
        time.sleep(0.05)
    assert piped.getvalue() == ""  # never into a pipe or a file


# --- SARIF for GitHub code scanning ---------------------------------------------------------


def load(result: ScanResult, **kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sarif.render(result, **kwargs))
    return data


def test_sarif_rules_carry_precision_and_security_severity() -> None:
    driver = load(state_result())["runs"][0]["tool"]["driver"]
    assert driver["semanticVersion"] == "0.1.0"
    for rule in driver["rules"]:
        props = rule["properties"]
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        if "security" in props["tags"]:
            assert 0.0 < float(props["security-severity"]) <= 10.0
        assert len(props["tags"]) <= sarif.GITHUB_LIMITS.max_tags
        assert rule["help"]["markdown"]


def test_sarif_names_the_automation_category() -> None:
    (run,) = load(state_result())["runs"]
    assert run["automationDetails"] == {"id": "driftgate/"}


def test_sarif_related_locations_are_numbered() -> None:
    related = (Location(path="k8s/a.yaml", line=1), Location(path="k8s/b.yaml", line=2))
    res = load(state_result(findings=[replace(KEY, related=related)]))["runs"][0]["results"][0]
    assert [r["id"] for r in res["relatedLocations"]] == [1, 2]


def test_sarif_within_githubs_result_limit_keeps_the_most_severe() -> None:
    findings = [
        replace(GROWTH, severity=severity, fingerprint=f"{severity}-{i}")
        for severity, count in ((Severity.LOW, 30), (Severity.CRITICAL, 4), (Severity.HIGH, 8))
        for i in range(count)
    ]
    findings.append(replace(KEY, fingerprint="suppressed", suppressed="reviewed"))
    limits = sarif.Limits(max_results=10)
    log = load(state_result(findings=findings, diagnostics=[]), limits=limits)
    assert Draft4Validator(sarif_schema()).is_valid(log)
    (run,) = log["runs"]
    kept = [r["properties"]["severity"] for r in run["results"]]
    assert sorted(kept) == sorted(["critical"] * 4 + ["high"] * 6)
    assert run["properties"]["truncated"] is True
    assert run["properties"]["resultsTotal"] == 43
    assert run["properties"]["resultsKept"] == 10
    assert run["properties"]["resultsLeftOut"] == {"critical": 1, "high": 2, "low": 30}
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["descriptor"]["id"] == "results-truncated"
    assert note["message"]["text"].startswith(
        "GitHub code scanning takes at most 10 results per run: kept the 10 most severe of 43"
    )


def test_sarif_default_limits_are_githubs() -> None:
    limits = sarif.GITHUB_LIMITS
    assert limits.max_results == 5_000  # GitHub shows 5,000 and rejects over 25,000
    assert limits.max_rules <= 25_000
    assert limits.max_related_locations <= 1_000
    assert limits.max_tags <= 20
    assert limits.max_gzip_bytes == 10 * 1024 * 1024

    findings = [
        replace(GROWTH, severity=Severity.LOW if i % 2 else Severity.HIGH, fingerprint=str(i))
        for i in range(5_003)
    ]
    log = load(state_result(findings=findings, diagnostics=[]))
    (run,) = log["runs"]
    assert len(run["results"]) == 5_000
    assert len(run["tool"]["driver"]["rules"]) <= limits.max_rules
    assert run["properties"]["resultsLeftOut"] == {"low": 3}
    assert all(len(r.get("relatedLocations", [])) <= 1_000 for r in run["results"])


def _noise(seed: int) -> str:
    """Text that gzip cannot shrink much: CJK characters in a scattered order."""
    return "".join(chr(0x4E00 + (seed * 7919 + j * 104729) % 20000) for j in range(300))


def test_sarif_within_the_compressed_size_limit() -> None:
    findings = [
        replace(
            GROWTH,
            severity=Severity.HIGH if i < 5 else Severity.LOW,
            message=f"finding {i} " + _noise(i),
            fingerprint=f"fp{i:04d}",
        )
        for i in range(200)
    ]
    limits = sarif.Limits(max_gzip_bytes=40_000)
    rendered = sarif.render(state_result(findings=findings, diagnostics=[]), limits=limits)
    assert len(gzip.compress(rendered.encode())) <= 40_000
    (run,) = json.loads(rendered)["runs"]
    assert 5 <= len(run["results"]) < 200
    assert {"high"} <= {r["properties"]["severity"] for r in run["results"]}
    assert "gzip-compressed SARIF" in run["properties"]["truncationReason"]


def test_sarif_caps_related_locations_per_result() -> None:
    related = tuple(Location(path=f"k8s/{i}.yaml", line=1) for i in range(150))
    res = load(state_result(findings=[replace(KEY, related=related)], diagnostics=[]))
    (result,) = res["runs"][0]["results"]
    assert len(result["relatedLocations"]) == 100
    assert result["properties"]["relatedLocationsLeftOut"] == 50


def test_sarif_primary_location_moves_onto_a_changed_line() -> None:
    reuse = replace(
        KEY,
        location=Location(path="k8s/staging/llm.yaml", line=12, end_line=20),
        related=(Location(path="k8s/prod/llm.yaml", line=13), Location(path="k8s/x.yaml", line=1)),
    )
    log = load(state_result(findings=[reuse], diagnostics=[]))
    moved = sarif.prefer_changed_lines(json.loads(json.dumps(log)), {"k8s/prod/llm.yaml": {13}})
    (res,) = moved["runs"][0]["results"]
    primary = res["locations"][0]
    assert primary["physicalLocation"]["artifactLocation"]["uri"] == "k8s/prod/llm.yaml"
    assert primary["logicalLocations"][0]["fullyQualifiedName"] == ROLE
    assert [
        (r["id"], r["physicalLocation"]["artifactLocation"]["uri"]) for r in res["relatedLocations"]
    ] == [(1, "k8s/staging/llm.yaml"), (2, "k8s/x.yaml")]
    assert Draft4Validator(sarif_schema()).is_valid(moved)

    # Already on a changed line (any line of its region): left alone.
    stays = sarif.prefer_changed_lines(
        json.loads(json.dumps(log)), {"k8s/staging/llm.yaml": {19}, "k8s/prod/llm.yaml": {13}}
    )
    uri = stays["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "k8s/staging/llm.yaml"


# --- the CLI -----------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftgate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_writes_markdown_and_github_formats(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    base, head = str(DEMO / "base"), str(DEMO / "head")
    proc = cli("scan", "--base", base, head, "-f", "markdown", "-o", str(report), "-f", "github")
    assert proc.returncode == 1, proc.stderr
    assert report.read_text().startswith("### ❌ driftgate: 4 new findings")
    assert proc.stdout.startswith("::error file=")
    assert proc.stderr == ""  # no progress indicator into a pipe
    # -o with a .md name and no -f of its own: markdown, from the extension.
    inferred = tmp_path / "inferred.md"
    assert cli("scan", "--base", base, head, "-o", str(inferred)).returncode == 1
    assert inferred.read_text() == report.read_text()


def test_cli_quiet(tmp_path: Path) -> None:
    proc = cli(
        "scan", "--base", str(DEMO / "base"), str(DEMO / "head"), "--quiet", "--fail-on", "critical"
    )
    assert proc.returncode == 1
    lines = [line for line in proc.stdout.splitlines() if line]
    assert [line.split()[1] for line in lines[:-1]] == ["DG201", "DG104"]
    assert re.fullmatch(r"4 new findings \(2 critical, 2 high\) .* in \d+\.\d\ds; .*", lines[-1])


def test_report_modules_do_not_import_each_other() -> None:
    for module in ("markdown", "github"):
        source = (ROOT / "analyzer" / "report" / f"{module}.py").read_text()
        imports = re.findall(r"^from analyzer\.report\.(\w+) import", source, re.M)
        imports += re.findall(r"^from analyzer\.report import (.+)$", source, re.M)
        assert set(imports) <= {"common"}, (module, imports)
