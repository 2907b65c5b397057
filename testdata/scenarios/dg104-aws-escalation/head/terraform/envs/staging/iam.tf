# Identities of the staging ML platform.
provider "aws" {
  region = "eu-west-1"
}

variable "env" {
  type = string
}

variable "account_id" {
  type = string
}

locals {
  oidc_issuer    = "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"
  oidc_provider  = "arn:aws:iam::${var.account_id}:oidc-provider/${local.oidc_issuer}"
  artifacts      = "arn:aws:s3:::acme-ml-artifacts-${var.env}"
  training_image = "arn:aws:ecr:eu-west-1:${var.account_id}:repository/trainer"
}

data "aws_iam_policy_document" "irsa" {
  for_each = toset(["llm-serving", "pipeline-launcher"])
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:ml-${var.env}:${each.key}"]
    }
  }
}

# --- the LLM serving role (IRSA for k8s ml-staging/llm-serving) ---------------------

resource "aws_iam_role" "llm_serving" {
  name               = "llm-serving-${var.env}"
  assume_role_policy = data.aws_iam_policy_document.irsa["llm-serving"].json
  tags = {
    owner = "inference-team"
  }
}

data "aws_iam_policy_document" "llm_serving" {
  statement {
    sid       = "ReadModelArtifacts"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [local.artifacts, "${local.artifacts}/models/*"]
  }

  # Lets the server start fine-tuning jobs on demand.
  statement {
    sid       = "LaunchFineTuning"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "llm_serving" {
  name   = "llm-serving"
  role   = aws_iam_role.llm_serving.id
  policy = data.aws_iam_policy_document.llm_serving.json
}

# --- the pipeline launcher (starts SageMaker training jobs) -------------------------

resource "aws_iam_role" "pipeline_launcher" {
  name               = "pipeline-launcher-${var.env}"
  assume_role_policy = data.aws_iam_policy_document.irsa["pipeline-launcher"].json
  tags = {
    owner = "ml-platform"
  }
}

data "aws_iam_policy_document" "pipeline_launcher" {
  statement {
    sid       = "StartTraining"
    actions   = ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"]
    resources = ["arn:aws:sagemaker:eu-west-1:${var.account_id}:training-job/*"]
  }

  statement {
    sid       = "PassExecutionRole"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "pipeline_launcher" {
  name   = "pipeline-launcher"
  role   = aws_iam_role.pipeline_launcher.id
  policy = data.aws_iam_policy_document.pipeline_launcher.json
}
