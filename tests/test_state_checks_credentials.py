"""Unit tests of the state checks DG301, DG303, DG401, DG402, DG403 and DG405 on models
built by hand: what each finds, what it leaves alone, where it points."""

from __future__ import annotations

import pytest

from driftgate.analyzer.checkapi import Check, CheckContext, Draft, Severity
from driftgate.analyzer.engine.run import EngineOptions, run_checks
from driftgate.analyzer.model import (
    Credential,
    Grant,
    Identity,
    Location,
    Model,
    Permission,
    Provider,
    Trust,
    Workload,
)
from driftgate.checks import (
    BY_ID,
    dg301_static_credential,
    dg303_plaintext_secret,
    dg401_missing_owner,
    dg402_deploy_and_admin,
    dg403_human_use_of_nhi,
    dg405_overprivileged_inference,
)
from driftgate.checks.dg403_human_use_of_nhi import people

MINE = ("DG301", "DG303", "DG401", "DG402", "DG403", "DG405")


def at(line: int, path: str = "main.tf") -> Location:
    return Location(path=path, line=line)


def identity(
    address: str,
    provider: Provider = "aws",
    *,
    kind: str = "role",
    owner: str | None = "ml-platform",
    declared: bool = True,
    federates_to: tuple[str, ...] = (),
    principal: str | None = None,
) -> Identity:
    return Identity(
        address=address,
        principal=principal,
        provider=provider,
        kind=kind,
        name=address.rsplit(".", 1)[-1].rsplit("/", 1)[-1],
        environment="prod",
        owner=owner,
        declared=declared,
        federates_to=federates_to,
        location=at(1),
    )


def workload(
    address: str,
    identities: tuple[str, ...] = (),
    *,
    inference: bool = True,
    credentials: tuple[str, ...] = (),
    owner: str | None = "ml-platform",
) -> Workload:
    return Workload(
        address=address,
        kind="Deployment",
        name=address.rsplit("/", 1)[-1],
        environment="prod",
        identities=identities,
        credentials=credentials,
        inference=inference,
        inference_reason="image vllm/vllm-openai is a known model server" if inference else None,
        owner=owner,
        location=at(20, "k8s.yaml"),
    )


def allow(
    who: str, *perms: tuple[str, str] | Permission, line: int = 10, via: str = "policy"
) -> Grant:
    permissions = tuple(
        p if isinstance(p, Permission) else Permission(action=p[0], resource=p[1]) for p in perms
    )
    return Grant(identity=who, permissions=permissions, via=via, location=at(line))


def drafts(check: Check, head: Model, base: Model | None = None) -> list[Draft]:
    return list(check.run(CheckContext(head, base)))


ROLE = "envs/prod:aws_iam_role.llm"
SA = "k8s:ml-prod/ServiceAccount/llm"
DEPLOY = "k8s:ml-prod/Deployment/llm"


# ---- the catalog ---------------------------------------------------------------------------


@pytest.mark.parametrize("check_id", MINE)
def test_registered_as_documented_state_checks(check_id: str) -> None:
    meta = BY_ID[check_id].meta
    assert meta.kind == "state"
    assert meta.inference_only is (check_id in ("DG301", "DG401", "DG405"))
    for section in (
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Fix",
        "## References",
    ):
        assert section in meta.doc, (check_id, section)
    ids = list(BY_ID)
    assert ids == sorted(ids)


# ---- DG301 ---------------------------------------------------------------------------------


def _token_model(*, inference: bool = True, ttl: int | None = None) -> Model:
    return Model(
        identities={SA: identity(SA, "kubernetes", kind="ServiceAccount")},
        credentials={
            "k8s:ml-prod/Secret/llm-token": Credential(
                address="k8s:ml-prod/Secret/llm-token",
                kind="legacy_sa_token",
                identity=SA,
                ttl_seconds=ttl,
                environment="prod",
                location=at(3, "token.yaml"),
            )
        },
        workloads={DEPLOY: workload(DEPLOY, (SA,), inference=inference)},
    )


def test_dg301_legacy_token_of_inference_identity() -> None:
    [draft] = drafts(dg301_static_credential.CHECK, _token_model())
    assert draft.identity == SA
    assert draft.subject == "k8s:ml-prod/Secret/llm-token"
    assert draft.location == at(3, "token.yaml")
    assert draft.severity is Severity.CRITICAL
    assert draft.workloads == (DEPLOY,)
    for fragment in ("k8s:ml-prod/Secret/llm-token", SA, "prod", DEPLOY, "never expires"):
        assert fragment in draft.message


