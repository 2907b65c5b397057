"""Merging the providers' models and following federation across them.

A Kubernetes ServiceAccount names its cloud identity by principal (an IRSA role ARN);
Terraform declares the role by resource. Linking replaces the principal's external
address with the declaring resource's address, so that both ends are one identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from analyzer.extract.addresses import external_address
from analyzer.model import Identity, Model, Provider


def merge(models: Iterable[Model]) -> Model:
    merged = Model()
    for m in models:
        for address, identity in m.identities.items():
            # A declared identity wins over a placeholder for the same address.
            existing = merged.identities.get(address)
            if existing is None or (not existing.declared and identity.declared):
                merged.identities[address] = identity
        merged.grants.extend(m.grants)
        merged.trusts.extend(m.trusts)
        merged.credentials.update(m.credentials)
        merged.workloads.update(m.workloads)
    return merged


def _aws_role_name(principal: str) -> str | None:
    if principal.startswith("arn:") and ":role/" in principal:
        return principal.rsplit("/", 1)[-1]
    return None


def link(model: Model) -> Model:
    """Point external principals at declaring resources; add placeholders for the rest."""
    roles: dict[str, list[Identity]] = {}
    principals: dict[str, list[Identity]] = {}
    for identity in model.identities.values():
        if not identity.declared:
            continue
        if identity.provider == "aws" and identity.kind == "role":
            roles.setdefault(identity.name, []).append(identity)
        if isinstance(identity.principal, str):
            key = external_address(identity.provider, identity.principal)
            principals.setdefault(key, []).append(identity)

    def target(address: str, environment: str | None) -> str:
        provider, _, principal = address.partition(":")
        # An exact principal (a GCP service account e-mail, a full ARN) first; then an
        # AWS role by name, since Terraform rarely knows the account of the ARN.
        candidates = principals.get(address, [])
        if not candidates and provider == "aws":
            candidates = roles.get(_aws_role_name(principal) or "", [])
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.environment == environment]
        if len(candidates) != 1:
            return address
        found = model.identities[candidates[0].address]
        if not isinstance(found.principal, str):
            # The ARN that names it elsewhere tells the account Terraform left unknown.
            model.identities[found.address] = found.model_copy(update={"principal": principal})
        return found.address

    for address, identity in list(model.identities.items()):
        if identity.federates_to:
            linked = tuple(target(t, identity.environment) for t in identity.federates_to)
            model.identities[address] = identity.model_copy(update={"federates_to": linked})
    for address, workload in list(model.workloads.items()):
        linked = tuple(target(i, workload.environment) for i in workload.identities)
        if linked != workload.identities:
            model.workloads[address] = workload.model_copy(update={"identities": linked})

    referenced = {t for i in model.identities.values() for t in i.federates_to}
    referenced.update(i for w in model.workloads.values() for i in w.identities)
    for address in sorted(referenced - set(model.identities)):
        provider, _, principal = address.partition(":")
        if provider in ("aws", "gcp", "azure", "vault"):
            model.identities[address] = Identity(
                address=address,
                principal=principal,
                provider=cast(Provider, provider),
                kind="role" if _aws_role_name(principal) else "principal",
                name=principal.rsplit("/", 1)[-1],
                declared=False,
            )
    return model


__all__ = ["external_address", "link", "merge"]
