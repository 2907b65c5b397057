"""DG901 suppression-expired.

## What it finds

A suppression that no longer applies, or never did:

- an inline `driftgate:ignore[...]` comment or a `driftgate.io/ignore` annotation past
  its `until=YYYY-MM-DD` date, without a reason, or with an unreadable date;
- a configured suppression (`suppressions:` in `.driftgate.yaml`) past its `expires` date.

The finding it silenced is reported again, next to the DG901 finding.

## Why it matters

A suppression is a decision with an owner and a shelf life: "this token lives a day until
the vendor supports short-lived ones". A suppression without a reason cannot be reviewed,
and one kept past its date silently turns a temporary exception into a permanent hole.

## Example

```hcl
# driftgate:ignore[DG302] vendor SDK needs 12h sessions until=2020-01-01
resource "aws_iam_role" "scoring" {
  max_session_duration = 43200
}
```

## Fix

Fix the underlying finding and remove the suppression, or, if the exception is still
needed, renew it with a reason and a new date that a reviewer agrees to.

## References

- OWASP Non-Human Identities Top 10: NHI7 Long-Lived Secrets (time-bound exceptions)

## Design note

Checks see only the identity model, and suppressions are not part of it: they live in
comments, annotations and the configuration. So this check's `run` yields nothing; its
findings are made by the engine (`analyzer/engine/run.py`) from the suppressions it
read while applying them. The entry here gives DG901 its place in the catalog: metadata,
documentation, `--select`/`--ignore` and severity overrides work as for any check.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity

META = CheckMeta(
    id="DG901",
    slug="suppression-expired",
    title="A suppression is past its date or has no reason",
    severity=Severity.MEDIUM,
    owasp=(),
    rationale=(
        "A suppression without a reason cannot be reviewed, and one kept past its date "
        "turns a temporary exception into a permanent one."
    ),
    fix=(
        "Fix the underlying finding and remove the suppression, or renew it with a reason "
        "and a new until=/expires date."
    ),
    kind="state",
    doc=__doc__ or "",
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    """Nothing: the engine reports DG901 from the suppressions themselves."""
    return iter(())


CHECK = Check(META, run)
