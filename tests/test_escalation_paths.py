"""Escalation paths (DG104): who can reach admin, through which hops, at which lines.

Each edge kind is tested positive and negative on small trees written here; a path is
reported once per (source, target), at the line of the first hop the change wrote, for
identities new in the change too, and in state mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from driftgate.analyzer.cli import cli

ADMIN_ROLE = """
resource "aws_iam_role" "cfn_exec" {
  name = "cfn-exec"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "%s" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.cfn_exec.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def _user(name: str, statements: str) -> str:
    return f"""
resource "aws_iam_user" "{name}" {{
  name = "{name}"
}}

resource "aws_iam_user_policy" "{name}" {{
  user = aws_iam_user.{name}.name
  policy = jsonencode({{
    Statement = [{statements}]
  }})
}}
"""


def _allow(actions: str, resource: str = '"*"', condition: str = "") -> str:
    extra = f"\n      Condition = {condition}" if condition else ""
    return f"""{{
      Effect   = "Allow"
      Action   = [{actions}]
      Resource = {resource}{extra}
    }}"""


def _write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _scan(
    tmp_path: Path, head: dict[str, str], base: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    head_dir = _write(tmp_path / "head", head)
    args = ["scan", str(head_dir), "--no-cache"]
    if base is not None:
        args += ["--base", str(_write(tmp_path / "base", base))]
    sarif, report = tmp_path / "out.sarif", tmp_path / "out.json"
    outputs = ["-f", "json", "-o", str(report), "-f", "sarif", "-o", str(sarif)]
    result = CliRunner().invoke(cli, [*args, *outputs])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(report.read_text())["findings"]
    return findings, json.loads(sarif.read_text()), result.exit_code


def _paths(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["check"] == "DG104" and "Steps:" in f["message"]]


def test_a_new_user_that_can_pass_an_admin_role_to_cloudformation_reaches_admin(
    tmp_path: Path,
) -> None:
    head = {
        "main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com"
        + _user("ci", _allow('"iam:PassRole", "cloudformation:CreateStack"'))
    }
    base = {"main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com"}
    findings, _, code = _scan(tmp_path, head, base)
    [path] = _paths(findings)
    assert path["severity"] == "critical"
    assert path["identity"].endswith("aws_iam_user.ci")
    assert "ci can reach full admin (cfn-exec, AdministratorAccess) in 1 step" in path["message"]
    assert "cloudformation:CreateStack" in path["message"]
    assert "To break it: scope iam:PassRole of ci to the roles it must pass" in path["message"]
    # The statement that gave the capability (new whole: the span of it).
    lines = (tmp_path / "head" / "main.tf").read_text().splitlines()
    where = path["location"]
    span = lines[where["line"] - 1 : where["end_line"]]
    assert any("iam:PassRole" in line for line in span)
    assert code == 1


def test_passing_a_role_to_a_service_it_does_not_trust_is_no_path(tmp_path: Path) -> None:
    statements = _allow(
        '"iam:PassRole", "cloudformation:CreateStack"',
        condition='{ StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }',
    )
    head = {"main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com" + _user("ci", statements)}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com"})
    assert _paths(findings) == []


def test_passing_one_weaker_role_to_lambda_is_not_escalation(tmp_path: Path) -> None:
    """N1: iam:PassRole on one role that may only write logs, to Lambda only."""
    weak = """
resource "aws_iam_role" "logs" {
  name = "logs-writer"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
resource "aws_iam_role_policy" "logs" {
  role   = aws_iam_role.logs.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "*" }] })
}
"""
    statements = (
        _allow('"lambda:CreateFunction"')
        + ", "
        + _allow(
            '"iam:PassRole"',
            '"arn:aws:iam::123456789012:role/logs-writer"',
            '{ StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }',
        )
    )
    findings, _, code = _scan(
        tmp_path, {"main.tf": weak + _user("ci", statements)}, {"main.tf": weak}
    )
    assert [f for f in findings if f["check"] == "DG104"] == []
    # What it can now do through the role is growth, named with the hop, not a failure.
    [hop] = [f for f in findings if f["check"] == "DG101"]
    assert "can now act as role logs-writer and so gains logs:* on *" in hop["message"]
    assert (hop["severity"], hop["confidence"]) == ("medium", "medium")
    assert code == 0


def test_a_chain_is_reported_once_per_source_with_every_hop_at_its_line(tmp_path: Path) -> None:
    deployer = """
resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_user.ci.arn }
    }]
  })
}
resource "aws_iam_role_policy" "deployer" {
  role   = aws_iam_role.deployer.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = [%s], Resource = "*" }]
  })
}
"""
    ci = _user("ci", _allow('"s3:GetObject"'))
    admin = ADMIN_ROLE % "cloudformation.amazonaws.com"
    base = {"main.tf": admin + ci + deployer % '"iam:PassRole"'}
    head = {"main.tf": admin + ci + deployer % '"iam:PassRole", "cloudformation:CreateStack"'}
    findings, sarif, _ = _scan(tmp_path, head, base)
    paths = {f["identity"].rsplit(".", 1)[1]: f for f in _paths(findings)}
    assert sorted(paths) == ["ci", "deployer"]
    assert "in 2 steps" in paths["ci"]["message"]
    assert "may assume deployer" in paths["ci"]["message"]
    assert "in 1 step" in paths["deployer"]["message"]
    # Both point at the hop the change wrote: the deployer's statement.
    text = (tmp_path / "head" / "main.tf").read_text().splitlines()
    assert "cloudformation:CreateStack" in text[paths["ci"]["location"]["line"] - 1]
    # Every hop is a related location saying what it is.
    [result] = [
        r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "DG104" and "in 2 steps" in r["message"]["text"]
    ]
    notes = [loc.get("message", {}).get("text", "") for loc in result["relatedLocations"]]
    assert any(n.startswith("step 1: ci may assume deployer") for n in notes)
    assert any("cfn-exec holds AdministratorAccess" in n for n in notes)


def test_an_unchanged_path_is_not_new_and_state_mode_reports_it(tmp_path: Path) -> None:
    tree = {
        "main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com"
        + _user("ci", _allow('"iam:PassRole", "cloudformation:CreateStack"'))
    }
    findings, _, _ = _scan(tmp_path, tree, tree)
    assert [f for f in findings if f["check"] == "DG104"] == []
    state, _, code = _scan(tmp_path / "state", tree)
    [path] = _paths(state)
    assert "cfn-exec" in path["message"]
    assert code == 1


def test_a_scoped_assume_role_onto_an_admin_role_is_escalation(tmp_path: Path) -> None:
    admin = """
resource "aws_iam_role" "admin" {
  name = "admin"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
    }]
  })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
    scoped = _allow('"sts:AssumeRole"', '"arn:aws:iam::123456789012:role/admin"')
    other = _allow('"sts:AssumeRole"', '"arn:aws:iam::123456789012:role/readonly"')
    findings, _, _ = _scan(tmp_path, {"main.tf": admin + _user("ci", scoped)}, {"main.tf": admin})
    [path] = _paths(findings)
    assert path["severity"] == "critical"
    assert "may assume admin" in path["message"]
    assert "To break it: name in sts:AssumeRole only the roles ci must assume" in path["message"]
    findings, _, _ = _scan(
        tmp_path / "n", {"main.tf": admin + _user("ci", other)}, {"main.tf": admin}
    )
    assert _paths(findings) == []


def _admin_compute(kind: str, extra: str = "") -> str:
    role = """
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
resource "aws_iam_role_policy_attachment" "app" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
    compute = {
        "lambda": """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.app.arn
}
""",
        "instance": """
resource "aws_iam_instance_profile" "app" {
  role = aws_iam_role.app.name
}
resource "aws_instance" "box" {
  iam_instance_profile = aws_iam_instance_profile.app.name
}
""",
        "notebook": """
resource "aws_sagemaker_notebook_instance" "nb" {
  name     = "nb"
  role_arn = aws_iam_role.app.arn
}
""",
    }[kind]
    return role + compute + extra


def test_changing_code_or_commands_of_admin_compute_reaches_admin(tmp_path: Path) -> None:
    routes = {
        "lambda": ('"lambda:UpdateFunctionCode"', '"arn:aws:lambda:*:*:function:fn"'),
        "instance": ('"ssm:SendCommand"', '"*"'),
        "notebook": ('"sagemaker:CreatePresignedNotebookInstanceUrl"', '"*"'),
    }
    for kind, (action, resource) in routes.items():
        tree = _admin_compute(kind)
        head = {"main.tf": tree + _user("dev", _allow(action, resource))}
        findings, _, _ = _scan(tmp_path / kind, head, {"main.tf": tree})
        [path] = _paths(findings)
        assert "full admin (app, AdministratorAccess)" in path["message"], kind
        assert action.strip('"') in path["message"], kind
    # The same action on other compute reaches nothing.
    tree = _admin_compute("lambda")
    head = {
        "main.tf": tree
        + _user("dev", _allow('"lambda:UpdateFunctionCode"', '"arn:aws:lambda:*:*:function:other"'))
    }
    findings, _, _ = _scan(tmp_path / "other", head, {"main.tf": tree})
    assert _paths(findings) == []


def _admin_user() -> str:
    return """
resource "aws_iam_user" "root_like" {
  name = "ops-admin"
}
resource "aws_iam_user_policy_attachment" "root_like" {
  user       = aws_iam_user.root_like.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def test_minting_an_admin_users_keys_or_rewriting_an_admin_roles_trust_reaches_admin(
    tmp_path: Path,
) -> None:
    tree = _admin_user() + ADMIN_ROLE % "cloudformation.amazonaws.com"
    for n, (action, resource, target) in enumerate(
        [
            ("iam:CreateAccessKey", '"arn:aws:iam::123456789012:user/ops-admin"', "ops-admin"),
            ("iam:CreateLoginProfile", "aws_iam_user.root_like.arn", "ops-admin"),
            ("iam:UpdateAssumeRolePolicy", "aws_iam_role.cfn_exec.arn", "cfn-exec"),
        ]
    ):
        head = {"main.tf": tree + _user("ci", _allow(f'"{action}"', resource))}
        findings, _, _ = _scan(tmp_path / str(n), head, {"main.tf": tree})
        [path] = _paths(findings)
        assert f"full admin ({target}, AdministratorAccess)" in path["message"], action
    # Keys of a user that holds nothing worth having: no path.
    plain = 'resource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
    head = {"main.tf": plain + _user("ci", _allow('"iam:CreateAccessKey"', "aws_iam_user.bot.arn"))}
    findings, _, _ = _scan(tmp_path / "plain", head, {"main.tf": plain})
    assert _paths(findings) == []


def test_rewriting_its_own_policy_makes_an_identity_admin(tmp_path: Path) -> None:
    head = {"main.tf": _user("ci", _allow('"iam:PutUserPolicy"', "aws_iam_user.ci.arn"))}
    base = {"main.tf": _user("ci", _allow('"s3:GetObject"'))}
    findings, _, _ = _scan(tmp_path, head, base)
    [path] = _paths(findings)
    assert "ci can make itself full admin" in path["message"]
    assert path["severity"] == "critical"
    # Rewriting another user's policy (one it cannot act as) is not its own admin.
    other = 'resource "aws_iam_user" "bot" {\n  name = "bot"\n}\n'
    head = {"main.tf": other + _user("ci", _allow('"iam:PutUserPolicy"', "aws_iam_user.bot.arn"))}
    findings, _, _ = _scan(
        tmp_path / "other", head, {"main.tf": other + _user("ci", _allow('"s3:GetObject"'))}
    )
    assert _paths(findings) == []


def test_an_explicit_deny_breaks_the_edge(tmp_path: Path) -> None:
    deny = """{
      Effect   = "Deny"
      Action   = ["iam:PassRole"]
      Resource = "*"
    }"""
    statements = _allow('"iam:PassRole", "cloudformation:CreateStack"') + ", " + deny
    head = {"main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com" + _user("ci", statements)}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": ADMIN_ROLE % "cloudformation.amazonaws.com"})
    assert _paths(findings) == []


K8S_ADMIN_SA = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: %(name)s, namespace: %(ns)s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %(name)s-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: %(name)s, namespace: %(ns)s}]
"""
K8S_ADMIN_DEPLOYED = (
    K8S_ADMIN_SA % {"name": "ops", "ns": "ml"}
    + """
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ops, namespace: ml}
spec:
  template:
    spec:
      serviceAccountName: ops
      containers: [{name: c, image: busybox}]
"""
)


def _create(group: str, resource: str) -> str:
    """An RBAC rule that may create ``resource`` of ``group``."""
    return f'{{apiGroups: ["{group}"], resources: ["{resource}"], verbs: ["create"]}}'


def test_creating_pods_where_an_admin_service_account_lives_reaches_it(tmp_path: Path) -> None:
    admin = K8S_ADMIN_SA % {"name": "ops", "ns": "ml"}
    launcher = _k8s_rule("ml", _create("", "pods"))
    findings, _, _ = _scan(
        tmp_path, {"admin.yaml": admin, "launcher.yaml": launcher}, {"admin.yaml": admin}
    )
    [path] = _paths(findings)
    assert path["identity"] == "k8s:ml/ServiceAccount/launcher"
    assert "full admin (ml/ops" in path["message"]
    assert "may create pods in namespace ml" in path["message"]
    # In another namespace the pods cannot run as it.
    elsewhere = _k8s_rule("other", _create("", "pods"))
    findings, _, _ = _scan(
        tmp_path / "n", {"admin.yaml": admin, "launcher.yaml": elsewhere}, {"admin.yaml": admin}
    )
    assert _paths(findings) == []


def test_a_shell_in_pods_that_run_as_an_admin_service_account_reaches_it(tmp_path: Path) -> None:
    admin = K8S_ADMIN_DEPLOYED
    launcher = _k8s_rule("ml", _create("", "pods/exec"))
    findings, _, _ = _scan(
        tmp_path, {"admin.yaml": admin, "launcher.yaml": launcher}, {"admin.yaml": admin}
    )
    [path] = _paths(findings)
    assert "may open a shell in pods of ops in namespace ml" in path["message"]


def test_a_pod_creator_reaches_the_aws_admin_role_its_namespace_federates_into(
    tmp_path: Path,
) -> None:
    role = """
locals {
  oidc = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
}
resource "aws_iam_role" "irsa" {
  name = "irsa-admin"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/${local.oidc}" }
      Condition = {
        StringEquals = { "${local.oidc}:sub" = "system:serviceaccount:ml:runner" }
      }
    }]
  })
}
resource "aws_iam_role_policy_attachment" "irsa" {
  role       = aws_iam_role.irsa.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
    sa = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: ml
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/irsa-admin"}
"""
    launcher = _k8s_rule("ml", _create("batch", "jobs"))
    base = {"iam.tf": role, "sa.yaml": sa}
    findings, _, _ = _scan(tmp_path, {**base, "launcher.yaml": launcher}, base)
    [path] = _paths(findings)
    assert "full admin (irsa-admin, AdministratorAccess) in 2 steps" in path["message"]
    assert "federates into role irsa-admin" in path["message"]


GCP = """
resource "google_service_account" "owner" {
  account_id = "owner-sa"
  project    = "acme"
}
resource "google_project_iam_member" "owner" {
  project = "acme"
  role    = "roles/owner"
  member  = "serviceAccount:${google_service_account.owner.email}"
}
resource "google_service_account" "ci" {
  account_id = "ci"
  project    = "acme"
}
resource "google_service_account" "plain" {
  account_id = "plain"
  project    = "acme"
}
"""


def test_a_token_creator_on_an_owner_service_account_reaches_owner(tmp_path: Path) -> None:
    grant = """
resource "google_service_account_iam_member" "ci_mints" {
  service_account_id = google_service_account.%s.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.ci.email}"
}
"""
    findings, _, _ = _scan(tmp_path, {"main.tf": GCP + grant % "owner"}, {"main.tf": GCP})
    [path] = _paths(findings)
    assert path["identity"].endswith("google_service_account.ci")
    assert "full admin (owner-sa" in path["message"]
    findings, _, _ = _scan(tmp_path / "n", {"main.tf": GCP + grant % "plain"}, {"main.tf": GCP})
    assert _paths(findings) == []


AZURE = """
resource "azurerm_user_assigned_identity" "owner" {
  name                = "id-owner"
  resource_group_name = "rg"
  location            = "westeurope"
}
resource "azurerm_role_assignment" "owner" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.owner.principal_id
}
resource "azurerm_user_assigned_identity" "ci" {
  name                = "id-ci"
  resource_group_name = "rg"
  location            = "westeurope"
}
"""


def test_a_managed_identity_operator_over_an_owner_identity_reaches_owner(tmp_path: Path) -> None:
    grant = """
resource "azurerm_role_assignment" "ci_operates" {
  scope                = %s
  role_definition_name = "%s"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
"""
    head = {
        "main.tf": AZURE
        + grant % ("azurerm_user_assigned_identity.owner.id", "Managed Identity Operator")
    }
    findings, _, _ = _scan(tmp_path, head, {"main.tf": AZURE})
    [path] = _paths(findings)
    assert "full admin (id-owner" in path["message"]
    # Reader on it lets nothing run as it.
    head = {"main.tf": AZURE + grant % ("azurerm_user_assigned_identity.owner.id", "Reader")}
    findings, _, _ = _scan(tmp_path / "n", head, {"main.tf": AZURE})
    assert _paths(findings) == []


def test_power_user_access_cannot_rewrite_its_own_permissions(tmp_path: Path) -> None:
    """NotAction [iam:*, organizations:*, account:*] leaves no IAM write: no path."""
    power = """{
      Effect    = "Allow"
      NotAction = ["iam:*", "organizations:*", "account:*"]
      Resource  = "*"
    }"""
    head = {"main.tf": _user("ci", power)}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": _user("ci", _allow('"s3:GetObject"'))})
    assert [f for f in findings if f["check"] == "DG104"] == []
    [growth] = [f for f in findings if f["check"] == "DG101"]
    assert growth["severity"] == "high"  # every action but IAM: admin, not escalation


def test_one_rule_that_reaches_several_admins_is_one_finding(tmp_path: Path) -> None:
    admins = (
        K8S_ADMIN_SA % {"name": "ops", "ns": "a"}
        + "---\n"
        + K8S_ADMIN_SA
        % {
            "name": "ops",
            "ns": "b",
        }
    )
    controller = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: controller, namespace: c}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: controller}
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller}
subjects: [{kind: ServiceAccount, name: controller, namespace: c}]
"""
    base = {"admins.yaml": admins}
    findings, _, _ = _scan(tmp_path, {**base, "controller.yaml": controller}, base)
    [path] = _paths(findings)
    assert "c/controller can reach full admin (a/ops" in path["message"]
    assert "It reaches 1 other admin identity the same way: b/ops." in path["message"]


def _k8s_rule(ns: str, rule: str, kind: str = "Role") -> str:
    scope = f", namespace: {ns}" if kind == "Role" else ""
    binding = "RoleBinding" if kind == "Role" else "ClusterRoleBinding"
    return f"""
