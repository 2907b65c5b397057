"""The permission algebra, provider by provider, and the growth semantics built on it.

Each test states one rule of a provider's authorization model (DESIGN.md §4) as
``covers(provider, broad, narrow)``, ``level(...)`` or ``grant_deltas(base, head)``.
Tests marked ``xfail(strict=True)`` record a known defect: the reason names the
function at fault; when the defect is fixed the test passes and strict xfail fails,
so the mark must go.
"""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.analyzer.diff import GrantDelta, grant_deltas
from driftgate.analyzer.extract.gcp.extract import extract_gcp
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Grant, Identity, Model, Permission
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.permissions.kubernetes import restricted_by_name, same_verb_and_kind
from driftgate.analyzer.permissions.vault import covers as vault_covers
from driftgate.analyzer.providers import UnknownProvider, covered, covers, level, same_action, spec
from driftgate.analyzer.providers.gcp import iam_condition
from driftgate.analyzer.terraform.modules import TerraformProject

BUCKET = "arn:aws:s3:::models-prod"
OBJECTS = f"{BUCKET}/*"
SUB = "/subscriptions/${subscription}"
RG = f"{SUB}/resourceGroups/rg-ml-prod"
ACCOUNT = f"{RG}/providers/Microsoft.Storage/storageAccounts/stmodelsprod"


def p(action: str, resource: str = "*", scope: str = "") -> Permission:
    return Permission(action=action, resource=resource, scope=scope)


def assert_level(found: str, expected: str) -> None:
    """``admin+``: at least admin (full admin roles may also be rated escalation)."""
    if expected == "admin+":
        assert found in ("admin", "escalation")
    else:
        assert found == expected


def k8s(verb: str, resource: str, namespace: str = "ml-prod") -> Permission:
    return Permission(action=verb, resource=resource, scope=namespace)


# --- AWS ----------------------------------------------------------------------------------


def test_aws_actions_are_case_insensitive_resources_are_not() -> None:
    assert covers("aws", p("s3:GetObject", OBJECTS), p("S3:getobject", OBJECTS))
    assert covers("aws", p("S3:GETOBJECT", OBJECTS), p("s3:GetObject", OBJECTS))
    assert not covers("aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", OBJECTS.upper()))


def test_aws_prefix_wildcard_covers_the_explicit_list_but_not_the_reverse() -> None:
    explicit = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetBucketAcl"]
    wildcard = p("s3:Get*", OBJECTS)
    for action in explicit:
        assert covers("aws", wildcard, p(action, OBJECTS)), action
    # The explicit list allows less than the wildcard: s3:Get* is not covered by it.
    assert not covered("aws", wildcard, [p(a, OBJECTS) for a in explicit])
    assert not covers("aws", wildcard, p("s3:PutObject", OBJECTS))
    assert not covers("aws", wildcard, p("s3:*", OBJECTS))
    assert not covers("aws", wildcard, p("ec2:GetConsoleOutput", OBJECTS))


def test_aws_service_and_full_wildcards() -> None:
    assert covers("aws", p("s3:*"), p("s3:Get*", OBJECTS))
    assert covers("aws", p("s3:*"), p("s3:PutObject", OBJECTS))
    assert not covers("aws", p("s3:*"), p("s3express:CreateSession"))
    assert not covers("aws", p("s3:*"), p("*"))
    everything = p("*")
    for narrow in (p("iam:PassRole"), p("s3:*", OBJECTS), p("NOT iam:*"), p("s3:Get*", "NOT x")):
        assert covers("aws", everything, narrow), narrow


def test_aws_not_action_allows_everything_but_what_it_names() -> None:
    not_s3 = p("NOT s3:*")
    assert covers("aws", not_s3, p("ec2:RunInstances"))
    assert covers("aws", not_s3, p("iam:PassRole"))
    assert covers("aws", not_s3, p("sagemaker:Create*"))
    assert not covers("aws", not_s3, p("s3:GetObject"))
    assert not covers("aws", not_s3, p("s3:Get*"))
    assert not covers("aws", not_s3, p("*"))
    # NOT a covers NOT b when b excludes everything a excludes.
    assert covers("aws", p("NOT s3:GetObject"), p("NOT s3:*"))
    assert not covers("aws", not_s3, p("NOT s3:GetObject"))
    # Only "*" covers a NotAction statement: s3:* does not cover "everything but ec2".
    assert covers("aws", p("*"), p("NOT ec2:*"))
    assert not covers("aws", p("s3:*"), p("NOT ec2:*"))


