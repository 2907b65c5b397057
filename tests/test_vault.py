"""Vault: policies as grants of the roles and tokens that name them, logins as trusts,
token lifetimes as credentials, secrets engine roles as identities reached through paths."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.vault.extract import extract_vault
from driftgate.analyzer.extract.vault.link import link_vault_logins
from driftgate.analyzer.extract.vault.policy import parse_policy, path_matches
from driftgate.analyzer.extract.vault.values import (
    VAULT_DEFAULT_MAX_TTL,
    duration_seconds,
    token_lifetime,
)
from driftgate.analyzer.model import Grant, Location, Model, Permission, Unknown
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.parse.yaml_docs import load_yaml
from driftgate.analyzer.terraform.modules import TerraformProject
from driftgate.analyzer.terraform.values import UnknownValue

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "model-vault.json"
PATH = "envs/prod/main.tf"
ROLE = "envs/prod:vault_kubernetes_auth_backend_role.llm"


def _model(text: str, path: str = PATH) -> Model:
    parsed = parse_hcl(path, textwrap.dedent(text))
    return extract_vault(list(TerraformProject([parsed]).instances()), ExtractOptions())


def _actions(grant: Grant) -> list[tuple[str, str]]:
    return [(p.action, p.resource) for p in grant.permissions]


# --- durations and lifetimes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1h", 3600),
        ("768h", 2764800),
        ("30m", 1800),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("10d", 864000),
        ("90s", 90),
        ("500ms", 0),
        (3600, 3600),
        ("3600", 3600),
        (" 2h ", 7200),
        ("0", 0),
        (0, 0),
    ],
)
def test_durations_are_seconds(value: object, seconds: int) -> None:
    assert duration_seconds(value) == seconds


@pytest.mark.parametrize(
    "value",
    [None, "", "h", "1x", "1h 30m", "-1h", -5, True, [3600], UnknownValue("var.ttl"), "9" * 80],
)
def test_what_is_not_a_duration_is_none(value: object) -> None:
    assert duration_seconds(value) is None


def test_token_lifetime() -> None:
    default = VAULT_DEFAULT_MAX_TTL
    assert token_lifetime(3600, 86400, None, None, default) == 86400  # the longest stated
    assert token_lifetime(7200, None, None, None, default) == 7200
    assert token_lifetime(None, None, None, None, default) == default  # nothing stated
    assert token_lifetime(3600, None, None, 86400, default) is None  # periodic: renewed forever
    assert token_lifetime(None, None, 1800, 86400, default) == 1800  # explicit max caps it
    assert token_lifetime(3600, 86400, 7200, None, default) == 7200


# --- policies -----------------------------------------------------------------------------


def test_policy_text_becomes_rules_located_in_the_file() -> None:
    text = textwrap.dedent(
        """\
        # comment
        path "secret/data/llm/*" {
          capabilities = ["read", "list", "READ"]
          allowed_parameters = {
            "version" = ["1", "2"]
          }
        }

        path "sys/*" {
          policy = "deny"
        }
        path "transit/encrypt/llm" {
          policy = "write"
          max_wrapping_ttl = "5m"
        }
        """
    )
    rules, problem = parse_policy(text, first_line=20)
    assert problem is None
    assert [(r.path, r.capabilities, r.line, r.denies) for r in rules] == [
        ("secret/data/llm/*", ("read", "list"), 21, False),
        ("sys/*", ("deny",), 28, True),
        ("transit/encrypt/llm", ("create", "read", "update", "delete", "list"), 31, False),
    ]
    assert tuple(map(str, rules[0].conditions)) == ("allowed_parameters version=[1, 2]",)
    assert tuple(map(str, rules[2].conditions)) == ("max_wrapping_ttl 5m",)


def test_json_policies_and_broken_policies() -> None:
    rules, problem = parse_policy('{"path": {"kv/data/a": {"capabilities": ["read"]}}}')
    assert problem is None
    assert [(r.path, r.capabilities, r.line) for r in rules] == [("kv/data/a", ("read",), None)]
    assert parse_policy('path "x" {')[1] is not None
    assert parse_policy("{not json")[1] == "policy is not valid JSON"
    assert parse_policy('{"path": 5}')[1] == 'policy JSON has no "path" object'
    rules, problem = parse_policy('path "a" { capabilities = [var.x, 5] }')
    assert problem is None
    assert rules[0].capabilities == ()
    assert rules[0].unknown == ("capability ${var.x}", "capability 5")


def test_vault_path_globbing() -> None:
    assert path_matches("aws/creds/*", "aws/creds/llm")
    assert path_matches("*", "postgres/creds/x")
    assert path_matches("secret/+/llm", "secret/data/llm")
    assert not path_matches("secret/+/llm", "secret/data/more/llm")
    assert not path_matches("aws/creds/llm", "aws/creds/llm-admin")
    assert path_matches("aws/creds/llm*", "aws/creds/llm-admin")
    assert not path_matches("a.b", "axb")


# --- roles: identities, grants, trusts, tokens --------------------------------------------

KUBERNETES_ROLE = """\
resource "vault_auth_backend" "k8s" {
  type = "kubernetes"
  path = "k8s-prod"
}