apiVersion: v1
kind: ServiceAccount
metadata: {{name: launcher, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: launcher{scope}}}
rules:
- {rule}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {binding}
metadata: {{name: launcher{scope}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: launcher}}
subjects: [{{kind: ServiceAccount, name: launcher, namespace: {ns}}}]
"""


def test_minting_tokens_of_or_impersonating_an_admin_service_account_reaches_it(
    tmp_path: Path,
) -> None:
    admin = K8S_ADMIN_SA % {"name": "ops", "ns": "ml"}
    rules = {
        "token": '{apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}',
        "impersonate": '{apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"]}',
    }
    for name, rule in rules.items():
        head = {"admin.yaml": admin, "launcher.yaml": _k8s_rule("ml", rule)}
        findings, _, _ = _scan(tmp_path / name, head, {"admin.yaml": admin})
        [path] = _paths(findings)
        assert "full admin (ml/ops" in path["message"], name
    # A token of another, named account reaches nothing.
    named = (
        '{apiGroups: [""], resources: ["serviceaccounts/token"],'
        ' resourceNames: ["builder"], verbs: ["create"]}'
    )
    head = {"admin.yaml": admin, "launcher.yaml": _k8s_rule("ml", named)}
    findings, _, _ = _scan(tmp_path / "named", head, {"admin.yaml": admin})
    assert _paths(findings) == []


def test_reading_pods_exec_opens_no_shell(tmp_path: Path) -> None:
    admin = K8S_ADMIN_DEPLOYED
    rule = '{apiGroups: [""], resources: ["pods/exec"], verbs: ["get"]}'
    head = {"admin.yaml": admin, "launcher.yaml": _k8s_rule("ml", rule)}
    findings, _, _ = _scan(tmp_path, head, {"admin.yaml": admin})
    assert _paths(findings) == []


def test_bind_on_cluster_roles_lets_a_service_account_make_itself_admin(tmp_path: Path) -> None:
    rule = (
        '{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}'
    )
    cluster = _k8s_rule("ml", rule, kind="ClusterRole")
    findings, _, _ = _scan(tmp_path, {"launcher.yaml": cluster}, {})
    [path] = _paths(findings)
    assert "ml/launcher can make itself full admin" in path["message"]
    # Bind in one namespace is that namespace's business: no cluster admin.
    findings, _, _ = _scan(tmp_path / "ns", {"launcher.yaml": _k8s_rule("ml", rule)}, {})
    assert _paths(findings) == []


def test_project_iam_admin_lets_a_service_account_make_itself_owner(tmp_path: Path) -> None:
    grant = """
