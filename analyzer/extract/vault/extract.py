"""Vault (vault_*) resources → identities, grants, trusts and credentials.

A policy alone grants nothing: auth backend roles and tokens are the identities, and
the policies they name are their grants, one per path block. Roles also say who may log
in with them (trusts) and how long their tokens live (credentials). Secrets engine roles
are identities too, reached by every Vault identity that may read their ``creds/`` path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from driftgate.analyzer.extract.context import ExtractContext, Report, ignore
from driftgate.analyzer.extract.dispatch import Dispatch, Phase, handles
from driftgate.analyzer.extract.kubernetes.terraform_convert import resolve_metadata
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.vault.auth import (
    ROLE_TYPES,
    RoleContext,
    TokenSettings,
    token_settings,
)
from driftgate.analyzer.extract.vault.grants import PolicyGrants, link_secret_roles
from driftgate.analyzer.extract.vault.secrets import (
    SECRET_ROLES,
    SecretRole,
    aws_secret_role,
    database_role,
    database_static_role,
)
from driftgate.analyzer.extract.vault.values import (
    VAULT_DEFAULT_MAX_TTL,
    flag,
    positive_duration,
    texts,
    token_lifetime,
)
from driftgate.analyzer.model import Credential, Location, Model, Unknown
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, display

# Mounts (auth methods and secrets engines) → their default path; None: the `type`.
_MOUNTS: dict[str, str | None] = {
    "vault_auth_backend": None,
    "vault_jwt_auth_backend": "jwt",
    "vault_gcp_auth_backend": "gcp",
    "vault_aws_secret_backend": "aws",
    "vault_mount": None,
    "vault_database_secrets_mount": None,
}
_SECRET_BUILDERS = {
    "vault_aws_secret_backend_role": aws_secret_role,
    "vault_database_secret_backend_role": database_role,
    "vault_database_secret_backend_static_role": database_static_role,
}
_SECRET_ID = "vault_approle_auth_backend_role_secret_id"
_POLICY = "vault_policy"
_TOKEN = "vault_token"
_APPROLE = "vault_approle_auth_backend_role"


@dataclass
class _VaultExtractor(ExtractContext):
    PROVIDER = "vault"
    index: dict[str, ResourceInstance] = field(default_factory=dict)
    mounts: dict[tuple[str, str], ResourceInstance] = field(default_factory=dict)
    policies: PolicyGrants = field(init=False)
    # (root, backend, role name) → (identity address, secret_id_ttl) of AppRole roles.
    approles: dict[tuple[str, str, str], tuple[str, int | None]] = field(default_factory=dict)
    # Secrets engine identity → the Vault paths that mint its credentials.
    minted: dict[str, list[str]] = field(default_factory=dict)
    # AppRole roles, and those a declared secret ID authenticates as.
    approle_roles: list[ResourceInstance] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.policies = PolicyGrants(self.index)

    # ---- lookups ------------------------------------------------------------------

    def mount(self, inst: ResourceInstance) -> None:
        if (path := self.mount_path(inst)) is not None:
            self.mounts.setdefault((inst.root.label, path), inst)

    def policy(self, inst: ResourceInstance) -> None:
        self.policies.add_policy(inst)

    def mount_path(self, mount: ResourceInstance) -> str | None:
        path = mount.get("path")
        if isinstance(path, str) and path.strip("/"):
            return path.strip("/")
        if path is not None:
            return None
        default = _MOUNTS.get(mount.type)
        if default is None:
            kind = mount.get("type")
            return kind if isinstance(kind, str) and kind else None
        return default

    def backend(
        self, inst: ResourceInstance, default: str | None
    ) -> tuple[str | None, ResourceInstance | None]:
        """The mount path a role lives under, and the mount's resource when declared."""
        value = inst.get("backend")
        if value is None:
            value = default
        if isinstance(value, ResourceRef):
            mount = self.index.get(inst.address_of(value))
            if mount is not None and mount.type in _MOUNTS:
                return self.mount_path(mount), mount
            return None, None
        if isinstance(value, str) and value.strip("/"):
            path = value.strip("/")
            return path, self.mounts.get((inst.root.label, path))
        return None, None

    def lease_max(self, mount: ResourceInstance | None) -> int:
        """The longest lease the mount allows, as declared, else Vault's default."""
        if mount is not None:
            for tune in mount.children("tune"):
                seconds = positive_duration(tune.get("max_lease_ttl"))
                if seconds:
                    return seconds
            seconds = positive_duration(mount.get("max_lease_ttl_seconds"))
            if seconds:
                return seconds
        return VAULT_DEFAULT_MAX_TTL

    def k8s_names(self, inst: ResourceInstance, argument: str) -> list[str]:
        """ServiceAccount names or namespaces, following `kubernetes_*.metadata` refs."""
        attr = inst.block.attributes.get(argument)
        value = inst.get(argument)
        if attr is not None:
            value = resolve_metadata(value, attr.expr, inst, self.index)
        return texts(value)

    # ---- identities ---------------------------------------------------------------

    def where(self, inst: ResourceInstance, *arguments: str | None) -> Location:
        for argument in arguments:
            if argument is not None and argument in inst.block.attributes:
                return self.location(inst, argument)
        return self.location(inst)

    def add_identity(
        self,
        inst: ResourceInstance,
        kind: str,
        name: str,
        principal: str | Unknown | None,
        labels: dict[str, str] | None = None,
    ) -> str:
        return self.declare(inst, inst.full_address, principal, kind, name, labels)

    def token(
        self, inst: ResourceInstance, identity: str, address: str, ttl: int | None, *at: str
    ) -> None:
        self.model.credentials[address] = Credential(
            address=address,
            kind="token",
            identity=identity,
            ttl_seconds=ttl,
            environment=self.model.identities[identity].environment,
            location=self.where(inst, *at),
        )

    def auth_role(self, inst: ResourceInstance) -> None:
        role_type = ROLE_TYPES[inst.type]
        name_value = inst.get(role_type.name_argument)
        name = display(name_value) if name_value is not None else inst.name
        backend, mount = self.backend(inst, role_type.default_backend)
        principal: str | Unknown = Unknown(unknown=f"{inst.address}.id")
        if backend is not None and isinstance(name_value, str):
            principal = f"auth/{backend}/role/{name_value}"
        kind = role_type.kind
        if inst.type == "vault_jwt_auth_backend_role" and _is_oidc(inst):
            kind = "oidc_auth_role"  # a browser login: people, not workloads
        address = self.add_identity(inst, kind, name, principal)
        issuer = None
        if mount is not None and mount.type == "vault_jwt_auth_backend":
            for argument in ("bound_issuer", "oidc_discovery_url", "jwks_url"):
                if isinstance(found := mount.get(argument), str) and found:
                    issuer = found
                    break
        context = RoleContext(address, self.k8s_names, issuer)
        self.model.trusts.extend(role_type.trusts(inst, context))
        settings = token_settings(inst)
        binding = self.where(inst, settings.policies_argument)
        self.model.grants += self.policies.grants(
            address, inst, settings.policies, binding, settings.no_default_policy
        )
        ttl = _lifetime(settings, self.lease_max(mount))
        at = ("token_max_ttl", "max_ttl", "token_ttl", "ttl", "token_period", "period")
        self.token(inst, address, f"{address}/token", ttl, *at)
        if inst.type == _APPROLE:
            self.approle_roles.append(inst)
            if backend is not None:
                secret_ttl = positive_duration(inst.get("secret_id_ttl"))
                self.approles[(inst.root.label, backend, name)] = (address, secret_ttl)

    def secret_id(self, inst: ResourceInstance) -> None:
        """A secret ID: a static credential of its role."""
        backend, _ = self.backend(inst, "approle")
        name = inst.get("role_name")
        found = self.approles.get((inst.root.label, backend or "", display(name)))
        identity, role_ttl = found if found is not None else (None, None)
        if identity is None and isinstance(name, ResourceRef):
            target = inst.address_of(name)
            identity = target if target in self.model.identities else None
        if identity is not None:
            self.covered.add(identity)
        self.model.credentials[inst.full_address] = Credential(
            address=inst.full_address,
            kind="client_secret",
            identity=identity,
            ttl_seconds=positive_duration(inst.get("ttl")) or role_ttl,
            environment=self.environment(inst, {}),
            location=self.where(inst),
        )

    def undeclared_secret_ids(self) -> None:
        """A role that needs a secret ID to log in, none declared: issued outside."""
        for inst in self.approle_roles:
            address = inst.full_address
            if address in self.covered or not flag(inst.get("bind_secret_id"), default=True):
                continue
            # Issued outside Terraform, but any login needs one: Vault's default TTL is 0,
            # a secret ID that never expires.
            self.model.credentials[f"{address}/secret_id"] = Credential(
                address=f"{address}/secret_id",
                kind="client_secret",
                identity=address,
                ttl_seconds=positive_duration(inst.get("secret_id_ttl")),
                environment=self.model.identities[address].environment,
                location=self.where(inst, "secret_id_ttl", "bind_secret_id"),
            )

    def vault_token(self, inst: ResourceInstance) -> None:
        metadata = inst.get("metadata")
        labels = (
            {str(k): display(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}
        )
        name = inst.get("display_name")
        shown = name if isinstance(name, str) and name else inst.name
        principal = Unknown(unknown=f"{inst.address}.accessor")
        address = self.add_identity(inst, "token", shown, principal, labels)
        no_default = flag(inst.get("no_default_policy"), default=False)
        binding = self.where(inst, "policies")
        self.model.grants += self.policies.grants(
            address, inst, inst.get("policies"), binding, no_default
        )
        ttl = token_lifetime(
            positive_duration(inst.get("ttl")),
            None,
            positive_duration(inst.get("explicit_max_ttl")),
            positive_duration(inst.get("period")),
            VAULT_DEFAULT_MAX_TTL,
        )
        self.token(inst, address, address, ttl, "explicit_max_ttl", "ttl", "period")

    def secret_role(self, inst: ResourceInstance) -> None:
        kind, segments = SECRET_ROLES[inst.type]
        name_value = inst.get("name")
        name = display(name_value) if name_value is not None else inst.name
        backend, mount = self.backend(inst, None)
        paths = [f"{backend}/{segment}/{name}" for segment in segments]
        known = backend is not None and isinstance(name_value, str)
        principal: str | Unknown = paths[0] if known else Unknown(unknown=f"{inst.address}.id")
        address = self.add_identity(inst, kind, name, principal)
        role: SecretRole = _SECRET_BUILDERS[inst.type](inst, address, self.lease_max(mount))
        self.model.grants.extend(role.grants)
        if role.federates_to:
            identity = self.model.identities[address]
            federates = tuple(dict.fromkeys(role.federates_to))
            self.model.identities[address] = identity.model_copy(update={"federates_to": federates})
        if known:
            self.minted[address] = paths
        static = inst.type == "vault_database_secret_backend_static_role"
        at = ("rotation_period",) if static else ("max_sts_ttl", "default_sts_ttl", "max_ttl")
        self.model.credentials[f"{address}/creds"] = Credential(
            address=f"{address}/creds",
            kind="static_secret" if static else "token",
            identity=address,
            ttl_seconds=role.ttl_seconds,
            environment=self.model.identities[address].environment,
            location=self.where(inst, *at, "default_ttl"),
        )


def _is_oidc(inst: ResourceInstance) -> bool:
    """An OIDC (browser) role; without `role_type`, only OIDC roles list redirect URIs."""
    role_type = inst.get("role_type")
    if role_type is None:
        return bool(inst.get("allowed_redirect_uris"))
    return bool(role_type == "oidc")


def _lifetime(settings: TokenSettings, lease_max: int) -> int | None:
    return token_lifetime(
        settings.ttl, settings.max_ttl, settings.explicit_max_ttl, settings.period, lease_max
    )


_DISPATCH: Dispatch[_VaultExtractor] = Dispatch(
    (
        # Roles and tokens resolve these by reference or by name.
        handles(Phase.DECLARE, _VaultExtractor.mount, *_MOUNTS),
        handles(Phase.DECLARE, _VaultExtractor.policy, _POLICY),
        handles(Phase.IDENTITY, _VaultExtractor.auth_role, *ROLE_TYPES, reads={*_MOUNTS, _POLICY}),
        handles(Phase.CREDENTIAL, _VaultExtractor.secret_id, _SECRET_ID, reads={_APPROLE}),
        handles(Phase.GRANT, _VaultExtractor.vault_token, _TOKEN, reads={_POLICY}),
        handles(Phase.GRANT, _VaultExtractor.secret_role, *SECRET_ROLES, reads=_MOUNTS),
    )
)
# Mounts and policies are read as what the roles and tokens naming them are granted.
HANDLED_TYPES = _DISPATCH.handled_types


def extract_vault(
    instances: Iterable[ResourceInstance], options: ExtractOptions, report: Report = ignore
) -> Model:
    extractor = _VaultExtractor(options, report=report)
    instances = [i for i in instances if not i.dormant]
    for inst in instances:
        extractor.index.setdefault(inst.full_address, inst)
    _DISPATCH.run(
        extractor,
        (i for i in instances if i.type.startswith("vault_")),
        after={Phase.CREDENTIAL: _VaultExtractor.undeclared_secret_ids},
    )
    link_secret_roles(extractor.model, extractor.minted)
    return extractor.model
