"""An explicit Deny removed is a guardrail removed (issue 20), even when nothing in the
tree allows what it denied: terraform-aws-eks removed an inline ``Deny
logs:CreateLogGroup`` and driftgate said nothing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

ROLE = """\
resource "aws_iam_role" "cluster" {
  name               = "cluster"
  assume_role_policy = "{}"
}
"""
DENY = """\
resource "aws_iam_role_policy" "%s" {
  role   = aws_iam_role.cluster.id
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Action = "logs:CreateLogGroup", Resource = "*" }]
  })
}
"""


def scan(capsys: Capture, tmp_path: Path, base: str, head: str) -> list[dict[str, Any]]:
    for side, text in (("base", base), ("head", head)):
        target = tmp_path / side / "main.tf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    main(["scan", "--no-cache", "-f", "json", "--base", str(tmp_path / "base"),
          str(tmp_path / "head")])  # fmt: skip
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_a_removed_deny_is_dg103_at_the_role(tmp_path: Path, capsys: Capture) -> None:
    (finding,) = scan(capsys, tmp_path, ROLE + DENY % "deny_logs", ROLE)
    assert finding["check"] == "DG103"
    assert "logs:CreateLogGroup" in finding["message"] and "Deny" in finding["message"]
    assert (finding["location"]["path"], finding["location"]["line"]) == ("main.tf", 1)


def test_a_deny_moved_to_another_policy_is_no_change(tmp_path: Path, capsys: Capture) -> None:
    assert scan(capsys, tmp_path, ROLE + DENY % "deny_logs", ROLE + DENY % "guardrails") == []


MFA_GUARD = """\
resource "aws_iam_role_policy" "guard" {
  role   = aws_iam_role.cluster.id
  policy = jsonencode({
    Statement = [{
      Sid       = "DenyWithoutMfa"
      Effect    = "Deny"
      NotAction = [
        "iam:ListMFADevices",
%s      ]
      Resource  = "*"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}
"""


def test_an_action_joining_a_conditional_denys_notaction_is_dg103_at_that_line(
    tmp_path: Path, capsys: Capture
) -> None:
    """Without MFA everything but listing devices was denied; now S3 is allowed too."""
    head = ROLE + MFA_GUARD % '        "s3:*",\n'
    (finding,) = scan(capsys, tmp_path, ROLE + MFA_GUARD % "", head)
    assert finding["check"] == "DG103"
    assert "no longer covers s3:* on *" in finding["message"]
    assert "aws:MultiFactorAuthPresent" in finding["message"]
    lines = textwrap.dedent(head).splitlines()
    assert '"s3:*"' in lines[finding["location"]["line"] - 1]


def test_a_conditional_deny_removed_is_dg103(tmp_path: Path, capsys: Capture) -> None:
    (finding,) = scan(capsys, tmp_path, ROLE + MFA_GUARD % "", ROLE)
    assert finding["check"] == "DG103"
    assert "was removed" in finding["message"]


def test_an_action_leaving_a_conditional_denys_notaction_is_no_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    base = ROLE + MFA_GUARD % '        "s3:*",\n'
    assert scan(capsys, tmp_path, base, ROLE + MFA_GUARD % "") == []
