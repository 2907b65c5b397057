"""The GCP extractor: service accounts, keys, IAM, workload identity and workloads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.gcp.extract import extract_gcp
from driftgate.analyzer.extract.options import ExtractOptions, InferenceSelectors
from driftgate.analyzer.model import Grant, Location, Model, Permission, Trust, Unknown
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.providers.gcp import iam_condition
from driftgate.analyzer.terraform.modules import TerraformProject

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "testdata" / "model" / "gcp"
GOLDEN = ROOT / "tests" / "golden" / "model-gcp.json"
PROD = "envs/prod/main.tf"


def _model(files: dict[str, str] | str, options: ExtractOptions | None = None) -> Model:
    """The GCP model of Terraform files; a single text is ``envs/prod/main.tf``."""
    if isinstance(files, str):
        files = {PROD: files}
    parsed = [parse_hcl(path, textwrap.dedent(text)) for path, text in files.items()]
    instances = list(TerraformProject(parsed).instances())
    return extract_gcp(instances, options or ExtractOptions())


def _grants(model: Model, identity: str) -> list[Grant]:
    return model.grants_of(identity)


def _trusts(model: Model, identity: str) -> list[Trust]:
    return [t for t in model.trusts if t.identity == identity]


_SA = """\
resource "google_service_account" "llm" {
  project    = "acme-prod"
  account_id = "llm"
}
"""
LLM = "envs/prod:google_service_account.llm"
LLM_EMAIL = "llm@acme-prod.iam.gserviceaccount.com"


# --- service accounts and keys ------------------------------------------------------------


def test_service_account_principal_is_its_email_when_the_project_is_known() -> None:
    model = _model(
        _SA
        + """
        resource "google_service_account" "noproject" {
          account_id = "batch"
        }
        """
    )
    llm = model.identities[LLM]
    assert (llm.principal, llm.kind, llm.name, llm.environment) == (
        LLM_EMAIL,
        "service_account",
        "llm",
        "prod",
    )
    assert llm.location == Location(path=PROD, line=1, end_line=4)
    batch = model.identities["envs/prod:google_service_account.noproject"]
    assert batch.principal == Unknown(unknown="google_service_account.noproject.email")
    assert batch.owner is None and batch.labels == {}


def test_keys_name_their_account_by_reference_email_or_resource_name() -> None:
    model = _model(
        _SA
        + """
        locals {
          email = "llm@acme-prod.iam.gserviceaccount.com"
        }
        resource "google_service_account_key" "by_name" {
          service_account_id = google_service_account.llm.name
        }
        resource "google_service_account_key" "by_id" {
          service_account_id = google_service_account.llm.id
        }
        resource "google_service_account_key" "by_email" {
          service_account_id = local.email
        }
        resource "google_service_account_key" "by_path" {
          service_account_id = "projects/acme-prod/serviceAccounts/${local.email}"
        }
        resource "google_service_account_key" "elsewhere" {
          service_account_id = "ci@acme-ci.iam.gserviceaccount.com"
        }
        resource "google_service_account_key" "unknown" {
          service_account_id = var.account
        }
        """
    )
    keys = {a.rsplit(".", 1)[1]: c for a, c in model.credentials.items()}
    for name in ("by_name", "by_id", "by_email", "by_path"):
        assert keys[name].identity == LLM, name
        assert keys[name].kind == "sa_key" and keys[name].ttl_seconds is None
    assert keys["by_name"].location == Location(path=PROD, line=9, end_line=11)
    assert keys["by_name"].environment == "prod"
    external = model.identities["gcp:ci@acme-ci.iam.gserviceaccount.com"]
    assert keys["elsewhere"].identity == external.address and not external.declared
    assert keys["unknown"].identity == "envs/prod:${var.account}"
    unknown = model.identities["envs/prod:${var.account}"]
    assert unknown.principal == Unknown(unknown="var.account") and not unknown.declared


def test_account_id_matches_an_email_when_the_account_project_is_unknown() -> None:
    model = _model(
        """
        resource "google_service_account" "batch" {
          account_id = "batch"
        }
        resource "google_service_account_key" "k" {
          service_account_id = "batch@acme-prod.iam.gserviceaccount.com"
        }
        """
    )
    key = model.credentials["envs/prod:google_service_account_key.k"]
    assert key.identity == "envs/prod:google_service_account.batch"


def test_same_email_in_two_roots_resolves_within_the_root() -> None:
    sa = """
    resource "google_service_account" "a" {
      project    = "shared"
      account_id = "a"
    }
    """
    key = """
    resource "google_service_account_key" "k" {
      service_account_id = "a@shared.iam.gserviceaccount.com"
    }
    """
    model = _model({"envs/prod/main.tf": sa + key, "envs/dev/main.tf": sa})
    assert model.credentials["envs/prod:google_service_account_key.k"].identity == (
        "envs/prod:google_service_account.a"
    )


def test_data_service_account_resolves_to_its_declaration_by_email() -> None:
    model = _model(
        _SA
        + """
        data "google_service_account" "existing" {
          account_id = "llm"
          project    = "acme-prod"
        }
        resource "google_service_account_key" "k" {
          service_account_id = data.google_service_account.existing.name
        }
        """
    )
    assert model.credentials["envs/prod:google_service_account_key.k"].identity == LLM


def test_access_token_is_a_token_with_its_lifetime() -> None:
    model = _model(
        _SA
        + """
        data "google_service_account_access_token" "short" {
          target_service_account = google_service_account.llm.email
          scopes                 = ["cloud-platform"]
          lifetime               = "300s"
        }
        data "google_service_account_access_token" "default" {
          target_service_account = "llm@acme-prod.iam.gserviceaccount.com"
          scopes                 = ["cloud-platform"]
        }
        """
    )
    short = model.credentials["envs/prod:data.google_service_account_access_token.short"]
    assert (short.kind, short.identity, short.ttl_seconds) == ("token", LLM, 300)
    default = model.credentials["envs/prod:data.google_service_account_access_token.default"]
    assert (default.identity, default.ttl_seconds) == (LLM, 3600)


# --- IAM members, bindings and policies --------------------------------------------------


def test_project_member_by_email_reference_grants_the_role_on_the_project() -> None:
    model = _model(
        _SA
        + """
        resource "google_project_iam_member" "vertex" {
          project = "acme-prod"
          role    = "roles/aiplatform.user"
          member  = "serviceAccount:${google_service_account.llm.email}"
        }
        """
    )
    assert _grants(model, LLM) == [
        Grant(
            identity=LLM,
            permissions=(
                Permission(action="roles/aiplatform.user", resource="projects/acme-prod"),
            ),
            via="google_project_iam_member.vertex",
            location=Location(path=PROD, line=9),
            binding=Location(path=PROD, line=6),
            # The whole block: a change to its role is where a finding points.
            origins=(Location(path=PROD, line=6, end_line=10),),
        )
    ]


def test_members_of_for_each_accounts_resolve_to_each_instance() -> None:
    model = _model(
        """
        resource "google_service_account" "sa" {
          for_each   = toset(["reader", "writer"])
          project    = "acme-prod"
          account_id = each.key
        }
        resource "google_project_iam_member" "m" {
          for_each = google_service_account.sa
          project  = "acme-prod"
          role     = "roles/viewer"
          member   = "serviceAccount:${each.value.email}"
        }
        """
    )
    assert [g.identity for g in model.grants] == [
        'envs/prod:google_service_account.sa["reader"]',
        'envs/prod:google_service_account.sa["writer"]',
    ]
    assert model.identities['envs/prod:google_service_account.sa["writer"]'].principal == (
        "writer@acme-prod.iam.gserviceaccount.com"
    )


def test_token_lifetime_that_is_not_known_is_the_longest_the_api_grants() -> None:
    model = _model(
        """
        data "google_service_account_access_token" "t" {
          target_service_account = "x@p.iam.gserviceaccount.com"
          lifetime               = var.lifetime
        }
        data "google_service_account_access_token" "overflow" {
          target_service_account = "x@p.iam.gserviceaccount.com"
          lifetime               = "1e999s"
        }
        """
    )
    token = model.credentials["envs/prod:data.google_service_account_access_token.t"]
    assert token.ttl_seconds == 43200
    overflow = model.credentials["envs/prod:data.google_service_account_access_token.overflow"]
    assert overflow.ttl_seconds == 43200


def test_member_attribute_and_condition_block() -> None:
    model = _model(
        _SA
        + """
        resource "google_project_iam_member" "models" {
          project = "acme-prod"
          role    = "roles/storage.objectAdmin"
          member  = google_service_account.llm.member
          condition {
            title      = "models-only"
            expression = "resource.name.startsWith(\\"projects/_/buckets/models\\")"
          }
        }
        resource "google_project_iam_member" "later" {
          project = "acme-prod"
          role    = "roles/storage.objectViewer"
          member  = google_service_account.llm.member
          condition {
            title      = "until"
            expression = var.expiry
          }
        }
        """
    )
    models, later = _grants(model, LLM)
    assert tuple(map(str, models.conditions)) == (
        'models-only: resource.name.startsWith("projects/_/buckets/models")',
    )
    assert models.unknown == ()
    assert tuple(map(str, later.conditions)) == ("until: ${var.expiry}",)
    assert later.unknown == ("${var.expiry}",)


def test_binding_grants_service_accounts_only_and_locates_the_members_line() -> None:
    model = _model(
        _SA
        + """
        resource "google_storage_bucket_iam_binding" "readers" {
          bucket = "acme-models"
          role   = "roles/storage.objectViewer"
          members = [
            "serviceAccount:${google_service_account.llm.email}",
            "group:ml@example.com",
            "user:alice@example.com",
            "allUsers",
          ]
        }
        """
    )
    assert [g.identity for g in model.grants] == [LLM]
    [grant] = model.grants
    assert grant.permissions == (
        Permission(action="roles/storage.objectViewer", resource="projects/_/buckets/acme-models"),
    )
    assert grant.location == Location(path=PROD, line=9)
    assert model.trusts == []


def test_provider_default_project_and_unknown_role_stay_visible() -> None:
    model = _model(
        _SA
        + """
        resource "google_project_iam_member" "x" {
          role   = var.role
          member = "serviceAccount:${google_service_account.llm.email}"
        }
        """
    )
    [grant] = model.grants
    assert grant.permissions == (
        Permission(
            action="${var.role}", resource="projects/${google_project_iam_member.x.project}"
        ),
    )
    assert grant.unknown == ("${google_project_iam_member.x.project}", "${var.role}")


def test_unknown_members_get_an_undeclared_identity_of_their_module_instance() -> None:
    model = _model(
        {
            "envs/prod/main.tf": """
            module "app" {
              source = "../../modules/app"
            }
            """,
            "modules/app/main.tf": """
            variable "sa_email" {}
            variable "member" {}
            resource "google_project_iam_member" "a" {
              project = "p"
              role    = "roles/viewer"
              member  = "serviceAccount:${var.sa_email}"
            }
            resource "google_project_iam_member" "b" {
              project = "p"
              role    = "roles/viewer"
              member  = var.member
            }
            """,
        }
    )
    a, b = model.grants
    assert a.identity == "envs/prod:module.app.${var.sa_email}"
    assert b.identity == "envs/prod:module.app.${var.member}"
    identity = model.identities[a.identity]
    assert identity.principal == Unknown(unknown="var.sa_email") and not identity.declared


def test_resource_names_of_iam_targets() -> None:
    model = _model(
        _SA
        + """
        locals {
          m = "serviceAccount:llm@acme-prod.iam.gserviceaccount.com"
        }
        resource "google_kms_key_ring" "ring" {
          project  = "acme-prod"
          location = "us"
          name     = "ml"
        }
        resource "google_kms_crypto_key" "key" {
          key_ring = google_kms_key_ring.ring.id
          name     = "models"
        }
        resource "google_kms_crypto_key_iam_member" "k" {
          crypto_key_id = google_kms_crypto_key.key.id
          role          = "roles/cloudkms.cryptoKeyDecrypter"
          member        = local.m
        }
        resource "google_secret_manager_secret_iam_member" "s" {
          secret_id = "projects/acme-prod/secrets/hf"
          role      = "roles/secretmanager.secretAccessor"
          member    = local.m
        }
        resource "google_folder_iam_member" "f" {
          folder = "folders/123"
          role   = "roles/viewer"
          member = local.m
        }
        resource "google_folder_iam_member" "f2" {
          folder = "456"
          role   = "roles/viewer"
          member = local.m
        }
        resource "google_organization_iam_member" "o" {
          org_id = "789"
          role   = "roles/viewer"
          member = local.m
        }
        resource "google_cloud_run_v2_service_iam_member" "run" {
          project  = "acme-prod"
          location = "us-central1"
          name     = "chat"
          role     = "roles/run.invoker"
          member   = local.m
        }
        resource "google_service_account_iam_member" "sa" {
          service_account_id = google_service_account.llm.name
          role               = "roles/iam.serviceAccountKeyAdmin"
          member             = local.m
        }
        """
    )
    resources = {g.via: g.permissions[0].resource for g in _grants(model, LLM)}
    assert resources == {
        "google_kms_crypto_key_iam_member.k": (
            "projects/acme-prod/locations/us/keyRings/ml/cryptoKeys/models"
        ),
        "google_secret_manager_secret_iam_member.s": "projects/acme-prod/secrets/hf",
        "google_folder_iam_member.f": "folders/123",
        "google_folder_iam_member.f2": "folders/456",
        "google_organization_iam_member.o": "organizations/789",
        "google_cloud_run_v2_service_iam_member.run": (
            "projects/acme-prod/locations/us-central1/services/chat"
        ),
        "google_service_account_iam_member.sa": (f"projects/acme-prod/serviceAccounts/{LLM_EMAIL}"),
    }
    assert all(g.unknown == () for g in model.grants)
    # A key admin role on the account is a grant, not a way to act as the account.
    assert model.trusts == []


def test_impersonation_roles_on_an_account_are_trusts_with_every_member() -> None:
    model = _model(
        _SA
        + """
        resource "google_service_account" "ci" {
          project    = "acme-prod"
          account_id = "ci"
        }
        resource "google_service_account_iam_binding" "tokens" {
          service_account_id = google_service_account.llm.name
          role               = "roles/iam.serviceAccountTokenCreator"
          members = [
            "user:alice@example.com",
            "serviceAccount:${google_service_account.ci.email}",
          ]
          condition {
            title      = "debugging"
            expression = "request.time < timestamp(\\"2030-01-01T00:00:00Z\\")"
          }
        }
        """
    )
    ci = "envs/prod:google_service_account.ci"
    assert _trusts(model, LLM) == [
        Trust(
            identity=LLM,
            principals=(
                "user:alice@example.com",
                "serviceAccount:ci@acme-prod.iam.gserviceaccount.com",
            ),
            actions=("roles/iam.serviceAccountTokenCreator",),
            conditions=(
                iam_condition("debugging", 'request.time < timestamp("2030-01-01T00:00:00Z")'),
            ),
            via="google_service_account_iam_binding.tokens",
            location=Location(path=PROD, line=13),
        )
    ]
    [grant] = model.grants
    assert grant.identity == ci
    assert grant.permissions[0].resource == f"projects/acme-prod/serviceAccounts/{LLM_EMAIL}"


def test_workload_identity_member_is_a_trust_and_a_grant_of_the_kubernetes_account() -> None:
    model = _model(
        _SA
        + """
        resource "google_service_account_iam_member" "wi" {
          service_account_id = google_service_account.llm.name
          role               = "roles/iam.workloadIdentityUser"
          member             = "serviceAccount:acme-prod.svc.id.goog[ml-prod/llm]"
        }
        resource "google_project_iam_member" "direct" {
          project = "acme-prod"
          role    = "roles/storage.objectViewer"
          member  = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/acme-prod.svc.id.goog/subject/ns/ml-prod/sa/llm"
        }
        """
    )
    [trust] = _trusts(model, LLM)
    assert trust.principals == ("serviceAccount:acme-prod.svc.id.goog[ml-prod/llm]",)
    assert trust.actions == ("roles/iam.workloadIdentityUser",)
    ksa = "k8s:ml-prod/ServiceAccount/llm"
    assert [g.via for g in _grants(model, ksa)] == [
        "google_service_account_iam_member.wi",
        "google_project_iam_member.direct",
    ]
    placeholder = model.identities[ksa]
    assert placeholder.provider == "kubernetes" and not placeholder.declared
    assert placeholder.principal == "system:serviceaccount:ml-prod:llm"


def test_workload_identity_member_with_unknown_namespace_is_no_kubernetes_account() -> None:
    model = _model(
        _SA
        + """
        resource "google_service_account_iam_member" "wi" {
          service_account_id = google_service_account.llm.name
          role               = "roles/iam.workloadIdentityUser"
          member             = "serviceAccount:acme-prod.svc.id.goog[${var.ns}/llm]"
        }
        """
    )
    assert not any(a.startswith("k8s:") for a in model.identities)
    [trust] = _trusts(model, LLM)
    assert trust.principals == ("serviceAccount:acme-prod.svc.id.goog[${var.ns}/llm]",)


def test_policy_from_data_google_iam_policy_is_located_at_its_bindings() -> None:
    model = _model(
        _SA
        + """
        data "google_iam_policy" "admins" {
          binding {
            role    = "roles/secretmanager.secretAccessor"
            members = ["serviceAccount:${google_service_account.llm.email}"]
            condition {
              title      = "prod"
              expression = "resource.name.endsWith(\\"prod\\")"
            }
          }
          binding {
            role    = "roles/secretmanager.admin"
            members = ["group:admins@example.com"]
          }
        }
        resource "google_secret_manager_secret_iam_policy" "p" {
          project     = "acme-prod"
          secret_id   = "hf"
          policy_data = data.google_iam_policy.admins.policy_data
        }
        """
    )
    [grant] = model.grants
    assert grant.identity == LLM
    assert grant.permissions == (
        Permission(
            action="roles/secretmanager.secretAccessor", resource="projects/acme-prod/secrets/hf"
        ),
    )
    assert tuple(map(str, grant.conditions)) == ('prod: resource.name.endsWith("prod")',)
    assert grant.location == Location(path=PROD, line=9)
    assert grant.binding == Location(path=PROD, line=20)
    assert grant.via == "google_secret_manager_secret_iam_policy.p"


def test_policy_json_and_unknown_policies() -> None:
    model = _model(
        _SA
        + """
        resource "google_project_iam_policy" "json" {
          project     = "acme-prod"
          policy_data = jsonencode({
            bindings = [{
              role    = "roles/viewer"
              members = ["serviceAccount:llm@acme-prod.iam.gserviceaccount.com"]
            }]
          })
        }
        resource "google_pubsub_topic_iam_policy" "unknown" {
          project     = "acme-prod"
          topic       = "events"
          policy_data = var.policy
        }
        """
    )
    [json_grant] = _grants(model, LLM)
    assert json_grant.permissions == (
        Permission(action="roles/viewer", resource="projects/acme-prod"),
    )
    [unknown] = [g for g in model.grants if g.via == "google_pubsub_topic_iam_policy.unknown"]
    assert unknown.identity == "envs/prod:${var.policy}"
    assert unknown.permissions[0].resource == "projects/acme-prod/topics/events"
    assert "${var.policy}" in unknown.unknown


def test_dynamic_binding_over_unknown_collection_is_unknown() -> None:
    model = _model(
        """
        data "google_iam_policy" "p" {
          dynamic "binding" {
            for_each = var.bindings
            content {
              role    = binding.value.role
              members = binding.value.members
            }
          }
        }
        resource "google_project_iam_policy" "p" {
          project     = "acme-prod"
          policy_data = data.google_iam_policy.p.policy_data
        }
        """
    )
    [grant] = model.grants
    assert grant.unknown == ("${dynamic binding over var.bindings}",)
    assert not model.identities[grant.identity].declared


# --- workload identity federation -------------------------------------------------------


def test_pool_provider_trusts_its_issuer_under_the_attribute_condition() -> None:
    model = _model(
        """
        locals {
          pool = google_iam_workload_identity_pool.gh.workload_identity_pool_id
        }
        resource "google_iam_workload_identity_pool" "gh" {
          project                   = "acme-prod"
          workload_identity_pool_id = "github"
        }
        resource "google_iam_workload_identity_pool_provider" "gh" {
          workload_identity_pool_id          = local.pool
          workload_identity_pool_provider_id = "actions"
          attribute_condition                = "assertion.repository_owner == 'acme'"
          oidc {
            issuer_uri = "https://token.actions.githubusercontent.com"
          }
        }
        resource "google_iam_workload_identity_pool_provider" "aws" {
          workload_identity_pool_id          = "elsewhere"
          workload_identity_pool_provider_id = "aws"
          aws {
            account_id = "111122223333"
          }
        }
        resource "google_iam_workload_identity_pool_provider" "off" {
          workload_identity_pool_id          = "github"
          workload_identity_pool_provider_id = "old"
          disabled                           = true
          oidc {
            issuer_uri = "https://old.example.com"
          }
        }
        """
    )
    pool = "envs/prod:google_iam_workload_identity_pool.gh"
    assert model.identities[pool].kind == "workload_identity_pool"
    assert _trusts(model, pool) == [
        Trust(
            identity=pool,
            principals=("oidc:https://token.actions.githubusercontent.com",),
            actions=("sts.googleapis.com/token",),
            conditions=(iam_condition("", "assertion.repository_owner == 'acme'"),),
            via="google_iam_workload_identity_pool_provider.gh",
            location=Location(path=PROD, line=9),
        )
    ]
    [other] = _trusts(model, "gcp:workloadIdentityPools/elsewhere")
    assert other.principals == ("aws:111122223333",)
    assert not model.identities["gcp:workloadIdentityPools/elsewhere"].declared


# --- workloads --------------------------------------------------------------------------


def test_cloud_run_v2_without_account_runs_as_the_default_and_reads_secrets() -> None:
    model = _model(
        """
        resource "google_secret_manager_secret" "token" {
          project   = "acme-prod"
          secret_id = "hf-token"
        }
        resource "google_cloud_run_v2_service" "chat" {
          project  = "acme-prod"
          name     = "chat"
          location = "us-central1"
          labels   = { team = "ml" }
          template {
            containers {
              image = "us-docker.pkg.dev/acme/app/chat:1"
              env {
                name = "TOKEN"
                value_source {
                  secret_key_ref {
                    secret  = google_secret_manager_secret.token.id
                    version = "latest"
                  }
                }
              }
              resources {
                limits = { "nvidia.com/gpu" = "1" }
              }
            }
            volumes {
              name = "creds"
              secret {
                secret = "projects/acme-prod/secrets/db-password/versions/3"
              }
            }
          }
        }
        """
    )
    run = model.workloads["envs/prod:google_cloud_run_v2_service.chat"]
    assert run.identities == ("gcp:default-compute@developer[acme-prod]",)
    default = model.identities["gcp:default-compute@developer[acme-prod]"]
    assert default.kind == "default_service_account" and not default.declared
    assert run.credentials == (
        "gcp:secret/projects/acme-prod/secrets/hf-token",
        "gcp:secret/projects/acme-prod/secrets/db-password",
    )
    secret = model.credentials["gcp:secret/projects/acme-prod/secrets/hf-token"]
    assert (secret.kind, secret.environment) == ("static_secret", "prod")
    assert secret.location == Location(path=PROD, line=18)
    assert (run.inference, run.inference_reason) == (True, "requests nvidia.com/gpu")
    assert run.owner == "ml" and run.name == "chat"


def test_cloud_run_v1_service_account_name_and_secret_key_ref() -> None:
    model = _model(
        _SA
        + """
        resource "google_cloud_run_service" "chat" {
          name     = "chat"
          location = "us-central1"
          template {
            metadata {
              labels = { owner = "serving" }
            }
            spec {
              service_account_name = google_service_account.llm.email
              containers {
                image = "ghcr.io/huggingface/text-generation-inference:2.0"
                env {
                  name = "HF_TOKEN"
                  value_from {
                    secret_key_ref {
                      name = "hf-token"
                      key  = "latest"
                    }
                  }
                }
              }
            }
          }
        }
        """
    )
    run = model.workloads["envs/prod:google_cloud_run_service.chat"]
    assert run.identities == (LLM,)
    assert run.credentials == (
        "gcp:secret/projects/${google_cloud_run_service.chat.project}/secrets/hf-token",
    )
    assert run.inference_reason == (
        "image ghcr.io/huggingface/text-generation-inference:2.0 is a known model server"
    )
    assert run.owner == "serving"


def test_vertex_endpoint_is_inference_without_a_known_identity() -> None:
    model = _model(
        """
        resource "google_vertex_ai_endpoint" "llm" {
          name         = "llm"
          display_name = "LLM"
          location     = "us-central1"
          labels       = { env = "production", owner = "ml" }
        }
        """,
    )
    endpoint = model.workloads["envs/prod:google_vertex_ai_endpoint.llm"]
    assert (endpoint.inference_reason, endpoint.identities, endpoint.name) == (
        "Vertex AI endpoint",
        (),
        "LLM",
    )
    assert (endpoint.owner, endpoint.environment) == ("ml", "prod")


def test_environment_comes_from_labels_when_the_path_names_none() -> None:
    model = _model(
        {
            "infra/main.tf": """
            resource "google_vertex_ai_endpoint" "llm" {
              name     = "llm"
              location = "us-central1"
              labels   = { environment = "staging" }
            }
            """
        }
    )
    assert model.workloads["infra:google_vertex_ai_endpoint.llm"].environment == "staging"


def test_node_pools_gpus_default_account_and_list_accelerators() -> None:
    model = _model(
        _SA
        + """
        resource "google_container_node_pool" "gpu" {
          name    = "gpu"
          cluster = "c"
          node_config {
            service_account = google_service_account.llm.email
            guest_accelerator = [{ type = "nvidia-l4", count = 1 }]
            labels = { team = "ml" }
          }
        }
        resource "google_container_node_pool" "none" {
          name    = "none"
          cluster = "c"
          node_config {
            guest_accelerator {
              type  = "nvidia-l4"
              count = 0
            }
          }
        }
        resource "google_container_node_pool" "bare" {
          name    = "bare"
          cluster = "c"
        }
        resource "google_container_node_pool" "a3" {
          name    = "a3"
          cluster = "c"
          node_config {
            machine_type    = "a3-highgpu-8g"
            service_account = var.nodes
          }
        }
        """
    )
    pools = {a.rsplit(".", 1)[1]: w for a, w in model.workloads.items()}
    assert pools["gpu"].identities == (LLM,)
    assert pools["gpu"].inference_reason == "guest_accelerator nvidia-l4"
    assert pools["gpu"].owner == "ml"
    assert not pools["none"].inference
    default = "gcp:default-compute@developer[envs/prod provider project]"
    assert pools["none"].identities == pools["bare"].identities == (default,)
    assert pools["a3"].inference_reason == "machine type a3-highgpu-8g has accelerators attached"
    assert pools["a3"].identities == ("envs/prod:${var.nodes}",)


def test_cluster_default_pool_inline_pools_and_autopilot() -> None:
    model = _model(
        _SA
        + """
        resource "google_container_cluster" "removed" {
          name                     = "removed"
          remove_default_node_pool = true
          initial_node_count       = 1
        }
        resource "google_container_cluster" "inline" {
          name = "inline"
          node_pool {
            name = "gpu"
            node_config {
              service_account = google_service_account.llm.email
              guest_accelerator {
                type  = "nvidia-tesla-t4"
                count = 1
              }
            }
          }
        }
        resource "google_container_cluster" "auto" {
          name             = "auto"
          enable_autopilot = true
          cluster_autoscaling {
            auto_provisioning_defaults {
              service_account = google_service_account.llm.email
            }
          }
        }
        """
    )
    assert set(model.workloads) == {
        'envs/prod:google_container_cluster.inline.node_pool["gpu"]',
        "envs/prod:google_container_cluster.auto",
    }
    inline = model.workloads['envs/prod:google_container_cluster.inline.node_pool["gpu"]']
    assert inline.identities == (LLM,) and inline.inference
    assert inline.location == Location(path=PROD, line=13)
    assert model.workloads["envs/prod:google_container_cluster.auto"].identities == (LLM,)


def test_compute_instances_with_and_without_an_account() -> None:
    model = _model(
        """
        resource "google_compute_instance" "none" {
          name         = "none"
          machine_type = "e2-small"
        }
        resource "google_compute_instance" "default" {
          project      = "acme-prod"
          name         = "default"
          machine_type = "g2-standard-4"
          service_account {
            scopes = ["cloud-platform"]
          }
        }
        """,
        ExtractOptions(inference=InferenceSelectors(resource_types=("google_compute_instance",))),
    )
    none = model.workloads["envs/prod:google_compute_instance.none"]
    assert none.identities == ()
    assert none.inference_reason == (
        "google_compute_instance is selected as inference by the configuration"
    )
    default = model.workloads["envs/prod:google_compute_instance.default"]
    assert default.identities == ("gcp:default-compute@developer[acme-prod]",)


# --- hostile input ----------------------------------------------------------------------

_VALUES = st.sampled_from(
    [
        "null",
        "1",
        "true",
        '"x"',
        '"serviceAccount:"',
        '"projects/"',
        "[1, null]",
        "{ a = 1 }",
        "[{ type = 1 }]",
        "var.x",
        '"${var.x}:y"',
        "google_service_account.sa.name",
        "google_service_account.sa",
        "data.google_iam_policy.p.policy_data",
        '"principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p.svc.id.goog/subject/ns//sa/"',
    ]
)
_TYPES = st.sampled_from(
    [
        "google_service_account",
        "google_service_account_key",
        "google_project_iam_member",
        "google_project_iam_binding",
        "google_service_account_iam_policy",
        "google_kms_crypto_key_iam_member",
        "google_cloud_run_v2_service",
        "google_cloud_run_service",
        "google_container_node_pool",
        "google_container_cluster",
        "google_compute_instance",
        "google_iam_workload_identity_pool_provider",
    ]
)
_ATTRS = st.sampled_from(
    [
        "project",
        "account_id",
        "member",
        "members",
        "role",
        "service_account_id",
        "policy_data",
        "crypto_key_id",
        "labels",
        "guest_accelerator",
        "workload_identity_pool_id",
        "machine_type",
        "remove_default_node_pool",
    ]
)
_BLOCKS = st.sampled_from(
    ["condition", "template", "node_config", "service_account", "oidc", "node_pool", "spec"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            _TYPES,
            st.lists(st.tuples(_ATTRS, _VALUES), max_size=5),
            st.lists(
                st.tuples(_BLOCKS, st.lists(st.tuples(_ATTRS, _VALUES), max_size=3)), max_size=2
            ),
        ),
        max_size=4,
    )
)
def test_any_configuration_gives_a_model_never_a_traceback(
    resources: list[tuple[str, list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]],
) -> None:
    text = ['data "google_iam_policy" "p" {\n  binding {\n    members = var.m\n  }\n}\n']
    text.append('resource "google_service_account" "sa" {\n  account_id = "sa"\n}\n')
    for index, (type_, attributes, blocks) in enumerate(resources):
        body = [f"  {name} = {value}" for name, value in dict(attributes).items()]
        for block, inner in blocks:
            body.append(f"  {block} {{")
            body.extend(f"    {name} = {value}" for name, value in dict(inner).items())
            body.append("  }")
        text.append(f'resource "{type_}" "r{index}" {{\n' + "\n".join(body) + "\n}\n")
    model = _model("".join(text))
    Model.model_validate(model.model_dump())


# --- the realistic fixture, through the CLI --------------------------------------------


def _cli_model(tmp_path: Path) -> dict[str, Any]:
    # A copy outside any git repository: paths are relative to the folder itself.
    shutil.copytree(FIXTURE, tmp_path / "gcp")
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "model", str(tmp_path / "gcp")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    document: dict[str, Any] = json.loads(proc.stdout)
    document.pop("tree")
    return document


def test_fixture_links_kubernetes_to_gcp_and_finds_the_inference_paths(tmp_path: Path) -> None:
    model = _cli_model(tmp_path)
    prod_llm = "terraform/envs/prod:module.ml_platform.google_service_account.inference"
    assert model["identities"]["k8s:ml-prod/ServiceAccount/llm"]["federates_to"] == [prod_llm]
    assert model["identities"][prod_llm]["principal"] == (
        "llm-inference@acme-ml-prod.iam.gserviceaccount.com"
    )
    run = model["workloads"][
        "terraform/envs/prod:module.ml_platform.google_cloud_run_v2_service.embeddings"
    ]
    assert run["identities"] == [prod_llm] and run["inference"] is True
    # The debugging key in staging authenticates the staging inference identity.
    key = model["credentials"]["terraform/envs/staging:google_service_account_key.inference_debug"]
    assert key["identity"] == (
        "terraform/envs/staging:module.ml_platform.google_service_account.inference"
    )
    # The human allowed to mint tokens for the staging inference identity.
    staging_llm = "terraform/envs/staging:module.ml_platform.google_service_account.inference"
    creators = [
        t
        for t in model["trusts"]
        if t["identity"] == staging_llm and t["actions"] == ["roles/iam.serviceAccountTokenCreator"]
    ]
    assert creators[0]["principals"][0] == "user:alice@example.com"
    assert creators[0]["location"] == {
        "path": "terraform/modules/ml-platform/identities.tf",
        "line": 42,
        "end_line": None,
    }
    conditioned = [g for g in model["grants"] if g["conditions"]]
    assert {g["location"]["path"] for g in conditioned} == {
        "terraform/modules/ml-platform/access.tf"
    }


def test_fixture_model_matches_golden(tmp_path: Path, update_golden: bool) -> None:
    actual = json.dumps(_cli_model(tmp_path), indent=2, sort_keys=True) + "\n"
    if update_golden:
        GOLDEN.write_text(actual)
    assert actual == GOLDEN.read_text(), "golden model changed: review, then --update-golden"


def test_a_declared_bucket_is_named_in_its_project_however_it_is_referred_to() -> None:
    bucket = """
        resource "google_storage_bucket" "models" {
          project  = "acme-ml-prod"
          name     = "acme-models-prod"
          location = "US"
        }
        """
    spellings = (
        "google_storage_bucket.models.name",  # the configured name
        "google_storage_bucket.models.id",  # the computed id
        '"acme-models-prod"',  # the name written out
    )
    resources: set[str] = set()
    for spelling in spellings:
        model = _model(
            _SA
            + bucket
            + f"""
            resource "google_storage_bucket_iam_member" "reader" {{
              bucket = {spelling}
              role   = "roles/storage.objectViewer"
              member = "serviceAccount:${{google_service_account.llm.email}}"
            }}
            """
        )
        [grant] = model.grants
        resources.update(p.resource for p in grant.permissions)
    assert resources == {"projects/acme-ml-prod/buckets/acme-models-prod"}


def test_a_bucket_without_a_known_project_keeps_iams_own_name() -> None:
    model = _model(
        _SA
        + """
        resource "google_storage_bucket" "scratch" {
          name     = "acme-scratch"
          location = "US"
        }
        resource "google_storage_bucket_iam_member" "reader" {
          bucket = google_storage_bucket.scratch.name
          role   = "roles/storage.objectViewer"
          member = "serviceAccount:${google_service_account.llm.email}"
        }
        """
    )
    [grant] = model.grants
    assert [p.resource for p in grant.permissions] == ["projects/_/buckets/acme-scratch"]


def test_a_literal_secret_in_cloud_run_env_is_plaintext_and_masked() -> None:
    model = _model(
        _SA
        + """
        variable "hf_token" {
          type      = string
          sensitive = true
        }
        resource "google_cloud_run_v2_service" "tei" {
          name     = "embed"
          location = "europe-west4"
          template {
            service_account = google_service_account.llm.email
            containers {
              name  = "tei"
              image = "ghcr.io/huggingface/text-embeddings-inference:1.5"
              env {
                name  = "HF_TOKEN"
                value = "hf_qWeRtYuIoPaSdFgHjKlZxCvBnMqWeRtYuIo"
              }
              env {
                name  = "HF_TOKEN_FROM_VARIABLE"
                value = var.hf_token
              }
              env {
                name  = "MAX_BATCH_TOKENS"
                value = "16384"
              }
            }
          }
        }
        """
    )
    address = "envs/prod:google_cloud_run_v2_service.tei/container/tei/env/HF_TOKEN#plaintext"
    plaintext = [a for a in model.credentials if a.endswith("#plaintext")]
    assert plaintext == [address]
    credential = model.credentials[address]
    assert credential.preview == "hf_q…, 38 characters"
    assert credential.location is not None and credential.location.line == 20
    assert address in model.workloads["envs/prod:google_cloud_run_v2_service.tei"].credentials
