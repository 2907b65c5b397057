"""The committed check catalog matches what the CLI generates from the checks' metadata."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from driftgate.analyzer.catalog import CATALOG_COMMAND, PAGES_COMMAND, check_page
from driftgate.analyzer.checkapi import LEVEL_SEVERITY
from driftgate.analyzer.cli import cli
from driftgate.checks import ALL_CHECKS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_checks_md_is_current() -> None:
    result = CliRunner().invoke(cli, ["checks", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    committed = (DOCS / "checks.md").read_text(encoding="utf-8")
    assert committed == result.output, f"docs/checks.md is stale: run `{CATALOG_COMMAND}`"


def test_docs_check_pages_are_current() -> None:
    pages = DOCS / "checks"
    expected = {f"{c.meta.id}.md": check_page(c.meta) for c in ALL_CHECKS}
    committed = {p.name: p.read_text(encoding="utf-8") for p in pages.glob("DG*.md")}
    stale = sorted(
        n for n in expected.keys() | committed.keys() if expected.get(n) != committed.get(n)
    )
    assert not stale, f"docs/checks/{', '.join(stale)} stale: run `{PAGES_COMMAND}`"


def test_explain_writes_the_pages(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--all", "--write", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "DG901.md").read_text(encoding="utf-8")
    assert page.startswith("# DG901 suppression-expired") and "## What it finds" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{c.meta.id}.md" for c in ALL_CHECKS
    )


def test_readme_and_explain_state_the_severity_the_code_applies() -> None:
    """DG101 findings are low, medium or high by what they add: the README and explain
    say so rather than one fixed level (issue 20)."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for check in ALL_CHECKS:
        m = check.meta
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| {m.id} |")]
        assert row.split("|")[3].strip() == ("by access" if m.by_level else str(m.severity))
    result = CliRunner().invoke(cli, ["explain", "DG101"])
    for level, severity in LEVEL_SEVERITY.items():
        assert f"{level} {severity}" in result.output
    assert "one level higher when an inference workload uses the identity" in result.output
