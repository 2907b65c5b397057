"""Wildcard patterns as the providers use them: ``*`` and ``?``, nothing else special."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=65536)
def _compiled(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile("".join(parts), flags | re.DOTALL)


def matches(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """``value`` (itself possibly a pattern, whose ``*`` is then a literal) fits ``pattern``.

    A pattern covers another when every string the second matches, the first matches
    too; treating the narrow pattern's wildcards as literals that the broad pattern's
    ``*`` absorbs is exact for the patterns IAM policies use in practice.
    """
    return _compiled(pattern, case_sensitive).fullmatch(value) is not None
