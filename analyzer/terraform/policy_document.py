"""``data "aws_iam_policy_document"`` rendered to the policy JSON it produces.

Statements keep the line of their ``statement`` block so a finding can point at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.parse import hcl_ast as ast
from analyzer.terraform.values import JsonDoc, LocatedDict, UnknownValue, Value, plain_value

if TYPE_CHECKING:
    from analyzer.terraform.evaluate import Evaluator

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def render_policy_document(block: ast.Block, evaluator: Evaluator) -> Value:
    statements: list[Value] = []
    for attr in ("source_policy_documents", "source_json"):
        if attr in block.attributes:
            statements.extend(_statements_of(evaluator.eval(block.attributes[attr].expr)))
    for stmt, inner in _statement_blocks(block, evaluator):
        statements.append(_statement(stmt, inner))
    for attr in ("override_policy_documents", "override_json"):
        if attr in block.attributes:
            overrides = _statements_of(evaluator.eval(block.attributes[attr].expr))
            statements = _override(statements, overrides)
    document: dict[str, Value] = {"Version": "2012-10-17", "Statement": statements}
    return JsonDoc(document)


def _statement_blocks(block: ast.Block, evaluator: Evaluator) -> list[tuple[ast.Block, Evaluator]]:
    """Static and ``dynamic "statement"`` blocks, each with the evaluator for its body."""
    found: list[tuple[ast.Block, Evaluator]] = []
    for child in block.blocks:
        if child.type == "statement":
            found.append((child, evaluator))
        elif child.type == "dynamic" and child.labels[:1] == ("statement",):
            found.extend(_expand_dynamic(child, evaluator))
    return found


def _expand_dynamic(block: ast.Block, evaluator: Evaluator) -> list[tuple[ast.Block, Evaluator]]:
    content = block.blocks_of("content")
    if not content or "for_each" not in block.attributes:
        return []
    iterator = "statement"
    if "iterator" in block.attributes:
        name = block.attributes["iterator"].expr
        iterator = name.name if isinstance(name, ast.Variable) else iterator
    collection = evaluator.eval(block.attributes["for_each"].expr)
    if isinstance(collection, dict):
        pairs = list(collection.items())
    elif isinstance(collection, list):
        pairs = [(v if isinstance(v, str) else i, v) for i, v in enumerate(collection)]
    else:
        unknown = ast.Block("statement", (), {}, (), block.line, block.end_line)
        return [(unknown, evaluator.with_bindings(**{iterator: collection}))]
    return [
        (content[0], evaluator.with_bindings(**{iterator: {"key": k, "value": v}}))
        for k, v in pairs
    ]


def _statement(block: ast.Block, evaluator: Evaluator) -> Value:
    if not block.attributes and not block.blocks and block.type == "statement":
        stmt = LocatedDict({"Effect": "Allow", "Action": UnknownValue("dynamic statement")})
        stmt.line = block.line
        return stmt
    stmt = LocatedDict()
    stmt.line = block.line
    attrs = block.attributes
    if "sid" in attrs:
        stmt["Sid"] = evaluator.eval(attrs["sid"].expr)
    effect = evaluator.eval(attrs["effect"].expr) if "effect" in attrs else "Allow"
    stmt["Effect"] = effect
    for key, json_key in _LIST_KEYS.items():
        if key in attrs:
            value = evaluator.eval(attrs[key].expr)
            if value is not None:  # `not_actions = null` is the argument left out
                stmt[json_key] = value
    for kind, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, list[Value]] = {}
        for p in block.blocks_of(kind):
            ptype = evaluator.eval(p.attributes["type"].expr) if "type" in p.attributes else "*"
            ids = (
                evaluator.eval(p.attributes["identifiers"].expr)
                if "identifiers" in p.attributes
                else []
            )
            principals.setdefault(str(ptype), []).extend(ids if isinstance(ids, list) else [ids])
        if principals:
            stmt[json_key] = principals
    conditions: dict[str, dict[str, Value]] = {}
    for c in block.blocks_of("condition"):
        test = evaluator.eval_str(c.attributes["test"].expr) if "test" in c.attributes else "?"
        var = (
            evaluator.eval_str(c.attributes["variable"].expr) if "variable" in c.attributes else "?"
        )
        values = evaluator.eval(c.attributes["values"].expr) if "values" in c.attributes else []
        conditions.setdefault(str(test), {})[str(var)] = values
    if conditions:
        stmt["Condition"] = conditions
    return stmt


def _statements_of(value: Value) -> list[Value]:
    """Statements of policy JSON given as text, JsonDoc, or a list of either."""
    import json

    if isinstance(value, list):
        return [s for item in value for s in _statements_of(item)]
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


def _override(statements: list[Value], overrides: list[Value]) -> list[Value]:
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if isinstance(s, dict)}
    result = list(statements)
    for stmt in overrides:
        sid = stmt.get("Sid") if isinstance(stmt, dict) else None
        if sid and sid in by_sid:
            result[by_sid[sid]] = stmt
        else:
            result.append(stmt)
    return result