def test_aws_not_action_with_several_patterns_excludes_all_of_them() -> None:
    """PowerUserAccess: NotAction [iam:*, organizations:*] allows neither; the patterns
    are one permission, never a union of "everything but iam" and "everything but orgs"."""
    power = p("NOT iam:*|organizations:*")
    assert covers("aws", power, p("s3:GetObject"))
    assert not covers("aws", power, p("iam:PutRolePolicy"))
    assert not covers("aws", power, p("organizations:LeaveOrganization"))
    assert covers("aws", power, p("NOT iam:*|organizations:*|account:*"))
    assert not covers("aws", power, p("NOT iam:*"))
    assert level(p("NOT iam:*|organizations:*"), "aws") == "admin"
    assert level(p("NOT organizations:*"), "aws") == "escalation"


def test_aws_not_resource_allows_every_resource_but_what_it_names() -> None:
    not_secrets = p("s3:GetObject", "NOT arn:aws:s3:::secrets-prod/*")
    assert covers("aws", not_secrets, p("s3:GetObject", OBJECTS))
    assert not covers("aws", not_secrets, p("s3:GetObject", "arn:aws:s3:::secrets-prod/db.json"))
    assert not covers("aws", not_secrets, p("s3:GetObject", "*"))
    assert covers("aws", p("s3:GetObject", "*"), not_secrets)
    assert not covers("aws", p("s3:GetObject", OBJECTS), not_secrets)


def test_aws_resource_patterns_subsume_by_wildcard() -> None:
    assert covers("aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", f"{BUCKET}/llama/w.bin"))
    assert covers("aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", f"{BUCKET}/llama/*"))
    # IAM's * spans "/": a bucket-name wildcard reaches every object of those buckets.
    assert covers("aws", p("s3:GetObject", "arn:aws:s3:::models-*"), p("s3:GetObject", OBJECTS))
    assert not covers("aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", BUCKET))
    assert not covers(
        "aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", "arn:aws:s3:::models-prod2/x")
    )
    assert not covers("aws", p("s3:GetObject", f"{BUCKET}/llama/*"), p("s3:GetObject", OBJECTS))
    assert covers("aws", p("s3:GetObject", "*"), p("s3:GetObject", OBJECTS))
    assert not covers("aws", p("s3:GetObject", OBJECTS), p("s3:GetObject", "*"))
    role = "arn:aws:iam::123456789012:role/ml/*"
    assert covers("aws", p("iam:PassRole", role), p("iam:PassRole", role.replace("*", "trainer")))
    assert not covers("aws", p("iam:PassRole", role), p("iam:PassRole", "arn:aws:iam::*:role/ml/x"))


def test_aws_single_character_wildcard_does_not_cover_a_star() -> None:
    assert not covers(
        "aws",
        p("s3:GetObject", "arn:aws:s3:::logs-?/*"),
        p("s3:GetObject", "arn:aws:s3:::logs-*/*"),
    )


def test_aws_not_action_does_not_cover_an_overlapping_pattern() -> None:
    assert not covers("aws", p("NOT s3:Get*"), p("s3:*Object"))


def test_aws_not_resource_does_not_cover_an_overlapping_pattern() -> None:
    assert not covers(
        "aws",
        p("s3:GetObject", "NOT arn:aws:s3:::data/*/pii"),
        p("s3:GetObject", "arn:aws:s3:::data/eu/*"),
    )


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("s3:GetObject", "read"),
        ("s3:ListBucket", "read"),
        ("s3:Get*", "read"),
        ("s3:PutObject", "write"),
        ("ec2:RunInstances", "write"),
        ("s3:PutBucketPolicy", "admin"),
        ("s3:*", "admin"),
        ("iam:PassRole", "escalation"),
        ("iam:CreateAccessKey", "escalation"),
        ("iam:AttachRolePolicy", "escalation"),
        ("iam:PutRolePolicy", "escalation"),
        ("iam:*", "escalation"),
        ("*", "escalation"),
    ],
)
def test_aws_levels(action: str, expected: str) -> None:
    assert level(p(action), "aws") == expected


