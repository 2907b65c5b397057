"""Values computed from a sealed model, kept for as long as the model lives.

A sealed model is only read from then on (see :meth:`Model.seal`), so what is derived
from it once stays true: work done ahead of the checks (while another process builds
the other tree) is found again when they ask, and two checks asking for the same thing
compute it once.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, cast

from driftgate.analyzer.model.entities import Model

T = TypeVar("T")

# (id of the model, what was computed) → the value; an entry goes with its model.
_VALUES: dict[tuple[int, str], Any] = {}


def per_model(compute: Callable[[Model], T]) -> Callable[[Model], T]:
    """``compute`` remembered per sealed model (an unsealed one may still change)."""
    name = f"{compute.__module__}.{compute.__qualname__}"

    @functools.wraps(compute)
    def remembered(model: Model) -> T:
        if not model.sealed:
            return compute(model)
        key = (id(model), name)
        if key in _VALUES:
            return cast(T, _VALUES[key])
        value = compute(model)
        _VALUES[key] = value
        # Dropped as the model is freed, before its id can name another one.
        weakref.finalize(model, _VALUES.pop, key, None)
        return value

    return remembered
