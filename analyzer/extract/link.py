"""Merging the providers' models and following federation across them.

A Kubernetes ServiceAccount names its cloud identity by principal (an IRSA role ARN);
Terraform declares the role by resource. Linking replaces the principal's external
address with the declaring resource's address, so that both ends are one identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from driftgate.analyzer.extract.addresses import external_address, k8s_address
from driftgate.analyzer.extract.external_refs import is_external_object
from driftgate.analyzer.extract.vault.link import link_vault_logins
from driftgate.analyzer.model import Identity, Model, Provider, Unknown


def merge(models: Iterable[Model]) -> Model:
    merged = Model()
    for m in models:
        for address, identity in m.identities.items():
            # A declared identity wins over a placeholder for the same address, but the
            # federation a placeholder carries (an EKS pod identity association names
            # the ServiceAccount it federates) is kept.
            existing = merged.identities.get(address)
            if existing is None:
                merged.identities[address] = identity
                continue
            keep, other = (
                (identity, existing)
                if identity.declared and not existing.declared
                else (existing, identity)
            )
            federates = tuple(dict.fromkeys([*keep.federates_to, *other.federates_to]))
            if keep is not existing or federates != existing.federates_to:
                merged.identities[address] = keep.model_copy(update={"federates_to": federates})
        merged.grants.extend(m.grants)
        merged.trusts.extend(m.trusts)
        merged.credentials.update(m.credentials)
        merged.workloads.update(m.workloads)
    return merged


def _user_assigned_name(principal: str) -> str | None:
    """The name in ``/subscriptions/…/userAssignedIdentities/<name>``, lower case."""
    segments = principal.rstrip("/").split("/")
    if len(segments) > 2 and segments[-2].lower() == "userassignedidentities":
        return segments[-1].lower()
    return None


def _aws_role_name(principal: str) -> str | None:
    if principal.startswith("arn:") and ":role/" in principal:
        return principal.rsplit("/", 1)[-1]
    return None


_WI_MEMBER = re.compile(r"^serviceAccount:[^\[]+\.svc\.id\.goog\[([^/\]]+)/([^\]]+)\]$")
_K8S_SUBJECT = re.compile(r"(?:^|#)system:serviceaccount:([^:#\s]+):([^:#\s]+)$")


def _federated_service_accounts(model: Model) -> None:
    """Kubernetes ServiceAccounts federate to the cloud identities whose trust names them.

    GKE workload identity (``serviceAccount:P.svc.id.goog[ns/sa]`` holding
    roles/iam.workloadIdentityUser on a GCP service account) and Azure federated
    credentials (``issuer#system:serviceaccount:ns:sa``). The issuer or workload pool
    is not matched to a cluster: a ServiceAccount of that name anywhere links.
    """
    for trust in model.trusts:
        target = model.identities.get(trust.identity)
        if target is None or target.provider not in ("gcp", "azure"):
            continue
        for principal in trust.principals:
            found = _WI_MEMBER.match(principal) if target.provider == "gcp" else None
            if found is not None and "roles/iam.workloadIdentityUser" not in trust.actions:
                found = None
            if found is None and target.provider == "azure":
                found = _K8S_SUBJECT.search(principal)
            if found is None:
                continue
            address = k8s_address(found.group(1), "ServiceAccount", found.group(2))
            sa = model.identities.get(address)
            if sa is not None and trust.identity not in sa.federates_to:
                federates = (*sa.federates_to, trust.identity)
                model.identities[address] = sa.model_copy(update={"federates_to": federates})


_EXTERNAL = ("aws:", "gcp:", "azure:", "vault:")
_EXTERNAL_KINDS = {"aws": "role", "gcp": "service_account", "azure": "principal"}


def _link_credentials(model: Model) -> None:
    """A secret named by ARN in one root and declared in another is one credential.

    Workloads that name it are pointed at the declaring resource, which carries its
    rotation and owner; a name two declarations share links nothing (no guessing).
    """
    declared: dict[str, list[str]] = {}
    for address, credential in model.credentials.items():
        if not address.startswith(_EXTERNAL):
            for name in credential.names:
                declared.setdefault(name, []).append(address)
    replace: dict[str, str] = {}
    for address, credential in model.credentials.items():
        if not address.startswith(_EXTERNAL):
            continue
        # Names in order of preference: the first any declaration has decides.
        for name in credential.names:
            targets = set(declared.get(name, []))
            if targets:
                if len(targets) == 1:
                    replace[address] = targets.pop()
                break
    if not replace:
        return
    for address, workload in list(model.workloads.items()):
        linked = tuple(dict.fromkeys(replace.get(c, c) for c in workload.credentials))
        if linked != workload.credentials:
            model.workloads[address] = workload.model_copy(update={"credentials": linked})
    for address in replace:
        del model.credentials[address]


def link(model: Model) -> Model:
    """Point external principals at declaring resources; add placeholders for the rest."""
    link_vault_logins(model)
    _link_credentials(model)
    _federated_service_accounts(model)
    roles: dict[str, list[Identity]] = {}
    user_assigned: dict[str, list[Identity]] = {}
    principals: dict[str, list[Identity]] = {}
    for identity in model.identities.values():
        if not identity.declared:
            continue
        if identity.provider == "aws" and identity.kind == "role":
            roles.setdefault(identity.name, []).append(identity)
        if identity.provider == "azure" and identity.kind == "user_assigned_identity":
            user_assigned.setdefault(identity.name.lower(), []).append(identity)
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
        if not candidates and provider == "azure":
            # A resource id pasted from another root: its name, as for AWS roles.
            candidates = user_assigned.get(_user_assigned_name(principal) or "", [])
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
            linked = tuple(
                dict.fromkeys(target(t, identity.environment) for t in identity.federates_to)
            )
            model.identities[address] = identity.model_copy(update={"federates_to": linked})
    replaced: set[str] = set()
    for address, workload in list(model.workloads.items()):
        linked = tuple(target(i, workload.environment) for i in workload.identities)
        if linked != workload.identities:
            model.workloads[address] = workload.model_copy(update={"identities": linked})
            replaced.update(set(workload.identities) - set(linked))

    referenced = {t for i in model.identities.values() for t in i.federates_to}
    referenced.update(i for w in model.workloads.values() for i in w.identities)
    granted = {g.identity for g in model.grants} | {t.identity for t in model.trusts}
    for address in replaced - referenced - granted:
        # A placeholder an extractor added for what turned out to be a declared identity.
        if address in model.identities and not model.identities[address].declared:
            del model.identities[address]
    for address in sorted(referenced - set(model.identities)):
        provider, _, principal = address.partition(":")
        if provider in ("aws", "gcp", "azure") and is_external_object(address):
            # Its value is another state's or a data source's: the principal is unknown.
            model.identities[address] = Identity(
                address=address,
                principal=Unknown(unknown=principal),
                provider=cast(Provider, provider),
                kind=_EXTERNAL_KINDS[provider],
                name=principal.rsplit(".", 1)[-1],
                declared=False,
            )
        elif provider in ("aws", "gcp", "azure", "vault"):
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
