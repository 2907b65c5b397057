"""One repository's inventory: its model at a revision, as the inventory's tables.

This is the map step, the same whichever engine runs it (in this process, or as a Ray
task on a cluster): plain, picklable arguments in, Arrow tables out, and never an
exception for a repository that cannot be read: that is a ``runs`` row with its error,
so the other repositories still complete.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pygit2

from driftgate.analyzer import __version__
from driftgate.analyzer.cache import DiskCache, default_cache_dir
from driftgate.analyzer.config import ConfigError, load_config_from_tree
from driftgate.analyzer.inventory.tables import model_tables, table
from driftgate.analyzer.model_cache import ModelCache
from driftgate.analyzer.pipeline import ParseCache, build_model
from driftgate.analyzer.settings import extract_options
from driftgate.analyzer.sources.errors import SourceError
from driftgate.analyzer.sources.git import GitRevisionTree
from driftgate.analyzer.sources.select import open_trees


@dataclass(frozen=True, slots=True)
class Target:
    """A repository to read: how rows name it, where it is, and the revision."""

    repository: str
    source: str
    rev: str = "HEAD"


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """How every repository is read: the cache, and patterns of files left unread."""

    no_cache: bool = False
    cache_dir: str | None = None
    exclude: tuple[str, ...] = ()


@dataclass(slots=True)
class Collected:
    repository: str
    ok: bool
    # table name -> rows of this repository; empty when it failed.
    tables: dict[str, pa.Table] = field(default_factory=dict)
    run: pa.Table | None = None
    error: str | None = None


def collect(target: Target, cache: CacheSettings = CacheSettings()) -> Collected:
    """The repository's tables and its ``runs`` row."""
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock = time.perf_counter()
    run: dict[str, object] = {
        "repository": target.repository,
        "revision": None,
        "source": target.source,
        "driftgate_version": __version__,
        "started": started,
    }
    try:
        tables, revision, counts = _read(target, cache)
    except (SourceError, ConfigError, OSError, ValueError, pygit2.GitError) as exc:
        return _failed(target, run, str(exc), clock)
    except Exception as exc:  # one repository's surprise must not lose the others'
        return _failed(target, run, f"internal error: {type(exc).__name__}: {exc}", clock)
    run.update(
        revision=revision,
        status="ok" if not counts["errors"] else "errors",
        seconds=round(time.perf_counter() - clock, 3),
        **counts,
    )
    return Collected(target.repository, True, tables, table("runs", [run]))


def _failed(target: Target, run: dict[str, object], error: str, clock: float) -> Collected:
    run.update(status="failed", error=error, seconds=round(time.perf_counter() - clock, 3))
    return Collected(target.repository, False, run=table("runs", [run]), error=error)


def _revision_tree(path: Path, rev: str) -> GitRevisionTree:
    """The revision's tree: of a checkout (or a folder of one), a bare repository or a
    git directory itself (a mirror)."""
    if not path.is_dir():
        raise SourceError(f"{path}: no such folder")
    if pygit2.discover_repository(str(path)) is None:
        raise SourceError(f"{path}: not a git repository (a checkout or a bare git directory)")
    head = open_trees(path, None, rev, False).head
    if not isinstance(head, GitRevisionTree):
        raise SourceError(f"{path}: not a git repository (a checkout or a bare git directory)")
    return head


def _read(
    target: Target, settings: CacheSettings
) -> tuple[dict[str, pa.Table], str, dict[str, int]]:
    head = _revision_tree(Path(target.source), target.rev)
    revision = str(head.commit.id)
    config, _ = load_config_from_tree(head.read_path, head.label)
    options = extract_options(config)
    disk = None
    if not settings.no_cache:
        disk = DiskCache(Path(settings.cache_dir) if settings.cache_dir else default_cache_dir())
    parse_cache = ParseCache(disk=disk)
    try:
        models = ModelCache(disk) if disk is not None else None
        built = build_model(
            head, options, parse_cache, exclude=[*config.exclude, *settings.exclude], models=models
        )
    finally:
        parse_cache.close()
    counts = {
        "files": built.files,
        "errors": sum(1 for d in built.diagnostics if d.level == "error"),
        "warnings": sum(1 for d in built.diagnostics if d.level == "warning"),
        "identities": len(built.model.identities),
        "workloads": len(built.model.workloads),
        # The model came whole from the cache (the same revision read before).
        "cached": models is not None and models.hits > 0,
    }
    return model_tables(built.model, target.repository, revision), revision, counts
