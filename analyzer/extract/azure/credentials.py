"""Azure credentials: app and service-principal passwords and certificates, Key Vault
secrets, and the keys and secrets a workload consumes.

Lifetime (``ttl_seconds``) comes only from what the configuration states, never from
today's date: ``end_date_relative``; an ``end_date`` computed from a rotation
(``time_rotating``, ``time_offset``) or from ``timeadd(timestamp(), "8760h")``; an
``end_date`` minus a ``start_date``. A password with no end at all lives two years
(Microsoft Graph's default for ``addPassword``). An absolute ``end_date`` with no
``start_date`` has no length without a clock: its ttl is None.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.azure.identities import APPLICATION
from driftgate.analyzer.extract.azure.state import AzureState
from driftgate.analyzer.extract.azure.values import (
    DAY,
    between,
    go_duration,
    key_vault_reference,
    period,
    references,
    rfc3339,
    tags,
    text,
)
from driftgate.analyzer.model import Credential, CredentialKind, Location
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import LocatedDict, ResourceRef, UnknownValue, Value

PASSWORDS: dict[str, CredentialKind] = {
    "azuread_application_password": "client_secret",
    "azuread_service_principal_password": "client_secret",
    "azuread_application_certificate": "certificate",
    "azuread_service_principal_certificate": "certificate",
}
KEY_VAULT_SECRET = "azurerm_key_vault_secret"
# Resources an ``end_date`` may be computed from, by the prefix of their attributes.
_RELATIVE_ENDS = {"time_rotating": "rotation", "time_offset": "offset"}
RANDOM_PASSWORD = "random_password"
# Read when a password's end date or a consumed value names them.
LOOKED_UP = frozenset({*_RELATIVE_ENDS, RANDOM_PASSWORD})
DEFAULT_PASSWORD_TTL = 2 * 365 * DAY
_OWNER_ATTRIBUTES = ("application_id", "application_object_id", "service_principal_id")
# Exported attributes that are keys of the resource itself (not secrets of an identity).
_NOT_SECRETS = frozenset({"instrumentation_key", "public_key", "key_id", "key_vault_key_id"})
_KEY_SUFFIXES = ("access_key", "_key", "connection_string")


def inline_password(state: AzureState, inst: ResourceInstance) -> None:
    """The ``password {}`` block of an ``azuread_application``."""
    for view in inst.children("password")[:1]:
        _inline_password(state, inst, view)


def _environment(state: AzureState, inst: ResourceInstance, identity: str | None) -> str | None:
    found = state.environment(inst, tags(inst.get("tags")))
    if found is None and identity is not None and identity in state.model.identities:
        return state.model.identities[identity].environment
    return found


def password(state: AzureState, inst: ResourceInstance) -> None:
    identity = None
    for attribute in _OWNER_ATTRIBUTES:
        if inst.view.has(attribute):
            identity = state.principal(inst, inst.get(attribute), "service_principal")
            break
    kind = PASSWORDS[inst.type]
    default = DEFAULT_PASSWORD_TTL if kind == "client_secret" else None
    state.model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind=kind,
        identity=identity,
        ttl_seconds=lifetime(state, inst, inst.view, relative="end_date_relative", default=default),
        environment=_environment(state, inst, identity),
        location=_lifetime_location(state, inst, inst.view, ("end_date_relative", "end_date")),
    )


def _lifetime_location(
    state: AzureState, inst: ResourceInstance, view: BlockView, attributes: tuple[str, ...]
) -> Location:
    """The line that sets the credential's lifetime (what DG302 asks to change); the
    whole block when none does and the provider's default applies."""
    for attribute in attributes:
        if view.has(attribute):
            return Location(path=inst.path, line=view.line_of(attribute))
    return state.block_location(inst, view)


def _inline_password(state: AzureState, inst: ResourceInstance, view: BlockView) -> None:
    address = f"{inst.full_address}#password"
    state.model.credentials[address] = Credential(
        address=address,
        kind="client_secret",
        identity=inst.full_address,
        ttl_seconds=lifetime(state, inst, view, default=DEFAULT_PASSWORD_TTL),
        environment=_environment(state, inst, inst.full_address),
        location=_lifetime_location(state, inst, view, ("end_date",)),
    )


def key_vault_secret(state: AzureState, inst: ResourceInstance) -> None:
    """A secret; it authenticates an identity when its value is that identity's password."""
    identity = None
    for address in consumed(state, inst, inst.get("value"), state.location(inst, "value")):
        source = state.model.credentials.get(address)
        if source is not None and source.identity is not None:
            identity = source.identity
            break
    state.model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind="static_secret",
        identity=identity,
        ttl_seconds=lifetime(
            state, inst, inst.view, end="expiration_date", start="not_before_date"
        ),
        environment=_environment(state, inst, identity),
        location=_lifetime_location(state, inst, inst.view, ("expiration_date",)),
    )
    uri = _secret_uri(state, inst)
    if uri is not None:
        state.secret_uris.setdefault(uri, inst.full_address)


