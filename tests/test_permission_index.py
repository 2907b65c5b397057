"""The permission index finds every permission that covers another, never fewer."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions import aws
from driftgate.analyzer.permissions.index import PermissionIndex, Unfiled
from driftgate.analyzer.providers import covers, same_action, spec

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


# --- Kubernetes, GCP, Azure: filed by keys and paths ---------------------------------------
# Realistic values beside odd ones (a subresource pattern, a resourceName on a wildcard,
# an empty namespace, case, trailing and doubled slashes) and free text over the
# characters the keys split on: the filing must never miss what ``covers`` accepts.

_K8S_GROUPS = st.sampled_from(["", "core", "apps", "*", "rbac.authorization.k8s.io"])
_K8S_KINDS = st.sampled_from(
    ["pods", "pods/exec", "pods/*", "*/scale", "*", "*/*", "deployments/scale", "pod*", "p*/e*"]
)
_K8S_NAMES = st.sampled_from(["", "", "web", "db"])
_K8S_URLS = st.sampled_from(["url:/healthz", "url:/healthz/*", "url:/*", "url:*", "url:/metrics"])
_K8S_ODD = st.text(alphabet="*/#:url", max_size=8)


@st.composite
def _k8s_resource(draw: st.DrawFn) -> str:
    form = draw(st.integers(0, 9))
    if form == 0:
        return draw(_K8S_URLS)
    if form == 1:
        return draw(_K8S_ODD)
    name = draw(_K8S_NAMES)
    target = f"{draw(_K8S_GROUPS)}/{draw(_K8S_KINDS)}"
    return target + (f"#{name}" if name else "")


_K8S_PERMISSIONS = st.builds(
    Permission,
    action=st.sampled_from(["get", "GET", "list", "*", "create", "escalate"]),
    resource=_k8s_resource(),
    scope=st.sampled_from(["", "*", "ml-prod", "ml-staging"]),
)
_GCP_PERMISSIONS = st.builds(
    Permission,
    action=st.sampled_from(
        [
            "roles/owner",
            "roles/editor",
            "roles/viewer",
            "roles/storage.admin",
            "roles/storage.objectViewer",
            "projects/p/roles/custom",
        ]
    ),
    resource=st.one_of(
        st.sampled_from(
            [
                "",
                "/",
                "projects/p",
                "projects/p/",
                "projects/p//",
                "projects/p/secrets/s",
                "projects/p//secrets/s",
                "projects/pq",
                "folders/2/projects/p",
                "organizations/1",
            ]
        ),
        st.text(alphabet="ab/", max_size=8),
    ),
)
_AZURE_PERMISSIONS = st.builds(
    Permission,
    action=st.sampled_from(
        [
            "Owner",
            "Contributor",
            "Reader",
            "Storage Blob Data Reader",
            "Storage Blob Data Owner",
            "*",
            "Microsoft.Storage/*/read",
            "Microsoft.Storage/storageAccounts/read",
        ]
    ),
    resource=st.one_of(
        st.sampled_from(
            [
                "",
                "/",
                "/subscriptions/s",
                "/SUBSCRIPTIONS/S/",
                "/subscriptions/s/resourceGroups/rg",
                "/subscriptions/s/resourcegroups/RG/providers/x",
                "/subscriptions/st",
                "/providers/Microsoft.Management/managementGroups/mg",
            ]
        ),
        st.text(alphabet="aA/", max_size=8),
    ),
)
_FILED = {"kubernetes": _K8S_PERMISSIONS, "gcp": _GCP_PERMISSIONS, "azure": _AZURE_PERMISSIONS}


@st.composite
def _filed_case(draw: st.DrawFn) -> tuple[str, list[Permission], Permission]:
    provider = draw(st.sampled_from(sorted(_FILED)))
    permissions = _FILED[provider]
    return provider, draw(st.lists(permissions, max_size=25)), draw(permissions)


def _assert_superset(candidates: list[Permission], wanted: list[Permission]) -> None:
    assert all(any(c is w for c in candidates) for w in wanted), wanted


def _assert_in_order(candidates: list[Permission], items: list[Permission]) -> None:
    positions = [next(i for i, p in enumerate(items) if p is c) for c in candidates]
    assert positions == sorted(set(positions))


@settings(max_examples=600, deadline=None)
@given(_filed_case())
@example(
    ("kubernetes", [Permission("get", "core/pods/*", "*")], Permission("get", "core/pods/log"))
)
@example(("kubernetes", [Permission("get", "*/*/scale")], Permission("get", "apps/x/scale", "n")))
@example(("kubernetes", [Permission("*", "url:/healthz*")], Permission("get", "url:/healthz/x")))
@example(("kubernetes", [Permission("GET", "apps/*", "")], Permission("get", "apps/p#web", "ns")))
@example(
    ("gcp", [Permission("roles/owner", "projects/p/")], Permission("roles/viewer", "projects/p/x"))
)
@example(("gcp", [Permission("roles/owner", "/")], Permission("roles/viewer", "/x")))
@example(("azure", [Permission("Owner", "")], Permission("Reader", "/subscriptions/s")))
@example(
    ("azure", [Permission("Owner", "/Subscriptions/S")], Permission("Reader", "/subscriptions/s/x"))
)
def test_keyed_and_path_filings_miss_no_coverer(
    case: tuple[str, list[Permission], Permission],
) -> None:
    provider, items, narrow = case
    index = PermissionIndex(spec(provider).index, items, lambda p: p)
    candidates = index.covering(narrow)
    _assert_superset(candidates, [p for p in items if covers(provider, p, narrow)])
    _assert_in_order(candidates, items)
    of_action = index.same_action(narrow)
    _assert_superset(of_action, [p for p in items if same_action(provider, p, narrow)])
    _assert_in_order(of_action, items)
    within = index.same_action_within(narrow)
    _assert_superset(
        within,
        [
            p
            for p in items
            if same_action(provider, p, narrow)
            and covers(provider, Permission(p.action, narrow.resource, narrow.scope), p)
        ],
    )
    _assert_in_order(within, items)


def test_a_kubernetes_question_looks_only_where_a_coverer_may_be() -> None:
    """The point of filing: 1,000 unrelated rules are not candidates for a pod read."""
    rules = [Permission("get", f"example.com/kind{i}", "ml-prod") for i in range(1_000)]
    wide = Permission("*", "core/*", "*")
    index = PermissionIndex(spec("kubernetes").index, [*rules, wide], lambda p: p)
    assert index.covering(Permission("get", "core/pods", "ml-prod")) == [wide]
    assert index.same_action(Permission("get", "example.com/kind7#x", "ml-staging")) == [rules[7]]


def test_a_path_question_looks_only_at_its_ancestors() -> None:
    grants = [Permission("roles/viewer", f"projects/p{i}") for i in range(1_000)]
    index = PermissionIndex(spec("gcp").index, grants, lambda p: p)
    assert index.covering(Permission("roles/viewer", "projects/p7/secrets/s")) == [grants[7]]
