"""The disk parse cache and parallel parsing."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner

from driftgate.analyzer import cache
from driftgate.analyzer.cache import DATABASE, DiskCache, wait_for_writers
from driftgate.analyzer.cli import cli
from driftgate.analyzer.parse.files import cache_kind
from driftgate.analyzer.parse.hcl_ast import HclFile
from driftgate.analyzer.pipeline import ParseCache
from driftgate.analyzer.sources.base import SourceFile

TF = b'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'
YAML = b"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"


def _source(path: str, data: bytes, reads: list[str] | None = None) -> SourceFile:
    def read() -> bytes:
        if reads is not None:
            reads.append(path)
        return data

    return SourceFile(path, str(pygit2.hash(data)), read)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _rows(root: Path) -> list[tuple[str, int]]:
    """The cache's entries (name, size), read as another process would."""
    if not (root / DATABASE).exists():
        return []
    with contextlib.closing(sqlite3.connect(root / DATABASE)) as db:
        return list(db.execute("SELECT name, size FROM entries ORDER BY name"))


def test_miss_then_hit(tmp_path: Path) -> None:
    reads: list[str] = []
    first = ParseCache(disk=DiskCache(tmp_path)).parse(_source("main.tf", TF, reads))
    assert isinstance(first[0], HclFile)
    assert reads == ["main.tf"]
    assert len(_rows(tmp_path)) == 1
    second = ParseCache(disk=DiskCache(tmp_path)).parse(_source("main.tf", TF, reads))
    assert reads == ["main.tf"]  # served from disk, the file was not read again
    assert second == first


def test_yaml_round_trip(tmp_path: Path) -> None:
    first = ParseCache(disk=DiskCache(tmp_path)).parse(_source("sa.yaml", YAML))
    second = ParseCache(disk=DiskCache(tmp_path)).parse(_source("sa.yaml", YAML))
    assert second == first
    assert isinstance(second[0], list)
    assert second[0][0].data["kind"] == "ServiceAccount"


def test_version_change_invalidates(tmp_path: Path) -> None:
    DiskCache(tmp_path, version="1.0").put("hcl", "k", "a.tf", "old")
    assert DiskCache(tmp_path, version="1.0").get("hcl", "k", "a.tf") == "old"
    assert DiskCache(tmp_path, version="1.1").get("hcl", "k", "a.tf") is None
    assert DiskCache(tmp_path, fingerprint="other").get("hcl", "k", "a.tf") is None


