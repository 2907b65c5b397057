"""Values of the Terraform evaluator: plain Python data, plus what could not be known.

Known values are ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict``.
What static analysis cannot know is an :class:`UnknownValue` carrying the expression it
came from; a reference to another resource's computed attribute is a
:class:`ResourceRef` (also unknown, but extractors use it to link resources).
``jsonencode`` keeps its structure as :class:`JsonDoc` so that an unknown ARN inside a
policy leaves the rest of the policy readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeAlias

Value: TypeAlias = Any


@dataclass(frozen=True, slots=True)
class UnknownValue:
    expression: str
    reason: str = ""

    def __str__(self) -> str:
        return "${" + self.expression + "}"


@dataclass(frozen=True, slots=True)
class UnknownTemplate(UnknownValue):
    """A string template with unknown parts: shown as written, its ``${...}`` included."""

    def __str__(self) -> str:
        return self.expression


@dataclass(frozen=True, slots=True)
class EvalError(UnknownValue):
    """An expression Terraform itself would reject (a missing key, a bad argument).

    Unknown like any other, but ``try`` moves on to its next argument where a genuine
    unknown makes ``try`` unknown too.
    """


@dataclass(frozen=True, slots=True)
class ContextValue(UnknownValue):
    """The account, partition or region a configuration is applied to.

    Unknown statically, but it only places a resource: inside a string it is kept as a
    ``${...}`` placeholder (see :class:`PartialStr`) instead of making the whole string,
    and with it the whole ARN of a policy, unknown.
    """


class PartialStr(str):
    """A string with account/partition/region placeholders (``arn:${local.partition}:...``)."""

    __slots__ = ()


class PlanText(str):
    """Text a Terraform plan resolved from what the configuration does not write out
    (a variable, another resource's attribute): known, but not in the repository."""

    __slots__ = ()


def from_plan(value: Any) -> Any:
    """``value`` with its text marked as resolved by a plan (lists and maps too)."""
    if isinstance(value, str):
        return PlanText(value)
    if isinstance(value, list):
        return [from_plan(v) for v in value]
    if isinstance(value, dict):
        return {k: from_plan(v) for k, v in value.items()}
    return value


def written(value: Value) -> bool:
    """Known, and written in the configuration as it is (no part resolved by a plan):
    what a literal secret in the repository must be."""
    if isinstance(value, PlanText):
        return False
    if isinstance(value, JsonDoc):
        return written(value.value)
    if isinstance(value, list):
        return all(written(v) for v in value)
    if isinstance(value, dict):
        return all(written(v) for v in value.values())
    return is_known(value)


class TfSet(list[Any]):
    """A set (``toset``): a list whose ``for_each``/``dynamic`` keys are its values."""


@dataclass(frozen=True, slots=True)
class ResourceRef(UnknownValue):
    """``aws_iam_role.this.arn``: ``address`` is ``aws_iam_role.this`` within its module."""

    address: str = ""
    attribute: str = ""
    # The module instance it was written in (``module.a.``): a reference passed to a
    # child module as an input still names the caller's resource.
    module: str = ""


@dataclass(frozen=True, slots=True)
class JsonDoc:
    """The result of ``jsonencode(value)``; becomes JSON text once fully known."""

    value: Value


class LocatedDict(dict[str, Any]):
    """A mapping that remembers where it was written (a policy statement).

    ``path`` is filled in by whoever evaluated it and knows the file (see
    :func:`stamp_path`): a statement written in a local, a module input or another
    data source is found in that file, not where the policy is attached.
    """

    line: int = 0
    end_line: int = 0
    path: str = ""
    # (path, line, end line) of other places that wrote it: the input a dynamic block
    # iterated to make it.
    origins: tuple[tuple[str, int, int], ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_located, (dict(self), self.line, self.path, self.end_line, self.origins))


def _located(
    data: dict[str, Any],
    line: int,
    path: str = "",
    end_line: int = 0,
    origins: tuple[tuple[str, int, int], ...] = (),
) -> LocatedDict:
    result = LocatedDict(data)
    result.line = line
    result.end_line = end_line
    result.origins = origins
    result.path = path
    return result


def stamp_path(value: Value, path: str) -> Value:
    """Mark the mappings of ``value`` written in ``path`` (those not yet marked).

    The innermost evaluation finishes first, so the first mark is where it was written.
    """
    if isinstance(value, JsonDoc):
        stamp_path(value.value, path)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, list | dict | JsonDoc):
                stamp_path(v, path)
    elif isinstance(value, dict):
        if isinstance(value, LocatedDict):
            if value.path:
                return value  # marked already, and so is everything inside it
            value.path = path
        for v in value.values():
            if isinstance(v, list | dict | JsonDoc):
                stamp_path(v, path)
    return value


def is_known(value: Value) -> bool:
    """True when no part of ``value`` is unknown."""
    if isinstance(value, UnknownValue):
        return False
    if isinstance(value, JsonDoc):
        return is_known(value.value)
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def to_json_text(value: Value) -> str | UnknownValue:
    """JSON text of a known value (``jsonencode`` semantics), else Unknown."""
    plain = plain_value(value)
    if not is_known(plain):
        return UnknownValue("jsonencode(...)", "contains unknown values")
    # Terraform writes object keys in lexical order.
    return json.dumps(plain, separators=(",", ":"), sort_keys=True)


def plain_value(value: Value) -> Value:
    """Unwrap :class:`JsonDoc` layers so that the data can be inspected."""
    if type(value) is str:  # most leaves: no container to look into
        return value
    if isinstance(value, JsonDoc):
        return plain_value(value.value)
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, LocatedDict):
        return _located(
            {k: plain_value(v) for k, v in value.items()},
            value.line,
            value.path,
            value.end_line,
            value.origins,
        )
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    return value


def display(value: Value) -> str:
    """A value as a user reads it in a finding: unknown parts as ``${expression}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, UnknownValue):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(plain_value(value), default=str)


def to_str(value: Value) -> str | UnknownValue:
    """Terraform's string conversion; lists and maps are not strings."""
    if isinstance(value, str | UnknownValue):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, JsonDoc):
        return to_json_text(value)
    return UnknownValue(display(value), "not a string")
