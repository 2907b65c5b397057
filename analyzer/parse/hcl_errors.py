"""What every HCL front end reports the same way: a file that does not parse, and the
name of the pseudo block that holds a file's top-level attributes."""

from __future__ import annotations

# Top-level attributes (tfvars) are kept as one pseudo block of this type.
TOP_LEVEL = "__attributes__"


class HclError(Exception):
    """A file that does not parse as HCL; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line
