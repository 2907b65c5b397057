"""Kustomize: overlays built statically, then the Kubernetes model of what they produce."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.kubernetes.kustomize import apply_kustomizations
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model.entities import Location, Model, Unknown
from driftgate.analyzer.model.environment import EnvironmentResolver, EnvironmentRule
from driftgate.analyzer.parse.yaml_docs import LineDict, YamlDocument, load_yaml
from driftgate.analyzer.pipeline import ParseCache, build_model
from driftgate.analyzer.sources.worktree import DirectoryTree

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "testdata" / "model" / "kustomize"
GOLDEN = ROOT / "tests" / "golden" / "model-kustomize.json"
BASE = "k8s/llm/base"
PROD = "k8s/llm/overlays/prod"
STAGING = "k8s/llm/overlays/staging"
SA = "ServiceAccount"
IRSA = "eks.amazonaws.com/role-arn"


def _load(files: dict[str, str]) -> list[YamlDocument]:
    documents: list[YamlDocument] = []
    for path, text in files.items():
        loaded, problems = load_yaml(path, textwrap.dedent(text).encode())
        assert problems == []
        documents.extend(loaded)
    return documents


def _build(
    files: dict[str, str], environments: EnvironmentResolver | None = None
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    return apply_kustomizations(_load(files), environments)


def _fixture_documents() -> list[YamlDocument]:
    cache = ParseCache()
    documents: list[YamlDocument] = []
    for source in DirectoryTree(FIXTURE).files():
        parsed, problems = cache.parse(source)
        assert problems == []
        assert isinstance(parsed, list)
        documents.extend(parsed)
    return documents


def _objects(documents: list[YamlDocument]) -> dict[tuple[str, str, str], YamlDocument]:
    """Documents by (namespace, kind, name)."""
    found: dict[tuple[str, str, str], YamlDocument] = {}
    for document in documents:
        meta = document.data.get("metadata", {})
        key = (meta.get("namespace", ""), document.data.get("kind"), meta.get("name"))
        assert key not in found, key
        found[key] = document
    return found


def _model(documents: list[YamlDocument]) -> Model:
    return link(merge([extract_kubernetes(documents, ExtractOptions())]))


def _messages(diagnostics: list[Diagnostic]) -> list[tuple[str, int, str, str, str]]:
    return [(d.path, d.line, d.level, d.kind, d.message) for d in diagnostics]


SA_YAML = """\
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: llm
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/llm
    """
KUSTOMIZATION = "kind: Kustomization\nresources: [sa.yaml]\n"


# --- the realistic fixture -----------------------------------------------------------------


def test_fixture_overlays_produce_one_object_per_environment() -> None:
    output, diagnostics = apply_kustomizations(_fixture_documents())
    assert diagnostics == []
    objects = _objects(output)
    assert sorted(objects) == [
        ("ml-prod", "Deployment", "prod-llm-server"),
        ("ml-prod", "Role", "prod-model-config-reader"),
        ("ml-prod", "RoleBinding", "prod-llm-server-model-config"),
        ("ml-prod", SA, "prod-llm-server"),
        ("ml-staging", "CronJob", "nightly-eval"),
        ("ml-staging", "Deployment", "staging-llm-server"),
        ("ml-staging", "Role", "staging-model-config-reader"),
        ("ml-staging", "RoleBinding", "staging-llm-server-model-config"),
        ("ml-staging", SA, "eval-runner"),
        ("ml-staging", SA, "staging-llm-server"),
    ]
    # Unpatched base objects keep their base file and lines: the namespace names the
    # environment as well as the overlay's path would.
    staging_sa = objects[("ml-staging", SA, "staging-llm-server")]
    assert (staging_sa.path, staging_sa.line, staging_sa.end_line) == (
        f"{BASE}/serviceaccount.yaml",
        1,
        6,
    )
    assert staging_sa.data["metadata"]["annotations"] == {
        IRSA: "arn:aws:iam::111122223333:role/llm-server-staging"
    }
    assert staging_sa.data["metadata"]["labels"] == {"team": "ml-platform"}
    # The prod ServiceAccount was changed by the overlay's patch: it is located there.
    prod_sa = objects[("ml-prod", SA, "prod-llm-server")]
    assert (prod_sa.path, prod_sa.line) == (f"{PROD}/serviceaccount-patch.yaml", 1)
    annotations = prod_sa.data["metadata"]["annotations"]
    assert annotations == {IRSA: "arn:aws:iam::444455556666:role/llm-server-prod"}
    assert annotations.line == 6
    # References follow the renamed objects.
    binding = objects[("ml-prod", "RoleBinding", "prod-llm-server-model-config")]
    assert binding.data["roleRef"]["name"] == "prod-model-config-reader"
    assert binding.data["subjects"] == [
        {"kind": SA, "name": "prod-llm-server", "namespace": "ml-prod"}
    ]
    rules = objects[("ml-prod", "Role", "prod-model-config-reader")].data["rules"]
    assert (binding.path, rules[1].line) == (f"{BASE}/rbac.yaml", 9)
    prod_deployment = objects[("ml-prod", "Deployment", "prod-llm-server")]
    pod = prod_deployment.data["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "prod-llm-server"
    token = pod["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]
    # The inline JSON patch of the prod kustomization: its op is on line 13.
    assert token["expirationSeconds"] == 86400
    assert (prod_deployment.path, token.line, prod_deployment.line) == (
        f"{PROD}/kustomization.yaml",
        13,
        13,
    )
    # A Secret no kustomization builds keeps its name.
    env = pod["containers"][0]["env"][0]
    assert env["valueFrom"]["secretKeyRef"]["name"] == "hf-token"
    # A manifest outside any kustomize directory is passed through untouched.
    cron = objects[("ml-staging", "CronJob", "nightly-eval")]
    assert (cron.path, cron.line) == ("k8s/jobs/nightly-eval.yaml", 8)


def test_fixture_model_has_one_service_account_per_environment() -> None:
    output, _ = apply_kustomizations(_fixture_documents())
    model = _model(output)
    staging = model.identities["k8s:ml-staging/ServiceAccount/staging-llm-server"]
    prod = model.identities["k8s:ml-prod/ServiceAccount/prod-llm-server"]
    assert (staging.environment, staging.federates_to, staging.owner) == (
        "staging",
        ("aws:arn:aws:iam::111122223333:role/llm-server-staging",),
        "ml-platform",
    )
    assert (prod.environment, prod.federates_to) == (
        "prod",
        ("aws:arn:aws:iam::444455556666:role/llm-server-prod",),
    )
    assert prod.location == Location(path=f"{PROD}/serviceaccount-patch.yaml", line=1, end_line=6)
    assert staging.location == Location(path=f"{BASE}/serviceaccount.yaml", line=1, end_line=6)
    assert not any("/ServiceAccount/llm-server" in address for address in model.identities)
    workload = model.workloads["k8s:ml-prod/Deployment/prod-llm-server"]
    assert workload.identities == ("k8s:ml-prod/ServiceAccount/prod-llm-server",)
    assert (workload.environment, workload.inference) == ("prod", True)
    prod_token = model.credentials[
        "k8s:ml-prod/Deployment/prod-llm-server/volume/model-store-token/token"
    ]
    assert prod_token.ttl_seconds == 86400
    assert prod_token.location == Location(path=f"{PROD}/kustomization.yaml", line=13, end_line=15)
    staging_token = model.credentials[
        "k8s:ml-staging/Deployment/staging-llm-server/volume/model-store-token/token"
    ]
    assert (staging_token.ttl_seconds, staging_token.location) == (
        3600,
        Location(path=f"{BASE}/deployment.yaml", line=37, end_line=39),
    )
    secrets = [g for g in model.grants if g.permissions and "secrets" in g.permissions[0].resource]
    assert sorted((g.identity, g.permissions[0].scope) for g in secrets) == [
        ("k8s:ml-prod/ServiceAccount/prod-llm-server", "ml-prod"),
        ("k8s:ml-staging/ServiceAccount/staging-llm-server", "ml-staging"),
    ]
    assert {g.location for g in secrets} == {
        Location(path=f"{BASE}/rbac.yaml", line=9, end_line=12)
    }


def _model_document() -> dict[str, Any]:
    """What ``driftgate model`` prints for the fixture once the pipeline applies
    kustomizations, without the tree label."""
    output, diagnostics = apply_kustomizations(_fixture_documents())
    document: dict[str, Any] = _model(output).model_dump(mode="json", exclude_defaults=False)
    document["diagnostics"] = [
        {"path": d.path, "line": d.line, "level": d.level, "kind": d.kind, "message": d.message}
        for d in diagnostics
    ]
    return document


def test_fixture_model_matches_golden(update_golden: bool) -> None:
    actual = json.dumps(_model_document(), indent=2, sort_keys=True) + "\n"
    if update_golden:
        GOLDEN.write_text(actual)
    assert actual == GOLDEN.read_text(), "golden model changed: review, then --update-golden"


def test_input_documents_are_not_modified() -> None:
    documents = _fixture_documents()
    before = copy.deepcopy([d.data for d in documents])
    lines = [(d.data.line, d.data["metadata"].line) for d in documents if "metadata" in d.data]
    apply_kustomizations(documents)
    apply_kustomizations(documents)
    assert [d.data for d in documents] == before
    assert [(d.data.line, d.data["metadata"].line) for d in documents if "metadata" in d.data] == (
        lines
    )


# --- which objects are emitted, and where ----------------------------------------------------


def test_objects_of_a_kustomize_directory_only_come_through_its_roots() -> None:
    output, diagnostics = _build(
        {
            "base/kustomization.yaml": KUSTOMIZATION,
            "base/sa.yaml": SA_YAML,
            "base/unlisted.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n",
            "overlays/prod/kustomization.yaml": """\
                resources: [../../base]
                patchesStrategicMerge: [patches/sa.yaml]
                """,
            "overlays/prod/patches/sa.yaml": """\
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: llm, labels: {env: prod}}
                """,
            "plain/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: plain}\n",
        }
    )
    assert diagnostics == []
    assert [(d.path, d.data["metadata"]["name"]) for d in output] == [
        ("overlays/prod/patches/sa.yaml", "llm"),
        ("plain/sa.yaml", "plain"),
    ]


def test_a_lone_kustomization_is_a_root_and_keeps_its_files() -> None:
    output, _ = _build({"app/kustomization.yaml": KUSTOMIZATION, "app/sa.yaml": SA_YAML})
    assert [(d.path, d.line, d.data["metadata"]["name"]) for d in output] == [
        ("app/sa.yaml", 1, "llm")
    ]


def test_an_overlay_without_a_namespace_locates_base_objects_in_the_overlay() -> None:
    files = {
        "base/kustomization.yaml": KUSTOMIZATION,
        "base/sa.yaml": SA_YAML,
        "overlays/prod/kustomization.yaml": "# prod\nnameSuffix: -p\nresources: [../../base]\n",
    }
    output, _ = _build(files)
    [document] = output
    # The base path names no environment and the namespace is "default": only the
    # overlay's path says prod, so the object is put at the overlay's first line.
    assert (document.path, document.line, document.data["metadata"].line) == (
        "overlays/prod/kustomization.yaml",
        2,
        2,
    )
    identity = _model(output).identities["k8s:default/ServiceAccount/llm-p"]
    assert identity.environment == "prod"
    # A configured rule that names the environment by namespace keeps the base file.
    rules = EnvironmentResolver((EnvironmentRule("prod", namespaces=("default",)),))
    [document] = _build(files, rules)[0]
    assert (document.path, document.line) == ("base/sa.yaml", 1)


def test_mappings_a_patch_did_not_touch_are_put_at_the_patch() -> None:
    output, _ = _build(
        {
            "base/kustomization.yaml": "resources: [deploy.yaml]\n",
            "base/deploy.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: llm}
                spec:
                  template:
                    spec:
                      serviceAccountName: llm
                      containers:
                        - name: server
                          image: vllm/vllm-openai:v0.6.3
                """,
            "prod/kustomization.yaml": "resources: [../base]\npatches: [{path: sa.yaml}]\n",
            "prod/sa.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: llm
                spec:
                  template:
                    spec:
                      serviceAccountName: llm-prod
                """,
        }
    )
    [document] = output
    pod = document.data["spec"]["template"]["spec"]
    assert document.path == "prod/sa.yaml"
    assert (pod["serviceAccountName"], pod.line) == ("llm-prod", 8)
    # The container map comes from the base: it is put at the patch's first line.
    assert pod["containers"][0].line == 1


# --- repository boundaries and hostile input --------------------------------------------------


def test_paths_outside_the_repository_and_remote_bases_are_reported() -> None:
    output, diagnostics = _build(
        {
            "k/kustomization.yaml": """\
                resources:
                  - ../../outside
                  - /etc/kubernetes/admin.yaml
                  - github.com/acme/platform//base?ref=v1.2.0
                  - https://example.com/manifests/base.yaml
                  - git@github.com:acme/platform.git
                  - missing.yaml
                  - sa.yaml
                patchesStrategicMerge: [../../../etc/patch.yaml]
                """,
            "k/sa.yaml": SA_YAML,
        }
    )
    assert [d.data["metadata"]["name"] for d in output] == ["llm"]
    assert _messages(diagnostics) == [
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "unsafe-path",
            "resources entry ../../outside is outside the repository; not read",
        ),
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "unsafe-path",
            "absolute path in resources not read: /etc/kubernetes/admin.yaml",
        ),
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "remote base not fetched: resources github.com/acme/platform//base?ref=v1.2.0",
        ),
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "remote base not fetched: resources https://example.com/manifests/base.yaml",
        ),
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "remote base not fetched: resources git@github.com:acme/platform.git",
        ),
        (
            "k/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "resources entry missing.yaml is not among the repository's YAML files",
        ),
        (
            "k/kustomization.yaml",
            9,  # the line of the key that lists it
            "warning",
            "unsafe-path",
            "patchesStrategicMerge entry ../../../etc/patch.yaml is outside the repository; "
            "not read",
        ),
    ]


def test_a_kustomization_including_itself_terminates_with_an_error() -> None:
    output, diagnostics = _build(
        {"app/kustomization.yaml": "resources: [., ./, sa.yaml]\n", "app/sa.yaml": SA_YAML}
    )
    assert _messages(diagnostics) == [
        ("app/kustomization.yaml", 1, "error", "evaluation", "kustomization includes itself"),
        (
            "app/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "kustomization is only included from an include cycle; not built",
        ),
    ]
    assert output == []


def test_an_include_cycle_terminates_and_builds_the_rest() -> None:
    output, diagnostics = _build(
        {
            "a/kustomization.yaml": "resources: [../b, sa.yaml]\n",
            "a/sa.yaml": SA_YAML,
            "b/kustomization.yaml": "resources: [../a]\n",
            "root/kustomization.yaml": "namespace: ml-dev\nresources: [../a]\n",
        }
    )
    assert _messages(diagnostics) == [
        (
            "b/kustomization.yaml",
            1,
            "error",
            "evaluation",
            "kustomization include cycle: a/kustomization.yaml → b/kustomization.yaml → "
            "a/kustomization.yaml",
        )
    ]
    assert [(d.path, d.data["metadata"]["namespace"]) for d in output] == [("a/sa.yaml", "ml-dev")]


def test_exponential_includes_and_huge_lists_stop_at_a_limit() -> None:
    files = {
        f"l{i}/kustomization.yaml": f"resources: [../l{i + 1}, ../l{i + 1}/]\n" for i in range(30)
    }
    files["l30/kustomization.yaml"] = "resources: [sa.yaml]\n"
    files["l30/sa.yaml"] = SA_YAML
    entries = "\n".join(f"  - s{i}.yaml" for i in range(5000))
    files["big/kustomization.yaml"] = f"resources:\n{entries}\n"
    output, diagnostics = _build(files)
    assert output == []
    assert (
        "l0/kustomization.yaml",
        1,
        "error",
        "evaluation",
        "kustomization not built: more than 500 kustomizations to build",
    ) in _messages(diagnostics)
    assert (
        "big/kustomization.yaml",
        1,
        "warning",
        "evaluation",
        "resources has more than 1000 entries; the rest are ignored",
    ) in _messages(diagnostics)


def test_a_json_patch_that_copies_a_tree_into_itself_is_refused() -> None:
    ops = "\n".join(
        "  - {op: copy, from: /metadata, path: /metadata/m" + str(i) + "}" for i in range(40)
    )
    output, diagnostics = _build(
        {
            "app/kustomization.yaml": """\
                resources: [sa.yaml]
                patchesJson6902:
                  - target: {kind: ServiceAccount, name: llm}
                    path: ops.yaml
                """,
            "app/sa.yaml": SA_YAML,
            "app/ops.yaml": ops + "\n",
        }
    )
    assert output == []
    [diagnostic] = diagnostics
    assert diagnostic.level == "error" and diagnostic.message.startswith("kustomization not built")


def test_malformed_kustomizations_are_reported_not_raised() -> None:
    output, diagnostics = _build(
        {
            "a/kustomization.yaml": "resources: sa.yaml\npatches: [3, {target: {kind: X}}]\n",
            "a/sa.yaml": SA_YAML,
            "b/kustomization.yaml": "- just\n- a list\n",
            "b/sa.yaml": SA_YAML.replace("llm", "other"),
            "c/kustomization.yaml": """\
                resources: [sa.yaml, 7, ""]
                patches:
                  - target: {kind: ServiceAccount, name: "(l+)+$"}
                    patch: '[{"op": "remove", "path": "/metadata/annotations"}]'
                  - target: {kind: ServiceAccount}
                    patch: '[{"op": "remove", "path": "/nothing/here"}]'
                  - patch: "apiVersion: v1\\nkind: ServiceAccount\\nmetadata: {name: nobody}\\n"
                """,
            "c/sa.yaml": SA_YAML,
        }
    )
    # b's kustomization is a list, not a kustomization: its directory is a plain one.
    assert [(d.path, d.line) for d in output] == [
        ("b/kustomization.yaml", 1),
        ("b/sa.yaml", 1),
        ("c/sa.yaml", 1),
    ]
    assert [m[4] for m in _messages(diagnostics)] == [
        "kustomization file is not a mapping; ignored",
        "resources is not a list; ignored",
        "patches entry is not a mapping",
        "patches entry has neither a path nor a patch",
        "resources entry is not a path: 7",
        "resources entry is not a path: ''",
        "patches not applied: target regex '(l+)+$' is not supported",
        "patches not applied: /nothing/here does not exist",
        "patches: the patch matches no object",
    ]


# --- strategic merge and JSON 6902 -------------------------------------------------------------

DEPLOYMENT = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: llm, annotations: {a: "1", b: "2"}}
    spec:
      template:
        spec:
          serviceAccountName: llm
          containers:
            - {name: server, image: vllm/vllm-openai:v0.6.3, args: [--a]}
            - {name: sidecar, image: envoy:1}
          volumes:
            - name: token
              projected:
                sources:
                  - serviceAccountToken: {path: token, expirationSeconds: 600}
            - {name: cache, emptyDir: {}}
    """


