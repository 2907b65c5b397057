"""How sure a finding is travels from the check to every report that has room for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftgate.analyzer.checkapi import CheckContext
from driftgate.analyzer.cli import main
from driftgate.analyzer.model import Grant, Identity, Model, Permission
from driftgate.checks import dg101_privilege_growth

SCENARIO = (
    Path(__file__).parent.parent / "testdata" / "scenarios" / "dg201-aws-remote-state-output-reuse"
)


def _reports(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    sarif, report, text = tmp_path / "r.sarif", tmp_path / "r.json", tmp_path / "r.txt"
    args = ["scan", "--base", str(SCENARIO / "base"), str(SCENARIO / "head")]
    main([*args, "-f", "sarif", "-o", str(sarif), "-f", "json", "-o", str(report)])
    main([*args, "-f", "text", "-o", str(text)])
    return json.loads(sarif.read_text()), json.loads(report.read_text()), text.read_text()


def test_a_reuse_inferred_from_a_remote_state_is_medium_confidence_everywhere(
    tmp_path: Path,
) -> None:
    sarif, report, text = _reports(tmp_path)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "DG201"
    assert result["properties"]["confidence"] == "medium"
    [finding] = report["findings"]
    assert finding["confidence"] == "medium"
    assert finding["suppression_kind"] is None
    assert "(confidence: medium)" in text


def test_certain_findings_carry_no_sarif_confidence(tmp_path: Path) -> None:
    demo = Path(__file__).parent.parent / "testdata" / "demo"
    out = tmp_path / "demo.sarif"
    main(["scan", "--base", str(demo / "base"), str(demo / "head"), "-f", "sarif", "-o", str(out)])
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert results
    # The demo's DG201 names a role whose trust would refuse the pod: not certain.
    unsure = {
        r["ruleId"]: r["properties"]["confidence"]
        for r in results
        if "confidence" in r["properties"]
    }
    assert unsure == {"DG201": "medium"}


def _role(actions: tuple[str, ...]) -> Model:
    role = "envs/prod:aws_iam_role.llm"
    return Model(
        identities={role: Identity(address=role, provider="aws", kind="role", name="llm")},
        grants=[
            Grant(
                identity=role,
                permissions=tuple(Permission(action=a, resource="*") for a in actions),
                via="aws_iam_role_policy.llm",
            )
        ],
    )


def test_growth_whose_worth_is_unknown_is_low_confidence() -> None:
    base = _role(("s3:GetObject",))
    unknown = _role(("s3:GetObject", "${var.extra_action}"))
    [draft] = dg101_privilege_growth.CHECK.run(CheckContext(head=unknown, base=base))
    assert draft.confidence == "low"
    write = _role(("s3:GetObject", "s3:PutObject"))
    [draft] = dg101_privilege_growth.CHECK.run(CheckContext(head=write, base=base))
    assert draft.confidence == "high"


def test_a_resource_that_becomes_unresolvable_is_low_confidence(tmp_path: Path) -> None:
    """A literal replaced by a lookup driftgate cannot follow: changed, not certainly grown."""
    role = 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'
    policy = (
        'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.r.id\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow",'
        ' Action = "iam:CreateServiceLinkedRole", Resource = %s }] })\n}\n'
    )
    base, head = tmp_path / "base", tmp_path / "head"
    for root, resource in (
        (base, '"arn:aws:iam::*:role/aws-service-role/fsx.amazonaws.com/X"'),
        (head, '"arn:aws:iam::*:role/aws-service-role/${var.service}/X"'),
    ):
        root.mkdir()
        (root / "main.tf").write_text(role + policy % resource + 'variable "service" {}\n')
    out = tmp_path / "r.json"
    main(["scan", "--no-cache", "--base", str(base), str(head), "-f", "json", "-o", str(out)])
    (finding,) = json.loads(out.read_text())["findings"]
    assert finding["check"].startswith("DG1")
    assert finding["confidence"] == "low"
