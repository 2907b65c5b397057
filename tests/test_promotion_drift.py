"""DG106 promotion-drift: workloads newly deployed to an environment, compared like with
like (environment tokens replaced) with the workload they were promoted from."""

from __future__ import annotations

from driftgate.analyzer.checkapi import CheckContext, Severity
from driftgate.analyzer.diff import promotions
from driftgate.analyzer.diff.promotion import (
    PLACEHOLDER,
    like_key,
    neutral_name,
    neutral_text,
    shown,
)
from driftgate.analyzer.engine.run import EngineOptions, run_checks
from driftgate.analyzer.model import Grant, Identity, Location, Model, Permission, Workload
from driftgate.analyzer.providers import spec
from driftgate.checks import ALL_CHECKS, BY_ID
from driftgate.checks.dg106_promotion_drift import CHECK, META

E = PLACEHOLDER


def _role(env: str, name: str = "llm", declared: bool = True) -> Identity:
    return Identity(
        address=f"envs/{env}:aws_iam_role.{name}",
        principal=f"arn:aws:iam::111122223333:role/{name}-{env}",
        provider="aws",
        kind="role",
        name=f"{name}-{env}",
        environment=env,
        declared=declared,
    )


def _sa(namespace: str, env: str, role: Identity | None) -> Identity:
    return Identity(
        address=f"k8s:{namespace}/ServiceAccount/llm",
        principal=f"{namespace}/llm",
        provider="kubernetes",
        kind="ServiceAccount",
        name="llm",
        environment=env,
        federates_to=(role.address,) if role else (),
    )


def _deployment(namespace: str, env: str, identity: Identity, inference: bool = False) -> Workload:
    return Workload(
        address=f"k8s:{namespace}/Deployment/llm",
        kind="Deployment",
        name="llm",
        namespace=namespace,
        environment=env,
        identities=(identity.address,),
        inference=inference,
        location=Location(path=f"k8s/{env}/llm.yaml", line=12),
    )


def _allow(
    identity: Identity, actions: list[str], resource: str, conditions: tuple[str, ...] = ()
) -> Grant:
    return Grant(
        identity=identity.address,
        permissions=tuple(Permission(action=a, resource=resource) for a in actions),
        conditions=tuple(spec(identity.provider).parse_conditions(conditions)),
        via=f"policy of {identity.name}",
        location=Location(path=f"{identity.address.split(':')[0]}/main.tf", line=40),
    )


def _env_model(
    env: str,
    actions: list[str],
    *,
    namespace: str | None = None,
    resource: str | None = None,
    inference: bool = False,
    extra_grants: tuple[Grant, ...] = (),
) -> Model:
    """One environment: a Deployment whose ServiceAccount federates (IRSA) to a role."""
    role = _role(env)
    sa = _sa(namespace or f"ml-{env}", env, role)
    workload = _deployment(namespace or f"ml-{env}", env, sa, inference)
    return Model(
        identities={role.address: role, sa.address: sa},
        grants=[
            _allow(role, actions, resource or f"arn:aws:s3:::models-{env}/*"),
            *extra_grants,
        ],
        workloads={workload.address: workload},
    )


def _merge(*models: Model) -> Model:
    merged = Model()
    for m in models:
        merged.identities.update(m.identities)
        merged.grants.extend(m.grants)
        merged.workloads.update(m.workloads)
    return merged


def _drafts(base: Model, head: Model) -> list[object]:
    return list(CHECK.run(CheckContext(head, base)))


STAGING_READ = _env_model("staging", ["s3:GetObject"])


# --- environment tokens -------------------------------------------------------------


def test_names_and_namespaces_lose_their_environment_tokens() -> None:
    assert neutral_name("llm-prod") == f"llm-{E}"
    assert neutral_name("llm-staging") == f"llm-{E}"
    assert neutral_name("ml_production.v1") == f"ml_{E}.v1"
    assert neutral_name("overlays/stg") == f"overlays/{E}"
    assert neutral_name("products") == "products"
    assert neutral_name("prodigy-llm") == "prodigy-llm"


def test_resources_lose_environment_tokens_but_not_wildcards() -> None:
    assert neutral_text("arn:aws:s3:::models-prod/*") == f"arn:aws:s3:::models-{E}/*"
    assert neutral_text("arn:aws:secretsmanager:us-east-1:1:secret:prod/db") == (
        f"arn:aws:secretsmanager:us-east-1:1:secret:{E}/db"
    )
    assert neutral_text("arn:aws:s3:::models-prod*") == "arn:aws:s3:::models-prod*"
    shown_permission = shown(Permission(action="get", resource="core/secrets", scope="ml-prod"))
    assert shown_permission.scope == f"ml-{E}"


def test_like_workloads_share_kind_name_and_namespace_after_replacement() -> None:
    prod = _deployment("ml-prod", "prod", _sa("ml-prod", "prod", None))
    staging = _deployment("ml-staging", "staging", _sa("ml-staging", "staging", None))
    assert like_key(prod) == like_key(staging)
    other = prod.model_copy(update={"name": "embedder"})
    assert like_key(other) != like_key(staging)
    job = prod.model_copy(update={"kind": "Job"})
    assert like_key(job) != like_key(staging)


