"""The scenario driver: every `testdata/scenarios/<name>/{base,head}/` + `expected.json`.

Each scenario becomes a real git repository: base is committed, head is committed on
top, and `driftgate scan --base HEAD~1 --head HEAD` runs through the CLI entry point.
The findings must be exactly the expected ones (check, file, line, identity): a
missing finding and an extra finding both fail. A second run compares the working tree
with HEAD~1, so the working-tree source is exercised on every scenario too.

expected.json:
    {"description": "...",
     "exit_code": 1,                      # optional, default: from severities and --fail-on
     "args": ["--fail-on", "low"],        # optional extra CLI arguments
     "xfail": "why driftgate does not meet this yet",  # optional: a known gap, strict
     "never_in_report": ["hf_qWeRt..."],  # optional: text no report may contain (secrets)
     "findings": [{"check": "DG101", "path": "main.tf", "line": 12,
                   "identity": "...", "severity": "high",          # optional
                   "confidence": "medium",                         # optional, default high
                   "message_contains": ["s3:PutObject", "prod"]}]} # optional
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.cli import main

SCENARIOS = Path(__file__).resolve().parent.parent / "testdata" / "scenarios"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "driftgate tests",
    "GIT_AUTHOR_EMAIL": "tests@driftgate.invalid",
    "GIT_COMMITTER_NAME": "driftgate tests",
    "GIT_COMMITTER_EMAIL": "tests@driftgate.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=GIT_ENV,
        check=True,
        capture_output=True,
    )


def _replace_tree(src: Path, repo: Path) -> None:
    for child in repo.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    if src.is_dir():
        shutil.copytree(src, repo, dirs_exist_ok=True)


def build_repo(scenario: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _replace_tree(scenario / "base", repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    _replace_tree(scenario / "head", repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "head")
    return repo


def _scan(args: list[str], tmp_path: Path, name: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / f"{name}.json"
    code = main(["scan", *args, "-f", "json", "-o", str(out)])
    return code, json.loads(out.read_text())


def _key(f: dict[str, Any]) -> tuple[str, str, int, str]:
    return (f["check"], f["path"], f["line"], f["identity"])


def _actual_key(f: dict[str, Any]) -> tuple[str, str, int, str]:
    loc = f.get("location") or {}
    return (
        f["check"]["id"] if isinstance(f["check"], dict) else f["check"],
        loc.get("path", ""),
        loc.get("line", 0),
        f["identity"],
    )


def _counted(f: dict[str, Any]) -> bool:
    """What the change introduces and no suppression silences."""
    return f["baseline_state"] in ("new", None) and not f.get("suppressed")


RANKS = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _expected_exit(expected: dict[str, Any], args: list[str], found: list[dict[str, Any]]) -> int:
    """1 when a finding reaches --fail-on (default high), as DESIGN.md says; else 0."""
    fail_on = args[args.index("--fail-on") + 1] if "--fail-on" in args else "high"
    if fail_on == "none":
        return 0
    severities = [f.get("severity") for f in expected["findings"]]
    if None in severities:  # unspecified: take the reported ones (the set matched already)
        severities = [f["severity"] for f in found]
    return int(any(RANKS[s] >= RANKS[fail_on] for s in severities))


def _scenario_names() -> list[str]:
    if not SCENARIOS.is_dir():
        return []
    return sorted(p.name for p in SCENARIOS.iterdir() if (p / "expected.json").is_file())


@pytest.mark.parametrize("name", _scenario_names())
def test_scenario(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    scenario = SCENARIOS / name
    expected = json.loads((scenario / "expected.json").read_text())
    if "xfail" in expected:
        # The expectation stays what is right; the gap is named and must not pass by luck.
        request.applymarker(pytest.mark.xfail(strict=True, reason=expected["xfail"]))
    repo = build_repo(scenario, tmp_path)
    extra = list(expected.get("args", []))

    code, report = _scan(["--base", "HEAD~1", "--head", "HEAD", *extra, str(repo)], tmp_path, "rev")
    findings = [f for f in report["findings"] if _counted(f)]
    want = sorted(_key(f) for f in expected["findings"])
    got = sorted(_actual_key(f) for f in findings)
    assert got == want, json.dumps(findings, indent=2)

    assert code == expected.get("exit_code", _expected_exit(expected, extra, findings))
    by_key = {_actual_key(f): f for f in findings}
    for item in expected["findings"]:
        actual = by_key[_key(item)]
        if "severity" in item:
            assert actual["severity"] == item["severity"], actual["message"]
        assert actual["confidence"] == item.get("confidence", "high"), actual["message"]
        for fragment in item.get("message_contains", []):
            assert fragment in actual["message"], actual["message"]
    for finding in findings:
        # The first sentence (who and what) fits an annotation's title; detail follows.
        first = finding["message"].split(". ", 1)[0]
        assert len(first) <= 160, finding["message"]
    for secret in expected.get("never_in_report", []):
        assert secret not in json.dumps(report, ensure_ascii=False)

    # The same change seen from the working tree (head checked out, base = HEAD~1).
    code_wt, report_wt = _scan(["--base", "HEAD~1", *extra, str(repo)], tmp_path, "wt")
    got_wt = sorted(_actual_key(f) for f in report_wt["findings"] if _counted(f))
    assert got_wt == want
    assert code_wt == code
