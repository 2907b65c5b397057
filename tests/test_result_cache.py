"""A scan repeated on the same inputs (a hook run again, a re-run job) reuses its
findings — and only then: a changed file, a file Terraform reads, the checks selected or
a suppression each give a fresh scan."""

from __future__ import annotations

import json
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner
from test_model_cache import MAIN, POLICY

from driftgate.analyzer import pipeline
from driftgate.analyzer.cli import cli
from driftgate.analyzer.model_cache import ModelCache

REUSED = "findings reused from the cache"


def _repo(root: Path) -> Path:
    root.mkdir()
    repo = pygit2.init_repository(str(root))
    (root / "main.tf").write_text(MAIN)
    (root / "policy.json").write_text(POLICY % "s3:GetObject")
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("t", "t@example.com")
    repo.create_commit("HEAD", sig, sig, "base", repo.index.write_tree(), [])
    # The change under review: the policy file Terraform reads grows.
    (root / "policy.json").write_text(POLICY % "s3:*")
    return root


def _scan(repo: Path, cache: Path, *extra: str) -> tuple[list[tuple[str, bool]], str, int]:
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            str(repo),
            "--base",
            "HEAD",
            "-f",
            "json",
            "-v",
            "--cache-dir",
            str(cache),
            *extra,
        ],
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    found = sorted((f["check"], bool(f["suppressed"])) for f in report["findings"])
    return found, result.stderr, result.exit_code


def test_the_same_scan_again_gives_the_same_findings_without_checking_again(
    tmp_path: Path,
) -> None:
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    first, said, code = _scan(repo, cache)
    assert REUSED not in said
    assert ("DG101", False) in first
    second, said, again = _scan(repo, cache)
    assert REUSED in said
    assert (second, again) == (first, code)


def test_reused_findings_load_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A model is megabytes to read: a scan whose findings are stored needs neither.
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    _scan(repo, cache)
    loaded: list[str] = []
    get = ModelCache.get

    def counted(self: ModelCache, key: str, tree: object) -> object | None:
        loaded.append(key)
        return get(self, key, tree)  # type: ignore[arg-type]

    monkeypatch.setattr(ModelCache, "get", counted)
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)  # the base's child may start
    _, said, _ = _scan(repo, cache)
    assert REUSED in said
    assert loaded == []


def test_a_change_to_what_terraform_reads_is_scanned_afresh(tmp_path: Path) -> None:
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    _scan(repo, cache)
    # The policy goes back to what the base allowed: nothing grows any more.
    (repo / "policy.json").write_text(POLICY % "s3:GetObject")
    findings, said, code = _scan(repo, cache)
    assert REUSED not in said
    assert [f for f in findings if f[0] == "DG101"] == []
    assert code == 0


def test_other_checks_or_a_suppression_are_scanned_afresh(tmp_path: Path) -> None:
    repo, cache = _repo(tmp_path / "repo"), tmp_path / "cache"
    _scan(repo, cache)
    findings, said, _ = _scan(repo, cache, "--ignore", "DG101")
    assert REUSED not in said
    assert [f for f in findings if f[0] == "DG101"] == []
    (repo / ".driftgate.yaml").write_text(
        "suppressions:\n  - check: DG101\n    target: '*'\n    reason: accepted\n"
    )
    findings, said, _ = _scan(repo, cache)
    assert REUSED not in said
    assert ("DG101", False) not in findings
    assert ("DG101", True) in findings
