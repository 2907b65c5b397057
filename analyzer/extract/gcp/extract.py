"""GCP (google_*) resources → identity-binding model entities.

Service accounts and workload identity pools are recorded first, so that keys, IAM
resources and workloads can name them by reference, by e-mail or by pool id. IAM
resources are in :mod:`.iam`, workloads in :mod:`.workloads`; the phases they are read
in are declared at the end (:mod:`..dispatch`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.context import Report, ignore
from driftgate.analyzer.extract.dispatch import Dispatch, Handles, Phase, handles, indexed
from driftgate.analyzer.extract.gcp.common import SA_DOMAIN, GcpContext, as_str, shown
from driftgate.analyzer.extract.gcp.iam import IAM_TYPES, IamExtractor
from driftgate.analyzer.extract.gcp.paths import ID_PATHS
from driftgate.analyzer.extract.gcp.workloads import WorkloadExtractor
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Credential, Model, Trust, Unknown
from driftgate.analyzer.providers.gcp import iam_condition
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, Value

_WORKLOADS: dict[str, Callable[[WorkloadExtractor, ResourceInstance], None]] = {
    "google_cloud_run_v2_service": WorkloadExtractor.cloud_run_v2,
    "google_cloud_run_service": WorkloadExtractor.cloud_run_v1,
    "google_vertex_ai_endpoint": WorkloadExtractor.vertex_endpoint,
    "google_container_node_pool": WorkloadExtractor.node_pool,
    "google_container_cluster": WorkloadExtractor.cluster,
    "google_compute_instance": WorkloadExtractor.compute_instance,
    "google_compute_instance_template": WorkloadExtractor.compute_instance,
}
# What a pool provider trusts, by its configuration block: how a trust names it.
_ISSUERS = (("oidc", "issuer_uri", "oidc"), ("aws", "account_id", "aws"), ("saml", "", "saml"))
_DEFAULT_TOKEN_LIFETIME = 3600
# The longest lifetime the API grants (with the constraint that allows more than 1 h):
# a token whose lifetime is not known lives at most this long, never "forever".
_MAX_TOKEN_LIFETIME = 43200


def _service_account(ctx: GcpContext, inst: ResourceInstance) -> None:
    account_id = as_str(inst.get("account_id"))
    project = as_str(inst.get("project"))
    address = inst.full_address
    principal: str | Unknown
    if account_id and project:
        principal = f"{account_id}@{project}{SA_DOMAIN}".lower()
        ctx.by_email.setdefault(principal, []).append(address)
    else:
        # The provider block's project is not visible from the resource.
        principal = Unknown(unknown=f"{inst.address}.email")
        if account_id:
            ctx.by_account_id.setdefault((inst.root.label, account_id.lower()), []).append(address)
    ctx.declare(inst, address, principal, "service_account", account_id or inst.name)


def _key(ctx: GcpContext, inst: ResourceInstance) -> None:
    # A user-managed key is valid until deleted unless an organization policy sets an
    # expiry, which the configuration of the key does not show.
    ctx.model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind="sa_key",
        identity=ctx.service_account(inst, inst.get("service_account_id")),
        ttl_seconds=None,
        environment=ctx.environment(inst),
        location=ctx.location(inst),
    )


def _seconds(value: Value) -> int | None:
    """``"3600s"`` → 3600; the API's duration format."""
    text = as_str(value)
    if text is None or not text.endswith("s"):
        return None
    try:
        return max(0, int(float(text[:-1])))
    except (ValueError, OverflowError):
        return None


def _access_token(ctx: GcpContext, inst: ResourceInstance) -> None:
    lifetime = inst.get("lifetime")
    ttl = _DEFAULT_TOKEN_LIFETIME if lifetime is None else _seconds(lifetime)
    if ttl is None:
        ttl = _MAX_TOKEN_LIFETIME
    ctx.model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind="token",
        identity=ctx.service_account(inst, inst.get("target_service_account")),
        ttl_seconds=ttl,
        environment=ctx.environment(inst),
        # The line to change when the lifetime is too long; the block when it is unset.
        location=ctx.location(inst, "lifetime") if lifetime is not None else ctx.location(inst),
    )


