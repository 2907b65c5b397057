"""Baselines: `driftgate baseline write`, then `scan --baseline` (or `baseline:` in the
config) reports only what is not in it and says which entries were fixed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_github_action import (
    commit_all,
    git,
    make_upstream,
    run_action,
    runner,
    shallow_checkout,
)

from driftgate.analyzer.cli import cli
from driftgate.analyzer.engine import baseline

DEMO = Path(__file__).resolve().parent.parent / "testdata" / "demo"
BASELINE = ".driftgate-baseline.json"
# An inference ServiceAccount token that lives a year (DG302) and one more made later.
TOKEN_YAML = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: ml-prod
  labels:
    owner: ml-platform
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: ml-prod
  labels:
    app.kubernetes.io/component: inference
    owner: ml-platform
spec:
  template:
    spec:
      serviceAccountName: {name}
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.0
          volumeMounts:
            - name: token
              mountPath: /var/run/secrets/tokens
      volumes:
        - name: token
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  expirationSeconds: {ttl}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def report(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("scan", str(repo), "-f", "json", "--fail-on", "low", *args)
    return result.exit_code, json.loads(result.stdout)


def counted(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (f["check"], f["identity"])
        for f in document["findings"]
        if f["suppressed"] is None and f["baseline_state"] != "absent"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two DG302 findings (two year-long tokens), committed."""
    root = tmp_path / "repo"
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "a.yaml").write_text(TOKEN_YAML.format(name="a", ttl=31536000))
    (root / "k8s" / "b.yaml").write_text(TOKEN_YAML.format(name="b", ttl=31536000))
    git(root, "init", "-q")
    commit_all(root, "two long-lived tokens")
    return root


def write_baseline(repo: Path, *args: str) -> Result:
    return run("baseline", "write", str(repo / BASELINE), str(repo), *args)


def test_round_trip_hides_what_was_there_and_reports_what_is_new(repo: Path) -> None:
    code, before = report(repo)
    assert code == 1 and len(counted(before)) == 2

    written = write_baseline(repo)
    assert written.exit_code == 0, written.output
    assert "wrote 2 findings" in written.stderr
    entries = json.loads((repo / BASELINE).read_text())["findings"]
    assert [(e["check"], e["path"]) for e in entries] == [
        ("DG302", "k8s/a.yaml"),
        ("DG302", "k8s/b.yaml"),
    ]
    assert {e["fingerprint"] for e in entries} == {
        f["fingerprint"] for f in before["findings"] if f["check"] == "DG302"
    }

    code, after = report(repo, "--baseline", str(repo / BASELINE))
    assert code == 0 and counted(after) == []
    assert after["summary"]["in_baseline"] == 2 and after["summary"]["suppressed"] == 0
    assert all(f["in_baseline"] for f in after["findings"])
    text = run("scan", str(repo), "--baseline", str(repo / BASELINE))
    assert text.exit_code == 0 and "2 in the baseline" in text.stdout

    # A third token is new: reported, and fails the run; the two old ones stay hidden.
    (repo / "k8s" / "c.yaml").write_text(TOKEN_YAML.format(name="c", ttl=31536000))
    code, grown = report(repo, "--baseline", str(repo / BASELINE))
    assert code == 1
    assert [identity for _, identity in counted(grown)] == ["k8s:ml-prod/ServiceAccount/c"]


def test_the_file_is_stable_sorted_and_one_line_per_finding(repo: Path) -> None:
    write_baseline(repo)
    first = (repo / BASELINE).read_bytes()
    write_baseline(repo, "--no-cache")
    assert (repo / BASELINE).read_bytes() == first
    lines = first.decode().splitlines()
    assert len(lines) == 2 + 2  # opening, one line per finding, closing
    assert all(json.loads(line.rstrip(","))["check"] == "DG302" for line in lines[1:-1])


def test_an_entry_survives_unrelated_edits_that_move_its_line(repo: Path) -> None:
    write_baseline(repo)
    yaml_a = repo / "k8s" / "a.yaml"
    yaml_a.write_text("# moved down by a comment\n\n\n" + yaml_a.read_text())
    code, document = report(repo, "--baseline", str(repo / BASELINE))
    assert code == 0 and counted(document) == []
    assert document["diagnostics"] == []


def test_a_fixed_finding_makes_its_entry_stale_at_its_line(repo: Path) -> None:
    write_baseline(repo)
    (repo / "k8s" / "b.yaml").write_text(TOKEN_YAML.format(name="b", ttl=3600))
    code, document = report(repo, "--baseline", str(repo / BASELINE))
    assert code == 0  # a stale entry is a warning, not a failure
    (stale,) = document["diagnostics"]
    assert (stale["kind"], stale["level"], stale["path"], stale["line"]) == (
        "stale-baseline",
        "warning",
        str(repo / BASELINE).removeprefix(str(repo) + "/"),
        3,  # the second entry's line
    )
    assert "k8s:ml-prod/ServiceAccount/b" in stale["message"]
    assert "fixed" in stale["message"]


