# The notebook platform's shared execution role (SageMaker Studio).
variable "env" {
  type    = string
  default = "staging"
}

resource "aws_iam_role" "notebooks" {
  name = "ml-notebooks-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = {
    owner = "ml-platform"
  }
}

locals {
  datasets = "arn:aws:s3:::acme-datasets-${var.env}"
  scratch  = "arn:aws:s3:::acme-notebook-scratch-${var.env}"
}

# Same policy, written with jsonencode (tflint's heredoc rule).
resource "aws_iam_role_policy" "notebooks" {
  role = aws_iam_role.notebooks.id
  name = "notebooks-data"
  policy = jsonencode({
    Statement = [
      {
        Action   = ["s3:ListBucket", "s3:GetObject"]
        Effect   = "Allow"
        Resource = [local.datasets, "${local.datasets}/*"]
        Sid      = "Datasets"
      },
      {
        Sid    = "Scratch"
        Effect = "Allow"
        Resource = "${local.scratch}/*"
        Action = [
          "s3:DeleteObject",
          "s3:GetObject",
          "s3:PutObject",
        ]
      },
      {
        Condition = { StringEquals = { "aws:RequestedRegion" = "eu-west-1" } }
        Resource  = "arn:aws:logs:*:*:log-group:/aws/sagemaker/*"
        Action    = ["logs:PutLogEvents", "logs:CreateLogStream"]
        Effect    = "Allow"
        Sid       = "Logs"
      },
    ]
    Version = "2012-10-17"
  })
}
