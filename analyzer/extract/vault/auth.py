"""Vault auth backend roles: who may log in with them (trusts) and the tokens they issue.

Each auth method binds a role to outside principals differently: Kubernetes
ServiceAccounts by namespace and name, JWT/OIDC tokens by subject and claims, AWS IAM
principals, GCP service accounts, Azure service principals, AppRole secret IDs. All of
them issue Vault tokens configured by the same ``token_*`` arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driftgate.analyzer.extract.vault.values import flag, positive_duration, texts
from driftgate.analyzer.model import Location, Trust
from driftgate.analyzer.providers import vault
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import Value, display

_LOGIN = ("login",)

TrustBuilder = Callable[[ResourceInstance, "RoleContext"], list[Trust]]


@dataclass(frozen=True, slots=True)
class RoleContext:
    """What a trust builder needs beyond the role's own arguments."""

    identity: str
    # Known names for Kubernetes ServiceAccounts / namespaces referenced by resource.
    names: Callable[[ResourceInstance, str], list[str]]
    # The issuer of a JWT backend (its discovery URL or bound issuer), when declared.
    issuer: str | None = None


@dataclass(frozen=True, slots=True)
class RoleType:
    kind: str
    name_argument: str
    default_backend: str
    trusts: TrustBuilder


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """The ``token_*`` arguments (and their pre-3.0 provider names) of a role."""

    policies: Value
    policies_argument: str | None
    ttl: int | None
    max_ttl: int | None
    explicit_max_ttl: int | None
    period: int | None
    no_default_policy: bool
    bound_cidrs: tuple[str, ...]


def _first(inst: ResourceInstance, *names: str) -> tuple[Value, str | None]:
    for name in names:
        if inst.block.attributes.get(name) is not None:
            return inst.get(name), name
    return None, None


def token_settings(inst: ResourceInstance) -> TokenSettings:
    policies, argument = _first(inst, "token_policies", "policies")
    cidrs, _ = _first(inst, "token_bound_cidrs", "bound_cidrs")
    return TokenSettings(
        policies=policies,
        policies_argument=argument,
        ttl=positive_duration(_first(inst, "token_ttl", "ttl")[0]),
        max_ttl=positive_duration(_first(inst, "token_max_ttl", "max_ttl")[0]),
        explicit_max_ttl=positive_duration(inst.get("token_explicit_max_ttl")),
        period=positive_duration(_first(inst, "token_period", "period")[0]),
        no_default_policy=flag(inst.get("token_no_default_policy"), default=False),
        bound_cidrs=tuple(texts(cidrs)),
    )


def _where(inst: ResourceInstance, *arguments: str) -> Location:
    """The first of ``arguments`` the role sets, else the role block."""
    for argument in arguments:
        if argument in inst.block.attributes:
            return Location(path=inst.path, line=inst.line_of(argument))
    return Location(path=inst.path, line=inst.block.line, end_line=inst.block.end_line)


def _listed(inst: ResourceInstance, conditions: list[str], *arguments: str) -> None:
    """``argument: a, b`` for each argument that narrows who may log in."""
    for argument in arguments:
        values = texts(inst.get(argument))
        if values:
            conditions.append(f"{argument}: {', '.join(values)}")


def _cidrs(inst: ResourceInstance, conditions: list[str]) -> None:
    _listed(inst, conditions, "token_bound_cidrs", "bound_cidrs")


def _trust(
    inst: ResourceInstance,
    context: RoleContext,
    principals: list[str],
    conditions: list[str],
    *arguments: str,
) -> Trust:
    return Trust(
        identity=context.identity,
        principals=tuple(dict.fromkeys(principals)) or ("*",),
        actions=_LOGIN,
        conditions=tuple(vault.conditions(conditions)),
        via=inst.address,
        location=_where(inst, *arguments),
    )


def kubernetes_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    """``system:serviceaccount:<namespace>:<name>`` for each bound pair, wildcards kept."""
    names = context.names(inst, "bound_service_account_names")
    namespaces = context.names(inst, "bound_service_account_namespaces")
    conditions: list[str] = []
    audience = inst.get("audience")
    if audience:
        conditions.append(f"audience: {display(audience)}")
    _cidrs(inst, conditions)
    found: list[Trust] = []
    if namespaces or not inst.get("bound_service_account_namespace_selector"):
        principals = [f"system:serviceaccount:{ns}:{name}" for ns in namespaces for name in names]
        found.append(_trust(inst, context, principals, conditions, "bound_service_account_names"))
    selector = inst.get("bound_service_account_namespace_selector")
    if selector:
        # Namespaces chosen by their labels in the cluster: any namespace, narrowed.
        principals = [f"system:serviceaccount:*:{name}" for name in names]
        narrowed = [*conditions, f"namespace selector: {display(selector)}"]
        found.append(
            _trust(inst, context, principals, narrowed, "bound_service_account_namespace_selector")
        )
    return found


