# The data-labeling service reads raw samples and writes labels.
variable "env" {
  type    = string
  default = "staging"
}

resource "aws_iam_role" "labeling" {
  name = "labeling-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    team = "data-ops"
  }
}

data "aws_iam_policy_document" "labeling" {
  statement {
    sid       = "RawSamples"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-raw-samples-${var.env}/*"]
  }
}

resource "aws_iam_role_policy" "labeling" {
  name   = "labeling"
  role   = aws_iam_role.labeling.id
  policy = data.aws_iam_policy_document.labeling.json
}