def test_aws_interior_wildcard_is_rated_by_the_actions_it_matches() -> None:
    assert level(p("iam:Put*Policy", "arn:aws:iam::123456789012:role/*"), "aws") == "escalation"


def test_aws_assume_role_on_one_role_is_not_escalation() -> None:
    one_role = p("sts:AssumeRole", "arn:aws:iam::123456789012:role/feature-store-reader")
    assert level(one_role, "aws") != "escalation"
    assert level(p("sts:AssumeRole", "*"), "aws") == "escalation"


def test_aws_not_action_that_keeps_iam_is_escalation() -> None:
    assert level(p("NOT s3:*", "*"), "aws") == "escalation"


# --- Kubernetes RBAC ----------------------------------------------------------------------


def test_k8s_star_verbs_groups_and_resources() -> None:
    assert covers("kubernetes", k8s("*", "apps/deployments"), k8s("patch", "apps/deployments"))
    assert covers("kubernetes", k8s("*", "apps/deployments"), k8s("bind", "apps/deployments"))
    assert covers("kubernetes", k8s("get", "core/*"), k8s("get", "core/secrets"))
    assert covers("kubernetes", k8s("get", "core/*"), k8s("get", "core/secrets#hf-token"))
    assert covers(
        "kubernetes", k8s("get", "*/*"), k8s("get", "serving.kserve.io/inferenceservices")
    )
    assert covers("kubernetes", k8s("*", "*/*"), k8s("escalate", "rbac.authorization.k8s.io/roles"))
    assert not covers("kubernetes", k8s("get", "core/*"), k8s("get", "apps/deployments"))
    assert not covers("kubernetes", k8s("get", "apps/deployments"), k8s("*", "apps/deployments"))
    assert not covers("kubernetes", k8s("get", "core/secrets"), k8s("get", "core/*"))
    # Verbs are compared without case; resources and groups are not.
    assert covers("kubernetes", k8s("GET", "core/pods"), k8s("get", "core/pods"))


def test_k8s_resource_names_restrict_to_the_named_objects() -> None:
    all_configmaps = k8s("get", "core/configmaps")
    one = k8s("get", "core/configmaps#reranker-config")
    assert covers("kubernetes", all_configmaps, one)
    assert not covers("kubernetes", one, all_configmaps)
    assert not covers("kubernetes", one, k8s("get", "core/configmaps#other-config"))
    assert restricted_by_name(one, all_configmaps)
    assert not restricted_by_name(all_configmaps, one)
    assert not restricted_by_name(one, k8s("list", "core/configmaps"))
    assert same_verb_and_kind(one, all_configmaps)
    assert same_action(
        "kubernetes", k8s("get", "core/configmaps", "a"), k8s("get", "core/configmaps", "*")
    )


def test_k8s_cluster_scope_covers_every_namespace_but_not_the_reverse() -> None:
    cluster = k8s("get", "core/configmaps", "*")
    assert covers("kubernetes", cluster, k8s("get", "core/configmaps", "ml-prod"))
    assert covers("kubernetes", cluster, k8s("get", "core/configmaps", "ml-staging"))
    assert not covers("kubernetes", k8s("get", "core/configmaps", "ml-prod"), cluster)
    assert not covers(
        "kubernetes",
        k8s("get", "core/configmaps", "ml-prod"),
        k8s("get", "core/configmaps", "ml-dev"),
    )


def test_k8s_non_resource_urls() -> None:
    assert covers(
        "kubernetes", k8s("get", "url:/healthz/*", "*"), k8s("get", "url:/healthz/ready", "*")
    )
    assert covers("kubernetes", k8s("get", "url:/metrics", "*"), k8s("get", "url:/metrics", "*"))
    assert not covers(
        "kubernetes", k8s("get", "url:/metrics", "*"), k8s("get", "url:/metrics/cadvisor", "*")
    )
    # Resource rules never reach non-resource URLs.
    assert not covers("kubernetes", k8s("get", "*/*", "*"), k8s("get", "url:/metrics", "*"))


