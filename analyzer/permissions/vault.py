"""Vault: capabilities on path globs (``*`` at the end is a prefix, ``+`` one segment)."""

from __future__ import annotations

import re

from analyzer.model import Permission


def _path_covers(broad: str, narrow: str) -> bool:
    if broad == narrow:
        return True
    # "+" is one path segment, and never covers the other pattern's own "*".
    pattern = "".join("[^/*]*" if ch == "+" else re.escape(ch) for ch in broad.removesuffix("*"))
    pattern += ".*" if broad.endswith("*") else ""
    return re.fullmatch(pattern, narrow, re.DOTALL) is not None


def covers(broad: Permission, narrow: Permission) -> bool:
    capability = broad.action.lower()
    if capability not in ("*", narrow.action.lower()):
        return False
    return _path_covers(broad.resource, narrow.resource)
