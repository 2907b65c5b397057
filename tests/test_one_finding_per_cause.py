"""One finding per cause (issue 20): a module change that several roots instantiate is
one finding at the line the change wrote, naming the other identities it reaches."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.checkapi import Confidence, Severity
from driftgate.analyzer.cli import main
from driftgate.analyzer.engine.findings import Finding
from driftgate.analyzer.engine.run import _one_per_cause
from driftgate.analyzer.model import Location
from driftgate.checks import BY_ID

Capture = pytest.CaptureFixture[str]

MODULE = """\
variable "name" {}
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = %s, Resource = "*" }]
  })
}
"""
ROOT = 'module "role" {\n  source = "../../modules/role"\n  name   = "node-%s"\n}\n'


def tree(root: Path, actions: str, envs: tuple[str, ...]) -> Path:
    files = {"modules/role/main.tf": MODULE % actions}
    files.update({f"envs/{env}/main.tf": ROOT % env for env in envs})
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


def scan(capsys: Capture, base: Path, head: Path) -> dict[str, Any]:
    main(["scan", "--no-cache", "-f", "json", "--base", str(base), str(head)])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_a_module_change_reaching_three_roles_is_one_finding(
    tmp_path: Path, capsys: Capture
) -> None:
    envs = ("dev", "prod", "staging")
    base = tree(tmp_path / "base", '["ec2:DescribeInstances"]', envs)
    head = tree(tmp_path / "head", '["ec2:DescribeInstances", "eks:ListAccessEntries"]', envs)
    report = scan(capsys, base, head)
    (finding,) = [f for f in report["findings"] if f["check"] == "DG101"]
    assert finding["location"]["path"] == "modules/role/main.tf"
    assert finding["identity"] == "envs/dev:module.role.aws_iam_role.this"
    assert "eks:ListAccessEntries" in finding["message"]
    assert "reaches 2 more identities in dev, prod, staging" in finding["message"]
    assert "envs/prod:module.role.aws_iam_role.this" in finding["message"]


def test_different_changes_stay_different_findings(tmp_path: Path, capsys: Capture) -> None:
    """Two roots whose roles gain different things are two causes."""
    base = tree(tmp_path / "base", '["ec2:DescribeInstances"]', ("dev",))
    head = tree(tmp_path / "head", '["ec2:DescribeInstances", "s3:GetObject"]', ("dev",))
    # A second, unrelated growth in another root, written at its own line.
    extra = head / "envs" / "prod" / "main.tf"
    extra.parent.mkdir(parents=True)
    extra.write_text(
        'resource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = "{}"\n}\n'
    )
    (base / "envs" / "prod").mkdir(parents=True)
    (base / "envs" / "prod" / "main.tf").write_text(extra.read_text())
    with extra.open("a") as f:
        f.write(
            'resource "aws_iam_role_policy" "x" {\n  role = aws_iam_role.x.id\n'
            '  policy = jsonencode({ Statement = [{ Effect = "Allow", '
            'Action = "s3:GetObject", Resource = "*" }] })\n}\n'
        )
    report = scan(capsys, base, head)
    growth = [f for f in report["findings"] if f["check"] == "DG101"]
    assert len(growth) == 2
    assert not any("reaches" in f["message"] for f in growth)


def test_a_folded_finding_takes_the_worst_severity_and_the_least_confidence() -> None:
    def finding(identity: str, severity: Severity, confidence: Confidence) -> Finding:
        return Finding(
            check=BY_ID["DG101"].meta,
            severity=severity,
            message="m.",
            identity=identity,
            principal=None,
            environment=None,
            workloads=(),
            location=Location(path="modules/role/main.tf", line=9),
            related=(),
            fingerprint=identity,
            confidence=confidence,
        )

    parts = [finding("a", Severity.MEDIUM, "high"), finding("b", Severity.HIGH, "low")]
    (folded,) = _one_per_cause(parts, {p.fingerprint: "s3:*" for p in parts})
    assert (folded.identity, folded.severity, folded.confidence) == ("a", Severity.HIGH, "low")
