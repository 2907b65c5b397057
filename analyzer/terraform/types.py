"""Variable type constraints, for what they add to values: ``optional()`` defaults.

``type = object({ roles = optional(list(string), []) })`` fills ``roles`` with ``[]``
when the caller leaves it out; without this, every lookup on such an attribute would
be unknown (cloud-foundation-fabric passes most of its inputs this way).
"""

from __future__ import annotations

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.evaluate import Evaluator
from driftgate.analyzer.terraform.values import UnknownValue, Value

_COLLECTIONS = ("map", "list", "set")


def apply_defaults(value: Value, type_expr: ast.Expr, evaluator: Evaluator) -> Value:
    """``value`` with the ``optional(T, default)`` attributes of ``type_expr`` filled in."""
    if isinstance(value, UnknownValue) or not isinstance(type_expr, ast.Call):
        return value
    if type_expr.name == "optional" and type_expr.args:
        return apply_defaults(value, type_expr.args[0], evaluator)
    if type_expr.name in _COLLECTIONS and type_expr.args:
        element = type_expr.args[0]
        if isinstance(value, dict):
            return {k: apply_defaults(v, element, evaluator) for k, v in value.items()}
        if isinstance(value, list):
            return type(value)(apply_defaults(v, element, evaluator) for v in value)
        return value
    if type_expr.name != "object" or not type_expr.args:
        return value
    attributes = type_expr.args[0]
    if not isinstance(value, dict) or not isinstance(attributes, ast.ObjectExpr):
        return value
    result = dict(value)
    for key_expr, attr_type in attributes.items:
        key = key_expr.value if isinstance(key_expr, ast.Literal) else None
        if not isinstance(key, str):
            continue
        if (
            result.get(key) is None
            and isinstance(attr_type, ast.Call)
            and attr_type.name == "optional"
            and len(attr_type.args) > 1
        ):
            result[key] = evaluator.eval(attr_type.args[1])
        if key in result:
            result[key] = apply_defaults(result[key], attr_type, evaluator)
    return result
