"""Kubernetes objects declared as Terraform `kubernetes_*` resources: the same entities as
their YAML form, Terraform's references, unknowns and environments on top."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.kubernetes.terraform import extract_kubernetes_tf
from driftgate.analyzer.extract.kubernetes.terraform_convert import camel
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Location, Model, Permission
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.parse.yaml_docs import load_yaml
from driftgate.analyzer.terraform.modules import TerraformProject

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "testdata" / "model" / "kubernetes_tf"
GOLDEN = ROOT / "tests" / "golden" / "model-kubernetes_tf.json"


def _model(files: dict[str, str], options: ExtractOptions | None = None) -> Model:
    parsed = [parse_hcl(path, textwrap.dedent(text)) for path, text in files.items()]
    instances = list(TerraformProject(parsed).instances())
    return extract_kubernetes_tf(instances, options or ExtractOptions())


def _without_locations(model: Model) -> dict[str, Any]:
    """The model as JSON, with every location and binding location taken out."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in ("location", "binding", "identity_location")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data: dict[str, Any] = strip(model.model_dump(mode="json"))
    for key in ("grants", "trusts"):
        data[key] = sorted(data[key], key=lambda item: json.dumps(item, sort_keys=True))
    return data


# --- the same objects in YAML and in Terraform --------------------------------------------


def _equivalent_models() -> tuple[Model, Model]:
    directory = FIXTURES / "equivalence"
    yaml_path = "eq/objects.yaml"
    documents, diagnostics = load_yaml(yaml_path, (directory / "objects.yaml").read_bytes())
    assert diagnostics == []
    from_yaml = extract_kubernetes(documents, ExtractOptions())
    from_tf = _model({"eq/main.tf": (directory / "main.tf").read_text()})
    return from_yaml, from_tf


def test_yaml_and_terraform_forms_give_the_same_model_but_for_locations() -> None:
    from_yaml, from_tf = _equivalent_models()
    assert _without_locations(from_tf) == _without_locations(from_yaml)
    # Not vacuous: every kind of entity is there.
    assert set(from_tf.workloads) == {
        "k8s:ml-prod/Deployment/llm",
        "k8s:ml-prod/StatefulSet/vector-db",
        "k8s:ml-prod/DaemonSet/gpu-exporter",
        "k8s:ml-prod/Job/warmup",
        "k8s:ml-prod/CronJob/eval",
        "k8s:ml-prod/Pod/debug",
        "k8s:ml-prod/InferenceService/embeddings",
    }
    assert set(from_tf.credentials) == {
        "k8s:ml-prod/Secret/llm-legacy-token",
        "k8s:ml-prod/Secret/model-registry",
        "k8s:ml-prod/Secret/hf-token",
        "k8s:ml-prod/Secret/llm-tls",
        "k8s:ml-prod/Secret/vault-ca",
        "k8s:ml-prod/Deployment/llm/volume/vault/vault-token",
    }
    token = from_tf.credentials["k8s:ml-prod/Deployment/llm/volume/vault/vault-token"]
    assert token.ttl_seconds == 86400
    llm = from_tf.identities["k8s:ml-prod/ServiceAccount/llm"]
    assert llm.federates_to == ("aws:arn:aws:iam::111122223333:role/llm-prod",)
    assert {g.via for g in from_tf.grants_of(llm.address)} == {
        "RoleBinding ml-prod/llm-config → Role ml-prod/llm-config",
        "ClusterRoleBinding llm-model-reader → ClusterRole model-reader",
    }


