# The labeling workers own their dataset bucket, except the curated gold set.
locals {
  env     = "staging"
  dataset = "arn:aws:s3:::acme-labeling-${local.env}"
}

resource "aws_iam_role" "labeler" {
  name = "labeling-worker-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "data-labeling"
  }
}

data "aws_iam_policy_document" "labeler" {
  statement {
    sid       = "OwnDataset"
    actions   = ["s3:*"]
    resources = ["${local.dataset}/*"]
  }

  statement {
    sid       = "GoldSetIsReadOnly"
    effect    = "Deny"
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = ["${local.dataset}/gold/*"]
  }
}

resource "aws_iam_role_policy" "labeler" {
  name   = "dataset"
  role   = aws_iam_role.labeler.id
  policy = data.aws_iam_policy_document.labeler.json
}
