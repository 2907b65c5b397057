"""The inventory's tables: one repository's identity-binding model as rows.

Every row carries the repository and the revision it was read at, so that the tables of
many repositories are one data set. Lists stay lists (Parquet and DuckDB both have
them); maps of labels and conditions are JSON text, since their keys differ per row.
The schemas are fixed here, so an empty table is still a table SQL can name.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from driftgate.analyzer.model import Location, Model, Unknown

# Credential kinds that are a secret to keep, not a short-lived token.
STATIC_KINDS = ("access_key", "sa_key", "client_secret", "certificate", "static_secret")

_KEYS = [("repository", pa.string()), ("revision", pa.string())]
_WHERE = [("path", pa.string()), ("line", pa.int64())]

SCHEMAS: dict[str, pa.Schema] = {
    "identities": pa.schema(
        [
            *_KEYS,
            ("address", pa.string()),
            ("principal", pa.string()),
            ("provider", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("environment", pa.string()),
            ("owner", pa.string()),
            ("declared", pa.bool_()),
            ("definition", pa.bool_()),
            ("federates_to", pa.list_(pa.string())),
            ("labels", pa.string()),
            *_WHERE,
        ]
    ),
    "grants": pa.schema(
        [
            *_KEYS,
            ("identity", pa.string()),
            ("effect", pa.string()),
            ("action", pa.string()),
            ("resource", pa.string()),
            ("scope", pa.string()),
            ("via", pa.string()),
            ("policy", pa.string()),
            ("conditions", pa.string()),
            ("unresolved", pa.list_(pa.string())),
            *_WHERE,
        ]
    ),
    "trusts": pa.schema(
        [
            *_KEYS,
            ("identity", pa.string()),
            ("principal", pa.string()),
            ("actions", pa.list_(pa.string())),
            ("conditions", pa.string()),
            ("via", pa.string()),
            *_WHERE,
        ]
    ),
    "credentials": pa.schema(
        [
            *_KEYS,
            ("address", pa.string()),
            ("kind", pa.string()),
            ("static", pa.bool_()),
            ("identity", pa.string()),
            ("ttl_seconds", pa.int64()),
            ("environment", pa.string()),
            ("preview", pa.string()),
            *_WHERE,
        ]
    ),
    "workloads": pa.schema(
        [
            *_KEYS,
            ("address", pa.string()),
            ("kind", pa.string()),
            ("name", pa.string()),
            ("namespace", pa.string()),
            ("environment", pa.string()),
            ("inference", pa.bool_()),
            ("inference_reason", pa.string()),
            ("owner", pa.string()),
            ("identities", pa.list_(pa.string())),
            ("credentials", pa.list_(pa.string())),
            ("labels", pa.string()),
            *_WHERE,
        ]
    ),
    "bindings": pa.schema(
        [
            *_KEYS,
            ("workload", pa.string()),
            ("identity", pa.string()),
            # The identity's principal (an ARN, a service account e-mail, a client id);
            # null when it cannot be known statically.
            ("principal", pa.string()),
            ("provider", pa.string()),
            # 0: the workload runs as it; 1 and more: reached through federation.
            ("hops", pa.int64()),
            ("via", pa.list_(pa.string())),
            ("environment", pa.string()),
            ("identity_environment", pa.string()),
            ("inference", pa.bool_()),
            *_WHERE,
        ]
    ),
    "runs": pa.schema(
        [
            *_KEYS,
            ("source", pa.string()),
            ("driftgate_version", pa.string()),
            ("started", pa.timestamp("s", tz="UTC")),
            ("seconds", pa.float64()),
            ("status", pa.string()),
            ("error", pa.string()),
            ("files", pa.int64()),
            ("errors", pa.int64()),
            ("warnings", pa.int64()),
            ("identities", pa.int64()),
            ("workloads", pa.int64()),
            ("cached", pa.bool_()),
        ]
    ),
}
TABLES = tuple(SCHEMAS)
DATA_TABLES = tuple(t for t in TABLES if t != "runs")


def model_tables(model: Model, repository: str, revision: str) -> dict[str, pa.Table]:
    """The model's rows, one table each (``runs`` excepted)."""
    keys = {"repository": repository, "revision": revision}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in DATA_TABLES}
    for identity in model.identities.values():
        rows["identities"].append(
            {
                **keys,
                "address": identity.address,
                "principal": _text(identity.principal),
                "provider": identity.provider,
                "kind": identity.kind,
                "name": identity.name,
                "environment": identity.environment,
                "owner": identity.owner,
                "declared": identity.declared,
                "definition": identity.definition,
                "federates_to": list(identity.federates_to),
                "labels": _json(identity.labels),
                **_where(identity.location),
            }
        )
    for grant in model.grants:
        conditions = _json([dataclasses.asdict(c) for c in grant.conditions])
        base = {
            **keys,
            "identity": grant.identity,
            "effect": grant.effect,
            "via": grant.via,
            "policy": grant.policy,
            "conditions": conditions,
            "unresolved": list(grant.unknown),
            **_where(grant.location),
        }
        permissions = grant.permissions or ()
        if not permissions:
            # A managed policy known only by name: one row that says so.
            rows["grants"].append({**base, "action": None, "resource": None, "scope": None})
        for p in permissions:
            rows["grants"].append(
                {**base, "action": p.action, "resource": p.resource, "scope": p.scope}
            )
    for trust in model.trusts:
        conditions = _json([dataclasses.asdict(c) for c in trust.conditions])
        for principal in trust.principals or ("",):
            rows["trusts"].append(
                {
                    **keys,
                    "identity": trust.identity,
                    "principal": principal or None,
                    "actions": list(trust.actions),
                    "conditions": conditions,
                    "via": trust.via,
                    **_where(trust.location),
                }
            )
    for credential in model.credentials.values():
        rows["credentials"].append(
            {
                **keys,
                "address": credential.address,
                "kind": credential.kind,
                "static": credential.kind in STATIC_KINDS,
                "identity": credential.identity,
                "ttl_seconds": credential.ttl_seconds,
                "environment": credential.environment,
                "preview": credential.preview,
                **_where(credential.location),
            }
        )
    for workload in model.workloads.values():
        rows["workloads"].append(
            {
                **keys,
                "address": workload.address,
                "kind": workload.kind,
                "name": workload.name,
                "namespace": workload.namespace,
                "environment": workload.environment,
                "inference": workload.inference,
                "inference_reason": workload.inference_reason,
                "owner": workload.owner,
                "identities": list(workload.identities),
                "credentials": list(workload.credentials),
                "labels": _json(workload.labels),
                **_where(workload.location),
            }
        )
        rows["bindings"].extend(_bindings(model, workload.address, keys))
    return {name: table(name, rows[name]) for name in DATA_TABLES}


