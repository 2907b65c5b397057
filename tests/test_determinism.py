"""The same input gives byte-identical SARIF and JSON: across runs, across hash seeds
(set and dict order must never leak into a report), with and without the parse cache.

Code scanning deduplicates alerts by fingerprint and pull-request bots diff reports;
a report that changes when nothing changed is noise a user learns to ignore.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "testdata" / "demo"


def _reports(tmp_path: Path, name: str, seed: str, *extra: str) -> tuple[bytes, bytes]:
    out = tmp_path / name
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed, "DRIFTGATE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftgate.analyzer.cli",
            "scan",
            "--base",
            str(tmp_path / "base"),
            str(tmp_path / "head"),
            "-f",
            "sarif",
            "-o",
            str(out / "report.sarif"),
            "-f",
            "json",
            "-o",
            str(out / "report.json"),
            *extra,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    # Findings and a file that cannot be parsed: exit 2, both reports still written.
    assert proc.returncode == 2, proc.stderr
    return (out / "report.sarif").read_bytes(), (out / "report.json").read_bytes()


def test_reports_are_byte_identical_across_hash_seeds_and_runs(tmp_path: Path) -> None:
    shutil.copytree(DEMO / "base", tmp_path / "base")
    shutil.copytree(DEMO / "head", tmp_path / "head")
    # Several findings and a diagnostic, so that every list in the reports is ordered.
    (tmp_path / "head" / "terraform" / "broken.tf").write_text('resource "x" "y" {\n  a =\n}\n')

    first = _reports(tmp_path, "seed1", "1", "--no-cache")
    second = _reports(tmp_path, "seed2", "2", "--no-cache")
    # Filled from the disk cache this time, then read back from it: still the same bytes.
    cold = _reports(tmp_path, "cold", "3")
    warm = _reports(tmp_path, "warm", "4")

    sarif, report = first
    assert b'"ruleId": "DG104"' in sarif and b'"check": "DG201"' in report
    assert b'"path": "terraform/broken.tf"' in report
    for other in (second, cold, warm):
        assert other == first
