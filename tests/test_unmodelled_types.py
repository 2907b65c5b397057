"""Identity-bearing resources driftgate does not model are never silent (issue 16).

One ``unmodelled-type`` warning per type, naming it and how many resources have it, at
the first of them; never for a type an extractor reads (the extractors' own dispatch
tables say which), never for a data source or a resource that bears no identity, and
never a change of the exit code. Scans run through the CLI, in-process.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main
from driftgate.analyzer.extract.registry import HANDLED_TYPES, TERRAFORM_EXTRACTORS
from driftgate.analyzer.extract.unmodelled import identity_bearing

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT / "analyzer" / "extract"

Capture = pytest.CaptureFixture[str]
Diagnostics = list[tuple[str, int, str, str, str]]


def scan(capsys: Capture, path: Path, *args: str) -> tuple[int, str]:
    code = main(["scan", "--no-cache", *args, str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def scan_json(capsys: Capture, path: Path) -> tuple[int, dict[str, Any]]:
    code, out = scan(capsys, path, "-f", "json")
    report: dict[str, Any] = json.loads(out)
    return code, report


def unmodelled(report: dict[str, Any]) -> Diagnostics:
    return [
        (d["path"], d["line"], d["kind"], d["level"], d["message"])
        for d in report["diagnostics"]
        if d["kind"] == "unmodelled-type"
    ]


def warned_types(report: dict[str, Any]) -> set[str]:
    return {message.split()[2] for *_, message in unmodelled(report)}


def message(resource_type: str, count: int) -> str:
    noun = "resource" if count == 1 else "resources"
    return (
        f"resource type {resource_type} is not modelled ({count} {noun}): "
        "the identities, grants, trusts or credentials it declares are not analysed"
    )


def blocks(*types: str, mode: str = "resource") -> str:
    return "".join(f'{mode} "{t}" "x{i}" {{}}\n\n' for i, t in enumerate(types))


# ---- what the extractors read is never reported --------------------------------------


def test_every_type_an_extractor_declares_is_read_without_a_warning(
    tmp_path: Path, capsys: Capture
) -> None:
    # One resource of every declared type, each in a file of its extractor: whatever an
    # extractor's tables say it reads, the warning agrees, so the two cannot drift apart.
    for extractor in TERRAFORM_EXTRACTORS:
        name = extractor.extract.__name__.removeprefix("extract_")
        (tmp_path / f"{name}.tf").write_text(blocks(*sorted(extractor.handled_types)))
    code, report = scan_json(capsys, tmp_path)
    assert unmodelled(report) == []
    assert code in (0, 1)


# Strings in the extractors that look like identity-bearing resource types without being
# ones an extractor reads as a resource: data sources, types a reference may name without
# the resource being read, and a Vault identity kind.
_NOT_READ_AS_RESOURCES = {
    "google_service_account_access_token": "data source",
    "google_iam_policy": "data source",
    "aws_iam_policy_document": "data source the evaluator renders",
    "azuread_user": "a principal reference's kind; the resource is not read",
    "azuread_group": "a principal reference's kind; the resource is not read",
    "kubernetes_auth_role": "a Vault identity kind, not a Terraform type",
}


def test_every_identity_type_the_extractors_name_is_declared() -> None:
    # An `inst.type == "..."` branch added beside the tables would read a type the
    # warning still calls unmodelled: every such literal must be in a declared table.
    named: dict[str, str] = {}
    for path in sorted(EXTRACT.rglob("*.py")):
        if path.name == "unmodelled.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", node.value)
                and identity_bearing(node.value)
            ):
                named.setdefault(node.value, f"{path.relative_to(EXTRACT)}:{node.lineno}")
    undeclared = {
        t: where
        for t, where in named.items()
        if t not in HANDLED_TYPES and t not in _NOT_READ_AS_RESOURCES
    }
    assert undeclared == {}
    assert set(_NOT_READ_AS_RESOURCES) <= set(named), "an exception nothing needs any more"


# ---- a real scan ---------------------------------------------------------------------

AWS = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_s3_bucket" "models" {
  bucket = "models"
}

resource "aws_iam_role_policies_exclusive" "app" {
  role_name    = aws_iam_role.app.name
  policy_names = []
}
"""
MORE_AWS = """\
resource "aws_iam_role_policies_exclusive" "other" {
  role_name    = "other"
  policy_names = []
}
"""
GCP = """\
resource "google_service_account" "app" {
  account_id = "app"
  project    = "ml-prod"
}

resource "google_project_iam_member_remove" "editor" {
  project = "ml-prod"
  role    = "roles/editor"
  member  = "serviceAccount:app@ml-prod.iam.gserviceaccount.com"
}
"""


