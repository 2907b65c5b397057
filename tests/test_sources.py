"""The trees driftgate reads, checked against real git repositories built with the git CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pygit2
import pytest

from driftgate.analyzer.sources.base import Tree
from driftgate.analyzer.sources.errors import SourceError
from driftgate.analyzer.sources.git import (
    EmptyTree,
    GitIndexTree,
    GitRevisionTree,
    open_repository,
    resolve_commit,
)
from driftgate.analyzer.sources.select import open_trees
from driftgate.analyzer.sources.worktree import DirectoryTree, WorkTree

# Fixed identity and no user/system config, so the tests behave the same on a fresh CI box.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "driftgate tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "driftgate tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}
    env.pop("GIT_INDEX_FILE", None)
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def new_repo(root: Path, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for rel, text in (files or {}).items():
        write(root, rel, text)
    if files:
        commit_all(root, "initial")
    return root


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def contents(tree: Tree) -> dict[str, bytes]:
    return {source.path: source.read() for source in tree.files()}


def paths(tree: Tree) -> list[str]:
    return [source.path for source in tree.files()]


@pytest.fixture(autouse=True)
def _no_outer_index(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test run from inside a git hook must not see the hook's index.
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)


def test_working_tree_honours_gitignore_and_skips_tool_folders(tmp_path: Path) -> None:
    repo = new_repo(
        tmp_path / "repo",
        {
            ".gitignore": "*.generated.tf\nbuild/\n",
            "main.tf": 'resource "a" "b" {}\n',
            "k8s/.gitignore": "secret.yaml\n",
            "k8s/app.yaml": "kind: Deployment\n",
            "README.md": "not infrastructure\n",
        },
    )
    # Tracked despite the pattern: git keeps it, so must the working tree, or a scan
    # against any revision would report the file as deleted.
    write(repo, "forced.generated.tf", "# tracked\n")
    git(repo, "add", "-f", "forced.generated.tf")
    write(repo, "other.generated.tf", "# ignored\n")
    write(repo, "build/out.tf", "# ignored folder\n")
    write(repo, "k8s/secret.yaml", "kind: Secret\n")
    write(repo, ".terraform/modules/m/main.tf", "# downloaded module\n")
    write(repo, "vendor/chart/values.yaml", "# vendored\n")
    write(repo, "new.tf", "# untracked, not ignored\n")

    tree = WorkTree(open_repository(repo))

    assert paths(tree) == ["forced.generated.tf", "k8s/app.yaml", "main.tf", "new.tf"]
    assert tree.label == "working tree"


def test_unchanged_file_has_the_same_key_in_working_tree_and_revision(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"same.tf": "a = 1\n", "edited.tf": "b = 1\n"})
    write(repo, "edited.tf", "b = 2\n")
    pygit_repo = open_repository(repo)

    work = {source.path: source.key for source in WorkTree(pygit_repo).files()}
    rev = {
        source.path: source.key
        for source in GitRevisionTree(pygit_repo, resolve_commit(pygit_repo, "HEAD")).files()
    }

    assert work["same.tf"] == rev["same.tf"] == git(repo, "rev-parse", "HEAD:same.tf")
    assert work["edited.tf"] == git(repo, "hash-object", "edited.tf")
    assert work["edited.tf"] != rev["edited.tf"]


def test_revision_tree_reads_committed_content_not_the_working_tree(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"iam.tf": "committed\n", "gone.tf": "still here\n"})
    write(repo, "iam.tf", "edited on disk\n")
    (repo / "gone.tf").unlink()
    pygit_repo = open_repository(repo)

    tree = GitRevisionTree(pygit_repo, resolve_commit(pygit_repo, "main"), name="main")

    assert contents(tree) == {"gone.tf": b"still here\n", "iam.tf": b"committed\n"}
    assert tree.label == f"main@{git(repo, 'rev-parse', '--short=7', 'HEAD')}"


def test_index_tree_reads_what_is_staged(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"staged.tf": "v1\n", "unstaged.tf": "v1\n"})
    write(repo, "staged.tf", "v2 staged\n")
    git(repo, "add", "staged.tf")
    write(repo, "staged.tf", "v3 on disk only\n")
    write(repo, "unstaged.tf", "v2 on disk only\n")
    write(repo, "added.yaml", "kind: ServiceAccount\n")
    git(repo, "add", "added.yaml")
    write(repo, "untracked.tf", "never staged\n")

    tree = GitIndexTree(open_repository(repo))

    assert contents(tree) == {
        "added.yaml": b"kind: ServiceAccount\n",
        "staged.tf": b"v2 staged\n",
        "unstaged.tf": b"v1\n",
    }
    assert tree.label == "index"


def test_index_tree_follows_the_index_a_commit_hook_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `git commit -a` runs hooks against a temporary index named by GIT_INDEX_FILE.
    repo = new_repo(tmp_path / "repo", {"a.tf": "v1\n"})
    write(repo, "a.tf", "v2 via commit -a\n")
    alternate = tmp_path / "next-index"
    (repo / ".git" / "index").replace(alternate)
    env = {**os.environ, **_GIT_ENV, "GIT_INDEX_FILE": str(alternate)}
    subprocess.run(["git", "add", "a.tf"], cwd=repo, env=env, check=True)
    git(repo, "read-tree", "HEAD")
    monkeypatch.setenv("GIT_INDEX_FILE", str(alternate))

    assert contents(GitIndexTree(open_repository(repo))) == {"a.tf": b"v2 via commit -a\n"}


def test_base_is_the_merge_base_not_the_tip_of_the_base_branch(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"role.tf": "fork point\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "role.tf", "feature change\n")
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    write(repo, "role.tf", "main moved on\n")
    write(repo, "later.tf", "only on main\n")
    commit_all(repo, "main moves")
    git(repo, "checkout", "-q", "feature")

    trees = open_trees(repo, base="main", head=None, staged=False)

    assert trees.base is not None
    assert contents(trees.base) == {"role.tf": b"fork point\n"}
    assert contents(trees.head) == {"role.tf": b"feature change\n"}
    fork = git(repo, "merge-base", "main", "feature")
    assert trees.base.label == f"merge-base(main, HEAD)@{fork[:7]}"


def test_base_with_head_revision_uses_that_revision(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"role.tf": "v1\n"})
    write(repo, "role.tf", "v2\n")
    commit_all(repo, "v2")
    write(repo, "role.tf", "uncommitted\n")

    trees = open_trees(repo, base="HEAD~1", head="HEAD", staged=False)

    assert trees.base is not None
    assert contents(trees.base) == {"role.tf": b"v1\n"}
    assert contents(trees.head) == {"role.tf": b"v2\n"}


def test_unknown_revision_is_named(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.tf": "x\n"})

    with pytest.raises(SourceError, match="unknown git revision 'no-such-branch'"):
        open_trees(repo, base="no-such-branch", head=None, staged=False)
    with pytest.raises(SourceError, match="unknown git revision 'v9'"):
        open_trees(repo, base=None, head="v9", staged=False)


def test_unrelated_histories_have_no_common_ancestor(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.tf": "x\n"})
    git(repo, "checkout", "-q", "--orphan", "other")
    commit_all(repo, "unrelated root")

    with pytest.raises(SourceError, match="no common ancestor between main and HEAD"):
        open_trees(repo, base="main", head=None, staged=False)


def test_scanning_a_folder_keeps_repo_relative_paths(tmp_path: Path) -> None:
    repo = new_repo(
        tmp_path / "repo",
        {
            "envs/prod/main.tf": "prod v1\n",
            "envs/production-eu/main.tf": "sibling with a longer name\n",
            "envs/staging/main.tf": "staging\n",
        },
    )
    write(repo, "envs/prod/main.tf", "prod v2\n")
    write(repo, "envs/prod/k8s/sa.yaml", "kind: ServiceAccount\n")

    trees = open_trees(repo / "envs" / "prod", base="HEAD", head=None, staged=False)

    assert trees.root == repo.resolve()
    assert trees.base is not None
    assert contents(trees.base) == {"envs/prod/main.tf": b"prod v1\n"}
    assert contents(trees.head) == {
        "envs/prod/k8s/sa.yaml": b"kind: ServiceAccount\n",
        "envs/prod/main.tf": b"prod v2\n",
    }
    staged = open_trees(repo / "envs" / "prod", base=None, head=None, staged=True)
    assert paths(staged.head) == ["envs/prod/main.tf"]


def test_folder_missing_at_base_gives_an_empty_base(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.tf": "x\n"})
    write(repo, "new/main.tf", "added in this change\n")

    trees = open_trees(repo / "new", base="HEAD", head=None, staged=False)

    assert trees.base is not None
    assert paths(trees.base) == []
    assert paths(trees.head) == ["new/main.tf"]


def test_symlinks_are_never_followed_and_are_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.tf", "outside the repository\n")
    repo = new_repo(tmp_path / "repo", {"main.tf": "x\n"})
    (repo / "x.tf").symlink_to("/etc/passwd")
    (repo / "modules").symlink_to(outside, target_is_directory=True)
    (repo / "notes.txt").symlink_to("/etc/hostname")

    tree = WorkTree(open_repository(repo))

    assert contents(tree) == {"main.tf": b"x\n"}
    assert {(d.path, d.kind, d.level) for d in tree.skipped} == {
        ("modules", "unsafe-path", "warning"),
        ("x.tf", "unsafe-path", "warning"),
    }
    messages = " ".join(d.message for d in tree.skipped)
    assert "symlink not followed: x.tf -> /etc/passwd" in messages
    assert str(outside) in messages

    # Committed, the link is still only reported, never read.
    commit_all(repo, "add links")
    pygit_repo = open_repository(repo)
    revision = GitRevisionTree(pygit_repo, resolve_commit(pygit_repo, "HEAD"))
    assert contents(revision) == {"main.tf": b"x\n"}
    assert [d.path for d in revision.skipped] == ["x.tf"]


def test_a_path_that_leads_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "main.tf", "x\n")
    repo = new_repo(tmp_path / "repo", {"a.tf": "x\n"})
    (repo / "escape").symlink_to(outside, target_is_directory=True)

    with pytest.raises(SourceError, match="outside the repository"):
        open_trees(repo / "escape", base=None, head=None, staged=False)


def test_submodules_are_not_read(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"main.tf": "x\n"})
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},modules/shared")
    git(repo, "commit", "-q", "-m", "add a submodule")
    write(repo, "modules/shared/.git", "gitdir: elsewhere\n")
    write(repo, "modules/shared/main.tf", "another repository's file\n")
    pygit_repo = open_repository(repo)

    assert paths(GitRevisionTree(pygit_repo, resolve_commit(pygit_repo, "HEAD"))) == ["main.tf"]
    assert paths(GitIndexTree(pygit_repo)) == ["main.tf"]
    assert paths(WorkTree(pygit_repo)) == ["main.tf"]


def test_directory_base_works_without_git(tmp_path: Path) -> None:
    if pygit2.discover_repository(str(tmp_path)) is not None:
        pytest.skip("the temporary directory is inside a git repository")
    write(tmp_path / "old", "main.tf", "same\n")
    write(tmp_path / "old", "role.tf", "v1\n")
    write(tmp_path / "new", "main.tf", "same\n")
    write(tmp_path / "new", "role.tf", "v2\n")
    write(tmp_path / "new", ".terraform/x.tf", "downloaded\n")

    trees = open_trees(tmp_path / "new", base=str(tmp_path / "old"), head=None, staged=False)

    assert isinstance(trees.head, DirectoryTree)
    assert trees.base is not None
    assert trees.root == (tmp_path / "new").resolve()
    head = {source.path: source for source in trees.head.files()}
    base = {source.path: source for source in trees.base.files()}
    assert sorted(head) == sorted(base) == ["main.tf", "role.tf"]
    assert head["main.tf"].key == base["main.tf"].key
    assert head["role.tf"].read() == b"v2\n"
    assert trees.base.label == str(tmp_path / "old")
    with pytest.raises(SourceError, match="--head and --staged only apply"):
        open_trees(tmp_path / "new", base=str(tmp_path / "old"), head="HEAD", staged=False)


def test_plain_folder_scan_outside_git_honours_gitignore(tmp_path: Path) -> None:
    if pygit2.discover_repository(str(tmp_path)) is not None:
        pytest.skip("the temporary directory is inside a git repository")
    folder = tmp_path / "infra"
    write(folder, ".gitignore", "*.tfvars\n!public.tfvars\n")
    write(folder, "prod/.gitignore", "!secret.tfvars\nlocal/\n")
    for rel in ["a.tf", "x.tfvars", "public.tfvars", "prod/secret.tfvars", "prod/local/b.tf"]:
        write(folder, rel, "x\n")

    trees = open_trees(folder, base=None, head=None, staged=False)

    assert trees.base is None
    assert paths(trees.head) == ["a.tf", "prod/secret.tfvars", "public.tfvars"]
    with pytest.raises(SourceError, match="not inside a git repository"):
        open_trees(folder, base="main", head=None, staged=False)


def test_a_name_that_is_both_folder_and_branch_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_repo(tmp_path / "repo", {"staging/main.tf": "x\n", "prod/main.tf": "y\n"})
    git(repo, "branch", "staging")
    monkeypatch.chdir(repo)

    with pytest.raises(SourceError, match="both a folder and a git revision"):
        open_trees(Path("prod"), base="staging", head=None, staged=False)

    as_folder = open_trees(Path("prod"), base="./staging", head=None, staged=False)
    assert as_folder.base is not None
    assert paths(as_folder.base) == ["main.tf"]


def test_empty_repository_with_base_says_there_are_no_commits(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    write(repo, "main.tf", "x\n")

    with pytest.raises(SourceError, match=r"unknown git revision 'main'.*no commits yet"):
        open_trees(repo, base="main", head=None, staged=False)


def test_first_commit_staged_is_compared_with_an_empty_base(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    write(repo, "main.tf", "x\n")
    git(repo, "add", "main.tf")

    trees = open_trees(repo, base=None, head=None, staged=True)

    assert isinstance(trees.base, EmptyTree)
    assert paths(trees.base) == []
    assert contents(trees.head) == {"main.tf": b"x\n"}


def test_staged_compares_the_index_with_head(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"role.tf": "committed\n"})
    write(repo, "role.tf", "staged\n")
    git(repo, "add", "role.tf")

    trees = open_trees(repo, base=None, head=None, staged=True)

    assert isinstance(trees.head, GitIndexTree)
    assert trees.base is not None
    assert contents(trees.base) == {"role.tf": b"committed\n"}
    assert contents(trees.head) == {"role.tf": b"staged\n"}
    with pytest.raises(SourceError, match="--staged and --head"):
        open_trees(repo, base=None, head="HEAD", staged=True)


def test_without_base_there_is_no_diff(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"a.tf": "x\n"})

    trees = open_trees(repo, base=None, head=None, staged=False)

    assert trees.base is None
    assert isinstance(trees.head, WorkTree)


def test_files_come_in_path_order_in_every_tree(tmp_path: Path) -> None:
    # "a-b/..." sorts before "a/..." as a string, though a folder walk meets "a" first.
    names = {"a/x.tf": "1\n", "a-b/x.tf": "2\n", "a.tf": "3\n", "b/c/d.yml": "4\n"}
    repo = new_repo(tmp_path / "repo", names)
    pygit_repo = open_repository(repo)

    expected = sorted(names)
    assert paths(WorkTree(pygit_repo)) == expected
    assert paths(GitIndexTree(pygit_repo)) == expected
    assert paths(GitRevisionTree(pygit_repo, resolve_commit(pygit_repo, "HEAD"))) == expected


def test_a_file_changed_after_listing_is_not_read_under_its_old_key(tmp_path: Path) -> None:
    write(tmp_path / "d", "a.tf", "before\n")
    (source,) = DirectoryTree(tmp_path / "d").files()
    write(tmp_path / "d", "a.tf", "after\n")

    with pytest.raises(SourceError, match="changed while driftgate was reading it"):
        source.read()


def test_a_loop_of_symlinks_is_skipped_with_a_warning_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'variable "x" {}\n')
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    tree = DirectoryTree(tmp_path)
    assert [f.path for f in tree.files()] == ["main.tf"]
    assert sorted(d.path for d in tree.skipped) == ["a.yaml", "b.yaml"]


def test_a_bare_repository_or_mirror_is_read_at_a_named_revision(tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "k8s/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\n")
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "one")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirror)], check=True)
    trees = open_trees(mirror, None, "HEAD", False)
    assert [f.path for f in trees.head.files()] == ["k8s/sa.yaml"]
    with pytest.raises(SourceError, match="without a working tree: name the revision"):
        open_trees(mirror, None, None, False)
    # A checkout's own .git folder, named itself, is read the same way.
    trees = open_trees(work / ".git", None, "HEAD", False)
    assert [f.path for f in trees.head.files()] == ["k8s/sa.yaml"]
