"""Policy statements in Terraform source, with the lines each of their parts spans.

Two spellings are read: a ``statement`` block of ``data "aws_iam_policy_document"``
(its attributes and ``condition`` blocks carry their lines in the syntax tree) and an
object with ``Effect``/``Action``/``Resource`` keys in HCL, as ``jsonencode()`` policies
are written (the syntax tree knows the object's lines; a key's lines are found in the
text, from the key to where its brackets close). A heredoc or a ``file()`` policy is
neither: no fix is proposed for it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from driftgate.analyzer.parse import hcl_ast as ast

# The parts a narrowing fix may touch, by the block spelling's names.
ACTIONS = ("actions", "not_actions")
RESOURCES = ("resources", "not_resources")
_OBJECT_KEYS = {
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
    "Condition": "condition",
}
_STATEMENT_KEYS = frozenset({"Effect", "Action", "NotAction", "Resource", "NotResource"})


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: where it is, what names it, and the lines of its parts."""

    kind: str  # "block" or "object"
    span: Span
    # The block that holds it (``data.aws_iam_policy_document.llm``), and its place there.
    owner: str
    index: int
    sid: str | None
    # "actions", "resources", ... -> lines; "condition" may be several (blocks).
    parts: dict[str, Span] = field(default_factory=dict)
    conditions: tuple[Span, ...] = ()
    # The literal strings of a part written as a list of them ("actions" -> items);
    # absent when any item is an expression.
    items: dict[str, tuple[str, ...]] = field(default_factory=dict)


def statements(hcl: ast.HclFile, lines: list[str]) -> list[Statement]:
    """Every statement of the file, in source order."""
    found: list[Statement] = []
    for block in hcl.blocks:
        owner = ".".join((block.type, *block.labels))
        count = 0
        if block.type == "data" and block.labels[:1] == ("aws_iam_policy_document",):
            for inner in block.blocks:
                if inner.type == "statement":
                    found.append(_from_block(inner, owner, count))
                    count += 1
        for obj in _objects(block):
            keys = {_key_name(k) for k, _ in obj.items}
            if keys & _STATEMENT_KEYS and obj.line:
                found.append(_from_object(obj, owner, count, lines))
                count += 1
    return sorted(found, key=lambda s: s.span.line)


def containing(found: list[Statement], line: int) -> Statement | None:
    """The innermost statement whose lines hold ``line``."""
    holding = [s for s in found if s.span.line <= line <= s.span.end_line]
    return min(holding, key=lambda s: s.span.end_line - s.span.line, default=None)


def counterpart(found: list[Statement], head: Statement) -> Statement | None:
    """The statement of the other side that is the same one: same owner and Sid, else
    same owner and place."""
    same_owner = [s for s in found if s.owner == head.owner and s.kind == head.kind]
    if head.sid:
        return next((s for s in same_owner if s.sid == head.sid), None)
    return next((s for s in same_owner if s.index == head.index and not s.sid), None)


def _from_block(block: ast.Block, owner: str, index: int) -> Statement:
    parts = {
        name: Span(attr.line, attr.end_line)
        for name, attr in block.attributes.items()
        if name in ACTIONS + RESOURCES
    }
    sid = block.attributes.get("sid")
    conditions = tuple(Span(b.line, b.end_line) for b in block.blocks if b.type == "condition")
    items = {
        name: found
        for name in parts
        if (found := _strings(block.attributes[name].expr)) is not None
    }
    return Statement(
        "block",
        Span(block.line, block.end_line),
        owner,
        index,
        _literal(sid.expr) if sid else None,
        parts,
        conditions,
        items,
    )


def _from_object(obj: ast.ObjectExpr, owner: str, index: int, lines: list[str]) -> Statement:
    parts: dict[str, Span] = {}
    sid: str | None = None
    items: dict[str, tuple[str, ...]] = {}
    for key, value in obj.items:
        name = _key_name(key)
        if name == "Sid":
            sid = _literal(value)
        part = _OBJECT_KEYS.get(name)
        if part is not None and part != "condition":
            found = _strings(value)
            if found is not None:
                items[part] = found
    for name, span in _key_spans(lines, obj.line, obj.end_line):
        part = _OBJECT_KEYS.get(name)
        if part is not None:
            parts.setdefault(part, span)
    conditions = (parts.pop("condition"),) if "condition" in parts else ()
    return Statement(
        "object", Span(obj.line, obj.end_line), owner, index, sid, parts, conditions, items
    )


def _strings(expr: ast.Expr) -> tuple[str, ...] | None:
    """The strings of a list of string literals (or of one string), else None."""
    if isinstance(expr, ast.TupleExpr):
        found = [_literal(item) for item in expr.items]
        strings = [f for f in found if f is not None and not isinstance(f, bool)]
        ok = all(isinstance(i, ast.Literal) for i in expr.items) and len(strings) == len(found)
        return tuple(strings) if ok else None
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return (expr.value,)
    return None


def _objects(node: object) -> Iterator[ast.ObjectExpr]:
    """Every object expression under a block, outermost first."""
    if isinstance(node, ast.Block):
        for attr in node.attributes.values():
            yield from _objects(attr.expr)
        for inner in node.blocks:
            yield from _objects(inner)
    elif isinstance(node, ast.ObjectExpr):
        yield node
        for _, value in node.items:
            yield from _objects(value)
    elif isinstance(node, ast.Expr):
        for f in dataclasses.fields(node):
            child = getattr(node, f.name, None)
            if isinstance(child, ast.Expr):
                yield from _objects(child)
            elif isinstance(child, tuple):
                for item in child:
                    if isinstance(item, ast.Expr):
                        yield from _objects(item)


def _key_name(key: ast.Expr) -> str:
    literal = _literal(key)
    return literal if literal is not None else key.text.strip().strip('"')


def _literal(expr: ast.Expr) -> str | None:
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Variable):
        return expr.name
    return None


_KEY = re.compile(r'^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*[=:]')


def _key_spans(lines: list[str], first: int, last: int) -> Iterator[tuple[str, Span]]:
    """The keys written directly in the object on lines ``first``..``last`` (1-based),
    each with the lines its value spans (until its brackets close)."""
    depth = 0
    line_no = first
    while line_no <= last:
        text = lines[line_no - 1]
        if line_no == first:
            # The object's own brace opens on its first line, possibly after other text.
            brace = text.find("{")
            text = text[brace + 1 :] if brace >= 0 else text
            depth = 1
        match = _KEY.match(text) if depth == 1 else None
        if match is not None:
            end = line_no
            balance = _balance(text[match.end() :])
            while balance > 0 and end < last:
                end += 1
                balance += _balance(lines[end - 1])
            yield match.group(1), Span(line_no, end)
            line_no = end + 1
            continue
        depth += _balance(text)
        line_no += 1


def _balance(text: str) -> int:
    """Opening minus closing brackets on a line, outside string literals."""
    if text.lstrip().startswith("//"):
        return 0
    total = 0
    quoted = False
    escaped = False
    for char in text:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char == "#":
            break
        elif char in "[{(":
            total += 1
        elif char in "]})":
            total -= 1
    return total
