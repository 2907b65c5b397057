"""YAML and JSON that Terraform reads is its input, not a manifest (issue 18).

data-on-eks keeps Grafana dashboards and Helm values beside its roots and reads them with
``file()`` and ``templatefile()``; read as Kubernetes YAML they failed, and the run exited
2 for files no change touched. Scans run through the CLI, in-process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tf_support import write_tree

from driftgate.analyzer.cli import main
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.terraform.file_inputs import file_inputs

Capture = pytest.CaptureFixture[str]

ROOT = """\
resource "helm_release" "grafana" {
  name   = "grafana"
  values = [templatefile("${path.module}/helm-values/grafana.yaml", { region = var.region })]
}
locals {
  dashboards = fileset("${path.module}/dashboards", "*.json")
  operator   = yamldecode(file("manifests/operator.yaml"))
  values     = file("${path.module}/values.yaml")
}
"""
# A Terraform template: `%{ }` directives are not YAML.
GRAFANA = """\
datasources:
  - name: prometheus
    url: http://prometheus.${region}.svc
    extra: [%{ for n in names }${n}, %{ endfor }]
"""
# A manifest Terraform reads and applies: still read as the object it is.
OPERATOR = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: operator
  namespace: ${namespace}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    return root


def scan(capsys: Capture, root: Path) -> tuple[int, dict[str, Any]]:
    code = main(["scan", "--no-cache", "-f", "json", str(root)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    report: dict[str, Any] = json.loads(out)
    return code, report


def test_files_terraform_reads_never_fail_the_run(tmp_path: Path, capsys: Capture) -> None:
    tree = write(
        tmp_path,
        {
            "analytics/emr/main.tf": ROOT,
            "analytics/emr/helm-values/grafana.yaml": GRAFANA,
            "analytics/emr/dashboards/spark.json": '{"panels": [ ${panels} ]}',
            "analytics/emr/manifests/operator.yaml": OPERATOR,
            # Broken as YAML, and no placeholder to tell it is a template.
            "analytics/emr/values.yaml": "a: [\n",
        },
    )
    code, report = scan(capsys, tree)
    assert code == 0
    assert [d for d in report["diagnostics"] if d["level"] == "error"] == []
    # What parses is kept: Terraform may apply it as a manifest, and its grants count.
    code = main(["model", "--no-cache", str(tree)])
    document = json.loads(capsys.readouterr().out)
    assert any(address.endswith("/ServiceAccount/operator") for address in document["identities"])


def test_the_same_broken_file_nothing_reads_is_still_an_error(
    tmp_path: Path, capsys: Capture
) -> None:
    tree = write(tmp_path, {"analytics/emr/values.yaml": "a: [\n"})
    code, report = scan(capsys, tree)
    assert code == 2
    assert [(d["path"], d["level"]) for d in report["diagnostics"]] == [
        ("analytics/emr/values.yaml", "error")
    ]


def test_paths_are_found_from_literals_and_the_module_folder() -> None:
    hcl = parse_hcl("envs/prod/main.tf", ROOT + "locals { x = file(var.dynamic) }\n")
    inputs = file_inputs([hcl])
    assert "envs/prod/helm-values/grafana.yaml" in inputs
    assert "envs/prod/manifests/operator.yaml" in inputs
    assert "envs/prod/dashboards/spark.json" in inputs
    # Nothing else: not other folders, not what a variable names.
    assert "envs/staging/helm-values/grafana.yaml" not in inputs
    assert "envs/prod/other.yaml" not in inputs
