"""A condition of a trust, parsed enough to compare it with another (DG105).

Each provider reads its own notation into :class:`Condition` (its spec's
``parse_conditions``); :func:`merge` folds conditions on the same key together, and the
trust diff compares them without knowing which provider wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Family = Literal["string", "not-string", "ip", "not-ip", "opaque"]


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    family: Family
    values: tuple[str, ...]
    # The operator as written (StringLike, ...), "" where the provider has none.
    op: str = ""
    # Values are patterns (``*``, ``?``), not literals.
    glob: bool = False
    ignore_case: bool = False
    # ForAnyValue / ForAllValues (AWS multi-valued keys).
    qualifier: str = ""
    # ...IfExists: the condition passes when the key is absent.
    if_exists: bool = False

    @property
    def match_key(self) -> str:
        return self.key.lower()

    @property
    def value_text(self) -> str:
        return ", ".join(self.values)

    @property
    def operator(self) -> str:
        return f"{self.qualifier}:{self.op}" if self.qualifier else self.op


def opaque(text: str) -> Condition:
    """A condition compared by its whole text."""
    return Condition(key="condition", family="opaque", values=(text,))


def merge(parsed: Iterable[Condition]) -> tuple[Condition, ...]:
    """Conditions on the same key, operator and qualifier as one, values in order."""
    merged: dict[tuple[str, str, str, str, bool], Condition] = {}
    for c in parsed:
        slot = (c.match_key, c.family, c.op, c.qualifier, c.if_exists)
        if slot in merged:
            old = merged[slot]
            values = tuple(dict.fromkeys(old.values + c.values))
            merged[slot] = Condition(
                c.key, c.family, values, c.op, c.glob, c.ignore_case, c.qualifier, c.if_exists
            )
        else:
            merged[slot] = c
    return tuple(merged.values())
