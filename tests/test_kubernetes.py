"""Kubernetes YAML: the loader (lines, limits, diagnostics) and the extractor (entities)."""

from __future__ import annotations

import pickle
import textwrap
import time
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.inference import image_repository, model_server_reason
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.options import ExtractOptions, InferenceSelectors
from driftgate.analyzer.model.entities import Location, Model, Permission
from driftgate.analyzer.model.environment import EnvironmentResolver, EnvironmentRule
from driftgate.analyzer.parse.yaml_docs import MAX_ALIAS_NODES, LineDict, YamlDocument, load_yaml


def _load(text: str, path: str = "k8s/app.yaml") -> list[YamlDocument]:
    documents, diagnostics = load_yaml(path, textwrap.dedent(text).encode())
    assert diagnostics == []
    return documents


def _model(text: str, path: str = "k8s/app.yaml", options: ExtractOptions | None = None) -> Model:
    return extract_kubernetes(_load(text, path), options or ExtractOptions())


def _deployment(pod_spec: str, namespace: str = "ml", labels: str = "{app: llm}") -> str:
    """A Deployment named ``llm`` whose pod spec is ``pod_spec`` (indented by 6)."""
    head = f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: llm
          namespace: {namespace}
          labels: {labels}
        spec:
          template:
            metadata:
              labels: {{app: llm}}
            spec:
        """
    return textwrap.dedent(head) + textwrap.indent(textwrap.dedent(pod_spec), " " * 6)


# --- the loader -------------------------------------------------------------------------


def test_mappings_carry_their_lines_and_documents_their_span() -> None:
    documents = _load(
        """\
        # leading comment
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
        data: {x: "1"}
        ---
        ---
        # second
        kind: Thing
        spec:
          items:
            - name: one
              value: 1
        """
    )
    assert [(d.index, d.line, d.end_line) for d in documents] == [(0, 2, 6), (2, 8, 14)]
    first, second = documents[0].data, documents[1].data
    assert isinstance(first, LineDict) and (first.line, first.end_line) == (2, 6)
    assert (first["metadata"].line, first["metadata"].end_line) == (5, 5)
    item = second["spec"]["items"][0]
    assert item == {"name": "one", "value": 1}
    assert (item.line, item.end_line) == (13, 14)


def test_scalars_are_plain_python_values_and_unknown_tags_are_ignored() -> None:
    [document] = _load(
        """\
        a: 0x10
        b: yes
        c: ~
        d: 1.5
        e: "007"
        f: !Ref bucket
        g: 2024-01-01
        h: !!int twelve
        """
    )
    assert document.data == {
        "a": 16,
        "b": True,
        "c": None,
        "d": 1.5,
        "e": "007",
        "f": "bucket",
        "g": "2024-01-01",
        "h": "twelve",
    }


def test_anchors_and_merge_keys_are_expanded_as_copies() -> None:
    [document] = _load(
        """\
        base: &base {image: nginx, port: 80}
        one:
          <<: *base
          port: 8080
        two: *base
        """
    )
    data = document.data
    assert data["one"] == {"image": "nginx", "port": 8080}
    assert data["two"] == {"image": "nginx", "port": 80}
    assert data["two"] is not data["base"]


def test_documents_survive_pickling_with_their_lines() -> None:
    documents = _load("kind: A\nspec: {x: [1, {y: 2}]}\n")
    [copy] = pickle.loads(pickle.dumps(documents))
    assert copy == documents[0]
    assert isinstance(copy.data, LineDict)
    assert copy.data["spec"]["x"][1].line == 2


def test_a_syntax_error_in_the_second_document_keeps_the_first() -> None:
    text = "kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata:\n  name: [b\n  x: 1\n"
    documents, diagnostics = load_yaml("k8s/multi.yaml", text.encode())
    assert [d.data["kind"] for d in documents] == ["A"]
    [diagnostic] = diagnostics
    assert (diagnostic.path, diagnostic.line, diagnostic.level) == ("k8s/multi.yaml", 7, "error")
    assert diagnostic.message.startswith("YAML syntax error: ")


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    documents, diagnostics = load_yaml("bomb.yaml", "\n".join(lines).encode())
    assert time.perf_counter() - started < 2
    assert documents == []
    [diagnostic] = diagnostics
    assert f"more than {MAX_ALIAS_NODES}" in diagnostic.message
    assert diagnostic.line == 4  # a3: ten copies of a2 (1,111 nodes each) cross the limit


def test_deep_nesting_and_recursive_aliases_are_refused_not_crashed() -> None:
    documents, diagnostics = load_yaml("deep.yaml", b"[" * 200_000 + b"]" * 200_000)
    # driftgate's own limit decides, before the C parser's (libyaml stops a deep line
    # with a limit of its own while it looks ahead for a key).
    assert documents == [] and diagnostics[0].message == "YAML nesting deeper than 200 levels"
    assert diagnostics[0].line == 1
    nested_lines = b"k: v\n---\nx:\n" + b"  [\n" * 300 + b"  ]" * 300 + b"\n"
    documents, diagnostics = load_yaml("lines.yaml", nested_lines)
    assert [d.data for d in documents] == [{"k": "v"}]
    assert (diagnostics[0].line, diagnostics[0].message) == (
        203,
        "YAML nesting deeper than 200 levels",
    )
    documents, diagnostics = load_yaml("loop.yaml", b"a: &a [1, *a]\n")
    assert documents == [] and "refers to itself" in diagnostics[0].message


def test_a_long_line_of_shallow_collections_is_read_and_its_errors_are_syntax_errors() -> None:
    # Many openers on one line (minified JSON) are not deep: read as usual.
    row = b"x: [" + b"{a: 1}, " * 3000 + b"]\n"
    documents, diagnostics = load_yaml("wide.yaml", row)
    assert diagnostics == [] and len(documents[0].data["x"]) == 3000
    documents, diagnostics = load_yaml("broken.yaml", b"k: 1\n" + row[:-2] + b"\n:\n")
    [diagnostic] = diagnostics
    assert diagnostic.path == "broken.yaml" and diagnostic.level == "error"
    assert diagnostic.message.startswith("YAML syntax error: ")


def test_encoding_bom_accepted_and_non_utf8_reported_with_its_line() -> None:
    documents, diagnostics = load_yaml("bom.yaml", b"\xef\xbb\xbfkind: A\n")
    assert diagnostics == [] and documents[0].data == {"kind": "A"}
    documents, diagnostics = load_yaml("latin1.yaml", b"kind: A\nname: caf\xe9\n")
    assert documents == []
    assert [(d.line, d.message) for d in diagnostics] == [(2, "not UTF-8 text (byte 0xe9)")]


def test_helm_templates_are_a_warning_not_an_error() -> None:
    chart = b"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.sa }}\n"
    documents, diagnostics = load_yaml("charts/llm/templates/sa.yaml", chart)
    assert documents == []
    assert [(d.line, d.level, d.message) for d in diagnostics] == [
        (1, "warning", "Helm template not rendered; skipped")
    ]
    elsewhere = b"kind: A\n{{- if .Values.enabled }}\nname: {{ .Values.name }}\n{{- end }}\n"
    documents, diagnostics = load_yaml("deploy/a.yaml", elsewhere)
    assert [(d.line, d.level) for d in diagnostics] == [(2, "warning")]


@pytest.mark.parametrize(
    ("text", "line", "token"),
    [
        # A documentation sample: a format-string placeholder where an image goes.
        (b"kind: Pod\nspec:\n  image: {docker_username}/model:v1\n", 3, "{docker_username}"),
        # A Terraform template: its directive breaks the YAML, its ${} does not.
        (
            b"kind: A\nname: ${name}\nx: [%{ for v in vs }${v}, %{ endfor }]\n",
            3,
            "%{ for v in vs }",
        ),
    ],
)
def test_templates_of_other_languages_are_a_warning_not_an_error(
    text: bytes, line: int, token: str
) -> None:
    documents, diagnostics = load_yaml("docs/sample.yaml", text)
    assert documents == []
    ((at, level, message),) = [(d.line, d.level, d.message) for d in diagnostics]
    assert (at, level) == (line, "warning")
    assert token in message


def test_a_broken_file_with_a_placeholder_elsewhere_is_still_an_error() -> None:
    """A placeholder that parses (``${x}``) does not excuse a real syntax error."""
    _, diagnostics = load_yaml("a.yaml", b"x: ${var}\ny: [\n")
    assert [(d.line, d.level) for d in diagnostics] == [(3, "error")]


def test_crds_and_empty_documents_are_dropped() -> None:
    documents = _load(
        """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: things.example.com}
        spec: {versions: [{name: v1, schema: {openAPIV3Schema: {type: object}}}]}
        ---
        # only a comment
        ---
        kind: Kept
        """
    )
    assert [(d.index, d.data) for d in documents] == [(2, {"kind": "Kept"})]


# --- identities and grants --------------------------------------------------------------

SERVICE_ACCOUNT = """\
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: llm
      namespace: ml-prod
      labels: {team: ml-platform}
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/llm-prod
    """


def test_service_account_with_irsa_federates_to_the_role() -> None:
    model = _model(SERVICE_ACCOUNT, path="k8s/sa.yaml")
    identity = model.identities["k8s:ml-prod/ServiceAccount/llm"]
    assert identity.principal == "system:serviceaccount:ml-prod:llm"
    assert identity.federates_to == ("aws:arn:aws:iam::123456789012:role/llm-prod",)
    assert (identity.environment, identity.owner, identity.declared) == (
        "prod",
        "ml-platform",
        True,
    )
    assert identity.location == Location(path="k8s/sa.yaml", line=1, end_line=8)


def test_gke_and_azure_workload_identity_annotations() -> None:
    model = _model(
        """\
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: both
          annotations:
            iam.gke.io/gcp-service-account: llm@proj.iam.gserviceaccount.com
            azure.workload.identity/client-id: 00000000-1111-2222-3333-444444444444
        """
    )
    identity = model.identities["k8s:default/ServiceAccount/both"]
    assert identity.federates_to == (
        "gcp:llm@proj.iam.gserviceaccount.com",
        "azure:00000000-1111-2222-3333-444444444444",
    )


RBAC = """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: model-reader
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        verbs: [get, list]
      - apiGroups: [serving.kserve.io]
        resources: [inferenceservices]
        resourceNames: [bert]
        verbs: [get]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: llm-reader
      namespace: ml-prod
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: model-reader}
    subjects:
      - kind: ServiceAccount
        name: llm
      - kind: User
        name: alice@example.com
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: llm-reader-everywhere
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: model-reader}
    subjects:
      - {kind: ServiceAccount, name: llm, namespace: ml-prod}
    """


def test_rolebinding_to_clusterrole_is_scoped_to_the_namespace() -> None:
    model = _model(RBAC, path="rbac.yaml")
    grants = [g for g in model.grants if g.via.startswith("RoleBinding")]
    assert [g.identity for g in grants] == ["k8s:ml-prod/ServiceAccount/llm"] * 2
    assert grants[0].via == "RoleBinding ml-prod/llm-reader → ClusterRole model-reader"
    assert grants[0].permissions == (
        Permission(action="get", resource="core/configmaps", scope="ml-prod"),
        Permission(action="list", resource="core/configmaps", scope="ml-prod"),
    )
    assert grants[0].location == Location(path="rbac.yaml", line=6, end_line=8)
    assert grants[1].permissions == (
        Permission(
            action="get", resource="serving.kserve.io/inferenceservices#bert", scope="ml-prod"
        ),
    )
    assert grants[1].location == Location(path="rbac.yaml", line=9, end_line=12)


def test_clusterrolebinding_is_scoped_to_the_cluster() -> None:
    model = _model(RBAC, path="rbac.yaml")
    grants = [g for g in model.grants if g.via.startswith("ClusterRoleBinding")]
    assert grants[0].via == "ClusterRoleBinding llm-reader-everywhere → ClusterRole model-reader"
    assert {p.scope for g in grants for p in g.permissions} == {"*"}
    assert grants[0].location is not None and grants[0].location.line == 6


def test_subjects_no_file_declares_are_undeclared_identities() -> None:
    model = _model(RBAC, path="rbac.yaml")
    identity = model.identities["k8s:ml-prod/ServiceAccount/llm"]
    assert identity.declared is False and identity.environment == "prod"
    assert not any("alice" in address for address in model.identities)


def test_binding_to_a_role_not_in_the_repository_is_unknown() -> None:
    model = _model(
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: b, namespace: ml}
        roleRef:
          kind: ClusterRole
          name: managed-elsewhere
        subjects: [{kind: ServiceAccount, name: llm}]
        """
    )
    [grant] = model.grants
    assert grant.identity == "k8s:ml/ServiceAccount/llm"
    assert grant.permissions == ()
    assert grant.unknown == (
        "roleRef ClusterRole/managed-elsewhere not declared in the repository",
    )
    assert grant.location == Location(path="k8s/app.yaml", line=5, end_line=6)  # roleRef


