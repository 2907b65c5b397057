"""``data "aws_iam_policy_document"`` rendered to the policy JSON it produces.

Follows the provider's documented semantics: ``source_policy_documents`` first, then
this document's statements (replacing source statements with the same ``sid``), then
``override_policy_documents`` (replacing by ``sid``, appending the rest). Statements
keep the line of their ``statement`` block so a finding can point at it; a ``dynamic``
block whose ``for_each`` is unknown becomes one statement with unknown actions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.values import (
    JsonDoc,
    LocatedDict,
    UnknownValue,
    Value,
    plain_value,
)

if TYPE_CHECKING:
    from driftgate.analyzer.terraform.evaluate import Evaluator

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


# Statements a rendered document holds at most (an AWS policy of 6,144 characters holds
# far fewer).
MAX_STATEMENTS = 1_000
_TOO_MANY: dict[str, Value] = {
    "Effect": "Allow",
    "Action": UnknownValue("source_policy_documents", f"more than {MAX_STATEMENTS} statements"),
}


def render_policy_document(block: ast.Block, evaluator: Evaluator) -> Value:
    view = BlockView(block, evaluator)
    statements: list[Value] = []
    for attr in ("source_policy_documents", "source_json"):
        if view.has(attr):
            statements = _merge(statements, _statements_of(view.get(attr)))
    statements = _merge(statements, [_statement(s) for s in view.children("statement")])
    for attr in ("override_policy_documents", "override_json"):
        if view.has(attr):
            statements = _merge(statements, _statements_of(view.get(attr)))
    version = view.get("version") if view.has("version") else "2012-10-17"
    document: dict[str, Value] = {"Version": version, "Statement": statements}
    if view.has("policy_id"):
        document["Id"] = view.get("policy_id")
    return JsonDoc(document)


def _statement(view: BlockView) -> Value:
    stmt = LocatedDict()
    stmt.line, stmt.end_line = view.line, view.block.end_line
    if view.origin is not None:
        stmt.origins = (view.origin,)
    if view.unknown is not None:
        stmt.update({"Effect": "Allow", "Action": UnknownValue(view.unknown, "for_each unknown")})
        return stmt
    if view.has("sid") and view.get("sid") not in (None, ""):
        stmt["Sid"] = view.get("sid")
    stmt["Effect"] = view.get("effect") if view.has("effect") else "Allow"
    for key, json_key in _LIST_KEYS.items():
        value = view.get(key)
        if value is not None:  # `not_actions = null` is the argument left out
            stmt[json_key] = value
    for kind, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, list[Value]] = {}
        for p in view.children(kind):
            if p.unknown is not None:
                principals.setdefault("?", []).append(UnknownValue(p.unknown))
                continue
            ptype = p.get("type") or "*"
            ids = p.get("identifiers")
            ids = ids if isinstance(ids, list) else [ids] if ids is not None else []
            principals.setdefault(str(ptype), []).extend(ids)
        if principals:
            stmt[json_key] = principals
    conditions: dict[str, dict[str, Value]] = {}
    for c in view.children("condition"):
        if c.unknown is not None:
            conditions.setdefault("?", {})[c.unknown] = UnknownValue(c.unknown)
            continue
        test, variable = c.get("test"), c.get("variable")
        conditions.setdefault(str(test), {})[str(variable)] = c.get("values")
    if conditions:
        stmt["Condition"] = conditions
    return stmt


def _statements_of(value: Value) -> list[Value]:
    """Statements of policy JSON given as text, JsonDoc, or a list of either."""
    if isinstance(value, list):
        return [s for item in value for s in _statements_of(item)]
    if isinstance(value, UnknownValue):
        stmt = {"Effect": "Allow", "Action": value}
        return [stmt]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    value = plain_value(value)
    if isinstance(value, dict):
        statements = value.get("Statement", [])
        return statements if isinstance(statements, list) else [statements]
    return []


def _merge(statements: list[Value], later: list[Value]) -> list[Value]:
    """Later statements replace earlier ones with the same Sid; the rest are appended."""
    by_sid = {s["Sid"]: i for i, s in enumerate(statements) if isinstance(s, dict) and s.get("Sid")}
    result = list(statements)
    for stmt in later:
        sid = stmt.get("Sid") if isinstance(stmt, dict) else None
        if sid and sid in by_sid:
            result[by_sid[sid]] = stmt
        elif len(result) < MAX_STATEMENTS:
            result.append(stmt)
        else:
            # Documents merged into documents can double at each step: past the bound,
            # what else the document allows is said to be unknown, not computed.
            result.append(_TOO_MANY)
            break
    return result
