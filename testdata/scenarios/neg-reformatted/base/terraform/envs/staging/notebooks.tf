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

resource "aws_iam_role_policy" "notebooks" {
  name   = "notebooks-data"
  role   = aws_iam_role.notebooks.id
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Datasets",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:ListBucket"
      ],
      "Resource": [
        "arn:aws:s3:::acme-datasets-${var.env}",
        "arn:aws:s3:::acme-datasets-${var.env}/*"
      ]
    },
    {
      "Sid": "Scratch",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": "arn:aws:s3:::acme-notebook-scratch-${var.env}/*"
    },
    {
      "Sid": "Logs",
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
      "Condition": {
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}
      }
    }
  ]
}
EOT
}