def test_cluster_admin_is_known_without_being_declared() -> None:
    model = _model(
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: admin}
        roleRef: {kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: ServiceAccount, name: llm, namespace: ml}]
        """
    )
    permissions = {p for g in model.grants for p in g.permissions}
    assert Permission(action="*", resource="*/*", scope="*") in permissions
    assert all(g.unknown == () for g in model.grants)


# --- workloads --------------------------------------------------------------------------


def test_deployment_without_service_account_runs_as_undeclared_default() -> None:
    model = _model(_deployment("containers: [{name: web, image: nginx:1.27}]"))
    workload = model.workloads["k8s:ml/Deployment/llm"]
    assert workload.identities == ("k8s:ml/ServiceAccount/default",)
    default = model.identities["k8s:ml/ServiceAccount/default"]
    assert default.declared is False and default.principal == "system:serviceaccount:ml:default"
    assert (workload.inference, workload.inference_reason) == (False, None)
    assert workload.location == Location(path="k8s/app.yaml", line=1, end_line=12)


def test_legacy_service_account_field_names_the_identity() -> None:
    pod = _deployment("serviceAccount: llm", "ml-prod")
    text = textwrap.dedent(SERVICE_ACCOUNT) + "---\n" + pod
    model = _model(text)
    workload = model.workloads["k8s:ml-prod/Deployment/llm"]
    assert workload.identities == ("k8s:ml-prod/ServiceAccount/llm",)
    assert model.identities["k8s:ml-prod/ServiceAccount/llm"].declared is True


def test_projected_token_ttl_and_line() -> None:
    pod = """\
        serviceAccountName: llm
        containers: [{name: c, image: busybox}]
        volumes:
          - name: aws-token
            projected:
              sources:
                - serviceAccountToken:
                    audience: sts.amazonaws.com
                    expirationSeconds: 86400
                    path: token
                - serviceAccountToken: {path: short}
        """
    model = _model(_deployment(pod))
    token = model.credentials["k8s:ml/Deployment/llm/volume/aws-token/token"]
    assert (token.kind, token.ttl_seconds) == ("projected_token", 86400)
    assert token.identity == "k8s:ml/ServiceAccount/llm"
    assert token.location == Location(path="k8s/app.yaml", line=19, end_line=21)
    default_ttl = model.credentials["k8s:ml/Deployment/llm/volume/aws-token/short"]
    assert default_ttl.ttl_seconds == 3600
    assert model.workloads["k8s:ml/Deployment/llm"].credentials == (
        "k8s:ml/Deployment/llm/volume/aws-token/token",
        "k8s:ml/Deployment/llm/volume/aws-token/short",
    )


def test_consumed_secrets_are_static_credentials_where_referenced() -> None:
    pod = """\
        containers:
          - name: c
            image: busybox
            env:
              - name: HF_TOKEN
                valueFrom:
                  secretKeyRef: {name: hf-token, key: token}
            envFrom:
              - secretRef: {name: db}
        volumes:
          - name: certs
            secret: {secretName: tls}
        """
    model = _model(_deployment(pod, namespace="ml-prod"))
    workload = model.workloads["k8s:ml-prod/Deployment/llm"]
    assert workload.credentials == (
        "k8s:ml-prod/Secret/tls",
        "k8s:ml-prod/Secret/hf-token",
        "k8s:ml-prod/Secret/db",
    )
    hf = model.credentials["k8s:ml-prod/Secret/hf-token"]
    assert (hf.kind, hf.identity, hf.ttl_seconds, hf.environment) == (
        "static_secret",
        None,
        None,
        "prod",
    )
    assert hf.location == Location(path="k8s/app.yaml", line=18, end_line=18)
    assert model.credentials["k8s:ml-prod/Secret/tls"].location == Location(
        path="k8s/app.yaml", line=23, end_line=23
    )


def test_legacy_service_account_token_secret() -> None:
    model = _model(
        """\
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/service-account-token
        metadata:
          name: llm-token
          namespace: ml-prod
          annotations: {kubernetes.io/service-account.name: llm}
        """
    )
    credential = model.credentials["k8s:ml-prod/Secret/llm-token"]
    assert (credential.kind, credential.identity) == (
        "legacy_sa_token",
        "k8s:ml-prod/ServiceAccount/llm",
    )
    assert credential.location == Location(path="k8s/app.yaml", line=1, end_line=7)
    assert model.identities["k8s:ml-prod/ServiceAccount/llm"].declared is False


def test_a_workload_mounting_a_legacy_token_consumes_that_credential() -> None:
    secret = """\
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/service-account-token
        metadata:
          name: llm-token
          namespace: ml
          annotations: {kubernetes.io/service-account.name: llm}
        ---
        """
    pod = "containers: []\nvolumes: [{name: t, secret: {secretName: llm-token}}]"
    model = _model(textwrap.dedent(secret) + _deployment(pod))
    assert model.workloads["k8s:ml/Deployment/llm"].credentials == ("k8s:ml/Secret/llm-token",)
    assert model.credentials["k8s:ml/Secret/llm-token"].kind == "legacy_sa_token"


def test_known_model_server_image_is_inference_and_nginx_is_not() -> None:
    vllm = _model(_deployment("containers: [{name: c, image: 'vllm/vllm-openai:v0.6.0'}]"))
    workload = vllm.workloads["k8s:ml/Deployment/llm"]
    assert workload.inference is True
    assert workload.inference_reason == "image vllm/vllm-openai:v0.6.0 is a known model server"
    for image in ("nginx:1.27", "example.com/team/my-vllm-proxy:1", "vllm-exporter/metrics"):
        plain = _model(_deployment(f"containers: [{{name: c, image: '{image}'}}]"))
        assert plain.workloads["k8s:ml/Deployment/llm"].inference is False, image


def test_gpu_request_is_inference() -> None:
    pod = """\
        containers:
          - name: c
            image: example.com/custom/server:1
            resources:
              limits: {nvidia.com/gpu: 1}
        """
    workload = _model(_deployment(pod)).workloads["k8s:ml/Deployment/llm"]
    assert (workload.inference, workload.inference_reason) == (True, "requests nvidia.com/gpu")
    zero = pod.replace("nvidia.com/gpu: 1", "nvidia.com/gpu: 0")
    assert _model(_deployment(zero)).workloads["k8s:ml/Deployment/llm"].inference is False


def _accelerated(kind: str, name: str, image: str, resource: str = "nvidia.com/gpu") -> str:
    """A ``kind`` named ``name`` in ``ml`` running ``image`` with one ``resource``."""
    pod = f"""\
        spec:
          containers:
            - name: c
              image: {image}
              resources: {{limits: {{{resource}: 1}}}}
        """
    template = textwrap.indent(textwrap.dedent(pod), " " * 4)
    if kind == "Pod":
        body = textwrap.dedent(pod)
    elif kind == "CronJob":
        body = "spec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n"
        body += textwrap.indent(textwrap.dedent(pod), " " * 8)
    else:
        body = "spec:\n  template:\n" + template
    group = {"Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1"}.get(kind, "apps/v1")
    return f"apiVersion: {group}\nkind: {kind}\nmetadata: {{name: {name}, namespace: ml}}\n" + body


def test_an_accelerated_job_or_training_pod_is_training_not_inference() -> None:
    # ai-on-gke's mnist-training-job: a Job on a GPU or a TPU that serves nothing.
    cases = [
        ("Job", "mnist-training-job", "tensorflow/tensorflow:2.13.0-gpu", "nvidia.com/gpu"),
        ("Job", "mnist", "tensorflow/tensorflow:2.13.0", "google.com/tpu"),
        ("CronJob", "nightly", "example.com/batch:1", "nvidia.com/gpu"),
        ("Pod", "llama-finetune", "example.com/trainer:1", "nvidia.com/gpu"),
        ("Deployment", "bert-train", "example.com/trainer:1", "google.com/tpu"),
    ]
    for kind, name, image, resource in cases:
        model = _model(_accelerated(kind, name, image, resource))
        workload = model.workloads[f"k8s:ml/{kind}/{name}"]
        assert (workload.inference, workload.inference_reason) == (False, None), (kind, name)


def test_model_servers_stay_inference_in_a_job_and_tpu_servers_are_recognised() -> None:
    cases = [
        ("Deployment", "llm", "vllm/vllm-openai:v0.6.0", "nvidia.com/gpu", "image"),
        (
            "Job",
            "batch-score",
            "ghcr.io/huggingface/text-generation-inference:2",
            "nvidia.com/gpu",
            "image",
        ),
        ("Deployment", "tpu-llm", "vllm/vllm-tpu:nightly", "google.com/tpu", "image"),
        (
            "Deployment",
            "js",
            "us-docker.pkg.dev/p/inference/jetstream-http:v0.2.2",
            "google.com/tpu",
            "image",
        ),
        (
            "Deployment",
            "me",
            "us-docker.pkg.dev/p/inference/maxengine-server:v0.2.2",
            "google.com/tpu",
            "image",
        ),
        (
            "Deployment",
            "tfs",
            "us-docker.pkg.dev/p/inference/tf-serving-tpu:2.13.0",
            "google.com/tpu",
            "image",
        ),
        (
            "Deployment",
            "custom",
            "example.com/custom/server:1",
            "google.com/tpu",
            "requests google.com/tpu",
        ),
    ]
    for kind, name, image, resource, reason in cases:
        workload = _model(_accelerated(kind, name, image, resource)).workloads[
            f"k8s:ml/{kind}/{name}"
        ]
        assert workload.inference is True, name
        assert (workload.inference_reason or "").startswith(reason), (
            name,
            workload.inference_reason,
        )


def test_kserve_inference_service_runs_as_its_predictor_service_account() -> None:
    model = _model(
        """\
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: bert, namespace: ml-staging}
        spec:
          predictor:
            serviceAccountName: kserve-sa
            model:
              modelFormat: {name: huggingface}
              env: [{name: X, valueFrom: {secretKeyRef: {name: s3, key: k}}}]
        """
    )
    workload = model.workloads["k8s:ml-staging/InferenceService/bert"]
    assert workload.identities == ("k8s:ml-staging/ServiceAccount/kserve-sa",)
    assert (workload.inference_reason, workload.environment) == (
        "KServe InferenceService",
        "staging",
    )
    assert workload.credentials == ("k8s:ml-staging/Secret/s3",)


def test_cronjob_and_ray_service_pod_templates() -> None:
    model = _model(
        """\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: refresh, namespace: ml}
        spec:
          jobTemplate:
            spec:
              template:
                spec: {serviceAccountName: refresher, containers: [{name: c, image: x}]}
        ---
        apiVersion: ray.io/v1
        kind: RayService
        metadata: {name: llm, namespace: ml}
        spec:
          rayClusterConfig:
            headGroupSpec:
              template: {spec: {serviceAccountName: ray-head, containers: []}}
            workerGroupSpecs:
              - template: {spec: {serviceAccountName: ray-worker, containers: []}}
        """
    )
    assert model.workloads["k8s:ml/CronJob/refresh"].identities == (
        "k8s:ml/ServiceAccount/refresher",
    )
    ray = model.workloads["k8s:ml/RayService/llm"]
    assert ray.identities == ("k8s:ml/ServiceAccount/ray-head", "k8s:ml/ServiceAccount/ray-worker")
    assert ray.inference_reason == "KubeRay RayService"


def test_environment_from_namespace_and_from_path() -> None:
    prod = _model(_deployment("containers: []", namespace="ml-prod"), path="k8s/app.yaml")
    assert prod.workloads["k8s:ml-prod/Deployment/llm"].environment == "prod"
    staging = _model(_deployment("containers: []"), path="overlays/staging/deployment.yaml")
    workload = staging.workloads["k8s:ml/Deployment/llm"]
    assert workload.environment == "staging"
    assert staging.identities["k8s:ml/ServiceAccount/default"].environment == "staging"
    configured = ExtractOptions(
        environments=EnvironmentResolver((EnvironmentRule("live", namespaces=("ml",)),))
    )
    live = _model(_deployment("containers: []"), options=configured)
    assert live.workloads["k8s:ml/Deployment/llm"].environment == "live"


def test_owner_label_of_the_object_or_its_pod_template() -> None:
    owned = _model(_deployment("containers: []", labels="{app: llm, Team: search}"))
    assert owned.workloads["k8s:ml/Deployment/llm"].owner == "search"
    unowned = _model(_deployment("containers: []"))
    assert unowned.workloads["k8s:ml/Deployment/llm"].owner is None


def test_configured_inference_selectors() -> None:
    options = ExtractOptions(
        inference=InferenceSelectors(labels=(("app", "llm"),), images=("registry.internal/*",))
    )
    workload = _model(_deployment("containers: []"), options=options).workloads[
        "k8s:ml/Deployment/llm"
    ]
    assert (
        workload.inference_reason == "label app=llm is selected as inference by the configuration"
    )


def test_image_repository_ignores_registry_tag_and_digest() -> None:
    assert image_repository("nvcr.io/nvidia/tritonserver:24.01-py3") == (
        "nvidia/tritonserver",
        "24.01-py3",
    )
    assert image_repository("localhost:5000/ollama/ollama@sha256:abc") == ("ollama/ollama", "")
    assert model_server_reason("tensorflow/serving:2.15.0-gpu") is not None
    assert model_server_reason("ghcr.io/ggml-org/llama.cpp:server-cuda") is not None
    assert model_server_reason("ghcr.io/ggml-org/llama.cpp:light") is None
    assert model_server_reason("example.com/serving:1") is None


# --- hostile input ----------------------------------------------------------------------

_TOKENS = [
    *("a", "kind", "apiVersion", ":", ": ", "- ", "-", " ", "  ", "\n", "\t", "#", "---\n"),
    *("...\n", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "<<: ", "? ", "!!int ", "!x "),
    *("'", '"', "|\n", ">-\n", "{{ .Values.x }}", "\\", "\x00", "\ufeff", "%YAML 1.1\n", "é"),
    *("a: &a [1, {b: 2}]\n", "b: *a\n", "m: &m {x: 1}\n", "n: {<<: *m, y: 2}\n", "- &s x\n"),
    *("- *s\n", "<<: [*m, *a]\n", "kind: CustomResourceDefinition\n", "? [x]\n", "{{"),
]

_KEYS = st.sampled_from(
    [
        *("apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations"),
        *("spec", "template", "jobTemplate", "containers", "initContainers", "image", "env"),
        *("envFrom", "valueFrom", "secretKeyRef", "secretRef", "volumes", "projected"),
        *("sources", "serviceAccountToken", "expirationSeconds", "path", "secret", "secretName"),
        *("serviceAccountName", "serviceAccount", "resources", "limits", "nvidia.com/gpu"),
        *("rules", "verbs", "apiGroups", "resourceNames", "nonResourceURLs", "roleRef"),
        *("subjects", "predictor", "model", "rayClusterConfig", "headGroupSpec", "items"),
        *("aggregationRule", "clusterRoleSelectors", "matchLabels", "matchExpressions"),
        *("operator", "values", "key", "type", "predictors", "componentSpecs", "team"),
    ]
)
_VALUES = st.sampled_from(
    [
        *("v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1", "ray.io/v1", "List"),
        *("serving.kserve.io/v1beta1", "machinelearning.seldon.io/v1", "serving.knative.dev/v1"),
        *("ServiceAccount", "Deployment", "Pod", "CronJob", "Role", "ClusterRole", "Secret"),
        *("RoleBinding", "ClusterRoleBinding", "InferenceService", "RayService", "Service"),
        *("SeldonDeployment", "cluster-admin", "default", "ml-prod", "vllm/vllm-openai", ""),
        *("kubernetes.io/service-account-token", "In", "Exists", "*", "get", "ServiceAccount"),
    ]
)
_SCALARS = st.one_of(
    _VALUES, st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)
)


def _with_lines(value: Any, line: int) -> Any:
    if isinstance(value, dict):
        result = LineDict(line, line + len(value)) if line % 3 else {}
        for key, item in value.items():
            result[key] = _with_lines(item, line + 1)
        return result
    if isinstance(value, list):
        return [_with_lines(item, line + 1) for item in value]
    return value


_NESTED = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(_KEYS, _SCALARS), children, max_size=5),
    ),
    max_leaves=40,
)
_OBJECTS = st.fixed_dictionaries(
    {
        "apiVersion": _VALUES,
        "kind": _VALUES,
        "metadata": st.fixed_dictionaries(
            {"name": _VALUES},
            optional={"namespace": _SCALARS, "labels": _NESTED, "annotations": _NESTED},
        ),
    },
    optional=dict.fromkeys(
        ("spec", "rules", "roleRef", "subjects", "type", "items", "aggregationRule"), _NESTED
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join), st.binary(max_size=40))
def test_load_yaml_never_raises(text: str, junk: bytes) -> None:
    for data in (text.encode(), junk, text.encode() + junk):
        documents, diagnostics = load_yaml("fuzz/templates/x.yaml", data)
        documents, diagnostics = load_yaml("fuzz.yaml", data)
        assert all(d.path == "fuzz.yaml" for d in diagnostics)
        extract_kubernetes(documents, ExtractOptions())
        pickle.loads(pickle.dumps(documents))


_PLAIN_DATA = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=10),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), children, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLAIN_DATA, min_size=1, max_size=3), st.booleans())
def test_load_yaml_reads_what_pyyaml_writes(values: list[Any], share: bool) -> None:
    if share:  # the same object twice: the dumper writes an anchor and an alias
        values = [{"first": value, "again": value} for value in values]
    text = yaml.safe_dump_all(values, default_flow_style=None, allow_unicode=True)
    documents, diagnostics = load_yaml("roundtrip.yaml", text.encode())
    assert diagnostics == []
    expected = yaml.load_all(text, Loader=yaml.CSafeLoader)
    assert [d.data for d in documents] == [v for v in expected if v is not None]


def _seed_documents() -> list[YamlDocument]:
    pods = (
        "serviceAccountName: llm\ncontainers: [{image: vllm/vllm-openai, env: [{valueFrom: "
        "{secretKeyRef: {name: s}}}], envFrom: [{secretRef: {name: t}}], resources: "
        "{limits: {nvidia.com/gpu: 1}}}]\nvolumes: [{name: v, secret: {secretName: u}, "
        "projected: {sources: [{serviceAccountToken: {path: p, expirationSeconds: 60}}]}}]"
    )
    texts = [SERVICE_ACCOUNT, RBAC, _deployment(pods)]
    texts.append(
        """\
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Secret, type: kubernetes.io/service-account-token,
             metadata: {name: t, annotations: {kubernetes.io/service-account.name: llm}}}
          - apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: i}
            spec: {predictor: {serviceAccountName: a, model: {resources: {}}}}
          - apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: agg}
            aggregationRule:
              clusterRoleSelectors:
                - matchLabels: {a: b}
                  matchExpressions: [{key: a, operator: In, values: [b]}]
          - apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: agg}
            roleRef: {kind: ClusterRole, name: agg}
            subjects: [{kind: ServiceAccount, name: llm, namespace: ml}]
          - apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: part, labels: {a: b}}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
          - apiVersion: machinelearning.seldon.io/v1
            kind: SeldonDeployment
            metadata: {name: s}
            spec: {predictors: [{componentSpecs: [{spec: {containers: []}}]}]}
          - apiVersion: ray.io/v1
            kind: RayJob
            metadata: {name: r}
            spec: {rayClusterSpec: {headGroupSpec: {template: {spec: {containers: []}}}}}
        """
    )
    return [d for text in texts for d in _load(text)]


_SEEDS = _seed_documents()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_extract_kubernetes_never_raises_on_mutated_manifests(data: st.DataObject) -> None:
    """Realistic manifests with random subtrees replaced by arbitrary values."""
    documents: list[YamlDocument] = pickle.loads(pickle.dumps(_SEEDS))
    for _ in range(data.draw(st.integers(0, 6))):
        node: Any = data.draw(st.sampled_from(documents)).data
        while isinstance(node, (dict, list)) and node:
            key = data.draw(
                st.sampled_from(list(node) if isinstance(node, dict) else range(len(node)))
            )
            if data.draw(st.booleans()):
                node[key] = data.draw(st.one_of(_NESTED, _OBJECTS))
                break
            node = node[key]
    model = extract_kubernetes(documents, ExtractOptions())
    for workload in model.workloads.values():
        assert all(address in model.identities for address in workload.identities)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(_OBJECTS, _NESTED), st.integers(-2, 50)), max_size=6))
def test_extract_kubernetes_never_raises(items: list[tuple[Any, int]]) -> None:
    documents = [
        YamlDocument("fuzz/overlays/prod/x.yaml", index, line, line, _with_lines(data, line))
        for index, (data, line) in enumerate(items)
    ]
    options = ExtractOptions(inference=InferenceSelectors(labels=(("team", "*"),)))
    model = extract_kubernetes(documents, options)
    for workload in model.workloads.values():
        assert all(address in model.identities for address in workload.identities)


def test_aggregated_cluster_role_collects_the_rules_its_selector_matches() -> None:
    model = _model(
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: llm-all}
        aggregationRule:
          clusterRoleSelectors: [{matchLabels: {aggregate-to-llm: "true"}}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: pods, labels: {aggregate-to-llm: "true"}}
        rules: [{apiGroups: [""], resources: [pods], verbs: [delete]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: b, namespace: ml}
        roleRef: {kind: ClusterRole, name: llm-all}
        subjects: [{kind: ServiceAccount, name: llm}]
        """,
        path="rbac/agg.yaml",
    )
    [grant] = model.grants
    assert grant.permissions == (Permission(action="delete", resource="core/pods", scope="ml"),)
    assert grant.via == "RoleBinding ml/b → ClusterRole llm-all"
    assert grant.location == Location(path="rbac/agg.yaml", line=10, end_line=10)