def test_dg301_applies_whatever_the_expiry() -> None:
    [draft] = drafts(dg301_static_credential.CHECK, _token_model(ttl=30 * 86400))
    assert draft.severity is Severity.HIGH
    assert "expires after 30d" in draft.message


def test_dg301_ignores_identities_no_inference_workload_uses() -> None:
    assert drafts(dg301_static_credential.CHECK, _token_model(inference=False)) == []


def test_dg301_follows_federation_to_the_cloud_identity() -> None:
    gcp = "envs/prod:google_service_account.llm"
    model = Model(
        identities={
            SA: identity(SA, "kubernetes", kind="ServiceAccount", federates_to=(gcp,)),
            gcp: identity(
                gcp, "gcp", kind="service_account", principal="llm@p.iam.gserviceaccount.com"
            ),
        },
        credentials={
            "envs/prod:google_service_account_key.llm": Credential(
                address="envs/prod:google_service_account_key.llm",
                kind="sa_key",
                identity=gcp,
                location=at(7),
            )
        },
        workloads={DEPLOY: workload(DEPLOY, (SA,))},
    )
    [draft] = drafts(dg301_static_credential.CHECK, model)
    assert draft.identity == gcp
    assert "llm@p.iam.gserviceaccount.com" in draft.message
    assert DEPLOY in draft.message


def test_dg301_static_secret_handed_to_an_inference_workload() -> None:
    secret = "k8s:ml-prod/Secret/hf-token"
    model = Model(
        identities={SA: identity(SA, "kubernetes", kind="ServiceAccount")},
        credentials={secret: Credential(address=secret, kind="static_secret", location=at(30))},
        workloads={DEPLOY: workload(DEPLOY, (SA,), credentials=(secret,))},
    )
    [draft] = drafts(dg301_static_credential.CHECK, model)
    assert draft.identity == secret
    assert draft.severity is Severity.HIGH
    assert "is handed to inference workload" in draft.message


@pytest.mark.parametrize("kind", ["projected_token", "token", "session"])
def test_dg301_short_lived_kinds_are_not_static(kind: str) -> None:
    model = _token_model()
    credential = model.credentials["k8s:ml-prod/Secret/llm-token"]
    model.credentials[credential.address] = credential.model_copy(
        update={"kind": kind, "ttl_seconds": 3600}
    )
    assert drafts(dg301_static_credential.CHECK, model) == []


def test_dg301_leaves_literal_values_to_dg303() -> None:
    address = "envs/prod:aws_ecs_task_definition.llm/container/vllm/env/AWS_SECRET_ACCESS_KEY"
    model = Model(
        credentials={
            address + "#plaintext": Credential(address=address + "#plaintext", kind="access_key")
        },
        workloads={"w": workload("w", credentials=(address + "#plaintext",))},
    )
    assert drafts(dg301_static_credential.CHECK, model) == []
    assert len(drafts(dg303_plaintext_secret.CHECK, model)) == 1


# ---- DG303 ---------------------------------------------------------------------------------

LAMBDA = "envs/prod:aws_lambda_function.summarize"
LITERAL = f"{LAMBDA}/env/OPENAI_API_KEY#plaintext"


def _literal_model(
    *, inference: bool, consumed: bool = True, preview: str | None = "sk-p…, 48 characters"
) -> Model:
    return Model(
        identities={ROLE: identity(ROLE)},
        credentials={
            LITERAL: Credential(
                address=LITERAL,
                kind="static_secret",
                environment="prod",
                location=at(36),
                preview=preview,
            )
        },
        workloads={
            LAMBDA: workload(
                LAMBDA, (ROLE,), inference=inference, credentials=(LITERAL,) if consumed else ()
            )
        },
    )


def test_dg303_literal_env_value() -> None:
    [draft] = drafts(dg303_plaintext_secret.CHECK, _literal_model(inference=False))
    assert draft.identity == LITERAL
    assert draft.subject == LITERAL
    assert draft.location == at(36)
    assert draft.severity is Severity.HIGH
    for fragment in ("OPENAI_API_KEY", LAMBDA, ROLE, "prod", "value sk-p…, 48 characters"):
        assert fragment in draft.message


def test_dg303_without_a_preview_says_the_value_is_not_shown() -> None:
    model = _literal_model(inference=False, preview=None)
    [draft] = drafts(dg303_plaintext_secret.CHECK, model)
    assert "value not shown" in draft.message


def test_dg303_raised_when_an_inference_workload_consumes_it() -> None:
    [draft] = drafts(dg303_plaintext_secret.CHECK, _literal_model(inference=True))
    assert draft.severity is Severity.CRITICAL
    assert "inference workload" in draft.message