def _one(files: dict[str, str]) -> Any:
    output, diagnostics = _build({"app/deploy.yaml": DEPLOYMENT, **files})
    assert diagnostics == []
    [document] = output
    return document.data


def test_strategic_merge_merges_containers_and_volumes_by_name() -> None:
    data = _one(
        {
            "app/kustomization.yaml": """\
                resources: [deploy.yaml]
                patchesStrategicMerge:
                  - |-
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: llm, annotations: {a: null, c: "3"}}
                    spec:
                      template:
                        spec:
                          containers:
                            - {name: server, args: [--b]}
                            - {name: sidecar, $patch: delete}
                          volumes:
                            - name: token
                              projected:
                                sources:
                                  - serviceAccountToken: {path: token, expirationSeconds: 7200}
                """,
        }
    )
    assert data["metadata"]["annotations"] == {"b": "2", "c": "3"}
    pod = data["spec"]["template"]["spec"]
    assert pod["containers"] == [
        {"name": "server", "image": "vllm/vllm-openai:v0.6.3", "args": ["--b"]}
    ]
    assert [v["name"] for v in pod["volumes"]] == ["token", "cache"]
    sources = pod["volumes"][0]["projected"]["sources"]
    assert sources == [{"serviceAccountToken": {"path": "token", "expirationSeconds": 7200}}]