def _secret_uri(state: AzureState, inst: ResourceInstance) -> str | None:
    """``https://<vault>.vault.azure.net/secrets/<name>`` when both names are written."""
    name = text(inst.get("name"))
    vault_ref = inst.get("key_vault_id")
    if name is None or not isinstance(vault_ref, ResourceRef):
        return None
    vault = state.target(inst, vault_ref)
    vault_name = text(vault.get("name")) if vault is not None else None
    if vault_name is None:
        return None
    return f"https://{vault_name}.vault.azure.net/secrets/{name}".lower()


# ---- lifetimes ----------------------------------------------------------------------


def lifetime(
    state: AzureState,
    inst: ResourceInstance,
    view: BlockView,
    *,
    end: str = "end_date",
    start: str = "start_date",
    relative: str | None = None,
    default: int | None = None,
) -> int | None:
    """Seconds a credential is valid for, from the configuration alone (module docstring)."""
    if relative is not None and view.has(relative):
        found = go_duration(view.get(relative))
        if found is not None:
            return found
    if not view.has(end):
        return default
    found = _relative_end(state, inst, view, end, start)
    if found is not None:
        return found
    return between(view.get(start), view.get(end)) if view.has(start) else None


def _relative_end(
    state: AzureState, inst: ResourceInstance, view: BlockView, end: str, start: str
) -> int | None:
    value = view.get(end)
    if isinstance(value, ResourceRef):
        target = state.target(inst, value)
        if target is not None and (prefix := _RELATIVE_ENDS.get(target.type)) is not None:
            values = {
                name: target.get(name)
                for name in target.block.attributes
                if name.startswith(f"{prefix}_")
            }
            return period(values, prefix)
        return None
    attr = view.block.attributes.get(end)
    if attr is None or not isinstance(attr.expr, ast.Call) or attr.expr.name != "timeadd":
        return None
    if len(attr.expr.args) != 2:
        return None
    base, delta = attr.expr.args
    duration = go_duration(view.evaluator.eval(delta))
    if duration is None:
        return None
    if isinstance(base, ast.Call) and base.name in ("timestamp", "plantimestamp"):
        return duration
    start_attr = view.block.attributes.get(start)
    if start_attr is not None and start_attr.expr.text == base.text:
        return duration
    first, origin = rfc3339(view.get(start)), rfc3339(view.evaluator.eval(base))
    if first is None or origin is None:
        return None
    return max(0, int((origin - first).total_seconds()) + duration)


# ---- what a workload (or a secret) consumes -------------------------------------------


def consumed(state: AzureState, inst: ResourceInstance, value: Value, where: Location) -> list[str]:
    """Credentials a value carries: references to passwords, secrets and keys, and
    literal ``@Microsoft.KeyVault(...)`` references."""
    found: list[str] = []
    for address, attribute in _references(inst, value):
        credential = _credential_at(state, address, attribute)
        if credential is not None:
            found.append(credential)
    for literal in _strings(value):
        uri = key_vault_reference(literal)
        if uri is not None:
            found.append(_external_secret(state, uri, where))
    return list(dict.fromkeys(found))


def _references(inst: ResourceInstance, value: Value, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > 16:
        return
    if isinstance(value, ResourceRef):
        yield inst.address_of(value), value.attribute
    elif isinstance(value, UnknownValue):
        for local, attribute in references(value.expression):
            yield f"{inst.root.label}:{inst.module_prefix}{local}", attribute
    elif isinstance(value, dict | LocatedDict):
        for item in value.values():
            yield from _references(inst, item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _references(inst, item, depth + 1)


def _strings(value: Value, depth: int = 0) -> Iterator[str]:
    if depth > 16:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def _credential_at(state: AzureState, address: str, attribute: str) -> str | None:
    target = state.instances.get(address)
    if target is None:
        return None
    if target.mode == "resource" and (target.type in PASSWORDS or target.type == KEY_VAULT_SECRET):
        return address if address in state.model.credentials else None
    if target.type == APPLICATION and attribute == "password":
        inline = f"{address}#password"
        return inline if inline in state.model.credentials else None
    if target.type == KEY_VAULT_SECRET or (
        target.type == RANDOM_PASSWORD and attribute == "result"
    ):
        return _lazy(state, target, address, "static_secret")
    if target.type.startswith("azurerm_") and _is_key(target.type, attribute):
        kind: CredentialKind = "static_secret" if "password" in attribute else "access_key"
        return _lazy(state, target, f"{address}#{attribute}", kind)
    return None


def _is_key(resource_type: str, attribute: str) -> bool:
    if attribute in _NOT_SECRETS or resource_type == "azurerm_application_insights":
        return False
    return attribute.endswith(_KEY_SUFFIXES) or attribute.endswith("password")


def _lazy(state: AzureState, target: ResourceInstance, address: str, kind: CredentialKind) -> str:
    """A credential that exists only because a workload consumes it (a key, a data source)."""
    if address not in state.model.credentials:
        state.model.credentials[address] = Credential(
            address=address,
            kind=kind,
            environment=state.environment(target, tags(target.get("tags"))),
            location=state.location(target),
        )
    return address


def _external_secret(state: AzureState, uri: str, where: Location) -> str:
    """A Key Vault secret named by URI: the declared one when its URI is known."""
    declared = state.secret_uris.get(uri.lower())
    if declared is not None:
        return declared
    address = external_address("azure", uri)
    state.model.credentials.setdefault(
        address, Credential(address=address, kind="static_secret", location=where)
    )
    return address