resource "vault_policy" "reader" {
  name   = "llm-reader"
  policy = <<EOT
path "secret/data/llm/*" {
  capabilities = ["read"]
}
path "secret/data/llm/admin" {
  capabilities = ["deny"]
}
EOT
}

resource "vault_kubernetes_auth_backend_role" "llm" {
  backend                          = vault_auth_backend.k8s.path
  role_name                        = "llm-inference"
  bound_service_account_names      = ["llm", "llm-*"]
  bound_service_account_namespaces = ["ml-prod", "*"]
  token_policies                   = [vault_policy.reader.name, "metrics"]
  token_ttl                        = 3600
  token_max_ttl                    = "24h"
}
"""


def test_kubernetes_role_is_an_identity_with_the_grants_of_its_policies() -> None:
    model = _model(KUBERNETES_ROLE)
    role = model.identities[ROLE]
    assert (role.provider, role.kind, role.name) == (
        "vault",
        "kubernetes_auth_role",
        "llm-inference",
    )
    assert role.principal == "auth/k8s-prod/role/llm-inference"
    assert role.environment == "prod"
    assert role.location == Location(path=PATH, line=18, end_line=26)
    read, deny, unknown = model.grants_of(ROLE)
    binding = Location(path=PATH, line=23)
    assert (read.effect, _actions(read), read.location, read.binding) == (
        "allow",
        [("read", "secret/data/llm/*")],
        Location(path=PATH, line=9),
        binding,
    )
    assert (deny.effect, _actions(deny), deny.location) == (
        "deny",
        [("*", "secret/data/llm/admin")],
        Location(path=PATH, line=12),
    )
    assert read.via == 'vault_kubernetes_auth_backend_role.llm → vault_policy "llm-reader"'
    assert unknown.permissions == ()
    assert unknown.unknown == ('policy "metrics" is not declared in the repository',)
    assert unknown.location == binding
    # The policies alone are not identities.
    assert list(model.identities) == [ROLE]


def test_kubernetes_role_trusts_each_namespace_and_name_pair() -> None:
    (trust,) = _model(KUBERNETES_ROLE).trusts
    assert trust.identity == ROLE
    assert trust.principals == (
        "system:serviceaccount:ml-prod:llm",
        "system:serviceaccount:ml-prod:llm-*",
        "system:serviceaccount:*:llm",
        "system:serviceaccount:*:llm-*",
    )
    assert trust.location == Location(path=PATH, line=21)


def test_role_token_lives_the_longest_stated_ttl() -> None:
    model = _model(KUBERNETES_ROLE)
    token = model.credentials[f"{ROLE}/token"]
    assert (token.kind, token.identity, token.ttl_seconds) == ("token", ROLE, 86400)
    assert token.location == Location(path=PATH, line=25)


def test_defaults_backend_and_mount_tune() -> None:
    model = _model(
        """\
        resource "vault_auth_backend" "k8s" {
          type = "kubernetes"
          tune {
            max_lease_ttl = "12h"
          }
        }
        resource "vault_kubernetes_auth_backend_role" "a" {
          role_name                   = "a"
          bound_service_account_names = ["a"]
        }
        """
    )
    role = model.identities["envs/prod:vault_kubernetes_auth_backend_role.a"]
    assert role.principal == "auth/kubernetes/role/a"
    token = model.credentials["envs/prod:vault_kubernetes_auth_backend_role.a/token"]
    assert token.ttl_seconds == 12 * 3600  # the mount's tune, found by its default path
    assert model.trusts[0].principals == ("*",)  # no namespace bound: nothing to pair


def test_unknown_backend_and_policy_stay_unknown() -> None:
    model = _model(
        """\
        variable "backend" { type = string }
        variable "policies" { type = list(string) }
        variable "policy_name" { type = string }
        resource "vault_policy" "p" {
          name   = var.policy_name
          policy = file("policies/p.hcl")
        }
        resource "vault_kubernetes_auth_backend_role" "a" {
          backend                     = var.backend
          role_name                   = "a"
          bound_service_account_names = ["a"]
          token_policies              = var.policies
        }
        resource "vault_kubernetes_auth_backend_role" "b" {
          role_name                   = "b"
          bound_service_account_names = ["b"]
          token_policies              = [vault_policy.p.name]
        }
        """
    )
    a = "envs/prod:vault_kubernetes_auth_backend_role.a"
    assert model.identities[a].principal == Unknown(
        unknown="vault_kubernetes_auth_backend_role.a.id"
    )
    (grant,) = model.grants_of(a)
    assert grant.unknown == ("policies ${var.policies} are not known statically",)
    assert grant.location == Location(path=PATH, line=12)
    # A policy named by reference is found even when its name is unknown.
    (grant,) = model.grants_of("envs/prod:vault_kubernetes_auth_backend_role.b")
    assert grant.unknown == ('policy ${file("policies/p.hcl")} is not known statically',)
    assert grant.location == Location(path=PATH, line=6)
    assert grant.binding == Location(path=PATH, line=17)


def test_one_unknown_interpolation_does_not_hide_the_rest_of_a_policy() -> None:
    model = _model(
        """\
        variable "team" { type = string }
        resource "vault_policy" "p" {
          name   = "p"
          policy = <<-EOT
            path "secret/data/${var.team}/*" {
              capabilities = ["read"]
            }
            path "sys/health" {
              capabilities = ["read", "sudo"]
            }
          EOT
        }
        resource "vault_token" "t" {
          policies = ["p"]
          ttl      = "1h"
        }
        """
    )
    first, second = model.grants_of("envs/prod:vault_token.t")
    assert _actions(first) == [("read", "secret/data/${var.team}/*")]
    assert first.unknown == ("${var.team}",)
    assert first.location == Location(path=PATH, line=5)
    assert (_actions(second), second.unknown) == (
        [("read", "sys/health"), ("sudo", "sys/health")],
        (),
    )
    assert second.location == Location(path=PATH, line=8)


def test_policy_document_data_source_rules_are_located_at_each_rule() -> None:
    model = _model(
        """\
        data "vault_policy_document" "d" {
          rule {
            path         = "auth/token/create"
            capabilities = ["update", "sudo"]
          }
          rule {
            path         = "kv/data/app"
            capabilities = ["create"]
            denied_parameter {
              key   = "owner"
              value = []
            }
          }
        }
        resource "vault_policy" "p" {
          name   = "deployer"
          policy = data.vault_policy_document.d.hcl
        }
        resource "vault_jwt_auth_backend_role" "ci" {
          role_name      = "ci"
          bound_subject  = "repo:acme/ml:ref:refs/heads/main"
          token_policies = ["Deployer"]
        }
        """
    )
    sudo, kv = model.grants_of("envs/prod:vault_jwt_auth_backend_role.ci")
    assert _actions(sudo) == [("update", "auth/token/create"), ("sudo", "auth/token/create")]
    assert sudo.location == Location(path=PATH, line=2)
    assert tuple(map(str, kv.conditions)) == ("denied_parameters owner=[]",)
    assert kv.location == Location(path=PATH, line=6)


def test_root_policy_and_declared_default_policy() -> None:
    model = _model(
        """\
        resource "vault_policy" "default" {
          name   = "default"
          policy = "path \\"cubbyhole/*\\" { capabilities = [\\"read\\"] }"
        }
        resource "vault_token" "admin" {
          policies = ["root"]
        }
        resource "vault_token" "plain" {
          policies          = []
          no_default_policy = true
        }
        """
    )
    root, default = model.grants_of("envs/prod:vault_token.admin")
    assert ("sudo", "*") in _actions(root)
    assert root.via == 'vault_token.admin → vault_policy "root" (built-in)'
    assert _actions(default) == [("read", "cubbyhole/*")]
    assert default.location == Location(path=PATH, line=3)
    assert model.grants_of("envs/prod:vault_token.plain") == []


def test_jwt_role_trusts_its_subject_under_claims_and_issuer() -> None:
    model = _model(
        """\
        resource "vault_jwt_auth_backend" "k8s" {
          path         = "k8s-oidc"
          bound_issuer = "https://kubernetes.default.svc"
        }
        resource "vault_jwt_auth_backend_role" "llm" {
          backend         = vault_jwt_auth_backend.k8s.path
          role_name       = "llm"
          bound_subject   = "system:serviceaccount:ml-prod:llm"
          bound_audiences = ["vault"]
          bound_claims = {
            "kubernetes.io/namespace" = "ml-prod,ml-staging"
          }
        }
        """
    )
    (trust,) = model.trusts
    assert trust.principals == ("system:serviceaccount:ml-prod:llm",)
    assert tuple(map(str, trust.conditions)) == (
        "issuer: https://kubernetes.default.svc",
        "bound_audiences: vault",
        "claim kubernetes.io/namespace: ml-prod, ml-staging",
    )
    assert model.identities["envs/prod:vault_jwt_auth_backend_role.llm"].principal == (
        "auth/k8s-oidc/role/llm"
    )


def test_cloud_auth_roles_trust_their_bound_principals() -> None:
    model = _model(
        """\
        resource "vault_aws_auth_backend_role" "a" {
          role                     = "a"
          bound_iam_principal_arns = ["arn:aws:iam::1:role/x"]
          bound_regions            = ["eu-west-1"]
        }
        resource "vault_gcp_auth_backend_role" "g" {
          role                   = "g"
          type                   = "gce"
          bound_projects         = ["p"]
        }
        resource "vault_azure_auth_backend_role" "z" {
          role            = "z"
          bound_group_ids = ["g1"]
        }
        """
    )
    trusts = {t.identity.rsplit(".", 1)[-1]: t for t in model.trusts}
    assert (trusts["a"].principals, tuple(map(str, trusts["a"].conditions))) == (
        ("arn:aws:iam::1:role/x",),
        ("bound_regions: eu-west-1",),
    )
    assert (trusts["g"].principals, tuple(map(str, trusts["g"].conditions))) == (
        ("*",),
        ("type: gce", "bound_projects: p"),
    )
    assert trusts["z"].principals == ("group:g1",)
    kinds = {i.kind for i in model.identities.values()}
    assert kinds == {"aws_auth_role", "gcp_auth_role", "azure_auth_role"}
    assert (
        model.identities["envs/prod:vault_gcp_auth_backend_role.g"].principal == "auth/gcp/role/g"
    )


def test_approle_secret_ids_are_client_secrets() -> None:
    model = _model(
        """\
        resource "vault_approle_auth_backend_role" "etl" {
          role_name     = "etl"
          secret_id_ttl = "720h"
        }
        resource "vault_approle_auth_backend_role_secret_id" "etl" {
          role_name = vault_approle_auth_backend_role.etl.role_name
          ttl       = 3600
        }
        resource "vault_approle_auth_backend_role" "batch" {
          role_name = "batch"
        }
        resource "vault_approle_auth_backend_role" "open" {
          role_name      = "open"
          bind_secret_id = false
        }
        """
    )
    etl = "envs/prod:vault_approle_auth_backend_role.etl"
    declared = model.credentials["envs/prod:vault_approle_auth_backend_role_secret_id.etl"]
    assert (declared.kind, declared.identity, declared.ttl_seconds) == ("client_secret", etl, 3600)
    assert f"{etl}/secret_id" not in model.credentials  # the declared one stands for it
    batch = model.credentials["envs/prod:vault_approle_auth_backend_role.batch/secret_id"]
    assert (batch.kind, batch.ttl_seconds) == ("client_secret", None)  # Vault's default: forever
    assert "envs/prod:vault_approle_auth_backend_role.open/secret_id" not in model.credentials
    trusts = {t.identity.rsplit(".", 1)[-1]: t.principals for t in model.trusts}
    assert trusts == {
        "etl": ("role_id+secret_id",),
        "batch": ("role_id+secret_id",),
        "open": ("role_id",),
    }


@pytest.mark.parametrize(
    ("arguments", "ttl"),
    [
        ('ttl = "720h"', 720 * 3600),
        ("", VAULT_DEFAULT_MAX_TTL),
        ('period = "24h"', None),
        ('period = "24h"\n  explicit_max_ttl = "48h"', 48 * 3600),
    ],
)
def test_vault_token_lifetime(arguments: str, ttl: int | None) -> None:
    model = _model(f'resource "vault_token" "t" {{\n  {arguments}\n}}\n')
    token = model.credentials["envs/prod:vault_token.t"]
    assert (token.kind, token.identity, token.ttl_seconds) == (
        "token",
        "envs/prod:vault_token.t",
        ttl,
    )


# --- secrets engine roles -----------------------------------------------------------------

SECRET_ROLES = """\
resource "vault_policy" "reader" {
  name   = "reader"
  policy = <<EOT
path "aws/creds/*" {
  capabilities = ["read"]
}
path "aws/creds/admin" {
  capabilities = ["deny"]
}
EOT
}

resource "vault_kubernetes_auth_backend_role" "llm" {
  role_name                   = "llm"
  bound_service_account_names = ["llm"]
  token_policies              = ["reader"]
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
}

resource "vault_aws_secret_backend_role" "models" {
  backend                  = "aws"
  name                     = "models"
  credential_type          = "assumed_role"
  role_arns                = [aws_iam_role.deploy.arn]
  permissions_boundary_arn = "arn:aws:iam::1:policy/boundary"
  policy_arns              = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
  max_sts_ttl              = 7200
  policy_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}

resource "vault_aws_secret_backend_role" "admin" {
  backend         = "aws"
  name            = "admin"
  credential_type = "iam_user"
  policy_arns     = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

resource "vault_database_secret_backend_role" "db" {
  backend     = "postgres"
  name        = "ro"
  db_name     = "features"
  default_ttl = "1h"
}
"""


def test_aws_secret_role_is_an_identity_with_aws_grants() -> None:
    model = _model(SECRET_ROLES)
    models = "envs/prod:vault_aws_secret_backend_role.models"
    identity = model.identities[models]
    assert (identity.kind, identity.principal) == ("aws_secret_role", "aws/creds/models")
    assert identity.federates_to == ("envs/prod:aws_iam_role.deploy",)
    document, managed = model.grants_of(models)
    assert _actions(document) == [("s3:GetObject", "*")]
    assert tuple(map(str, document.conditions)) == (
        "permissions boundary arn:aws:iam::1:policy/boundary",
    )
    assert document.location == Location(path=PATH, line=33)
    assert _actions(managed) == []
    assert managed.policy == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    assert managed.unresolved and managed.conditions == document.conditions
    creds = model.credentials[f"{models}/creds"]
    assert (creds.kind, creds.ttl_seconds) == ("token", 7200)
    admin = model.credentials["envs/prod:vault_aws_secret_backend_role.admin/creds"]
    assert admin.ttl_seconds == VAULT_DEFAULT_MAX_TTL  # no mount declared: Vault's default


def test_vault_identities_that_read_creds_federate_to_the_secret_role() -> None:
    model = _model(SECRET_ROLES)
    role = model.identities["envs/prod:vault_kubernetes_auth_backend_role.llm"]
    # aws/creds/* reaches models; the deny on aws/creds/admin keeps admin out of reach.
    assert role.federates_to == ("envs/prod:vault_aws_secret_backend_role.models",)


def test_database_role_grants_are_unknown_and_its_credential_is_a_lease() -> None:
    model = _model(SECRET_ROLES)
    db = "envs/prod:vault_database_secret_backend_role.db"
    assert model.identities[db].principal == "postgres/creds/ro"
    (grant,) = model.grants_of(db)
    assert grant.unknown == ("privileges in database features are set by SQL, not analysed",)
    assert model.credentials[f"{db}/creds"].ttl_seconds == 3600


# --- the Kubernetes side ------------------------------------------------------------------


def test_service_accounts_federate_to_the_vault_roles_that_trust_them() -> None:
    documents, _ = load_yaml(
        "k8s/prod/llm.yaml",
        textwrap.dedent(
            """\
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: llm, namespace: ml-prod}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: llm-batch, namespace: ml-other}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: web, namespace: ml-prod}
            """
        ).encode(),
    )
    k8s = extract_kubernetes(documents, ExtractOptions())
    model = link_vault_logins(merge([k8s, _model(KUBERNETES_ROLE)]))
    assert model.identities["k8s:ml-prod/ServiceAccount/llm"].federates_to == (ROLE,)
    # Bound by the wildcard namespace "*" with the name "llm-*".
    assert model.identities["k8s:ml-other/ServiceAccount/llm-batch"].federates_to == (ROLE,)
    assert model.identities["k8s:ml-prod/ServiceAccount/web"].federates_to == ()
    workload_grants = [
        g
        for g in model.grants
        if g.identity in model.identities["k8s:ml-prod/ServiceAccount/llm"].federates_to
    ]
    assert Permission(action="read", resource="secret/data/llm/*") in workload_grants[0].permissions


def test_bound_names_may_reference_kubernetes_resources() -> None:
    model = _model(
        """\
        resource "kubernetes_namespace" "ml" {
          metadata { name = "ml-prod" }
        }
        resource "kubernetes_service_account" "llm" {
          metadata {
            name      = "llm"
            namespace = kubernetes_namespace.ml.metadata[0].name
          }
        }
        resource "vault_kubernetes_auth_backend_role" "llm" {
          role_name                        = "llm"
          bound_service_account_names      = [kubernetes_service_account.llm.metadata[0].name]
          bound_service_account_namespaces = [kubernetes_service_account.llm.metadata[0].namespace]
        }
        """
    )
    assert model.trusts[0].principals == ("system:serviceaccount:ml-prod:llm",)


def test_hostile_argument_shapes_never_raise() -> None:
    model = _model(
        """\
        resource "vault_kubernetes_auth_backend_role" "odd" {
          role_name                        = 5
          backend                          = ["x"]
          bound_service_account_names      = { a = 1 }
          bound_service_account_namespaces = "ns"
          token_policies                   = 7
          token_ttl                        = "forever"
          token_max_ttl                    = true
        }
        resource "vault_policy" "odd" {
          name   = ["x"]
          policy = 12
        }
        resource "vault_token" "odd" {
          policies = [null, ["nested"], { a = 1 }]
          metadata = "x"
        }
        resource "vault_aws_secret_backend_role" "odd" {
          name            = "odd"
          policy_document = "not json"
          role_arns       = "arn:aws:iam::1:role/x"
        }
        resource "vault_jwt_auth_backend_role" "odd" {
          role_name    = "odd"
          bound_claims = "x"
        }
        """
    )
    odd = "envs/prod:vault_kubernetes_auth_backend_role.odd"
    assert model.identities[odd].principal == Unknown(
        unknown="vault_kubernetes_auth_backend_role.odd.id"
    )
    assert model.credentials[f"{odd}/token"].ttl_seconds == VAULT_DEFAULT_MAX_TTL
    (grant,) = model.grants_of(odd)
    assert grant.unknown == ("policies 7 are not known statically",)
    aws = model.grants_of("envs/prod:vault_aws_secret_backend_role.odd")
    assert aws[0].unknown == ("policy is not valid JSON",)


# --- the realistic fixture, end to end ----------------------------------------------------


def test_realistic_fixture_matches_golden_model(update_golden: bool) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "model", "testdata/model/vault"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    if update_golden:
        GOLDEN.write_text(proc.stdout)
    assert proc.stdout == GOLDEN.read_text(), "golden model changed: review, then --update-golden"


def test_long_unknown_expressions_are_shown_on_one_short_line() -> None:
    model = _model(
        """\
        variable "name" { type = string }
        resource "vault_policy" "p" {
          name = "p"
          policy = templatefile("${path.module}/templates/policies/kv2-read-only.hcl.tpl", {
            name           = var.name
            audit          = false
            extra_policies = ["kv2-read-only", "pki-issue", "transit-encrypt"]
          })
        }
        resource "vault_token" "t" {
          policies = ["p"]
        }
        """
    )
    (grant,) = model.grants_of("envs/prod:vault_token.t")
    (message,) = grant.unknown
    assert "\n" not in message
    assert message.startswith('policy ${templatefile("${path.module}/templates/policies/kv2-read')
    assert message.endswith("… is not known statically")


# --- hostile input, generated -------------------------------------------------------------

_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 10**7),
        st.text('abc*:/-_${}"1hms', max_size=12),
        st.sampled_from(["1h", "768h", "root", "default", "p", "aws", "system:serviceaccount"]),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)
_ARGUMENTS = (
    "backend",
    "role_name",
    "role",
    "name",
    "token_policies",
    "policies",
    "token_ttl",
    "token_max_ttl",
    "token_period",
    "bound_service_account_names",
    "bound_service_account_namespaces",
    "bound_claims",
    "bound_subject",
    "secret_id_ttl",
    "bind_secret_id",
    "ttl",
    "period",
    "explicit_max_ttl",
    "metadata",
    "policy_document",
    "policy_arns",
    "role_arns",
    "credential_type",
    "default_ttl",
)
_TYPES = (
    "vault_kubernetes_auth_backend_role",
    "vault_approle_auth_backend_role",
    "vault_approle_auth_backend_role_secret_id",
    "vault_jwt_auth_backend_role",
    "vault_aws_auth_backend_role",
    "vault_gcp_auth_backend_role",
    "vault_azure_auth_backend_role",
    "vault_token",
    "vault_aws_secret_backend_role",
    "vault_database_secret_backend_role",
    "vault_database_secret_backend_static_role",
    "vault_auth_backend",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource_type=st.sampled_from(_TYPES),
    arguments=st.lists(st.sampled_from(_ARGUMENTS), min_size=1, max_size=6, unique=True),
    values=st.lists(_VALUES, min_size=6, max_size=6),
    policy=st.text('path"{}[]=capbilitesrd*\n #', max_size=60),
)
def test_hostile_arguments_and_policies_never_raise(
    resource_type: str, arguments: list[str], values: list[object], policy: str
) -> None:
    body = "\n".join(f"  {a} = {json.dumps(v)}" for a, v in zip(arguments, values, strict=False))
    text = (
        f'resource "vault_policy" "p" {{\n  name = "p"\n  policy = {json.dumps(policy)}\n}}\n'
        f'resource "{resource_type}" "x" {{\n{body}\n}}\n'
        'resource "vault_token" "t" {\n  policies = ["p"]\n}\n'
    )
    try:
        parse_hcl(PATH, text)
    except Exception:  # inputs HCL itself rejects are out of scope here
        return
    model = _model(text)
    assert "envs/prod:vault_token.t" in model.identities


def test_oidc_roles_are_told_apart_from_jwt_roles() -> None:
    model = _model(
        """\
        resource "vault_jwt_auth_backend_role" "people" {
          role_name             = "people"
          allowed_redirect_uris = ["https://vault.acme.io/ui/vault/auth/oidc/oidc/callback"]
        }
        resource "vault_jwt_auth_backend_role" "typed" {
          role_name = "typed"
          role_type = "oidc"
        }
        resource "vault_jwt_auth_backend_role" "ci" {
          role_name = "ci"
          role_type = "jwt"
        }
        """
    )
    kinds = {i.name: i.kind for i in model.identities.values()}
    assert kinds == {"people": "oidc_auth_role", "typed": "oidc_auth_role", "ci": "jwt_auth_role"}
