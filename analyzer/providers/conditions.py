"""Conditions compared across trusts (DG105).

The extractors build each :class:`Condition` as a value (the model holds them, never
text); :func:`merge` folds conditions on the same key together, and the trust diff
compares them without knowing which provider wrote them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from driftgate.analyzer.model.conditions import Condition, Family, opaque

__all__ = ["Condition", "Family", "merge", "opaque"]


def merge(parsed: Iterable[Condition]) -> tuple[Condition, ...]:
    """Conditions on the same key, operator and qualifier as one, values in order."""
    merged: dict[tuple[str, str, str, str, bool], Condition] = {}
    for c in parsed:
        slot = (c.match_key, c.family, c.op, c.qualifier, c.if_exists)
        if slot in merged:
            old = merged[slot]
            values = tuple(dict.fromkeys(old.values + c.values))
            merged[slot] = dataclasses.replace(c, values=values, text="")
        else:
            merged[slot] = c
    return tuple(merged.values())
