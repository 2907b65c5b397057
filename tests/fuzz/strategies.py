"""Hypothesis strategies for text that looks like what driftgate reads, so that the
fuzzer spends its examples past the tokenizer: HCL built from Terraform's grammar with
the resource types and functions the evaluator knows, Kubernetes-shaped YAML with
anchors, tags and merges, and byte-level mutations of valid fixtures.
"""

from __future__ import annotations

import json

import yaml
from hypothesis import strategies as st

from driftgate.analyzer.terraform.functions import FUNCTIONS

# ---- mutations ----------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A valid seed with a few edits: a slice deleted, duplicated or replaced by noise."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        start = draw(st.integers(0, len(data) - 1))
        end = min(len(data), start + draw(st.integers(0, 40)))
        edit = draw(st.sampled_from(["delete", "duplicate", "noise", "bracket"]))
        if edit == "delete":
            del data[start:end]
        elif edit == "duplicate":
            data[start:start] = data[start:end]
        elif edit == "noise":
            data[start:end] = draw(st.binary(max_size=12))
        else:
            data[start:start] = draw(st.sampled_from([b"{", b"}", b"[", b"]", b'"', b"${", b"\n"]))
    return bytes(data)


# ---- HCL ------------------------------------------------------------------------------

RESOURCE_TYPES = (
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_user",
    "aws_iam_access_key",
    "aws_eks_pod_identity_association",
    "aws_sagemaker_model",
    "google_service_account",
    "google_project_iam_member",
    "google_service_account_iam_binding",
    "azurerm_user_assigned_identity",
    "azurerm_role_assignment",
    "azurerm_federated_identity_credential",
    "kubernetes_service_account",
    "kubernetes_deployment",
    "kubernetes_role_binding",
    "vault_policy",
    "vault_kubernetes_auth_backend_role",
)
ATTRIBUTES = (
    "name",
    "role",
    "policy",
    "assume_role_policy",
    "arn",
    "member",
    "members",
    "principal_id",
    "scope",
    "role_definition_name",
    "service_account_name",
    "tags",
    "metadata",
    "token_ttl",
    "max_session_duration",
    "for_each",
    "count",
    "project",
    "bound_service_account_names",
)
REFERENCES = (
    "local.a",
    "local.b",
    "var.name",
    "var.env",
    "each.key",
    "each.value",
    "count.index",
    "path.module",
    "aws_iam_role.r.arn",
    "aws_iam_role.r.name",
    "data.aws_iam_policy_document.d.json",
    "module.m.out",
    "module.m[0].out",
    "google_service_account.s.email",
)
_NAMES = st.sampled_from(("a", "b", "r", "d", "m", "x", "name", "env", "out"))
_STRING_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters='"\\$%\n'),
    max_size=12,
)


def _quoted(text: str) -> str:
    return '"' + text + '"'


_LEAVES = st.one_of(
    st.integers(-5, 10**12).map(str),
    st.sampled_from(("true", "false", "null", "1.5", "0", "-1", '""', '"*"')),
    _STRING_TEXT.map(_quoted),
    st.sampled_from(REFERENCES),
    st.sampled_from(
        (
            '"arn:aws:iam::123456789012:role/x"',
            '"s3:GetObject"',
            '"iam:PassRole"',
            '"roles/owner"',
            '"serviceAccount:x@p.iam.gserviceaccount.com"',
            '"/subscriptions/s/resourceGroups/g"',
            '"/^(a|aa)+$/"',
            '"%s-%d"',
        )
    ),
)


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    lists = st.lists(children, max_size=4)
    return st.one_of(
        lists.map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(_NAMES, children), max_size=4).map(
            lambda pairs: "{ " + ", ".join(f"{k} = {v}" for k, v in pairs) + " }"
        ),
        st.tuples(
            st.sampled_from((*sorted(FUNCTIONS), "file", "templatefile", "try", "can")), lists
        ).map(lambda call: f"{call[0]}({', '.join(call[1])})"),
        st.tuples(children, children, children).map(lambda c: f"{c[0]} ? {c[1]} : {c[2]}"),
        st.tuples(
            children, st.sampled_from(("+", "-", "*", "/", "%", "==", "&&", "||", "<")), children
        ).map(" ".join),
        st.tuples(children, children).map(lambda c: f"[for x in {c[0]} : {c[1]}]"),
        st.tuples(children, children).map(lambda c: f"{{for k, v in {c[0]} : k => {c[1]}}}"),
        st.tuples(children, _STRING_TEXT).map(lambda c: f'"{c[1]}${{{c[0]}}}{c[1]}"'),
        children.map(lambda c: f"{c}[*].name"),
        children.map(lambda c: f"{c}[0]"),
        children.map(lambda c: f"!{c}"),
        children.map(
            lambda c: (
                'jsonencode({ Statement = [{ Effect = "Allow",'
                f" Action = {c}, Resource = {c} }}] }})"
            )
        ),
    )


