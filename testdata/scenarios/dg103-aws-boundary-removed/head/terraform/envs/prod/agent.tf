# The support agent (LLM tool-use runtime) in production. Every role the agent team
# creates is capped by the team's permissions boundary.
locals {
  env        = "prod"
  account_id = "345678901234"
  workspace  = "arn:aws:s3:::acme-agent-workspace-${local.env}"
}

resource "aws_iam_policy" "agent_boundary" {
  name = "agent-team-boundary-${local.env}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AgentCeiling"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "bedrock:InvokeModel"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role" "support_agent" {
  name = "support-agent-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "agent-team"
  }
}

resource "aws_iam_role_policy" "support_agent" {
  name = "agent-tools"
  role = aws_iam_role.support_agent.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Workspace"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${local.workspace}/*"
      },
      {
        Sid      = "Models"
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModel"]
        Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.*"
      },
    ]
  })
}
