# Batch inference jobs: SageMaker runs them, the data team's scheduler starts them.
# Same trust as before, written with jsonencode (statements and keys reordered).
locals {
  account = "111122223333"
}

resource "aws_iam_role" "batch_inference" {
  name = "batch-inference-staging"
  assume_role_policy = jsonencode({
    Statement = [
      {
        Action = ["sts:TagSession", "sts:AssumeRole"]
        Condition = {
          StringEquals = { "sts:ExternalId" = ["batch-b", "batch-a"] }
        }
        Effect = "Allow"
        Principal = {
          AWS = [
            "arn:aws:iam::${local.account}:role/data-team-ops",
            "arn:aws:iam::${local.account}:role/airflow-scheduler",
          ]
        }
        Sid = "Scheduler"
      },
      {
        Sid       = "SageMaker"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "sagemaker.amazonaws.com" }
        Condition = {
          ArnLike      = { "aws:SourceArn" = "arn:aws:sagemaker:eu-west-1:${local.account}:transform-job/*" }
          StringEquals = { "aws:SourceAccount" = local.account }
        }
      },
    ]
    Version = "2012-10-17"
  })
  tags = {
    owner = "data-platform"
  }
}