def test_k8s_a_resource_does_not_cover_its_subresources() -> None:
    assert not covers("kubernetes", k8s("create", "core/pods"), k8s("create", "core/pods/exec"))


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (k8s("get", "core/configmaps"), "read"),
        (k8s("list", "core/secrets"), "read"),
        (k8s("get", "core/secrets", "*"), "escalation"),
        (k8s("create", "apps/deployments"), "write"),
        (k8s("create", "rbac.authorization.k8s.io/rolebindings"), "admin"),
        (k8s("bind", "rbac.authorization.k8s.io/clusterroles"), "escalation"),
        (k8s("escalate", "rbac.authorization.k8s.io/roles"), "escalation"),
        (k8s("impersonate", "core/serviceaccounts"), "escalation"),
        (k8s("*", "*/*", "*"), "escalation"),
    ],
)
def test_k8s_levels(permission: Permission, expected: str) -> None:
    assert level(permission, "kubernetes") == expected


def test_k8s_pods_exec_is_escalation() -> None:
    assert level(k8s("create", "core/pods/exec"), "kubernetes") == "escalation"


# --- GCP ----------------------------------------------------------------------------------


def test_gcp_basic_roles_include_the_basic_roles_below_them() -> None:
    project = "projects/acme-ml-prod"
    owner, editor, viewer = (p(f"roles/{r}", project) for r in ("owner", "editor", "viewer"))
    assert covers("gcp", owner, editor) and covers("gcp", owner, viewer)
    assert covers("gcp", editor, viewer)
    assert not covers("gcp", viewer, editor) and not covers("gcp", editor, owner)
    storage = p("roles/storage.objectViewer", project)
    assert covers("gcp", storage, storage)
    assert not covers("gcp", storage, p("roles/storage.objectAdmin", project))


def test_gcp_basic_and_predefined_roles_include_narrower_ones() -> None:
    project = "projects/acme-ml-prod"
    assert covers("gcp", p("roles/owner", project), p("roles/storage.objectViewer", project))
    assert covers(
        "gcp", p("roles/storage.admin", project), p("roles/storage.objectViewer", project)
    )
    assert not covers(
        "gcp", p("roles/storage.objectViewer", project), p("roles/storage.admin", project)
    )


def test_gcp_a_role_on_a_node_covers_the_same_role_below_it() -> None:
    role = "roles/secretmanager.secretAccessor"
    project = p(role, "projects/acme-ml-prod")
    assert covers("gcp", project, p(role, "projects/acme-ml-prod/secrets/hf-token"))
    assert covers("gcp", project, p(role, "projects/acme-ml-prod/locations/us/endpoints/e1"))
    assert not covers("gcp", project, p(role, "projects/acme-ml-prod2/secrets/hf-token"))
    assert not covers("gcp", p(role, "projects/acme-ml-prod/secrets/hf-token"), project)
    assert not covers("gcp", project, p(role, "projects/acme-ml-staging/secrets/hf-token"))


def _gcp_grants(text: str) -> list[Grant]:
    parsed = [parse_hcl("envs/prod/main.tf", textwrap.dedent(text))]
    model = extract_gcp(list(TerraformProject(parsed).instances()), ExtractOptions())
    return model.grants


def test_gcp_project_covers_a_bucket_declared_in_it() -> None:
    grants = _gcp_grants(
        """
        resource "google_service_account" "llm" {
          project    = "acme-ml-prod"
          account_id = "llm"
        }
        resource "google_storage_bucket" "models" {
          project  = "acme-ml-prod"
          name     = "acme-models-prod"
          location = "US"
        }
        resource "google_storage_bucket_iam_member" "bucket" {
          bucket = google_storage_bucket.models.name
          role   = "roles/storage.objectViewer"
          member = "serviceAccount:${google_service_account.llm.email}"
        }
        resource "google_project_iam_member" "project" {
          project = "acme-ml-prod"
          role    = "roles/storage.objectViewer"
          member  = "serviceAccount:${google_service_account.llm.email}"
        }
        """
    )
    by_via = {g.via: g.permissions[0] for g in grants}
    bucket = by_via["google_storage_bucket_iam_member.bucket"]
    project = by_via["google_project_iam_member.project"]
    assert covers("gcp", project, bucket)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("roles/owner", "escalation"),
        ("roles/iam.serviceAccountTokenCreator", "escalation"),
        ("roles/iam.serviceAccountUser", "escalation"),
        ("roles/resourcemanager.projectIamAdmin", "escalation"),
        ("roles/editor", "admin+"),
        ("roles/viewer", "read"),
        ("roles/storage.objectViewer", "read"),
        ("roles/secretmanager.secretAccessor", "read"),
        ("roles/aiplatform.user", "write"),
    ],
)
def test_gcp_levels(role: str, expected: str) -> None:
    assert_level(level(p(role, "projects/acme-ml-prod"), "gcp"), expected)