def test_dg303_unconsumed_literal_is_not_reported() -> None:
    assert (
        drafts(dg303_plaintext_secret.CHECK, _literal_model(inference=True, consumed=False)) == []
    )


def test_dg303_secret_version_literal_is_consumed_through_its_secret() -> None:
    secret = "envs/prod:aws_secretsmanager_secret.hf"
    model = Model(
        credentials={
            secret: Credential(address=secret, kind="static_secret", location=at(2)),
            secret + "#plaintext": Credential(
                address=secret + "#plaintext", kind="static_secret", location=at(9)
            ),
        },
        workloads={"w": workload("w", credentials=(secret,))},
    )
    [draft] = drafts(dg303_plaintext_secret.CHECK, model)
    assert draft.location == at(9)
    assert f"secret {secret} " in draft.message


def test_dg303_engine_does_not_raise_twice() -> None:
    findings = run_checks(
        [dg303_plaintext_secret.CHECK], _literal_model(inference=True), None, EngineOptions()
    )
    assert [f.severity for f in findings] == [Severity.CRITICAL]


# ---- DG401 ---------------------------------------------------------------------------------


def test_dg401_identity_and_workload_without_owner() -> None:
    model = Model(
        identities={SA: identity(SA, "kubernetes", kind="ServiceAccount", owner=None)},
        workloads={DEPLOY: workload(DEPLOY, (SA,), owner=None)},
    )
    found = drafts(dg401_missing_owner.CHECK, model)
    assert [d.identity for d in found] == [SA, DEPLOY]
    assert found[0].location == at(1)
    assert found[1].location == at(20, "k8s.yaml")
    assert "no owner" in found[0].message and DEPLOY in found[0].message


def test_dg401_not_for_undeclared_or_unlabellable_identities() -> None:
    external = "aws:arn:aws:iam::111122223333:role/llm"
    gcp = "envs/prod:google_service_account.llm"
    model = Model(
        identities={
            SA: identity(SA, "kubernetes", kind="ServiceAccount", federates_to=(external, gcp)),
            external: identity(external, owner=None, declared=False),
            gcp: identity(gcp, "gcp", kind="service_account", owner=None),
        },
        workloads={DEPLOY: workload(DEPLOY, (SA,))},
    )
    assert drafts(dg401_missing_owner.CHECK, model) == []


def test_dg401_not_for_non_inference() -> None:
    model = Model(
        identities={ROLE: identity(ROLE, owner=None)},
        workloads={"w": workload("w", (ROLE,), inference=False, owner=None)},
    )
    assert drafts(dg401_missing_owner.CHECK, model) == []


# ---- DG402 ---------------------------------------------------------------------------------

DEPLOYER = "envs/prod:aws_iam_role.release"


def _deployer(*grants: Grant) -> Model:
    return Model(identities={DEPLOYER: identity(DEPLOYER)}, grants=list(grants))


def test_dg402_deploy_and_iam_write() -> None:
    model = _deployer(
        allow(DEPLOYER, ("sagemaker:UpdateEndpoint", "*"), line=10, via="deploy"),
        allow(DEPLOYER, ("iam:CreateRole", "arn:aws:iam::1:role/x-*"), line=20, via="iam"),
    )
    [draft] = drafts(dg402_deploy_and_admin.CHECK, model)
    assert draft.identity == DEPLOYER
    assert draft.location == at(20)
    assert "sagemaker:UpdateEndpoint via deploy" in draft.message
    assert "iam:CreateRole via iam" in draft.message


def test_dg402_points_at_the_grant_the_change_adds() -> None:
    admin = allow(DEPLOYER, ("iam:*", "*"), line=20, via="iam")
    base = _deployer(admin)
    head = _deployer(admin, allow(DEPLOYER, ("lambda:UpdateFunctionCode", "*"), line=30, via="d"))
    [draft] = drafts(dg402_deploy_and_admin.CHECK, head, base)
    assert draft.location == at(30)


@pytest.mark.parametrize(
    "grants",
    [
        # iam:PassRole is escalation, not infrastructure admin.
        [("sagemaker:*", "*"), ("iam:PassRole", "arn:aws:iam::1:role/exec-*")],
        # Permissions management on one resource is that resource's business.
        [("lambda:UpdateFunctionCode", "*"), ("lambda:AddPermission", "arn:aws:lambda:::fn")],
        # Admin without deployment.
        [("iam:*", "*")],
    ],
)
def test_dg402_negatives(grants: list[tuple[str, str]]) -> None:
    model = _deployer(*(allow(DEPLOYER, g, line=i) for i, g in enumerate(grants, 1)))
    assert drafts(dg402_deploy_and_admin.CHECK, model) == []


