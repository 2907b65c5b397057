"""The check catalog: every check, listed by hand and sorted by id."""

from analyzer.checkapi import Check
from checks import (
    dg101_privilege_growth,
    dg102_scope_broadening,
    dg103_guardrail_removed,
    dg104_escalation_path,
    dg201_cross_env_identity_reuse,
    dg302_long_ttl,
)

ALL_CHECKS: tuple[Check, ...] = (
    dg101_privilege_growth.CHECK,
    dg102_scope_broadening.CHECK,
    dg103_guardrail_removed.CHECK,
    dg104_escalation_path.CHECK,
    dg201_cross_env_identity_reuse.CHECK,
    dg302_long_ttl.CHECK,
)

BY_ID: dict[str, Check] = {c.meta.id: c for c in ALL_CHECKS}