# --- impersonation: who may act as a ServiceAccount -------------------------------------

_SERVICE_ACCOUNTS = """\
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: llm, namespace: ml}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: batch, namespace: ml}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: llm, namespace: other}
    ---
    """


def _impersonation(rule: str, binding_kind: str = "RoleBinding") -> str:
    role_kind = "Role" if binding_kind == "RoleBinding" else "ClusterRole"
    namespace = "namespace: ml, " if binding_kind == "RoleBinding" else ""
    return textwrap.dedent(_SERVICE_ACCOUNTS) + textwrap.dedent(f"""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {role_kind}
        metadata: {{name: act-as, {namespace}}}
        rules:
          - {rule}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {binding_kind}
        metadata: {{name: oncall, {namespace}}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: act-as}}
        subjects:
          - {{kind: User, name: alice}}
          - {{kind: Group, name: oncall}}
          - {{kind: ServiceAccount, name: smoke, namespace: ci}}
        """)


def _trusted(model: Model) -> dict[str, tuple[str, ...]]:
    return {t.identity: t.principals for t in model.trusts}


def test_impersonate_by_name_trusts_every_subject_of_that_account_only() -> None:
    rule = (
        '{apiGroups: [""], resources: [serviceaccounts], resourceNames: [llm], '
        "verbs: [impersonate]}"
    )
    model = _model(_impersonation(rule))
    assert _trusted(model) == {
        "k8s:ml/ServiceAccount/llm": (
            "User:alice",
            "Group:oncall",
            "system:serviceaccount:ci:smoke",
        )
    }
    [trust] = model.trusts
    assert trust.actions == ("impersonate",)
    assert "RoleBinding ml/oncall" in trust.via


