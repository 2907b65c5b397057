"""The packaged vendor-role catalogs (issue 19): built from ../shared/catalogs, shipped,
looked up offline, and listed by ``driftgate catalog``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from generated_support import assert_committed_as_built

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "catalogs"
PACKAGED = ROOT / "analyzer" / "vendor_roles" / "data"

Capture = pytest.CaptureFixture[str]


@pytest.mark.skipif(not (SHARED / "SOURCE.md").is_file(), reason="../shared/catalogs absent")
def test_the_committed_catalogs_are_what_the_generator_builds(tmp_path: Path) -> None:
    assert_committed_as_built("build_catalogs.py", [str(SHARED)], tmp_path, PACKAGED)


def test_aws_policies_by_arn_in_any_partition_and_path_or_by_name() -> None:
    s3 = vendor_roles.aws_policy("arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert s3 is not None and s3.name == "AmazonS3FullAccess"
    assert any("s3:*" in str(st.get("Action")) for st in s3.statements)
    gov = vendor_roles.aws_policy("arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess")
    assert gov == s3
    role = vendor_roles.aws_policy(
        "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"
    )
    assert role is not None and role.name.startswith("service-role/")
    job = vendor_roles.aws_policy("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")
    assert job is not None and job.name == "job-function/ViewOnlyAccess"
    admin = vendor_roles.aws_policy("AdministratorAccess")
    assert admin is not None and admin.statements == (
        {"Action": "*", "Effect": "Allow", "Resource": "*"},
    )
    # A customer-managed policy is not AWS's: never found, whatever its name.
    assert vendor_roles.aws_managed_name("arn:aws:iam::111122223333:policy/x") is None
    assert vendor_roles.aws_policy("AmazonS3FullAcess") is None  # a typo


def test_gcp_roles_basic_and_predefined() -> None:
    viewer = vendor_roles.gcp_role("roles/storage.objectViewer")
    admin = vendor_roles.gcp_role("roles/storage.objectAdmin")
    assert viewer is not None and admin is not None
    assert "storage.objects.get" in viewer.permissions
    assert "storage.objects.delete" in set(admin.permissions) - set(viewer.permissions)
    owner = vendor_roles.gcp_role("roles/owner")
    assert owner is not None and len(owner.permissions) > 1000
    assert vendor_roles.gcp_role("roles/storage.objectAdmn") is None


def test_azure_roles_by_name_guid_or_definition_id() -> None:
    by_name = vendor_roles.azure_role("Storage Blob Data Contributor")
    assert by_name is not None
    assert any(a.endswith("blobs/delete") for a in by_name.data_actions)
    assert vendor_roles.azure_role(by_name.id.upper()) == by_name
    full_id = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
        f"Microsoft.Authorization/roleDefinitions/{by_name.id}"
    )
    assert vendor_roles.azure_role(full_id) == by_name
    assert vendor_roles.azure_role("storage blob data contributor") == by_name
    assert vendor_roles.azure_role("Storage Blob Data Contributer") is None


def test_catalog_command_lists_each_catalog_with_its_source(capsys: Capture) -> None:
    assert main(["catalog", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in listed] == ["aws", "gcp", "azure"]
    assert all(c["entries"] > 500 and c["packaged_bytes"] > 0 for c in listed)
    assert all(c["commit"] and "MIT" in c["licence"] for c in listed)
    assert main(["catalog"]) == 0
    text = capsys.readouterr().out
    assert "AWS managed policies" in text and "iam-dataset" in text


def test_catalog_show_prints_permissions_and_names_what_it_does_not_know(
    capsys: Capture,
) -> None:
    assert main(["catalog", "show", "roles/aiplatform.user"]) == 0
    assert "aiplatform.endpoints.predict" in capsys.readouterr().out
    assert main(["catalog", "show", "AmazonSageMakerFullAccess"]) == 0
    assert "sagemaker:*" in capsys.readouterr().out
    assert main(["catalog", "show", "Cognitive Services OpenAI User", "--json"]) == 0
    role = json.loads(capsys.readouterr().out)
    assert role["name"] == "Cognitive Services OpenAI User" and role["data_actions"]
    assert main(["catalog", "show", "roles/storage.objectAdmn"]) == 2
    assert "roles/storage.objectAdmn" in capsys.readouterr().err


def test_a_scan_that_names_no_vendor_role_loads_no_catalog() -> None:
    probe = (
        "from driftgate.analyzer import vendor_roles\n"
        "from driftgate.analyzer.cli import main\n"
        f"main(['scan', '--no-cache', {str(ROOT / 'testdata' / 'demo' / 'head')!r}])\n"
        "print(vendor_roles._load.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "0", done.stderr


def test_each_catalog_entry_reads_as_its_line_says() -> None:
    # Entries are decoded one by one, when asked for; keys with escapes included.
    import gzip

    text = '["plain",{"a":1}]\n["with \\"quote\\" and \\\\",[2,3]]\n'
    catalog = vendor_roles._Catalog(text)
    assert dict(catalog.items()) == {"plain": {"a": 1}, 'with "quote" and \\': [2, 3]}
    for name in vendor_roles.CATALOGS:
        raw = gzip.decompress(vendor_roles._file(name).read_bytes()).decode()
        every = dict(json.loads(line) for line in raw.splitlines())
        assert dict(vendor_roles._load(name).items()) == every
