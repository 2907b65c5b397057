"""Trees read from git's object database: a revision, the index. Never a checkout."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.sources.base import (
    MAX_READ_PATH,
    SKIPPED_DIRS,
    SourceFile,
    is_relevant,
    safe_relative,
)
from driftgate.analyzer.sources.errors import SourceError
from driftgate.analyzer.sources.walk import in_subdir, normalize_subdir, symlink_warning

__all__ = [
    "EmptyTree",
    "GitIndexTree",
    "GitRevisionTree",
    "SourceError",
    "merge_base",
    "open_repository",
    "resolve_commit",
]

# `git add -N` stages this id without writing the (empty) blob to the object database.
_EMPTY_BLOB = str(pygit2.hash(b""))
_SHALLOW_HINT = (
    "; the clone is shallow: fetch the full history (actions/checkout with fetch-depth: 0,"
    " or git fetch --unshallow)"
)


def open_repository(path: Path) -> pygit2.Repository:
    """The git repository that holds ``path`` (searching upward from it)."""
    try:
        found = pygit2.discover_repository(str(path))
        if found is not None:
            return pygit2.Repository(found)
    except pygit2.GitError as error:
        raise SourceError(f"cannot open the git repository at {path}: {error}") from error
    raise SourceError(f"{path} is not inside a git repository")


def resolve_commit(repo: pygit2.Repository, rev: str) -> pygit2.Commit:
    """The commit ``rev`` names (a branch, tag, sha, ``HEAD~2``, ...)."""
    try:
        found = repo.revparse_single(rev)
    except KeyError as error:
        raise SourceError(_unknown_revision(repo, rev)) from error
    except ValueError as error:  # an ambiguous or malformed revision
        raise SourceError(f"unknown git revision '{rev}': {error}") from error
    try:
        return found.peel(pygit2.Commit)
    except (ValueError, pygit2.GitError) as error:
        raise SourceError(f"git revision '{rev}' does not name a commit") from error


def merge_base(
    repo: pygit2.Repository,
    a: pygit2.Commit,
    b: pygit2.Commit,
    a_name: str | None = None,
    b_name: str | None = None,
) -> pygit2.Commit:
    """The best common ancestor of ``a`` and ``b``: where a branch forked from its base."""
    try:
        oid: pygit2.Oid | None = repo.merge_base(a.id, b.id)
    except pygit2.GitError:
        oid = None  # a shallow clone's missing parents
    if oid is None:
        hint = (
            _SHALLOW_HINT
            if repo.is_shallow
            else ": the histories are unrelated; name a base the head descends from,"
            " or compare two folders with --base DIR"
        )
        raise SourceError(
            f"no common ancestor between {a_name or a.short_id} and {b_name or b.short_id}" + hint
        )
    return repo[oid].peel(pygit2.Commit)


class _GitBlobs:
    """Files read as blobs from the object database, listed by ``_listing`` and looked up
    by ``_entry`` (a commit's tree, or the index)."""

    _repo: pygit2.Repository
    _label: str

    @property
    def label(self) -> str:
        return self._label

    @property
    def skipped(self) -> list[Diagnostic]:
        """Symlinks that were not followed (warnings)."""
        return list(self._listing[1])

    @cached_property
    def _listing(self) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
        raise NotImplementedError

    def _entry(self, rel: str) -> tuple[str, int]:
        """The blob id and file mode at ``rel``; KeyError when there is none."""
        raise NotImplementedError

    def files(self) -> Iterator[SourceFile]:
        for path, oid in self._listing[0]:
            reader = _blob_reader(self._repo, oid, self._label, path)
            yield SourceFile(
                path, oid, reader, sizer=functools.partial(_blob_size, self._repo, oid)
            )

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        rel = safe_relative(path)
        if rel is None:
            return None
        try:
            oid, mode = self._entry(rel)
        except (KeyError, ValueError, pygit2.GitError):  # GitError: a tree object is missing
            return None
        return _small_blob(self._repo, oid, mode, limit)


class GitRevisionTree(_GitBlobs):
    """The relevant files of a commit, read as blobs from the object database."""

    def __init__(
        self,
        repo: pygit2.Repository,
        commit: pygit2.Commit,
        subdir: str = "",
        *,
        name: str | None = None,
    ) -> None:
        self._repo = repo
        self.commit = commit
        self.subdir = normalize_subdir(subdir)
        self._label = f"{name}@{commit.short_id}" if name else commit.short_id

    def _entry(self, rel: str) -> tuple[str, int]:
        entry = self.commit.tree[rel]
        return str(entry.id), int(entry.filemode)

    def list_folder(self, path: str) -> list[str] | None:
        """The names of the files (blobs and links) directly in the folder ``path``."""
        rel = safe_relative(path) if path not in ("", ".") else ""
        if rel is None:
            return None
        folder = _subtree(self.commit.tree, rel)
        if folder is None:
            return None
        return sorted(obj.name for obj in folder if not isinstance(obj, pygit2.Tree) and obj.name)

    def files_under(self, path: str) -> list[str]:
        rel = safe_relative(path)
        folder = _subtree(self.commit.tree, rel) if rel is not None else None
        if rel is None or folder is None:
            return []
        regular = (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE)
        return sorted(p for p, mode, _ in _tree_entries(folder, rel) if mode in regular)

    @cached_property
    def _listing(self) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
        start = _subtree(self.commit.tree, self.subdir)
        if start is None:  # the folder does not exist in this revision
            return [], []
        entries = _tree_entries(start, self.subdir)
        return _select(self._repo, entries, self.subdir)


class GitIndexTree(_GitBlobs):
    """The staged files: what ``git commit`` is about to record (pre-commit's view)."""

    def __init__(self, repo: pygit2.Repository, subdir: str = "") -> None:
        self._repo = repo
        self.subdir = normalize_subdir(subdir)
        self._label = "index"

    def _entry(self, rel: str) -> tuple[str, int]:
        entry = _current_index(self._repo)[rel]
        return str(entry.id), int(entry.mode)

    def list_folder(self, path: str) -> list[str] | None:
        """The names of the staged files directly in the folder ``path``."""
        rel = safe_relative(path) if path not in ("", ".") else ""
        if rel is None:
            return None
        prefix = f"{rel}/" if rel else ""
        names = sorted(
            name
            for entry in _current_index(self._repo)
            if (p := str(entry.path)).startswith(prefix)
            and "/" not in (name := p[len(prefix) :])
            and entry.mode != FileMode.COMMIT
        )
        return names or None

    def files_under(self, path: str) -> list[str]:
        rel = safe_relative(path)
        if rel is None:
            return []
        regular = (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE)
        return sorted(
            p
            for entry in _current_index(self._repo)
            if (p := str(entry.path)).startswith(f"{rel}/") and entry.mode in regular
        )

    @cached_property
    def _listing(self) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
        index = _current_index(self._repo)
        if index.conflicts is not None:
            conflicted = sorted(
                {
                    path
                    for stages in index.conflicts
                    for entry in stages
                    if entry is not None
                    and in_subdir(path := str(entry.path), self.subdir)
                    and is_relevant(path)
                }
            )
            if conflicted:
                raise SourceError(
                    "the index has unresolved merge conflicts in " + ", ".join(conflicted)
                )
        entries = ((str(e.path), int(e.mode), str(e.id)) for e in index)
        return _select(self._repo, entries, self.subdir)


class EmptyTree:
    """A tree without files: the base of the first commit of a repository."""

    def __init__(self, label: str) -> None:
        self._label = label
        self.skipped: list[Diagnostic] = []

    @property
    def label(self) -> str:
        return self._label

    def files(self) -> Iterator[SourceFile]:
        return iter(())

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        return None

    def list_folder(self, path: str) -> list[str] | None:
        return None

    def files_under(self, path: str) -> list[str]:
        return []


def _small_blob(repo: pygit2.Repository, oid: str, mode: int, limit: int) -> bytes | None:
    """A regular file's content (never a symlink or a submodule), if not too large."""
    if mode not in (pygit2.GIT_FILEMODE_BLOB, pygit2.GIT_FILEMODE_BLOB_EXECUTABLE):
        return None
    blob = repo.get(oid)
    if not isinstance(blob, pygit2.Blob) or blob.size > limit:
        return None
    return bytes(blob.data)


def _blob_size(repo: pygit2.Repository, oid: str) -> int | None:
    """A blob's size from its header, without inflating it; None when it is missing."""
    try:
        return int(repo.odb.read_header(oid)[1])
    except (KeyError, ValueError, pygit2.GitError):
        return None


def _current_index(repo: pygit2.Repository) -> pygit2.Index:
    # `git commit -a` and `git commit <paths>` run hooks against a temporary index
    # named by GIT_INDEX_FILE; .git/index is not what is being committed then.
    override = os.environ.get("GIT_INDEX_FILE")
    if not override:
        index: pygit2.Index = repo.index
        return index
    try:
        return pygit2.Index(str(Path(override).absolute()))
    except pygit2.GitError as error:
        raise SourceError(f"cannot read the index {override} (GIT_INDEX_FILE): {error}") from error


def _subtree(tree: pygit2.Tree, subdir: str) -> pygit2.Tree | None:
    for part in subdir.split("/") if subdir else []:
        if part not in tree:
            return None
        child = tree[part]
        if not isinstance(child, pygit2.Tree):
            return None
        tree = child
    return tree


def _tree_entries(tree: pygit2.Tree, prefix: str) -> Iterator[tuple[str, int, str]]:
    """Every entry below ``tree`` as (path, filemode, id), not descending into skipped dirs."""
    pending = [(prefix, tree)]
    while pending:
        base, current = pending.pop()
        for obj in current:
            name = obj.name
            # A crafted object may carry names git itself would refuse to check out.
            if not name or name in {".", ".."} or "/" in name:
                continue
            path = f"{base}/{name}" if base else name
            if isinstance(obj, pygit2.Tree):
                if name not in SKIPPED_DIRS:
                    pending.append((path, obj))
            else:
                yield path, int(obj.filemode), str(obj.id)


def _select(
    repo: pygit2.Repository, entries: Iterable[tuple[str, int, str]], subdir: str
) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """The relevant blobs in ``subdir`` in path order, and the symlinks left unread."""
    files: list[tuple[str, str]] = []
    skipped: list[Diagnostic] = []
    for path, mode, oid in entries:
        if not in_subdir(path, subdir):
            continue
        if mode == FileMode.COMMIT:
            skipped.append(submodule_warning(path))
            continue
        if not is_relevant(path):
            continue
        if mode == FileMode.LINK:
            skipped.append(symlink_warning(path, _link_target(repo, oid)))
        elif mode in (FileMode.BLOB, FileMode.BLOB_EXECUTABLE):
            files.append((path, oid))
        # Anything else is not a file of this repository: not ours to read.
    files.sort()
    skipped.sort(key=lambda diagnostic: diagnostic.path)
    return files, skipped


def submodule_warning(path: str) -> Diagnostic:
    """A submodule is a commit of another repository: never read, and said so."""
    return Diagnostic(
        path=path,
        line=1,
        message=f"submodule not read: {path} is another repository; scan it on its own",
        kind="unsafe-path",
        level="warning",
    )


def _unborn_branch(repo: pygit2.Repository) -> str:
    try:
        target = repo.lookup_reference("HEAD").target
    except (KeyError, pygit2.GitError):
        return "HEAD"
    return str(target).removeprefix("refs/heads/")


def _link_target(repo: pygit2.Repository, oid: str) -> str:
    blob = repo.get(oid)
    if not isinstance(blob, pygit2.Blob):
        return "?"
    return blob.data.decode("utf-8", "replace")


def _blob_reader(repo: pygit2.Repository, oid: str, where: str, path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        blob = repo.get(oid)
        if isinstance(blob, pygit2.Blob):
            return blob.data
        if oid == _EMPTY_BLOB:
            return b""
        raise SourceError(
            f"{path} ({where}): blob {oid} is missing from the object database"
            " (a partial or shallow clone?)"
        )

    return read


def _unknown_revision(repo: pygit2.Repository, rev: str) -> str:
    if repo.head_is_unborn:
        if rev == "HEAD":
            branch = _unborn_branch(repo)
            return (
                f"HEAD has no commits yet (branch {branch} is unborn): commit something first,"
                " or scan the working tree or --staged without --base/--head"
            )
        if not any(True for _ in repo.references):
            return f"unknown git revision '{rev}': the repository has no commits yet"
    hint = _SHALLOW_HINT if repo.is_shallow else ""
    return f"unknown git revision '{rev}'" + hint
