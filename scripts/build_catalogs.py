"""Build driftgate's packaged catalogs of vendor roles from ``../shared/catalogs``.

    python scripts/build_catalogs.py [SOURCE_DIR] [--out DIR]

Reads the public snapshots (AWS managed policies, GCP predefined roles, Azure built-in
roles; see SOURCE.md and LICENSE there) and writes, under
``analyzer/vendor_roles/data/``, one gzip-compressed JSON Lines file per provider (a
``[key, entry]`` array per line, keyed the way driftgate looks roles up, so that a lookup
decodes one entry, not the catalog), with the source, the commit and the licence text
beside them. The output is deterministic (sorted keys, no gzip timestamp), so a test
can rebuild it and fail when the committed files are stale.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "catalogs"
DEFAULT_OUT = REPO / "analyzer" / "vendor_roles" / "data"
INPUTS = {
    "aws": "aws-managed-policies.json.gz",
    "gcp": "gcp-predefined-roles.json.gz",
    "azure": "azure-built-in-roles.json.gz",
}
_COMMIT = re.compile(r"commit ([0-9a-f]{40}) \(([^)]+)\)")


def _aws(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Policy path and name (``service-role/AmazonEKS_CNI_Policy``) → its statements."""
    policies: dict[str, Any] = {}
    for entry in entries:
        key = entry["arn"].split(":policy/", 1)[1]
        statements = entry["document"].get("Statement", [])
        policies[key] = {
            "statements": statements if isinstance(statements, list) else [statements],
            **({"deprecated": True} if entry.get("deprecated") else {}),
        }
    return policies


def _gcp(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """``roles/storage.objectAdmin`` → its title and permissions."""
    return {
        entry["name"]: {
            "title": entry.get("title", ""),
            "permissions": sorted(entry.get("includedPermissions", [])),
            **({"stage": entry["stage"]} if entry.get("stage") not in (None, "GA") else {}),
        }
        for entry in entries
    }


def _azure(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Role definition id (lower case) → its name and what it allows and excludes."""
    roles: dict[str, Any] = {}
    for entry in entries:
        role: dict[str, Any] = {"name": entry["roleName"]}
        for field in ("actions", "notActions", "dataActions", "notDataActions"):
            values = sorted({v for p in entry.get("permissions", []) for v in p.get(field, [])})
            if values:
                role[field] = values
        roles[entry["id"].lower()] = role
    return roles


BUILDERS = {"aws": _aws, "gcp": _gcp, "azure": _azure}


def _write_gzip(path: Path, data: bytes) -> None:
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def build(source: Path, out: Path) -> dict[str, Any]:
    text = (source / "SOURCE.md").read_text(encoding="utf-8")
    found = _COMMIT.search(text)
    manifest: dict[str, Any] = {
        "source": "github.com/iann0036/iam-dataset (see SOURCE.md)",
        "commit": found.group(1) if found else None,
        "date": found.group(2) if found else None,
        "licence": "MIT (see LICENSE)",
        "catalogs": {},
    }
    out.mkdir(parents=True, exist_ok=True)
    for provider, name in INPUTS.items():
        raw = (source / name).read_bytes()
        entries = json.loads(gzip.decompress(raw))
        catalog = BUILDERS[provider](entries)
        lines = (
            json.dumps([key, catalog[key]], sort_keys=True, separators=(",", ":"))
            for key in sorted(catalog)
        )
        _write_gzip(out / f"{provider}.jsonl.gz", "".join(f"{line}\n" for line in lines).encode())
        manifest["catalogs"][provider] = {
            "entries": len(catalog),
            "input": name,
            "input_sha256": hashlib.sha256(raw).hexdigest(),
        }
    shutil.copyfile(source / "LICENSE", out / "LICENSE")
    shutil.copyfile(source / "SOURCE.md", out / "SOURCE.md")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.source / "SOURCE.md").is_file():
        print(f"build_catalogs: {args.source} holds no catalogs (SOURCE.md)", file=sys.stderr)
        return 2
    manifest = build(args.source, args.out)
    for provider, about in manifest["catalogs"].items():
        size = (args.out / f"{provider}.jsonl.gz").stat().st_size
        print(f"{provider}: {about['entries']} entries, {size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