def table(name: str, rows: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMAS[name])


def _bindings(model: Model, address: str, keys: dict[str, str]) -> list[dict[str, Any]]:
    """The workload's identities: its own (hops 0), then each reached through
    federation, with the chain of identities that leads there."""
    workload = model.workloads[address]
    where = _where(workload.identity_location or workload.location)
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    todo: list[tuple[str, list[str]]] = [(a, []) for a in workload.identities]
    while todo:
        identity_address, via = todo.pop(0)
        if identity_address in seen:
            continue
        seen.add(identity_address)
        identity = model.identities.get(identity_address)
        found.append(
            {
                **keys,
                "workload": address,
                "identity": identity_address,
                "principal": _text(identity.principal) if identity else None,
                "provider": identity.provider if identity else None,
                "hops": len(via),
                "via": via,
                "environment": workload.environment,
                "identity_environment": identity.environment if identity else None,
                "inference": workload.inference,
                **where,
            }
        )
        if identity is not None:
            todo.extend((nxt, [*via, identity_address]) for nxt in identity.federates_to)
    return found


def _text(value: str | Unknown | None) -> str | None:
    """A value as text; an Unknown is null (its expression is not a principal)."""
    return value if isinstance(value, str) else None


def _json(value: object) -> str | None:
    return json.dumps(value, sort_keys=True) if value else None


def _where(location: Location | None) -> dict[str, Any]:
    if location is None:
        return {"path": None, "line": None}
    return {"path": location.path, "line": location.line}