def test_strategic_merge_replaces_rules_and_can_delete_an_object() -> None:
    output, diagnostics = _build(
        {
            "app/kustomization.yaml": """\
                resources: [rbac.yaml, sa.yaml]
                patches:
                  - path: rules.yaml
                  - patch: |-
                      apiVersion: v1
                      kind: ServiceAccount
                      metadata: {name: llm}
                      $patch: delete
                """,
            "app/sa.yaml": SA_YAML,
            "app/rbac.yaml": """\
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reader}
                rules:
                  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
                  - {apiGroups: [""], resources: [pods], verbs: [list]}
                """,
            "app/rules.yaml": """\
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reader}
                rules:
                  - apiGroups: [""]
                    resources: [secrets]
                    verbs: ["*"]
                """,
        }
    )
    assert diagnostics == []
    [role] = output
    assert role.data["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["*"]}]
    assert (role.path, role.data["rules"][0].line) == ("app/rules.yaml", 5)


def test_json_patches_add_replace_and_remove_with_escaped_keys() -> None:
    output, diagnostics = _build(
        {
            "app/kustomization.yaml": """\
                resources: [sa.yaml, role.yaml]
                patchesJson6902:
                  - target: {version: v1, kind: ServiceAccount, name: llm}
                    path: sa-ops.yaml
                  - target: {group: rbac.authorization.k8s.io, kind: Role, name: "read.*"}
                    path: role-ops.yaml
                """,
            "app/sa.yaml": SA_YAML,
            "app/sa-ops.yaml": """\
                - op: test
                  path: /metadata/name
                  value: llm
                - op: replace
                  path: /metadata/annotations/eks.amazonaws.com~1role-arn
                  value: arn:aws:iam::999988887777:role/other
                - op: add
                  path: /metadata/annotations/azure.workload.identity~1client-id
                  value: 00000000-0000-0000-0000-000000000001
                """,
            "app/role.yaml": """\
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reader}
                rules:
                  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
                  - {apiGroups: [""], resources: [pods], verbs: [list]}
                """,
            "app/role-ops.yaml": """\
                - {op: remove, path: /rules/0}
                - op: add
                  path: /rules/-
                  value: {apiGroups: [""], resources: [secrets], verbs: [get]}
                """,
        }
    )
    assert diagnostics == []
    sa, role = output
    assert sa.path == "app/sa-ops.yaml"
    assert sa.data["metadata"]["annotations"] == {
        IRSA: "arn:aws:iam::999988887777:role/other",
        "azure.workload.identity/client-id": "00000000-0000-0000-0000-000000000001",
    }
    # The annotations map is located at the last op that changed it; the object
    # itself at the patch's first applied op.
    assert (sa.data["metadata"]["annotations"].line, sa.line) == (7, 1)
    assert role.data["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]},
    ]
    assert (role.path, role.data["rules"][1].line) == ("app/role-ops.yaml", 4)
    model = _model(output)
    assert model.identities["k8s:default/ServiceAccount/llm"].federates_to == (
        "aws:arn:aws:iam::999988887777:role/other",
        "azure:00000000-0000-0000-0000-000000000001",
    )


def test_a_failing_json_patch_leaves_the_object_unchanged() -> None:
    output, diagnostics = _build(
        {
            "app/kustomization.yaml": """\
                resources: [sa.yaml]
                patches:
                  - target: {kind: ServiceAccount}
                    patch: |-
                      - {op: remove, path: /metadata/annotations}
                      - {op: replace, path: /metadata/labels/x, value: y}
                """,
            "app/sa.yaml": SA_YAML,
        }
    )
    [document] = output
    assert document.data["metadata"]["annotations"] == {IRSA: "arn:aws:iam::111122223333:role/llm"}
    assert (document.path, document.line) == ("app/sa.yaml", 1)
    assert _messages(diagnostics) == [
        (
            "app/kustomization.yaml",
            3,
            "warning",
            "evaluation",
            "patches not applied: /metadata/labels/x does not exist",
        )
    ]


def test_inline_patch_lines_follow_the_entry_keys() -> None:
    data = _one(
        {
            "app/kustomization.yaml": """\
                resources: [deploy.yaml]
                patches:
                  - patch: |-
                      apiVersion: apps/v1
                      kind: Deployment
                      metadata:
                        name: llm
                        annotations:
                          changed: "yes"
                    target:
                      kind: Deployment
                """,
        }
    )
    assert (data.line, data["metadata"].line, data["metadata"]["annotations"].line) == (4, 7, 9)


# --- names, namespaces, labels, references -----------------------------------------------------


def test_references_follow_renamed_objects_across_levels() -> None:
    output, diagnostics = _build(
        {
            "base/kustomization.yaml": """\
                namePrefix: llm-
                resources: [objects.yaml]
                """,
            "base/objects.yaml": """\
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: server}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: hf-token}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: reader}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: server-reader}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                subjects:
                  - {kind: ServiceAccount, name: server, namespace: default}
                  - {kind: ServiceAccount, name: default}
                  - {kind: User, name: server}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: server}
                spec:
                  serviceAccountName: server
                  imagePullSecrets: [{name: regcred}]
                  containers:
                    - name: c
                      image: registry.local/model-server:1
                      envFrom: [{secretRef: {name: hf-token}}]
                  volumes:
                    - {name: s, secret: {secretName: hf-token}}
                """,
            "prod/kustomization.yaml": """\
                namespace: ml-prod
                nameSuffix: -prod
                resources: [../base]
                images:
                  - {name: registry.local/model-server, newName: vllm/vllm-openai, newTag: v0.6.3}
                """,
        }
    )
    assert diagnostics == []
    objects = _objects(output)
    binding = objects[("", "ClusterRoleBinding", "llm-server-reader-prod")].data
    assert binding["roleRef"]["name"] == "llm-reader-prod"
    assert binding["subjects"] == [
        {"kind": SA, "name": "llm-server-prod", "namespace": "ml-prod"},
        {"kind": SA, "name": "default", "namespace": "ml-prod"},
        {"kind": "User", "name": "server"},
    ]
    assert ("", "ClusterRole", "llm-reader-prod") in objects
    pod = objects[("ml-prod", "Pod", "llm-server-prod")].data["spec"]
    assert pod["serviceAccountName"] == "llm-server-prod"
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["containers"][0]["envFrom"] == [{"secretRef": {"name": "llm-hf-token-prod"}}]
    assert pod["containers"][0]["image"] == "vllm/vllm-openai:v0.6.3"
    assert pod["volumes"][0]["secret"] == {"secretName": "llm-hf-token-prod"}
    model = _model(output)
    assert model.workloads["k8s:ml-prod/Pod/llm-server-prod"].inference
    grant = next(g for g in model.grants if g.identity.endswith("/llm-server-prod"))
    assert grant.permissions[0].scope == "*"


def test_labels_and_annotations_reach_pod_templates() -> None:
    data = _one(
        {
            "app/kustomization.yaml": """\
                resources: [deploy.yaml]
                commonLabels: {team: ml-platform}
                labels:
                  - pairs: {env: prod}
                    includeTemplates: true
                  - pairs: {tier: serving}
                commonAnnotations: {owner: ml-oncall, replicas: 3}
                """,
        }
    )
    assert data["metadata"]["labels"] == {"team": "ml-platform", "env": "prod", "tier": "serving"}
    # Not patched: the object stays in its file, the mappings kustomize added at its line.
    assert data["metadata"]["labels"].line == 1
    template = data["spec"]["template"]["metadata"]
    assert template["labels"] == {"team": "ml-platform", "env": "prod"}
    assert template["annotations"] == {"owner": "ml-oncall", "replicas": "3"}
    assert data["metadata"]["annotations"] == {
        "a": "1",
        "b": "2",
        "owner": "ml-oncall",
        "replicas": "3",
    }
    assert data["spec"]["selector"] == {"matchLabels": {"team": "ml-platform"}}


def test_components_transform_what_the_kustomization_built() -> None:
    output, diagnostics = _build(
        {
            "base/kustomization.yaml": KUSTOMIZATION,
            "base/sa.yaml": SA_YAML,
            "components/gke/kustomization.yaml": """\
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                patches:
                  - target: {kind: ServiceAccount}
                    patch: |-
                      - op: add
                        path: /metadata/annotations/iam.gke.io~1gcp-service-account
                        value: llm@acme-ml-prod.iam.gserviceaccount.com
                """,
            "prod/kustomization.yaml": """\
                namespace: ml-prod
                resources: [../base]
                components: [../components/gke]
                """,
        }
    )
    assert diagnostics == []
    identity = _model(output).identities["k8s:ml-prod/ServiceAccount/llm"]
    assert identity.federates_to == (
        "aws:arn:aws:iam::111122223333:role/llm",
        "gcp:llm@acme-ml-prod.iam.gserviceaccount.com",
    )
    assert identity.environment == "prod"


def test_a_flux_kustomization_object_is_not_a_kustomization() -> None:
    flux = """\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec: {path: ./apps}
        """
    output, diagnostics = _build(
        {"clusters/prod/kustomization.yaml": flux, "clusters/prod/sa.yaml": SA_YAML}
    )
    assert diagnostics == []
    assert [d.path for d in output] == ["clusters/prod/kustomization.yaml", "clusters/prod/sa.yaml"]


def test_without_kustomizations_the_documents_are_returned_as_they_are() -> None:
    documents = _load({"k8s/sa.yaml": SA_YAML})
    output, diagnostics = apply_kustomizations(documents)
    assert output == documents and output[0] is documents[0]
    assert diagnostics == []


def test_an_ambiguous_reference_is_left_as_written() -> None:
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: llm, namespace: %s}\n"
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\n"
    pod += "spec: {serviceAccountName: llm}\n"
    output, diagnostics = _build(
        {
            "a/kustomization.yaml": "namePrefix: a-\nresources: [sa.yaml]\n",
            "a/sa.yaml": account % "x",
            "b/kustomization.yaml": "namePrefix: b-\nresources: [sa.yaml]\n",
            "b/sa.yaml": account % "y",
            "root/kustomization.yaml": "resources: [../a, ../b, pods.yaml]\n",
            "root/pods.yaml": pod % ("near", "x") + "---\n" + pod % ("far", "z"),
        }
    )
    objects = _objects(output)
    # Two accounts were named llm: the one in the pod's namespace is meant, if any.
    assert objects[("x", "Pod", "near")].data["spec"]["serviceAccountName"] == "a-llm"
    assert objects[("z", "Pod", "far")].data["spec"]["serviceAccountName"] == "llm"
    assert _messages(diagnostics) == [
        (
            "root/kustomization.yaml",
            1,
            "warning",
            "evaluation",
            "Pod far: serviceAccountName 'llm' may refer to any of ServiceAccount a-llm, "
            "ServiceAccount b-llm; left as written",
        )
    ]


