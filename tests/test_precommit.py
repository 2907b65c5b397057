"""The pre-commit hook, run by the real `pre-commit` in throw-away git repositories.

`pre-commit try-repo PROJECT driftgate` installs driftgate from PROJECT into a fresh
virtualenv with pip, exactly as a user's `pre-commit install` would, then runs the
hook from .pre-commit-hooks.yaml. PROJECT is a snapshot of this checkout as it is on
disk (tracked and untracked files, .gitignore respected, committed in a temporary
repository), so uncommitted work is what gets tested and this checkout's git state is
never touched.

Building that virtualenv needs a package index: pip resolves driftgate's dependencies
and the build backend, and try-repo builds a fresh environment on every call (about 15
seconds with pip's cache warm). Before the first build, `pip download` of one of
driftgate's dependencies checks that an index answers; when none does, these tests are
skipped with pip's own error as the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from driftgate.analyzer.cli import hook_tree_args

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "testdata" / "demo"
MAIN_TF = "terraform/envs/staging/main.tf"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "driftgate tests",
    "GIT_AUTHOR_EMAIL": "tests@driftgate.invalid",
    "GIT_COMMITTER_NAME": "driftgate tests",
    "GIT_COMMITTER_EMAIL": "tests@driftgate.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # Not inherited from a git hook or a pre-commit run this suite may be inside.
        if not k.startswith(("GIT_", "PRE_COMMIT"))
    }
    return {**env, **GIT_ENV, **extra}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=_env({}),
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def snapshot_of_this_checkout(dest: Path) -> Path:
    """This checkout's files as they are on disk, committed in a new repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: cannot snapshot it for try-repo")
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        target = dest / name
        if name and source.is_symlink():
            # driftgate/analyzer and driftgate/checks: links, kept as links.
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source.readlink())
            continue
        if not name or not source.is_file():
            continue  # deleted in the working tree, or not a regular file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot for pre-commit try-repo")
    return dest


@dataclass
class PreCommit:
    project: Path
    home: Path

    def try_repo(self, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(self.project), "driftgate", *args],
            cwd=repo,
            env=_env({"PRE_COMMIT_HOME": str(self.home), "PRE_COMMIT_COLOR": "never"}),
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )


