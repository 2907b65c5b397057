"""Values computed from a sealed model, kept for as long as the model lives.

A sealed model is only read from then on (see :meth:`Model.seal`), so what is derived
from it once stays true: work done ahead of the checks (while another process builds
the other tree) is found again when they ask, and two checks asking for the same thing
compute it once. What a child process derived from the model it built travels with it
(:func:`values_of`, :func:`adopt`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar, cast

from driftgate.analyzer.model.entities import Model

T = TypeVar("T")

# (id of the model, what was computed) → the value; an entry goes with its model.
_VALUES: dict[tuple[int, str], Any] = {}


class PerModel(Generic[T]):
    """``compute`` remembered per sealed model (an unsealed one may still change)."""

    def __init__(self, compute: Callable[[Model], T]) -> None:
        self.compute = compute
        self.name = f"{compute.__module__}.{compute.__qualname__}"
        self.__doc__ = compute.__doc__

    def __call__(self, model: Model) -> T:
        if not model.sealed:
            return self.compute(model)
        key = (id(model), self.name)
        if key in _VALUES:
            return cast(T, _VALUES[key])
        value = self.compute(model)
        _remember(model, key, value)
        return value


def per_model(compute: Callable[[Model], T]) -> PerModel[T]:
    return PerModel(compute)


def values_of(model: Model, computes: Iterable[object]) -> dict[str, object]:
    """What was remembered of ``model`` by those of ``computes`` that remember."""
    found: dict[str, object] = {}
    for compute in computes:
        if isinstance(compute, PerModel) and (id(model), compute.name) in _VALUES:
            found[compute.name] = _VALUES[(id(model), compute.name)]
    return found


def adopt(model: Model, values: Mapping[str, object]) -> None:
    """Remember ``values`` (from :func:`values_of` of the same model, elsewhere) as
    derived from ``model``."""
    if not model.sealed:
        return
    for name, value in values.items():
        key = (id(model), name)
        if key not in _VALUES:
            _remember(model, key, value)


def _remember(model: Model, key: tuple[int, str], value: object) -> None:
    _VALUES[key] = value
    # Dropped as the model is freed, before its id can name another one.
    weakref.finalize(model, _VALUES.pop, key, None)
