# The staging SageMaker endpoint of the intent classifier.
locals {
  env        = "staging"
  account_id = "678901234567"
  region     = "us-east-1"
}

resource "aws_iam_role" "intent_endpoint" {
  name = "intent-endpoint-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = {
    owner = "conversational-ai"
  }
}

# Sorted alphabetically (lint rule), statements and lists alike.
data "aws_iam_policy_document" "intent_endpoint" {
  statement {
    sid = "Image"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetAuthorizationToken",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "Metrics"
    actions   = ["cloudwatch:PutMetricData", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["*"]
  }

  statement {
    sid = "ModelArtifacts"
    actions = [
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:ListBucket",
    ]
    resources = [
      "arn:aws:s3:::acme-intent-models-${local.env}/*",
      "arn:aws:s3:::acme-intent-models-${local.env}",
    ]
  }
}

resource "aws_iam_role_policy" "intent_endpoint" {
  name   = "endpoint"
  role   = aws_iam_role.intent_endpoint.id
  policy = data.aws_iam_policy_document.intent_endpoint.json
}
