"""Building the base in a forked child gives what building it here gives."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygit2
import pytest
from click.testing import CliRunner

from driftgate.analyzer import cli as cli_module
from driftgate.analyzer import forked, pipeline
from driftgate.analyzer.cache import DATABASE
from driftgate.analyzer.cli import cli
from driftgate.analyzer.engine.run import run_checks
from driftgate.analyzer.forked import Channel, Forked, Partner
from driftgate.analyzer.model import Model
from driftgate.analyzer.parse import files as parse_files
from driftgate.analyzer.sources.base import SourceFile

DEMO = Path(__file__).resolve().parent.parent / "testdata" / "demo"
SCAN = ["scan", "--base", str(DEMO / "base"), str(DEMO / "head"), "-f", "json", "-v"]


def test_a_childs_value_comes_back() -> None:
    assert Forked(lambda: {"roles": ["a", "b"]}).result() == {"roles": ["a", "b"]}


def _dies() -> int:
    os._exit(3)


def test_a_partner_receives_what_it_is_sent_and_answers() -> None:
    def work(channel: Channel) -> list[int]:
        channel.send("ready")
        numbers = channel.receive()
        assert isinstance(numbers, list)
        return [n * 2 for n in numbers]

    partner = Partner(work)
    assert partner.receive() == "ready"
    assert partner.send([1, 2, 3])
    assert partner.result() == [2, 4, 6]
    assert forked.available()


def test_a_child_goes_on_while_a_large_value_waits_to_be_read(tmp_path: Path) -> None:
    # The base's child sends its model, then works out what the checks ask of it while
    # the parent is still busy: a full pipe must not hold it up.
    going_on = tmp_path / "going-on"
    large = "x" * (4 << 20)

    def work(channel: Channel) -> str:
        channel.send(large)
        going_on.touch()
        return "done"

    partner = Partner(work)
    deadline = time.monotonic() + 20
    while not going_on.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert going_on.exists(), "the child waited for its value to be read"
    assert partner.receive() == large
    assert partner.result() == "done"


def test_a_partner_left_waiting_stops_and_gives_none() -> None:
    # The parent failed before sending: the child, waiting, must not hang the run.
    partner = Partner(lambda channel: channel.receive())
    assert partner.result() is None
    assert forked.available()


def test_a_partner_that_dies_before_speaking_gives_none() -> None:
    partner: Partner[int] = Partner(lambda channel: _dies())
    assert partner.receive() is None
    assert not partner.send("anything")
    assert partner.result() is None


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

    def counted(work: Callable[[Channel], object], then: Any = None) -> Partner[object]:
        children.append(work)
        return Partner(work, then)

    monkeypatch.setattr(forked, "Partner", counted)
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


def _files() -> list[SourceFile]:
    """Files of both kinds and very different sizes, one of them broken."""
    found = []
    for i in range(12):
        policy = "".join(f'  tag{j} = "{i}-{j}"\n' for j in range(i * 20))
        text = f'resource "aws_iam_role" "r{i}" {{\n  name = "r{i}"\n{policy}}}\n'.encode()
        found.append(_source(f"m{i}/main.tf", text))
        found.append(
            _source(f"k{i}.yaml", f"kind: ServiceAccount\nmetadata:\n  name: sa{i}\n".encode())
        )
    found.append(_source("bad.tf", b"resource {"))
    return found


def _source(path: str, data: bytes) -> SourceFile:
    return SourceFile(path, str(pygit2.hash(data)), lambda: data, len(data))


def test_files_parsed_half_in_a_child_give_what_parsing_here_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _files()
    monkeypatch.setattr(pipeline, "FORK_SPLIT_MIN", 10**9)
    here = pipeline.ParseCache(workers=2).parse_all(files)
    monkeypatch.setattr(pipeline, "FORK_SPLIT_MIN", 0)
    children: list[object] = []

    def counted(compute: Callable[[], object]) -> Forked[object]:
        children.append(compute)
        return Forked(compute)

    monkeypatch.setattr(forked, "Forked", counted)
    split = pipeline.ParseCache(workers=2).parse_all(files)
    assert len(children) == 1, "no file was parsed in a child"
    assert split == here
    assert split[-1][0] is None and "bad.tf" in split[-1][1][0].path


def test_when_the_parsing_child_fails_its_files_are_parsed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = _files()
    here = pipeline.ParseCache(workers=1).parse_all(files)
    monkeypatch.setattr(pipeline, "FORK_SPLIT_MIN", 0)
    parent = os.getpid()
    parse_many = parse_files.parse_many

    def dies_in_the_child(items: Any, parser: str) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        return parse_many(items, parser)

    monkeypatch.setattr(pipeline, "parse_many", dies_in_the_child)
    assert pipeline.ParseCache(workers=2).parse_all(files) == here
    assert forked.available(), "the failed child is still counted as running"


def test_the_halves_cost_about_the_same() -> None:
    items = [(s.path, s.read()) for s in _files()]
    mine, theirs = pipeline._halves(items)
    assert sorted(mine + theirs) == list(range(len(items)))
    largest = max(len(data) for _, data in items)
    for suffix in (".tf", ".yaml"):
        sizes = [
            sum(len(items[i][1]) for i in part if items[i][0].endswith(suffix))
            for part in (mine, theirs)
        ]
        assert abs(sizes[0] - sizes[1]) <= largest, (suffix, sizes)


def test_a_scan_that_parses_in_a_child_reports_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "FORK_SPLIT_MIN", 10**9)
    here = _scan([*SCAN, "--no-cache"])
    monkeypatch.setattr(pipeline, "FORK_SPLIT_MIN", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    split = _scan([*SCAN, "--no-cache"])
    assert split[0] == here[0] == 1
    assert split[1] == here[1]


def test_the_head_is_prepared_for_the_checks_while_the_base_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    prepared: list[Model] = []
    asked: list[str] = []

    def prepare(model: Model, checks: Any) -> None:
        prepared.append(model)
        asked.extend(c.meta.id for c in checks if c.prepare is not None)

    monkeypatch.setattr(cli_module, "prepare_checks", prepare)
    checked: list[Model] = []

    def recorded(checks: Any, head: Model, *args: Any, **kwargs: Any) -> Any:
        checked.append(head)
        return run_checks(checks, head, *args, **kwargs)

    monkeypatch.setattr(cli_module, "run_checks", recorded)
    code, out, _ = _scan([*SCAN, "--no-cache"])
    assert code == 1 and "DG101" in out
    assert len(prepared) == 1 and prepared[0] is checked[0]
    assert "DG402" in asked, "the checks' own preparation was not asked for"


def _entries(root: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(root / DATABASE)) as db:
        return sorted(name for (name,) in db.execute("SELECT name FROM entries"))


def test_what_the_child_parsed_is_stored_once_the_command_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 10**9)
    _scan([*SCAN, "--cache-dir", str(tmp_path / "here")])
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    _scan([*SCAN, "--cache-dir", str(tmp_path / "child")])
    # Every parse result and both models, whichever process stored them.
    assert len(_entries(tmp_path / "child")) == len(_entries(tmp_path / "here")) > 3
    again = _scan([*SCAN, "--cache-dir", str(tmp_path / "child"), "--select", "DG1"])
    assert "2 model(s) reused from the cache" in again[2]


def test_the_base_is_prepared_by_the_child_that_built_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from driftgate.analyzer.escalation import changes

    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 10**9)
    here = _scan([*SCAN, "--no-cache"])
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    computed_here: list[int] = []
    before = changes.before_of.compute

    def counted(model: Model) -> Any:
        computed_here.append(os.getpid())  # a child's list is its own
        return before(model)

    monkeypatch.setattr(changes.before_of, "compute", counted)
    together = _scan([*SCAN, "--no-cache"])
    assert together[1] == here[1]
    assert computed_here == [], "the base's graph was worked out again here"


# Where the base's child dies: while it parses its share, or once it has sent the base
# (what it would derive of the base, and store, it never does).
_DEATHS = [(pipeline, "parse_many"), (cli_module, "prepare_base_checks")]


@pytest.mark.parametrize(("owner", "name"), _DEATHS, ids=["parsing", "after the base"])
def test_a_base_child_that_dies_leaves_nothing_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 10**9)
    here = _scan([*SCAN, "--cache-dir", str(tmp_path / "here")])
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    parent = os.getpid()
    work = getattr(owner, name)

    def dies_in_the_child(*args: Any) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        return work(*args)

    monkeypatch.setattr(owner, name, dies_in_the_child)
    child = _scan([*SCAN, "--cache-dir", str(tmp_path / "child")])
    assert child[1] == here[1]
    # What the child would have parsed and stored is stored here, and both models.
    assert _entries(tmp_path / "child") == _entries(tmp_path / "here")
    assert forked.available()


def test_the_base_child_starts_before_the_head_is_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The child parses its share of the base while this process lists the head: the
    # listing of a working tree is a tenth of a cold scan.
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    events: list[str] = []
    listing = pipeline.list_tree

    def listed(tree: Any, exclude: Any = ()) -> Any:
        events.append(f"list {tree.label.rsplit('/', 1)[-1]}")
        return listing(tree, exclude)

    def counted(work: Callable[[Channel], object], then: Any = None) -> Partner[object]:
        events.append("fork")
        return Partner(work, then)

    monkeypatch.setattr(cli_module, "list_tree", listed)
    monkeypatch.setattr(forked, "Partner", counted)
    code, out, _ = _scan([*SCAN, "--no-cache"])
    assert code == 1 and "DG101" in out
    assert events == ["list base", "fork", "list head"]


def _hiding_the_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model cache no longer holds the base's model (evicted by its size bound)."""
    from driftgate.analyzer.model_cache import ModelCache

    get = ModelCache.get

    def without_base(self: ModelCache, key: str, tree: Any) -> object | None:
        return None if tree.label.endswith("base") else get(self, key, tree)

    monkeypatch.setattr(ModelCache, "get", without_base)
    monkeypatch.setattr(ModelCache, "has", lambda self, key: False)  # asked of the base only


