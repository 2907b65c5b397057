"""Equal values spelled differently are equal (issue 20): refactors are not growth.

terraform-aws-iam replaced literal partitions and service principals with the
``aws_partition`` and ``aws_service_principal`` data sources; each refactor gave findings.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

LITERAL = """\
resource "aws_iam_role" "csi" {
  name               = "fsx-csi"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "csi" {
  role = aws_iam_role.csi.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:CreateServiceLinkedRole"
      Resource  = "arn:aws:iam::*:role/aws-service-role/fsx.amazonaws.com/*"
      Condition = { StringLike = { "iam:AWSServiceName" = ["fsx.amazonaws.com"] } }
    }]
  })
}
"""
DATA_SOURCES = """\
data "aws_partition" "current" {}
data "aws_service_principal" "fsx" {
  service_name = "fsx"
}
locals {
  partition = data.aws_partition.current.partition
  fsx       = data.aws_service_principal.fsx.name
}
resource "aws_iam_role" "csi" {
  name               = "fsx-csi"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "csi" {
  role = aws_iam_role.csi.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:CreateServiceLinkedRole"
      Resource  = "arn:${local.partition}:iam::*:role/aws-service-role/${local.fsx}/*"
      Condition = { StringLike = { "iam:AWSServiceName" = [data.aws_service_principal.fsx.name] } }
    }]
  })
}
"""


def scan(capsys: Capture, tmp_path: Path, base: str, head: str) -> dict[str, Any]:
    for side, text in (("base", base), ("head", head)):
        target = tmp_path / side / "main.tf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    code = main(["scan", "--no-cache", "-f", "json", "--base", str(tmp_path / "base"),
                 str(tmp_path / "head")])  # fmt: skip
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == report["summary"]["exit_code"]
    return report


def test_partition_and_service_principal_data_sources_are_no_change(
    tmp_path: Path, capsys: Capture
) -> None:
    assert scan(capsys, tmp_path, LITERAL, DATA_SOURCES)["findings"] == []
    assert scan(capsys, tmp_path / "back", DATA_SOURCES, LITERAL)["findings"] == []


def test_a_different_service_is_still_a_change(tmp_path: Path, capsys: Capture) -> None:
    other = DATA_SOURCES.replace('service_name = "fsx"', 'service_name = "ec2"')
    report = scan(capsys, tmp_path, LITERAL, other)
    assert report["findings"], "a condition on another service is not the same condition"
