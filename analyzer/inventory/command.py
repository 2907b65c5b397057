"""``driftgate inventory``: every repository's identities as tables, and SQL over them.

driftgate inventory REPO... -o DIR [--rev REV] [--engine local|ray]
driftgate inventory query DIR SQL [--format table|json|csv]
driftgate inventory report reuse|owners|static-credentials DIR [--format ...]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from driftgate.analyzer.report.common import printable

if TYPE_CHECKING:
    from driftgate.analyzer.inventory.collect import Collected, Target

EXIT_ERROR = 2
# As engines.ENGINES, without importing what the engines need at every start.
ENGINES = ("local", "ray")
REPORTS = {
    "reuse": "reuse.sql",
    "owners": "owners.sql",
    "static-credentials": "static_credentials.sql",
}
FORMATS = ("table", "json", "csv")


class _Failed(click.ClickException):
    """A query that cannot run: exit 2, said in one line."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        click.echo(f"driftgate: error: {self.message}", err=True)


class _Inventory(click.Group):
    """``inventory REPO...`` builds; ``inventory query`` and ``inventory report`` read.
    A repository folder named like a subcommand is written ``./query``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_Inventory)
def inventory() -> None:
    """The organisation-wide inventory of non-human identities (DESIGN section 7).

    `driftgate inventory REPO... -o DIR` (short for `inventory build`) writes each
    repository's model as Parquet tables; `query` and `report` answer questions across
    them with DuckDB. See docs/inventory.md."""


@inventory.command("build")
@click.argument("repos", nargs=-1, required=True, metavar="REPO...")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--rev", default="HEAD", show_default=True, help="Revision of every repository.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where the per-repository work runs: this process, or Ray tasks.",
)
@click.option(
    "--ray-address",
    metavar="ADDRESS",
    help="With --engine ray: an existing cluster (ray://host:10001, auto); default a local one.",
)
@click.option(
    "--ray-cpus", type=int, help="With --engine ray and no address: CPUs of the local Ray."
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="GLOB",
    help="Do not read files matching this gitignore-style pattern in any repository"
    " (repeatable; adds to each repository's exclude).",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Remove the rows of every repository first (by default, repositories not named"
    " in this run keep theirs, so an inventory can be built a few repositories at a time).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse and model cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DRIFTGATE_CACHE_DIR",
    help="Cache directory (default: the user cache dir).",
)
def build(
    repos: tuple[str, ...],
    output: Path,
    rev: str,
    engine: str,
    ray_address: str | None,
    ray_cpus: int | None,
    excludes: tuple[str, ...],
    clean: bool,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Write the identities of each REPO (a checkout or a bare git directory, at --rev)
    as Parquet tables under DIR: identities, grants, trusts, credentials, workloads,
    bindings and runs. A repository that cannot be read is a runs row with its error;
    exit 2 only when none could be."""
    from driftgate.analyzer.inventory.collect import CacheSettings
    from driftgate.analyzer.inventory.engines import EngineError, run_local, run_ray
    from driftgate.analyzer.inventory.store import StoreError, remove_all, write

    targets = _targets(repos, rev)
    settings = CacheSettings(no_cache, str(cache_dir) if cache_dir else None, excludes)
    results: Iterator[Collected]
    if engine == "ray":
        results = run_ray(targets, settings, address=ray_address, num_cpus=ray_cpus)
    else:
        results = run_local(targets, settings)
    succeeded = 0
    try:
        if clean:
            remove_all(output)
        for collected in results:
            write(output, collected)
            if collected.ok:
                succeeded += 1
                click.echo(f"driftgate: {collected.repository}: read", err=True)
            else:
                click.echo(f"driftgate: {collected.repository}: {collected.error}", err=True)
    except (EngineError, StoreError) as exc:
        click.echo(f"driftgate: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(
        f"driftgate: {succeeded} of {len(targets)} repositories inventoried in {output}", err=True
    )
    if succeeded == 0:
        sys.exit(EXIT_ERROR)


@inventory.command("query")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("sql")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table")
def query(directory: Path, sql: str, fmt: str) -> None:
    """Run SQL over the inventory in DIRECTORY (tables: identities, grants, trusts,
    credentials, workloads, bindings, runs)."""
    click.echo(_run(directory, sql, fmt), nl=False)


@inventory.command("report")
@click.argument("name", type=click.Choice(sorted(REPORTS)))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table")
def report(name: str, directory: Path, fmt: str) -> None:
    """A ready-made question: reuse (a principal in several environments or
    repositories), owners (identities with no owner), static-credentials (static or
    long-lived credentials of inference identities); each row points at a file and line."""
    click.echo(_run(directory, report_sql(name), fmt), nl=False)


def report_sql(name: str) -> str:
    return (
        resources.files("driftgate.analyzer.inventory")
        .joinpath("reports", REPORTS[name])
        .read_text(encoding="utf-8")
    )


def _targets(repos: Sequence[str], rev: str) -> list[Target]:
    """Each REPO as ``NAME=PATH`` or ``PATH``. Unnamed, a repository is named by its
    ``origin`` remote (``owner/name``), else by its folder (without ``.git``); the full
    path where two would share a name."""
    from driftgate.analyzer.inventory.collect import Target

    given: list[tuple[str | None, str]] = []
    for repo in repos:
        name, sep, path = repo.partition("=")
        named = bool(sep and name and path and not Path(repo).exists())
        given.append((name, path) if named else (None, repo))
    names = [name or _name(path) for name, path in given]
    explicit_names = [name for name, _ in given if name]
    clashes = sorted({n for n in explicit_names if names.count(n) > 1})
    if clashes:
        # Two repositories under one name would write one set of rows.
        raise _Failed(f"more than one repository is named {', '.join(clashes)}: name each once")
    return [
        Target(name if names.count(name) == 1 or explicit else str(Path(path).resolve()), path, rev)
        for (explicit, path), name in zip(given, names, strict=True)
    ]


def _name(repo: str) -> str:
    path = Path(repo).resolve()
    origin = _origin(path)
    if origin:
        return origin
    name = path.parent.name if path.name == ".git" else path.name
    return name.removesuffix(".git") or str(path)


def _origin(path: Path) -> str | None:
    """``owner/name`` of the repository's origin remote, if it has one."""
    import pygit2

    try:
        found = pygit2.discover_repository(str(path))
        if found is None:
            return None
        remote = pygit2.Repository(found).remotes["origin"]
    except (pygit2.GitError, KeyError, ValueError):
        return None
    url = (remote.url or "").rstrip("/").removesuffix(".git")
    parts = url.replace(":", "/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 and all(parts[-2:]) else None


def _run(directory: Path, sql: str, fmt: str) -> str:
    import duckdb

    from driftgate.analyzer.inventory.store import StoreError, connect

    try:
        con = connect(directory)
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except StoreError as exc:
        raise _Failed(str(exc)) from None
    except duckdb.Error as exc:
        raise _Failed(f"query failed: {exc}") from None
    return render(columns, rows, fmt)


def render(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    if fmt == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        return out.getvalue()
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line, rule, *body, footer]) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    # One line per row, and no control character from a repository reaches the terminal.
    return printable(str(value))
