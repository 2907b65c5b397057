"""What every HCL front end reports the same way: a file that does not parse, and the
pseudo block that holds a file's top-level attributes."""

from __future__ import annotations

from driftgate.analyzer.parse import hcl_ast as ast

# Top-level attributes (tfvars) are kept as one pseudo block of this type.
TOP_LEVEL = "__attributes__"


def hcl_file(
    path: str, blocks: list[ast.Block], attributes: dict[str, ast.Attribute]
) -> ast.HclFile:
    """A file's blocks, its top-level attributes first as the :data:`TOP_LEVEL` block."""
    if attributes:
        lines = [a.line for a in attributes.values()]
        end = max(a.end_line for a in attributes.values())
        blocks = [ast.Block(TOP_LEVEL, (), attributes, (), min(lines), end), *blocks]
    return ast.HclFile(path, tuple(blocks))


class HclError(Exception):
    """A file that does not parse as HCL; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line