def test_terraform_locations_point_at_the_blocks() -> None:
    from_yaml, from_tf = _equivalent_models()
    path = "eq/main.tf"
    sa = from_tf.identities["k8s:ml-prod/ServiceAccount/llm"]
    assert sa.location == Location(path=path, line=3, end_line=12)
    patch = Permission(action="patch", resource="apps/deployments", scope="ml-prod")
    (grant,) = [g for g in from_tf.grants if patch in g.permissions]
    assert grant.location == Location(path=path, line=25, end_line=29)  # the second rule block
    assert grant.binding == Location(path=path, line=32, end_line=47)
    (metrics,) = [
        g for g in from_tf.grants if any(p.resource == "url:/metrics" for p in g.permissions)
    ]
    # A rule of the aggregated ClusterRole, reached through the aggregating one.
    assert metrics.location == Location(path=path, line=70, end_line=73)
    token = from_tf.credentials["k8s:ml-prod/Deployment/llm/volume/vault/vault-token"]
    assert token.location == Location(path=path, line=164, end_line=167)
    secret = from_tf.credentials["k8s:ml-prod/Secret/hf-token"]
    assert secret.location == Location(path=path, line=140, end_line=143)
    assert from_tf.workloads["k8s:ml-prod/Deployment/llm"].location == Location(
        path=path, line=108, end_line=177
    )
    assert from_yaml.workloads["k8s:ml-prod/Deployment/llm"].location != (
        from_tf.workloads["k8s:ml-prod/Deployment/llm"].location
    )


# --- the realistic fixture, end to end ----------------------------------------------------


def test_realistic_fixture_matches_golden_model(update_golden: bool) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftgate.analyzer.cli",
            "model",
            "testdata/model/kubernetes_tf/realistic",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    if update_golden:
        GOLDEN.write_text(proc.stdout)
    assert proc.stdout == GOLDEN.read_text(), "golden model changed: review, then --update-golden"


# --- Terraform specifics ------------------------------------------------------------------


def test_a_shared_module_takes_the_environment_of_its_root() -> None:
    module = """\
        variable "ns" { type = string }
        resource "kubernetes_service_account" "app" {
          metadata {
            name      = "app"
            namespace = var.ns
          }
        }
        """
    root = """\
        module "app" {
          source = "../../modules/app"
          ns     = "inference"
        }
        """
    model = _model({"modules/app/main.tf": module, "envs/staging/main.tf": root})
    sa = model.identities["k8s:inference/ServiceAccount/app"]
    assert sa.environment == "staging"
    assert sa.location == Location(path="modules/app/main.tf", line=2, end_line=7)


def test_metadata_references_resolve_to_the_configured_names() -> None:
    model = _model(
        {
            "main.tf": """\
            resource "kubernetes_namespace" "ml" {
              metadata { name = "ml-prod" }
            }
            resource "kubernetes_default_service_account_v1" "sa" {
              metadata { namespace = kubernetes_namespace.ml.metadata[0].name }
            }
            resource "kubernetes_pod" "p" {
              metadata {
                name      = "p"
                namespace = kubernetes_namespace.ml.metadata.0.name
              }
              spec {
                service_account_name = kubernetes_default_service_account_v1.sa.metadata[0].name
                container {
                  name  = "c"
                  image = "busybox"
                }
              }
            }
            """
        }
    )
    default = model.identities["k8s:ml-prod/ServiceAccount/default"]
    assert default.declared
    assert model.workloads["k8s:ml-prod/Pod/p"].identities == (default.address,)


def test_federation_annotation_referencing_a_role_resource_federates_to_it() -> None:
    model = _model(
        {
            "envs/prod/main.tf": """\
            resource "aws_iam_role" "llm" {
              name_prefix = "llm-"
            }
            resource "kubernetes_service_account" "llm" {
              metadata {
                name      = "llm"
                namespace = "ml"
                annotations = {
                  "eks.amazonaws.com/role-arn" = aws_iam_role.llm.arn
                  "iam.gke.io/gcp-service-account" = data.google_service_account.x.email
                }
              }
            }
            """
        }
    )
    sa = model.identities["k8s:ml/ServiceAccount/llm"]
    assert sa.federates_to == (
        "envs/prod:aws_iam_role.llm",
        # A data source is not a declared identity: its principal stays unknown, visible.
        "gcp:${data.google_service_account.x.email}",
    )


