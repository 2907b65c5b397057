# Batch scoring jobs (AWS Batch) of the prod churn model.
locals {
  env   = "prod"
  churn = "arn:aws:s3:::acme-churn-${local.env}"
}

resource "aws_iam_role" "churn_batch" {
  name = "churn-batch-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "growth-ml"
  }
}

data "aws_iam_policy_document" "churn_batch" {
  statement {
    sid       = "ScoringData"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [local.churn, "${local.churn}/*"]
  }

  # The labelled training snapshots must never be touched by the scoring jobs.
  statement {
    sid       = "ProtectTrainingSnapshots"
    effect    = "Deny"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.churn}/training-snapshots/*"]
  }
}

resource "aws_iam_role_policy" "churn_batch" {
  name   = "scoring"
  role   = aws_iam_role.churn_batch.id
  policy = data.aws_iam_policy_document.churn_batch.json
}
