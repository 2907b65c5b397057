"""Generate a large, realistic infrastructure repository for the benchmark.

    python benchmarks/generate.py OUT [--envs 6] [--services 83] [--k8s-teams 37]

Default: 6 environments x 83 service stacks (6 .tf files each) calling shared modules
(~3,000 .tf files), plus Kubernetes manifests per environment and team (~2,000 files):
service accounts, roles and bindings, deployments and KServe inference services. All
content is written here (no third-party code). The git history has two commits; the
last one is a small pull request (one IAM action and one RBAC verb added, one new
file), so ``driftgate scan --base HEAD~1`` is a diff scan of a realistic change.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

ENVS = ("dev", "test", "staging", "prod-eu", "prod-us", "prod-ap")
MODULES = ("service_role", "bucket", "queue", "irsa", "kms_key", "model_store")
ACTIONS = (
    ("s3:GetObject", "s3:PutObject", "s3:ListBucket"),
    ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"),
    ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
    ("kms:Decrypt", "kms:GenerateDataKey"),
    ("sagemaker:InvokeEndpoint", "bedrock:InvokeModel"),
    ("logs:CreateLogStream", "logs:PutLogEvents"),
)


def _modules() -> dict[str, str]:
    files: dict[str, str] = {}
    files["modules/service_role/variables.tf"] = """variable "name" {
  type = string
}

variable "environment" {
  type = string
}

variable "actions" {
  type    = list(string)
  default = []
}

variable "resources" {
  type    = list(string)
  default = ["*"]
}

variable "oidc_provider_arn" {
  type    = string
  default = ""
}

variable "service_account" {
  type    = string
  default = ""
}
"""
    files["modules/service_role/main.tf"] = """locals {
  role_name = "${var.environment}-${var.name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.amazonaws.com:sub"
      values   = ["system:serviceaccount:${var.service_account}"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags = {
    environment = var.environment
    owner       = "platform"
  }
}

data "aws_iam_policy_document" "access" {
  statement {
    sid       = "Access"
    actions   = var.actions
    resources = var.resources
  }
}

resource "aws_iam_role_policy" "access" {
  name   = "${local.role_name}-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.access.json
}
"""
    files["modules/service_role/outputs.tf"] = """output "arn" {
  value = aws_iam_role.this.arn
}

output "name" {
  value = aws_iam_role.this.name
}
"""
    for name in MODULES[1:]:
        files[f"modules/{name}/variables.tf"] = """variable "name" {
  type = string
}

variable "environment" {
  type = string
}
"""
        files[f"modules/{name}/main.tf"] = f"""resource "aws_s3_bucket" "this" {{
  bucket = "${{var.environment}}-${{var.name}}-{name}"
  tags = {{
    environment = var.environment
  }}
}}

resource "aws_s3_bucket_versioning" "this" {{
  bucket = aws_s3_bucket.this.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
"""
        files[f"modules/{name}/outputs.tf"] = """output "arn" {
  value = aws_s3_bucket.this.arn
}
"""
    return files


def _stack(env: str, i: int) -> dict[str, str]:
    base = f"envs/{env}/svc-{i:03d}"
    actions = ACTIONS[i % len(ACTIONS)]
    listed = ", ".join(f'"{a}"' for a in actions)
    store = MODULES[1 + i % (len(MODULES) - 1)]
    return {
        f"{base}/versions.tf": """terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
""",
        f"{base}/variables.tf": f"""variable "environment" {{
  type    = string
  default = "{env}"
}}

variable "oidc_provider_arn" {{
  type    = string
  default = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.amazonaws.com/id/{env.upper()}"
}}
""",
        f"{base}/locals.tf": f"""locals {{
  service   = "svc-{i:03d}"
  namespace = "team-{i % 11}"
  tags = {{
    service     = local.service
    environment = var.environment
  }}
}}
""",
        f"{base}/storage.tf": f"""module "store" {{
  source      = "../../../modules/{store}"
  name        = local.service
  environment = var.environment
}}
""",
        f"{base}/iam.tf": f"""module "role" {{
  source            = "../../../modules/service_role"
  name              = local.service
  environment       = var.environment
  actions           = [{listed}]
  resources         = [module.store.arn, "${{module.store.arn}}/*"]
  oidc_provider_arn = var.oidc_provider_arn
  service_account   = "${{local.namespace}}:${{local.service}}"
}}

resource "aws_iam_role" "ci" {{
  name = "${{var.environment}}-${{local.service}}-ci"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::210987654321:root" }}
    }}]
  }})
  tags = local.tags
}}

