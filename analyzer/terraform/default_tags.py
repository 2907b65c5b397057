"""Tags a provider block adds to every resource it creates, as a provider room declares them.

The Terraform readers know no provider: a room says which provider block holds the
defaults and, for a plan, which attribute lists a resource's tags with them merged in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.values import Value, to_str


@dataclass(frozen=True, slots=True)
class DefaultTags:
    provider: str  # the provider block's label: aws
    block: str  # the nested block that holds them: default_tags
    attribute: str  # its attribute: tags
    merged: str  # in a plan, the resource attribute with the defaults merged: tags_all
    own: str  # and the one without them: tags


_REGISTERED: list[DefaultTags] = []


def register_default_tags(spec: DefaultTags) -> None:
    if spec not in _REGISTERED:
        _REGISTERED.append(spec)


def from_providers(
    providers: Iterable[ast.Block], evaluate: Callable[[ast.Expr], Value]
) -> dict[str, Value]:
    """The first registered provider block with default tags gives them."""
    for provider in providers:
        for spec in _REGISTERED:
            if provider.labels[:1] != (spec.provider,):
                continue
            for nested in provider.blocks_of(spec.block):
                if spec.attribute in nested.attributes:
                    tags = evaluate(nested.attributes[spec.attribute].expr)
                    if isinstance(tags, dict):
                        return {k: v for k, v in tags.items() if isinstance(to_str(v), str)}
    return {}


def from_plan(values: Mapping[str, Any]) -> dict[str, Value]:
    """What a planned resource's merged tags hold beyond its own."""
    for spec in _REGISTERED:
        every, own = values.get(spec.merged), values.get(spec.own)
        if isinstance(every, dict):
            own = own if isinstance(own, dict) else {}
            return {k: v for k, v in every.items() if isinstance(v, str) and k not in own}
    return {}