resource "google_project_iam_member" "ci_iam" {
  project = "acme"
  role    = "%s"
  member  = "serviceAccount:${google_service_account.ci.email}"
}
"""
    head = {"main.tf": GCP + grant % "roles/resourcemanager.projectIamAdmin"}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": GCP})
    [path] = _paths(findings)
    assert "ci can make itself full admin" in path["message"]
    head = {"main.tf": GCP + grant % "roles/iam.roleViewer"}
    findings, _, _ = _scan(tmp_path / "n", head, {"main.tf": GCP})
    assert _paths(findings) == []


def test_user_access_administrator_is_reported_as_the_capability_it_is(tmp_path: Path) -> None:
    """User Access Administrator on the subscription is admin already (it may assign
    itself Owner): the capability itself is the finding, not a path to it."""
    grant = """
resource "azurerm_role_assignment" "ci_uaa" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "%s"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
"""
    head = {"main.tf": AZURE + grant % "User Access Administrator"}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": AZURE})
    [found] = [f for f in findings if f["check"] == "DG104"]
    assert found["identity"].endswith("azurerm_user_assigned_identity.ci")
    assert "User Access Administrator" in found["message"]
    head = {"main.tf": AZURE + grant % "Reader"}
    findings, _, _ = _scan(tmp_path / "n", head, {"main.tf": AZURE})
    assert [f for f in findings if f["check"] == "DG104"] == []


def test_every_provider_has_an_edge_finder() -> None:
    from typing import get_args

    from driftgate.analyzer.escalation import FINDERS
    from driftgate.analyzer.model.entities import Provider

    assert sorted(FINDERS) == sorted(get_args(Provider))


def test_service_account_user_on_an_owner_account_is_a_medium_confidence_path(
    tmp_path: Path,
) -> None:
    """actAs needs compute to attach the account to, which is not checked: medium."""
    grant = """
