"""A grant whose identity cannot be resolved is kept, said, and still diffed (issue 18).

An attachment or inline policy names its role by reference, name or ARN. When the tree
does not declare that role (a registry module that was not read, a variable without a
value, a role managed in another repository), what it grants must not vanish: a gate
that drops ``AdministratorAccess`` attached to a role it cannot see passes the most
dangerous change silently. Such a role is an undeclared identity; what it gains is
growth, at low confidence when driftgate cannot tell which role it is, or what it held
before. Scans run through the CLI, in-process, on two folders written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tf_support import write_tree

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

OIDC_MODULE = """\
module "iam_role_github_oidc" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.39.0"
  name    = "ci"
}
"""

ADMIN_ATTACHMENT = """\
resource "aws_iam_role_policy_attachment" "ci_admin" {
  role       = module.iam_role_github_oidc.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    return root


def run(capsys: Capture, *args: str | Path) -> tuple[int, Any]:
    code = main([str(args[0]), "--no-cache", *map(str, args[1:])])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, json.loads(out)


def scan(capsys: Capture, base: Path, head: Path) -> tuple[int, dict[str, Any]]:
    code, report = run(capsys, "scan", "-f", "json", "--base", base, head)
    assert code in (0, 1), report
    result: dict[str, Any] = report
    return code, result


def findings(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] == check]


