"""Properties of the permission algebra and of growth, on generated permissions.

For every provider, with permissions shaped like the ones the extractors produce
(AWS actions and ARN patterns, Kubernetes verbs on group/resource[/name] in a namespace,
GCP roles on resource paths, Azure roles and actions on scope paths, Vault capabilities
on path globs):

- ``covers`` is reflexive and transitive, and the provider's "everything" covers all;
- growth(A, A) is empty; growth(A, B) is empty when A covers every permission of B;
  adding grants at head never takes anything away (A within A + B);
- nothing raises, whatever the strings.

The generators keep to the forms the algebra claims to decide exactly. Forms it
does not (single-character wildcards, a NotAction/NotResource that partly overlaps
a pattern) are in the ``xfail`` tests at the end, each with a counterexample.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.diff import grant_deltas
from driftgate.analyzer.model import Grant, Identity, Model, Permission
from driftgate.analyzer.model.conditions import Condition, opaque
from driftgate.analyzer.permissions import aws, azure, gcp, kubernetes, vault
from driftgate.analyzer.permissions.globs import matches, walk
from driftgate.analyzer.permissions.kubernetes import restricted_by_name
from driftgate.analyzer.providers import LEVEL_ORDER, covered, covers, level, same_action

PROVIDERS = ("aws", "kubernetes", "gcp", "azure", "vault")
MODULE_COVERS: dict[str, Callable[[Permission, Permission], bool]] = {
    "aws": aws.covers,
    "kubernetes": kubernetes.covers,
    "gcp": gcp.covers,
    "azure": azure.covers,
    "vault": vault.covers,
}
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- AWS ----------------------------------------------------------------------------------

_SERVICES = ("s3", "iam", "sts", "sagemaker", "bedrock", "dynamodb", "kms", "ecr")
_VERBS = ("Get", "Put", "List", "Delete", "Create", "Describe", "Invoke", "Pass", "Assume")
_NOUNS = (
    "Object",
    "ObjectVersion",
    "ObjectTagging",
    "Bucket",
    "Role",
    "RolePolicy",
    "Item",
    "Model",
)


@st.composite
def _aws_action(draw: st.DrawFn) -> str:
    """``s3:GetObject``, ``s3:Get*``, ``s3:GetObj*``, ``s3:*``, ``*``, in any case."""
    service = draw(st.sampled_from(_SERVICES))
    verb, noun = draw(st.sampled_from(_VERBS)), draw(st.sampled_from(_NOUNS))
    name = verb + noun
    form = draw(st.sampled_from(("full", "full", "verb*", "prefix*", "service*", "star")))
    if form == "star":
        return "*"
    if form == "service*":
        action = f"{service}:*"
    elif form == "verb*":
        action = f"{service}:{verb}*"
    elif form == "prefix*":
        action = f"{service}:{name[: draw(st.integers(1, len(name)))]}*"
    else:
        action = f"{service}:{name}"
    return draw(st.sampled_from((action, action, action.lower(), action.upper())))


_BUCKETS = ("models-prod", "models-staging", "models-*", "datasets-prod", "*-prod")
_KEYS = ("llama", "adapters", "weights.bin", "*", "eu", "v2")


@st.composite
def _aws_resource(draw: st.DrawFn) -> str:
    """``*`` or an S3 / IAM ARN pattern with ``*`` anywhere."""
    form = draw(st.sampled_from(("star", "bucket", "object", "object", "role")))
    if form == "star":
        return "*"
    if form == "role":
        account = draw(st.sampled_from(("123456789012", "*")))
        name = draw(st.sampled_from(("ml/trainer", "ml/*", "*", "llm-*", "llm-serving")))
        return f"arn:aws:iam::{account}:role/{name}"
    bucket = draw(st.sampled_from(_BUCKETS))
    if form == "bucket":
        return f"arn:aws:s3:::{bucket}"
    keys = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=3))
    return f"arn:aws:s3:::{bucket}/{'/'.join(keys)}"


@st.composite
def aws_permission(draw: st.DrawFn) -> Permission:
    action = draw(_aws_action())
    if draw(st.integers(0, 5)) == 0 and action != "*":
        # NotAction with the prefix patterns policies use (NOT iam:*, NOT s3:Get*).
        action = "NOT " + action
    return Permission(action=action, resource=draw(_aws_resource()))


# --- Kubernetes ---------------------------------------------------------------------------

_K8S_VERBS = (
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "bind",
    "escalate",
    "*",
)
_K8S_GROUPS = ("core", "apps", "batch", "rbac.authorization.k8s.io", "serving.kserve.io", "*")
_K8S_RESOURCES = ("pods", "pods/log", "secrets", "configmaps", "deployments", "roles", "*")
_K8S_NAMES = ("hf-token", "model-config")
_K8S_SCOPES = ("ml-prod", "ml-staging", "*")
# Not the URL "*" (cluster-admin's): see test_k8s_resource_rules_do_not_cover_urls.
_K8S_URLS = ("url:/metrics", "url:/healthz", "url:/healthz/*", "url:/healthz/ready")


@st.composite
def k8s_permission(draw: st.DrawFn) -> Permission:
    """As ``k8s_rbac.rule_permissions`` writes them: verb on group/resource[#name]."""
    verb = draw(st.sampled_from(_K8S_VERBS))
    if draw(st.integers(0, 7)) == 0:
        return Permission(action=verb, resource=draw(st.sampled_from(_K8S_URLS)), scope="*")
    group, resource = draw(st.sampled_from(_K8S_GROUPS)), draw(st.sampled_from(_K8S_RESOURCES))
    name = draw(st.one_of(st.none(), st.sampled_from(_K8S_NAMES)))
    target = f"{group}/{resource}" + (f"#{name}" if name else "")
    return Permission(action=verb, resource=target, scope=draw(st.sampled_from(_K8S_SCOPES)))


# --- GCP ----------------------------------------------------------------------------------

GCP_ROLES = (
    "roles/owner",
    "roles/editor",
    "roles/viewer",
    "roles/storage.admin",
    "roles/storage.objectAdmin",
    "roles/storage.objectViewer",
    "roles/storage.objectCreator",
    "roles/aiplatform.user",
    "roles/aiplatform.admin",
    "roles/secretmanager.secretAccessor",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountUser",
    "roles/resourcemanager.projectIamAdmin",
)
GCP_PATHS = (
    "organizations/123456789",
    "folders/987654321",
    "projects/acme-ml-prod",
    "projects/acme-ml-prod/secrets/hf-token",
    "projects/acme-ml-prod/locations/us-central1/endpoints/42",
    "projects/acme-ml-staging",
    "projects/acme-ml-staging/secrets/hf-token",
    "projects/_/buckets/acme-models-prod",
    "projects/acme-ml-prod/serviceAccounts/llm@acme-ml-prod.iam.gserviceaccount.com",
)


@st.composite
def gcp_permission(draw: st.DrawFn) -> Permission:
    return Permission(
        action=draw(st.sampled_from(GCP_ROLES)), resource=draw(st.sampled_from(GCP_PATHS))
    )


# --- Azure --------------------------------------------------------------------------------

AZURE_BUILTIN = (
    "Owner",
    "Contributor",
    "Reader",
    "User Access Administrator",
    "Storage Blob Data Reader",
    "Storage Blob Data Contributor",
    "AcrPull",
    "Key Vault Secrets User",
)
_AZURE_ACTIONS = (
    "Microsoft.Storage/*",
    "Microsoft.Storage/storageAccounts/*",
    "Microsoft.Storage/storageAccounts/read",
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "*/read",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write",
)
_SUB = "/subscriptions/${subscription}"
AZURE_SCOPES = (
    "/",
    _SUB,
    f"{_SUB}/resourceGroups/rg-ml-prod",
    f"{_SUB}/resourceGroups/rg-ml-prod-eu",
    f"{_SUB}/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stmodels",
    f"{_SUB}/resourceGroups/RG-ML-PROD/providers/Microsoft.KeyVault/vaults/kv-llm",
)


@st.composite
def azure_permission(draw: st.DrawFn) -> Permission:
    action = draw(st.sampled_from(AZURE_BUILTIN + _AZURE_ACTIONS))
    return Permission(action=action, resource=draw(st.sampled_from(AZURE_SCOPES)))


# --- Vault --------------------------------------------------------------------------------

VAULT_CAPABILITIES = ("read", "list", "create", "update", "delete", "patch", "sudo", "*")
_VAULT_PATHS = (
    "secret/*",
    "secret/data/*",
    "secret/data/llm/*",
    "secret/data/llm/hf-token",
    "secret/data/llm/prod/*",
    "secret/metadata/llm/*",
    "secret/+/llm/*",
    "secret/data/+/hf-token",
    "sys/*",
    "sys/leases/revoke-prefix/*",
    "auth/token/create",
    "database/creds/features-ro",
    "*",
)


@st.composite
def vault_permission(draw: st.DrawFn) -> Permission:
    capability = draw(st.sampled_from(VAULT_CAPABILITIES))
    return Permission(action=capability, resource=draw(st.sampled_from(_VAULT_PATHS)))


PERMISSIONS: dict[str, st.SearchStrategy[Permission]] = {
    "aws": aws_permission(),
    "kubernetes": k8s_permission(),
    "gcp": gcp_permission(),
    "azure": azure_permission(),
    "vault": vault_permission(),
}


# --- broadening: one edit that can only allow more (DESIGN.md §4, per provider) ---------------

# Roles documented to include others (Google's and Microsoft's role references).
_GCP_UP = {
    "roles/storage.objectViewer": ("roles/storage.objectAdmin", "roles/storage.admin"),
    "roles/storage.objectCreator": ("roles/storage.objectAdmin", "roles/storage.admin"),
    "roles/storage.objectAdmin": ("roles/storage.admin",),
    "roles/viewer": ("roles/editor",),
    "roles/aiplatform.user": ("roles/aiplatform.admin",),
}
_AZURE_UP = {
    "Reader": ("Contributor",),
    "Storage Blob Data Reader": ("Storage Blob Data Contributor", "Storage Blob Data Owner"),
    "Storage Blob Data Contributor": ("Storage Blob Data Owner",),
}


def _cut(draw: st.DrawFn, text: str, separator: str | None = None, start: int = 0) -> str:
    """``text`` cut after some prefix (at a ``separator`` when given), then ``*``."""
    if separator is None:
        points = list(range(start, len(text) + 1))
    else:
        points = [i + 1 for i, ch in enumerate(text) if ch == separator]
    return text[: draw(st.sampled_from(points))] + "*" if points else "*"


def _parent_path(draw: st.DrawFn, path: str, step: int) -> str:
    """A resource path cut to an ancestor: ``projects/p/secrets/s`` → ``projects/p``."""
    parts = path.strip("/").split("/")
    keep = draw(st.integers(1, max(1, len(parts) // step))) * step
    return ("/" if path.startswith("/") else "") + "/".join(parts[:keep])


@st.composite
def broaden(draw: st.DrawFn, provider: str, p: Permission) -> Permission:
    """A permission that allows at least everything ``p`` allows."""
    action, resource, scope = p.action, p.resource, p.scope
    edit = draw(st.sampled_from(("action", "resource", "both")))
    if provider == "aws":
        if edit != "resource":
            if action.startswith("NOT "):
                action = "*"
            elif action != "*":
                service, _, name = action.partition(":")
                action = draw(st.sampled_from((f"{service}:{_cut(draw, name.rstrip('*'))}", "*")))
        if edit != "action" and resource != "*":
            resource = _cut(draw, resource)
    elif provider == "kubernetes":
        if edit != "resource":
            action = "*"
        if resource.startswith("url:"):
            # Still a URL: a cut after "url:/" (the URL "*" is kept out, see below).
            if edit != "action":
                resource = _cut(draw, resource.removesuffix("*"), start=5)
        elif edit != "action":
            target, _, name = resource.partition("#")
            group, _, kind = target.partition("/")
            change = draw(st.sampled_from(("group", "kind", "name", "scope")))
            if change == "group":
                group = "*"
            elif change == "kind":
                kind, name = "*", ""
            elif change == "name":
                name = ""
            else:
                scope = "*"
            resource = f"{group}/{kind}" + (f"#{name}" if name else "")
    elif provider == "gcp":
        if edit != "resource":
            action = draw(st.sampled_from((*_GCP_UP.get(action, ()), "roles/owner")))
        if edit != "action" and not resource.startswith("projects/_/"):
            resource = _parent_path(draw, resource, 2)
    elif provider == "azure":
        if edit != "resource":
            if "/" in action:
                action = _cut(draw, action, "/")
            else:
                action = draw(st.sampled_from((*_AZURE_UP.get(action, ()), "Owner")))
        if edit != "action" and resource != "/":
            resource = draw(st.sampled_from((_parent_path(draw, resource, 2), "/")))
    elif provider == "vault":
        if edit != "resource":
            action = "*"
        if edit != "action":
            resource = _cut(draw, resource.removesuffix("*"))
    return Permission(action=action, resource=resource, scope=scope)


@st.composite
def chains(draw: st.DrawFn, provider: str) -> list[Permission]:
    """A few permissions, each with two successive broadenings of it, and some others."""
    pool: list[Permission] = []
    for _ in range(draw(st.integers(1, 3))):
        p = draw(PERMISSIONS[provider])
        wider = draw(broaden(provider, p))
        pool += [p, wider, draw(broaden(provider, wider))]
    pool += draw(st.lists(PERMISSIONS[provider], max_size=3))
    return list(dict.fromkeys(pool))


# --- models -------------------------------------------------------------------------------

ADDRESS = "terraform/envs/prod:identity.subject"
_CONDITIONS = tuple(
    opaque(text)
    for text in (
        "StringEquals aws:SourceVpce vpce-1",
        "until: request.time < 2030",
        "NotActions x/*",
    )
)


def model_of(provider: str, grants: Sequence[Grant], name: str = "subject") -> Model:
    identity = Identity(
        address=ADDRESS,
        provider=provider,
        kind="identity",
        name=name,
        environment="prod",
    )
    return Model(identities={ADDRESS: identity}, grants=list(grants))


@st.composite
def allow_grants(
    draw: st.DrawFn, provider: str, prefix: str, conditions: bool = True, max_size: int = 4
) -> list[Grant]:
    """Allow grants (``prefix0``, ``prefix1`` …), each with conditions or not."""
    count = draw(st.integers(0, max_size))
    grants = []
    for i in range(count):
        permissions = draw(st.lists(PERMISSIONS[provider], min_size=1, max_size=4))
        chosen: tuple[Condition, ...] = ()
        if conditions:
            chosen = tuple(draw(st.lists(st.sampled_from(_CONDITIONS), max_size=2, unique=True)))
        grants.append(
            Grant(
                identity=ADDRESS,
                permissions=tuple(permissions),
                conditions=chosen,
                via=f"{prefix}{i}",
            )
        )
    return grants


@st.composite
def grant_set(draw: st.DrawFn, provider: str) -> list[Grant]:
    """Allows with conditions, explicit Denies and (AWS) a permissions boundary."""
    grants = draw(allow_grants(provider, "allow"))
    for i in range(draw(st.integers(0, 2))):
        permissions = draw(st.lists(PERMISSIONS[provider], min_size=1, max_size=3))
        grants.append(
            Grant(identity=ADDRESS, effect="deny", permissions=tuple(permissions), via=f"deny{i}")
        )
    if provider == "aws" and draw(st.booleans()):
        permissions = draw(st.lists(PERMISSIONS[provider], min_size=1, max_size=3))
        grants.append(
            Grant(
                identity=ADDRESS,
                effect="boundary",
                permissions=tuple(permissions),
                via="boundary",
            )
        )
    return draw(st.permutations(grants))


# --- the algebra --------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@SETTINGS
@given(data=st.data())
def test_covers_is_reflexive(provider: str, data: st.DataObject) -> None:
    permission = data.draw(PERMISSIONS[provider])
    twin = Permission(
        action=permission.action, resource=permission.resource, scope=permission.scope
    )
    assert covers(provider, permission, twin)
    # Not only through the equality shortcut: the provider's own rule is reflexive too.
    assert MODULE_COVERS[provider](permission, twin)


def _assert_transitive(provider: str, pool: Sequence[Permission]) -> None:
    table = {(a, b): covers(provider, a, b) for a in pool for b in pool}
    for a, b, c in itertools.product(pool, repeat=3):
        if table[a, b] and table[b, c]:
            assert table[a, c], f"{a} ⊇ {b} ⊇ {c} but not {a} ⊇ {c}"


@pytest.mark.parametrize("provider", PROVIDERS)
@SETTINGS
@given(data=st.data())
def test_broadening_is_covered(provider: str, data: st.DataObject) -> None:
    # One edit that can only allow more: a wildcard for a name, an ancestor for a path,
    # a role that includes the role, the cluster for a namespace, no resourceNames.
    narrow = data.draw(PERMISSIONS[provider])
    wide = data.draw(broaden(provider, narrow))
    assert covers(provider, wide, narrow), f"{wide} does not cover {narrow}"


@pytest.mark.parametrize("provider", ["aws", "kubernetes", "gcp", "vault"])
@SETTINGS
@given(data=st.data())
def test_covers_is_transitive(provider: str, data: st.DataObject) -> None:
    # Every triple of a pool of permissions and their successive broadenings: chains
    # a ⊇ b ⊇ c are common among them, and so are unrelated pairs.
    _assert_transitive(provider, data.draw(chains(provider)))


@SETTINGS
@given(pool=chains("azure"))
@example(
    pool=[
        Permission(action="Contributor", resource="/"),
        Permission(action="Microsoft.Storage/*", resource="/"),
        Permission(action="Storage Blob Data Reader", resource="/"),
    ]
)
def test_azure_covers_is_transitive(pool: list[Permission]) -> None:
    _assert_transitive("azure", pool)


EVERYTHING: dict[str, Callable[[Permission], list[Permission]]] = {
    "aws": lambda _: [Permission(action="*", resource="*")],
    # cluster-admin: every verb on every resource, and every non-resource URL.
    "kubernetes": lambda _: [
        Permission(action="*", resource="*/*", scope="*"),
        Permission(action="*", resource="url:*", scope="*"),
    ],
    # GCP has no single root in the model: roles/owner on the node or one above it.
    "gcp": lambda p: [
        Permission(
            action="roles/owner",
            resource=p.resource.split("/", 2)[0] + "/" + p.resource.split("/")[1],
        )
    ],
    "azure": lambda _: [Permission(action="Owner", resource="/")],
    "vault": lambda _: [Permission(action="*", resource="*")],
}


@pytest.mark.parametrize("provider", ["aws", "kubernetes", "gcp", "vault"])
@SETTINGS
@given(data=st.data())
def test_everything_covers_all(provider: str, data: st.DataObject) -> None:
    permission = data.draw(PERMISSIONS[provider])
    assert covered(provider, permission, EVERYTHING[provider](permission))


@SETTINGS
@given(role=st.sampled_from(AZURE_BUILTIN), scope=st.sampled_from(AZURE_SCOPES))
def test_azure_owner_at_the_root_covers_every_role(role: str, scope: str) -> None:
    narrow = Permission(action=role, resource=scope)
    assert covered("azure", narrow, EVERYTHING["azure"](narrow))


# --- growth -------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@FEW
@given(data=st.data())
def test_growth_of_a_model_against_itself_is_empty(provider: str, data: st.DataObject) -> None:
    grants = data.draw(grant_set(provider))
    assert grant_deltas(model_of(provider, grants), model_of(provider, grants)) == []
    # The same grants written in another order, by a renamed identity: still nothing.
    shuffled = data.draw(st.permutations(grants))
    assert grant_deltas(model_of(provider, grants), model_of(provider, shuffled, "renamed")) == []


@st.composite
def covering(draw: st.DrawFn, provider: str, head: list[Grant]) -> list[Grant]:
    """Base grants that cover every permission of ``head``: each one, or a broadening of
    it, regrouped into other grants (moved, split, merged), with some unrelated ones."""
    wanted = [p for g in head for p in g.permissions]
    held = [draw(st.one_of(st.just(p), broaden(provider, p))) for p in wanted]
    held += draw(st.lists(PERMISSIONS[provider], max_size=3))
    held = draw(st.permutations(held))
    grants: list[Grant] = []
    while held:
        size = draw(st.integers(1, 4))
        permissions, held = held[:size], held[size:]
        grants.append(
            Grant(identity=ADDRESS, permissions=tuple(permissions), via=f"base{len(grants)}")
        )
    return grants


@pytest.mark.parametrize("provider", PROVIDERS)
@FEW
@given(data=st.data())
def test_no_growth_when_base_covers_head(provider: str, data: st.DataObject) -> None:
    # Head grants may carry conditions: a condition only restricts, never grows.
    head = data.draw(allow_grants(provider, "head"))
    base = data.draw(covering(provider, head))
    held = [p for g in base for p in g.permissions]
    assert all(covered(provider, p, held) for g in head for p in g.permissions)
    assert grant_deltas(model_of(provider, base), model_of(provider, head, "renamed")) == []


@pytest.mark.parametrize("provider", PROVIDERS)
@FEW
@given(data=st.data())
def test_adding_grants_never_takes_anything_away(provider: str, data: st.DataObject) -> None:
    a = data.draw(grant_set(provider))
    b = data.draw(allow_grants(provider, "added"))
    union = a + b
    # A is within A + B: going from A + B back to A is no growth ...
    assert grant_deltas(model_of(provider, union), model_of(provider, a)) == []
    # ... and going from A to A + B, only what B adds can be growth.
    for delta in grant_deltas(model_of(provider, a), model_of(provider, union)):
        assert delta.grant in b
        assert delta.added and all(p in delta.grant.permissions for p in delta.added)


@pytest.mark.parametrize("provider", PROVIDERS)
@FEW
@given(data=st.data())
def test_an_identity_absent_at_base_is_never_growth(provider: str, data: st.DataObject) -> None:
    head = model_of(provider, data.draw(grant_set(provider)))
    assert grant_deltas(Model(), head) == []


# --- totality -----------------------------------------------------------------------------

_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ("", "*", "NOT ", "NOT *", "/", "+", "?", "[", "roles/", ":", "a:b", "policy x")
    ),
)
_ANY_PERMISSION = st.builds(Permission, action=_TEXT, resource=_TEXT, scope=_TEXT)


@SETTINGS
@given(
    provider=st.sampled_from(PROVIDERS),
    broad=_ANY_PERMISSION,
    narrow=_ANY_PERMISSION,
)
def test_the_algebra_is_total(provider: str, broad: Permission, narrow: Permission) -> None:
    assert isinstance(covers(provider, broad, narrow), bool)
    assert isinstance(covered(provider, narrow, [broad]), bool)
    assert isinstance(same_action(provider, broad, narrow), bool)
    assert isinstance(restricted_by_name(broad, narrow), bool)
    assert level(narrow, provider) in LEVEL_ORDER


@st.composite
def _any_grants(draw: st.DrawFn) -> list[Grant]:
    grants = []
    for i in range(draw(st.integers(0, 3))):
        grants.append(
            Grant(
                identity=ADDRESS,
                effect=draw(st.sampled_from(("allow", "deny", "boundary"))),
                permissions=tuple(draw(st.lists(_ANY_PERMISSION, max_size=3))),
                conditions=tuple(draw(st.lists(st.sampled_from(_CONDITIONS), max_size=2))),
                via=f"g{i}",
                policy=draw(st.sampled_from((None, "arn:aws:iam::aws:policy/AdministratorAccess"))),
            )
        )
    return grants


@FEW
@given(provider=st.sampled_from(PROVIDERS), base=_any_grants(), head=_any_grants())
def test_growth_is_total(provider: str, base: list[Grant], head: list[Grant]) -> None:
    for delta in grant_deltas(model_of(provider, base), model_of(provider, head)):
        assert delta.kind in ("escalation", "guardrail", "scope", "growth")
        assert delta.added or delta.grant.unresolved


# --- known defects ------------------------------------------------------------------------


def _p(action: str, resource: str = "*") -> Permission:
    return Permission(action=action, resource=resource)


@FEW
@given(pool=st.lists(st.sampled_from(("s3:?", "s3:*", "s3:ab", "s3:G?t*", "s3:Get*")), min_size=3))
@example(pool=["s3:?", "s3:*", "s3:ab"])
def test_transitive_with_single_character_wildcards(pool: list[str]) -> None:
    _assert_transitive("aws", list(dict.fromkeys(_p(a) for a in pool)))


@FEW
@given(
    pool=st.lists(
        st.sampled_from(("NOT s3:Get*", "s3:*Object", "s3:GetObject", "s3:PutObject", "s3:*")),
        min_size=3,
    )
)
@example(pool=["NOT s3:Get*", "s3:*Object", "s3:GetObject"])
def test_transitive_with_not_action_and_interior_wildcards(pool: list[str]) -> None:
    _assert_transitive("aws", list(dict.fromkeys(_p(a) for a in pool)))


@FEW
@given(
    pool=st.lists(
        st.sampled_from(("secret/data/+", "secret/data/*", "secret/data/a/b", "secret/data/a")),
        min_size=3,
    )
)
@example(pool=["secret/data/+", "secret/data/*", "secret/data/a/b"])
def test_vault_transitive_with_plus_at_the_end(pool: list[str]) -> None:
    _assert_transitive("vault", list(dict.fromkeys(_p("read", path) for path in pool)))


@FEW
@given(
    pool=st.lists(
        st.sampled_from(
            (
                Permission(action="*", resource="*/*", scope="*"),
                Permission(action="*", resource="url:*", scope="*"),
                Permission(action="get", resource="url:/metrics", scope="*"),
                Permission(action="get", resource="core/pods", scope="*"),
            )
        ),
        min_size=3,
        unique=True,
    )
)
@example(
    pool=[
        Permission(action="*", resource="*/*", scope="*"),
        Permission(action="*", resource="url:*", scope="*"),
        Permission(action="get", resource="url:/metrics", scope="*"),
    ]
)
def test_k8s_resource_rules_do_not_cover_urls(pool: list[Permission]) -> None:
    _assert_transitive("kubernetes", pool)


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet="ab*?A:/", max_size=8),
    st.text(alphabet="ab*?A:/", max_size=9),
    st.booleans(),
)
def test_a_pattern_of_the_usual_forms_matches_as_the_general_walk_says(
    pattern: str, value: str, case_sensitive: bool
) -> None:
    # Literals and one-star patterns take a shortcut; it must answer as the walk does.
    folded = (pattern, value) if case_sensitive else (pattern.lower(), value.lower())
    assert matches(pattern, value, case_sensitive=case_sensitive) == walk(*folded)
