"""From the command line's PATH, --base, --head and --staged to the two trees to compare."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pygit2

from driftgate.analyzer.sources.base import Tree
from driftgate.analyzer.sources.errors import SourceError
from driftgate.analyzer.sources.git import (
    EmptyTree,
    GitIndexTree,
    GitRevisionTree,
    merge_base,
    open_repository,
    resolve_commit,
)
from driftgate.analyzer.sources.worktree import DirectoryTree, WorkTree


@dataclass(frozen=True, slots=True)
class Trees:
    """What to analyse: ``head``, and in diff mode the ``base`` it is compared with.

    File paths in both trees are relative to ``root`` (the repository's top level in
    git mode, the scanned folder otherwise).
    """

    root: Path
    head: Tree
    base: Tree | None


def open_trees(path: Path, base: str | None, head: str | None, staged: bool) -> Trees:
    """The trees ``driftgate scan PATH [--base ...] [--head ...] [--staged]`` reads."""
    if staged and head is not None:
        raise SourceError("--staged and --head cannot be used together: pick one head")
    target = _existing_folder(path)
    if base is not None and _spelled_as_path(base) and not Path(base).is_dir():
        # Without this, git is asked for a revision named like a path and answers with
        # a parser error about revision syntax that hides the missing folder.
        what = "a file, not a directory" if Path(base).exists() else "no such directory"
        raise SourceError(f"--base {base}: {what} (and not a git revision either)")
    if base is not None and _is_directory_base(base, target):
        if head is not None or staged:
            raise SourceError(
                f"--base {base} is a directory: --head and --staged only apply to git revisions"
            )
        return Trees(
            root=target,
            head=DirectoryTree(path, gitignore=True),
            base=DirectoryTree(Path(base), gitignore=True),
        )
    repo = _repository_of(path, target)
    if repo is None:
        if base is not None or head is not None or staged:
            raise SourceError(
                f"{path} is not inside a git repository: --base REV, --head and --staged"
                " need git (use --base DIR to compare two folders)"
            )
        return Trees(root=target, head=DirectoryTree(path, gitignore=True), base=None)
    return _git_trees(repo, target, base, head, staged)


def _git_trees(
    repo: pygit2.Repository, target: Path, base: str | None, head: str | None, staged: bool
) -> Trees:
    git_dir = Path(repo.path).resolve()
    if repo.workdir is None or target == git_dir:
        # A bare repository, or a git directory named itself (a mirror): only its
        # revisions can be read, whole.
        if head is None:
            raise SourceError(
                f"{repo.path} is a git directory without a working tree: name the revision"
                " to read with --head REV"
            )
        root, subdir = git_dir, ""
    else:
        root = Path(repo.workdir).resolve()
        subdir = target.relative_to(root).as_posix()
        subdir = "" if subdir == "." else subdir

    head_tree: Tree
    head_commit: pygit2.Commit | None = None
    if staged:
        head_tree = GitIndexTree(repo, subdir)
    elif head is not None:
        head_commit = resolve_commit(repo, head)
        head_tree = GitRevisionTree(repo, head_commit, subdir, name=head)
    else:
        head_tree = WorkTree(repo, subdir)

    base_tree: Tree | None = None
    if base is not None:
        base_commit = resolve_commit(repo, base)
        head_name = head or "HEAD"
        if head_commit is None:
            head_commit = resolve_commit(repo, "HEAD")
        fork = merge_base(repo, base_commit, head_commit, base, head_name)
        # Name the base by the revision given only when it is that revision itself.
        name = base if fork.id == base_commit.id else f"merge-base({base}, {head_name})"
        base_tree = GitRevisionTree(repo, fork, subdir, name=name)
    elif staged:
        # What pre-commit compares with: the commit the index is about to follow.
        if repo.head_is_unborn:
            base_tree = EmptyTree("HEAD (no commits yet)")
        else:
            base_tree = GitRevisionTree(repo, resolve_commit(repo, "HEAD"), subdir, name="HEAD")
    return Trees(root=root, head=head_tree, base=base_tree)


def _existing_folder(path: Path) -> Path:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # missing, or a symlink loop
        raise SourceError(f"{path} does not exist") from error
    if not target.is_dir():
        raise SourceError(f"{path} is not a directory")
    return target


def _spelled_as_path(base: str) -> bool:
    """``./x``, ``../x``, ``/x``, ``~/x``: a folder was meant, never a revision."""
    return base.startswith(("./", "../", "/", "~")) or base in {".", ".."}


def _is_directory_base(base: str, target: Path) -> bool:
    """True when ``--base`` names a folder rather than a git revision.

    A folder and a branch can share a name (``staging``): a path spelled as one
    (``./staging``, ``/srv/old``) is a folder, a bare name that is both is refused.
    """
    if not Path(base).is_dir():
        return False
    if base.startswith(("./", "../", "/")) or base in {".", ".."} or Path(base).is_absolute():
        return True
    try:
        repo = open_repository(target)
        resolve_commit(repo, base)
    except SourceError:
        return True
    raise SourceError(
        f"--base '{base}' is both a folder and a git revision: write ./{base} for the"
        f" folder, or refs/heads/{base} (or its commit id) for the revision"
    )


def _repository_of(path: Path, target: Path) -> pygit2.Repository | None:
    """The repository ``path`` is in, refusing a ``path`` that a symlink leads out of it."""
    # Lexical on purpose: resolving first would hide the symlink this check is about.
    lexical = Path(os.path.normpath(path.absolute()))
    for folder in (lexical, *lexical.parents):
        if os.path.lexists(folder / ".git"):
            if not target.is_relative_to(folder.resolve()):
                raise SourceError(
                    f"{path} leads to {target}, outside the repository {folder}:"
                    " driftgate does not follow symlinks out of the repository"
                )
            break
    try:
        found = pygit2.discover_repository(str(target))
    except pygit2.GitError:
        found = None
    if found is None:
        return None
    repo = open_repository(target)
    if repo.workdir is not None and not target.is_relative_to(Path(repo.workdir).resolve()):
        raise SourceError(f"{path} is inside the git directory {repo.path}, not the working tree")
    return repo