def test_unknown_rule_arguments_make_the_grant_unknown() -> None:
    model = _model(
        {
            "main.tf": """\
            variable "verbs" { type = list(string) }
            variable "groups" { type = list(string) }
            resource "kubernetes_role" "r" {
              metadata {
                name      = "r"
                namespace = "ml"
              }
              rule {
                api_groups = [""]
                resources  = ["pods"]
                verbs      = var.verbs
              }
              dynamic "rule" {
                for_each = var.groups
                content {
                  api_groups = [rule.value]
                  resources  = ["*"]
                  verbs      = ["*"]
                }
              }
            }
            resource "kubernetes_role_binding" "b" {
              metadata {
                name      = "b"
                namespace = "ml"
              }
              role_ref {
                api_group = "rbac.authorization.k8s.io"
                kind      = "Role"
                name      = "r"
              }
              subject {
                kind = "ServiceAccount"
                name = "app"
              }
            }
            """
        }
    )
    # The provider defaults a subject's namespace to "default", not to the binding's.
    grants = model.grants_of("k8s:default/ServiceAccount/app")
    assert [(g.location.line if g.location else 0, g.unknown) for g in grants] == [
        (8, ("${var.verbs}",)),
        (15, ("dynamic rule over var.groups",)),
    ]
    assert grants[0].permissions == ()
    # What is known of the dynamic rule is kept, the unknown group shown as written.
    assert grants[1].permissions == (
        Permission(action="*", resource="${rule.value}/*", scope="ml"),
    )


def test_token_request_is_a_token_of_its_service_account() -> None:
    model = _model(
        {
            "envs/prod/main.tf": """\
            resource "kubernetes_token_request_v1" "reviewer" {
              metadata {
                name      = "vault-reviewer"
                namespace = "vault"
              }
              spec {
                audiences          = ["vault"]
                expiration_seconds = 31536000
              }
            }
            resource "kubernetes_token_request_v1" "defaulted" {
              metadata { name = "ci" }
            }
            """
        }
    )
    token = model.credentials["envs/prod:kubernetes_token_request_v1.reviewer"]
    assert token.kind == "token"
    assert token.identity == "k8s:vault/ServiceAccount/vault-reviewer"
    assert token.ttl_seconds == 31536000
    assert token.environment == "prod"
    assert token.location == Location(path="envs/prod/main.tf", line=8)
    assert not model.identities["k8s:vault/ServiceAccount/vault-reviewer"].declared
    defaulted = model.credentials["envs/prod:kubernetes_token_request_v1.defaulted"]
    assert (defaulted.identity, defaulted.ttl_seconds) == ("k8s:default/ServiceAccount/ci", 3600)


def test_missing_blocks_and_hostile_shapes_never_raise() -> None:
    model = _model(
        {
            "main.tf": """\
            resource "kubernetes_deployment" "no_template" {
              metadata { name = "a" }
              spec {}
            }
            resource "kubernetes_deployment" "no_metadata" {
              spec {}
            }
            resource "kubernetes_service_account" "odd" {
              metadata {
                name        = "odd"
                labels      = "not a map"
                annotations = ["x"]
              }
            }
            resource "kubernetes_role_binding" "odd" {
              metadata { name = "odd" }
              role_ref = "Role/x"
              subject = 5
              subjects = 6
            }
            resource "kubernetes_manifest" "odd" {
              manifest = ["not", "an", "object"]
            }
            resource "kubernetes_pod" "two" {
              metadata { name = "two" }
              spec {
                container {
                  name  = "a"
                  image = "busybox"
                }
                container {
                  name  = "b"
                  image = "vllm/vllm-openai:latest"
                }
              }
            }
            """
        }
    )
    assert "k8s:default/Deployment/a" not in model.workloads
    assert model.identities["k8s:default/ServiceAccount/odd"].labels == {}
    pod = model.workloads["k8s:default/Pod/two"]
    assert pod.inference_reason == "image vllm/vllm-openai:latest is a known model server"


def test_unknown_names_stay_visible_in_addresses() -> None:
    model = _model(
        {
            "main.tf": """\
            variable "ns" { type = string }
            resource "kubernetes_service_account" "a" {
              metadata {
                name      = "a"
                namespace = var.ns
              }
            }
            """
        }
    )
    assert list(model.identities) == ["k8s:${var.ns}/ServiceAccount/a"]


