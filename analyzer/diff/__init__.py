"""Base model and head model → per-identity deltas."""

from analyzer.diff.grants import GrantDelta, grant_deltas

__all__ = ["GrantDelta", "grant_deltas"]