# --- Azure --------------------------------------------------------------------------------


def test_azure_owner_contributor_reader() -> None:
    owner, contributor, reader = p("Owner", RG), p("Contributor", RG), p("Reader", RG)
    assert covers("azure", owner, contributor) and covers("azure", owner, reader)
    assert covers("azure", contributor, reader)
    assert not covers("azure", reader, contributor) and not covers("azure", contributor, owner)
    assert covers("azure", p("owner", RG), p("READER", RG))
    # Contributor's actions are the control plane: it reads no blob.
    assert not covers("azure", contributor, p("Storage Blob Data Reader", RG))
    assert not covers("azure", p("Storage Blob Data Contributor", RG), p("Reader", RG))


def test_azure_scope_paths_nest() -> None:
    assert covers("azure", p("Reader", SUB), p("Reader", RG))
    assert covers("azure", p("Reader", SUB), p("Reader", ACCOUNT))
    assert covers("azure", p("Reader", RG), p("Reader", ACCOUNT))
    assert covers("azure", p("Reader", "/"), p("Reader", SUB))
    assert not covers("azure", p("Reader", RG), p("Reader", SUB))
    assert not covers("azure", p("Reader", RG), p("Reader", f"{SUB}/resourceGroups/rg-ml-prod-eu"))
    # Resource ids are case-insensitive; a trailing slash changes nothing.
    assert covers("azure", p("Reader", RG.upper()), p("Reader", ACCOUNT + "/"))


def test_azure_custom_role_actions_are_globs() -> None:
    storage = p("Microsoft.Storage/*", SUB)
    assert covers("azure", storage, p("Microsoft.Storage/storageAccounts/read", RG))
    assert covers("azure", p("*/read", SUB), p("Microsoft.Compute/virtualMachines/read", RG))
    assert not covers("azure", storage, p("Microsoft.KeyVault/vaults/read", RG))
    assert not covers("azure", p("*/read", SUB), p("Microsoft.Storage/storageAccounts/write", RG))


def test_azure_custom_role_star_covers_every_action() -> None:
    assert covers("azure", p("*", SUB), p("Microsoft.Storage/storageAccounts/read", RG))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Owner", "escalation"),
        ("User Access Administrator", "escalation"),
        ("Role Based Access Control Administrator", "escalation"),
        ("Microsoft.Authorization/roleAssignments/write", "escalation"),
        ("Contributor", "admin+"),
        ("Reader", "read"),
        ("Storage Blob Data Reader", "read"),
        ("Microsoft.Storage/storageAccounts/read", "read"),
        ("Storage Blob Data Contributor", "write"),
    ],
)
def test_azure_levels(role: str, expected: str) -> None:
    assert_level(level(p(role, RG), "azure"), expected)


# --- Vault --------------------------------------------------------------------------------


def test_vault_trailing_star_is_a_prefix() -> None:
    assert covers("vault", p("read", "secret/*"), p("read", "secret/data/x"))
    assert covers("vault", p("read", "secret/*"), p("read", "secret/data/llm/*"))
    assert covers("vault", p("read", "secret/data/llm/*"), p("read", "secret/data/llm/prod/key"))
    assert not covers("vault", p("read", "secret/*"), p("read", "secretary/x"))
    assert not covers("vault", p("read", "secret/data/x"), p("read", "secret/data/y"))
    assert not covers("vault", p("read", "secret/data/x"), p("read", "secret/*"))
    # A star inside a path is no glob in Vault.
    assert not covers("vault", p("read", "secret/*/x"), p("read", "secret/data/x"))


def test_vault_plus_is_one_segment() -> None:
    plus = p("read", "secret/+/config")
    assert covers("vault", plus, p("read", "secret/llm/config"))
    assert not covers("vault", plus, p("read", "secret/llm/prod/config"))
    assert not covers("vault", plus, p("read", "secret/llm/other"))
    assert covers("vault", p("read", "secret/+/*"), p("read", "secret/llm/prod/config"))


def test_vault_plus_does_not_cover_a_glob() -> None:
    assert not covers("vault", p("read", "secret/+"), p("read", "secret/*"))