def test_one_warning_per_unmodelled_type_with_its_count_at_its_first_resource(
    tmp_path: Path, capsys: Capture
) -> None:
    (tmp_path / "aws").mkdir()
    (tmp_path / "aws" / "iam.tf").write_text(AWS)
    (tmp_path / "aws" / "more.tf").write_text(MORE_AWS)
    (tmp_path / "gcp.tf").write_text(GCP)
    code, report = scan_json(capsys, tmp_path)
    assert report["findings"] == []
    assert code == 0
    assert unmodelled(report) == [
        (
            "aws/iam.tf",
            10,
            "unmodelled-type",
            "warning",
            message("aws_iam_role_policies_exclusive", 2),
        ),
        ("gcp.tf", 6, "unmodelled-type", "warning", message("google_project_iam_member_remove", 1)),
    ]
    assert [d["kind"] for d in report["diagnostics"]] == ["unmodelled-type"] * 2

    code, text = scan(capsys, tmp_path)
    assert code == 0
    assert text.splitlines()[0] == (
        f"aws/iam.tf:10: warning: {message('aws_iam_role_policies_exclusive', 2)}"
    )
    summary = text.splitlines()[-1]
    assert re.fullmatch(
        r"No identity drift found in 3 files in \d+\.\d+s; 2 resource types not modelled\.", summary
    ), summary


def test_every_instance_counts_and_findings_still_decide_the_exit_code(
    tmp_path: Path, capsys: Capture
) -> None:
    (tmp_path / "main.tf").write_text(
        """\
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  environment {
    variables = {
      DB_PASSWORD = "hunter2-very-secret"
    }
  }
}

resource "aws_ssoadmin_account_assignment" "admins" {
  count          = 3
  principal_type = "GROUP"
}
"""
    )
    code, report = scan_json(capsys, tmp_path)
    assert unmodelled(report) == [
        ("main.tf", 11, "unmodelled-type", "warning", message("aws_ssoadmin_account_assignment", 3))
    ]
    # A plaintext secret fails the run at the default --fail-on; the warning changes nothing.
    assert [(f["check"], f["location"]["line"]) for f in report["findings"]] == [("DG303", 5)]
    assert code == 1 and report["summary"]["exit_code"] == 1


# ---- what is and is not judged -------------------------------------------------------


def test_supported_and_non_identity_resources_get_nothing(tmp_path: Path, capsys: Capture) -> None:
    (tmp_path / "main.tf").write_text(
        blocks("aws_s3_bucket", "aws_vpc", "google_storage_bucket", "kubernetes_config_map")
    )
    code, report = scan_json(capsys, tmp_path)
    assert (code, report["diagnostics"]) == (0, [])


def test_data_sources_are_never_judged(tmp_path: Path, capsys: Capture) -> None:
    (tmp_path / "main.tf").write_text(
        blocks(
            "aws_iam_roles", "aws_iam_openid_connect_provider", "vault_kv_secret_v2", mode="data"
        )
    )
    code, report = scan_json(capsys, tmp_path)
    assert (code, report["diagnostics"]) == (0, [])


@pytest.mark.parametrize(
    ("resource_type", "warned"),
    [
        # Read by an extractor.
        ("aws_iam_role", False),
        ("aws_iam_policy", False),  # read for the attachments that name it
        ("aws_iam_group_membership", False),
        ("azurerm_role_assignment", False),
        ("azurerm_role_definition", False),  # read through the assignments naming it
        ("google_storage_bucket_iam_member", False),
        ("kubernetes_cluster_role_binding_v1", False),
        ("vault_mount", False),  # read for the roles and secrets under it
        ("vault_policy", False),
        # Identity-bearing, not read.
        ("aws_iam_openid_connect_provider", True),
        ("aws_iam_role_policy_attachments_exclusive", True),
        ("aws_secretsmanager_secret_policy", True),
        ("aws_organizations_policy_attachment", True),
        ("google_compute_instance_iam_member", True),  # IAM on a target not modelled
        ("google_project_iam_custom_role", True),
        ("google_iam_deny_policy", True),
        ("azuread_group_member", True),
        ("azurerm_cosmosdb_sql_role_assignment", True),
        ("azurerm_pim_eligible_role_assignment", True),
        ("kubernetes_secret_v1_data", True),
        ("vault_identity_entity", True),
        ("vault_kv_secret_v2", True),
        ("vault_kubernetes_auth_backend_config", True),
        # In a family by name only: no identity.
        ("google_project_iam_audit_config", False),
        ("vault_transit_secret_backend_key", False),
        ("aws_iam_account_alias", False),
        ("aws_iam_account_password_policy", False),
        # A credential nobody reads yet: said.
        ("aws_iam_user_ssh_key", True),
    ],
)
def test_families_are_precise(resource_type: str, warned: bool) -> None:
    # The same decision the scan makes, for one type at a time.
    assert (identity_bearing(resource_type) and resource_type not in HANDLED_TYPES) is warned


def test_family_decisions_hold_in_a_scan(tmp_path: Path, capsys: Capture) -> None:
    types = [
        "aws_iam_role",
        "vault_mount",
        "azurerm_role_assignment",
        "vault_identity_entity",
        "google_compute_instance_iam_member",
        "google_project_iam_audit_config",
        "vault_transit_secret_backend_key",
    ]
    (tmp_path / "main.tf").write_text(blocks(*types))
    _, report = scan_json(capsys, tmp_path)
    assert warned_types(report) == {"vault_identity_entity", "google_compute_instance_iam_member"}
