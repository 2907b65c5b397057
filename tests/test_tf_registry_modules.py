"""Registry, git and http module calls (issue 18): read from terraform init's download.

A root's ``.terraform/modules/modules.json`` (what ``terraform init`` leaves; driftgate
never fetches) names the folder each remote call was downloaded to; that folder is
read as a local module would be. Without it, each remote call is one ``module-not-read``
warning naming the call, its source and version, counted in the summary, never a change
of the exit code. Every tree here is written by hand: the manifests imitate Terraform's.
Scans run through the CLI, in-process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pygit2
import pytest

from driftgate.analyzer.cli import main
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.git import GitIndexTree, GitRevisionTree, open_repository
from driftgate.analyzer.sources.worktree import DirectoryTree, WorkTree

Capture = pytest.CaptureFixture[str]

ROOT_DIR = "envs/prod"
DOWNLOAD = ".terraform/modules/iam_role/modules/iam-role"
SOURCE = "terraform-aws-modules/iam/aws//modules/iam-role"
ROLE = f"{ROOT_DIR}:module.iam_role.aws_iam_role.this"

CALLER = """\
provider "aws" {}

module "iam_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 5.0"
  name    = "serving"
  actions = %s
}
"""

# The downloaded module: a role and an inline policy whose actions are the caller's input.
ROLE_MODULE = """\
variable "name" {}
variable "actions" { default = [] }
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}
resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}
output "name" { value = aws_iam_role.this.name }
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))


def manifest(*entries: tuple[str, str, str, str]) -> str:
    """modules.json as Terraform writes it: (Key, Source, Version, Dir) per module."""
    modules = [{"Key": "", "Source": "", "Dir": "."}]
    for key, source, version, dir_ in entries:
        entry = {"Key": key, "Source": source, "Dir": dir_}
        if version:
            entry["Version"] = version
        modules.append(entry)
    return json.dumps({"Modules": modules})


IAM_ENTRY = ("iam_role", f"registry.terraform.io/{SOURCE}", "5.30.0", DOWNLOAD)


def initialised(root: Path, actions: str = '["s3:GetObject"]') -> Path:
    """A root calling a registry module, after terraform init."""
    write(
        root,
        {
            f"{ROOT_DIR}/main.tf": CALLER % actions,
            f"{ROOT_DIR}/.terraform/modules/modules.json": manifest(IAM_ENTRY),
            f"{ROOT_DIR}/{DOWNLOAD}/main.tf": ROLE_MODULE,
            # What terraform init leaves beside the modules, never to be parsed.
            f"{ROOT_DIR}/.terraform/providers/registry.terraform.io/x/broken.tf": "{ nope",
            # A part of the download no call names (examples, tests): not parsed.
            f"{ROOT_DIR}/.terraform/modules/iam_role/examples/broken.tf": "{ nope",
        },
    )
    return root


def run(capsys: Capture, *args: str | Path) -> tuple[int, str]:
    code = main([str(args[0]), "--no-cache", *map(str, args[1:])])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def model(capsys: Capture, *args: str | Path) -> dict[str, Any]:
    code, out = run(capsys, "model", *args)
    assert code == 0, out
    document: dict[str, Any] = json.loads(out)
    return document


def scan_json(capsys: Capture, *args: str | Path) -> tuple[int, dict[str, Any]]:
    code, out = run(capsys, "scan", "-f", "json", *args)
    report: dict[str, Any] = json.loads(out)
    return code, report


