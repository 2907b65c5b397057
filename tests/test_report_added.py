"""What a delta finding adds travels as data (``Finding.added``), and reports lay it out.

The message is prose for people, cut short past twenty targets; the markdown table
and the JSON report read the permissions themselves, so neither the limit nor a
resource name that contains the message's separators changes what they list.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_reports import DG101, ROLE, diff_result, finding

from driftgate.analyzer.checkapi import Severity
from driftgate.analyzer.cli import main
from driftgate.analyzer.engine.findings import Finding
from driftgate.analyzer.model import Location, Permission
from driftgate.analyzer.report import json_report, markdown
from driftgate.checks.delta import MAX_TARGETS, describe

GAINED = "\N{HEAVY PLUS SIGN} gained"

ROLE_TF = """\
resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}
"""


def _policy(buckets: list[str]) -> str:
    resources = ", ".join(f'"arn:aws:s3:::{b}/*"' for b in buckets)
    return (
        'resource "aws_iam_role_policy" "reader" {\n'
        "  role = aws_iam_role.reader.id\n"
        "  policy = jsonencode({\n"
        '    Version   = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "s3:GetObject",\n'
        f"      Resource = [{resources}] }}]\n"
        "  })\n"
        "}\n"
    )


def _tree(root: Path, buckets: list[str]) -> Path:
    root.mkdir(parents=True)
    (root / "main.tf").write_text(ROLE_TF + "\n" + _policy(buckets), encoding="utf-8")
    return root


def _rows(report: str) -> list[tuple[str, str]]:
    """(what, scope) of every gained row, shown or folded."""
    pattern = rf"^\| {GAINED} \| `([^`]*)` \| `([^`]*)` \|"
    return re.findall(pattern, report, flags=re.M)


def test_a_statement_grown_by_25_buckets_lists_every_one_in_the_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grown = [f"data-{i:02d}" for i in range(1, 26)]
    base = _tree(tmp_path / "base", ["data-00"])
    head = _tree(tmp_path / "head", ["data-00", *grown])
    md, js, txt = tmp_path / "r.md", tmp_path / "r.json", tmp_path / "r.txt"
    args = ["scan", "--no-cache", "--base", str(base), str(head)]
    args += ["-f", "markdown", "-o", str(md), "-f", "json", "-o", str(js)]
    args += ["-f", "text", "-o", str(txt)]
    main(args)
    capsys.readouterr()
    report = md.read_text(encoding="utf-8")

    # Past twenty targets the table used to collapse to one row; now every bucket is a row.
    expected = [("s3:GetObject", f"arn:aws:s3:::{b}/*") for b in grown]
    assert _rows(report) == expected
    shown, folded = report.split("<details><summary>17 more changes</summary>", 1)
    assert len(_rows(shown)) == markdown.ROWS_SHOWN
    assert len(_rows(folded.split("</details>")[0])) == 25 - markdown.ROWS_SHOWN

    # The message for people is unchanged: the first twenty, then a count.
    [line] = [x for x in txt.read_text(encoding="utf-8").splitlines() if " DG101 " in x]
    assert "s3:GetObject on arn:aws:s3:::data-20/*; and 5 more resources." in line
    assert "data-21" not in line

    [found] = json.loads(js.read_text(encoding="utf-8"))["findings"]
    assert found["check"] == "DG101"
    assert found["added"] == [{"action": a, "resource": r, "scope": ""} for a, r in expected]


# Resource names that hold the separators ``describe`` writes with.
TRICKY = (
    Permission("s3:GetObject", "arn:aws:s3:::a, b"),
    Permission("s3:PutObject", "arn:aws:s3:::a, b"),
    Permission("s3:GetObject", "arn:aws:s3:::x on y"),
    Permission("s3:ListBucket", "arn:aws:s3:::c; d"),
    Permission("get", "apps/deployments/p; q on r", scope="ml, prod"),
    Permission("list", "/pods", scope="*"),
)


def _tricky() -> Finding:
    return finding(
        DG101,
        Severity.HIGH,
        f"role gains {describe(TRICKY)} via policy: it can now read more.",
        Location(path="iam.tf", line=3),
        "fp-tricky",
        after=describe(TRICKY),
        added=TRICKY,
        baseline_state="new",
    )


def test_markdown_rows_come_from_the_data_not_from_the_message() -> None:
    report = markdown.render(replace(diff_result(), findings=[_tricky()]))
    section = report[report.index(f"##### `{ROLE}`") :]
    assert _rows(section) == [
        ("s3:GetObject, s3:PutObject", "arn:aws:s3:::a, b"),
        ("s3:GetObject", "arn:aws:s3:::x on y"),
        ("s3:ListBucket", "arn:aws:s3:::c; d"),
        ("get", "apps/deployments/p; q on r in namespace ml, prod"),
        ("list", "/pods cluster-wide"),
    ]


def test_a_finding_without_data_keeps_its_check_and_after() -> None:
    # Prose shaped like a delta (``A on T``) is not parsed into rows any more.
    plain = replace(_tricky(), added=(), after="s3:GetObject on arn:aws:s3:::z")
    report = markdown.render(replace(diff_result(), findings=[plain]))
    assert _rows(report) == []
    assert f"| {GAINED} | `privilege-growth: s3:GetObject on arn:aws:s3:::z` | — |" in report


def test_an_identity_with_thousands_of_targets_is_listed_up_to_a_limit() -> None:
    many = tuple(Permission("s3:GetObject", f"arn:aws:s3:::b-{i:05d}") for i in range(5_000))
    huge = replace(_tricky(), message=f"gains {describe(many)}", after=describe(many), added=many)
    report = markdown.render(replace(diff_result(), findings=[huge]))
    # Shown, not left out of the comment whole: the first rows, then a count.
    assert f"##### `{ROLE}`" in report
    assert len(_rows(report)) == markdown.MAX_ROWS
    assert f"<summary>{5_000 - markdown.ROWS_SHOWN} more changes</summary>" in report
    assert f"_{5_000 - markdown.MAX_ROWS} more changes not listed here" in report
    assert len(report) <= markdown.MAX_CHARS
    # The message still stops at its own limit.
    assert huge.message.count(" on ") == MAX_TARGETS
    assert "and 4980 more resources" in huge.message


def test_json_lists_what_a_finding_adds() -> None:
    doc = json.loads(json_report.render(replace(diff_result(), findings=[_tricky()])))
    [found] = doc["findings"]
    assert found["added"][0] == {
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::a, b",
        "scope": "",
    }
    assert found["added"][-1] == {"action": "list", "resource": "/pods", "scope": "*"}
    assert len(found["added"]) == len(TRICKY)
    # Keys a consumer already reads come first, in their old order.
    assert list(found)[-2:] == ["inference", "added"]
