"""Whole models reused from the cache: only when everything they were built from is
the same — the listed files, what else the build read (a policy file ``file()`` reads),
the options and the parser — and never for a model helm rendered."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from driftgate.analyzer.cli import cli

MAIN = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = file("${path.module}/policy.json")
}
"""
POLICY = '{"Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "*"}]}'


def _repo(root: Path, action: str = "s3:GetObject") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(MAIN)
    (root / "policy.json").write_text(POLICY % action)
    return root


def _model(repo: Path, cache: Path, *extra: str) -> tuple[dict[str, object], str]:
    result = CliRunner().invoke(cli, ["model", str(repo), "-v", "--cache-dir", str(cache), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def _actions(model: dict[str, object]) -> list[str]:
    grants = model["grants"]
    assert isinstance(grants, list)
    return sorted(p["action"] for g in grants for p in g["permissions"])


def test_a_second_run_reuses_the_model_and_gives_the_same_one(tmp_path: Path) -> None:
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    first, said = _model(repo, cache)
    assert "reused" not in said
    second, said = _model(repo, cache)
    assert "1 model(s) reused from the cache" in said
    assert second == first
    assert _actions(second) == ["s3:GetObject"]


def test_a_changed_file_that_terraform_reads_is_seen(tmp_path: Path) -> None:
    """policy.json is not a file driftgate lists; the build read it, and the hit checks."""
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    _model(repo, cache)
    (repo / "policy.json").write_text(POLICY % "s3:*")
    model, said = _model(repo, cache)
    assert "reused" not in said
    assert _actions(model) == ["s3:*"]
    (repo / "policy.json").unlink()
    model, _ = _model(repo, cache)
    assert _actions(model) == []


def test_a_changed_listed_file_or_option_builds_again(tmp_path: Path) -> None:
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    _model(repo, cache)
    _, said = _model(repo, cache, "--hcl-parser", "hcl2")
    assert "reused" not in said
    (repo / "main.tf").write_text(MAIN.replace('= "app"', '= "app2"'))
    model, said = _model(repo, cache)
    assert "reused" not in said
    identities = model["identities"]
    assert isinstance(identities, dict)
    assert [i["name"] for i in identities.values()] == ["app2"]


def test_a_model_with_a_helm_chart_is_never_stored(tmp_path: Path) -> None:
    """Whether helm is on PATH (and which) changes the model: it is built every time."""
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    chart = repo / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "sa.yaml").write_text("kind: ServiceAccount\n")
    _model(repo, cache)
    _, said = _model(repo, cache)
    assert "reused" not in said