def test_impersonate_without_names_reaches_every_account_in_the_namespace() -> None:
    rule = '{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}'
    assert set(_trusted(_model(_impersonation(rule)))) == {
        "k8s:ml/ServiceAccount/llm",
        "k8s:ml/ServiceAccount/batch",
    }


def test_a_cluster_role_binding_reaches_every_namespace() -> None:
    rule = '{apiGroups: [""], resources: [serviceaccounts], verbs: ["*"]}'
    model = _model(_impersonation(rule, "ClusterRoleBinding"))
    # Every ServiceAccount the repository knows, the bound one in namespace ci included.
    assert set(_trusted(model)) == {
        "k8s:ml/ServiceAccount/llm",
        "k8s:ml/ServiceAccount/batch",
        "k8s:other/ServiceAccount/llm",
        "k8s:ci/ServiceAccount/smoke",
    }


def test_rules_that_do_not_impersonate_service_accounts_trust_no_one() -> None:
    for rule in (
        '{apiGroups: [""], resources: [serviceaccounts], verbs: [get, list]}',
        '{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}',
        '{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}',  # an admin: DG104/DG405
        "{apiGroups: [apps], resources: [serviceaccounts], verbs: [impersonate]}",
    ):
        assert _model(_impersonation(rule)).trusts == [], rule


