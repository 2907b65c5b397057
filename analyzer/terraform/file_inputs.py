"""Files the Terraform of the tree reads as data: ``file()``, ``templatefile()``, ``fileset()``.

A YAML or JSON file that Terraform reads (a Grafana dashboard, a Helm values file, a
manifest template with ``${name}`` placeholders) is Terraform's input, not a Kubernetes
manifest: reading it as one would fail on its placeholders, or count it twice. The paths
are found statically, without evaluation, from calls whose path is a literal or is built
from ``path.module``, ``path.root`` or ``path.cwd``; those are taken as the folder of the
file that makes the call (a root module's own folder, which is what they are when it is
applied from there).
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from driftgate.analyzer.parse import hcl_ast as ast

_READERS = frozenset({"file", "templatefile", "filebase64", "filesha256", "filemd5"})
_FOLDERS = frozenset({"module", "root", "cwd"})
_HERE = "\0"  # path.module and the like, until the folder is known


@dataclass
class FileInputs:
    paths: set[str] = field(default_factory=set)
    # (folder, pattern) of fileset() calls: every file under folder matching pattern.
    patterns: list[tuple[str, str]] = field(default_factory=list)

    def __contains__(self, path: str) -> bool:
        if path in self.paths:
            return True
        for folder, pattern in self.patterns:
            prefix = f"{folder}/" if folder else ""
            if path.startswith(prefix) and fnmatch.fnmatchcase(path[len(prefix) :], pattern):
                return True
        return False


def file_inputs(files: Iterable[ast.HclFile]) -> FileInputs:
    found = FileInputs()
    for hcl in files:
        folder = posixpath.dirname(hcl.path)
        for call in _calls(hcl.blocks):
            if call.name in _READERS and call.args:
                path = _path(call.args[0], folder)
                if path is not None:
                    found.paths.add(path)
            elif call.name == "fileset" and len(call.args) == 2:
                base, pattern = _path(call.args[0], folder), _literal(call.args[1], folder)
                if base is not None and pattern is not None and _HERE not in pattern:
                    found.patterns.append((base, pattern))
    return found


def _calls(blocks: Iterable[ast.Block]) -> Iterator[ast.Call]:
    for block in blocks:
        for attribute in block.attributes.values():
            # Most attributes read no file: skip their trees without walking them.
            if "file" in attribute.expr.text:
                yield from _walk(attribute.expr)
        yield from _calls(block.blocks)


def _walk(expr: ast.Expr) -> Iterator[ast.Call]:
    todo: list[object] = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call):
            yield node
        if isinstance(node, ast.Expr):
            todo.extend(getattr(node, name) for name in node.__slots__ if name != "text")
        elif isinstance(node, tuple):
            todo.extend(node)


def _literal(expr: ast.Expr, folder: str) -> str | None:
    """A string argument whose every part is known statically."""
    if isinstance(expr, ast.Literal):
        return expr.value if isinstance(expr.value, str) else None
    if not isinstance(expr, ast.Template):
        return None
    text: list[str] = []
    for part in expr.parts:
        if isinstance(part, str):
            text.append(part)
        elif (
            isinstance(part, ast.GetAttr)
            and isinstance(part.obj, ast.Variable)
            and part.obj.name == "path"
            and part.name in _FOLDERS
        ):
            text.append(_HERE)
        else:
            return None
    return "".join(text)


def _path(expr: ast.Expr, folder: str) -> str | None:
    if (
        isinstance(expr, ast.GetAttr)
        and isinstance(expr.obj, ast.Variable)
        and expr.obj.name == "path"
        and expr.name in _FOLDERS
    ):
        return folder
    text = _literal(expr, folder)
    if text is None:
        return None
    # Anchored at the module's folder, or relative to it (the root's, when applied there).
    text = posixpath.join(folder, text.removeprefix(_HERE).lstrip("/"))
    if _HERE in text:
        return None
    normal = posixpath.normpath(text)
    return "" if normal == "." else normal
