"""Shared test options: golden files are regenerated only on purpose."""

from __future__ import annotations

import pytest

# The evaluator learns provider data sources (policy documents, the AWS partition) from
# the provider rooms; tests evaluating a tree without the pipeline need them in as well.
import driftgate.analyzer.extract.registry  # noqa: F401


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current output (review the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or write the user's own parse cache."""
    monkeypatch.setenv("DRIFTGATE_CACHE_DIR", str(tmp_path_factory.mktemp("driftgate-cache")))