def test_vault_capabilities_are_separate() -> None:
    assert not covers("vault", p("read", "secret/*"), p("update", "secret/data/x"))
    assert not covers("vault", p("update", "secret/*"), p("read", "secret/data/x"))
    # Deny rules are kept as "*", which stands for every capability.
    assert covers("vault", p("*", "secret/*"), p("sudo", "secret/data/x"))


@pytest.mark.parametrize(
    ("capability", "path", "expected"),
    [
        ("read", "secret/data/llm", "read"),
        ("list", "secret/metadata/llm", "read"),
        ("update", "secret/data/llm", "write"),
        ("update", "sys/policies/acl/llm", "admin"),
        ("create", "auth/token/create", "admin"),
        ("sudo", "sys/leases/revoke-prefix/aws", "escalation"),
    ],
)
def test_vault_levels(capability: str, path: str, expected: str) -> None:
    assert level(p(capability, path), "vault") == expected


def test_a_provider_without_a_spec_is_an_error_not_equality() -> None:
    # It used to compare by equality: a new provider silently gained no algebra.
    with pytest.raises(UnknownProvider, match="no provider spec for 'other'"):
        covers("other", p("*", "*"), p("x", "y"))


# --- growth: grant_deltas -----------------------------------------------------------------

ROLE = "terraform/envs/prod:aws_iam_role.llm"


def _model(grants: list[Grant], provider: str = "aws", declared: bool = True) -> Model:
    identity = Identity(
        address=ROLE,
        provider=provider,
        kind="role",
        name="llm-prod",
        environment="prod",
        declared=declared,
    )
    return Model(identities={ROLE: identity}, grants=grants)


def allow(*permissions: Permission, via: str = "policy", conditions: tuple[str, ...] = ()) -> Grant:
    typed = tuple(spec("aws").parse_conditions(conditions))
    return Grant(identity=ROLE, permissions=permissions, via=via, conditions=typed)


def deny(*permissions: Permission, via: str = "guardrail") -> Grant:
    return Grant(identity=ROLE, effect="deny", permissions=permissions, via=via)


def boundary(*permissions: Permission) -> Grant:
    return Grant(
        identity=ROLE,
        effect="boundary",
        permissions=permissions,
        via="permissions boundary",
    )


def deltas(base: list[Grant], head: list[Grant], provider: str = "aws") -> list[GrantDelta]:
    return grant_deltas(_model(base, provider), _model(head, provider))


def kinds(found: list[GrantDelta]) -> list[tuple[str, tuple[str, ...]]]:
    return [(d.kind, tuple(f"{x.action}@{x.resource}" for x in d.added)) for d in found]


def test_growth_is_classified_by_the_most_specific_kind() -> None:
    base = [allow(p("s3:GetObject", OBJECTS))]
    head = [
        allow(
            p("s3:GetObject", "*"),
            p("s3:PutObject", OBJECTS),
            p("iam:PassRole", "*"),
            via="policy",
        )
    ]
    assert kinds(deltas(base, head)) == [
        ("escalation", ("iam:PassRole@*",)),
        ("scope", ("s3:GetObject@*",)),
        ("growth", ("s3:PutObject@" + OBJECTS,)),
    ]


def test_moving_splitting_and_reordering_are_not_growth() -> None:
    one, two = p("s3:GetObject", OBJECTS), p("sqs:ReceiveMessage", "arn:aws:sqs:*:*:jobs")
    base = [allow(one, two, via="a")]
    assert deltas(base, [allow(two, via="a"), allow(one, via="b")]) == []
    assert deltas(base, [allow(two, one, via="c")]) == []
    # s3:Get* replaced by the explicit actions it covered.
    base = [allow(p("s3:Get*", OBJECTS))]
    assert (
        deltas(base, [allow(p("s3:GetObject", OBJECTS), p("s3:GetObjectVersion", OBJECTS))]) == []
    )


def test_an_identity_the_change_declares_is_never_growth() -> None:
    head = _model([allow(p("*"))])
    assert grant_deltas(Model(), head) == []