def _pool(ctx: GcpContext, inst: ResourceInstance) -> None:
    """A workload identity pool: the identity external tokens are exchanged for."""
    pool_id = as_str(inst.get("workload_identity_pool_id"))
    # principalSet://…/projects/NUMBER/…: the project number is never configured.
    principal = Unknown(unknown=f"{inst.address}.name")
    ctx.declare(inst, inst.full_address, principal, "workload_identity_pool", pool_id or inst.name)
    if pool_id:
        ctx.pools[(inst.root.label, pool_id)] = inst.full_address


def _pool_of(ctx: GcpContext, inst: ResourceInstance, value: Value) -> str:
    if isinstance(value, ResourceRef):
        target = ctx.instance(inst, value)
        if target is not None and target.type == "google_iam_workload_identity_pool":
            return target.full_address
    if isinstance(value, str) and (found := ctx.pools.get((inst.root.label, value))):
        return found
    text = shown(value)
    address = external_address("gcp", f"workloadIdentityPools/{text}")
    principal = Unknown(unknown=f"workloadIdentityPools/{text}")
    return ctx.placeholder(address, principal, "workload_identity_pool", text)


def _pool_provider(ctx: GcpContext, inst: ResourceInstance) -> None:
    """Who may exchange tokens with the pool: the issuer, under the attribute condition.

    Kept simple: the issuer (OIDC issuer URI, AWS account, SAML, X.509) is the principal
    and the attribute condition the condition; the attribute mapping is not modelled.
    """
    if inst.get("disabled") is True:
        return
    principals: list[str] = []
    for block, attribute, label in _ISSUERS:
        for view in inst.children(block):
            principals.append(f"{label}:{shown(view.get(attribute))}" if attribute else label)
    if inst.children("x509"):
        principals.append("x509")
    condition = inst.get("attribute_condition")
    ctx.model.trusts.append(
        Trust(
            identity=_pool_of(ctx, inst, inst.get("workload_identity_pool_id")),
            principals=tuple(principals),
            actions=("sts.googleapis.com/token",),
            conditions=(iam_condition("", shown(condition)),) if condition is not None else (),
            via=inst.address,
            location=ctx.first_line(inst),
        )
    )


def _iam(ctx: GcpContext, inst: ResourceInstance) -> None:
    IamExtractor(ctx).extract(inst, *IAM_TYPES[inst.type])


def _workload(ctx: GcpContext, inst: ResourceInstance) -> None:
    _WORKLOADS[inst.type](WorkloadExtractor(ctx), inst)


_ACCOUNT, _POOL = "google_service_account", "google_iam_workload_identity_pool"
_READ: tuple[Handles[GcpContext], ...] = (
    # Keys, IAM resources and workloads name these.
    handles(Phase.IDENTITY, _service_account, _ACCOUNT),
    handles(Phase.IDENTITY, _pool, _POOL),
    handles(Phase.GRANT, _key, "google_service_account_key", reads={_ACCOUNT}),
    handles(
        Phase.GRANT, _pool_provider, "google_iam_workload_identity_pool_provider", reads={_POOL}
    ),
    handles(Phase.GRANT, _iam, *IAM_TYPES, reads={_ACCOUNT, _POOL}),
    handles(Phase.GRANT, _workload, *_WORKLOADS, reads={_ACCOUNT}),
    handles(
        Phase.GRANT,
        _access_token,
        "google_service_account_access_token",
        reads={_ACCOUNT},
        mode="data",
    ),
)
_DISPATCH: Dispatch[GcpContext] = Dispatch(
    (
        *_READ,
        # The others an IAM resource or a workload may name by their id: every instance
        # is indexed before the first phase.
        handles(Phase.DECLARE, indexed, *(ID_PATHS.keys() - {t for d in _READ for t in d.types})),
    )
)
# What this extractor reads, from the declarations it dispatches on.
HANDLED_TYPES = _DISPATCH.handled_types


def extract_gcp(
    instances: Iterable[ResourceInstance], options: ExtractOptions, report: Report = ignore
) -> Model:
    ctx = GcpContext(options, report=report)
    instances = [i for i in instances if not i.dormant]
    for inst in instances:
        # Data sources of any provider: an account may be named by one (remote state).
        if inst.type.startswith("google_") or inst.mode == "data":
            ctx.instances[inst.full_address] = inst
    _DISPATCH.run(ctx, (i for i in instances if i.type.startswith("google_")))
    return ctx.model
