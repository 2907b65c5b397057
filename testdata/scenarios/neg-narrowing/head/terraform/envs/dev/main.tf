# The evaluation harness: runs offline evals against candidate models.
variable "env" {
  type = string
}

variable "eval_bucket" {
  type = string
}

resource "aws_iam_role" "evals" {
  name = "model-evals-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    team = "model-quality"
  }
}

data "aws_iam_policy_document" "evals" {
  statement {
    sid       = "Datasets"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.eval_bucket}", "arn:aws:s3:::${var.eval_bucket}/datasets/*"]
  }

  statement {
    sid       = "Results"
    actions   = ["dynamodb:PutItem"]
    resources = ["arn:aws:dynamodb:*:*:table/eval-results-${var.env}"]
  }
}

resource "aws_iam_role_policy" "evals" {
  name   = "evals"
  role   = aws_iam_role.evals.id
  policy = data.aws_iam_policy_document.evals.json
}