def skip_unless_pip_reaches_an_index(scratch: Path) -> None:
    """Skip, quoting pip, when pip cannot download driftgate's first dependency."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirement = project["dependencies"][0]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir"]
    command += ["--timeout", "30", "--retries", "1", "--dest", str(scratch), requirement]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip(f"`pip download {requirement}` hung for 300 s: no package index answers here")
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if "ERROR" in line or "Error" in line]
        why = (errors or proc.stderr.strip().splitlines() or ["no output"])[-1].strip()
        pytest.skip(
            "pre-commit builds the hook's virtualenv by `pip install`-ing this project, and pip"
            f" cannot reach a package index here (`pip download {requirement}`: {why})"
        )


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreCommit]:
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (.[test])")
    base = tmp_path_factory.mktemp("pre-commit")
    skip_unless_pip_reaches_an_index(base / "pip-probe")
    yield PreCommit(snapshot_of_this_checkout(base / "project"), base / "home")


def demo_repo(tmp_path: Path) -> Path:
    """A user's repository at the demo's base, committed."""
    repo = tmp_path / "repo"
    shutil.copytree(DEMO / "base", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def test_staged_privilege_growth_fails_the_commit(pre_commit: PreCommit, tmp_path: Path) -> None:
    repo = demo_repo(tmp_path)
    (repo / MAIN_TF).write_text((DEMO / "head" / MAIN_TF).read_text())
    git(repo, "add", MAIN_TF)
    proc = pre_commit.try_repo(repo)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert re.search(r"driftgate \(identity drift\)\.+Failed", out)
    assert "- exit code: 1" in out
    assert f"{MAIN_TF}:56: DG104 [critical]" in out
    assert f"{MAIN_TF}:50: DG101 [high]" in out
    assert "iam:PassRole on *" in out
    assert "2 new findings (1 critical, 1 high) against HEAD" in out


def test_harmless_change_passes(pre_commit: PreCommit, tmp_path: Path) -> None:
    repo = demo_repo(tmp_path)
    tf = repo / MAIN_TF
    tf.write_text(tf.read_text() + "\n# Reviewed by the platform team.\n")
    git(repo, "add", MAIN_TF)
    proc = pre_commit.try_repo(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"driftgate \(identity drift\)\.+Passed", proc.stdout)


def test_push_stage_judges_the_pushed_range(pre_commit: PreCommit, tmp_path: Path) -> None:
    repo = demo_repo(tmp_path)
    (repo / MAIN_TF).write_text((DEMO / "head" / MAIN_TF).read_text())
    git(repo, "commit", "-q", "-am", "grow the role")
    # What pre-push does: PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF name the pushed commits.
    # Nothing is staged, so --staged alone would find nothing.
    args = ("--hook-stage", "pre-push", "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    proc = pre_commit.try_repo(repo, *args)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{MAIN_TF}:56: DG104 [critical]" in proc.stdout
    assert "against HEAD~1" in proc.stdout


def test_no_index_is_detected_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The skip above is precise: an index that does not answer is named by pip's error."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no configured mirrors or find-links
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_RETRIES", "0")
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_unless_pip_reaches_an_index(tmp_path)
    reason = str(skipped.value)
    assert "pip cannot reach a package index here (`pip download python-hcl2" in reason
    # pip's own words follow (whatever its version says), so the cause is not lost.
    assert reason.split("`: ", 1)[1].strip(" )")


# --- the manifest and `driftgate hook` without pre-commit ----------------------------------


def test_manifest_declares_the_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "driftgate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["entry"] == "driftgate hook"
    assert set(hook["stages"]) >= {"pre-commit", "pre-push"}
    files = re.compile(hook["files"])
    for name in (
        "main.tf",
        "envs/prod/terraform.tfvars",
        "k8s/prod/llm.yaml",
        "k8s/ml.yml",
        ".driftgate.yaml",
        "plan.json",
        "envs/prod/tfplan.json",
        "envs/prod/prod.plan.json",
        "main.tf.json",
        "prod.tfvars.json",
    ):
        assert files.search(name), name
    for name in ("README.md", "package.json", "src/app.py", "main.tfstate", "explain.json"):
        assert not files.search(name), name


def test_hook_tree_args_follow_the_stage() -> None:
    assert hook_tree_args({}) == ["--staged"]
    assert hook_tree_args({"PRE_COMMIT_FROM_REF": "abc"}) == ["--staged"]
    assert hook_tree_args({"PRE_COMMIT_FROM_REF": "abc", "PRE_COMMIT_TO_REF": "def"}) == [
        "--base",
        "abc",
        "--head",
        "def",
    ]


def _hook(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftgate", "hook", *args],
        cwd=repo,
        env=_env({"PYTHONPATH": str(ROOT), **env}),
        capture_output=True,
        text=True,
        check=False,
    )


def test_hook_command_staged_and_pushed(tmp_path: Path) -> None:
    repo = demo_repo(tmp_path)
    (repo / MAIN_TF).write_text((DEMO / "head" / MAIN_TF).read_text())
    assert _hook(repo).returncode == 0  # nothing staged yet
    git(repo, "add", MAIN_TF)
    staged = _hook(repo, "--quiet", "--fail-on", "critical")
    assert staged.returncode == 1
    # --quiet: only the failing finding, then the summary.
    assert staged.stdout.splitlines()[0].startswith(f"{MAIN_TF}:56: DG104 [critical]")
    assert len(staged.stdout.splitlines()) == 2
    git(repo, "commit", "-q", "-m", "grow")
    pushed = _hook(repo, PRE_COMMIT_FROM_REF="HEAD~1", PRE_COMMIT_TO_REF="HEAD")
    assert pushed.returncode == 1
    assert "against HEAD~1" in pushed.stdout
    assert _hook(repo, "--select", "DG3").returncode == 0
