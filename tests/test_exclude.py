"""exclude: gitignore-style patterns of files driftgate does not read at all.

Real repositories carry documentation samples, examples and test fixtures that are not
deployed (kserve's docs/samples held most of its findings); a user leaves them out in
the configuration or with --exclude, before parsing, and the summary counts them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE_WORKLOAD = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: sklearn-iris
  namespace: default
spec:
  predictor:
    model:
      modelFormat: {name: sklearn}
"""
SERVICE_ACCOUNT = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: ml\n"
    "  labels: {owner: ml-platform}\n"
)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftgate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _tree(root: Path) -> None:
    files = {
        "deploy/sa.yaml": SERVICE_ACCOUNT,
        "docs/samples/iris.yaml": SAMPLE_WORKLOAD,
        "docs/samples/broken.yaml": "kind: [unclosed\n",
        "charts/x/examples/iris.yaml": SAMPLE_WORKLOAD.replace("iris", "chart-iris"),
        "test/e2e/iris.yaml": SAMPLE_WORKLOAD.replace("iris", "e2e-iris"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_without_exclude_the_samples_are_read_and_fail_the_run(tmp_path: Path) -> None:
    _tree(tmp_path)
    proc = run(tmp_path, "scan", "-f", "json", ".")
    report = json.loads(proc.stdout)
    assert proc.returncode == 2  # docs/samples/broken.yaml
    assert report["summary"]["files_excluded"] == 0
    assert any(f["location"]["path"].startswith("docs/") for f in report["findings"])


def test_config_and_option_patterns_leave_files_out_before_parsing(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".driftgate.yaml").write_text("exclude:\n  - docs/\n  - /test/\n")
    proc = run(tmp_path, "scan", "-f", "json", "--exclude", "**/examples/", ".")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["findings"] == [] and report["diagnostics"] == []
    assert report["summary"]["files_excluded"] == 4
    assert report["summary"]["files_scanned"] == 2  # deploy/sa.yaml, .driftgate.yaml
    text = run(tmp_path, "scan", "--exclude", "**/examples/", ".").stdout
    assert "in 2 files (4 excluded)" in text.splitlines()[-1]
    model = json.loads(run(tmp_path, "model", "--exclude", "**/examples/", ".").stdout)
    assert set(model["workloads"]) == set()
    assert "k8s:ml/ServiceAccount/app" in model["identities"]


def test_exclude_applies_to_the_base_of_a_diff_too(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    for side in (base, head):
        side.mkdir()
        _tree(side)
    (head / "docs" / "samples" / "iris2.yaml").write_text(SAMPLE_WORKLOAD.replace("iris", "i2"))
    proc = run(
        tmp_path,
        "scan",
        "-f",
        "json",
        "--exclude",
        "docs/",
        "--exclude",
        "test/",
        "--exclude",
        "charts/",
        "--base",
        str(base),
        str(head),
    )
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert report["findings"] == [] and report["diagnostics"] == []


def test_excluding_everything_is_nothing_analysed(tmp_path: Path) -> None:
    _tree(tmp_path)
    proc = run(tmp_path, "scan", "--exclude", "*.yaml", ".")
    assert proc.returncode == 2
    assert "no Terraform or Kubernetes file under ." in proc.stderr
