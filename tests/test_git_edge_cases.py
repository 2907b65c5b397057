"""Git situations a CI job or a pre-commit hook meets, each with a clear message and
the exit code a user relies on: shallow clones, unknown and unborn revisions, a
detached HEAD, empty repositories, diverged and unrelated histories, submodules,
renames and deletions, paths with spaces, case-only renames.

Repositories are built with the git CLI in a temporary folder; the CLI runs
in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

ROLE = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}
"""
READ = """\
resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
"""
PASSROLE = READ.replace('"s3:GetObject"', '"iam:PassRole"')
_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV},
    )
    return proc.stdout.strip()


def commit(repo: Path, message: str, files: dict[str, str | None]) -> str:
    """Write (or, for None, delete) ``files``, commit them, return the commit id."""
    for name, content in files.items():
        target = repo / name
        if content is None:
            git(repo, "rm", "-q", name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        git(repo, "add", name)
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def cli(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(["scan", "--no-cache", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def scan_json(capsys: Capture, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(capsys, "-f", "json", *args)
    assert out, err
    report: dict[str, Any] = json.loads(out)
    return code, report


def checks(report: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((f["check"], f["location"]["path"]) for f in report["findings"])


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """main: a role that reads, then gains iam:PassRole in the last of three commits."""
    repo = new_repo(tmp_path / "origin")
    commit(repo, "role", {"main.tf": ROLE})
    commit(repo, "read", {"policy.tf": READ})
    commit(repo, "passrole", {"policy.tf": PASSROLE})
    return repo


def test_shallow_clone_without_the_base_says_how_to_fetch_it(
    history: Path, tmp_path: Path, capsys: Capture
) -> None:
    base = git(history, "rev-parse", "HEAD~1")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history}", str(clone))
    code, _, err = cli(capsys, "--base", base, str(clone))
    assert code == 2
    assert err.strip() == (
        f"driftgate: error: unknown git revision '{base}'; the clone is shallow: fetch the"
        " full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
    )
    # Fetching the history the message names is enough.
    git(clone, "fetch", "-q", "--unshallow")
    code, report = scan_json(capsys, "--base", base, str(clone))
    assert code == 1 and checks(report) == [("DG104", "policy.tf")]


def test_unknown_revision_is_named(history: Path, capsys: Capture) -> None:
    code, _, err = cli(capsys, "--base", "no-such-branch", str(history))
    assert (code, err.strip()) == (2, "driftgate: error: unknown git revision 'no-such-branch'")
    code, _, err = cli(capsys, "--head", "v9.9", str(history))
    assert (code, err.strip()) == (2, "driftgate: error: unknown git revision 'v9.9'")


def test_detached_head_is_compared_like_a_branch(history: Path, capsys: Capture) -> None:
    base = git(history, "rev-parse", "HEAD~1")
    git(history, "checkout", "-q", "--detach", "HEAD")
    code, report = scan_json(capsys, "--base", base, str(history))
    assert code == 1 and checks(report) == [("DG104", "policy.tf")]
    assert report["base"] == f"{base}@{base[:7]}"


def test_empty_repository(tmp_path: Path, capsys: Capture) -> None:
    repo = new_repo(tmp_path / "empty")
    code, _, err = cli(capsys, "--base", "main", str(repo))
    assert (code, err.strip()) == (
        2,
        "driftgate: error: unknown git revision 'main': the repository has no commits yet",
    )
    # An empty tree is nothing analysed: not a pass.
    code, out, _ = cli(capsys, str(repo))
    assert code == 2 and "Nothing analysed: no Terraform or Kubernetes file among 0 files" in out
    # Nothing to compare with is not an error for the index.
    (repo / "main.tf").write_text(ROLE + PASSROLE)
    git(repo, "add", "main.tf")
    code, report = scan_json(capsys, "--staged", str(repo))
    assert report["base"] == "HEAD (no commits yet)"
    assert code == 0 and report["diagnostics"] == []


def test_unborn_branch_says_there_is_nothing_to_compare_yet(history: Path, capsys: Capture) -> None:
    git(history, "checkout", "-q", "--orphan", "fresh")
    code, _, err = cli(capsys, "--base", "main", str(history))
    assert (code, err.strip()) == (
        2,
        "driftgate: error: HEAD has no commits yet (branch fresh is unborn): commit something"
        " first, or scan the working tree or --staged without --base/--head",
    )


def test_a_base_that_is_not_an_ancestor_is_replaced_by_the_merge_base(
    history: Path, capsys: Capture
) -> None:
    """Like `git diff main...HEAD`: what main did after the fork is not the branch's."""
    fork = git(history, "rev-parse", "HEAD~1")
    git(history, "checkout", "-q", "-b", "feature", fork)
    commit(history, "feature", {"other.tf": ROLE.replace('"app"', '"other"')})
    code, report = scan_json(capsys, "--base", "main", str(history))
    # main's own PassRole (after the fork) is not reported against the branch.
    assert code == 0 and checks(report) == []
    assert report["base"] == f"merge-base(main, HEAD)@{fork[:7]}"


def test_unrelated_histories_are_refused_with_a_way_out(history: Path, capsys: Capture) -> None:
    git(history, "checkout", "-q", "--orphan", "unrelated")
    git(history, "rm", "-q", "-rf", ".")
    commit(history, "unrelated", {"main.tf": ROLE})
    code, _, err = cli(capsys, "--base", "main", str(history))
    assert (code, err.strip()) == (
        2,
        "driftgate: error: no common ancestor between main and HEAD: the histories are"
        " unrelated; name a base the head descends from, or compare two folders with"
        " --base DIR",
    )


def test_submodules_are_not_read_and_are_named(tmp_path: Path, capsys: Capture) -> None:
    inner = new_repo(tmp_path / "inner")
    commit(inner, "inner", {"main.tf": ROLE + PASSROLE})
    repo = new_repo(tmp_path / "outer")
    commit(repo, "outer", {"main.tf": ROLE})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "mods")
    git(repo, "commit", "-qm", "submodule")
    expected = [
        {
            "path": "mods",
            "line": 1,
            "kind": "unsafe-path",
            "level": "warning",
            "message": "submodule not read: mods is another repository; scan it on its own",
        }
    ]
    for args in ([], ["--head", "HEAD"], ["--staged"]):
        code, report = scan_json(capsys, *args, str(repo))
        assert (code, report["diagnostics"]) == (0, expected), args
        assert report["summary"]["files_scanned"] == 1


def test_renamed_deleted_and_case_renamed_files(history: Path, capsys: Capture) -> None:
    base = git(history, "rev-parse", "HEAD")
    (history / "iam").mkdir()
    git(history, "mv", "policy.tf", "iam/policy.tf")
    git(history, "mv", "main.tf", "iam/Main.tf")
    git(history, "commit", "-qm", "move")
    # Moving a root's files together changes no identity and no permission.
    code, report = scan_json(capsys, "--base", base, str(history))
    assert (code, checks(report), report["diagnostics"]) == (0, [], [])
    commit(history, "delete", {"iam/policy.tf": None})
    code, report = scan_json(capsys, "--base", base, str(history))
    assert (code, checks(report), report["diagnostics"]) == (0, [], [])
    assert report["summary"]["files_scanned"] == 1


def test_a_repository_path_with_spaces(tmp_path: Path, capsys: Capture) -> None:
    repo = new_repo(tmp_path / "my infra repo")
    base = commit(repo, "role", {"envs/prod stack/main.tf": ROLE})
    commit(repo, "grant", {"envs/prod stack/policy.tf": PASSROLE})
    code, report = scan_json(capsys, "--base", base, str(repo / "envs" / "prod stack"))
    assert code == 1 and checks(report) == [("DG104", "envs/prod stack/policy.tf")]
    code, out, _ = cli(capsys, "-f", "sarif", "--base", base, str(repo))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert uris == {"envs/prod%20stack/policy.tf"}


def test_a_file_broken_at_base_too_does_not_fail_a_pull_request(
    history: Path, capsys: Capture
) -> None:
    """data-on-eks: an unchanged, broken benchmark manifest made every run exit 2."""
    broken = "kind: Job\nspec:\n  containers:\n    - name: a\n  - name: b\n"
    base = commit(history, "broken sample", {"bench/job.yaml": broken})
    # A change elsewhere: the broken file is the same blob at both sides.
    commit(history, "grant", {"policy.tf": READ})
    code, report = scan_json(capsys, "--base", base, str(history))
    ((path, level, message),) = [
        (d["path"], d["level"], d["message"]) for d in report["diagnostics"]
    ]
    assert (path, level) == ("bench/job.yaml", "warning")
    assert "broken at base too" in message
    assert code == report["summary"]["exit_code"] == 0
    # Edited and still broken: still not this change's doing.
    commit(history, "edit", {"bench/job.yaml": broken + "# edited\n"})
    code, report = scan_json(capsys, "--base", base, str(history))
    assert code == 0 and [d["level"] for d in report["diagnostics"]] == ["warning"]


def test_a_file_the_change_breaks_still_fails_the_run(history: Path, capsys: Capture) -> None:
    base = commit(history, "sample", {"bench/job.yaml": "kind: Job\n"})
    commit(history, "break", {"bench/job.yaml": "kind: Job\n  - nope: [\n"})
    code, report = scan_json(capsys, "--base", base, str(history))
    assert code == 2
    assert [(d["path"], d["level"]) for d in report["diagnostics"]] == [("bench/job.yaml", "error")]