def test_entries_of_checks_or_folders_not_scanned_are_not_stale(repo: Path) -> None:
    write_baseline(repo)
    code, selected = report(repo, "--baseline", str(repo / BASELINE), "--select", "DG1")
    assert code == 0 and selected["diagnostics"] == []
    (repo / "other").mkdir()
    (repo / "other" / "x.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\n")
    code, excluded = report(repo, "--baseline", str(repo / BASELINE), "--exclude", "k8s/b.yaml")
    assert code == 0 and excluded["diagnostics"] == []


def test_the_config_names_the_baseline(repo: Path) -> None:
    write_baseline(repo)
    (repo / ".driftgate.yaml").write_text(f"baseline: {BASELINE}\n")
    code, document = report(repo)
    assert code == 0 and document["summary"]["in_baseline"] == 2


def test_a_missing_or_broken_baseline_is_exit_2_naming_the_file(repo: Path) -> None:
    missing = run("scan", str(repo), "--baseline", str(repo / "nope.json"))
    assert missing.exit_code == 2 and "nope.json" in missing.stderr
    (repo / BASELINE).write_text('{"driftgate-baseline": 1, "findings": [\n  {"check": 1}\n')
    broken = run("scan", str(repo), "--baseline", str(repo / BASELINE))
    assert broken.exit_code == 2
    assert f"{BASELINE}:3: not JSON" in broken.stderr
    (repo / BASELINE).write_text('{"findings": []}\n')
    alien = run("scan", str(repo), "--baseline", str(repo / BASELINE))
    assert alien.exit_code == 2 and "not a driftgate baseline" in alien.stderr
    assert "Traceback" not in broken.output + alien.output


def test_a_baseline_from_a_run_that_could_not_read_a_file_says_so(repo: Path) -> None:
    (repo / "k8s" / "broken.yaml").write_text("kind: [unclosed\n")
    written = write_baseline(repo)
    assert written.exit_code == 2
    assert "broken.yaml" in written.stderr and "may be incomplete" in written.stderr
    assert len(json.loads((repo / BASELINE).read_text())["findings"]) == 2


def test_diff_mode_keeps_entries_of_findings_the_change_leaves_alone(repo: Path) -> None:
    write_baseline(repo)
    commit_all(repo, "adopt driftgate")
    (repo / "k8s" / "b.yaml").write_text(TOKEN_YAML.format(name="b", ttl=3600))
    code, document = report(repo, "--base", "HEAD", "--baseline", str(repo / BASELINE))
    # a.yaml's finding is unchanged, so its entry lives; b.yaml's was fixed by the change.
    stale = [d["message"] for d in document["diagnostics"] if d["kind"] == "stale-baseline"]
    assert code == 0 and len(stale) == 1 and "ServiceAccount/b" in stale[0]
    assert not [f for f in document["findings"] if f["baseline_state"] == "unchanged"]
    _, everything = report(repo, "--base", "HEAD", "--all", "--baseline", str(repo / BASELINE))
    (kept,) = [f for f in everything["findings"] if f["baseline_state"] == "unchanged"]
    assert kept["in_baseline"] and kept["identity"] == "k8s:ml-prod/ServiceAccount/a"


def test_sarif_marks_baselined_results_as_externally_suppressed(repo: Path) -> None:
    write_baseline(repo)
    out = run("scan", str(repo), "-f", "sarif", "--baseline", str(repo / BASELINE))
    results = json.loads(out.stdout)["runs"][0]["results"]
    assert len(results) == 2
    for result in results:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external"
        assert BASELINE in suppression["justification"]


def test_with_config_from_base_a_change_cannot_baseline_its_own_findings(repo: Path) -> None:
    write_baseline(repo)
    (repo / ".driftgate.yaml").write_text(f"baseline: {BASELINE}\n")
    commit_all(repo, "adopt driftgate")
    # The change adds a third token and writes it into the baseline in the same commit.
    (repo / "k8s" / "c.yaml").write_text(TOKEN_YAML.format(name="c", ttl=31536000))
    write_baseline(repo)
    commit_all(repo, "a new token, baselined by the change itself")
    code, trusted = report(repo, "--base", "HEAD~1", "--config-from", "base")
    assert code == 1
    assert [identity for _, identity in counted(trusted)] == ["k8s:ml-prod/ServiceAccount/c"]
    code, own = report(repo, "--base", "HEAD~1", "--config-from", "head")
    assert code == 0 and counted(own) == []