def test_camel_case_names() -> None:
    assert camel("service_account_name") == "serviceAccountName"
    assert camel("non_resource_urls") == "nonResourceURLs"
    assert camel("image") == "image"


_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 10**6),
        st.text('abc*:/-_${}"', max_size=10),
        st.sampled_from(["ServiceAccount", "Role", "ClusterRole", "nvidia.com/gpu", "default"]),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)
_KINDS = (
    "kubernetes_service_account",
    "kubernetes_role_binding_v1",
    "kubernetes_cluster_role",
    "kubernetes_secret",
    "kubernetes_deployment_v1",
    "kubernetes_cron_job_v1",
    "kubernetes_pod",
    "kubernetes_token_request_v1",
)
_FIELDS = ("name", "namespace", "labels", "annotations", "type", "role_ref", "manifest")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource_type=st.sampled_from(_KINDS),
    metadata=st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=4, unique=True),
    values=st.lists(_VALUES, min_size=8, max_size=8),
)
def test_hostile_arguments_never_raise(
    resource_type: str, metadata: list[str], values: list[object]
) -> None:
    meta = "\n".join(f"    {f} = {json.dumps(v)}" for f, v in zip(metadata, values, strict=False))
    tail = values[4:]
    text = f"""\
resource "{resource_type}" "x" {{
  metadata {{
{meta}
  }}
  type = {json.dumps(tail[0])}
  rule {{
    verbs = {json.dumps(tail[1])}
  }}
  subject {{
    kind = "ServiceAccount"
    name = {json.dumps(tail[2])}
  }}
  spec {{
    service_account_name = {json.dumps(tail[3])}
    container {{
      resources {{
        limits = {json.dumps(tail[1])}
      }}
    }}
    template {{
      spec {{
        volume {{
          projected {{
            sources {{
              service_account_token {{
                expiration_seconds = {json.dumps(tail[2])}
              }}
            }}
          }}
        }}
      }}
    }}
  }}
}}
resource "kubernetes_manifest" "m" {{
  manifest = {json.dumps(tail[0])}
}}
"""
    try:
        parse_hcl("main.tf", text)
    except Exception:  # inputs HCL itself rejects are out of scope here
        return
    _model({"main.tf": text})


def test_a_module_two_roots_call_alike_gives_its_grants_once() -> None:
    module = """\
        resource "kubernetes_cluster_role_binding" "deploy" {
          metadata { name = "deploy" }
          role_ref {
            api_group = "rbac.authorization.k8s.io"
            kind      = "ClusterRole"
            name      = "cluster-admin"
          }
          subject {
            kind      = "ServiceAccount"
            name      = "deploy"
            namespace = "kube-system"
          }
        }
        """
    call = 'module "k8s" {\n  source = "../../modules/k8s"\n}\n'
    model = _model({"modules/k8s/main.tf": module, "envs/a/main.tf": call, "envs/b/main.tf": call})
    grants = model.grants_of("k8s:kube-system/ServiceAccount/deploy")
    assert [g.via for g in grants] == [
        "ClusterRoleBinding deploy → ClusterRole cluster-admin (built-in)"
    ] * 2  # the two built-in cluster-admin rules, each once
    assert len(set(grants)) == 2


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource_type=st.sampled_from(_KINDS),
    fields=st.lists(
        st.sampled_from(
            ("metadata", "spec", "rules", "subjects", "roleRef", "role_ref", "type", "template")
        ),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    values=st.lists(_VALUES, min_size=4, max_size=4),
)
def test_top_level_arguments_of_any_shape_never_raise(
    resource_type: str, fields: list[str], values: list[object]
) -> None:
    body = "\n".join(f"  {f} = {json.dumps(v)}" for f, v in zip(fields, values, strict=False))
    text = f'resource "{resource_type}" "x" {{\n{body}\n}}\n'
    try:
        parse_hcl("main.tf", text)
    except Exception:  # inputs HCL itself rejects are out of scope here
        return
    _model({"main.tf": text})