def test_replace_directive_replaces_a_mapping() -> None:
    data = _one(
        {
            "app/kustomization.yaml": """\
                resources: [deploy.yaml]
                patchesStrategicMerge:
                  - |-
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: llm
                      annotations: {$patch: replace, only: "this"}
                """,
        }
    )
    assert data["metadata"]["annotations"] == {"only": "this"}


# --- arbitrary input never raises ----------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        "resources",
        "bases",
        "components",
        "patches",
        "patchesStrategicMerge",
        "patchesJson6902",
        "namespace",
        "namePrefix",
        "nameSuffix",
        "commonLabels",
        "labels",
        "commonAnnotations",
        "images",
        "target",
        "patch",
        "path",
        "op",
        "value",
        "from",
        "kind",
        "apiVersion",
        "metadata",
        "name",
        "spec",
        "template",
        "containers",
        "subjects",
        "roleRef",
        "pairs",
        "$patch",
    ]
)
_TEXT = st.sampled_from(
    [
        "sa.yaml",
        "../b",
        "../../..",
        ".",
        "/etc",
        "github.com/x/y",
        "llm",
        "ServiceAccount",
        "Deployment",
        "/metadata/name",
        "/metadata/annotations/a~1b",
        "/spec/-",
        "add",
        "remove",
        "replace",
        "copy",
        "move",
        "delete",
        "replace",
        ".*",
        "v1",
        "kind: ServiceAccount\nmetadata: {name: llm}",
        "- {op: remove, path: /metadata}",
    ]
)
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 5), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=30,
)


