"""One answer to "what may this identity do": allowed, less unconditional Deny, within the
permissions boundary — asked alike by the diff and the state checks (issue 17)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_scenarios import _scan, build_repo

from driftgate.analyzer.model import Grant, Permission
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.providers.aws import statement_condition

ROLE = "envs/prod:aws_iam_role.deploy"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ORG_BOUNDARY = "arn:aws:iam::111122223333:policy/org-boundary"


def p(action: str, resource: str = "*") -> Permission:
    return Permission(action=action, resource=resource)


def grant(effect: str, *permissions: Permission, **extra: Any) -> Grant:
    return Grant.model_validate(
        {"identity": ROLE, "effect": effect, "permissions": permissions, "via": effect, **extra}
    )


def unknown_boundary() -> Grant:
    return grant("boundary", policy=ORG_BOUNDARY, unknown=(ORG_BOUNDARY,))


# --- the object ---------------------------------------------------------------------------


def test_an_unconditional_deny_subtracts() -> None:
    held = Effective("aws", [grant("allow", p("s3:*")), grant("deny", p("s3:DeleteObject"))])
    assert held.holds(p("s3:GetObject"))
    assert not held.holds(p("s3:DeleteObject"))
    assert held.amounts_to(p("s3:DeleteObject")) == []


def test_a_conditional_deny_does_not_subtract() -> None:
    deny = grant(
        "deny",
        p("s3:DeleteObject"),
        conditions=(statement_condition("Bool", "aws:MultiFactorAuthPresent", ("false",)),),
    )
    held = Effective("aws", [grant("allow", p("s3:*")), deny])
    assert held.holds(p("s3:DeleteObject"))
    assert held.denies == ()


def test_a_declared_boundary_caps() -> None:
    held = Effective("aws", [grant("allow", p("*")), grant("boundary", p("sagemaker:*"))])
    assert held.holds(p("sagemaker:CreateEndpoint"))
    assert not held.holds(p("iam:PutRolePolicy"))
    assert held.amounts_to(p("*")) == [p("sagemaker:*")]
    assert not held.boundary_unknown
    # A boundary allows nothing by itself.
    assert not Effective("aws", [grant("boundary", p("*"))]).holds(p("s3:GetObject"))


def test_an_unknown_boundary_caps_nothing_but_says_so() -> None:
    held = Effective("aws", [grant("allow", p("iam:PutRolePolicy")), unknown_boundary()])
    assert held.holds(p("iam:PutRolePolicy"))
    assert held.boundary is None and held.boundary_unknown
    # A readable boundary with an unreadable part is no certain cap either.
    partly = grant("boundary", p("s3:*"), unknown=("${var.extra}",))
    held = Effective("aws", [grant("allow", p("iam:PutRolePolicy")), partly])
    assert held.holds(p("iam:PutRolePolicy")) and held.boundary_unknown


def test_conditions_count_only_when_asked() -> None:
    cond = statement_condition("StringEquals", "aws:RequestedRegion", ("eu-west-1",))
    held = Effective("aws", [grant("allow", p("s3:GetObject"), conditions=(cond,))])
    assert held.holds(p("s3:GetObject"))
    assert not held.holds(p("s3:GetObject"), frozenset())
    assert held.holds(p("s3:GetObject"), frozenset({cond}))


def test_a_managed_policy_known_by_name_is_held_as_a_whole() -> None:
    attached = grant("allow", policy=ADMIN_POLICY, unknown=(ADMIN_POLICY,))
    assert attached.unresolved
    held = Effective("aws", [attached])
    assert held.holds_policy(ADMIN_POLICY) and not held.holds_policy("other")
    # Only a Deny of everything removes it, only a boundary of everything lets it whole.
    assert not Effective("aws", [attached, grant("deny", p("*"))]).holds_policy(ADMIN_POLICY)
    assert Effective("aws", [attached, grant("deny", p("s3:*"))]).holds_policy(ADMIN_POLICY)
    assert not Effective("aws", [attached, grant("boundary", p("s3:*"))]).policy_reaches()
    # Whoever may do everything holds every policy already.
    assert Effective("aws", [grant("allow", p("*"))]).holds_policy(ADMIN_POLICY)


# --- through a scan -----------------------------------------------------------------------

BASE_ROLE = """\
resource "aws_iam_role" "deploy" {
  name               = "deploy-prod"
  assume_role_policy = "{}"
  tags               = { owner = "ml-platform" }
  @BOUNDARY@
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ACTIONS, Resource = "*" },
    ]
  })
}

resource "aws_iam_policy" "boundary" {
  name   = "deploy-boundary"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sagemaker:*", Resource = "*" }]
  })
}
"""


def _tree(root: Path, actions: list[str], boundary: str | None) -> None:
    text = BASE_ROLE.replace("ACTIONS", json.dumps(actions)).replace(
        "  @BOUNDARY@", f"  permissions_boundary = {boundary}" if boundary else ""
    )
    folder = root / "terraform/envs/prod"
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(text)


def _findings(tmp_path: Path, boundary: str | None) -> dict[str, dict[str, Any]]:
    scenario = tmp_path / "scenario"
    _tree(scenario / "base", ["sagemaker:CreateEndpoint"], boundary)
    _tree(scenario / "head", ["sagemaker:CreateEndpoint", "iam:PutRolePolicy"], boundary)
    repo = build_repo(scenario, tmp_path)
    _, report = _scan(["--base", "HEAD~1", "--head", "HEAD", str(repo)], tmp_path, "rev")
    return {f["check"]: f for f in report["findings"]}


def test_dg402_stays_at_low_confidence_under_an_undeclared_boundary(tmp_path: Path) -> None:
    without = _findings(tmp_path / "none", None)
    assert without["DG402"]["confidence"] == "high"
    found = _findings(tmp_path / "org", f'"{ORG_BOUNDARY}"')
    assert set(found) >= {"DG104", "DG402"}
    assert found["DG402"]["confidence"] == "low"
    assert found["DG402"]["identity"] == "terraform/envs/prod:aws_iam_role.deploy"


def test_dg402_is_silent_under_a_declared_boundary_without_iam(tmp_path: Path) -> None:
    found = _findings(tmp_path, "aws_iam_policy.boundary.arn")
    assert "DG402" not in found and "DG104" not in found


# --- the model as `driftgate model` prints it --------------------------------------------


def test_model_json_types_boundaries_and_managed_policies(tmp_path: Path) -> None:
    folder = tmp_path / "terraform/envs/prod"
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(
        f"""\
resource "aws_iam_role" "deploy" {{
  name                 = "deploy-prod"
  assume_role_policy   = "{{}}"
  permissions_boundary = "{ORG_BOUNDARY}"
}}

resource "aws_iam_role_policy_attachment" "admin" {{
  role       = aws_iam_role.deploy.name
  policy_arn = "{ADMIN_POLICY}"
}}
"""
    )
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "model", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    grants = json.loads(proc.stdout)["grants"]
    by_effect = {g["effect"]: g for g in grants}
    assert set(by_effect) == {"boundary", "allow"}
    boundary, attached = by_effect["boundary"], by_effect["allow"]
    assert (boundary["policy"], boundary["permissions"]) == (ORG_BOUNDARY, [])
    assert boundary["conditions"] == []
    # AWS's own policy is expanded from the catalog: typed, and no longer unknown.
    assert attached["policy"] == ADMIN_POLICY
    assert attached["permissions"] == [{"action": "*", "resource": "*", "scope": ""}]
    assert attached["unknown"] == []
    assert "policy " not in json.dumps([g["permissions"] for g in grants])
