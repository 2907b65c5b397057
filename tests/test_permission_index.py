"""The permission index finds every permission that covers another, never fewer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions import aws
from driftgate.analyzer.permissions.index import PermissionIndex, Unfiled
from driftgate.analyzer.providers import covers, same_action

_ACTIONS = st.sampled_from(
    [
        "s3:GetObject",
        "s3:getobject",
        "s3:Get*",
        "s3:*",
        "*",
        "iam:PassRole",
        "NOT s3:*",
        "NOT iam:*",
        "s3:?etObject",
        "sts:AssumeRole",
    ]
)
_RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:s3:::models/*",
        "arn:aws:s3:::models/llama",
        "arn:aws:s3:::models",
        "arn:aws:s3:::mod*",
        "arn:aws:s3:::models/?lama",
        "NOT arn:aws:s3:::models/*",
        "arn:aws:iam::1:role/x",
        "arn:aws:s3:::data/*",
        "",
    ]
)
_PERMISSIONS = st.builds(Permission, action=_ACTIONS, resource=_RESOURCES)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PERMISSIONS, max_size=25), _PERMISSIONS)
def test_covering_is_a_superset_in_the_given_order(
    items: list[Permission], narrow: Permission
) -> None:
    index = PermissionIndex(aws.index, items, lambda p: p)
    candidates = index.covering(narrow)
    wanted = [p for p in items if covers("aws", p, narrow)]
    assert all(any(c is w for c in candidates) for w in wanted)
    positions = [next(i for i, p in enumerate(items) if p is c) for c in candidates]
    assert positions == sorted(positions)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PERMISSIONS, max_size=25), _PERMISSIONS)
def test_same_action_within_finds_every_narrower_holding(
    items: list[Permission], broad: Permission
) -> None:
    index = PermissionIndex(aws.index, items, lambda p: p)
    candidates = index.same_action_within(broad)
    wanted = [
        p
        for p in items
        if same_action("aws", p, broad)
        and covers("aws", Permission(action=p.action, resource=broad.resource), p)
    ]
    assert all(any(c is w for c in candidates) for w in wanted)


def test_an_unfiled_provider_gets_every_item() -> None:
    items = [Permission(action="read", resource="secret/a"), Permission("*", "secret/*")]
    narrow = Permission(action="read", resource="secret/b")
    assert PermissionIndex(Unfiled, items, lambda p: p).covering(narrow) == items