resource "google_service_account_iam_member" "ci_uses" {
  service_account_id = google_service_account.%s.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.ci.email}"
}
"""
    findings, _, _ = _scan(tmp_path, {"main.tf": GCP + grant % "owner"}, {"main.tf": GCP})
    [path] = _paths(findings)
    assert "may attach it to compute it runs" in path["message"]
    assert path["confidence"] == "medium"
    findings, _, _ = _scan(tmp_path / "n", {"main.tf": GCP + grant % "plain"}, {"main.tf": GCP})
    assert _paths(findings) == []


def test_contributor_on_an_owner_identity_may_add_a_federated_credential(tmp_path: Path) -> None:
    grant = """
resource "azurerm_role_assignment" "ci_contributes" {
  scope                = azurerm_user_assigned_identity.%s.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
"""
    findings, _, _ = _scan(tmp_path, {"main.tf": AZURE + grant % "owner"}, {"main.tf": AZURE})
    paths = _paths(findings)
    assert len(paths) == 1
    assert "add a federated credential it controls" in paths[0]["message"]
    # Contributor on itself reaches nobody else.
    findings, _, _ = _scan(tmp_path / "n", {"main.tf": AZURE + grant % "ci"}, {"main.tf": AZURE})
    assert _paths(findings) == []


def test_rewriting_the_trust_of_a_role_that_holds_nothing_reaches_nothing(tmp_path: Path) -> None:
    plain = """
resource "aws_iam_role" "plain" {
  name               = "plain"
  assume_role_policy = jsonencode({ Statement = [] })
}
"""
    statements = _allow('"iam:UpdateAssumeRolePolicy"', "aws_iam_role.plain.arn")
    head = {"main.tf": plain + _user("ci", statements)}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": plain})
    assert _paths(findings) == []


def test_a_service_account_federated_into_an_admin_role_is_not_a_path_of_its_own(
    tmp_path: Path,
) -> None:
    """It *is* the role to whoever runs as it: the role's paths say so, not a path from
    the ServiceAccount to its own role."""
    role = """
resource "aws_iam_role" "irsa" {
  name = "irsa-admin"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.example/id/A" }
      Condition = { StringEquals = { "oidc.example/id/A:sub" = "system:serviceaccount:ml:runner" } }
    }]
  })
}
resource "aws_iam_role_policy_attachment" "irsa" {
  role       = aws_iam_role.irsa.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
    sa = """
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: ml
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/irsa-admin"}
"""
    findings, _, _ = _scan(tmp_path, {"iam.tf": role, "sa.yaml": sa}, {"iam.tf": role})
    assert _paths(findings) == []


def test_a_wildcard_does_not_reach_into_another_roots_deployment(tmp_path: Path) -> None:
    """Two example roots are two deployments: PassRole on * in one passes nothing of the
    other. A role ARN written out still does."""
    admin = ADMIN_ROLE % "cloudformation.amazonaws.com"
    wildcard = _user("ci", _allow('"iam:PassRole", "cloudformation:CreateStack"'))
    base = {"examples/b/main.tf": admin}
    findings, _, _ = _scan(tmp_path, {**base, "examples/a/main.tf": wildcard}, base)
    assert _paths(findings) == []
    named = _user(
        "ci",
        _allow('"iam:PassRole", "cloudformation:CreateStack"', '"arn:aws:iam::1:role/cfn-exec"'),
    )
    findings, _, _ = _scan(tmp_path / "n", {**base, "examples/a/main.tf": named}, base)
    [path] = _paths(findings)
    assert "cfn-exec" in path["message"]


def test_a_rule_that_may_pass_very_many_roles_is_said_not_followed_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FANOUT roles, only those that hold more get an edge; the rule itself is
    still a finding (a new user that may pass any node role is never a silent pass)."""
    from driftgate.analyzer.escalation import aws

    monkeypatch.setattr(aws, "FANOUT", 2)
    roles = "".join(
        f"""
resource "aws_iam_role" "node{i}" {{
  name = "node{i}"
  assume_role_policy = jsonencode({{
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ec2.amazonaws.com" }}
    }}]
  }})
}}
"""
        for i in range(3)
    )
    head = {"main.tf": roles + _user("ci", _allow('"iam:PassRole", "ec2:RunInstances"'))}
    findings, _, _ = _scan(tmp_path, head, {"main.tf": roles})
    [wide] = [f for f in findings if f["check"] == "DG101"]
    assert "can now act as any of the roles it may pass to ec2.amazonaws.com" in wide["message"]
    assert "may pass any of 3 roles" in wide["message"]
    assert wide["confidence"] == "low"


ADMIN_GROUP = """
resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def test_a_user_that_may_add_itself_to_an_admin_group_reaches_admin(tmp_path: Path) -> None:
    joins = _allow('"iam:AddUserToGroup"', "aws_iam_group.ops.arn")
    findings, _, _ = _scan(
        tmp_path, {"main.tf": ADMIN_GROUP + _user("ci", joins)}, {"main.tf": ADMIN_GROUP}
    )
    [path] = _paths(findings)
    assert path["identity"].endswith("aws_iam_user.ci")
    assert "may add itself to group ops (iam:AddUserToGroup)" in path["message"]
    assert "AdministratorAccess" in path["message"]
    # Joining another group, or a role holding the action (roles join no group): no path.
    other = _allow('"iam:AddUserToGroup"', '"arn:aws:iam::1:group/readers"')
    findings, _, _ = _scan(
        tmp_path / "n", {"main.tf": ADMIN_GROUP + _user("ci", other)}, {"main.tf": ADMIN_GROUP}
    )
    assert _paths(findings) == []
    # The group itself is no source: state mode reports no path from it.
    findings, _, _ = _scan(tmp_path / "state", {"main.tf": ADMIN_GROUP})
    assert _paths(findings) == []


def test_a_key_admin_on_an_owner_account_may_mint_its_keys(tmp_path: Path) -> None:
    grant = """
resource "google_service_account_iam_member" "ci_keys" {
  service_account_id = google_service_account.%s.name
  role               = "roles/iam.serviceAccountKeyAdmin"
  member             = "serviceAccount:${google_service_account.ci.email}"
}
"""
    findings, _, _ = _scan(tmp_path, {"main.tf": GCP + grant % "owner"}, {"main.tf": GCP})
    [path] = _paths(findings)
    assert "may create its keys" in path["message"]
    findings, _, _ = _scan(tmp_path / "n", {"main.tf": GCP + grant % "plain"}, {"main.tf": GCP})
    assert _paths(findings) == []
