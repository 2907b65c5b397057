"""A small, picklable syntax tree for HCL: what the Terraform evaluator walks.

python-hcl2's own dict output turns expressions back into strings and drops line
numbers (its ``with_meta`` is broken in 8.1.4); its Lark tree keeps both but is
tied to the grammar's shape. This tree is the one place that shape is normalised.
Every expression keeps its source ``text`` so that what cannot be evaluated is shown
to the user as written.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Expr:
    text: str


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    value: str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A string with interpolations: literal parts and expressions, in order."""

    parts: tuple[str | Expr, ...]

    def join(self, render: Callable[[Expr], str]) -> str:
        """The literal parts as written, each interpolation as ``render`` writes it."""
        return "".join(part if isinstance(part, str) else render(part) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Unparsed(Expr):
    """Syntax driftgate does not evaluate (template directives); always Unknown."""

    reason: str


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    """A bare name: ``var``, ``local``, ``each``, a resource type, a for-variable."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    obj: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    obj: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``obj[*].a.b`` / ``obj.*.a``: apply ``attrs`` to every element."""

    obj: Expr
    attrs: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class TupleExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectExpr(Expr):
    items: tuple[tuple[Expr, Expr], ...]
    # Objects become policy statements (jsonencode): findings point at their lines.
    line: int = 0
    end_line: int = 0


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    cond: Expr
    true: Expr
    false: Expr


@dataclass(frozen=True, slots=True)
class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class UnaryOp(Expr):
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # set for `{ for ... : k => v }`
    value: Expr
    cond: Expr | None
    grouping: bool = False


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    line: int = 1
    end_line: int = 1

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(frozen=True, slots=True)
class HclFile:
    path: str
    blocks: tuple[Block, ...]
    # 1-based line numbers of comments, kept for inline suppressions.
    comments: tuple[tuple[int, str], ...] = ()
    # Why python-hcl2 read this file for the fast front end ("" when it did not).
    fallback: str = ""


def _register_fast_pickling() -> None:
    """Pickle nodes as (class, field values), rebuilt through the constructor.

    The disk cache and the parse pool pickle every node of every file; the generic
    ``slots=True`` dataclass state functions look the fields up per object and were
    half of a warm scan's cache loading.
    """
    classes: list[type] = [Attribute, Block, HclFile]
    todo: list[type] = [Expr]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    for cls in classes:
        names = tuple(f.name for f in fields(cls))
        copyreg.pickle(cls, _reducer(cls, names))


def _reducer(cls: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    def reduce(node: Any) -> tuple[Any, ...]:
        return (cls, tuple([getattr(node, name) for name in names]))

    return reduce


_register_fast_pickling()
