"""The inventory on disk, and DuckDB over it.

Each table is a folder of Parquet files, one per repository (``DIR/grants/<repo>.parquet``),
so inventorying a repository again replaces its rows and leaves the others alone, and a
repository that fails this time keeps no rows from an earlier run (its ``runs`` row says
why). Queries see each folder as a view. DuckDB is confined to the inventory's folder:
it reads no other file, and fetches no extension from the network.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from driftgate.analyzer.inventory.collect import Collected
from driftgate.analyzer.inventory.tables import DATA_TABLES, SCHEMAS, TABLES, table


class StoreError(Exception):
    """The inventory folder cannot be written or read."""


def file_name(repository: str) -> str:
    """A file name per repository: readable, and distinct for names that differ."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", repository).strip("-.")[:60] or "repository"
    digest = hashlib.sha256(repository.encode()).hexdigest()[:10]
    return f"{slug}-{digest}.parquet"


def write(directory: Path, collected: Collected) -> None:
    name = file_name(collected.repository)
    try:
        for table_name in TABLES:
            (directory / table_name).mkdir(parents=True, exist_ok=True)
        for table_name in DATA_TABLES:
            target = directory / table_name / name
            if collected.ok:
                pq.write_table(collected.tables[table_name], target)
            else:
                target.unlink(missing_ok=True)
        runs = collected.run if collected.run is not None else table("runs", [])
        pq.write_table(runs, directory / "runs" / name)
    except OSError as exc:
        raise StoreError(f"cannot write the inventory in {directory}: {exc.strerror}") from exc


def remove_all(directory: Path) -> None:
    """Every repository's rows gone (the tables' own Parquet files, nothing else)."""
    try:
        for name in TABLES:
            for file in (directory / name).glob("*.parquet"):
                file.unlink()
    except OSError as exc:
        raise StoreError(f"cannot clean the inventory in {directory}: {exc.strerror}") from exc


def connect(directory: Path) -> Any:
    """A DuckDB connection with one view per table of the inventory in ``directory``."""
    import duckdb

    if not (directory / "runs").is_dir():
        raise StoreError(f"{directory} holds no inventory (driftgate inventory REPO... -o DIR)")
    root = directory.resolve()
    con = duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    con.execute(f"SET allowed_directories=[{_quoted(str(root) + '/')}]")
    con.execute("SET enable_external_access=false")
    for name in TABLES:
        files = sorted((root / name).glob("*.parquet"))
        if files:
            # The files by name, not a pattern: a folder may have [ or * in its name.
            listed = ", ".join(_quoted(str(f)) for f in files)
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}], union_by_name=true)"
            )
        else:
            empty = SCHEMAS[name].empty_table()
            con.register(f"_{name}_empty", empty)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")
    return con


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