EXPRESSIONS = st.recursive(_LEAVES, _compound, max_leaves=12)


@st.composite
def _body(draw: st.DrawFn, depth: int = 0) -> str:
    lines = [
        f"  {draw(st.sampled_from(ATTRIBUTES))} = {draw(EXPRESSIONS)}"
        for _ in range(draw(st.integers(0, 4)))
    ]
    if depth < 2:
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(("statement", "condition", "metadata", "dynamic", "spec")))
            inner = draw(_body(depth + 1))
            if kind == "dynamic":
                lines.append(
                    f'  dynamic "statement" {{\n  for_each = {draw(EXPRESSIONS)}\n'
                    f"  content {{\n{inner}\n  }}\n  }}"
                )
            else:
                lines.append(f"  {kind} {{\n{inner}\n  }}")
    return "\n".join(lines)


@st.composite
def hcl_block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("resource", "data", "locals", "variable", "module", "output")))
    body = draw(_body())
    name = draw(_NAMES)
    if kind == "resource":
        return f'resource "{draw(st.sampled_from(RESOURCE_TYPES))}" "{name}" {{\n{body}\n}}\n'
    if kind == "data":
        return f'data "aws_iam_policy_document" "{name}" {{\n{body}\n}}\n'
    if kind == "locals":
        return f"locals {{\n{body}\n}}\n"
    if kind == "variable":
        return f'variable "{name}" {{\n  default = {draw(EXPRESSIONS)}\n}}\n'
    if kind == "module":
        source = draw(st.sampled_from(("./mod", "../..", "/etc", "./", "git::x", "./mod/../mod")))
        return f'module "{name}" {{\n  source = "{source}"\n{body}\n}}\n'
    return f'output "{name}" {{\n  value = {draw(EXPRESSIONS)}\n}}\n'


# Realistic blocks with holes, so that the extractors (not only the parser) see values.
_TEMPLATES = (
    'resource "aws_iam_role" "r" {{\n  name = {0}\n  assume_role_policy = jsonencode({{\n'
    '    Statement = [{{ Effect = "Allow", Action = {1}, Principal = {{ Federated = {2} }},\n'
    '      Condition = {{ StringEquals = {{ "x:sub" = {0} }} }} }}]\n  }})\n'
    "  max_session_duration = {1}\n  tags = {{ owner = {2} }}\n}}\n",
    'resource "aws_iam_role_policy" "p" {{\n  role = aws_iam_role.r.id\n'
    '  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = {0},'
    " Resource = {1} }}, {{ Effect = {2}, NotAction = {1}, Resource = {0} }}] }})\n}}\n",
    'data "aws_iam_policy_document" "d" {{\n  statement {{\n    actions = [{0}]\n'
    "    resources = {1}\n    condition {{\n      test = {2}\n      variable = {0}\n"
    "      values = [{1}]\n    }}\n  }}\n}}\n"
    'resource "aws_iam_policy" "q" {{\n  policy = data.aws_iam_policy_document.d.json\n}}\n',
    'resource "google_project_iam_member" "m" {{\n  for_each = {0}\n  project = {1}\n'
    '  role = {2}\n  member = "serviceAccount:${{each.key}}"\n}}\n',
    'resource "azurerm_role_assignment" "a" {{\n  scope = {0}\n  role_definition_name = {1}\n'
    "  principal_id = {2}\n}}\n",
    'resource "kubernetes_service_account" "k" {{\n  metadata {{\n    name = {0}\n'
    '    namespace = {1}\n    annotations = {{ "eks.amazonaws.com/role-arn" = {2} }}\n'
    "  }}\n}}\n",
    'resource "vault_policy" "v" {{\n  name = {0}\n  policy = <<EOT\npath "{1}" {{\n'
    '  capabilities = ["read", "sudo"]\n}}\nEOT\n}}\n',
    'locals {{\n  a = {0}\n  b = {1}\n}}\nvariable "env" {{\n  default = {2}\n}}\n',
)