def approle_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    """Whoever holds the role ID and, unless ``bind_secret_id = false``, a secret ID."""
    conditions: list[str] = []
    _listed(inst, conditions, "secret_id_bound_cidrs")
    _cidrs(inst, conditions)
    bound = flag(inst.get("bind_secret_id"), default=True)
    principals = ["role_id+secret_id" if bound else "role_id"]
    return [_trust(inst, context, principals, conditions, "bind_secret_id", "role_name")]


def _claims(value: Value, parse_commas: bool) -> list[tuple[str, list[str]]]:
    if not isinstance(value, dict):
        return [("bound_claims", [display(value)])] if value is not None else []
    found: list[tuple[str, list[str]]] = []
    for key in sorted(value, key=str):
        values = texts(value[key])
        if parse_commas:
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
        found.append((str(key), values))
    return found


def jwt_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    """The bound subject (or any token of the issuer), narrowed by audiences and claims."""
    parse_commas = not flag(inst.get("disable_bound_claims_parsing"), default=False)
    claims = _claims(inst.get("bound_claims"), parse_commas)
    principals = texts(inst.get("bound_subject"))
    principals += [v for key, values in claims if key == "sub" for v in values]
    conditions: list[str] = []
    if context.issuer:
        conditions.append(f"issuer: {context.issuer}")
    _listed(inst, conditions, "bound_audiences")
    conditions += [f"claim {key}: {', '.join(values)}" for key, values in claims if key != "sub"]
    if inst.get("bound_claims_type") == "glob":
        conditions.append("bound_claims_type: glob")
    _cidrs(inst, conditions)
    return [
        _trust(inst, context, principals, conditions, "bound_subject", "bound_claims", "role_name")
    ]


def aws_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    principals: list[str] = []
    for argument in (
        "bound_iam_principal_arns",
        "bound_iam_role_arns",
        "bound_iam_instance_profile_arns",
        "bound_ec2_instance_ids",
    ):
        principals += texts(inst.get(argument))
    conditions: list[str] = []
    _listed(
        inst,
        conditions,
        "auth_type",
        "bound_account_ids",
        "bound_regions",
        "bound_vpc_ids",
        "bound_subnet_ids",
        "bound_ami_ids",
    )
    _cidrs(inst, conditions)
    where = ("bound_iam_principal_arns", "bound_iam_role_arns", "bound_account_ids")
    return [_trust(inst, context, principals, conditions, *where)]


def gcp_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    principals = texts(inst.get("bound_service_accounts"))
    conditions: list[str] = []
    _listed(
        inst,
        conditions,
        "type",
        "bound_projects",
        "bound_zones",
        "bound_regions",
        "bound_instance_groups",
        "bound_labels",
    )
    _cidrs(inst, conditions)
    return [_trust(inst, context, principals, conditions, "bound_service_accounts")]


def azure_trusts(inst: ResourceInstance, context: RoleContext) -> list[Trust]:
    principals = texts(inst.get("bound_service_principal_ids"))
    principals += [f"group:{group}" for group in texts(inst.get("bound_group_ids"))]
    conditions: list[str] = []
    _listed(
        inst,
        conditions,
        "bound_subscription_ids",
        "bound_resource_groups",
        "bound_locations",
        "bound_scale_sets",
    )
    _cidrs(inst, conditions)
    where = ("bound_service_principal_ids", "bound_group_ids", "bound_subscription_ids")
    return [_trust(inst, context, principals, conditions, *where)]


ROLE_TYPES: dict[str, RoleType] = {
    "vault_kubernetes_auth_backend_role": RoleType(
        "kubernetes_auth_role", "role_name", "kubernetes", kubernetes_trusts
    ),
    "vault_approle_auth_backend_role": RoleType(
        "approle_auth_role", "role_name", "approle", approle_trusts
    ),
    "vault_jwt_auth_backend_role": RoleType("jwt_auth_role", "role_name", "jwt", jwt_trusts),
    "vault_aws_auth_backend_role": RoleType("aws_auth_role", "role", "aws", aws_trusts),
    "vault_gcp_auth_backend_role": RoleType("gcp_auth_role", "role", "gcp", gcp_trusts),
    "vault_azure_auth_backend_role": RoleType("azure_auth_role", "role", "azure", azure_trusts),
}
