"""Helm charts (issue 18): rendered with ``helm template`` when helm is on PATH.

No helm is downloaded: a stand-in ``helm`` script on PATH renders the test chart with
sed, records its arguments and environment, and can be told to fail. Scans run through
the CLI, in-process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tf_support import write_tree

from driftgate.analyzer.cli import main

Capture = pytest.CaptureFixture[str]

STAND_IN = r"""#!/bin/sh
# A stand-in for `helm template RELEASE DIR --namespace NS [--values FILE]...`.
here=$(dirname "$0")
echo "$@" > "$here/args.txt"
env > "$here/env.txt"
if [ -f "$here/fail" ]; then
  echo "Error: template: llm/templates/deploy.yaml:8: function \"oops\" not defined" >&2
  exit 1
fi
release="$2"; dir="$3"; shift 3
sa=$(sed -n 's/^serviceAccount: //p' "$dir/values.yaml")
while [ $# -gt 0 ]; do
  if [ "$1" = "--values" ]; then sa=$(sed -n 's/^serviceAccount: //p' "$2"); shift; fi
  shift
done
for f in "$dir"/templates/*.yaml; do
  echo "---"
  echo "# Source: llm/templates/$(basename "$f")"
  sed -e "s/{{ .Release.Name }}/$release/g" -e "s/{{ .Values.serviceAccount }}/$sa/g" "$f"
done
"""

CHART = {
    "charts/llm/Chart.yaml": "apiVersion: v2\nname: llm\nversion: 0.1.0\n",
    "charts/llm/values.yaml": "serviceAccount: vllm\n",
    "charts/llm/templates/deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-vllm
        spec:
          template:
            spec:
              serviceAccountName: {{ .Values.serviceAccount }}
              containers:
                - name: server
                  image: vllm/vllm-openai:v0.6.3
        """,
    "charts/llm/templates/rbac.yaml": """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: {{ .Release.Name }}-admin
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
          - kind: ServiceAccount
            name: {{ .Values.serviceAccount }}
            namespace: serving
        """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    return root


@pytest.fixture
def helm_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "helm"
    script.write_text(STAND_IN)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


def run(capsys: Capture, *args: str | Path) -> tuple[int, dict[str, Any]]:
    code = main([str(args[0]), "--no-cache", *map(str, args[1:])])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    document: dict[str, Any] = json.loads(out)
    return code, document


def test_rendered_objects_are_read_at_their_template(
    tmp_path: Path, capsys: Capture, helm_bin: Path
) -> None:
    tree = write(tmp_path / "repo", CHART)
    code, model = run(capsys, "model", tree)
    assert code == 0
    (workload,) = model["workloads"].values()
    assert workload["name"] == "release-vllm"
    assert workload["inference"] is True
    assert workload["location"]["path"] == "charts/llm/templates/deploy.yaml"
    # The release namespace is given to objects that name none, as helm install does.
    assert workload["identities"] == ["k8s:default/ServiceAccount/vllm"]
    grants = [g for g in model["grants"] if g["identity"] == "k8s:serving/ServiceAccount/vllm"]
    assert grants and grants[0]["location"]["path"] == "charts/llm/templates/rbac.yaml"
    assert model["diagnostics"] == []
    # helm ran on a copy, with nothing of the user's helm: no plugins, no cluster.
    args = (helm_bin / "args.txt").read_text().split()
    assert args[:2] == ["template", "release"] and args[3:5] == ["--namespace", "default"]
    env = dict(line.split("=", 1) for line in (helm_bin / "env.txt").read_text().splitlines())
    assert env["KUBECONFIG"] == os.devnull
    assert env["HELM_PLUGINS"].startswith(str(Path(args[2]).parent))
    assert not Path(args[2]).exists()  # the copy is gone


def test_configured_release_namespace_and_values(
    tmp_path: Path, capsys: Capture, helm_bin: Path
) -> None:
    files = {
        **CHART,
        "deploy/prod-values.yaml": "serviceAccount: vllm-prod\n",
        ".driftgate.yaml": """\
            helm:
              charts:
                - path: charts/llm
                  release: chat
                  namespace: ml-prod
                  values: [deploy/prod-values.yaml]
            """,
    }
    code, model = run(capsys, "model", write(tmp_path / "repo", files))
    assert code == 0
    (workload,) = model["workloads"].values()
    assert workload["address"] == "k8s:ml-prod/Deployment/chat-vllm"
    assert workload["identities"] == ["k8s:ml-prod/ServiceAccount/vllm-prod"]


def test_without_helm_each_chart_is_one_warning(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    files = {**CHART, "k8s/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n"}
    code, report = run(capsys, "scan", "-f", "json", write(tmp_path / "repo", files))
    assert code == 0
    ((path, level, message),) = [
        (d["path"], d["level"], d["message"]) for d in report["diagnostics"]
    ]
    assert (path, level) == ("charts/llm/Chart.yaml", "warning")
    assert "charts/llm" in message and "helm is not on PATH" in message


def test_render_off_and_a_failing_chart_are_warnings(
    tmp_path: Path, capsys: Capture, helm_bin: Path
) -> None:
    files = {**CHART, "k8s/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n"}
    tree = write(tmp_path / "repo", files)
    (helm_bin / "fail").write_text("")
    code, report = run(capsys, "scan", "-f", "json", tree)
    assert code == 0
    (warning,) = report["diagnostics"]
    assert warning["level"] == "warning" and "could not be rendered" in warning["message"]
    assert 'function "oops" not defined' in warning["message"]

    write(tree, {".driftgate.yaml": "helm:\n  render: off\n"})
    (helm_bin / "args.txt").unlink()
    code, report = run(capsys, "scan", "-f", "json", tree)
    assert code == 0
    (warning,) = report["diagnostics"]
    assert "rendering is off" in warning["message"]
    assert not (helm_bin / "args.txt").exists()  # helm never ran


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


def test_a_pull_request_that_changes_a_chart_is_diffed_from_git(
    tmp_path: Path, capsys: Capture, helm_bin: Path
) -> None:
    """Both revisions are rendered from git objects, not from the working tree."""
    repo = write(tmp_path / "repo", CHART)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "chart")
    base = git(repo, "rev-parse", "HEAD")
    admin = CHART["charts/llm/templates/rbac.yaml"].replace("name: view", "name: cluster-admin")
    write(repo, {"charts/llm/templates/rbac.yaml": admin})
    git(repo, "commit", "-qam", "admin")
    # The working tree differs from both: it must not be what is rendered.
    write(repo, {"charts/llm/templates/rbac.yaml": CHART["charts/llm/templates/rbac.yaml"]})
    code, report = run(capsys, "scan", "-f", "json", "--base", base, "--head", "HEAD", repo)
    assert code == 1
    growth = [f for f in report["findings"] if f["check"] in ("DG101", "DG104")]
    assert growth
    assert {f["location"]["path"] for f in growth} == {"charts/llm/templates/rbac.yaml"}
    assert all(f["identity"] == "k8s:serving/ServiceAccount/vllm" for f in growth)
