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

data "aws_iam_policy_document" "intent_endpoint" {
  statement {
    sid = "ModelArtifacts"
    actions = [
      "s3:GetObject",
      "s3:ListBucket",
      "s3:GetBucketLocation",
    ]
    resources = [
      "arn:aws:s3:::acme-intent-models-${local.env}",
      "arn:aws:s3:::acme-intent-models-${local.env}/*",
    ]
  }

  statement {
    sid = "Image"
    actions = [
      "ecr:GetAuthorizationToken",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "Metrics"
    actions   = ["cloudwatch:PutMetricData", "logs:PutLogEvents", "logs:CreateLogStream"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "intent_endpoint" {
  name   = "endpoint"
  role   = aws_iam_role.intent_endpoint.id
  policy = data.aws_iam_policy_document.intent_endpoint.json
}