def _line_dicts(value: Any) -> Any:
    if isinstance(value, dict):
        node = LineDict(2, 3)
        for key, item in value.items():
            node[key] = _line_dicts(item)
        return node
    if isinstance(value, list):
        return [_line_dicts(item) for item in value]
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a/c"]), _VALUES), max_size=6))
def test_arbitrary_kustomizations_never_raise(entries: list[tuple[str, Any]]) -> None:
    documents = [YamlDocument("a/sa.yaml", 0, 1, 6, _line_dicts(_load({"x": SA_YAML})[0].data))]
    for index, (directory, value) in enumerate(entries):
        name = "kustomization.yaml" if index % 2 == 0 else "sa.yaml"
        documents.append(YamlDocument(f"{directory}/{name}", index, 1, 3, _line_dicts(value)))
    before = copy.deepcopy([d.data for d in documents])
    output, diagnostics = apply_kustomizations(documents)
    assert all(isinstance(d, YamlDocument) for d in output)
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    assert [d.data for d in documents] == before
    extract_kubernetes(output, ExtractOptions())


# --- files the loader reads without keeping a document (issue 18, point 7) ----------------

CRD_PATCH = """\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
      annotations:
        cert-manager.io/inject-ca-from: ns/cert
    """


def _pipeline(tmp_path: Path, files: dict[str, str]) -> tuple[Model, list[Diagnostic]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    built = build_model(DirectoryTree(tmp_path), ExtractOptions())
    return built.model, built.diagnostics


def test_a_crd_patch_file_that_exists_is_not_reported_missing(tmp_path: Path) -> None:
    # The loader drops CRDs, so the patch and the resource files exist without a document:
    # they were once reported as "not among the repository's YAML files".
    files = {
        "config/crd/kustomization.yaml": """\
            kind: Kustomization
            resources: [widgets.yaml, sa.yaml]
            patches:
              - path: ../crd/webhook_patch.yaml
            patchesStrategicMerge:
              - webhook_patch.yaml
            """,
        "config/crd/widgets.yaml": CRD_PATCH,
        "config/crd/webhook_patch.yaml": CRD_PATCH,
        "config/crd/sa.yaml": SA_YAML,
    }
    model, diagnostics = _pipeline(tmp_path, files)
    assert [d for d in diagnostics if "kustomization" in d.path] == []
    assert "k8s:default/ServiceAccount/llm" in model.identities


def test_a_patch_file_that_does_not_exist_is_still_reported(tmp_path: Path) -> None:
    files = {
        "config/kustomization.yaml": "kind: Kustomization\npatches:\n  - path: gone.yaml\n",
    }
    _, diagnostics = _pipeline(tmp_path, files)
    assert [(d.path, d.line, d.message) for d in diagnostics] == [
        (
            "config/kustomization.yaml",
            3,
            "patches file config/gone.yaml is not among the repository's YAML files",
        )
    ]


def test_an_unfilled_kustomize_variable_is_no_service_accounts_name() -> None:
    documents = _load(
        {
            "config/manager.yaml": """\
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: manager, namespace: ops}
                spec:
                  template:
                    spec:
                      serviceAccountName: $(manager-serviceAccountName)
                      containers: [{name: m, image: example/manager}]
                """,
        }
    )
    model = _model(documents)
    (identity,) = model.identities.values()
    assert isinstance(identity.principal, Unknown)
    assert "$(manager-serviceAccountName)" in identity.principal.unknown
    assert not identity.declared