@st.composite
def templated_block(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(_TEMPLATES))
    holes = [draw(EXPRESSIONS) for _ in range(3)]
    if "{1}" in template and 'path "{1}"' in template:
        holes[1] = draw(_STRING_TEXT)
    return template.format(*holes)


HCL_FILES = st.lists(st.one_of(hcl_block(), templated_block()), min_size=1, max_size=5).map(
    lambda blocks: "\n".join(blocks)
)

HCL_SEEDS = [
    b'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({\n'
    b'    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",\n'
    b'      Principal = { Federated = "arn:aws:iam::1:oidc-provider/x" } }]\n  })\n}\n',
    b'data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = ["s3:*"]\n'
    b'    resources = ["arn:aws:s3:::b/*"]\n    condition {\n      test = "StringEquals"\n'
    b'      variable = "aws:x"\n      values = [var.env]\n    }\n  }\n}\n',
    b'locals {\n  names = toset(["a", "b"])\n  policy = <<EOT\n{"Statement": '
    b'[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\nEOT\n}\n'
    b'resource "aws_iam_policy" "p" {\n  for_each = local.names\n  name = each.key\n'
    b"  policy = local.policy\n}\n",
    b'resource "google_project_iam_member" "m" {\n  project = "p"\n  role = "roles/owner"\n'
    b'  member = "serviceAccount:${google_service_account.s.email}"\n}\n',
    b'module "m" {\n  source = "./mod"\n  name = "x"\n}\n# driftgate:ignore[DG101] ok\n',
]

# ---- YAML -----------------------------------------------------------------------------

