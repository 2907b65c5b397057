"""One home per provider: every provider has a spec, and nothing else branches on names.

A provider added to the model without a spec would pass type checks while the checks
that ask about it fell silent; these tests make that impossible to miss.
"""

from __future__ import annotations

import ast as pyast
import re
from pathlib import Path
from typing import get_args

import pytest

from driftgate.analyzer.model import Identity, Permission, Trust
from driftgate.analyzer.model.entities import Provider
from driftgate.analyzer.providers import (
    PROVIDERS,
    SPECS,
    UnknownProvider,
    Wildcard,
    covers,
    human,
    level,
    principal_account,
    principal_covers,
    spec,
)

ROOT = Path(__file__).resolve().parent.parent
# Where provider knowledge must not leak: the rooms that only ask the specs.
NEUTRAL = ("checks", "analyzer/diff", "analyzer/report", "analyzer/engine")
BRANCH = re.compile(r"\bprovider\s*(==|!=)|\bprovider\s+(not\s+)?in\s*[({\[]")


def test_every_provider_the_model_can_name_has_a_spec() -> None:
    assert set(SPECS) == set(get_args(Provider)) == set(PROVIDERS)
    for name, found in SPECS.items():
        assert found.name == name


def test_a_provider_without_a_spec_is_refused_loudly() -> None:
    with pytest.raises(UnknownProvider):
        spec("oracle")
    with pytest.raises(UnknownProvider):
        level(Permission(action="read", resource="x"), "oracle")


@pytest.mark.parametrize("folder", NEUTRAL)
def test_no_check_diff_report_or_engine_branches_on_a_provider_name(folder: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BRANCH.search(line)
    ]
    assert offenders == []


_PROVIDER_WORDS = re.compile(r"^(aws|google|azurerm|azuread|kubernetes|vault)(_|$)")


