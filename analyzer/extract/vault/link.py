"""Kubernetes ServiceAccounts → the Vault roles they may log in with.

A ``vault_kubernetes_auth_backend_role`` (or a JWT role whose bound subject is a
ServiceAccount) trusts ``system:serviceaccount:<namespace>:<name>`` principals, wildcards
included. Each ServiceAccount of the merged model whose principal matches one gains a
``federates_to`` link to the Vault role, so that a workload running as it reaches the
role's grants, and through them the secrets engine roles the role may read.

This runs on the merged model (ServiceAccounts come from YAML and Terraform, roles from
Terraform), after :func:`driftgate.analyzer.extract.link.merge` and before placeholders are added.
"""

from __future__ import annotations

import re

from driftgate.analyzer.model import Model

_SERVICE_ACCOUNT = "system:serviceaccount:"


def _pattern(principal: str) -> re.Pattern[str]:
    """Vault's bound names and namespaces glob with ``*`` only; nothing else is special."""
    return re.compile(".*".join(re.escape(part) for part in principal.split("*")))


def link_vault_logins(model: Model) -> Model:
    """Add ``federates_to`` from each ServiceAccount to the Vault roles that trust it."""
    patterns: list[tuple[re.Pattern[str], str]] = []
    for trust in model.trusts:
        target = model.identities.get(trust.identity)
        if target is None or target.provider != "vault":
            continue
        patterns += [
            (_pattern(principal), trust.identity)
            for principal in trust.principals
            if principal.startswith(_SERVICE_ACCOUNT)
        ]
    if not patterns:
        return model
    for address, identity in list(model.identities.items()):
        principal = identity.principal
        if identity.provider != "kubernetes" or not isinstance(principal, str):
            continue
        roles = [role for pattern, role in patterns if pattern.fullmatch(principal)]
        if roles:
            federates = tuple(dict.fromkeys([*identity.federates_to, *roles]))
            model.identities[address] = identity.model_copy(update={"federates_to": federates})
    return model