def not_read(diagnostics: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return [
        (d["path"], d["line"], d["message"])
        for d in diagnostics
        if d["kind"] == "module-not-read" and d["level"] == "warning"
    ]


def kinds(diagnostics: list[dict[str, Any]]) -> list[str]:
    return sorted(d["kind"] for d in diagnostics)


def actions_of(document: dict[str, Any], identity: str) -> set[str]:
    return {
        p["action"]
        for g in document["grants"]
        if g["identity"] == identity
        for p in g["permissions"]
    }


# ---- read from the download -------------------------------------------------------------


def test_model_reads_the_downloaded_module_at_its_address_and_location(
    tmp_path: Path, capsys: Capture
) -> None:
    document = model(capsys, initialised(tmp_path))
    role = document["identities"][ROLE]
    assert role["name"] == "serving"
    assert role["location"]["path"] == f"{ROOT_DIR}/{DOWNLOAD}/main.tf"
    assert role["location"]["line"] == 3
    assert actions_of(document, ROLE) == {"s3:GetObject"}
    (grant,) = [g for g in document["grants"] if g["identity"] == ROLE]
    assert grant["location"]["path"] == f"{ROOT_DIR}/{DOWNLOAD}/main.tf"
    # Neither the providers nor an unnamed part of the download is parsed.
    assert document["diagnostics"] == []


def test_scan_of_an_initialised_root_is_clean_and_counts_nothing_unread(
    tmp_path: Path, capsys: Capture
) -> None:
    code, out = run(capsys, "scan", initialised(tmp_path))
    assert code == 0
    assert "not read" not in out and "warning" not in out
    assert re.fullmatch(r"No identity drift found in 1 file in \d+\.\d+s\.", out.strip()), out


def test_outputs_of_the_downloaded_module_flow_back_to_the_caller(
    tmp_path: Path, capsys: Capture
) -> None:
    initialised(tmp_path)
    with (tmp_path / ROOT_DIR / "main.tf").open("a") as f:
        f.write(
            'resource "aws_iam_role_policy_attachment" "read" {\n'
            "  role       = module.iam_role.name\n"
            '  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n'
            "}\n"
        )
    document = model(capsys, tmp_path)
    policies = {g["policy"] for g in document["grants"] if g["identity"] == ROLE}
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in policies


def test_diff_of_two_folders_reports_growth_through_the_callers_input(
    tmp_path: Path, capsys: Capture
) -> None:
    base = initialised(tmp_path / "base")
    head = initialised(tmp_path / "head", '["s3:GetObject", "s3:PutObject", "iam:PassRole"]')
    code, report = scan_json(capsys, "--base", base, head)
    growth = [f for f in report["findings"] if f["check"] == "DG101"]
    assert [f["identity"] for f in growth] == [ROLE], report["findings"]
    assert "s3:PutObject" in growth[0]["message"]
    assert not not_read(report["diagnostics"])
    assert code == 1  # iam:PassRole is an escalation path (high)
    assert {f["check"] for f in report["findings"]} >= {"DG101", "DG104"}


def test_counted_instances_of_a_downloaded_module(tmp_path: Path, capsys: Capture) -> None:
    initialised(tmp_path)
    caller = (tmp_path / ROOT_DIR / "main.tf").read_text()
    caller = caller.replace(
        '  name    = "serving"', '  count   = 2\n  name    = "serving-${count.index}"'
    )
    (tmp_path / ROOT_DIR / "main.tf").write_text(caller)
    identities = model(capsys, tmp_path)["identities"]
    assert sorted(identities) == [
        f"{ROOT_DIR}:module.iam_role[0].aws_iam_role.this",
        f"{ROOT_DIR}:module.iam_role[1].aws_iam_role.this",
    ]
    assert identities[f"{ROOT_DIR}:module.iam_role[1].aws_iam_role.this"]["name"] == "serving-1"


NESTED_CALLER = """\
provider "aws" {}
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.8.4"
  cluster = "ml"
}
module "app" {
  source = "../../modules/app"
}
"""

EKS = """\
variable "cluster" {}
module "kms" {
  source  = "terraform-aws-modules/kms/aws"
  version = "2.1.0"
  name    = "${var.cluster}-kms"
}
module "node" {
  source = "./modules/node"
  name   = "${var.cluster}-node"
}
module "irsa" {
  source = "./modules/irsa"
  name   = "${var.cluster}-irsa"
}
"""

NAMED_ROLE = """\
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
}
"""

APP = """\
module "iam" {
  source  = "git::https://example.com/acme/iam.git//role?ref=v1.2.0"
  name    = "app"
}
"""


def test_nested_calls_are_found_by_their_dotted_keys(tmp_path: Path, capsys: Capture) -> None:
    modules = ".terraform/modules"
    write(
        tmp_path,
        {
            f"{ROOT_DIR}/main.tf": NESTED_CALLER,
            f"{ROOT_DIR}/{modules}/modules.json": manifest(
                (
                    "eks",
                    "registry.terraform.io/terraform-aws-modules/eks/aws",
                    "20.8.4",
                    f"{modules}/eks",
                ),
                (
                    "eks.kms",
                    "registry.terraform.io/terraform-aws-modules/kms/aws",
                    "2.1.0",
                    f"{modules}/eks.kms",
                ),
                ("eks.node", "./modules/node", "", f"{modules}/eks/modules/node"),
                ("app", "../../modules/app", "", "../../modules/app"),
                (
                    "app.iam",
                    "git::https://example.com/acme/iam.git//role?ref=v1.2.0",
                    "",
                    f"{modules}/app.iam/role",
                ),
            ),
            f"{ROOT_DIR}/{modules}/eks/main.tf": EKS,
            f"{ROOT_DIR}/{modules}/eks/modules/node/main.tf": NAMED_ROLE,
            # Not in the manifest, but a local call inside the download: read by its path.
            f"{ROOT_DIR}/{modules}/eks/modules/irsa/main.tf": NAMED_ROLE,
            f"{ROOT_DIR}/{modules}/eks.kms/main.tf": NAMED_ROLE,
            f"{ROOT_DIR}/{modules}/app.iam/role/main.tf": NAMED_ROLE,
            "modules/app/main.tf": APP,
        },
    )
    document = model(capsys, tmp_path)
    names = {
        address.removeprefix(f"{ROOT_DIR}:"): identity["name"]
        for address, identity in document["identities"].items()
    }
    assert names == {
        "module.eks.module.kms.aws_iam_role.this": "ml-kms",
        "module.eks.module.node.aws_iam_role.this": "ml-node",
        "module.eks.module.irsa.aws_iam_role.this": "ml-irsa",
        "module.app.module.iam.aws_iam_role.this": "app",
    }
    assert (
        document["identities"][f"{ROOT_DIR}:module.app.module.iam.aws_iam_role.this"]["location"][
            "path"
        ]
        == f"{ROOT_DIR}/{modules}/app.iam/role/main.tf"
    )
    assert document["diagnostics"] == []


# ---- not read: warnings ---------------------------------------------------------------

REMOTE_CALLS = """\
provider "aws" {}

module "iam_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 5.0"
  name    = "serving"
}

module "git_role" {
  source = "git::https://example.com/acme/iam-modules.git//role?ref=v1"
}

module "zip_role" {
  source = "https://example.com/modules/role.zip"
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = module.iam_role.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""


def test_without_a_manifest_each_remote_call_is_one_warning(
    tmp_path: Path, capsys: Capture
) -> None:
    write(tmp_path, {f"{ROOT_DIR}/main.tf": REMOTE_CALLS})
    code, report = scan_json(capsys, tmp_path)
    assert code == 0 and report["summary"]["exit_code"] == 0
    warnings = not_read(report["diagnostics"])
    assert [(path, line) for path, line, _ in warnings] == [
        (f"{ROOT_DIR}/main.tf", 3),
        (f"{ROOT_DIR}/main.tf", 9),
        (f"{ROOT_DIR}/main.tf", 13),
    ]
    iam, git, zip_ = (message for *_, message in warnings)
    assert iam.startswith(f"module call module.iam_role not read: source {SOURCE}, version ~> 5.0;")
    assert "envs/prod/.terraform/modules/modules.json" in iam
    assert "git::https://example.com/acme/iam-modules.git//role?ref=v1, no version" in git
    assert "module.zip_role" in zip_ and "https://example.com/modules/role.zip" in zip_
    # The attachment to the unread module's role is kept, and said.
    assert kinds(report["diagnostics"]) == ["module-not-read"] * 3 + ["unresolved"]
    (attachment,) = [d for d in report["diagnostics"] if d["kind"] == "unresolved"]
    assert (attachment["path"], attachment["line"]) == (f"{ROOT_DIR}/main.tf", 18)
    assert "aws_iam_role_policy_attachment.read" in attachment["message"]

    code, text = run(capsys, "scan", tmp_path)
    assert code == 0
    assert text.splitlines()[0].startswith(
        f"{ROOT_DIR}/main.tf:3: warning: module call module.iam_role not read"
    )
    summary = text.splitlines()[-1]
    assert re.fullmatch(
        r"No identity drift found in 1 file in \d+\.\d+s; 3 module calls not read; 1 warning\.",
        summary,
    ), summary


def test_a_shared_module_calling_a_remote_one_is_one_warning_naming_its_roots(
    tmp_path: Path, capsys: Capture
) -> None:
    """terraform-aws-eks: eight example roots call the module that calls module.kms; one
    call in one file is one warning, not eight."""
    shared = 'module "kms" {\n  source  = "terraform-aws-modules/kms/aws"\n  version = "4.0.0"\n}\n'
    caller = 'module "eks" {\n  source = "../../modules/eks"\n}\n'
    files = {"modules/eks/main.tf": shared}
    files.update({f"examples/{name}/main.tf": caller for name in ("a", "b", "c", "d")})
    write(tmp_path, files)
    _, report = scan_json(capsys, tmp_path)
    (warning,) = not_read(report["diagnostics"])
    path, line, message = warning
    assert (path, line) == ("modules/eks/main.tf", 1)
    assert "in any of the 4 roots that call it (examples/a, examples/b, examples/c and 1 more)" in (
        message
    )


def test_the_warning_never_changes_the_exit_code_and_findings_still_decide(
    tmp_path: Path, capsys: Capture
) -> None:
    write(tmp_path, {f"{ROOT_DIR}/main.tf": REMOTE_CALLS})
    code, _ = run(capsys, "scan", "--fail-on", "low", tmp_path)
    assert code == 0
    with (tmp_path / ROOT_DIR / "main.tf").open("a") as f:
        f.write('resource "aws_iam_access_key" "ci" {\n  user = "ci"\n}\n')
    code, report = scan_json(capsys, "--fail-on", "low", tmp_path)
    assert len(not_read(report["diagnostics"])) == 3
    assert code == report["summary"]["exit_code"] == (1 if report["findings"] else 0)


def test_a_call_the_manifest_does_not_record_is_a_warning(tmp_path: Path, capsys: Capture) -> None:
    initialised(tmp_path)
    with (tmp_path / ROOT_DIR / "main.tf").open("a") as f:
        f.write('module "added" {\n  source  = "acme/added/aws"\n  version = "1.0.0"\n}\n')
    code, report = scan_json(capsys, tmp_path)
    assert code == 0
    ((path, line, message),) = not_read(report["diagnostics"])
    assert (path, line) == (f"{ROOT_DIR}/main.tf", 9)
    assert "module.added" in message and "does not record it (run terraform init again)" in message


def test_a_manifest_recording_another_source_is_not_trusted(
    tmp_path: Path, capsys: Capture
) -> None:
    initialised(tmp_path)
    caller = tmp_path / ROOT_DIR / "main.tf"
    caller.write_text(caller.read_text().replace(SOURCE, "acme/other-iam/aws"))
    document = model(capsys, tmp_path)
    assert document["identities"] == {}
    ((_, _, message),) = not_read(document["diagnostics"])
    assert f"records source registry.terraform.io/{SOURCE}" in message


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("{ not json", "not valid JSON"),
        ('{"Modules": {"iam_role": 1}}', 'no "Modules" list'),
        (
            '{"Modules": [{"Key": "iam_role", "Dir": 3}]}',
            'Modules[0] has no string "Key" and "Dir"',
        ),
        ("[]", 'no "Modules" list'),
    ],
)
def test_a_malformed_manifest_is_a_warning_naming_it_then_calls_are_not_read(
    tmp_path: Path, capsys: Capture, content: str, cause: str
) -> None:
    initialised(tmp_path)
    path = f"{ROOT_DIR}/.terraform/modules/modules.json"
    (tmp_path / path).write_text(content)
    code, report = scan_json(capsys, tmp_path)
    assert code == 0
    (problem,) = [d for d in report["diagnostics"] if d["path"] == path]
    assert problem["level"] == "warning"
    assert path in problem["message"] and cause in problem["message"]
    ((_, _, message),) = not_read(report["diagnostics"])
    assert "module.iam_role" in message and f"{path} could not be read" in message


@pytest.mark.parametrize(
    ("dir_", "why"),
    [
        ("../../../outside", "leads outside the repository root"),
        ("/etc/terraform/iam", "is an absolute path"),
        ("C:\\modules\\iam", "is an absolute path"),
        (
            ".terraform/providers/registry.terraform.io",
            "is not under envs/prod/.terraform/modules/",
        ),
        ("../staging/.terraform/modules/iam_role", "is not under envs/prod/.terraform/modules/"),
    ],
)
def test_a_manifest_dir_outside_the_download_is_never_read(
    tmp_path: Path, capsys: Capture, dir_: str, why: str
) -> None:
    repo = tmp_path / "repo"
    initialised(repo)
    entry = ("iam_role", f"registry.terraform.io/{SOURCE}", "5.30.0", dir_)
    write(repo, {f"{ROOT_DIR}/.terraform/modules/modules.json": manifest(entry)})
    # Something readable where it points, so only the rule can keep it out.
    write(tmp_path, {"outside/main.tf": ROLE_MODULE})
    write(repo, {"envs/staging/.terraform/modules/iam_role/main.tf": ROLE_MODULE})
    document = model(capsys, repo)
    assert document["identities"] == {}
    unsafe = [d for d in document["diagnostics"] if d["kind"] == "unsafe-path"]
    assert [d["path"] for d in unsafe] == [f"{ROOT_DIR}/.terraform/modules/modules.json"]
    assert why in unsafe[0]["message"]
    ((_, _, message),) = not_read(document["diagnostics"])
    assert why in message


def test_a_download_reached_through_a_symlink_is_not_read(tmp_path: Path, capsys: Capture) -> None:
    repo = tmp_path / "repo"
    initialised(repo)
    write(tmp_path, {"outside/main.tf": ROLE_MODULE})
    download = repo / ROOT_DIR / ".terraform/modules/iam_role"
    for path in sorted(download.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    download.rmdir()
    download.symlink_to(tmp_path / "outside", target_is_directory=True)
    document = model(capsys, repo)
    assert document["identities"] == {}
    ((_, _, message),) = not_read(document["diagnostics"])
    assert "is missing, holds no .tf files, or is a symlink" in message


def test_a_symlinked_file_in_the_download_is_not_read(tmp_path: Path, capsys: Capture) -> None:
    repo = tmp_path / "repo"
    initialised(repo)
    write(tmp_path, {"outside/extra.tf": 'resource "aws_iam_role" "extra" {\n  name = "x"\n}\n'})
    (repo / ROOT_DIR / DOWNLOAD / "extra.tf").symlink_to(tmp_path / "outside" / "extra.tf")
    document = model(capsys, repo)
    assert list(document["identities"]) == [ROLE]
    (unsafe,) = [d for d in document["diagnostics"] if d["kind"] == "unsafe-path"]
    assert unsafe["path"] == f"{ROOT_DIR}/{DOWNLOAD}/extra.tf"


# ---- git trees --------------------------------------------------------------------------

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "driftgate tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "driftgate tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, **_GIT_ENV}
    env.pop("GIT_INDEX_FILE", None)
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def git_repo(root: Path) -> Path:
    """An initialised root in a repository that ignores .terraform/, as most do."""
    initialised(root)
    write(root, {".gitignore": ".terraform/\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture(autouse=True)
def _no_outer_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)


def test_the_working_tree_reads_the_untracked_download(tmp_path: Path, capsys: Capture) -> None:
    repo = git_repo(tmp_path / "repo")
    tree = WorkTree(open_repository(repo))
    # The tree's own files leave .terraform/ out; the manifest brings the module in.
    assert [f.path for f in tree.files()] == [f"{ROOT_DIR}/main.tf"]
    assert tree.list_folder(f"{ROOT_DIR}/{DOWNLOAD}") == ["main.tf"]
    document = model(capsys, repo)
    assert list(document["identities"]) == [ROLE]
    assert document["diagnostics"] == []


def test_a_git_revision_has_no_download_so_calls_are_warnings(tmp_path: Path) -> None:
    repo = open_repository(git_repo(tmp_path / "repo"))
    commit = repo.revparse_single("HEAD").peel(pygit2.Commit)
    for tree in (GitRevisionTree(repo, commit), GitIndexTree(repo)):
        built = build_model(tree, ExtractOptions())
        assert built.model.identities == {}
        ((warning),) = [d for d in built.diagnostics if d.kind == "module-not-read"]
        assert (warning.path, warning.line, warning.level) == (f"{ROOT_DIR}/main.tf", 3, "warning")
        assert f"source {SOURCE}, version ~> 5.0" in warning.message


def test_a_committed_download_is_read_from_the_revision(tmp_path: Path) -> None:
    repo_dir = git_repo(tmp_path / "repo")
    git(
        repo_dir,
        "add",
        "-f",
        f"{ROOT_DIR}/.terraform/modules/modules.json",
        f"{ROOT_DIR}/{DOWNLOAD}",
    )
    git(repo_dir, "commit", "-q", "-m", "vendor the module")
    repo = open_repository(repo_dir)
    commit = repo.revparse_single("HEAD").peel(pygit2.Commit)
    built = build_model(GitRevisionTree(repo, commit), ExtractOptions())
    assert list(built.model.identities) == [ROLE]
    assert not [d for d in built.diagnostics if d.kind == "module-not-read"]


def test_diff_against_a_revision_says_the_base_side_of_the_call_was_not_read(
    tmp_path: Path, capsys: Capture
) -> None:
    repo = git_repo(tmp_path / "repo")
    caller = repo / ROOT_DIR / "main.tf"
    caller.write_text(caller.read_text().replace('["s3:GetObject"]', '["s3:*"]'))
    code, report = scan_json(capsys, "--base", "main", repo)
    # Head (the working tree) read the module; the base revision has no .terraform/, so
    # what the call declared there is unknown and the growth cannot be measured: said.
    ((path, line, message),) = not_read(report["diagnostics"])
    assert (path, line) == (f"{ROOT_DIR}/main.tf", 3)
    assert message.startswith("at base: module call module.iam_role not read")
    assert code == report["summary"]["exit_code"] == 0
    code, text = run(capsys, "scan", "--base", "main", repo)
    assert text.splitlines()[-1].endswith("; 1 module call not read.")


def test_directory_tree_never_lists_the_download_as_the_repositorys_own_files(
    tmp_path: Path,
) -> None:
    tree = DirectoryTree(initialised(tmp_path))
    assert [f.path for f in tree.files()] == [f"{ROOT_DIR}/main.tf"]
    assert tree.list_folder(f"{ROOT_DIR}/.terraform/modules") == ["modules.json"]
    assert tree.list_folder("../elsewhere") is None
    assert tree.list_folder(f"{ROOT_DIR}/missing") is None
