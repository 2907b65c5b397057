"""Inline and configured suppressions, and DG901 for the ones that do not apply."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.cli import main as cli_main
from driftgate.analyzer.engine.inline import parse_file
from driftgate.analyzer.engine.run import EngineOptions, Suppression, run_checks
from driftgate.analyzer.model import Location, Model
from driftgate.checks import BY_ID

TODAY = dt.date(2025, 6, 1)

HCL = b"""\
# driftgate:ignore[DG302, dg1] sessions run long until=2025-12-31
resource "aws_iam_role" "a" {
  max_session_duration = 43200
}

resource "aws_iam_role" "b" { // driftgate:ignore[DG401] owned by the platform team
  max_session_duration = 43200 # driftgate:ignore[DG302] one line only until=2020-01-01
}
# driftgate:ignore[DG302]
resource "aws_iam_role" "c" {
}
"""

YAML = b"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: a
# driftgate:ignore[DG3] legacy client until=2999-01-01
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
  annotations:
    driftgate.io/ignore: "DG203,DG401: demo cluster until=2020-01-01"
---
# driftgate:ignore[DG405] bad date until=tomorrow
apiVersion: v1
kind: Pod
"""


def test_hcl_comment_above_a_block_covers_the_block() -> None:
    first, trailing_block, trailing_line, no_reason = parse_file("main.tf", HCL)
    assert first.checks == ("DG302", "DG1")
    assert (first.first, first.last, first.reason) == (2, 4, "sessions run long")
    assert first.covers("DG302", 3) and first.covers("DG104", 2)
    assert not first.covers("DG302", 6) and not first.covers("DG301", 3)
    assert first.applies(TODAY) and not first.applies(dt.date(2026, 1, 1))
    # A comment after code on a block's first line covers the block.
    assert (trailing_block.first, trailing_block.last, trailing_block.until) == (6, 8, None)
    # After code elsewhere: that line only.
    assert (trailing_line.first, trailing_line.last) == (7, 7)
    assert trailing_line.expired(TODAY)
    assert no_reason.problem == "no-reason" and not no_reason.applies(TODAY)


def test_yaml_comment_above_the_separator_and_annotation_cover_the_document() -> None:
    above, bad_date, annotation = parse_file("k8s/app.yaml", YAML)
    assert (above.line, above.first, above.last) == (5, 6, 12)
    assert above.covers("DG302", 10)
    assert (bad_date.first, bad_date.last, bad_date.problem) == (13, 16, "bad-until")
    assert annotation.checks == ("DG203", "DG401")
    assert (annotation.line, annotation.first, annotation.last) == (12, 6, 12)
    assert annotation.reason == "demo cluster" and annotation.expired(TODAY)


_META = CheckMeta(
    id="DG302",
    slug="long-ttl",
    title="t",
    severity=Severity.HIGH,
    owasp=(),
    rationale="r",
    fix="f",
    kind="state",
)


def _one_finding(ctx: CheckContext) -> list[Draft]:
    return [Draft("id:a", "long token", "s", Location(path="main.tf", line=3))]


CHECKS = (Check(_META, _one_finding), BY_ID["DG901"])


def test_inline_suppression_silences_until_it_expires() -> None:
    def read(path: str) -> bytes | None:
        return HCL if path == "main.tf" else None

    found = run_checks(CHECKS, Model(), None, EngineOptions(today=TODAY), read_head=read)
    assert [(f.check.id, f.suppressed, f.suppression_kind) for f in found] == [
        ("DG302", "sessions run long", "inSource"),
        # Read for the finding: the same file's expired and reason-less directives.
        ("DG901", None, None),
        ("DG901", None, None),
    ]
    assert [f.location.line for f in found[1:] if f.location] == [7, 9]
    later = run_checks(
        CHECKS, Model(), None, EngineOptions(today=dt.date(2026, 1, 1)), read_head=read
    )
    assert sorted(
        (f.check.id, f.suppressed, f.location.line if f.location else 0) for f in later
    ) == [
        ("DG302", None, 3),
        ("DG901", None, 1),
        ("DG901", None, 7),
        ("DG901", None, 9),
    ]


def test_configured_suppression_expires_into_dg901() -> None:
    source = Location(path=".driftgate.yaml")
    suppression = Suppression("DG3", "id:*", "accepted risk", dt.date(2025, 1, 1), source)
    valid = run_checks(
        CHECKS, Model(), None, EngineOptions(suppressions=(suppression,), today=dt.date(2024, 1, 1))
    )
    assert [(f.check.id, f.suppressed, f.suppression_kind) for f in valid] == [
        ("DG302", "accepted risk", "external")
    ]
    expired = run_checks(
        CHECKS, Model(), None, EngineOptions(suppressions=(suppression,), today=TODAY)
    )
    assert [(f.check.id, f.suppressed) for f in expired] == [("DG302", None), ("DG901", None)]
    assert expired[1].location == source and "expired on 2025-01-01" in expired[1].message


def test_a_directive_without_a_reason_is_dg901_in_a_file_no_finding_points_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(
        "# driftgate:ignore[DG302]\n"
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'
    )
    (tmp_path / "quiet.tf").write_text("# driftgate:ignore[DG301] reason: vendor key, rotated\n")
    cli_main(["scan", "--no-cache", "-f", "json", str(tmp_path)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["check"], f["location"]["path"], f["location"]["line"]) for f in findings] == [
        ("DG901", "main.tf", 1)
    ]
    assert "has no reason" in findings[0]["message"]


def test_a_directive_is_found_in_a_file_read_from_the_cache(tmp_path: Path) -> None:
    """Files that name no directive are not read again for DG901; one that does is,
    whether it was parsed now or served from the cache."""
    from click.testing import CliRunner

    from driftgate.analyzer.cli import cli

    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "u" { # driftgate:ignore[DG401]\n  name = "u"\n}\n'
    )
    (tmp_path / "other.tf").write_text('resource "aws_iam_user" "v" {\n  name = "v"\n}\n')
    args = ["scan", str(tmp_path), "-f", "json", "--cache-dir", str(tmp_path / "c")]
    for _ in range(2):  # cold, then every parse result (and the model) from the cache
        result = CliRunner().invoke(cli, [*args, "--select", "DG901"])
        report = json.loads(result.stdout)
        found = [(f["check"], f["location"]["path"]) for f in report["findings"]]
        assert found == [("DG901", "main.tf")], found
