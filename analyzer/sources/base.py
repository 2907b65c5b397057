"""What a tree of files is, whatever it is read from."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

# File names driftgate reads; everything else is never opened.
RELEVANT_SUFFIXES = (".tf", ".tfvars", ".yaml", ".yml")
# Directories that never hold the repository's own infrastructure code.
SKIPPED_DIRS = frozenset(
    {".git", ".terraform", "vendor", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
)


MAX_READ_PATH = 1024 * 1024


def safe_relative(path: str) -> str | None:
    """``path`` normalised to a repo-relative POSIX path, or None if it leaves the root."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal.startswith(("../", "/")) or normal in ("..", ".") or ":" in normal.split("/")[0]:
        return None
    return normal


def is_relevant(path: str) -> bool:
    """True for a repo-relative POSIX path driftgate would parse."""
    parts = path.split("/")
    if any(part in SKIPPED_DIRS for part in parts[:-1]):
        return False
    return parts[-1].endswith(RELEVANT_SUFFIXES) or parts[-1].endswith(".tfvars.json")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a tree.

    ``path`` is relative to the tree's root with POSIX separators; ``key`` identifies
    the content (a git blob id, or a hash of the bytes) so that parse results can be
    shared between base and head and cached across runs. ``size`` (bytes), when the tree
    knows it without reading, lets a file over the size limit be skipped unread;
    ``sizer`` tells it on demand instead, so a run that reads no file (every model or
    finding cached) asks the disk or the object database for no size either.
    """

    path: str
    key: str
    read: Callable[[], bytes] = field(compare=False, repr=False)
    size: int | None = field(default=None, compare=False)
    sizer: Callable[[], int | None] | None = field(default=None, compare=False, repr=False)

    def known_size(self) -> int | None:
        """The size in bytes without reading the file; None when the tree cannot tell."""
        return self.sizer() if self.sizer is not None else self.size


class Tree(Protocol):
    """A set of files to analyse: a working tree, a git revision, the index, a folder."""

    @property
    def label(self) -> str:
        """How the tree is named to the user (``working tree``, ``main@1a2b3c4``, ...)."""
        ...

    def files(self) -> Iterator[SourceFile]:
        """The relevant files of the tree, in path order."""
        ...

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        """Any regular file of the tree by repo-relative path (``file()``, ``templatefile()``).

        None when it does not exist, is not a regular file, is reached through a
        symlink, lies outside the root, or is larger than ``limit`` bytes.
        """
        ...


class FolderLister(Protocol):
    """A tree that can name the files of one folder, ignored or not (see ``list_folder``).

    Trees offer ``list_folder(path)``: the names of the files (not folders) directly in
    the repo-relative folder ``path``, whatever the ignore rules and SKIPPED_DIRS say;
    None when the folder does not exist, lies outside the root or is reached through a
    symlink. It is how modules Terraform downloaded under ``.terraform/modules`` (which
    the listing of the tree's own files leaves out) are read, folder by folder, only
    where ``.terraform/modules/modules.json`` names them.
    """

    def list_folder(self, path: str) -> list[str] | None: ...


class FolderWalker(Protocol):
    """A tree that can name every file below one folder (``files_under``): the paths,
    repo-relative, of the regular files in it and its subfolders, never through a
    symlink; empty when the folder does not exist or lies outside the root. It is how
    a Helm chart (templates, helpers, values, vendored subcharts) is copied out to be
    rendered."""

    def files_under(self, path: str) -> list[str]: ...