resource "aws_iam_role_policy_attachment" "ci_read" {{
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}}
""",
        f"{base}/outputs.tf": """output "role_arn" {
  value = module.role.arn
}
""",
    }


def _k8s(env: str, team: int, services: int) -> dict[str, str]:
    files: dict[str, str] = {}
    ns = f"team-{team % 11}"
    base = f"k8s/{env}/team-{team:02d}"
    for j in range(services):
        name = f"svc-{team:02d}{j}"
        role = f"arn:aws:iam::123456789012:role/{env}-{name}"
        files[f"{base}/{name}/serviceaccount.yaml"] = f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
  annotations:
    eks.amazonaws.com/role-arn: {role}
"""
        files[f"{base}/{name}/rbac.yaml"] = f"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}-reader
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}-reader
  namespace: {ns}
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {name}-reader
"""
        if j % 2:
            files[f"{base}/{name}/inference.yaml"] = f"""apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app.kubernetes.io/component: inference
spec:
  predictor:
    serviceAccountName: {name}
    model:
      modelFormat:
        name: pytorch
      storageUri: s3://{env}-{name}-models/model
      resources:
        limits:
          nvidia.com/gpu: "1"
"""
        else:
            files[f"{base}/{name}/deployment.yaml"] = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      serviceAccountName: {name}
      containers:
        - name: app
          image: registry.example.com/{name}:1.0.{j}
          ports:
            - containerPort: 8080
"""
    return files


def first_commit(out: Path, files: dict[str, str], message: str) -> list[str]:
    """Write ``files`` under ``out``, make it a git repository with them as its first
    commit, and return the git command to run there."""
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git = ["git", "-C", str(out), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], check=True)
    return git


def generate(out: Path, envs: int, services: int, teams: int, per_team: int) -> tuple[int, int]:
    files = _modules()
    for env in ENVS[:envs]:
        for i in range(services):
            files.update(_stack(env, i))
        for t in range(teams):
            files.update(_k8s(env, t, per_team))
    git = first_commit(out, files, "infrastructure")
    # The pull request: one more IAM action, one more RBAC verb, one new binding.
    env = ENVS[0]
    iam = out / f"envs/{env}/svc-000/iam.tf"
    iam.write_text(iam.read_text().replace('"s3:ListBucket"', '"s3:ListBucket", "s3:*"'))
    rbac = sorted((out / f"k8s/{env}/team-00").glob("*/rbac.yaml"))[0]
    rbac.write_text(rbac.read_text().replace('"watch"]', '"watch", "create"]', 1))
    (rbac.parent / "secrets.yaml").write_text(
        rbac.read_text()
        .replace('["configmaps", "pods"]', '["secrets"]')
        .replace("-reader", "-secrets")
    )
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "svc-000: broaden access"], check=True)
    tf = sum(1 for p in files if p.endswith(".tf"))
    return tf, len(files) - tf + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--envs", type=int, default=6)
    parser.add_argument("--services", type=int, default=83, help="Terraform stacks per env")
    parser.add_argument("--k8s-teams", type=int, default=37, help="teams per env")
    parser.add_argument("--k8s-services", type=int, default=3, help="services per team")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    tf, yaml = generate(args.out, args.envs, args.services, args.k8s_teams, args.k8s_services)
    print(f"{args.out}: {tf} .tf files, {yaml} Kubernetes manifests, 2 commits")


if __name__ == "__main__":
    main()