def test_a_stored_scan_stops_the_base_child_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    args = [*SCAN, "--cache-dir", str(tmp_path)]
    first = _scan(args)
    stored = _entries(tmp_path)
    _hiding_the_base(monkeypatch)
    cancelled: list[int] = []
    cancel = Partner.cancel

    def counted(self: Partner[Any]) -> None:
        cancelled.append(1)
        cancel(self)

    monkeypatch.setattr(Partner, "cancel", counted)
    again = _scan(args)
    assert again[1] == first[1]
    assert cancelled, "the child building the base was left running"
    assert forked.available(), "the cancelled child is still counted as running"
    assert _entries(tmp_path) == stored, "the cancelled child stored something"


def test_with_the_head_stored_the_child_parses_and_builds_the_whole_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_MODELS_MIN", 0)
    first = _scan([*SCAN, "--cache-dir", str(tmp_path / "cache")])
    _hiding_the_base(monkeypatch)
    built_here: list[str] = []
    construct = pipeline._construct
    parent = os.getpid()

    def counted(tree: Any, *args: Any) -> Any:
        if os.getpid() == parent:
            built_here.append(tree.label)
        return construct(tree, *args)

    monkeypatch.setattr(pipeline, "_construct", counted)
    # Another selection: the stored findings do not apply, the head's model does.
    again = _scan([*SCAN, "--cache-dir", str(tmp_path / "cache"), "--select", "DG1,DG2,DG3,DG4"])
    assert "1 model(s) reused from the cache" in again[2]
    assert again[0] == first[0] == 1 and "DG101" in again[1]
    assert built_here == [], "the base was built here, not by its child"
