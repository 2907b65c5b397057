"""AWS managed policies expanded from the packaged catalog (issue 19, AWS).

Attaching AWS's own policy is written as its statements were written at the attachment:
switching AmazonS3ReadOnlyAccess for AmazonS3FullAccess names what is gained,
AdministratorAccess is an escalation, and a policy the catalog does not know is named,
never taken for "no permissions". Scans run through the CLI on two folders.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

ROLE = """\
resource "aws_iam_role" "scoring" {
  name               = "scoring-prod"
  assume_role_policy = "{}"
}
data "aws_partition" "current" {}
resource "aws_iam_role_policy_attachment" "s3" {
  role       = aws_iam_role.scoring.name
  policy_arn = "%s"
}
"""


def tree(root: Path, arn: str) -> Path:
    target = root / "envs" / "prod" / "main.tf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(ROLE % arn))
    return root


def scan(capsys: Capture, base: Path, head: Path) -> dict[str, Any]:
    code = main(["scan", "--no-cache", "-f", "json", "--base", str(base), str(head)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and code in (0, 1)
    report: dict[str, Any] = json.loads(out)
    return report


def growth(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check"] in ("DG101", "DG102", "DG104")]


READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"


def test_read_only_to_full_access_names_what_is_gained(tmp_path: Path, capsys: Capture) -> None:
    report = scan(capsys, tree(tmp_path / "base", READ), tree(tmp_path / "head", FULL))
    (found,) = growth(report)
    assert "s3:*" in found["message"] and "AmazonS3FullAccess" in found["message"]
    assert (found["location"]["path"], found["location"]["line"]) == ("envs/prod/main.tf", 8)
    assert found["confidence"] == "high"
    assert {p["action"] for p in found["added"]} == {"s3:*", "s3-object-lambda:*"}
    # What s3:* adds over s3:Get*/List*/Describe*, by access level, with examples.
    assert "Permissions management" in found["message"] and " Write" in found["message"]
    assert "s3:PutBucketPolicy" in found["message"]
    assert "s3:GetObject" not in found["message"]


def test_full_access_to_read_only_is_not_growth(tmp_path: Path, capsys: Capture) -> None:
    report = scan(capsys, tree(tmp_path / "base", FULL), tree(tmp_path / "head", READ))
    assert growth(report) == []


def test_the_partition_data_source_is_still_aws(tmp_path: Path, capsys: Capture) -> None:
    """A refactor to data.aws_partition changes nothing; the policy is still expanded."""
    partitioned = FULL.replace("arn:aws:", "arn:${data.aws_partition.current.partition}:")
    report = scan(capsys, tree(tmp_path / "base", FULL), tree(tmp_path / "head", partitioned))
    assert growth(report) == []
    report = scan(capsys, tree(tmp_path / "b2", READ), tree(tmp_path / "h2", partitioned))
    assert [f["confidence"] for f in growth(report)] == ["high"]


def test_administrator_access_is_an_escalation(tmp_path: Path, capsys: Capture) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    report = scan(capsys, tree(tmp_path / "base", READ), tree(tmp_path / "head", admin))
    checks = {f["check"] for f in report["findings"]}
    assert "DG104" in checks and "DG402" in checks


def test_a_policy_the_catalog_does_not_know_is_named_and_stays_unknown(
    tmp_path: Path, capsys: Capture
) -> None:
    typo = "arn:aws:iam::aws:policy/AmazonS3FullAcess"
    report = scan(capsys, tree(tmp_path / "base", READ), tree(tmp_path / "head", typo))
    (warning,) = [d for d in report["diagnostics"] if "not in driftgate's catalog" in d["message"]]
    assert (warning["path"], warning["line"], warning["level"]) == (
        "envs/prod/main.tf", 8, "warning",
    )  # fmt: skip
    assert "AmazonS3FullAcess" in warning["message"]
    # Never "no permissions": the attachment is growth of unknown worth, said so.
    (found,) = growth(report)
    assert found["confidence"] == "low" and "AmazonS3FullAcess" in found["message"]


GCP = """\
resource "google_service_account" "scorer" {
  account_id = "scorer"
  project    = "ml-prod"
}
resource "google_storage_bucket_iam_member" "models" {
  bucket = "ml-prod-models"
  role   = "%s"
  member = "serviceAccount:${google_service_account.scorer.email}"
}
"""
AZURE = """\
resource "azurerm_user_assigned_identity" "scorer" {
  name                = "id-scorer"
  resource_group_name = "rg-ml"
  location            = "westeurope"
}
resource "azurerm_role_assignment" "models" {
  scope                = "/subscriptions/s/resourceGroups/rg-ml"
  role_definition_name = "%s"
  principal_id         = azurerm_user_assigned_identity.scorer.principal_id
}
"""


def pair(root: Path, text: str, before: str, after: str) -> tuple[Path, Path]:
    for side, role in (("base", before), ("head", after)):
        target = root / side / "envs" / "prod" / "main.tf"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text % role))
    return root / "base", root / "head"


def test_gcp_object_viewer_to_admin_names_the_writes_and_deletes(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(tmp_path, GCP, "roles/storage.objectViewer", "roles/storage.objectAdmin")
    (found,) = growth(scan(capsys, base, head))
    assert "storage.objects.delete" in found["message"]
    assert "storage.objects.create" in found["message"]
    assert "storage.objects.get," not in found["message"]  # held before: not "added"
    # At the line the change wrote: the binding's role (its member line is below).
    assert (found["location"]["line"], found["confidence"]) == (7, "high")
    base, head = pair(
        tmp_path / "back", GCP, "roles/storage.objectAdmin", "roles/storage.objectViewer"
    )
    assert growth(scan(capsys, base, head)) == []
    # storage.admin includes every objectAdmin permission: narrowing to it is no growth.
    base, head = pair(tmp_path / "n", GCP, "roles/storage.admin", "roles/storage.objectAdmin")
    assert growth(scan(capsys, base, head)) == []


def test_gcp_role_not_in_the_catalog_is_named_and_low_confidence(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(tmp_path, GCP, "roles/storage.objectViewer", "roles/storage.objectAdmn")
    report = scan(capsys, base, head)
    (warning,) = [d for d in report["diagnostics"] if "roles/storage.objectAdmn" in d["message"]]
    assert (warning["line"], warning["level"]) == (8, "warning")
    (found,) = growth(report)
    assert found["confidence"] == "low"


def test_azure_blob_reader_to_contributor_names_write_and_delete(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = pair(tmp_path, AZURE, "Storage Blob Data Reader", "Storage Blob Data Contributor")
    (found,) = growth(scan(capsys, base, head))
    assert "containers/blobs/delete" in found["message"]
    assert "containers/blobs/write" in found["message"]
    assert "containers/blobs/read" not in found["message"]
    base, head = pair(
        tmp_path / "back", AZURE, "Storage Blob Data Contributor", "Storage Blob Data Reader"
    )
    assert growth(scan(capsys, base, head)) == []


def test_azure_role_neither_built_in_nor_declared_is_named(tmp_path: Path, capsys: Capture) -> None:
    base, head = pair(tmp_path, AZURE, "Storage Blob Data Reader", "Storage Blob Data Contributer")
    report = scan(capsys, base, head)
    (warning,) = [d for d in report["diagnostics"] if "Contributer" in d["message"]]
    assert (warning["line"], warning["level"]) == (8, "warning")
    (found,) = growth(report)
    assert found["confidence"] == "low"


def test_azure_role_definition_id_is_named_from_the_catalog(
    tmp_path: Path, capsys: Capture
) -> None:
    """Built-in role ids are the same in every tenant; any of the 928 is named."""
    by_id = AZURE.replace("role_definition_name", "role_definition_id") % (
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
    )
    target = tmp_path / "envs" / "prod" / "main.tf"
    target.parent.mkdir(parents=True)
    target.write_text(by_id)
    assert main(["model", "--no-cache", str(tmp_path)]) == 0
    model = json.loads(capsys.readouterr().out)
    (grant,) = model["grants"]
    assert grant["permissions"][0]["action"] == "Storage Queue Data Contributor"
    assert model["diagnostics"] == []


def test_one_policy_attached_to_many_roles_gives_each_its_own_grants(tmp_path: Path) -> None:
    """The catalog's statements are read once per run and shared: each role still gets
    grants naming itself, its own attachment and the attachment's line."""
    from driftgate.analyzer.extract.options import ExtractOptions
    from driftgate.analyzer.pipeline import build_model
    from driftgate.analyzer.sources.worktree import DirectoryTree

    blocks = []
    for name in ("a", "b"):
        blocks.append(
            f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n'
            '  assume_role_policy = "{}"\n}\n'
            f'resource "aws_iam_role_policy_attachment" "{name}" {{\n'
            f"  role       = aws_iam_role.{name}.name\n"
            '  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}\n'
        )
    (tmp_path / "main.tf").write_text("".join(blocks))
    model = build_model(DirectoryTree(tmp_path), ExtractOptions()).model
    by_role = {
        address: model.grants_of(address)
        for address in model.identities
        if ":aws_iam_role." in address
    }
    assert set(by_role) == {".:aws_iam_role.a", ".:aws_iam_role.b"}
    a, b = by_role[".:aws_iam_role.a"], by_role[".:aws_iam_role.b"]
    assert len(a) == len(b) > 0
    assert all(g.identity == ".:aws_iam_role.a" for g in a)
    assert all(
        g.via.startswith("aws_iam_role_policy_attachment.a attaches ReadOnlyAccess") for g in a
    )
    assert all(
        g.via.startswith("aws_iam_role_policy_attachment.b attaches ReadOnlyAccess") for g in b
    )
    assert {g.location.line for g in a if g.location} == {7}  # its policy_arn
    assert {g.location.line for g in b if g.location} == {15}
    assert sum(len(g.permissions) for g in a) > 1000