def test_dg402_full_admin_counts_as_both() -> None:
    model = _deployer(allow(DEPLOYER, ("*", "*")))
    [draft] = drafts(dg402_deploy_and_admin.CHECK, model)
    assert "full admin" in draft.message


def test_dg402_deny_and_boundary_take_admin_away() -> None:
    denied = _deployer(
        allow(DEPLOYER, ("sagemaker:*", "*"), ("iam:*", "*")),
        Grant(
            identity=DEPLOYER,
            effect="deny",
            permissions=(Permission(action="iam:*", resource="*"),),
            via="deny",
        ),
    )
    assert drafts(dg402_deploy_and_admin.CHECK, denied) == []
    bounded = _deployer(
        allow(DEPLOYER, ("*", "*")),
        Grant(
            identity=DEPLOYER,
            effect="boundary",
            permissions=(Permission(action="sagemaker:*", resource="*"),),
            via="boundary",
        ),
    )
    assert drafts(dg402_deploy_and_admin.CHECK, bounded) == []


def test_dg402_kubernetes_rbac_write() -> None:
    def rule(verb: str, resource: str, line: int) -> Grant:
        return allow(
            SA, Permission(action=verb, resource=resource, scope="*"), line=line, via=str(line)
        )

    model = Model(
        identities={SA: identity(SA, "kubernetes", kind="ServiceAccount")},
        grants=[
            rule("patch", "apps/deployments", 5),
            rule("create", "rbac.authorization.k8s.io/rolebindings", 9),
        ],
    )
    [draft] = drafts(dg402_deploy_and_admin.CHECK, model)
    assert draft.location == at(9)
    model.grants[1] = rule("list", "rbac.authorization.k8s.io/rolebindings", 9)
    assert drafts(dg402_deploy_and_admin.CHECK, model) == []


@pytest.mark.parametrize(
    ("provider", "roles", "found"),
    [
        ("gcp", ["roles/run.developer", "roles/resourcemanager.projectIamAdmin"], True),
        ("gcp", ["roles/editor"], False),
        ("gcp", ["roles/owner"], True),
        ("azure", ["Contributor", "User Access Administrator"], True),
        ("azure", ["Contributor"], False),
        ("azure", ["Owner"], True),
    ],
)
def test_dg402_gcp_and_azure_roles(provider: Provider, roles: list[str], found: bool) -> None:
    who = f"{provider}-release"
    model = Model(
        identities={who: identity(who, provider, kind="service_account")},
        grants=[allow(who, (role, "projects/p"), line=i) for i, role in enumerate(roles, 1)],
    )
    assert bool(drafts(dg402_deploy_and_admin.CHECK, model)) is found


# ---- DG403 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "human"),
    [
        ("AWS:arn:aws:iam::111122223333:user/alice", True),
        ("AWS:arn:aws:iam::111122223333:root", True),
        ("AWS:111122223333", True),
        ("AWS:*", True),
        (
            "AWS:arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
            "AWSReservedSSO_Admin_0a1b",
            True,
        ),
        ("Federated:arn:aws:iam::111122223333:saml-provider/Okta", True),
        ("user:alice@acme.example", True),
        ("group:ml@acme.example", True),
        ("domain:acme.example", True),
        ("allUsers", True),
        ("principalSet://iam.googleapis.com/locations/global/workforcePools/staff/*", True),
        ("User:alice@acme.example", True),
        ("Group:ml-oncall", True),
        ("AWS:arn:aws:iam::111122223333:role/ci-deployer", False),
        ("Service:sagemaker.amazonaws.com", False),
        (
            "Federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
            False,
        ),
        ("serviceAccount:deployer@p.iam.gserviceaccount.com", False),
        ("serviceAccount:p.svc.id.goog[ml/llm]", False),
    ],
)
def test_dg403_who_counts_as_people(principal: str, human: bool) -> None:
    assert (people(principal) is not None) is human


def _trusted(
    principals: tuple[str, ...], actions: tuple[str, ...], inference: bool = True
) -> Model:
    return Model(
        identities={ROLE: identity(ROLE)},
        trusts=[
            Trust(
                identity=ROLE, principals=principals, actions=actions, via="trust", location=at(4)
            )
        ],
        workloads={"w": workload("w", (ROLE,), inference=inference)},
    )


def test_dg403_sso_role_may_assume_inference_role() -> None:
    sso = "AWS:arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ML_1"
    model = _trusted((sso, "Service:sagemaker.amazonaws.com"), ("sts:AssumeRole",))
    [draft] = drafts(dg403_human_use_of_nhi.CHECK, model)
    assert draft.location == at(4)
    assert draft.subject == sso
    assert "Service:sagemaker" not in draft.message
    assert ROLE in draft.message and "w" in draft.workloads