def test_an_undeclared_identity_grows_and_is_uncertain_when_the_base_did_not_name_it() -> None:
    """A role managed elsewhere existed before the change, whatever the base named."""

    def named(grants: list[Grant]) -> Model:
        model = _model(grants, declared=False)
        arn = "arn:aws:iam::111122223333:role/llm-prod"
        model.identities[ROLE] = model.identities[ROLE].model_copy(update={"principal": arn})
        return model

    undeclared = named([allow(p("*"))])
    (known,) = grant_deltas(named([allow(p("s3:GetObject"))]), undeclared)
    assert (known.kind, known.certain) == ("escalation", True)
    (unseen,) = grant_deltas(Model(), undeclared)
    assert (unseen.kind, unseen.certain, unseen.unseen_at_base) == ("escalation", False, True)
    # Unchanged: nothing, named at base or not.
    assert grant_deltas(undeclared, undeclared) == []


def test_an_undeclared_person_is_not_an_nhi_that_grows() -> None:
    person = Identity(address="azure:group/oncall", provider="azure", kind="group", name="x")
    person = person.model_copy(update={"declared": False})
    owner = Permission(action="Owner", resource="/subscriptions/s")
    head = Model(
        identities={person.address: person},
        grants=[Grant(identity=person.address, permissions=(owner,), via="assignment")],
    )
    assert grant_deltas(Model(), head) == []


def test_a_gcp_condition_retitled_is_the_same_condition() -> None:
    # Conditions are values: a title is a label, the CEL expression is the guardrail.
    reader = Permission(action="roles/storage.objectAdmin", resource="projects/acme-prod")
    until = 'request.time < timestamp("2030-01-01T00:00:00Z")'

    def bound(title: str, expression: str) -> Grant:
        condition = iam_condition(title, expression)
        return Grant(identity=ROLE, permissions=(reader,), via="binding", conditions=(condition,))

    base = [bound("temporary", until)]
    assert deltas(base, [bound("expires in 2030", until)], provider="gcp") == []
    later = until.replace("2030", "2040")
    [delta] = deltas(base, [bound("temporary", later)], provider="gcp")
    assert delta.kind == "guardrail" and "2030" in delta.reason


def test_a_condition_removed_is_a_guardrail_and_a_condition_added_is_nothing() -> None:
    vpce = "StringEquals aws:SourceVpce vpce-0a1b"
    base = [allow(p("s3:PutObject", OBJECTS), conditions=(vpce,))]
    [delta] = deltas(base, [allow(p("s3:PutObject", OBJECTS))])
    assert delta.kind == "guardrail" and "aws:SourceVpce" in delta.reason
    assert deltas([allow(p("s3:PutObject", OBJECTS))], base) == []
    # A condition tightened (one more condition) is no growth either.
    tighter = (vpce, "Bool aws:SecureTransport true")
    assert deltas(base, [allow(p("s3:PutObject", OBJECTS), conditions=tighter)]) == []


def test_an_explicit_deny_subtracts_and_removing_it_is_a_guardrail() -> None:
    allowed = allow(p("s3:GetObject", OBJECTS), p("s3:DeleteObject", OBJECTS))
    guard = deny(p("s3:DeleteObject", "*"))
    [delta] = deltas([allowed, guard], [allowed])
    assert delta.kind == "guardrail" and "explicit Deny" in delta.reason
    assert [x.action for x in delta.added] == ["s3:DeleteObject"]
    # Adding a Deny is never growth; a head grant the head denies adds nothing.
    assert deltas([allowed], [allowed, guard]) == []
    assert deltas([allowed, guard], [allowed, guard, allow(p("s3:DeleteObject", "*"))]) == []


def test_removing_a_deny_that_carves_out_of_a_wildcard_is_a_guardrail() -> None:
    allowed = allow(p("s3:*", OBJECTS))
    guard = deny(p("s3:DeleteObject", OBJECTS))
    assert [d.kind for d in deltas([allowed, guard], [allowed])] == ["guardrail"]


def test_a_permissions_boundary_caps_and_removing_or_widening_it_is_a_guardrail() -> None:
    allowed = allow(p("s3:GetObject", OBJECTS), p("s3:DeleteObject", OBJECTS))
    capped = boundary(p("s3:GetObject", "*"))
    [removed] = deltas([allowed, capped], [allowed])
    assert removed.kind == "guardrail" and "boundary was removed" in removed.reason
    assert [x.action for x in removed.added] == ["s3:DeleteObject"]
    [widened] = deltas([allowed, capped], [allowed, boundary(p("s3:*", "*"))])
    assert widened.kind == "guardrail" and "boundary was widened" in widened.reason
    # Adding a boundary, or growth the boundary forbids, is nothing.
    assert deltas([allowed], [allowed, capped]) == []
    assert deltas([allowed, capped], [allowed, capped, allow(p("iam:PassRole", "*"))]) == []


