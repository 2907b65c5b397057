"""DG202 shared-identity, DG203 default-identity, DG204 cross-env-secret-reuse and DG404
orphaned-identity on hand-built models: who counts as a user, where findings point, how
severe they are and what their fingerprints are made of."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from driftgate.analyzer.checkapi import Check, CheckContext, Draft, Severity
from driftgate.analyzer.cli import main as cli_main
from driftgate.analyzer.engine.findings import Finding
from driftgate.analyzer.engine.run import EngineOptions, run_checks
from driftgate.analyzer.model import (
    Credential,
    Grant,
    Identity,
    Location,
    Model,
    Permission,
    Workload,
)
from driftgate.analyzer.model.entities import CredentialKind
from driftgate.analyzer.providers import spec
from driftgate.checks import ALL_CHECKS, BY_ID
from driftgate.checks.dg202_shared_identity import CHECK as DG202
from driftgate.checks.dg203_default_identity import CHECK as DG203
from driftgate.checks.dg204_cross_env_secret_reuse import CHECK as DG204
from driftgate.checks.dg404_orphaned_identity import CHECK as DG404

MINE = (DG202, DG203, DG204, DG404)


def _loc(path: str, line: int = 1) -> Location:
    return Location(path=path, line=line)


def _sa(
    namespace: str,
    name: str,
    *,
    env: str | None = None,
    declared: bool = True,
    federates_to: tuple[str, ...] = (),
) -> Identity:
    return Identity(
        address=f"k8s:{namespace}/ServiceAccount/{name}",
        principal=f"system:serviceaccount:{namespace}:{name}",
        provider="kubernetes",
        kind="ServiceAccount",
        name=name,
        environment=env,
        federates_to=federates_to,
        declared=declared,
        location=_loc(f"k8s/{namespace}/sa-{name}.yaml") if declared else None,
    )


def _role(env: str, name: str, *, declared: bool = True) -> Identity:
    return Identity(
        address=f"envs/{env}:aws_iam_role.{name}",
        principal=f"arn:aws:iam::111122223333:role/{name}-{env}",
        provider="aws",
        kind="role",
        name=f"{name}-{env}",
        environment=env,
        declared=declared,
        location=_loc(f"envs/{env}/main.tf", 10),
    )


def _deploy(
    namespace: str,
    name: str,
    identities: Iterable[str],
    *,
    env: str | None = None,
    inference: bool = False,
    credentials: tuple[str, ...] = (),
    kind: str = "Deployment",
    named_line: int | None = 17,
) -> Workload:
    path = f"k8s/{namespace}/{name}.yaml"
    return Workload(
        address=f"k8s:{namespace}/{kind}/{name}",
        kind=kind,
        name=name,
        namespace=namespace,
        environment=env,
        identities=tuple(identities),
        credentials=credentials,
        inference=inference,
        inference_reason="image vllm/vllm-openai is a known model server" if inference else None,
        location=_loc(path, 2),
        identity_location=_loc(path, named_line) if named_line is not None else None,
    )


def _model(
    identities: Iterable[Identity] = (),
    workloads: Iterable[Workload] = (),
    credentials: Iterable[Credential] = (),
    grants: Iterable[Grant] = (),
) -> Model:
    return Model(
        identities={i.address: i for i in identities},
        workloads={w.address: w for w in workloads},
        credentials={c.address: c for c in credentials},
        grants=list(grants),
    )


def _drafts(check: Check, head: Model, base: Model | None = None) -> list[Draft]:
    return list(check.run(CheckContext(head, base)))


def _findings(check: Check, head: Model, base: Model | None = None) -> list[Finding]:
    return run_checks([check], head, base, EngineOptions())


def _grant(identity: str, binding: Location | None = None) -> Grant:
    return Grant(
        identity=identity,
        permissions=(Permission(action="get", resource="/configmaps", scope="ml-prod"),),
        via="RoleBinding ml-prod/reader → Role ml-prod/reader",
        location=_loc("k8s/ml-prod/rbac.yaml", 3),
        binding=binding,
    )


# ---- catalog ----------------------------------------------------------------------------


@pytest.mark.parametrize("check", MINE, ids=lambda c: c.meta.id)
def test_metadata_and_documentation(check: Check) -> None:
    meta = check.meta
    assert BY_ID[meta.id] is check
    assert meta.slug and meta.title and meta.rationale and meta.fix and meta.owasp
    for heading in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
        assert heading in meta.doc
    assert "## References" in meta.doc and "OWASP" in meta.doc


def test_kinds_and_inference_scope() -> None:
    assert [c.meta.kind for c in MINE] == ["state", "state", "state", "delta"]
    assert [c.meta.inference_only for c in MINE] == [False, True, False, False]
    assert DG202.meta.owasp == ("NHI9",)
    assert DG203.meta.owasp == ("NHI5",)
    assert DG204.meta.owasp == ("NHI8",)
    assert DG404.meta.owasp == ("NHI1",)


def test_catalog_is_sorted_by_id() -> None:
    ids = [c.meta.id for c in ALL_CHECKS]
    assert ids == sorted(ids)
    assert {"DG202", "DG203", "DG204", "DG404"} <= set(ids)


# ---- DG202 shared-identity --------------------------------------------------------------


def test_dg202_two_workloads_in_one_environment_share_a_service_account() -> None:
    sa = _sa("search-prod", "embedder", env="prod")
    embedder = _deploy("search-prod", "embedder", [sa.address], env="prod")
    reranker = _deploy("search-prod", "reranker", [sa.address], env="prod")
    base = _model([sa], [embedder])
    head = _model([sa], [embedder, reranker])
    (draft,) = _drafts(DG202, head, base)
    assert draft.identity == sa.address
    assert draft.subject == "system:serviceaccount:search-prod:embedder"
    # The workload that adopts it, at the line that names it.
    assert draft.location == reranker.identity_location
    assert embedder.identity_location in draft.related and sa.location in draft.related
    assert draft.workloads == (embedder.address, reranker.address)
    for fragment in (sa.address, "system:serviceaccount:search-prod:embedder", "prod"):
        assert fragment in draft.message
    assert f"{reranker.address} in prod now runs as it" in draft.message


def test_dg202_is_raised_when_an_inference_workload_uses_the_identity() -> None:
    sa = _sa("ml-prod", "llm", env="prod")
    head = _model(
        [sa],
        [
            _deploy("ml-prod", "a", [sa.address], env="prod", inference=True),
            _deploy("ml-prod", "b", [sa.address], env="prod"),
        ],
    )
    (finding,) = _findings(DG202, head)
    assert finding.severity is Severity.HIGH and finding.inference
    plain = _model([sa], [_deploy("ml-prod", n, [sa.address], env="prod") for n in "ab"])
    (finding,) = _findings(DG202, plain)
    assert finding.severity is Severity.MEDIUM


def test_dg202_leaves_cross_environment_use_to_dg201() -> None:
    role = _role("staging", "llm")
    staging = _deploy("ml-staging", "llm", [role.address], env="staging")
    prod = _deploy("ml-prod", "llm", [role.address], env="prod")
    assert _drafts(DG202, _model([role], [staging, prod])) == []


def test_dg202_workloads_without_an_environment_form_one_group() -> None:
    sa = _sa("ml", "worker")
    head = _model([sa], [_deploy("ml", n, [sa.address]) for n in ("a", "b")])
    (draft,) = _drafts(DG202, head)
    assert "no named environment" in draft.message


def test_dg202_ignores_undeclared_and_implicit_default_identities() -> None:
    default = _sa("ml-prod", "default", env="prod", declared=False)
    external = _role("prod", "shared", declared=False)
    head = _model(
        [default, external],
        [
            _deploy("ml-prod", "a", [default.address], env="prod", named_line=None),
            _deploy("ml-prod", "b", [default.address], env="prod", named_line=None),
            _deploy("ml-prod", "c", [external.address], env="prod"),
            _deploy("ml-prod", "d", [external.address], env="prod"),
        ],
    )
    assert _drafts(DG202, head) == []


def test_dg202_a_sagemaker_endpoint_inherits_its_models_role() -> None:
    role = _role("prod", "summarizer")
    model = Workload(
        address="envs/prod:aws_sagemaker_model.summarizer",
        kind="aws_sagemaker_model",
        name="summarizer",
        environment="prod",
        identities=(role.address,),
        inference=True,
    )
    endpoint = model.model_copy(
        update={
            "address": "envs/prod:aws_sagemaker_endpoint.summarizer",
            "kind": "aws_sagemaker_endpoint",
        }
    )
    assert _drafts(DG202, _model([role], [model, endpoint])) == []


def test_dg202_reports_the_role_two_service_accounts_federate_to() -> None:
    role = _role("prod", "gateway")
    gateway = _sa("llm-prod", "gateway", env="prod", federates_to=(role.address,))
    moderation = _sa("llm-prod", "moderation", env="prod", federates_to=(role.address,))
    head = _model(
        [role, gateway, moderation],
        [
            _deploy("llm-prod", "gateway", [gateway.address], env="prod"),
            _deploy("llm-prod", "moderation", [moderation.address], env="prod"),
        ],
    )
    (draft,) = _drafts(DG202, head)
    assert draft.identity == role.address


def test_dg202_reports_the_shared_service_account_not_the_role_behind_it() -> None:
    role = _role("prod", "embedder")
    sa = _sa("search-prod", "embedder", env="prod", federates_to=(role.address,))
    head = _model(
        [role, sa], [_deploy("search-prod", n, [sa.address], env="prod") for n in ("a", "b")]
    )
    (draft,) = _drafts(DG202, head)
    assert draft.identity == sa.address


def test_dg202_existing_sharing_is_unchanged_in_diff_mode() -> None:
    sa = _sa("search-prod", "embedder", env="prod")
    workloads = [_deploy("search-prod", n, [sa.address], env="prod") for n in ("a", "b")]
    model = _model([sa], workloads)
    assert _findings(DG202, model, model) == []
    third = _deploy("search-prod", "c", [sa.address], env="prod")
    # A third user does not make the shared identity a new finding.
    assert _findings(DG202, _model([sa], [*workloads, third]), model) == []


# ---- DG203 default-identity -------------------------------------------------------------


def test_dg203_implicit_default_service_account() -> None:
    default = _sa("ml-prod", "default", env="prod", declared=False)
    isvc = _deploy(
        "ml-prod",
        "sentiment",
        [default.address],
        env="prod",
        inference=True,
        kind="InferenceService",
        named_line=None,
    )
    (finding,) = _findings(DG203, _model([default], [isvc]))
    assert finding.severity is Severity.MEDIUM  # no RBAC, no federation; never raised
    assert finding.location == isvc.location
    assert "names no serviceAccountName" in finding.message
    assert "system:serviceaccount:ml-prod:default" in finding.message
    assert isvc.address in finding.message and "in prod" in finding.message


def test_dg203_explicit_default_with_rbac_is_high_at_the_line_naming_it() -> None:
    default = _sa("ml-prod", "default", env="prod")
    llm = _deploy("ml-prod", "llm", [default.address], env="prod", inference=True)
    head = _model([default], [llm], grants=[_grant(default.address)])
    (finding,) = _findings(DG203, head)
    assert finding.severity is Severity.HIGH
    assert finding.location == llm.identity_location
    assert "holds RBAC permissions" in finding.message


def test_dg203_only_inference_workloads() -> None:
    default = _sa("ml-prod", "default", env="prod", declared=False)
    web = _deploy("ml-prod", "web", [default.address], env="prod", named_line=None)
    assert _drafts(DG203, _model([default], [web])) == []


def test_dg203_one_finding_per_workload() -> None:
    default = _sa("ml-prod", "default", env="prod", declared=False)
    a = _deploy("ml-prod", "a", [default.address], env="prod", inference=True, named_line=None)
    b = _deploy("ml-prod", "b", [default.address], env="prod", inference=True, named_line=None)
    base = _model([default], [a])
    head = _model([default], [a, b])
    assert len(_findings(DG203, head)) == 2
    # The second model server adopting the same default identity is new.
    (new,) = _findings(DG203, head, base)
    assert new.workloads == (b.address,) and new.baseline_state == "new"


def test_dg203_gcp_default_compute_through_workload_identity() -> None:
    compute = Identity(
        address="gcp:default-compute@developer[acme-prod]",
        principal="123456789-compute@developer.gserviceaccount.com",
        provider="gcp",
        kind="default_service_account",
        name="Compute Engine default service account (acme-prod)",
        declared=False,
    )
    sa = _sa("ml-prod", "llm", env="prod", federates_to=(compute.address,))
    llm = _deploy("ml-prod", "llm", [sa.address], env="prod", inference=True)
    (finding,) = _findings(DG203, _model([compute, sa], [llm]))
    assert finding.identity == compute.address
    assert finding.severity is Severity.HIGH
    assert "through federation" in finding.message and "Editor" in finding.message


def test_dg203_aks_created_kubelet_identity() -> None:
    kubelet = Identity(
        address="envs/prod:azurerm_kubernetes_cluster.serving#kubelet",
        provider="azure",
        kind="kubelet_identity",
        name="aks-serving-prod-agentpool",
        environment="prod",
    )
    own = kubelet.model_copy(
        update={
            "address": "envs/prod:azurerm_user_assigned_identity.k",
            "kind": "user_assigned_identity",
        }
    )
    is_default = spec("azure").is_default_identity
    assert is_default(kubelet) and not is_default(own)
    cluster = Workload(
        address="envs/prod:azurerm_kubernetes_cluster.serving",
        kind="azurerm_kubernetes_cluster",
        name="aks-serving-prod",
        environment="prod",
        identities=(kubelet.address,),
        inference=True,
        inference_reason="GPU VM size Standard_NC24ads_A100_v4 (default node pool)",
        location=_loc("envs/prod/aks.tf", 2),
    )
    (finding,) = _findings(DG203, _model([kubelet], [cluster]))
    assert finding.severity is Severity.HIGH and finding.location == cluster.location
    assert "instance metadata" in finding.message
    assert (
        _drafts(DG203, _model([own], [cluster.model_copy(update={"identities": (own.address,)})]))
        == []
    )


# ---- DG204 cross-env-secret-reuse -------------------------------------------------------


def _secret(
    address: str, kind: CredentialKind = "static_secret", identity: str | None = None
) -> Credential:
    return Credential(address=address, kind=kind, identity=identity)


def test_dg204_same_secret_in_two_environments_points_at_the_new_reader() -> None:
    secret = _secret("k8s:ml-serving/Secret/vector-db")
    staging = _deploy("ml-serving", "rag-staging", [], env="staging", credentials=(secret.address,))
    prod = _deploy("ml-serving", "rag", [], env="prod", credentials=(secret.address,))
    base = _model(workloads=[staging], credentials=[secret])
    head = _model(workloads=[staging, prod], credentials=[secret])
    (draft,) = _drafts(DG204, head, base)
    assert draft.location == prod.location and draft.environment == "prod"
    assert draft.subject == secret.address and draft.identity == secret.address
    assert draft.severity is Severity.HIGH  # prod involved
    assert f"{prod.address} in prod now reads it" in draft.message
    assert staging.address in draft.message


def test_dg204_needs_two_environments_and_the_same_address() -> None:
    staging = _secret("k8s:ml-staging/Secret/vector-db")
    prod = _secret("k8s:ml-prod/Secret/vector-db")
    head = _model(
        workloads=[
            _deploy("ml-staging", "rag", [], env="staging", credentials=(staging.address,)),
            _deploy("ml-prod", "rag", [], env="prod", credentials=(prod.address,)),
            _deploy("ml-prod", "rag-2", [], env="prod", credentials=(prod.address,)),
        ],
        credentials=[staging, prod],
    )
    assert _drafts(DG204, head) == []


def test_dg204_minted_credentials_are_never_shared() -> None:
    token = _secret("k8s:ml/Deployment/llm/volume/token/token", kind="projected_token")
    head = _model(
        workloads=[
            _deploy("ml", "a", [], env="staging", credentials=(token.address,)),
            _deploy("ml", "b", [], env="prod", credentials=(token.address,)),
        ],
        credentials=[token],
    )
    assert _drafts(DG204, head) == []


def test_dg204_raised_once_for_inference_readers() -> None:
    secret = _secret("gcp:secret/projects/shared/secrets/hf-token")
    workloads = [
        _deploy("a", "llm", [], env="staging", inference=True, credentials=(secret.address,)),
        _deploy("b", "llm", [], env="dev", credentials=(secret.address,)),
    ]
    (finding,) = _findings(DG204, _model(workloads=workloads, credentials=[secret]))
    assert finding.severity is Severity.HIGH  # medium, raised by the check
    # A credential of an identity an inference workload uses is raised by the engine only.
    sa = _sa("a", "llm", env="staging")
    key = _secret("envs/staging:google_service_account_key.k", kind="sa_key", identity=sa.address)
    workloads = [
        _deploy(
            "a", "llm", [sa.address], env="staging", inference=True, credentials=(key.address,)
        ),
        _deploy("b", "job", [], env="dev", credentials=(key.address,)),
    ]
    (finding,) = _findings(DG204, _model([sa], workloads, [key]))
    assert finding.severity is Severity.HIGH and finding.identity == sa.address


# ---- DG404 orphaned-identity ------------------------------------------------------------


def test_dg404_identity_left_behind_when_its_workload_is_removed() -> None:
    sa = _sa("ml-prod", "summarizer", env="prod")
    workload = _deploy("ml-prod", "summarizer", [sa.address], env="prod", inference=True)
    grant = _grant(sa.address, binding=_loc("k8s/ml-prod/rbac.yaml", 12))
    base = _model([sa], [workload], grants=[grant])
    head = _model([sa], [], grants=[grant])
    (finding,) = _findings(DG404, head, base)
    assert finding.location == sa.location and finding.identity == sa.address
    assert finding.severity is Severity.MEDIUM  # it still holds a grant
    assert grant.binding in finding.related
    assert workload.address in finding.message and "removed" in finding.message
    assert "system:serviceaccount:ml-prod:summarizer" in finding.message
    assert finding.workloads == (workload.address,)


def test_dg404_needs_a_base_and_a_removed_workload() -> None:
    sa = _sa("ml-prod", "summarizer", env="prod")
    model = _model([sa], [_deploy("ml-prod", "summarizer", [sa.address], env="prod")])
    assert _drafts(DG404, model) == []
    assert _drafts(DG404, model, model) == []


def test_dg404_identity_still_used_or_removed_too() -> None:
    sa = _sa("ml-prod", "summarizer", env="prod")
    old = _deploy("ml-prod", "summarizer", [sa.address], env="prod")
    new = _deploy("ml-prod", "summarizer-v2", [sa.address], env="prod")
    base = _model([sa], [old])
    assert _drafts(DG404, _model([sa], [new]), base) == []
    assert _drafts(DG404, _model(), base) == []


def test_dg404_bindings_of_a_removed_identity() -> None:
    sa = _sa("ml-prod", "summarizer", env="prod")
    left = _sa("ml-prod", "summarizer", env="prod", declared=False)
    binding = _loc("k8s/ml-prod/rbac.yaml", 12)
    base = _model(
        [sa],
        [_deploy("ml-prod", "summarizer", [sa.address], env="prod")],
        grants=[_grant(sa.address, binding)],
    )
    head = _model([left], grants=[_grant(sa.address, binding)])
    (draft,) = _drafts(DG404, head, base)
    assert draft.location == binding and "the bindings naming it remain" in draft.message
    # An undeclared identity with nothing left names nothing to clean up.
    assert _drafts(DG404, _model([left]), base) == []


def test_dg404_standing_credential_is_high_bare_identity_is_low() -> None:
    sa = _sa("ml-prod", "summarizer", env="prod")
    key = _secret(
        "k8s:ml-prod/Secret/summarizer-token", kind="legacy_sa_token", identity=sa.address
    )
    base = _model([sa], [_deploy("ml-prod", "summarizer", [sa.address], env="prod")], [key])
    (draft,) = _drafts(DG404, _model([sa], credentials=[key]), base)
    assert draft.severity is Severity.HIGH and key.address in draft.message
    (draft,) = _drafts(DG404, _model([sa]), base)
    assert draft.severity is Severity.LOW


def test_dg404_secret_only_the_removed_workload_read() -> None:
    secret = Credential(
        address="envs/prod:aws_secretsmanager_secret.vector_db",
        kind="static_secret",
        environment="prod",
        location=_loc("envs/prod/main.tf", 35),
    )
    role = _role("prod", "indexer")
    task = Workload(
        address="envs/prod:aws_ecs_task_definition.indexer",
        kind="aws_ecs_task_definition",
        name="indexer",
        environment="prod",
        identities=(role.address,),
        credentials=(secret.address,),
    )
    other = task.model_copy(
        update={"address": "envs/prod:aws_ecs_task_definition.other", "identities": ()}
    )
    base = _model([role], [task], [secret])
    drafts = _drafts(DG404, _model([role], credentials=[secret]), base)
    assert [d.identity for d in drafts] == [role.address, secret.address]
    assert drafts[1].location == secret.location and drafts[1].subject == secret.address
    # Still read by another workload: only the role is left behind.
    drafts = _drafts(DG404, _model([role], [other], [secret]), base)
    assert [d.identity for d in drafts] == [role.address]


def test_dg404_follows_federation_and_skips_default_identities() -> None:
    role = _role("prod", "summarizer")
    sa = _sa("ml-prod", "summarizer", env="prod", federates_to=(role.address,))
    default = _sa("ml-prod", "default", env="prod")
    base = _model(
        [role, sa, default],
        [
            _deploy("ml-prod", "summarizer", [sa.address], env="prod"),
            _deploy("ml-prod", "web", [default.address], env="prod"),
        ],
    )
    head = _model([role, sa, default])
    drafts = _drafts(DG404, head, base)
    assert sorted(d.identity for d in drafts) == sorted([role.address, sa.address])


def test_a_sealed_model_answers_lookups_by_identity_as_a_scan_does() -> None:
    from driftgate.analyzer.model import Grant, Identity, Model, Workload

    role, other = "envs/prod:aws_iam_role.llm", "envs/prod:aws_iam_role.batch"
    sa = "k8s:ml/ServiceAccount/llm"
    model = Model(
        identities={
            role: Identity(address=role, provider="aws", kind="role", name="llm"),
            other: Identity(address=other, provider="aws", kind="role", name="batch"),
            sa: Identity(
                address=sa,
                provider="kubernetes",
                kind="ServiceAccount",
                name="llm",
                federates_to=(role,),
            ),
        },
        grants=[
            Grant(identity=role, via="a"),
            Grant(identity=other, via="b"),
            Grant(identity=role, via="c"),
        ],
        workloads={
            "k8s:ml/Deployment/llm": Workload(
                address="k8s:ml/Deployment/llm", kind="Deployment", name="llm", identities=(sa,)
            ),
            "envs/prod:aws_batch_job_definition.b": Workload(
                address="envs/prod:aws_batch_job_definition.b",
                kind="batch",
                name="b",
                identities=(other,),
            ),
        },
    )
    queries = [role, other, sa, "nobody"]
    scanned = [(model.grants_of(q), model.workloads_using(q)) for q in queries]
    model.seal()
    assert [(model.grants_of(q), model.workloads_using(q)) for q in queries] == scanned
    assert [g.via for g in model.grants_of(role)] == ["a", "c"]
    assert [w.name for w in model.workloads_using(role)] == ["llm"]  # through federation


def _demo_dg201(tmp_path: Path, subject: str | None) -> dict[str, Any]:
    """The demo's DG201, its staging role's trust admitting ``subject`` instead."""
    demo = Path(__file__).parent.parent / "testdata" / "demo"
    head = tmp_path / "head"
    shutil.copytree(demo / "head", head)
    if subject is not None:
        main_tf = head / "terraform" / "envs" / "staging" / "main.tf"
        text = main_tf.read_text()
        main_tf.write_text(text.replace('"system:serviceaccount:ml-${var.env}:llm"', subject))
    out = tmp_path / "r.json"
    cli_main(["scan", "--no-cache", "-f", "json", "-o", str(out), str(head)])
    (finding,) = [f for f in json.loads(out.read_text())["findings"] if f["check"] == "DG201"]
    result: dict[str, Any] = finding
    return result


def test_dg201_says_the_pod_would_be_refused_when_the_trust_does_not_admit_it(
    tmp_path: Path,
) -> None:
    """The demo's prod pod names the staging role, whose trust admits only the staging
    ServiceAccount: it does not run as that role, and the finding says so."""
    finding = _demo_dg201(tmp_path, None)
    assert "trust admits only system:serviceaccount:ml-staging:llm" in finding["message"]
    assert "would be refused" in finding["message"]
    assert "runs as" not in finding["message"]
    assert finding["confidence"] == "medium"


def test_dg201_says_it_runs_as_the_role_when_the_trust_admits_it(tmp_path: Path) -> None:
    finding = _demo_dg201(tmp_path, '"system:serviceaccount:ml-*:llm"')
    assert "runs as" in finding["message"]
    assert "refused" not in finding["message"]
    assert finding["confidence"] == "high"
