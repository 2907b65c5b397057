"""Whole models on disk, by everything they were built from: a warm run builds nothing.

A tree's model depends on its files (their paths and git blob ids), on whatever else the
build read through the tree (``file()`` and ``templatefile()`` inputs, Terraform's
``.terraform/modules`` listings), on the options, and on driftgate's own code and data.
The key covers the first, third and fourth; the second is recorded while the model is
built and checked again on every hit (a few files, re-read and compared by digest). A
model that depended on a program outside driftgate (charts rendered by ``helm``) or on
a plan is never stored.

Entries live in the parse cache's directory and share its rules (see
:mod:`driftgate.analyzer.cache`): private to the user, bounded in size, atomic writes.
A pre-commit hook gains most: the base of one commit is the head of the one before.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from driftgate.analyzer import __version__
from driftgate.analyzer.cache import DiskCache
from driftgate.analyzer.sources.base import MAX_READ_PATH, SourceFile, Tree

_KIND = "model"
# What the model depends on besides driftgate's code: the packages that read or know.
_DISTRIBUTIONS = (
    "python-hcl2",
    "tree-sitter",
    "tree-sitter-hcl",
    "PyYAML",
    "policy_sentry",
    "pydantic",
)

Record = tuple[tuple[str, str, str], ...]
T = TypeVar("T")


@functools.cache
def code_fingerprint() -> str:
    """driftgate's code and packaged data as installed (each file's path, size and
    modification time: an edit or an upgrade changes it), and the libraries above."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if (
            path.suffix in (".py", ".json", ".gz", ".csv", ".txt")
            and "__pycache__" not in path.parts
        ):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
            )
    for dist in _DISTRIBUTIONS:
        try:
            digest.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=?;".encode())
    return digest.hexdigest()


def _digest(data: bytes | None) -> str:
    return "-" if data is None else hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _names(names: Sequence[str] | None) -> str:
    return "-" if names is None else "\0".join(names)


class RecordingTree:
    """``tree`` as the build sees it, noting everything read beyond its listed files."""

    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self.reads: dict[tuple[str, str], str] = {}
        lister = getattr(tree, "list_folder", None)
        walker = getattr(tree, "files_under", None)
        self.list_folder: Callable[[str], list[str] | None] | None = (
            self._recorded("list", lister, _names) if lister is not None else None
        )
        self.files_under: Callable[[str], list[str]] | None = (
            self._recorded("under", walker, _names) if walker is not None else None
        )

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        data = self._tree.read_path(path, limit)
        self.reads[("read", path)] = _digest(data)
        return data

    def _recorded(
        self, kind: str, call: Callable[[str], T], summary: Callable[[T], str]
    ) -> Callable[[str], T]:
        def recorded(path: str) -> T:
            result = call(path)
            self.reads[(kind, path)] = summary(result)
            return result

        return recorded

    def record(self) -> Record:
        return tuple(sorted((kind, path, seen) for (kind, path), seen in self.reads.items()))


def still_valid(tree: Tree, record: Record) -> bool:
    """Every recorded read gives what it gave when the model was built."""
    for kind, path, seen in record:
        if kind == "read":
            now = _digest(tree.read_path(path))
        else:
            call = getattr(tree, "list_folder" if kind == "list" else "files_under", None)
            if call is None:
                return False
            now = _names(call(path))
        if now != seen:
            return False
    return True


@dataclass
class ModelCache:
    """Built models by the key of :meth:`key`, validated against their recorded reads."""

    disk: DiskCache
    # Models reused this run, for -v.
    hits: int = 0

    @staticmethod
    def key(sources: Sequence[SourceFile], *context: object) -> str:
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in context:
            digest.update(repr(part).encode())
            digest.update(b"\0")
        for source in sources:
            digest.update(f"{source.path}\0{source.key}\n".encode())
        return digest.hexdigest()

    def get(self, key: str, tree: Tree) -> object | None:
        stored = self.disk.get(_KIND, key, "")
        if isinstance(stored, tuple) and len(stored) == 2 and still_valid(tree, stored[0]):
            self.hits += 1
            value: object = stored[1]
            return value
        return None

    def has(self, key: str) -> bool:
        """Whether a model is stored under ``key`` (still to be validated by :meth:`get`)."""
        return self.disk.has(_KIND, key, "")

    def put(self, key: str, record: Record, value: object) -> None:
        self.disk.put(_KIND, key, "", (record, value))