def test_a_baseline_the_base_lacks_is_a_warning_with_config_from_base(repo: Path) -> None:
    commit_all(repo, "before adoption")
    write_baseline(repo)
    code, document = report(
        repo, "--base", "HEAD", "--config-from", "base", "--baseline", str(repo / BASELINE)
    )
    (note,) = document["diagnostics"]
    assert note["level"] == "warning" and "not in the base tree" in note["message"]
    assert code == 0


def test_hostile_entries_are_refused_with_their_position() -> None:
    with pytest.raises(baseline.BaselineError, match="entry 1 has no fingerprint"):
        baseline.loads(b'{"driftgate-baseline": 1, "findings": [{"check": "DG101"}]}', "b.json")
    with pytest.raises(baseline.BaselineError, match="not UTF-8"):
        baseline.loads(b"\xff\xfe", "b.json")
    many = {"driftgate-baseline": 1, "findings": [{}] * (baseline.MAX_ENTRIES + 1)}
    with pytest.raises(baseline.BaselineError, match="more than"):
        baseline.loads(json.dumps(many).encode(), "b.json")


def test_the_action_input_hides_what_the_base_baselined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository had the demo's findings before the pull request; with --all the
    # pull request's run reports every finding, except those main's baseline holds.
    upstream = make_upstream(tmp_path)
    shutil.copytree(DEMO / "head", upstream.path / "adopted", dirs_exist_ok=True)
    git(upstream.path, "checkout", "-q", "main")
    git(upstream.path, "add", "-A")
    write_baseline(upstream.path, "--select", "DG2,DG3")
    commit_all(upstream.path, "baseline")
    workspace = shallow_checkout(tmp_path, upstream, "main")
    r = runner(
        tmp_path,
        workspace,
        {},
        baseline=BASELINE,
        fail_on="low",
        args="--select DG2,DG3",
    )
    r.env["GITHUB_EVENT_NAME"] = "workflow_dispatch"
    code, out = run_action(r, capsys, monkeypatch)
    assert (code, r.outputs["findings"]) == (0, "0"), out
    assert "in the baseline" in r.summary


def test_a_file_that_cannot_be_parsed_does_not_make_its_entries_stale(repo: Path) -> None:
    write_baseline(repo)
    with (repo / "k8s" / "b.yaml").open("a") as broken:
        broken.write("---\nkind: [unclosed\n")
    result = run("scan", str(repo), "-f", "json", "--baseline", str(repo / BASELINE))
    assert result.exit_code == 2  # the file could not be read: the run cannot be trusted
    kinds = [d["kind"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "stale-baseline" not in kinds and "parse-error" in kinds


def test_hostile_baseline_files_are_exit_2_not_a_traceback(repo: Path) -> None:
    (repo / "loop.json").symlink_to(repo / BASELINE)
    (repo / BASELINE).symlink_to(repo / "loop.json")
    commit_all(repo, "a symlink loop")
    looped = run(
        "scan",
        str(repo),
        "--base",
        "HEAD",
        "--config-from",
        "base",
        "--baseline",
        str(repo / BASELINE),
    )
    assert looped.exit_code in (0, 2) and "Traceback" not in looped.output
    with pytest.raises(baseline.BaselineError, match="nested too deeply"):
        baseline.loads(b'{"driftgate-baseline": 1, "findings": ' + b"[" * 200_000, "b.json")
    with pytest.raises(baseline.BaselineError, match="not a driftgate baseline"):
        baseline.loads(b'{"driftgate-baseline": true, "findings": []}', "b.json")


def test_the_action_reads_the_baseline_from_the_base_even_with_a_configuration_in_args(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pull request grows privileges and adds its new findings to the baseline.
    upstream = make_upstream(tmp_path)
    git(upstream.path, "checkout", "-q", "pr")
    write_baseline(upstream.path, "--select", "DG1,DG2,DG3")
    commit_all(upstream.path, "baseline my own findings")
    pr_head = git(upstream.path, "rev-parse", "HEAD")
    git(upstream.path, "checkout", "-q", "main")
    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", str(upstream.path), str(workspace))
    git(workspace, "checkout", "-q", "--detach", pr_head)
    trusted = tmp_path / "trusted.yaml"
    trusted.write_text("select: [DG1, DG2, DG3]\n")
    event = {
        "pull_request": {"number": 1, "base": {"sha": upstream.base}, "head": {"sha": pr_head}}
    }
    r = runner(tmp_path, workspace, event, baseline=BASELINE, args=f"-c {trusted}")
    code, out = run_action(r, capsys, monkeypatch)
    assert code == 1 and r.outputs["findings"] != "0", out
    assert "not in the base tree" in out
