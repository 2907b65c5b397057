"""Nested blocks as extractors see them: static and ``dynamic`` blocks alike, evaluated lazily."""

from __future__ import annotations

from dataclasses import dataclass

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.evaluate import Evaluator
from driftgate.analyzer.terraform.functions import MAX_COLLECTION
from driftgate.analyzer.terraform.values import LocatedDict, TfSet, Value


@dataclass(frozen=True, slots=True)
class BlockView:
    """A block and the evaluator its expressions are evaluated with.

    ``unknown`` is set for the stand-in of a ``dynamic`` block whose ``for_each`` cannot
    be evaluated: its content is unknown, and extractors must say so, not skip it.
    """

    block: ast.Block
    evaluator: Evaluator
    unknown: str | None = None
    # (path, line, end line) of the element a ``dynamic`` block made this one from, when
    # it was written as an object (a module input's map entry): the change may be there.
    origin: tuple[str, int, int] | None = None

    @property
    def line(self) -> int:
        return self.block.line

    def has(self, name: str) -> bool:
        return name in self.block.attributes

    def get(self, name: str) -> Value | None:
        attr = self.block.attributes.get(name)
        return None if attr is None else self.evaluator.eval(attr.expr)

    def line_of(self, name: str) -> int:
        attr = self.block.attributes.get(name)
        return attr.line if attr is not None else self.block.line

    def children(self, type_: str) -> list[BlockView]:
        """Nested blocks of ``type_``, ``dynamic "type_"`` blocks expanded."""
        found: list[BlockView] = []
        for child in self.block.blocks:
            if child.type == type_:
                found.append(BlockView(child, self.evaluator))
            elif child.type == "dynamic" and child.labels[:1] == (type_,):
                found.extend(self._expand(child, type_))
        return found

    def _expand(self, dynamic: ast.Block, type_: str) -> list[BlockView]:
        content = dynamic.blocks_of("content")
        if not content or "for_each" not in dynamic.attributes:
            return []
        iterator = type_
        name = dynamic.attributes.get("iterator")
        if name is not None and isinstance(name.expr, ast.Variable):
            iterator = name.expr.name
        collection = self.evaluator.eval(dynamic.attributes["for_each"].expr)
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, TfSet):
            pairs = [(v, v) for v in collection]  # a set's key is its value
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))  # a list's key is its index
        else:
            text = dynamic.attributes["for_each"].expr.text
            return [BlockView(content[0], self.evaluator, f"dynamic {type_} over {text}")]
        return [
            BlockView(
                content[0],
                self.evaluator.with_bindings(**{iterator: {"key": k, "value": v}}),
                origin=_written(v),
            )
            for k, v in pairs[:MAX_COLLECTION]
        ]


def _written(value: Value) -> tuple[str, int, int] | None:
    if isinstance(value, LocatedDict) and value.path and value.line:
        return (value.path, value.line, value.end_line)
    return None