# --- what counts as a promotion ------------------------------------------------------


def test_promoted_with_write_where_source_had_read() -> None:
    head = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject", "s3:PutObject"]))
    found = promotions(STAGING_READ, head)
    assert len(found) == 1
    promotion = found[0]
    assert promotion.workload.address == "k8s:ml-prod/Deployment/llm"
    assert promotion.source.address == "k8s:ml-staging/Deployment/llm"
    assert (promotion.environment, promotion.source_environment) == ("prod", "staging")
    assert [(e.identity.address, e.permission.action) for e in promotion.extra] == [
        ("envs/prod:aws_iam_role.llm", "s3:PutObject")
    ]
    assert promotion.extra[0].shown.resource == f"arn:aws:s3:::models-{E}/*"
    assert promotion.undecided == ()


def test_same_permissions_modulo_environment_token_is_no_drift() -> None:
    head = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject"]))
    found = promotions(STAGING_READ, head)
    assert len(found) == 1
    assert found[0].extra == ()
    assert _drafts(STAGING_READ, head) == []


def test_fewer_permissions_is_no_drift() -> None:
    staging = _env_model("staging", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    head = _merge(staging, _env_model("prod", ["s3:GetObject"]))
    assert _drafts(staging, head) == []


def test_wildcard_covering_the_source_is_compared_by_subsumption() -> None:
    staging = _env_model("staging", ["s3:Get*"])
    head = _merge(staging, _env_model("prod", ["s3:GetObject", "s3:GetObjectTagging"]))
    assert _drafts(staging, head) == []


def test_workload_already_in_both_environments_is_not_promoted() -> None:
    base = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject", "s3:PutObject"]))
    head = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject", "s3:PutObject", "s3:Tag*"]))
    assert promotions(base, head) == []
    assert _drafts(base, head) == []


def test_a_workload_with_no_like_elsewhere_is_not_promoted() -> None:
    prod = _env_model("prod", ["s3:*"])
    assert promotions(Model(), prod) == []


def test_no_base_means_no_promotions() -> None:
    head = _merge(STAGING_READ, _env_model("prod", ["s3:PutObject"]))
    assert CheckContext(head, None).promotions() == []


def test_source_prefers_the_environment_that_existed_at_base() -> None:
    dev = _env_model("dev", ["s3:GetObject", "s3:PutObject"])
    # dev is new in this change too; staging ran at base: compare with staging.
    head = _merge(STAGING_READ, dev, _env_model("prod", ["s3:GetObject", "s3:PutObject"]))
    found = {p.workload.address: p for p in promotions(STAGING_READ, head)}
    assert found["k8s:ml-prod/Deployment/llm"].source_environment == "staging"
    assert found["k8s:ml-prod/Deployment/llm"].extra != ()


def test_source_prefers_the_closest_environment_below() -> None:
    base = _merge(_env_model("dev", ["s3:*"]), STAGING_READ)
    head = _merge(base, _env_model("prod", ["s3:GetObject", "s3:PutObject"]))
    (promotion,) = promotions(base, head)
    assert promotion.source_environment == "staging"


# --- how permissions are compared ------------------------------------------------


def test_region_and_account_of_an_arn_are_the_environment_s_own() -> None:
    staging = _env_model(
        "staging", ["logs:PutLogEvents"], resource="arn:aws:logs:us-west-2:111111111111:*"
    )
    prod = _env_model("prod", ["logs:PutLogEvents"], resource="arn:aws:logs:us-east-1:2222:*")
    assert _drafts(staging, _merge(staging, prod)) == []
    # A wildcard account is broader than the source's own account: drift.
    wide = _env_model("prod", ["logs:PutLogEvents"], resource="arn:aws:logs:us-east-1:*:*")
    (promotion,) = promotions(staging, _merge(staging, wide))
    assert [e.permission.resource for e in promotion.extra] == ["arn:aws:logs:us-east-1:*:*"]


def test_kubernetes_rbac_scopes_are_compared_without_environment_tokens() -> None:
    def rbac(env: str, verbs: list[str]) -> Model:
        sa = _sa(f"ml-{env}", env, None)
        workload = _deployment(f"ml-{env}", env, sa)
        grant = Grant(
            identity=sa.address,
            permissions=tuple(
                Permission(action=v, resource="core/configmaps", scope=f"ml-{env}") for v in verbs
            ),
            via="Role llm",
        )
        return Model(
            identities={sa.address: sa}, grants=[grant], workloads={workload.address: workload}
        )

    staging = rbac("staging", ["get", "list"])
    assert _drafts(staging, _merge(staging, rbac("prod", ["get"]))) == []
    (promotion,) = promotions(staging, _merge(staging, rbac("prod", ["get", "delete"])))
    assert [(e.shown.action, e.shown.scope) for e in promotion.extra] == [("delete", f"ml-{E}")]


def test_an_explicit_deny_or_boundary_where_it_runs_subtracts() -> None:
    role = _role("prod")
    deny = Grant(
        identity=role.address,
        effect="deny",
        permissions=(Permission(action="s3:PutObject", resource="*"),),
        via="deny",
    )
    prod = _env_model("prod", ["s3:GetObject", "s3:PutObject"], extra_grants=(deny,))
    assert _drafts(STAGING_READ, _merge(STAGING_READ, prod)) == []
    boundary = Grant(
        identity=role.address,
        effect="boundary",
        permissions=(Permission(action="s3:Get*", resource="*"),),
        via="boundary",
    )
    capped = _env_model("prod", ["s3:GetObject", "s3:PutObject"], extra_grants=(boundary,))
    assert _drafts(STAGING_READ, _merge(STAGING_READ, capped)) == []


def test_a_condition_the_source_had_and_the_promoted_lacks_is_drift() -> None:
    cond = "StringEquals aws:ResourceTag/env staging"
    staging_role = _role("staging")
    staging = _env_model("staging", [])
    staging.grants.append(
        _allow(staging_role, ["s3:PutObject"], "arn:aws:s3:::models-staging/*", (cond,))
    )
    same = _env_model("prod", [])
    same.grants.append(
        _allow(_role("prod"), ["s3:PutObject"], "arn:aws:s3:::models-prod/*", (cond[:-7] + "prod",))
    )
    assert _drafts(staging, _merge(staging, same)) == []
    loose = _env_model("prod", ["s3:PutObject"])
    (promotion,) = promotions(staging, _merge(staging, loose))
    assert [e.permission.action for e in promotion.extra] == ["s3:PutObject"]


def test_an_undeclared_source_identity_leaves_its_provider_undecided() -> None:
    unmanaged = _role("staging", declared=False)
    sa = _sa("ml-staging", "staging", unmanaged)
    workload = _deployment("ml-staging", "staging", sa)
    staging = Model(
        identities={unmanaged.address: unmanaged, sa.address: sa},
        workloads={workload.address: workload},
    )
    head = _merge(staging, _env_model("prod", ["s3:PutObject"]))
    (promotion,) = promotions(staging, head)
    assert promotion.extra == ()
    assert promotion.undecided == (unmanaged.address,)


# --- the finding ---------------------------------------------------------------------


def test_draft_names_both_sides_and_points_at_the_promoted_workload() -> None:
    head = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject", "s3:DeleteObject"]))
    drafts = list(CHECK.run(CheckContext(head, STAGING_READ)))
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft.identity == "envs/prod:aws_iam_role.llm"
    assert draft.subject == "k8s:ml-prod/Deployment/llm@staging"
    assert draft.location == Location(path="k8s/prod/llm.yaml", line=12)
    assert draft.related == (Location(path="k8s/staging/llm.yaml", line=12),)
    assert draft.severity is Severity.MEDIUM
    assert draft.environment == "prod"
    assert draft.workloads == ("k8s:ml-prod/Deployment/llm", "k8s:ml-staging/Deployment/llm")
    for fragment in (
        "in prod, k8s:ml-prod/Deployment/llm runs as role llm-prod",
        f"s3:DeleteObject on arn:aws:s3:::models-{E}/*",
        "in staging it could not",
        "k8s:ml-staging/Deployment/llm runs as role llm-staging",
        "arn:aws:iam::111122223333:role/llm-staging",
    ):
        assert fragment in draft.message, draft.message


def test_severity_follows_the_most_valuable_extra_permission() -> None:
    def severity(actions: list[str]) -> Severity | None:
        head = _merge(STAGING_READ, _env_model("prod", ["s3:GetObject", *actions]))
        (draft,) = CHECK.run(CheckContext(head, STAGING_READ))
        return draft.severity

    assert severity(["s3:ListBucket"]) is Severity.LOW
    assert severity(["s3:ListBucket", "s3:PutObject"]) is Severity.MEDIUM
    assert severity(["s3:PutBucketPolicy"]) is Severity.HIGH
    assert severity(["iam:PassRole"]) is Severity.HIGH


def test_engine_raises_it_for_inference_and_fingerprints_without_lines() -> None:
    prod = _env_model("prod", ["s3:GetObject", "s3:PutObject"], inference=True)
    head = _merge(STAGING_READ, prod)
    (finding,) = run_checks([CHECK], head, STAGING_READ, EngineOptions())
    assert finding.severity is Severity.HIGH
    moved = head.model_copy(deep=True)
    address = "k8s:ml-prod/Deployment/llm"
    moved.workloads[address] = moved.workloads[address].model_copy(
        update={"location": Location(path="k8s/prod/llm.yaml", line=40)}
    )
    (again,) = run_checks([CHECK], moved, STAGING_READ, EngineOptions())
    assert again.fingerprint == finding.fingerprint


def test_registered_in_id_order_with_its_documentation() -> None:
    assert BY_ID["DG106"] is CHECK
    ids = [c.meta.id for c in ALL_CHECKS]
    assert ids == sorted(ids)
    assert META.owasp == ("NHI8",)
    assert META.kind == "delta"
    for section in ("## What it finds", "## Why it matters", "## Example", "## Fix", "## Ref"):
        assert section in META.doc
