"""Helpers for the Terraform evaluator tests (tests/test_tf_*.py).

Each test writes a few small files into a ``tmp_path`` tree, parses the ``.tf`` and
``.tfvars`` files with the real parser, and evaluates them with the real
:class:`TerraformProject`, reading files (``file``, ``templatefile``) through the same
:class:`DirectoryTree` the pipeline uses, so that nothing outside the tree is readable.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.modules import ResourceInstance, TerraformProject
from driftgate.analyzer.terraform.values import JsonDoc, Value, plain_value

# The resource each `evaluate` call puts the expression under test into.
PROBE = "probe"


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` (repo-relative path → text, dedented) under ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))


def project(
    root: Path,
    files: Mapping[str, str] | None = None,
    var_files: Mapping[str, Sequence[str]] | None = None,
) -> TerraformProject:
    """Write ``files`` under ``root``, then parse every .tf/.tfvars file of the tree."""
    write_tree(root, files or {})
    parsed = [
        parse_hcl(path.relative_to(root).as_posix(), path.read_text())
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in (".tf", ".tfvars")
    ]
    return TerraformProject(parsed, read_file=DirectoryTree(root).read_path, var_files=var_files)


def instances(tf: TerraformProject) -> dict[str, ResourceInstance]:
    """Every resource instance of the project by its full address (root label included)."""
    found: dict[str, ResourceInstance] = {}
    for inst in tf.instances():
        assert inst.full_address not in found, f"two instances at {inst.full_address}"
        found[inst.full_address] = inst
    return found


def evaluate(
    root: Path,
    expression: str,
    prelude: str = "",
    files: Mapping[str, str] | None = None,
) -> tuple[Value, TerraformProject]:
    """The value of ``expression`` in a root module at ``root`` whose main.tf has
    ``prelude`` (variables, locals, resources) and a resource holding the expression."""
    main = (
        textwrap.dedent(prelude) + f'\nresource "{PROBE}" "this" {{\n  value = {expression}\n}}\n'
    )
    tf = project(root, {**(files or {}), "main.tf": main})
    probes = [i for i in tf.instances() if i.type == PROBE]
    assert len(probes) == 1, [i.full_address for i in probes]
    return probes[0].get("value"), tf


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``text`` (dedented) containing
    ``needle``: tests name lines by their content, not by counting."""
    seen = 0
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s)")


def policy(value: Value) -> Any:
    """A policy (JSON text, or a jsonencode/policy-document value) as plain data."""
    if isinstance(value, str):
        return json.loads(value)
    assert isinstance(value, JsonDoc), f"not a policy document: {value!r}"
    return plain_value(value)


def as_set(value: Any) -> set[Any]:
    """An IAM string-or-list field (``"s3:GetObject"`` / ``["s3:GetObject"]``) as a set.

    The provider renders a one-element set as a string and orders sets its own way;
    the meaning is the set, which is what the tests compare.
    """
    return set(value) if isinstance(value, list) else {value}


def semantics(statement: Any) -> dict[str, Any]:
    """A policy statement with its string-or-list fields as sets (see :func:`as_set`)."""
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Action", "NotAction", "Resource", "NotResource"):
            out[key] = as_set(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            out[key] = {kind: as_set(ids) for kind, ids in value.items()}
        elif key == "Condition" and isinstance(value, dict):
            out[key] = {
                test: {name: as_set(values) for name, values in pairs.items()}
                for test, pairs in value.items()
            }
        else:
            out[key] = value
    return out
