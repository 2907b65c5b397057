"""AWS IAM: actions (with wildcards and NotAction) on resource ARN patterns."""

from __future__ import annotations

from analyzer.model import Permission
from analyzer.permissions.globs import matches

NOT = "NOT "


def _action_covers(broad: str, narrow: str) -> bool:
    """Actions are case-insensitive; ``NOT x`` means every action but those ``x`` matches."""
    if broad.startswith(NOT):
        excluded = broad[len(NOT) :]
        if narrow.startswith(NOT):
            # NOT a covers NOT b when everything a excludes, b excludes too.
            return matches(narrow[len(NOT) :], excluded, case_sensitive=False)
        return not matches(excluded, narrow, case_sensitive=False) and not matches(
            narrow, excluded, case_sensitive=False
        )
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow, case_sensitive=False)


def _resource_covers(broad: str, narrow: str) -> bool:
    if broad.startswith(NOT):
        if narrow.startswith(NOT):
            return matches(narrow[len(NOT) :], broad[len(NOT) :])
        excluded = broad[len(NOT) :]
        return not matches(excluded, narrow) and not matches(narrow, excluded)
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow)


def covers(broad: Permission, narrow: Permission) -> bool:
    return _action_covers(broad.action, narrow.action) and _resource_covers(
        broad.resource, narrow.resource
    )
