# The streaming feature writer of the fraud models; runs in the prod VPC only.
locals {
  env            = "prod"
  s3_endpoint_id = "vpce-0a1b2c3d4e5f60718"
}

resource "aws_iam_role" "feature_writer" {
  name = "feature-writer-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "risk-ml"
  }
}

resource "aws_iam_role_policy" "feature_writer" {
  name = "features"
  role = aws_iam_role.feature_writer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteFeatures"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "arn:aws:s3:::acme-features-${local.env}/fraud/*"
        Condition = {
          StringEquals = { "aws:SourceVpce" = local.s3_endpoint_id }
        }
      },
    ]
  })
}
