"""Roles and policies nothing here binds still carry growth (issue 20).

A module's policy for its callers, a policy document behind a feature flag no
configuration turns on, a ClusterRole aggregated into the built-in ``edit``: a statement
or verb added to them grows whoever will hold them, and the pull request is the last
place to say no. The finding is on the definition itself; when something does hold it,
the finding is on the holder only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tf_support import write_tree

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]


def scan(capsys: Capture, base: Path, head: Path) -> list[dict[str, Any]]:
    main(["scan", "--no-cache", "-f", "json", "--base", str(base), str(head)])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return [f for f in findings if f["check"].startswith("DG1")]


def model(capsys: Capture, root: Path) -> dict[str, Any]:
    main(["model", "--no-cache", str(root)])
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def pair(tmp_path: Path, files: dict[str, str], old: str, new: str) -> tuple[Path, Path]:
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {p: t.replace("@ACTIONS@", old) for p, t in files.items()})
    write_tree(head, {p: t.replace("@ACTIONS@", new) for p, t in files.items()})
    return base, head


UNATTACHED = """\
resource "aws_iam_policy" "for_callers" {
  name = "karpenter-extra"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = [@ACTIONS@], Resource = "*" }]
  })
}
output "policy_arn" {
  value = aws_iam_policy.for_callers.arn
}
"""


def test_a_policy_attached_to_nothing_reports_its_growth(tmp_path: Path, capsys: Capture) -> None:
    base, head = pair(
        tmp_path,
        {"modules/extra/main.tf": UNATTACHED},
        '"ec2:DescribeImages"',
        '"ec2:DescribeImages", "iam:ListInstanceProfiles"',
    )
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == "modules/extra:aws_iam_policy.for_callers"
    assert "karpenter-extra (attached to nothing here)" in finding["message"]
    assert "iam:ListInstanceProfiles" in finding["message"]


FLAGGED = """\
variable "attach_gateway_policy" {
  default = false
}
data "aws_iam_policy_document" "gateway" {
  count = var.attach_gateway_policy ? 1 : 0
  statement {
    actions = [
      @ACTIONS@
    ]
    resources = ["*"]
  }
}
"""


def test_a_document_behind_a_flag_left_off_reports_its_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(
        tmp_path,
        {"modules/irsa/policies.tf": FLAGGED},
        '"vpc-lattice:*",',
        '"vpc-lattice:*",\n      "tag:TagResources",',
    )
    (finding,) = scan(capsys, base, head)
    assert "policy document gateway (turned off in every configuration here)" in finding["message"]
    assert finding["location"]["path"] == "modules/irsa/policies.tf"
    lines = (head / "modules/irsa/policies.tf").read_text().splitlines()
    assert "tag:TagResources" in lines[finding["location"]["line"] - 1]


HELD = """\
resource "aws_iam_role" "r" {
  name               = "worker"
  assume_role_policy = "{}"
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = [@ACTIONS@]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  name   = "worker"
  policy = data.aws_iam_policy_document.d.json
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name
  policy_arn = aws_iam_policy.p.arn
}
"""


def test_a_held_policy_is_reported_on_its_holder_only(tmp_path: Path, capsys: Capture) -> None:
    base, head = pair(tmp_path, {"main.tf": HELD}, '"sqs:SendMessage"', '"sqs:*"')
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == ".:aws_iam_role.r"
    identities = model(capsys, head)["identities"]
    assert not any(i["definition"] for i in identities.values())


def test_an_unchanged_definition_says_nothing(tmp_path: Path, capsys: Capture) -> None:
    base, head = pair(tmp_path, {"main.tf": UNATTACHED}, '"s3:*"', '"s3:*"')
    (head / "main.tf").write_text((head / "main.tf").read_text().replace("karpenter", "k"))
    assert scan(capsys, base, head) == []


AGGREGATED = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: seldon-edit
  labels:
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules:
  - apiGroups: ["machinelearning.seldon.io"]
    resources: ["seldondeployments"]
    verbs: [@ACTIONS@]
"""


def test_a_clusterrole_aggregated_into_edit_reports_its_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(tmp_path, {"rbac.yaml": AGGREGATED}, '"get", "list"', '"*"')
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == "k8s:_cluster/ClusterRole/seldon-edit"
    assert "seldon-edit (aggregated into edit)" in finding["message"]
    assert finding["location"]["line"] == 10


def test_a_clusterrole_aggregated_into_a_bound_role_is_reported_on_its_subjects(
    tmp_path: Path, capsys: Capture
) -> None:
    aggregator = """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: kubeflow-edit
    aggregationRule:
      clusterRoleSelectors:
        - matchLabels:
            rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rules: []
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: editors
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: kubeflow-edit
    subjects:
      - kind: ServiceAccount
        name: pipeline-runner
        namespace: kubeflow
    """
    files = {"rbac.yaml": AGGREGATED, "aggregator.yaml": aggregator}
    base, head = pair(tmp_path, files, '"get", "list"', '"get", "list", "delete"')
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == "k8s:kubeflow/ServiceAccount/pipeline-runner"
    assert finding["location"]["path"] == "rbac.yaml"
    identities = model(capsys, head)["identities"]
    assert not any(i["definition"] for i in identities.values())


def test_definitions_are_no_principals_for_state_checks(tmp_path: Path, capsys: Capture) -> None:
    """A policy nobody holds that could deploy and administer is not DG402's business."""
    root = tmp_path / "tree"
    write_tree(root, {"main.tf": UNATTACHED.replace("@ACTIONS@", '"iam:*", "eks:*"')})
    main(["scan", "--no-cache", "-f", "json", str(root)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f["check"] for f in findings if f["check"] == "DG402"] == []


AZURE_ROLE = """\
resource "azurerm_role_definition" "reader_plus" {
  name  = "model-reader-plus"
  scope = "/subscriptions/0000"
  permissions {
    actions = [
      "Microsoft.Storage/storageAccounts/read",
      @ACTIONS@
    ]
  }
}
"""


def test_an_azure_custom_role_assigned_to_nothing_reports_its_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(
        tmp_path,
        {"main.tf": AZURE_ROLE},
        '"Microsoft.Storage/storageAccounts/listKeys/action",',
        '"Microsoft.Storage/storageAccounts/listKeys/action",\n'
        '      "Microsoft.Storage/storageAccounts/write",',
    )
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == ".:azurerm_role_definition.reader_plus"
    assert "model-reader-plus (assigned to nothing here)" in finding["message"]
    lines = (head / "main.tf").read_text().splitlines()
    assert "storageAccounts/write" in lines[finding["location"]["line"] - 1]
