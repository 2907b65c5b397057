"""Identity-bearing Terraform resources no extractor reads → one warning per type.

A grant declared through a type driftgate does not read (``aws_iam_role_policies_exclusive``,
``google_project_iam_member_remove``, ``google_compute_instance_iam_member``) is simply
absent from the model: without a word, a scan of that tree would read as clean. So every
``resource`` of an identity-bearing family that no extractor handles is named, once per
type, with how many there are and where the first one is. A warning, never an error: the
rest of the tree is analysed as usual, and the exit code is what the findings make it.

The families are the provider surfaces that create identities, grant or bound
permissions, establish trust, or issue and store credentials. Other resources (buckets,
networks) say nothing about identity, and data sources create nothing: neither is judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.registry import handles_resource_type
from driftgate.analyzer.terraform.modules import ResourceInstance

IDENTITY_FAMILIES: tuple[str, ...] = (
    # AWS: IAM itself; Identity Center (permission sets, its users and groups); workloads
    # outside AWS and inside EKS taking roles; Cognito federating into roles; service
    # control policies (guardrails); secrets and their resource policies.
    "aws_iam_*",
    "aws_ssoadmin_*",
    "aws_identitystore_*",
    "aws_rolesanywhere_*",
    "aws_eks_access_*",
    "aws_eks_pod_identity_*",
    "aws_eks_identity_provider_config",
    "aws_cognito_identity_pool*",
    "aws_organizations_policy*",
    "aws_secretsmanager_*",
    # GCP: IAM on any resource (including `_remove` and custom roles), IAM's own
    # resources (pools, deny and boundary policies), service accounts and their keys,
    # service agents, secrets.
    "google_*_iam_*",
    "google_iam_*",
    "google_service_account*",
    "google_project_default_service_accounts",
    "google_project_service_identity",
    "google_secret_manager_*",
    # Azure: RBAC (ARM and data-plane role assignments, PIM), managed and federated
    # identities, Key Vault access, and all of Entra ID.
    "azurerm_role_*",
    "azurerm_*_role_assignment",
    "azurerm_*_role_definition",
    "azurerm_pim_*",
    "azurerm_*identity*",
    "azurerm_key_vault_access_policy",
    "azurerm_key_vault_secret",
    "azuread_*",
    # Kubernetes through Terraform: RBAC, service accounts, secrets, tokens, client
    # certificates.
    "kubernetes_*role*",
    "kubernetes_*service_account*",
    "kubernetes_secret*",
    "kubernetes_token_request*",
    "kubernetes_certificate_signing_request*",
    # Vault: auth methods and their roles, identities, policies, tokens, secrets engines
    # and the secrets they hold; `generic_endpoint` writes any path, users included.
    "vault_*auth_backend*",
    "vault_identity_*",
    "vault_*policy*",
    "vault_token*",
    "vault_*secret*",
    "vault_mount",
    "vault_github_*",
    "vault_mfa_*",
    "vault_generic_endpoint",
)
# Inside those families, but bearing no identity: an audit log configuration, encryption
# keys nobody authenticates with, the account's display alias, and the password rules of
# people's console logins (seen on terraform-aws-iam: warnings nobody could act on).
_NOT_IDENTITY: tuple[str, ...] = (
    "google_*_iam_audit_config",
    "vault_transit_*",
    "aws_iam_account_alias",
    "aws_iam_account_password_policy",
)


def identity_bearing(resource_type: str) -> bool:
    """Whether resources of this type create, grant, trust or hold identity."""
    if any(fnmatchcase(resource_type, pattern) for pattern in _NOT_IDENTITY):
        return False
    return any(fnmatchcase(resource_type, pattern) for pattern in IDENTITY_FAMILIES)


def unmodelled(instances: Iterable[ResourceInstance]) -> list[Diagnostic]:
    """One warning per identity-bearing type no extractor reads, at its first resource."""
    by_type: dict[str, list[ResourceInstance]] = {}
    for inst in instances:
        if inst.mode == "resource" and not inst.dormant and not handles_resource_type(inst.type):
            by_type.setdefault(inst.type, []).append(inst)
    found: list[Diagnostic] = []
    for resource_type, members in sorted(by_type.items()):
        if not identity_bearing(resource_type):
            continue
        first = min(members, key=lambda i: (i.path, i.block.line, i.full_address))
        # Every instance is a resource of its own: per count index, for_each key and root.
        count = len({inst.full_address for inst in members})
        noun = "resource" if count == 1 else "resources"
        message = (
            f"resource type {resource_type} is not modelled ({count} {noun}): "
            "the identities, grants, trusts or credentials it declares are not analysed"
        )
        found.append(
            Diagnostic(first.path, first.block.line, message, "unmodelled-type", "warning")
        )
    return found
