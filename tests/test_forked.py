"""Building the base in a forked child gives what building it here gives."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftgate.analyzer import forked, pipeline
from driftgate.analyzer.cli import cli
from driftgate.analyzer.forked import Forked

DEMO = Path(__file__).resolve().parent.parent / "testdata" / "demo"
SCAN = ["scan", "--base", str(DEMO / "base"), str(DEMO / "head"), "-f", "json", "-v"]


def test_a_childs_value_comes_back() -> None:
    assert Forked(lambda: {"roles": ["a", "b"]}).result() == {"roles": ["a", "b"]}


def _dies() -> int:
    os._exit(3)


@pytest.mark.parametrize("compute", [lambda: 1 // 0, _dies, lambda: lambda: None])
def test_a_child_that_fails_gives_none_so_the_caller_computes_it(compute: object) -> None:
    # Raised, killed, or a value that cannot be sent back.
    assert Forked(compute).result() is None  # type: ignore[arg-type]


def _scan(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("cache", [["--no-cache"], ["--cache-dir", "{tmp}"]])
def test_models_built_side_by_side_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: list[str]
) -> None:
    args = [*SCAN, *(c.replace("{tmp}", str(tmp_path / "one")) for c in cache)]
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 10**9)
    apart = _scan(args)
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    args = [*SCAN, *(c.replace("{tmp}", str(tmp_path / "two")) for c in cache)]
    children: list[object] = []

    def counted(compute: Callable[[], object]) -> Forked[object]:
        children.append(compute)
        return Forked(compute)

    monkeypatch.setattr(forked, "Forked", counted)
    together = _scan(args)
    assert len(children) == 1, "the base was not built in a child"
    assert together[0] == apart[0] == 1
    assert together[1] == apart[1]
    assert "findings" in together[1]


def test_a_stored_pair_is_reused_whatever_built_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    args = [*SCAN, "--cache-dir", str(tmp_path), "--ignore", "DG999"]
    first = _scan(args)
    # Another selection: findings are not reused, both models are.
    second = _scan([*SCAN, "--cache-dir", str(tmp_path), "--select", "DG1,DG2,DG3,DG4"])
    assert "2 model(s) reused from the cache" in second[2]
    assert first[1] == second[1]


def test_with_another_thread_running_both_are_built_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked with a thread running"))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        code, out, _ = _scan([*SCAN, "--no-cache"])
    finally:
        stop.set()
        thread.join()
    assert code == 1 and "DG101" in out
