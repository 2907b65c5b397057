"""AWS IAM: actions (with wildcards and NotAction) on resource ARN patterns."""

from __future__ import annotations

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches

NOT = "NOT "


def disjoint(a: str, b: str, *, case_sensitive: bool = True) -> bool:
    """No string fits both patterns: their literal prefixes (or suffixes) disagree.

    Exact for literals; for patterns it may answer False where they are in fact
    disjoint, which only ever makes a NotAction cover less (never hides growth).
    """
    if not case_sensitive:
        a, b = a.lower(), b.lower()
    if "*" not in a and "?" not in a:
        return not matches(b, a)
    if "*" not in b and "?" not in b:
        return not matches(a, b)
    head_a, head_b = a.split("*")[0].split("?")[0], b.split("*")[0].split("?")[0]
    tail_a, tail_b = a.split("*")[-1].split("?")[-1], b.split("*")[-1].split("?")[-1]
    prefixes_clash = not (head_a.startswith(head_b) or head_b.startswith(head_a))
    suffixes_clash = not (tail_a.endswith(tail_b) or tail_b.endswith(tail_a))
    return prefixes_clash or suffixes_clash


def _action_covers(broad: str, narrow: str) -> bool:
    """Actions are case-insensitive; ``NOT x`` means every action but those ``x`` matches."""
    if broad.startswith(NOT):
        excluded = broad[len(NOT) :]
        if narrow.startswith(NOT):
            # NOT a covers NOT b when everything a excludes, b excludes too.
            return matches(narrow[len(NOT) :], excluded, case_sensitive=False)
        return disjoint(excluded, narrow, case_sensitive=False)
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow, case_sensitive=False)


def _resource_covers(broad: str, narrow: str) -> bool:
    if broad.startswith(NOT):
        if narrow.startswith(NOT):
            return matches(narrow[len(NOT) :], broad[len(NOT) :])
        return disjoint(broad[len(NOT) :], narrow)
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow)


def covers(broad: Permission, narrow: Permission) -> bool:
    return _action_covers(broad.action, narrow.action) and _resource_covers(
        broad.resource, narrow.resource
    )