KINDS = (
    "ServiceAccount",
    "Deployment",
    "Pod",
    "StatefulSet",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Secret",
    "InferenceService",
    "Kustomization",
    "CustomResourceDefinition",
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.sampled_from(("default", "*", "ml-prod", "get", "secrets", "nvidia.com/gpu", "vllm/vllm")),
    st.text(max_size=10),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(
                (
                    "name",
                    "namespace",
                    "serviceAccountName",
                    "containers",
                    "image",
                    "rules",
                    "verbs",
                    "resources",
                    "apiGroups",
                    "subjects",
                    "roleRef",
                    "annotations",
                    "labels",
                    "template",
                    "spec",
                    "volumes",
                    "projected",
                    "expirationSeconds",
                    "env",
                    "patches",
                    "namePrefix",
                )
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=16,
)


@st.composite
def k8s_document(draw: st.DrawFn) -> dict[str, object]:
    annotations = draw(
        st.dictionaries(
            st.sampled_from(
                (
                    "eks.amazonaws.com/role-arn",
                    "iam.gke.io/gcp-service-account",
                    "azure.workload.identity/client-id",
                    "driftgate.io/ignore",
                    "owner",
                )
            ),
            _SCALARS,
            max_size=3,
        )
    )
    return {
        "apiVersion": draw(st.sampled_from(("v1", "apps/v1", "rbac.authorization.k8s.io/v1"))),
        "kind": draw(st.sampled_from(KINDS)),
        "metadata": {
            "name": draw(_SCALARS),
            "namespace": draw(_SCALARS),
            "annotations": annotations,
        },
        "spec": draw(_VALUES),
        "rules": draw(_VALUES),
        "resources": draw(
            st.lists(st.sampled_from(("sa.yaml", "../base", "/etc", "x")), max_size=3)
        ),
    }


@st.composite
def workload_document(draw: st.DrawFn) -> dict[str, object]:
    """A Deployment or ServiceAccount whose fields are mostly the right shape."""
    value = draw(_SCALARS)
    return {
        "apiVersion": "apps/v1",
        "kind": draw(st.sampled_from(("Deployment", "ServiceAccount", "RoleBinding", "Pod"))),
        "metadata": {
            "name": draw(st.sampled_from(("llm", "default", value))),
            "namespace": draw(st.sampled_from(("ml-prod", "ml-staging", value))),
            "annotations": {"eks.amazonaws.com/role-arn": draw(_SCALARS)},
        },
        "subjects": [{"kind": "ServiceAccount", "name": value, "namespace": draw(_SCALARS)}],
        "roleRef": {"kind": "ClusterRole", "name": draw(_SCALARS)},
        "spec": {
            "serviceAccountName": draw(st.sampled_from(("llm", "default", value))),
            "template": {
                "spec": {
                    "serviceAccountName": value,
                    "containers": [
                        {
                            "image": draw(st.sampled_from(("vllm/vllm-openai:1", "x", value))),
                            "resources": {"limits": {"nvidia.com/gpu": draw(_SCALARS)}},
                            "env": draw(_VALUES),
                        }
                    ],
                    "volumes": [
                        {
                            "projected": {
                                "sources": [
                                    {"serviceAccountToken": {"expirationSeconds": draw(_SCALARS)}}
                                ]
                            }
                        }
                    ],
                }
            },
        },
    }


YAML_FILES = st.lists(st.one_of(k8s_document(), workload_document()), min_size=1, max_size=3).map(
    lambda docs: yaml.safe_dump_all(docs, sort_keys=False)
)

YAML_SEEDS = [
    b"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: llm\n  namespace: ml-prod\n"
    b"  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x\n",
    b"base: &base\n  kind: Role\n  rules:\n  - verbs: [get]\n    resources: [secrets]\n"
    b"---\n<<: *base\nmetadata: {name: r, namespace: ns}\n",
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n"
    b"  template:\n    spec:\n      serviceAccountName: default\n      containers:\n"
    b"      - image: vllm/vllm-openai\n        resources: {limits: {nvidia.com/gpu: 1}}\n",
    b"resources:\n- ../base\n- sa.yaml\nnamespace: prod\nnamePrefix: p-\n"
    b"patches:\n- target: {kind: ServiceAccount}\n  patch: |-\n    - op: add\n      path: /x\n",
    b"!!python/object:os.system x: !Ref y\n? [complex]\n: key\n",
]

# ---- config and inline directives -----------------------------------------------------

CONFIG_SEEDS = [
    b"environments:\n  - name: prod\n    paths: [envs/prod/**]\n    namespaces: [ml-prod]\n"
    b"thresholds:\n  max_token_ttl: 1h\n  max_credential_age: 90d\nmax_file_size: 10MiB\n"
    b"suppressions:\n  - check: DG301\n    target: k8s:ml/ServiceAccount/x\n    reason: ok\n"
    b"    expires: 2030-01-01\nseverity: {DG101: high}\nselect: [DG1]\n",
    b"terraform:\n  var_files:\n    envs/app: [prod.tfvars]\ninference:\n  labels: {a: b}\n",
]
CONFIG_VALUES = st.recursive(
    st.one_of(_SCALARS, st.sampled_from(("1h", "90d", "10MiB", "2030-01-01", "DG101", "high"))),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(
                (
                    "environments",
                    "name",
                    "paths",
                    "thresholds",
                    "max_token_ttl",
                    "suppressions",
                    "check",
                    "target",
                    "reason",
                    "expires",
                    "severity",
                    "max_file_size",
                    "terraform",
                    "var_files",
                )
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)

_DIRECTIVE = st.tuples(
    st.sampled_from(("#", "//", "  #", "x = 1 #", "- ")),
    st.sampled_from(("driftgate:ignore[", "driftgate:ignore [", "driftgate.io/ignore: ")),
    st.text(alphabet="DG0123456789,. []", max_size=12),
    st.text(max_size=20),
    st.sampled_from(("", " until=2030-01-01", " until=", " until=9999-99-99", " until=x")),
).map("".join)
INLINE_FILES = st.lists(
    st.one_of(
        _DIRECTIVE,
        st.sampled_from(("---", "apiVersion: v1", 'resource "a" "b" {', "}", "metadata:")),
        st.text(max_size=20),
    ),
    max_size=12,
).map("\n".join)


def json_policy(statements: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
