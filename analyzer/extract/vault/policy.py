"""Vault ACL policies: HCL or JSON text, or a ``vault_policy_document`` → path rules.

A policy is a list of ``path "secret/data/x" { capabilities = [...] }`` blocks. Each
becomes a :class:`PolicyRule`, located at its line in the ``.tf`` file when the text is
written in place (a heredoc), so that a finding points at the path that grants.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from driftgate.analyzer.model.conditions import Condition, opaque
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse.hcl import HclError, parse_hcl
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.evaluate import Evaluator, ModuleScope
from driftgate.analyzer.terraform.values import UnknownValue, Value, display, to_str

# The deprecated `policy = "..."` shorthand of a path block, as capabilities.
_LEGACY = {
    "deny": ("deny",),
    "read": ("read", "list"),
    "write": ("create", "read", "update", "delete", "list"),
    "sudo": ("create", "read", "update", "delete", "list", "sudo"),
}
# What the built-in `root` policy allows: everything, everywhere.
ROOT_CAPABILITIES = ("create", "read", "update", "patch", "delete", "list", "sudo")
_PARAMETER_LISTS = ("required_parameters", "subscribe_event_types")
_PARAMETER_MAPS = ("allowed_parameters", "denied_parameters")
_WRAPPING = ("min_wrapping_ttl", "max_wrapping_ttl")
# A stand-in for an unknown interpolation while the text is parsed as HCL.
_PLACEHOLDER = "__driftgate_unknown_{}__"
_PLACEHOLDER_RE = re.compile(r"__driftgate_unknown_(\d+)__")


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One path block: what it allows (or denies) and under which parameter constraints."""

    path: str
    capabilities: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    unknown: tuple[str, ...] = ()
    line: int | None = None  # in the .tf file, when known

    @property
    def denies(self) -> bool:
        return "deny" in self.capabilities


def _literal_evaluator() -> Evaluator:
    """Policy HCL has no variables: every name in it is unknown."""
    return Evaluator(ModuleScope("", {}, {}, {}))


def parse_policy(
    text: str, first_line: int | None = None, placeholders: tuple[str, ...] = ()
) -> tuple[list[PolicyRule], str | None]:
    """The rules of a policy's text and, when it cannot be read, why.

    ``first_line`` is the file line the text starts on; rule lines are offset by it.
    ``placeholders`` are the expressions behind the placeholders :func:`policy_text` put
    in the text: they are turned back into ``${expression}`` and reported as unknown.
    """
    if text.lstrip().startswith("{"):
        return _parse_json(text, placeholders)
    try:
        parsed = parse_hcl("<vault policy>", text)
    except HclError as exc:
        return [], f"policy is not valid HCL ({exc})"
    except (RecursionError, ValueError) as exc:
        return [], f"policy is not valid HCL ({exc})"
    evaluator = _literal_evaluator()
    rules: list[PolicyRule] = []
    for block in parsed.blocks:
        if block.type != "path" or len(block.labels) != 1:
            continue
        line = first_line + block.line - 1 if first_line is not None else None
        view = BlockView(block, evaluator)
        attributes = {name: view.get(name) for name in block.attributes}
        rules.append(_rule(block.labels[0], attributes, line, placeholders))
    return rules, None


def _parse_json(text: str, placeholders: tuple[str, ...]) -> tuple[list[PolicyRule], str | None]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return [], "policy is not valid JSON"
    paths = data.get("path") if isinstance(data, dict) else None
    if isinstance(paths, list):  # the list-of-objects form HCL's JSON flavour also allows
        merged: dict[str, Value] = {}
        for item in paths:
            if isinstance(item, dict):
                merged.update(item)
        paths = merged
    if not isinstance(paths, dict):
        return [], 'policy JSON has no "path" object'
    rules = [
        _rule(path, body if isinstance(body, dict) else {}, None, placeholders)
        for path, body in paths.items()
        if isinstance(path, str)
    ]
    return rules, None


