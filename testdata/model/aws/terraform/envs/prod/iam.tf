# Guardrails and the humans-and-bots side of the platform.

resource "aws_iam_policy" "workload_boundary" {
  name        = "ml-workload-boundary-${local.env}"
  description = "Ceiling for every ML workload role"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ServingOnly"
        Effect = "Allow"
        Action = [
          "s3:GetObject",
          "s3:ListBucket",
          "bedrock:InvokeModel",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ]
        Resource = "*"
      },
      {
        Sid      = "NeverIam"
        Effect   = "Deny"
        Action   = "iam:*"
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length = 16
  max_password_age        = 90
  password_reuse_prevention = 12
}

# The model-release pipeline still signs in as an IAM user with a static key.
resource "aws_iam_user" "release_bot" {
  name = "model-release-bot-${local.env}"
  path = "/automation/"
  tags = {
    owner = "release-eng"
  }
}

resource "aws_iam_access_key" "release_bot" {
  user = aws_iam_user.release_bot.name
}

resource "aws_iam_group" "model_publishers" {
  name = "model-publishers-${local.env}"
}

resource "aws_iam_group_policy" "publish" {
  name  = "publish-models"
  group = aws_iam_group.model_publishers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PublishArtifacts"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "arn:aws:s3:::${local.model_bucket}/releases/*"
      },
      {
        Sid      = "RegisterModels"
        Effect   = "Allow"
        Action   = ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"]
        Resource = "arn:aws:sagemaker:${local.region}:${local.account_id}:model-package/*"
      },
    ]
  })
}

resource "aws_iam_group_policy_attachment" "publishers_ecr" {
  group      = aws_iam_group.model_publishers.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
}

resource "aws_iam_user_group_membership" "release_bot" {
  user = aws_iam_user.release_bot.name
  groups = [
    aws_iam_group.model_publishers.name,
    "legacy-deployers",
  ]
}

# On-call engineers' break-glass user: console password and a Bedrock API key.
resource "aws_iam_user" "oncall" {
  name = "ml-oncall-${local.env}"
}

resource "aws_iam_user_login_profile" "oncall" {
  user                    = aws_iam_user.oncall.name
  password_reset_required = true
}

resource "aws_iam_service_specific_credential" "oncall_bedrock" {
  service_name        = "bedrock.amazonaws.com"
  user_name           = aws_iam_user.oncall.name
  credential_age_days = 30
}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}
