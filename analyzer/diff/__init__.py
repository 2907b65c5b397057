"""Base model and head model → per-identity deltas."""

from analyzer.diff.grants import DeltaKind, GrantDelta, grant_deltas

__all__ = ["DeltaKind", "GrantDelta", "grant_deltas"]