def test_growth_under_an_unresolved_boundary_is_not_dropped_silently() -> None:
    arn = "arn:aws:iam::123456789012:policy/ml-boundary"
    unresolved = boundary().model_copy(update={"policy": arn, "unknown": (arn,)})
    base = [allow(p("s3:GetObject", OBJECTS)), unresolved]
    head = [allow(p("s3:GetObject", OBJECTS), p("s3:PutObject", OBJECTS)), unresolved]
    assert deltas(base, head) != []


def test_namespace_to_cluster_and_dropped_resource_names() -> None:
    base = [allow(k8s("get", "core/configmaps", "ml-prod"))]
    [wider] = deltas(base, [allow(k8s("get", "core/configmaps", "*"))], "kubernetes")
    assert wider.kind == "scope" and "namespace ml-prod" in wider.reason
    base = [allow(k8s("get", "core/secrets#hf-token"))]
    [dropped] = deltas(base, [allow(k8s("get", "core/secrets"))], "kubernetes")
    assert dropped.kind == "guardrail" and "resourceNames" in dropped.reason


def test_gcp_azure_and_vault_scope_broadening() -> None:
    base = [allow(p("roles/secretmanager.secretAccessor", "projects/p/secrets/hf"))]
    head = [allow(p("roles/secretmanager.secretAccessor", "projects/p"))]
    assert [d.kind for d in deltas(base, head, "gcp")] == ["scope"]
    assert [
        d.kind for d in deltas([allow(p("Reader", RG))], [allow(p("Reader", SUB))], "azure")
    ] == ["scope"]
    base = [allow(p("read", "secret/data/llm/*"))]
    assert [d.kind for d in deltas(base, [allow(p("read", "secret/*"))], "vault")] == ["scope"]
    # Narrowing on each of them is nothing.
    assert deltas([allow(p("Owner", SUB))], [allow(p("Reader", RG))], "azure") == []
    assert (
        deltas(
            [allow(p("roles/editor", "projects/p"))],
            [allow(p("roles/viewer", "projects/p"))],
            "gcp",
        )
        == []
    )
    assert deltas([allow(p("read", "secret/*"))], [allow(p("read", "secret/+/x"))], "vault") == []


def _vault_reference(broad: str, narrow: str) -> bool:
    """The regular-expression reading of a Vault path glob (safe on short inputs only)."""
    if broad == narrow:
        return True
    pattern = "".join("[^/*]*" if c == "+" else re.escape(c) for c in broad.removesuffix("*"))
    pattern += ".*" if broad.endswith("*") else ""
    return re.fullmatch(pattern, narrow, re.DOTALL) is not None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab/+*", max_size=8), st.text(alphabet="ab/+*", max_size=8))
def test_vault_path_globs_mean_what_the_regular_expression_says(broad: str, narrow: str) -> None:
    mine = vault_covers(
        Permission(action="read", resource=broad), Permission(action="read", resource=narrow)
    )
    assert mine == _vault_reference(broad, narrow)


def test_a_hostile_vault_glob_is_answered_at_once() -> None:
    # Found by the atheris harness: "+" * 200 as a regular expression backtracked for
    # minutes; the automaton answers in milliseconds.
    broad = Permission(action="read", resource="+" * 90 + "\x9d" + "+" * 110 + ".")
    narrow = Permission(action="read", resource="+" * 200)
    assert vault_covers(broad, narrow) is False
    assert vault_covers(
        Permission(action="read", resource="secret/+/llm/*"),
        Permission(action="read", resource="secret/prod/llm/hf-token"),
    )


def test_work_on_a_shared_permission_list_is_done_once_per_list() -> None:
    from driftgate.analyzer.permissions.shared import BySharedObject

    calls: list[int] = []

    def count(items: tuple[int, ...]) -> int:
        calls.append(len(items))
        return sum(items)

    memo = BySharedObject(count)
    shared = tuple(range(1000))
    equal_copy = tuple(range(1000))
    assert [memo(shared) for _ in range(3)] == [499500] * 3
    assert memo(equal_copy) == 499500
    assert calls == [1000, 1000]  # by identity: the copy is its own entry, never confused
