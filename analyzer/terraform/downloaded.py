"""Modules Terraform downloaded: registry, git and http module calls, read from disk.

driftgate never fetches a module. ``terraform init`` (or ``terraform get``) leaves each
module it downloaded under the root's ``.terraform/modules/`` and writes where in
``.terraform/modules/modules.json``::

    {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                 {"Key": "iam_role", "Source": "registry.terraform.io/org/iam/aws",
                  "Version": "5.30.0", "Dir": ".terraform/modules/iam_role"},
                 {"Key": "iam_role.kms", "Source": "./modules/kms",
                  "Dir": ".terraform/modules/iam_role/modules/kms"}]}

``Key`` is the call path from the root (module names joined by dots, no instance
keys), ``Dir`` is relative to the root. When the manifest is there, a remote call is
read from its ``Dir`` as if it were a local module; a ``Dir`` outside
``<root>/.terraform/modules/`` (or outside the repository) is never read. When it is not
there (a git revision, where ``.terraform/`` is usually ignored, or a root never
initialised), each remote call is a ``module-not-read`` warning.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.parse.files import parse_file
from driftgate.analyzer.parse.hcl_ast import HclFile

MANIFEST = ".terraform/modules/modules.json"
_MODULES_DIR = ".terraform/modules"
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# A registry address: [host/]namespace/name/provider[//subdir].
_REGISTRY = re.compile(r"^(?:[^/:]+\.[^/:]+/)?[\w-]+/[\w-]+/[\w-]+(?://.*)?$")
_DEFAULT_REGISTRY = "registry.terraform.io/"

ParseHcl = Callable[[str, bytes], tuple[HclFile | None, list[Diagnostic]]]


def parse_hcl_file(path: str, data: bytes) -> tuple[HclFile | None, list[Diagnostic]]:
    """The default parser of a downloaded ``.tf`` file (the pipeline passes its cache's)."""
    parsed, problems = parse_file(path, data)
    return (parsed if isinstance(parsed, HclFile) else None), problems


def is_local(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\"))


def is_absolute(source: str) -> bool:
    return source.startswith(("/", "\\")) or bool(_DRIVE.match(source))


@dataclass(frozen=True, slots=True)
class Entry:
    """One module of the manifest."""

    key: str
    source: str
    version: str
    dir: str


@dataclass(slots=True)
class Manifest:
    """A root's ``modules.json``: its entries by key, or why it could not be used."""

    path: str
    entries: dict[str, Entry]
    problem: str | None = None  # set when the file exists but could not be read
    line: int = 1  # where the problem is, when known


def manifest_path(root_dir: str) -> str:
    return posixpath.join(root_dir, MANIFEST) if root_dir else MANIFEST


def read_manifest(root_dir: str, data: bytes | None) -> Manifest | None:
    """The manifest of the root in ``root_dir`` from its bytes; None when there is none."""
    path = manifest_path(root_dir)
    if data is None:
        return None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        return Manifest(path, {}, f"not valid JSON: {error.msg}", error.lineno)
    except (UnicodeDecodeError, ValueError) as error:
        return Manifest(path, {}, f"not valid JSON: {error}")
    modules = document.get("Modules") if isinstance(document, dict) else None
    if not isinstance(modules, list):
        return Manifest(path, {}, 'no "Modules" list')
    entries: dict[str, Entry] = {}
    for i, item in enumerate(modules):
        if not isinstance(item, dict):
            return Manifest(path, {}, f"Modules[{i}] is not an object")
        key, dir_ = item.get("Key"), item.get("Dir")
        if not isinstance(key, str) or not isinstance(dir_, str):
            return Manifest(path, {}, f'Modules[{i}] has no string "Key" and "Dir"')
        source, version = item.get("Source", ""), item.get("Version", "")
        entries[key] = Entry(
            key,
            source if isinstance(source, str) else "",
            version if isinstance(version, str) else "",
            dir_,
        )
    return Manifest(path, entries)


def entry_dir(root_dir: str, entry: Entry) -> tuple[str | None, str]:
    """The repo-relative folder an entry names, or None and why it is not read.

    Only folders under the root's own ``.terraform/modules/`` are read: that is where
    Terraform puts what it downloads, and nothing else of ``.terraform/`` is ours to parse.
    """
    raw = entry.dir.replace("\\", "/")
    if is_absolute(entry.dir) or posixpath.isabs(raw):
        return None, f"its manifest Dir {entry.dir} is an absolute path"
    target = (
        posixpath.normpath(posixpath.join(root_dir, raw)) if root_dir else posixpath.normpath(raw)
    )
    if target == ".." or target.startswith("../"):
        return None, f"its manifest Dir {entry.dir} leads outside the repository root"
    downloads = posixpath.join(root_dir, _MODULES_DIR) if root_dir else _MODULES_DIR
    if not target.startswith(downloads + "/"):
        return None, f"its manifest Dir {entry.dir} is not under {downloads}/"
    return target, ""


def in_downloads(root_dir: str, directory: str) -> bool:
    """True when ``directory`` lies under the root's ``.terraform/modules/``."""
    downloads = posixpath.join(root_dir, _MODULES_DIR) if root_dir else _MODULES_DIR
    return directory.startswith(downloads + "/")


def same_source(call: str, recorded: str) -> bool:
    """False when the manifest plainly records another source than the call names.

    Terraform records a registry source with its host (``registry.terraform.io/...``)
    and rewrites shorthands (``github.com/o/r`` → ``git::https://github.com/o/r.git``);
    only registry addresses, which it rewrites predictably, are compared.
    """
    if not recorded or not _REGISTRY.match(call) or "::" in recorded or "://" in recorded:
        return True

    def bare(source: str) -> str:
        return source.removeprefix(_DEFAULT_REGISTRY).lower()

    return bare(call) == bare(recorded)


def read_folder(
    directory: str,
    list_folder: Callable[[str], list[str] | None] | None,
    read_file: Callable[[str], bytes | None] | None,
    parse: ParseHcl,
) -> tuple[list[HclFile] | None, list[Diagnostic]]:
    """The parsed ``.tf`` files of a downloaded module's folder; None when it is unreadable.

    Problems with its files are warnings: the module is Terraform's download, not a
    file of the repository a change could fix.
    """
    if list_folder is None or read_file is None:
        return None, []
    names = list_folder(directory)
    if names is None:
        return None, []
    files: list[HclFile] = []
    problems: list[Diagnostic] = []
    for name in names:
        if not name.endswith(".tf"):
            continue
        path = f"{directory}/{name}"
        data = read_file(path)
        if data is None:
            message = f"{path} not read: a symlink, not a regular file, or too large"
            problems.append(Diagnostic(path, 1, message, "unsafe-path", "warning"))
            continue
        parsed, found = parse(path, data)
        problems.extend(Diagnostic(d.path, d.line, d.message, d.kind, "warning") for d in found)
        if parsed is not None:
            files.append(parsed)
    return files, problems
