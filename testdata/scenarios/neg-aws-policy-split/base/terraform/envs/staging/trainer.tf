# The fine-tuning job role (SageMaker training) of the staging environment.
variable "env" {
  type    = string
  default = "staging"
}

locals {
  datasets  = "arn:aws:s3:::acme-finetune-datasets-${var.env}"
  artifacts = "arn:aws:s3:::acme-finetune-artifacts-${var.env}"
}

resource "aws_iam_role" "trainer" {
  name = "finetune-trainer-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = {
    owner = "applied-ml"
  }
}

data "aws_iam_policy_document" "trainer" {
  statement {
    sid       = "ReadDatasets"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [local.datasets, "${local.datasets}/*"]
  }

  statement {
    sid       = "WriteArtifacts"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${local.artifacts}/*"]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:log-group:/aws/sagemaker/TrainingJobs:*"]
  }
}

resource "aws_iam_policy" "trainer" {
  name   = "finetune-trainer-${var.env}"
  policy = data.aws_iam_policy_document.trainer.json
}

resource "aws_iam_role_policy_attachment" "trainer" {
  role       = aws_iam_role.trainer.name
  policy_arn = aws_iam_policy.trainer.arn
}