def test_dg403_negatives() -> None:
    user = "AWS:arn:aws:iam::111122223333:user/auditor"
    assert drafts(dg403_human_use_of_nhi.CHECK, _trusted((user,), ("sts:TagSession",))) == []
    assert drafts(dg403_human_use_of_nhi.CHECK, _trusted((user,), ("sts:AssumeRole",), False)) == []
    ci = "AWS:arn:aws:iam::111122223333:role/ci"
    assert drafts(dg403_human_use_of_nhi.CHECK, _trusted((ci,), ("sts:AssumeRole",))) == []


# ---- DG405 ---------------------------------------------------------------------------------


def _inference_role(*grants: Grant, provider: Provider = "aws") -> Model:
    return Model(
        identities={ROLE: identity(ROLE, provider)},
        grants=list(grants),
        workloads={"w": workload("w", (ROLE,))},
    )


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (("*", "*"), "full admin"),
        (("s3:*", "*"), "wildcard"),
        (("NOT iam:*", "*"), "wildcard"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "full admin"),
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "wildcard"),
        (("s3:*", "arn:aws:s3:::models/*"), None),
        (("s3:Get*", "*"), None),
        ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", None),
    ],
)
def test_dg405_aws(permission: tuple[str, str] | str, expected: str | None) -> None:
    if isinstance(permission, str):
        grant = managed(ROLE, permission)
    else:
        grant = allow(ROLE, permission)
    found = drafts(dg405_overprivileged_inference.CHECK, _inference_role(grant))
    if expected is None:
        assert found == []
    else:
        [draft] = found
        assert f"holds {expected} permissions" in draft.message
        assert draft.severity is None  # the check's own: critical


def managed(who: str, arn: str, line: int = 10) -> Grant:
    """An attachment of a managed policy the repository does not declare."""
    return Grant(identity=who, via=f"attaches {arn}", policy=arn, unknown=(arn,), location=at(line))


def test_dg405_boundary_leaves_a_service_wildcard() -> None:
    boundary = Grant(
        identity=ROLE,
        effect="boundary",
        permissions=(Permission(action="s3:*", resource="*"),),
        via="boundary",
    )
    [draft] = drafts(
        dg405_overprivileged_inference.CHECK, _inference_role(allow(ROLE, ("*", "*")), boundary)
    )
    assert "holds wildcard permissions (s3:* on *" in draft.message


@pytest.mark.parametrize(
    ("provider", "permission", "found"),
    [
        ("kubernetes", Permission(action="*", resource="*/*", scope="*"), True),
        ("kubernetes", Permission(action="create", resource="apps/*", scope="ml"), True),
        ("kubernetes", Permission(action="list", resource="*/*", scope="ml"), False),
        ("kubernetes", Permission(action="patch", resource="apps/deployments", scope="ml"), False),
        ("gcp", Permission(action="roles/owner", resource="projects/p"), True),
        ("gcp", Permission(action="roles/editor", resource="projects/p"), True),
        ("gcp", Permission(action="roles/storage.admin", resource="projects/p"), True),
        ("gcp", Permission(action="roles/storage.admin", resource="projects/p/buckets/b"), False),
        ("gcp", Permission(action="roles/storage.objectViewer", resource="projects/p"), False),
        ("azure", Permission(action="Contributor", resource="/subscriptions/s"), True),
        (
            "azure",
            Permission(action="Storage Blob Data Reader", resource="/subscriptions/s"),
            False,
        ),
    ],
)
def test_dg405_other_providers(provider: Provider, permission: Permission, found: bool) -> None:
    model = _inference_role(allow(ROLE, permission), provider=provider)
    assert bool(drafts(dg405_overprivileged_inference.CHECK, model)) is found


def test_dg405_not_for_non_inference_identities() -> None:
    model = Model(
        identities={ROLE: identity(ROLE)},
        grants=[allow(ROLE, ("*", "*"))],
        workloads={"w": workload("w", (ROLE,), inference=False)},
    )
    assert drafts(dg405_overprivileged_inference.CHECK, model) == []


def test_state_findings_are_new_only_when_the_condition_is() -> None:
    """In diff mode a condition that held at base is unchanged, not reported."""
    checks = [BY_ID[c] for c in MINE]
    head = _inference_role(allow(ROLE, ("*", "*")))
    assert {f.check.id for f in run_checks(checks, head, None, EngineOptions())} == {
        "DG402",
        "DG405",
    }
    assert run_checks(checks, head, head, EngineOptions()) == []