def unresolved(diagnostics: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return [
        (d["path"], d["line"], d["message"])
        for d in diagnostics
        if d["kind"] == "unresolved" and "is not declared in what driftgate read" in d["message"]
    ]


def test_admin_attached_to_a_role_of_an_unread_module_fails_the_gate(
    tmp_path: Path, capsys: Capture
) -> None:
    """The pull request that passed silently: AdministratorAccess on a module's role."""
    base = write(tmp_path / "base", {"main.tf": OIDC_MODULE})
    head = write(tmp_path / "head", {"main.tf": OIDC_MODULE + ADMIN_ATTACHMENT})
    code, report = scan(capsys, base, head)
    assert code == 1
    # AdministratorAccess is * on *, from the catalog: every escalation capability.
    (growth,) = findings(report, "DG104")
    assert growth["location"]["path"] == "main.tf"
    assert growth["location"]["line"] in (6, 7, 8, 9)  # the attachment the change wrote
    assert growth["severity"] in ("high", "critical")
    # Which role this is, and what it held before, driftgate cannot tell.
    assert growth["confidence"] == "low"
    assert "module.iam_role_github_oidc.name" in growth["message"]
    assert "AdministratorAccess" in growth["message"]
    # The attachment is named, at its role line, with what could not be resolved.
    ((path, line, message),) = unresolved(report["diagnostics"])
    assert (path, line) == ("main.tf", 7)
    assert "aws_iam_role_policy_attachment.ci_admin" in message
    assert "module.iam_role_github_oidc.name" in message


def test_the_unresolved_role_and_its_grant_are_in_the_model(
    tmp_path: Path, capsys: Capture
) -> None:
    head = write(tmp_path, {"main.tf": OIDC_MODULE + ADMIN_ATTACHMENT})
    code, document = run(capsys, "model", head)
    assert code == 0
    (role,) = [i for i in document["identities"].values() if not i["declared"]]
    assert role["kind"] == "role"
    assert role["principal"] == {"unknown": "module.iam_role_github_oidc.name"}
    (grant,) = [g for g in document["grants"] if g["identity"] == role["address"]]
    assert grant["policy"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert unresolved(document["diagnostics"])


def test_an_unchanged_attachment_to_an_unresolved_role_is_not_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    """Both sides keep the same unresolved role: a reformat finds nothing."""
    base = write(tmp_path / "base", {"main.tf": OIDC_MODULE + ADMIN_ATTACHMENT})
    reformatted = ADMIN_ATTACHMENT.replace("  role       =", "  role =")
    head = write(tmp_path / "head", {"main.tf": "# CI\n" + OIDC_MODULE + reformatted})
    code, report = scan(capsys, base, head)
    assert code == 0
    assert report["findings"] == []


def test_a_variable_without_a_value_keeps_the_inline_policy(
    tmp_path: Path, capsys: Capture
) -> None:
    policy = """\
    variable "role_name" { type = string }
    resource "aws_iam_role_policy" "serve" {
      role   = var.role_name
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = %s, Resource = "*" }]
      })
    }
    """
    base = write(tmp_path / "base", {"main.tf": policy % '"s3:GetObject"'})
    head = write(tmp_path / "head", {"main.tf": policy % '["s3:GetObject", "s3:PutObject"]'})
    _, report = scan(capsys, base, head)
    (growth,) = findings(report, "DG101")
    assert "s3:PutObject" in growth["message"] and "var.role_name" in growth["message"]
    assert growth["confidence"] == "low"
    assert [line for _, line, _ in unresolved(report["diagnostics"])] == [3]


ROLE_BY_NAME = """\
resource "aws_iam_role_policy" "extra" {
  role   = "inference-prod"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = %s, Resource = "*" }]
  })
}
"""


def test_a_role_managed_elsewhere_named_by_name_grows_with_certainty(
    tmp_path: Path, capsys: Capture
) -> None:
    """``role = "inference-prod"``: the role exists in the account, declared elsewhere."""
    base = write(tmp_path / "base", {"main.tf": ROLE_BY_NAME % '"s3:GetObject"'})
    head = write(tmp_path / "head", {"main.tf": ROLE_BY_NAME % '"s3:*"'})
    code, report = scan(capsys, base, head)
    assert code == 1
    (growth,) = findings(report, "DG101")
    assert "inference-prod" in growth["message"] and "s3:*" in growth["message"]
    assert growth["confidence"] == "high"
    # A role named by name is not unresolved: no warning.
    assert unresolved(report["diagnostics"]) == []


def test_a_new_policy_on_a_role_managed_elsewhere_is_growth_of_unknown_base(
    tmp_path: Path, capsys: Capture
) -> None:
    """The role existed before the change; what it held then is not in this tree."""
    base = write(tmp_path / "base", {"main.tf": "# nothing yet\n"})
    head = write(tmp_path / "head", {"main.tf": ROLE_BY_NAME % '"iam:*"'})
    _, report = scan(capsys, base, head)
    kinds = {f["check"] for f in report["findings"]}
    assert kinds & {"DG101", "DG104"}
    assert all(f["confidence"] == "low" for f in report["findings"] if f["check"] < "DG2")


def test_a_new_declared_role_is_still_not_growth(tmp_path: Path, capsys: Capture) -> None:
    """What the change creates is judged by the state checks, not as growth."""
    role = """\
    resource "aws_iam_role" "new" {
      name = "new"
      assume_role_policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "ec2.amazonaws.com" } }]
      })
    }
    resource "aws_iam_role_policy" "new" {
      role   = aws_iam_role.new.name
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
      })
    }
    """
    base = write(tmp_path / "base", {"main.tf": "# nothing yet\n"})
    head = write(tmp_path / "head", {"main.tf": role})
    _, report = scan(capsys, base, head)
    assert findings(report, "DG101") == []
    assert unresolved(report["diagnostics"]) == []


@pytest.mark.parametrize(
    ("count", "output", "identity"),
    [
        ("", "aws_iam_role.this.name", ".:module.oidc.aws_iam_role.this"),
        # terraform-aws-iam's shape: a role the module may not create, read with try().
        ("count = 1", "try(aws_iam_role.this[0].name, null)", ".:module.oidc.aws_iam_role.this[0]"),
    ],
)
def test_a_module_output_of_a_name_prefix_role_resolves_to_that_role(
    tmp_path: Path, capsys: Capture, count: str, output: str, identity: str
) -> None:
    """A local module that names its role with name_prefix passes its name through."""
    module = f"""\
    variable "name_prefix" {{ default = "gh-" }}
    resource "aws_iam_role" "this" {{
      {count}
      name_prefix        = var.name_prefix
      assume_role_policy = jsonencode({{
        Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = {{ Service = "ec2.amazonaws.com" }} }}]
      }})
    }}
    output "name" {{ value = {output} }}
    """
    caller = 'module "oidc" {\n  source = "./modules/oidc"\n}\n'
    attach = ADMIN_ATTACHMENT.replace("iam_role_github_oidc", "oidc")
    files = {"modules/oidc/main.tf": module}
    base = write(tmp_path / "base", {**files, "main.tf": caller})
    head = write(tmp_path / "head", {**files, "main.tf": caller + attach})
    code, report = scan(capsys, base, head)
    assert code == 1
    (growth,) = findings(report, "DG104")
    assert growth["identity"] == identity
    assert growth["confidence"] == "high"
    assert unresolved(report["diagnostics"]) == []


def test_an_external_service_account_that_gains_owner_is_growth(
    tmp_path: Path, capsys: Capture
) -> None:
    """A GCP member no file declares, present at both sides: viewer → owner grows."""
    binding = """\
    resource "google_project_iam_member" "ci" {
      project = "ml-prod"
      role    = "%s"
      member  = "serviceAccount:ci@build-project.iam.gserviceaccount.com"
    }
    """
    base = write(tmp_path / "base", {"main.tf": binding % "roles/viewer"})
    head = write(tmp_path / "head", {"main.tf": binding % "roles/owner"})
    code, report = scan(capsys, base, head)
    assert code == 1
    growth = [f for f in report["findings"] if f["check"] in ("DG101", "DG104")]
    assert len(growth) == 1
    assert growth[0]["identity"] == "gcp:ci@build-project.iam.gserviceaccount.com"
    assert growth[0]["confidence"] == "high"
