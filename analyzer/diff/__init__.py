"""Base model and head model → per-identity deltas."""

from driftgate.analyzer.diff.grants import DeltaKind, GrantDelta, grant_deltas
from driftgate.analyzer.diff.promotion import (
    ExtraPermission,
    ExtraPolicy,
    Promotion,
    promotions,
)
from driftgate.analyzer.diff.trusts import (
    ConditionLoosening,
    PrincipalGrowth,
    TrustDelta,
    trust_deltas,
)

__all__ = [
    "ConditionLoosening",
    "DeltaKind",
    "ExtraPermission",
    "ExtraPolicy",
    "GrantDelta",
    "PrincipalGrowth",
    "Promotion",
    "TrustDelta",
    "grant_deltas",
    "promotions",
    "trust_deltas",
]