def _code_strings(source: str) -> list[tuple[int, str]]:
    """String constants that are not docstrings: what the code branches or indexes on."""
    tree = pyast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in pyast.walk(tree)
        if isinstance(node, pyast.Module | pyast.ClassDef | pyast.FunctionDef)
        and node.body
        and isinstance(node.body[0], pyast.Expr)
        and isinstance(node.body[0].value, pyast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in pyast.walk(tree)
        if isinstance(node, pyast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_terraform_readers_know_no_provider() -> None:
    """Partition data sources, policy-document rendering and default tags are taught
    to the evaluator by the provider rooms; the readers name no provider themselves."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted((ROOT / "analyzer" / "terraform").rglob("*.py"))
        for line, text in _code_strings(path.read_text(encoding="utf-8"))
        if _PROVIDER_WORDS.match(text)
    ]
    assert offenders == []


def _identity(provider: Provider, kind: str, name: str = "x") -> Identity:
    return Identity(address=f"{provider}:{name}", provider=provider, kind=kind, name=name)


def test_default_identities_are_the_specs_business() -> None:
    defaults = {
        p: [
            k
            for k in ("ServiceAccount", "default_service_account", "kubelet_identity", "role")
            if spec(p).is_default_identity(_identity(p, k, "default"))
        ]
        for p in PROVIDERS
    }
    assert defaults == {
        "aws": [],
        "gcp": ["default_service_account"],
        "azure": ["kubelet_identity"],
        "kubernetes": ["ServiceAccount"],
        "vault": [],
    }
    # A ServiceAccount not named default is not the default one.
    assert not spec("kubernetes").is_default_identity(_identity("kubernetes", "ServiceAccount"))


def test_trust_words_and_who_may_be_let_in() -> None:
    web_identity = Trust(identity="r", actions=("sts:AssumeRoleWithWebIdentity",), via="t")
    tagging_only = Trust(identity="r", actions=("sts:TagSession",), via="t")
    assert spec("aws").trust_actions(web_identity) == ("assume",)
    assert spec("aws").trust_actions(tagging_only) == ()
    # People do not sign in with a web identity token; they do with AssumeRole.
    assert not spec("aws").lets_people_in(web_identity)
    assert spec("aws").lets_people_in(Trust(identity="r", actions=("sts:Assume*",), via="t"))
    assert not spec("vault").lets_people_in(Trust(identity="v", via="t"))
    role_holder = Trust(identity="m", actions=("Managed Identity Operator",), via="t")
    federated = Trust(identity="m", via="t")
    assert spec("azure").trust_verb(role_holder) == "act as"
    assert spec("azure").trust_verb(federated) == "federate into"
    assert spec("gcp").trust_verb(federated) == "impersonate"


def test_vault_judges_aws_secrets_engine_actions_as_aws() -> None:
    broad = Permission(action="s3:*", resource="*")
    narrow = Permission(action="s3:GetObject", resource="arn:aws:s3:::models/*")
    assert covers("vault", broad, narrow)
    assert level(Permission(action="iam:PassRole", resource="*"), "vault") == "escalation"
    assert level(Permission(action="read", resource="secret/data/x"), "vault") == "read"


def test_only_kubernetes_restricts_by_resource_name() -> None:
    named = Permission(action="get", resource="core/secrets#db", scope="ml")
    every = Permission(action="get", resource="core/secrets", scope="ml")
    restricted = spec("kubernetes").restricted_by_name
    assert restricted is not None and restricted(named, every)
    for provider in ("aws", "gcp", "azure", "vault"):
        assert spec(provider).restricted_by_name is None


def _always(permission: Permission) -> bool:
    return True


@pytest.mark.parametrize(
    ("provider", "permission", "deploy", "admin"),
    [
        ("aws", Permission(action="sagemaker:*", resource="*"), True, False),
        ("aws", Permission(action="iam:PutRolePolicy", resource="*"), False, True),
        ("aws", Permission(action="iam:PassRole", resource="*"), False, False),
        ("aws", Permission(action="*", resource="*"), True, True),
        ("gcp", Permission(action="roles/run.developer", resource="projects/p"), True, False),
        ("gcp", Permission(action="roles/owner", resource="projects/p"), True, True),
        ("azure", Permission(action="Contributor", resource="/subscriptions/s"), True, False),
        ("azure", Permission(action="Microsoft.Authorization/*", resource="/"), False, True),
        (
            "kubernetes",
            Permission(action="patch", resource="apps/deployments", scope="ml"),
            True,
            False,
        ),
        (
            "kubernetes",
            Permission(action="bind", resource="rbac.authorization.k8s.io/roles", scope="ml"),
            False,
            True,
        ),
        ("vault", Permission(action="sudo", resource="sys/*"), False, False),
    ],
)
def test_deployment_and_admin_rights_are_each_providers_vocabulary(
    provider: str, permission: Permission, deploy: bool, admin: bool
) -> None:
    rights = spec(provider).rights(_always, permission)
    assert (rights.deploy is not None, rights.admin is not None) == (deploy, admin)
    # What the identity does not hold gives nothing.
    assert spec(provider).rights(lambda p: False, permission).admin is None


def test_wildcards_and_managed_policies_known_by_name() -> None:
    aws = spec("aws")
    assert aws.wildcard(Permission(action="s3:*", resource="*")) == Wildcard("s3:* on *", False)
    assert aws.wildcard(Permission(action="s3:*", resource="arn:aws:s3:::b/*")) is None
    full = aws.policy_wildcard("arn:aws:iam::aws:policy/AdministratorAccess")
    assert full is not None and full.full_admin
    assert aws.policy_rights("arn:aws:iam::aws:policy/IAMFullAccess").admin is not None
    cluster_admin = Permission(action="*", resource="*/*", scope="*")
    assert spec("kubernetes").wildcard(cluster_admin) == Wildcard("* on */* cluster-wide", True)
    assert spec("vault").wildcard(Permission(action="*", resource="*")) is None


def test_principal_vocabulary_is_each_providers() -> None:
    role = "AWS:arn:aws:iam::111122223333:role/ci"
    root = "AWS:arn:aws:iam::111122223333:root"
    # An account root names the account's roles: AWS's rule, asked through its spec.
    assert spec("aws").principal_covers(root, role) is True
    assert spec("aws").principal_covers("AWS:arn:aws:iam::444455556666:root", role) is None
    assert spec("aws").principal_covers("user:ana@example.com", role) is None
    assert principal_covers(root, role) and not principal_covers(role, root)
    assert principal_account(role) == "111122223333"
    assert principal_account("serviceAccount:ci@acme.iam.gserviceaccount.com") is None
    # People, per notation; a workload's principal is none of them.
    assert spec("gcp").human_principal("user:ana@example.com") == "a person"
    assert spec("aws").human_principal("user:ana@example.com") is None
    assert human("AWS:arn:aws:iam::111122223333:user/ana") == "an IAM user"
    assert human("allUsers") == human("*") == "anyone"
    assert human(role) is None


@pytest.mark.parametrize(
    "pattern",
    [
        "iam:*",
        "IAM:Put*",
        "s3:PutBucketPolicy",
        "s3:Put*",
        "s?:Put*",
        "*:Put*",
        "*",
        "ec2:*",
        "kms:*Grant*",
        "NOT s3:*",
        "sts:AssumeRole",
        "iam:PassRole",
        "lambda:Add*",
        "nosuch:*",
    ],
)
def test_admin_actions_by_service_are_those_a_full_scan_finds(pattern: str) -> None:
    """The service-prefix shortcut finds exactly what matching every admin action finds."""
    from driftgate.analyzer.permissions.globs import matches
    from driftgate.analyzer.providers import aws

    if pattern.startswith("NOT "):
        expected = tuple(
            a for a in aws._admin_actions() if not matches(pattern[4:], a, case_sensitive=False)
        )
    else:
        expected = tuple(
            a for a in aws._admin_actions() if matches(pattern, a, case_sensitive=False)
        )
    assert aws._admin_match(pattern) == expected
    broad = Permission(action=pattern, resource="*")
    deploy = tuple(
        a
        for a in aws._DEPLOY
        if broad == Permission(action=a, resource="*")
        or covers("aws", broad, Permission(action=a, resource="*"))
    )
    assert aws._deploy_match(pattern) == deploy
    assert aws.may_give_rights(pattern) == (
        pattern == "*" or bool(expected) or bool(aws._deploy_match(pattern))
    )
