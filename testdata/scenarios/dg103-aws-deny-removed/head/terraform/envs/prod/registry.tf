# The model registry publisher: uploads and prunes candidate models. The guardrail that
# kept released models immutable was dropped to let the publisher prune old releases.
locals {
  env      = "prod"
  registry = "arn:aws:s3:::acme-model-registry-${local.env}"
}

resource "aws_iam_role" "publisher" {
  name = "model-publisher-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
  tags = {
    owner = "ml-platform"
  }
}

# Shared by every environment's publisher.
resource "aws_iam_policy" "registry_rw" {
  name = "model-registry-rw-${local.env}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "RegistryObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${local.registry}/*"
      },
      {
        Sid      = "RegistryList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = local.registry
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "publisher_registry" {
  role       = aws_iam_role.publisher.name
  policy_arn = aws_iam_policy.registry_rw.arn
}