def test_key_and_path_matter(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    cache.put("hcl", "k", "a.tf", 1)
    assert cache.get("hcl", "k2", "a.tf") is None
    assert cache.get("hcl", "k", "b.tf") is None
    assert cache.get("yaml", "k", "a.tf") is None


@pytest.mark.parametrize("junk", [b"", b"not a pickle", b"\x80\x05K"])
def test_corrupt_entry_ignored_and_removed(tmp_path: Path, junk: bytes) -> None:
    cache = DiskCache(tmp_path)
    cache.put("hcl", "k", "a.tf", "value")
    [(name, _)] = _rows(tmp_path)
    with contextlib.closing(sqlite3.connect(tmp_path / DATABASE)) as db, db:
        db.execute("UPDATE entries SET value = ? WHERE name = ?", (junk, name))
    assert cache.get("hcl", "k", "a.tf") is None
    assert _rows(tmp_path) == []
    reads: list[str] = []
    parsed = ParseCache(disk=cache).parse(_source("main.tf", TF, reads))
    assert isinstance(parsed[0], HclFile)


@pytest.mark.parametrize("junk", [b"", b"not a database at all" * 100])
def test_corrupt_database_is_replaced(tmp_path: Path, junk: bytes) -> None:
    (tmp_path / DATABASE).write_bytes(junk)
    cache = DiskCache(tmp_path)
    assert cache.get("hcl", "k", "a.tf") is None
    cache.put("hcl", "k", "a.tf", "value")
    assert DiskCache(tmp_path).get("hcl", "k", "a.tf") == "value"


def test_the_database_is_private(tmp_path: Path) -> None:
    """It holds pickles: readable and writable by its owner only."""
    cache = DiskCache(tmp_path / "c")
    cache.put("hcl", "k", "a.tf", "value")
    cache.close()
    assert (tmp_path / "c" / DATABASE).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700


def test_a_batch_is_seen_by_others_once_it_ends(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    with cache.batch():
        cache.put("hcl", "k", "a.tf", "value")
        assert DiskCache(tmp_path).get("hcl", "k", "a.tf") is None
    assert DiskCache(tmp_path).get("hcl", "k", "a.tf") == "value"


def test_wrong_type_in_entry_is_a_miss(tmp_path: Path) -> None:
    source = _source("main.tf", TF)
    cache = DiskCache(tmp_path)
    kind = cache_kind(source.path)
    junks: list[tuple[object, ...]] = [
        ("not", "a parse result"),
        ("not", [], True),
        (None, [], "y"),
    ]
    for junk in junks:
        cache.put(kind, source.key, source.path, junk)
        parsed = ParseCache(disk=cache).parse(source)
        assert isinstance(parsed[0], HclFile)


def _write_many(root: str, value: str, rounds: int) -> None:
    cache = DiskCache(Path(root), fingerprint="f")
    for _ in range(rounds):
        cache.put("hcl", "same", "a.tf", value * 10_000)


def test_concurrent_writers_leave_a_valid_entry(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_write_many, args=(str(tmp_path), v, 50)) for v in ("x", "y")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    value = DiskCache(tmp_path, fingerprint="f").get("hcl", "same", "a.tf")
    assert value in ("x" * 10_000, "y" * 10_000)
    assert len(_rows(tmp_path)) == 1


def test_size_bound_evicts_oldest(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, max_bytes=50_000, fingerprint="f")
    for i in range(10):
        cache.put("hcl", str(i), "a.tf", b"x" * 10_000)
    with contextlib.closing(sqlite3.connect(tmp_path / DATABASE)) as db, db:
        for i in range(10):
            name = cache.name("hcl", str(i), "a.tf")
            db.execute(
                "UPDATE entries SET written = ? WHERE name = ?", (time.time() - 100 + i, name)
            )
    cache.close()
    assert sum(size for _, size in _rows(tmp_path)) <= 50_000
    assert cache.get("hcl", "9", "a.tf") == b"x" * 10_000
    assert cache.get("hcl", "0", "a.tf") is None


def test_unwritable_cache_dir_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = DiskCache(blocker / "cache")
    cache.put("hcl", "k", "a.tf", 1)
    assert cache.get("hcl", "k", "a.tf") is None
    cache.close()


def test_values_written_behind_are_seen_at_once_and_stored_for_the_next_run(
    tmp_path: Path,
) -> None:
    cache = DiskCache(tmp_path, write_behind=True)
    cache.put("hcl", "k", "a.tf", {"value": 1})
    cache.put("hcl", "k", "b.tf", lambda: None)  # cannot be pickled: skipped, never raised
    assert cache.get("hcl", "k", "a.tf") == {"value": 1}
    assert _rows(tmp_path) == []
    cache.close(behind=True)
    wait_for_writers()
    again = DiskCache(tmp_path)
    assert again.get("hcl", "k", "a.tf") == {"value": 1}
    assert again.get("hcl", "k", "b.tf") is None
    assert len(_rows(tmp_path)) == 1


def test_with_another_thread_running_values_are_written_before_close_returns(
    tmp_path: Path,
) -> None:
    # Forking while another thread may hold a lock could hang the child: not done then.
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        cache = DiskCache(tmp_path, write_behind=True)
        cache.put("hcl", "k", "a.tf", 1)
        cache.close(behind=True)
        assert len(_rows(tmp_path)) == 1
    finally:
        stop.set()
        thread.join()


def test_writing_behind_into_an_unwritable_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = DiskCache(blocker / "cache", write_behind=True)
    cache.put("hcl", "k", "a.tf", 1)
    cache.close(behind=True)
    wait_for_writers()
    assert not (blocker / "cache").exists()


def test_a_scan_ends_with_its_cache_stored_and_the_next_one_reuses_it(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parent.parent / "testdata" / "demo"
    cmd = [sys.executable, "-m", "driftgate", "scan", "--base", str(demo / "base")]
    cmd += [str(demo / "head"), "-v", "--cache-dir", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert first.returncode == 1, first.stderr
    # Parse results of both trees and both models, all there once the process is gone.
    files = len([p for p in (demo / "base").rglob("*") if p.is_file()])
    assert len(_rows(tmp_path)) >= files + 2
    second = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert second.returncode == 1
    assert "findings reused from the cache" in second.stderr
    # The same findings; only the summary's time differs.
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def _repo(root: Path) -> None:
    (root / "main.tf").write_bytes(TF)
    (root / "sa.yaml").write_bytes(YAML)


def test_cli_writes_cache_and_no_cache_writes_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _repo(repo)
    runner = CliRunner()
    off = tmp_path / "off"
    result = runner.invoke(cli, ["model", str(repo), "--no-cache", "--cache-dir", str(off)])
    assert result.exit_code == 0, result.output
    assert _files(off) == []
    on = tmp_path / "on"
    result = runner.invoke(cli, ["model", str(repo)], env={"DRIFTGATE_CACHE_DIR": str(on)})
    assert result.exit_code == 0, result.output
    assert len(_rows(on)) == 3  # two files' parse results, and the model
    again = runner.invoke(cli, ["model", str(repo), "--cache-dir", str(on)])
    assert again.output == result.output
    scan = runner.invoke(cli, ["scan", str(repo), "--no-cache", "--cache-dir", str(off)])
    assert scan.exit_code in (0, 1), scan.output
    assert _files(off) == []


def test_parallel_parse_matches_serial(tmp_path: Path) -> None:
    sources = [_source(f"m{i}/main.tf", TF.replace(b'"r"', f'"r{i}"'.encode())) for i in range(6)]
    sources += [_source(f"k{i}.yaml", YAML) for i in range(4)]
    sources.append(_source("bad.tf", b"resource {"))
    serial = ParseCache(parallel_threshold=1000).parse_all(sources)
    parallel_cache = ParseCache(parallel_threshold=2, workers=2, disk=DiskCache(tmp_path))
    parallel = parallel_cache.parse_all(sources)
    assert parallel == serial
    assert serial[-1][0] is None and serial[-1][1]
    assert ParseCache(disk=DiskCache(tmp_path)).parse_all(sources) == serial


def test_many_lookups_at_once_find_what_one_at_a_time_finds(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    for i in range(1200):  # more than one query's worth of names
        cache.put("hcl", f"k{i}", f"f{i}.tf", {"n": i})
    cache.put("hcl", "bad", "bad.tf", "soon corrupt")
    with contextlib.closing(sqlite3.connect(tmp_path / DATABASE)) as db:
        db.execute(
            "UPDATE entries SET value = ? WHERE name = ?",
            (b"not a pickle", cache.name("hcl", "bad", "bad.tf")),
        )
        db.commit()
    behind = DiskCache(tmp_path, write_behind=True)
    behind.put("hcl", "new", "new.tf", {"n": "pending"})
    wanted = [("hcl", f"k{i}", f"f{i}.tf") for i in range(0, 1200, 7)]
    wanted += [("hcl", "k1", "f1.tf"), ("hcl", "nope", "f.tf"), ("hcl", "bad", "bad.tf")]
    wanted.append(("hcl", "new", "new.tf"))
    found = behind.get_many(wanted)
    assert found == [behind.get(*w) for w in wanted[:-2]] + [None, {"n": "pending"}]
    assert found[: len(range(0, 1200, 7))] == [{"n": i} for i in range(0, 1200, 7)]
    assert found[-3:-1] == [None, None]
    assert cache.name("hcl", "bad", "bad.tf") not in {n for n, _ in _rows(tmp_path)}


def test_a_later_run_waits_for_what_an_earlier_one_was_still_storing(tmp_path: Path) -> None:
    # The CLI exits without waiting for its writers; the next process's first read
    # waits until they are done, so it finds what they stored.
    writer = DiskCache(tmp_path)
    lock = writer.writer_lock()
    assert lock is not None
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            time.sleep(0.3)
            writer.put("hcl", "k", "a.tf", "stored late")
            writer.close()
            code = 0
        finally:
            os._exit(code)
    os.close(lock)
    try:
        cache._WAITED.discard(tmp_path)  # as a new process, which has waited for nothing
        assert DiskCache(tmp_path).get("hcl", "k", "a.tf") == "stored late"
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_child_that_goes_on_lets_go_of_the_output_at_once() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(write, 1)
        os.dup2(write, 2)
        os.close(read)
        os.close(write)
        cache.to_background()
        time.sleep(2)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert pipe.read() == b""  # the end of the output while the child still runs
    try:
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the output ended with the child"
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