def _documents(files: dict[str, str]) -> list[YamlDocument]:
    return [document for path, text in files.items() for document in _load(text, path)]


def test_one_namespaceless_object_in_unrelated_folders_is_two_workloads() -> None:
    # ai-on-gke declares default/Job/mnist-training-job in its GPU and its TPU examples.
    job = _accelerated("Job", "mnist", "example.com/train:1").replace(", namespace: ml", "")
    job = job.replace(
        "spec:\n  template:\n    spec:\n",
        "spec:\n  template:\n    spec:\n      serviceAccountName: trainer\n",
    )
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: trainer}\n"
    files = {"gpu/job.yaml": job, "gpu/sa.yaml": sa, "tpu/job.yaml": job, "tpu/sa.yaml": sa}
    model = extract_kubernetes(_documents(files), ExtractOptions())
    gpu, tpu = (
        model.workloads["k8s:default/Job/mnist@gpu"],
        model.workloads["k8s:default/Job/mnist@tpu"],
    )
    assert (gpu.location.path if gpu.location else None) == "gpu/job.yaml"
    assert (tpu.location.path if tpu.location else None) == "tpu/job.yaml"
    # Each runs as the ServiceAccount declared beside it.
    assert gpu.identities == ("k8s:default/ServiceAccount/trainer@gpu",)
    assert tpu.identities == ("k8s:default/ServiceAccount/trainer@tpu",)
    assert model.identities["k8s:default/ServiceAccount/trainer@tpu"].declared


def test_addresses_stay_plain_without_a_collision_or_with_a_named_namespace() -> None:
    named = _accelerated("Job", "mnist", "example.com/train:1")
    files = {
        "a/job.yaml": named,
        "b/job.yaml": named,
        "c/other.yaml": named.replace("mnist", "other").replace(", namespace: ml", ""),
    }
    model = extract_kubernetes(_documents(files), ExtractOptions())
    assert sorted(model.workloads) == ["k8s:default/Job/other", "k8s:ml/Job/mnist"]
    assert model.workloads["k8s:ml/Job/mnist"].location.path == "a/job.yaml"  # type: ignore[union-attr]


def test_a_binding_grants_the_colliding_service_account_of_its_own_folder() -> None:
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: trainer}\n"
    binding = """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: trainer}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects: [{kind: ServiceAccount, name: trainer}]
        """
    files = {"gpu/sa.yaml": sa, "gpu/rb.yaml": binding, "tpu/sa.yaml": sa}
    model = extract_kubernetes(_documents(files), ExtractOptions())
    assert {g.identity for g in model.grants} == {"k8s:default/ServiceAccount/trainer@gpu"}
    assert "k8s:default/ServiceAccount/trainer" not in model.identities