def _rule(
    path: str, attributes: dict[str, Value], line: int | None, placeholders: tuple[str, ...] = ()
) -> PolicyRule:
    unknown: list[str] = []
    path, path_unknown = _restore(path, placeholders)
    unknown.extend(path_unknown)
    capabilities: list[str] = []
    raw = attributes.get("capabilities")
    legacy = attributes.get("policy")
    if raw is None and isinstance(legacy, str):
        raw = list(_LEGACY.get(legacy.lower(), (legacy.lower(),)))
    items = raw if isinstance(raw, list) else [] if raw is None else [raw]
    for item in items:
        if isinstance(item, str):
            text, parts = _restore(item, placeholders)
            unknown.extend(parts)
            if text.lower() not in capabilities:
                capabilities.append(text.lower())
        else:
            unknown.append(f"capability {display(item)}")
    return PolicyRule(
        path=path,
        capabilities=tuple(capabilities),
        conditions=_conditions(attributes),
        unknown=tuple(dict.fromkeys(unknown)),
        line=line,
    )


def _conditions(attributes: dict[str, Value]) -> tuple[Condition, ...]:
    """Parameter constraints and wrapping TTLs: guardrails on what the path allows."""
    found: list[str] = []
    for name in _PARAMETER_MAPS:
        value = attributes.get(name)
        if isinstance(value, dict):
            for key in sorted(value, key=str):
                values = value[key] if isinstance(value[key], list) else [value[key]]
                shown = ", ".join(display(v) for v in values if v is not None)
                found.append(f"{name} {key}=[{shown}]")
    for name in _PARAMETER_LISTS:
        value = attributes.get(name)
        if isinstance(value, list) and value:
            found.append(f"{name} {', '.join(display(v) for v in value)}")
    for name in _WRAPPING:
        value = attributes.get(name)
        if value is not None:
            found.append(f"{name} {display(value)}")
    return tuple(opaque(text) for text in found)


def document_rules(rules: list[BlockView]) -> list[PolicyRule]:
    """The ``rule`` blocks of a ``data "vault_policy_document"``, located at each block."""
    found: list[PolicyRule] = []
    for view in rules:
        attributes: dict[str, Value] = {
            name: view.get(name)
            for name in ("capabilities", "required_parameters", *_WRAPPING)
            if view.has(name)
        }
        for block_type, name in (
            ("allowed_parameter", "allowed_parameters"),
            ("denied_parameter", "denied_parameters"),
        ):
            params: dict[str, Value] = {}
            for child in view.children(block_type):
                key = child.get("key")
                if isinstance(key, str):
                    params[key] = child.get("value")
            if params:
                attributes[name] = params
        path = view.get("path")
        unknown = [view.unknown] if view.unknown else []
        if not isinstance(path, str):
            unknown.append(f"path {display(path)}")
        rule = _rule(display(path), attributes, view.line)
        found.append(
            PolicyRule(
                rule.path,
                rule.capabilities,
                rule.conditions,
                tuple(dict.fromkeys([*unknown, *rule.unknown])),
                rule.line,
            )
        )
    return found


def policy_text(
    expr: ast.Expr | None, value: Value, evaluator: Evaluator
) -> tuple[str, tuple[str, ...]] | None:
    """The policy text, each unknown interpolation of a template kept as a placeholder,
    and the expressions behind the placeholders.

    One unknown ``${var.x}`` in one path must not hide every other path of the policy.
    None when the text itself is unknown (``file(...)``, a variable without value).
    """
    if isinstance(value, str):
        return value, ()
    if not isinstance(expr, ast.Template):
        return None
    unknown: list[str] = []

    def part(expr: ast.Expr) -> str:
        text = to_str(evaluator.eval(expr))
        if isinstance(text, UnknownValue):
            unknown.append(expr.text)
            return _PLACEHOLDER.format(len(unknown) - 1)
        return text

    return expr.join(part), tuple(unknown)


def _restore(text: str, placeholders: tuple[str, ...]) -> tuple[str, list[str]]:
    """Placeholders back to ``${expression}``; the expressions are the unknown parts."""
    unknown: list[str] = []

    def back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        expression = placeholders[index] if index < len(placeholders) else match.group(0)
        unknown.append("${" + expression + "}")
        return "${" + expression + "}"

    return _PLACEHOLDER_RE.sub(back, text), unknown


def path_matches(pattern: str, path: str) -> bool:
    """Vault's path globbing: ``+`` is one segment, a trailing ``*`` any suffix."""
    glob = pattern.endswith("*")
    body = pattern[:-1] if glob else pattern
    regex = r"[^/]+".join(re.escape(part) for part in body.split("+"))
    return re.fullmatch(regex + (".*" if glob else ""), path) is not None
