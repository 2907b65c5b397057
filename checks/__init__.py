"""The check catalog: every check, listed by hand and sorted by id."""

from driftgate.analyzer.checkapi import Check
from driftgate.checks import (
    dg101_privilege_growth,
    dg102_scope_broadening,
    dg103_guardrail_removed,
    dg104_escalation_path,
    dg105_trust_growth,
    dg106_promotion_drift,
    dg201_cross_env_identity_reuse,
    dg202_shared_identity,
    dg203_default_identity,
    dg204_cross_env_secret_reuse,
    dg301_static_credential,
    dg302_long_ttl,
    dg303_plaintext_secret,
    dg401_missing_owner,
    dg402_deploy_and_admin,
    dg403_human_use_of_nhi,
    dg404_orphaned_identity,
    dg405_overprivileged_inference,
    dg901_suppression_expired,
)

ALL_CHECKS: tuple[Check, ...] = (
    dg101_privilege_growth.CHECK,
    dg102_scope_broadening.CHECK,
    dg103_guardrail_removed.CHECK,
    dg104_escalation_path.CHECK,
    dg105_trust_growth.CHECK,
    dg106_promotion_drift.CHECK,
    dg201_cross_env_identity_reuse.CHECK,
    dg202_shared_identity.CHECK,
    dg203_default_identity.CHECK,
    dg204_cross_env_secret_reuse.CHECK,
    dg301_static_credential.CHECK,
    dg302_long_ttl.CHECK,
    dg303_plaintext_secret.CHECK,
    dg401_missing_owner.CHECK,
    dg402_deploy_and_admin.CHECK,
    dg403_human_use_of_nhi.CHECK,
    dg404_orphaned_identity.CHECK,
    dg405_overprivileged_inference.CHECK,
    dg901_suppression_expired.CHECK,
)

BY_ID: dict[str, Check] = {c.meta.id: c for c in ALL_CHECKS}
